"""CloudWatch Logs state as plain data, and the read-only helpers both sides share.

The folds in :mod:`projections.logs_fold` are the only writers. Handlers read through the
accessors here (which never create anything), so a rejected call cannot change state.

``world.resources["logs"]`` holds ``groups`` (ARN -> :class:`LogGroup`), ``queries``
(queryId -> the StartQuery event number, i.e. its data item) and ``links``
(``[monitoring, source]`` pairs), ``sweeps`` (retention days -> sweep position);
``world.resources["faults"]`` the injected fault windows. Nothing here grows with the
number of batches: batches are data items (``world.items``, shared between checkpoints)
and log messages stay in the events' ``req``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from projections.arns import LOG_GROUP_ARN, QUERY_RESULT_ARN, log_group_arn, logs_principal
from projections.decrypt import decryptability, key_usable
from projections.model import Association, Cause, DataItem, Key
from projections.policy import Request, evaluate
from projections.world import World

CONTEXT_KEY = "kms:EncryptionContext:aws:logs:arn"
#: What logs.REGION.amazonaws.com must be allowed to do with a key it is given (A-LOGS-POLICY).
DRY_RUN_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")
QUERY_RESULT_TTL_DAYS = 7


@dataclass
class LogGroup:
    """One log group. Only O(streams) state: its batches are found in ``world.items``
    (shared between checkpoints), so checkpoints stay small however much is written."""

    name: str
    arn: str
    account: str
    region: str
    created: Cause
    retention_days: int | None = None
    streams: dict[str, int] = field(default_factory=dict)  # name -> creating event


def state(world: World) -> dict:
    """The logs state (empty when nothing was folded yet; do not change it from handlers)."""
    return world.resources.get("logs") or {"groups": {}, "queries": {}, "links": [],
                                           "sweeps": {}}


def group(world: World, arn: str) -> LogGroup | None:
    """The log group with this ARN, if it exists."""
    return state(world)["groups"].get(arn)


def linked(world: World, monitoring: str, source: str) -> bool:
    """Whether ``source`` shares its logs with ``monitoring`` (sim:Link)."""
    return [monitoring, source] in state(world)["links"]


def active_fault(world: World, op: str, region: str, t: int) -> dict | None:
    """The injected fault window covering ``op`` in ``region`` at ``t``, if any (R-LOGS-18)."""
    for fault in world.resources.get("faults", ()):
        if fault["region"] == region and fault["start"] <= t < fault["end"] and \
                fault["op"] in (op, "*"):
            return fault
    return None


def context(resource_arn: str) -> dict[str, str]:
    """The encryption context CloudWatch Logs uses for a resource (log group or query-result)."""
    return {CONTEXT_KEY: resource_arn}


def key_problem(world: World, key: Key | None, key_arn: str, resource_arn: str,
                actions: tuple[str, ...] = DRY_RUN_ACTIONS, region: str | None = None
                ) -> tuple[str, str] | None:
    """Why logs cannot use ``key`` for ``resource_arn``: ``("missing"|"state"|"policy", text)``.

    None when it can: the key exists in the region, is Enabled, and its policy lets the
    logs service principal perform every action in ``actions`` with the resource's context.
    """
    if key is None or key.state == "Deleted" or (region and key.region != region):
        return "missing", f"Specified KMS key {key_arn} does not exist"
    if key.state != "Enabled":
        return "state", f"Specified KMS key {key.arn} is {key.state} (R-KMS-04)"
    service = logs_principal(key.region)
    for action in actions:
        decision = evaluate(Request(service, action, key.arn, context(resource_arn)), key.policy)
        if not decision.allowed:
            return "policy", f"{service} may not {action} with {key.arn}: {decision.reason}"
    return None


_INTERNED: dict[tuple, tuple] = {}


def intern_keys(keys: tuple[str | None, ...]) -> tuple[str | None, ...]:
    """One shared tuple per distinct key set: a million batches share a handful of tuples."""
    return _INTERNED.setdefault(keys, keys)


def one_key(arn: str | None) -> tuple[str | None, ...]:
    """``intern_keys((arn,))`` without building the tuple each time (the replay hot path)."""
    keys = _ONE.get(arn)
    if keys is None:
        keys = _ONE[arn] = intern_keys((arn,))
    return keys


_ONE: dict[str | None, tuple[str | None, ...]] = {}


def ingest_keys(world: World, assoc: Association | None, resource_arn: str, setting: str,
                accepted: bool = False) -> tuple[tuple[str | None, ...], list[str]]:
    """The keys a batch written now is stored under, and why the others could not be used.

    A batch is stored only under a possible key logs can use (R-LOGS-32): when a window
    leaves several possible, the unusable ones are dropped; when none is usable the call
    fails under A-INGEST-UNUSABLE-KEY ``fail`` (empty keys), or ``store`` keeps them all.
    ``accepted``: a fold of an accepted write, whose single possible key was usable (the
    hot path of a replay: no policy evaluation).
    """
    candidates = assoc.candidates() if assoc is not None else (None,)
    if setting == "store" or (len(candidates) == 1 and (accepted or candidates == (None,))):
        return intern_keys(candidates), []
    usable: list[str | None] = []
    problems: list[str] = []
    for arn in candidates:
        if arn is None:
            usable.append(None)
            continue
        problem = key_problem(world, world.key_by_arn(arn), arn, resource_arn,
                              ("kms:GenerateDataKey",))
        if problem is None:
            usable.append(arn)
        else:
            problems.append(problem[1])
    return intern_keys(tuple(usable)), problems


def readable(world: World, item: DataItem) -> tuple[bool, str]:
    """Whether logs can certainly decrypt ``item`` now, and the first reason when not.

    The command side needs a definite answer, so ``maybe`` counts as not readable.
    """
    answer = decryptability(world, item, logs_principal(item.region))
    if answer.status == "yes":
        return True, ""
    # Failure reasons start with their rule id; "maybe" also lists the readable options.
    failing = [r for r in answer.reasons if r.startswith("R-")] or list(answer.reasons)
    why = failing[0] if failing else answer.status
    if answer.status == "maybe":
        return False, f"maybe (an association change is uncertain): {why}"
    return False, f"{answer.status}: {why}"


def verdicts_for(world: World, item: DataItem, rule: str) -> list:
    """One Verdict per possible key of a logs item (R-LOGS-33, R-LOGS-12)."""
    out = []
    for arn in item.keys:
        v = key_usable(world, arn, logs_principal(item.region), context(item.resource))
        extra = (rule,)
        if v.permanent:
            extra += ("R-LOGS-12",)
        out.append(replace(v, rules=(*v.rules, *extra)))
    return out


def target_of(req: dict, account: str, region: str) -> tuple[str, str]:
    """The association an Associate/Disassociate request names: ``(kind, resource ARN)``.

    Only for requests the command side accepted (exactly one target, a valid form).
    """
    if req.get("logGroupName"):
        return "log-group", log_group_arn(region, account, req["logGroupName"])
    rid = str(req["resourceIdentifier"])
    if QUERY_RESULT_ARN.fullmatch(rid):
        return "query-result", rid
    m = LOG_GROUP_ARN.fullmatch(rid)
    if m is None:
        raise ValueError(f"{rid!r} is neither a query-result nor a log group ARN")
    return "log-group", log_group_arn(m.group(1), m.group(2), m.group(3))


def item_span(item: DataItem) -> tuple[int, int]:
    """The first and last event timestamps of a batch (its ingestion time unless given)."""
    if item.extra and "t0" in item.extra:
        return item.extra["t0"], item.extra["t1"]
    return item.written_at, item.written_at


def query_sources(world: World, group_arns: list[str], start_ms: int, end_ms: int
                  ) -> tuple[list[int], list[str]]:
    """The live batches of ``group_arns`` with events in [start_ms, end_ms]: the readable
    ones' event numbers, and a reason for each one logs cannot certainly decrypt now."""
    ok: list[int] = []
    problems: list[str] = []
    seen: dict[tuple, tuple[bool, str]] = {}  # same keys and group: same answer at one moment
    wanted = set(group_arns)
    for item in batches(world, wanted):
        t0, t1 = item_span(item)
        if t1 < start_ms or t0 > end_ms:
            continue
        cache = (item.keys, item.resource)
        if cache not in seen:
            seen[cache] = readable(world, item)
        good, why = seen[cache]
        if good:
            ok.append(item.seq)
        else:
            name = item.resource.split(":log-group:")[-1]
            problems.append(f"events of event #{item.seq} in {name}: {why}")
    return ok, problems


def batches(world: World, group_arns: set[str]) -> list[DataItem]:
    """The live (not gone) log-event batches of these log groups, in write order."""
    select = getattr(world.items, "select", None)  # the live store: scans its columns
    pool = select("log-events", group_arns) if select else world.iter_items()
    return [i for i in pool
            if i.kind == "log-events" and i.gone is None and i.resource in group_arns]


def query_groups(req: dict, account: str, region: str) -> list[str]:
    """The log group ARNs a StartQuery request names (names are the caller's groups)."""
    refs = ([req["logGroupName"]] if req.get("logGroupName") else
            list(req.get("logGroupNames") or req.get("logGroupIdentifiers") or []))
    out = []
    for ref in refs:
        m = LOG_GROUP_ARN.fullmatch(str(ref))
        arn = log_group_arn(m.group(1), m.group(2), m.group(3)) if m else \
            log_group_arn(region, account, str(ref))
        if arn not in out:
            out.append(arn)
    return out

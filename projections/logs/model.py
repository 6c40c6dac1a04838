"""CloudWatch Logs state as plain data, and the read-only helpers both sides share.

The folds in :mod:`projections.logs.fold` are the only writers. Handlers read through the
accessors here (which never create anything), so a rejected call cannot change state.

The area's state is one :class:`LogsState` (``world.state(LogsState)`` in folds,
:func:`logs_state` elsewhere). Nothing in it grows with the number of batches: batches are
data items (``world.items``, shared between checkpoints) and log messages stay in the
events' ``req``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from events.timefmt import DAY, HOUR
from projections.arns import LOG_GROUP_ARN, QUERY_RESULT_ARN, log_group_arn, logs_principal
from projections.decrypt import (
    caller_decisions,
    decryptability,
    key_usable,
    policy_verdict,
    with_grant,
)
from projections.iam.policy import Request, evaluate
from projections.model import Association, Cause, DataItem, Key
from projections.world import World

CONTEXT_KEY = "kms:EncryptionContext:aws:logs:arn"
#: What logs.REGION.amazonaws.com must be allowed to do with a key it is given (A-LOGS-POLICY).
DRY_RUN_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")
QUERY_RESULT_TTL_DAYS = 7
#: PutLogEvents: events more than this after the call are rejected (R-LOGS-46) ...
TOO_NEW_MS = 2 * HOUR
#: ... and events more than this before it (R-LOGS-47).
TOO_OLD_MS = 14 * DAY
#: The events a batch keeps may span at most this (R-LOGS-52).
MAX_SPAN_MS = DAY
#: A batch's size: its messages' UTF-8 bytes plus this per event, at most MAX_BATCH_BYTES
#: (R-LOGS-49).
EVENT_OVERHEAD = 26
MAX_BATCH_BYTES = 1_048_576


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
    #: Its tags (CreateLogGroup, TagResource, TagLogGroup ...: R-LOGS-API-34, -43).
    tags: dict[str, str] = field(default_factory=dict)
    #: The logGroupClass it was created with (R-LOGS-API-52).
    log_class: str = "STANDARD"


@dataclass
class Sweep:
    """The retention sweep of one retention value: every batch before event ``pos`` was
    looked at; ``due`` is the armed timer's moment (its token), None when none is armed."""

    pos: int = 0
    due: int | None = None


@dataclass(frozen=True)
class Fault:
    """An injected fault window (sim:InjectFault): ``op`` (or ``*``) in ``region`` answers
    ServiceUnavailableException from ``start`` until ``end``; ``seq`` is the event."""

    op: str
    region: str
    start: int
    end: int
    seq: int


@dataclass
class LogsState:
    """Everything CloudWatch Logs keeps besides associations and data items."""

    groups: dict[str, LogGroup] = field(default_factory=dict)  # ARN -> group
    #: queryId -> the StartQuery event number (= its query-result data item).
    queries: dict[str, int] = field(default_factory=dict)
    #: (monitoring, source) account pairs linked by sim:Link, in link order.
    links: list[tuple[str, str]] = field(default_factory=list)
    sweeps: dict[int, Sweep] = field(default_factory=dict)  # retention days -> its sweep
    faults: list[Fault] = field(default_factory=list)  # in injection order


def logs_state(world: World) -> LogsState:
    """The logs state, to read (empty when nothing was folded yet; creates nothing)."""
    return world.peek(LogsState)


def group(world: World, arn: str) -> LogGroup | None:
    """The log group with this ARN, if it exists."""
    return logs_state(world).groups.get(arn)


def linked(world: World, monitoring: str, source: str) -> bool:
    """Whether ``source`` shares its logs with ``monitoring`` (sim:Link)."""
    return (monitoring, source) in logs_state(world).links


def active_fault(world: World, op: str, region: str, t: int) -> Fault | None:
    """The injected fault window covering ``op`` in ``region`` at ``t``, if any (R-LOGS-79)."""
    for fault in logs_state(world).faults:
        if fault.region == region and fault.start <= t < fault.end and fault.op in (op, "*"):
            return fault
    return None


def context(resource_arn: str) -> dict[str, str]:
    """The encryption context CloudWatch Logs uses for a resource (log group or query-result)."""
    return {CONTEXT_KEY: resource_arn}


def context_for(world: World, resource_arn: str) -> dict[str, str]:
    """:func:`context` as the world's settings have it: for the query-result resource the
    sources name no encryption context, and A-LOGS-QUERY-CONTEXT decides (R-LOGS-61)."""
    if QUERY_RESULT_ARN.fullmatch(resource_arn) and \
            world.setting("logs_query_context") == "none":
        return {}
    return context(resource_arn)


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
        decision = evaluate(Request(service, action, key.arn, context_for(world, resource_arn)),
                            key.policy)
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


def readable(world: World, item: DataItem, caller: str | None = None) -> tuple[bool, str]:
    """Whether logs can certainly decrypt ``item`` now for ``caller`` (their own kms:Decrypt
    matters only under A-LOGS-READER ``caller``), and the first reason when not.

    The command side needs a definite answer, so ``maybe`` counts as not readable.
    """
    answer = decryptability(world, item, caller or logs_principal(item.region))
    if answer.status == "yes":
        return True, ""
    # Failure reasons start with their rule id; "maybe" also lists the readable options.
    failing = [r for r in answer.reasons if r.startswith("R-")] or list(answer.reasons)
    why = failing[0] if failing else answer.status
    if answer.status == "maybe":
        return False, f"maybe (an association change is uncertain): {why}"
    return False, f"{answer.status}: {why}"


def verdicts_for(world: World, item: DataItem, rule: str, principal: str = "") -> list:
    """One Verdict per possible key of a logs item (R-LOGS-33, R-LOGS-12); under
    A-LOGS-READER ``caller`` a reader who is not a service also needs their own kms:Decrypt
    on the key (R-LOGS-84)."""
    out = []
    own = world.setting("logs_reader") == "caller" and principal \
        and not principal.endswith(".amazonaws.com")
    context = context_for(world, item.resource)
    for arn in item.keys:
        v = key_usable(world, arn, logs_principal(item.region), context)
        key = world.key_by_arn(arn) if own and v.readable and arn else None
        options = [v]
        if key is not None:  # one option per decision: a grant's window may leave it open
            options = []
            for decision in caller_decisions(world, key, principal, context):
                if decision.allowed:
                    options.append(with_grant(v, decision))
                else:
                    denied = policy_verdict(key, principal, decision)
                    options.append(replace(denied, rules=(*denied.rules, "R-LOGS-84")))
        for v in options:
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


def event_stamps(log_events: Sequence[Mapping], t: int) -> list[int]:
    """The timestamps of a batch's events; a missing one is the call's time ``t`` (R-LOGS-41)."""
    return [t if e.get("timestamp") is None else int(e["timestamp"]) for e in log_events]


def rejections(stamps: Sequence[int], t: int, retention_days: int | None, index_form: str
               ) -> tuple[int, int, dict[str, int]]:
    """Which events of a chronological batch written at ``t`` are kept: ``[first, end)``, and
    the ``rejectedLogEventsInfo`` that reports the others (empty when none is rejected).

    In chronological order the rejected events are a prefix (more than 14 days old, or older
    than the retention: R-LOGS-47) and a suffix (more than 2 hours ahead: R-LOGS-46). Each end
    index counts the events of its own condition; ``index_form`` is A-REJECTED-INDEX.
    """
    n = len(stamps)
    too_new = bisect_right(stamps, t + TOO_NEW_MS)        # the first event after t + 2h
    too_old = bisect_left(stamps, t - TOO_OLD_MS)         # how many are before t - 14d
    expired = 0 if retention_days is None else bisect_left(stamps, t - retention_days * DAY)
    info: dict[str, int] = {}
    if too_new < n:
        info["tooNewLogEventStartIndex"] = too_new
    shift = -1 if index_form == "inclusive" else 0
    if too_old:
        info["tooOldLogEventEndIndex"] = too_old + shift
    if expired:
        info["expiredLogEventEndIndex"] = expired + shift
    first = max(too_old, expired)
    return first, max(first, too_new), info


def kept_range(res: Mapping | None, n: int, index_form: str) -> tuple[int, int]:
    """``[first, end)`` of the events a PutLogEvents batch of ``n`` events stored, read back
    from its response's ``rejectedLogEventsInfo`` (the inverse of :func:`rejections`)."""
    info = res.get("rejectedLogEventsInfo") if res else None
    if not info:
        return 0, n
    shift = 1 if index_form == "inclusive" else 0
    first = max([int(info[k]) + shift for k in ("tooOldLogEventEndIndex",
                                                "expiredLogEventEndIndex") if k in info] or [0])
    end = int(info.get("tooNewLogEventStartIndex", n))
    return min(first, n), min(max(first, end), n)


def batch_size(log_events: Sequence[Mapping]) -> int:
    """A batch's size as PutLogEvents counts it (R-LOGS-49)."""
    return sum(len(str(e.get("message", "")).encode("utf-8", "surrogatepass"))
               for e in log_events) + \
        EVENT_OVERHEAD * len(log_events)


def item_span(item: DataItem) -> tuple[int, int]:
    """The first and last event timestamps of a batch (its ingestion time unless given)."""
    if item.extra and "t0" in item.extra:
        return item.extra["t0"], item.extra["t1"]
    return item.written_at, item.written_at


def query_sources(world: World, group_arns: list[str], start_ms: int, end_ms: int,
                  caller: str | None = None) -> tuple[list[int], list[str]]:
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
            seen[cache] = readable(world, item, caller)
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

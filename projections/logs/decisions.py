"""What a CloudWatch Logs write decides, in one function each (see projections/kms/decisions.py
for why the event does not record it instead).

The handler calls these to answer or refuse; the fold calls them again on the same world
(events fold in order) to apply the accepted event, so the two never decide differently.
"""

from __future__ import annotations

from dataclasses import dataclass

from projections.arns import LOG_GROUP_ARN, log_group_arn, query_result_arn
from projections.logs.model import ingest_keys, intern_keys, query_sources
from projections.model import Association
from projections.world import World


def query_groups(req: dict, account: str, region: str) -> list[str]:
    """The log group ARNs a StartQuery request names, each once, in order (a name is one
    of the caller's groups; an ARN names its own)."""
    refs = ([req["logGroupName"]] if req.get("logGroupName") else
            list(req.get("logGroupNames") or req.get("logGroupIdentifiers") or []))
    out: list[str] = []
    for ref in refs:
        m = LOG_GROUP_ARN.fullmatch(str(ref))
        arn = log_group_arn(m.group(1), m.group(2), m.group(3)) if m else \
            log_group_arn(region, account, str(ref))
        if arn not in out:
            out.append(arn)
    return out


def stored_keys(world: World, assoc: Association | None, resource_arn: str,
                accepted: bool) -> tuple[tuple[str | None, ...], list[str]]:
    """The keys a write to ``resource_arn`` is stored under now, and why the others could not
    be used (R-LOGS-32, A-INGEST-UNUSABLE-KEY); empty keys refuse the write.

    ``accepted``: the write was accepted (a fold): its keys are never empty. A fold can only
    see none when a log is read under other assumptions than it was recorded with; then the
    batch keeps every possible key, as the record says it was stored.
    """
    keys, why = ingest_keys(world, assoc, resource_arn, world.setting("ingest_unusable_key"),
                            accepted=accepted)
    if not keys and accepted:
        keys = intern_keys(assoc.candidates() if assoc is not None else (None,))
    return keys, why


@dataclass(frozen=True)
class QueryPlan:
    """What StartQuery decides: the groups it reads, the batches it can read (their event
    numbers) and why it cannot read the others, the query-result keys and why not others."""

    groups: list[str]
    sources: list[int]
    problems: list[str]
    keys: tuple[str | None, ...]
    key_problems: list[str]


def query_plan(world: World, req: dict, account: str, region: str, caller: str,
               accepted: bool) -> QueryPlan:
    """StartQuery's decision (R-LOGS-08, R-LOGS-36): ``accepted`` as for :func:`stored_keys`."""
    groups = query_groups(req, account, region)
    sources, problems = query_sources(world, groups, int(req["startTime"]) * 1000,
                                      int(req["endTime"]) * 1000, caller)
    qr = query_result_arn(region, account)
    keys, why = stored_keys(world, world.associations.get(qr), qr, accepted)
    return QueryPlan(groups, sources, problems, keys, why)

"""logs:StartQuery and logs:GetQueryResults: stored query results and their key (SPEC 3.4).

A query runs at once (status ``Complete``). Its results are one data item stored under
the querying account's query-result association at the start (R-LOGS-08, R-LOGS-11),
kept 7 days (R-LOGS-35). kmsim reads only a small part of the query language
(:mod:`sim.services.logs.insights`: ``fields``, ``display``, ``filter @message like``,
``limit``); everything else in ``queryString`` is accepted and ignored.
"""

from __future__ import annotations

from projections.arns import LOG_GROUP_ARN, log_group_arn
from projections.logs.decisions import query_plan
from projections.logs.model import (
    group,
    linked,
    logs_state,
    readable,
)
from sim.errors import AwsError
from sim.params import Param
from sim.services.logs.common import (
    GROUP_IDENTIFIER_PATTERN,
    GROUP_NAME,
    IPE,
    NO_GROUP,
    RNF,
    check,
    check_fault,
    event_req,
    foreign_arn,
    log_events_of,
    read_error,
)
from sim.services.logs.insights import Record, parse, row
from sim.services.registry import CallContext, operation

#: A list's elements are checked as its member shape says (paths 'logGroupNames.1.member').
GROUP_NAMES = Param("logGroupNames", list, items=Param(
    "member", str, min=GROUP_NAME.min, max=GROUP_NAME.max, pattern=GROUP_NAME.pattern))
GROUP_IDENTIFIERS = Param("logGroupIdentifiers", list, items=Param(
    "member", str, min=1, max=2048, pattern=GROUP_IDENTIFIER_PATTERN))


def _resolve_groups(ctx: CallContext, req: dict) -> list[str]:
    """The log group ARNs queried: the caller's, or a linked source account's (R-LOGS-37,
    R-LOGS-81)."""
    given = [k for k in ("logGroupName", "logGroupNames", "logGroupIdentifiers") if req.get(k)]
    if len(given) != 1:
        raise AwsError(IPE, "Specify exactly one of logGroupName, logGroupNames and "
                       "logGroupIdentifiers (kmsim does not read SOURCE commands)", "R-LOGS-19")
    refs = [req["logGroupName"]] if given[0] == "logGroupName" else req[given[0]]
    arns = []
    for ref in refs:  # each one passed its list's member constraints (start_query's check)
        m = LOG_GROUP_ARN.fullmatch(ref)
        if m is None:
            arn = log_group_arn(ctx.region, ctx.account, ref)
        else:
            region, account, name = m.groups()
            own = account == ctx.account
            if region != ctx.region or not (own or linked(ctx.world, ctx.account, account)):
                raise foreign_arn(ctx, f"Log group {ref} is not in this account or a "
                                  f"source account linked to {ctx.account} (sim:Link)")
            arn = log_group_arn(region, account, name)
        if group(ctx.world, arn) is None:
            raise AwsError(RNF, NO_GROUP, "R-LOGS-17")
        if arn not in arns:  # named twice, read once (decisions.query_groups)
            arns.append(arn)
    return arns


@operation("logs:StartQuery")
def start_query(ctx: CallContext, req: dict) -> dict:
    """Run a query; store its results under the query-result key (R-LOGS-08, R-LOGS-36)."""
    check(req, GROUP_NAME, GROUP_NAMES, GROUP_IDENTIFIERS,
          Param("startTime", int, required=True, min=0), Param("endTime", int, required=True,
                                                               min=0),
          Param("queryString", str, required=True, min=0, max=10000),
          Param("limit", int, min=1, max=100000),
          Param("queryLanguage", str, enum=("CWLI", "SQL", "PPL")))
    groups = _resolve_groups(ctx, req)
    if req["endTime"] < req["startTime"]:
        raise AwsError(IPE, "endTime must not be before startTime", "R-LOGS-19")
    plan = query_plan(ctx.world, req, ctx.account, ctx.region, ctx.actor, accepted=False)
    assert plan.groups == groups  # the groups checked above are the ones the plan reads
    if plan.problems and ctx.setting("query_unreadable") == "fail":
        raise AwsError(IPE, "The query reads log events CloudWatch Logs cannot decrypt: "
                       + "; ".join(plan.problems[:3]), "R-LOGS-36")
    if not plan.keys:
        raise AwsError(IPE, "The query-result KMS key cannot be used: "
                       + "; ".join(plan.key_problems), "R-LOGS-32")
    check_fault(ctx, "logs:StartQuery")
    return {"queryId": ctx.draws.uuid("queryId")}


@operation("logs:GetQueryResults")
def get_query_results(ctx: CallContext, req: dict) -> dict:
    """Plaintext results while their key is usable (R-LOGS-09, R-LOGS-60, R-LOGS-34,
    R-LOGS-35, R-LOGS-85); each row holds the fields the query asks for and @ptr (R-LOGS-57,
    R-LOGS-58, R-LOGS-87)."""
    check(req, Param("queryId", str, required=True, min=1, max=256),
          Param("nextToken", str, max=1024), Param("maxItems", int, min=0, max=10000))
    seq = logs_state(ctx.world).queries.get(req["queryId"])
    item = ctx.world.items.get(seq) if seq is not None else None
    if item is None or item.account != ctx.account or item.region != ctx.region:
        raise AwsError(RNF, f"Query {req['queryId']} does not exist", "R-LOGS-17")
    if item.gone is not None:
        code = IPE if ctx.setting("logs_expired_query") == "invalid-parameter" else RNF
        raise AwsError(code, f"The results of query {req['queryId']} expired (kept 7 days)",
                       "R-LOGS-85")
    ok, why = readable(ctx.world, item, ctx.actor)
    if not ok:
        raise read_error(ctx, f"The results of query {req['queryId']} cannot be decrypted: "
                         f"{why}")
    start = event_req(ctx, item.seq)
    lo, hi = int(start.get("startTime", 0)) * 1000, int(start.get("endTime", 0)) * 1000
    query = parse(str(start.get("queryString", "")))
    limit = query.limit if query.limit is not None else int(start.get("limit", 10000))
    records, scanned, nbytes = [], 0, 0
    # R-LOGS-API-55: stored results keep events deleted since, unless 'dropped'
    dropped = ctx.setting("logs_api_stored_results") == "dropped"
    for src in item.extra["sources"] if item.extra else ():
        src_item = ctx.world.items[src]
        if dropped and src_item.gone is not None:
            continue
        stream = str(event_req(ctx, src).get("logStreamName", ""))
        log = f"{src_item.account}:{src_item.resource.split(':log-group:')[-1]}"
        for i, ts, msg in log_events_of(ctx, src, src_item.written_at):
            if not lo <= ts <= hi:
                continue
            scanned += 1
            nbytes += len(msg.encode("utf-8", "surrogatepass"))
            if query.matches(msg):
                records.append(Record(src, i, ts, src_item.written_at, msg, stream, log))
    records.sort(key=lambda r: (r.timestamp, r.seq, r.index))
    discover = ctx.setting("query_fields")
    ptr = ctx.setting("query_ptr")
    results = [row(query, r, discover, ptr) for r in records[:limit]]
    check_fault(ctx, "logs:GetQueryResults")
    out = {"status": "Complete", "results": results,
           "statistics": {"recordsMatched": float(len(records)),
                          "recordsScanned": float(scanned),
                          "bytesScanned": float(nbytes)}}
    if len(item.keys) == 1 and item.keys[0] is not None:
        out["encryptionKey"] = item.keys[0]
    return out

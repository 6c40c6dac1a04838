"""logs:StopQuery, logs:DescribeQueries and logs:GetLogGroupFields (R-LOGS-QRY-01..08).

kmsim's queries complete when they start (:mod:`sim.services.logs.query`), so none is ever
running: StopQuery answers as A-LOGS-QRY-STOP says and changes nothing, and DescribeQueries
shows each kept query as ``Complete``. GetLogGroupFields reads log events through the same
decryptability as GetLogEvents: a batch in its range that CloudWatch Logs cannot certainly
decrypt fails the call (R-LOGS-QRY-07).
"""

from __future__ import annotations

from events.timefmt import MINUTE
from projections.logs.decisions import query_groups
from projections.logs.model import batches, logs_state, readable
from projections.model import DataItem
from sim.errors import AwsError
from sim.params import Param
from sim.services.logs.common import (
    BAD_TOKEN,
    GROUP_IDENTIFIER_PATTERN,
    GROUP_NAME,
    IPE,
    RNF,
    check,
    check_fault,
    event_req,
    group_by_identifier,
    log_events_of,
    read_error,
    require_group,
)
from sim.services.logs.insights import json_fields
from sim.services.paging import BadToken, page
from sim.services.registry import CallContext, operation

QUERY_ID = Param("queryId", str, required=True, min=1, max=256)
STATUSES = ("Scheduled", "Running", "Complete", "Failed", "Cancelled", "Timeout", "Unknown")
LANGUAGES = ("CWLI", "SQL", "PPL")
#: R-LOGS-QRY-05: the span around ``time``, and the span before now without it.
AROUND = 8 * MINUTE
RECENT = 15 * MINUTE
#: R-LOGS-QRY-08: the fields CloudWatch Logs generates for every log event.
GENERATED = ("@timestamp", "@message", "@logStream", "@log", "@ingestionTime")


def _query_item(ctx: CallContext, query_id: str) -> DataItem:
    """The query-result item of one of the caller's queries (ResourceNotFoundException)."""
    seq = logs_state(ctx.world).queries.get(query_id)
    item = ctx.world.items.get(seq) if seq is not None else None
    if item is None or item.account != ctx.account or item.region != ctx.region:
        raise AwsError(RNF, f"Query {query_id} does not exist", "R-LOGS-QRY-01")
    return item


@operation("logs:StopQuery")
def stop_query(ctx: CallContext, req: dict) -> dict:
    """A query that already ended is not stopped (R-LOGS-QRY-01, R-LOGS-QRY-02)."""
    check(req, QUERY_ID)
    _query_item(ctx, req["queryId"])
    check_fault(ctx, "logs:StopQuery")
    if ctx.setting("logs_qry_stop") == "false":
        return {"success": False}
    raise AwsError(IPE, f"Query {req['queryId']} is not running: its status is Complete "
                   "(kmsim's queries complete when they start)", "R-LOGS-QRY-02")


@operation("logs:DescribeQueries")
def describe_queries(ctx: CallContext, req: dict) -> dict:
    """The account's kept queries, filtered by log group, status and language, in the order
    they started (R-LOGS-QRY-03)."""
    check(req, GROUP_NAME, Param("status", str, enum=STATUSES),
          Param("maxResults", int, min=1, max=1000), Param("nextToken", str, min=1),
          Param("queryLanguage", str, enum=LANGUAGES))
    if req.get("logGroupName"):
        require_group(ctx, req["logGroupName"])
    check_fault(ctx, "logs:DescribeQueries")
    found = []
    for qid, seq in logs_state(ctx.world).queries.items():
        item = ctx.world.items.get(seq)
        if item is None or item.gone is not None or item.account != ctx.account or \
                item.region != ctx.region:
            continue
        start = event_req(ctx, seq)
        names = [arn.split(":log-group:", 1)[1]
                 for arn in query_groups(start, ctx.account, ctx.region)]
        language = str(start.get("queryLanguage") or "CWLI")
        if req.get("logGroupName") and req["logGroupName"] not in names:
            continue
        if req.get("status") not in (None, "Complete") or \
                req.get("queryLanguage") not in (None, language):
            continue
        entry = {"queryId": qid, "queryString": str(start.get("queryString", "")),
                 "status": "Complete", "createTime": item.written_at,
                 "queryLanguage": language}
        if names:
            entry["logGroupName"] = names[0]
        event = ctx.event(seq)
        if event is not None:
            entry["userIdentity"] = event.actor
        found.append((seq, entry))
    try:
        head, token = page(found, lambda f: f[0], req.get("maxResults", 1000),
                           req.get("nextToken"), "logs:DescribeQueries")
    except BadToken:
        raise AwsError(IPE, BAD_TOKEN, "R-LOGS-QRY-03") from None
    return {"queries": [e for _, e in head], **({"nextToken": token} if token else {})}


@operation("logs:GetLogGroupFields")
def get_log_group_fields(ctx: CallContext, req: dict) -> dict:
    """The fields of a log group's events in the searched span and how often each occurs
    (R-LOGS-QRY-04..08)."""
    check(req, GROUP_NAME, Param("time", int, min=0),
          Param("logGroupIdentifier", str, min=1, max=2048, pattern=GROUP_IDENTIFIER_PATTERN))
    if bool(req.get("logGroupName")) == bool(req.get("logGroupIdentifier")):
        raise AwsError(IPE, "Specify exactly one of logGroupName and logGroupIdentifier",
                       "R-LOGS-QRY-06")
    g = (require_group(ctx, req["logGroupName"]) if req.get("logGroupName") else
         group_by_identifier(ctx, req["logGroupIdentifier"], "logGroupIdentifier"))
    if req.get("time") is not None:
        lo, hi = req["time"] * 1000 - AROUND, req["time"] * 1000 + AROUND
    else:
        lo, hi = ctx.t - RECENT, ctx.t
    total = 0
    counts: dict[str, int] = {}
    for item in batches(ctx.world, {g.arn}):
        events = [(ts, msg) for _, ts, msg in log_events_of(ctx, item.seq, item.written_at)
                  if lo <= ts <= hi]
        if not events:
            continue
        ok, why = readable(ctx.world, item, ctx.actor)
        if not ok:
            raise read_error(ctx, f"Log events of {g.name} written by event #{item.seq} "
                             f"cannot be decrypted: {why}")
        total += len(events)
        for _, msg in events:
            for name in json_fields(msg):
                counts[name] = counts.get(name, 0) + 1
    check_fault(ctx, "logs:GetLogGroupFields")
    if not total:
        return {"logGroupFields": []}
    fields = [(name, 100) for name in GENERATED] + \
        [(name, round(100 * n / total)) for name, n in counts.items() if name not in GENERATED]
    fields.sort(key=lambda f: (-f[1], f[0]))  # most frequent first (R-LOGS-QRY-04)
    return {"logGroupFields": [{"name": n, "percent": p} for n, p in fields]}

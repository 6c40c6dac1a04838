"""logs:StartQuery and logs:GetQueryResults: stored query results and their key (SPEC 3.4).

A query runs at once (status ``Complete``). Its results are one data item stored under
the querying account's query-result association at the start (R-LOGS-08, R-LOGS-11),
kept 7 days (R-LOGS-35). kmsim reads only a small part of the query language:
``filter @message like /REGEX/`` (or ``"text"``) and ``limit N``; everything else in
``queryString`` is accepted and ignored.
"""

from __future__ import annotations

import datetime as dt
import re

from projections.arns import LOG_GROUP_ARN, log_group_arn, query_result_arn
from projections.logs_model import group, ingest_keys, linked, query_sources, readable
from sim.errors import AwsError
from sim.params import Param
from sim.services.logs_common import (
    GROUP_NAME,
    IPE,
    RNF,
    check,
    check_fault,
    event_req,
    log_events_of,
    read_error,
)
from sim.services.registry import CallContext, operation

_FILTER = re.compile(r"filter\s+@message\s+like\s+(?:/(?P<re>(?:[^/\\]|\\.)*)/|"
                     r"\"(?P<text>[^\"]*)\"|'(?P<text2>[^']*)')")
_LIMIT = re.compile(r"\blimit\s+(\d+)")


def _resolve_groups(ctx: CallContext, req: dict) -> list[str]:
    """The log group ARNs queried: the caller's, or a linked source account's (R-LOGS-37)."""
    given = [k for k in ("logGroupName", "logGroupNames", "logGroupIdentifiers") if req.get(k)]
    if len(given) != 1:
        raise AwsError(IPE, "Specify exactly one of logGroupName, logGroupNames and "
                       "logGroupIdentifiers (kmsim does not read SOURCE commands)", "R-LOGS-19")
    refs = [req["logGroupName"]] if given[0] == "logGroupName" else req[given[0]]
    arns = []
    for ref in refs:
        if not isinstance(ref, str) or not ref:
            raise AwsError(IPE, f"{given[0]} must hold log group names or ARNs", "R-LOGS-19")
        m = LOG_GROUP_ARN.fullmatch(ref)
        if m is None:
            check({"logGroupName": ref}, GROUP_NAME)
            arn = log_group_arn(ctx.region, ctx.account, ref)
        else:
            region, account, name = m.groups()
            own = account == ctx.account
            if region != ctx.region or not (own or linked(ctx.world, ctx.account, account)):
                raise AwsError(RNF, f"Log group {ref} is not in this account or a source "
                               f"account linked to {ctx.account} (sim:Link)", "R-LOGS-37")
            arn = log_group_arn(region, account, name)
        if group(ctx.world, arn) is None:
            raise AwsError(RNF, f"The specified log group does not exist: {ref}", "R-LOGS-17")
        arns.append(arn)
    return arns


@operation("logs:StartQuery")
def start_query(ctx: CallContext, req: dict) -> dict:
    """Run a query; store its results under the query-result key (R-LOGS-08, R-LOGS-36)."""
    check(req, GROUP_NAME, Param("logGroupNames", list), Param("logGroupIdentifiers", list),
          Param("startTime", int, required=True, min=0), Param("endTime", int, required=True,
                                                               min=0),
          Param("queryString", str, required=True, min=0, max=10000),
          Param("limit", int, min=1, max=10000),
          Param("queryLanguage", str, enum=("CWLI", "SQL", "PPL")))
    groups = _resolve_groups(ctx, req)
    if req["endTime"] < req["startTime"]:
        raise AwsError(IPE, "endTime must not be before startTime", "R-LOGS-19")
    _, problems = query_sources(ctx.world, groups, req["startTime"] * 1000,
                                req["endTime"] * 1000)
    if problems and ctx.setting("query_unreadable") == "fail":
        raise AwsError(IPE, "The query reads log events CloudWatch Logs cannot decrypt: "
                       + "; ".join(problems[:3]), "R-LOGS-36")
    qr = query_result_arn(ctx.region, ctx.account)
    keys, why = ingest_keys(ctx.world, ctx.world.associations.get(qr), qr,
                            ctx.setting("ingest_unusable_key"))
    if not keys:
        raise AwsError(IPE, "The query-result KMS key cannot be used: " + "; ".join(why),
                       "R-LOGS-32")
    check_fault(ctx, "logs:StartQuery")
    return {"queryId": ctx.draws.uuid("queryId")}


def _matcher(query: str):
    m = _FILTER.search(query)
    if m is None:
        return lambda msg: True
    if m.group("re") is not None:
        pattern = re.compile(m.group("re"))
        return lambda msg: pattern.search(msg) is not None
    text = m.group("text") if m.group("text") is not None else m.group("text2")
    return lambda msg: text in msg


def _stamp(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


@operation("logs:GetQueryResults")
def get_query_results(ctx: CallContext, req: dict) -> dict:
    """Plaintext results while their key is usable (R-LOGS-09, R-LOGS-34, R-LOGS-35)."""
    check(req, Param("queryId", str, required=True, min=1, max=256),
          Param("nextToken", str, max=1024), Param("maxItems", int, min=0, max=10000))
    logs = ctx.world.resources.get("logs", {})
    seq = logs.get("queries", {}).get(req["queryId"])
    item = ctx.world.items.get(seq) if seq is not None else None
    if item is None or item.account != ctx.account or item.region != ctx.region:
        raise AwsError(RNF, f"Query {req['queryId']} does not exist", "R-LOGS-17")
    if item.gone is not None:
        raise AwsError(RNF, f"The results of query {req['queryId']} expired (kept 7 days)",
                       "R-LOGS-35")
    ok, why = readable(ctx.world, item)
    if not ok:
        raise read_error(ctx, f"The results of query {req['queryId']} cannot be decrypted: "
                         f"{why}")
    start = event_req(ctx, item.seq)
    lo, hi = int(start.get("startTime", 0)) * 1000, int(start.get("endTime", 0)) * 1000
    query = str(start.get("queryString", ""))
    match = _matcher(query)
    m = _LIMIT.search(query)
    limit = int(m.group(1)) if m else int(start.get("limit", 10000))
    rows, scanned, nbytes = [], 0, 0
    for src in item.extra["sources"] if item.extra else ():
        src_item = ctx.world.items[src]
        src_req = event_req(ctx, src)
        group_name = src_item.resource.split(":log-group:")[-1]
        for ts, msg in log_events_of(ctx, src, src_item.written_at):
            if not lo <= ts <= hi:
                continue
            scanned += 1
            nbytes += len(msg.encode())
            if match(msg):
                rows.append((ts, [
                    {"field": "@timestamp", "value": _stamp(ts)},
                    {"field": "@message", "value": msg},
                    {"field": "@logStream", "value": str(src_req.get("logStreamName", ""))},
                    {"field": "@log", "value": f"{src_item.account}:{group_name}"}]))
    rows.sort(key=lambda r: r[0])
    results = [r for _, r in rows[:limit]]
    check_fault(ctx, "logs:GetQueryResults")
    out = {"status": "Complete", "results": results,
           "statistics": {"recordsMatched": float(len(rows)), "recordsScanned": float(scanned),
                          "bytesScanned": float(nbytes)}}
    if len(item.keys) == 1 and item.keys[0] is not None:
        out["encryptionKey"] = item.keys[0]
    return out

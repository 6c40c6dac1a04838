"""CloudWatch Logs log groups, streams and events (SPEC 3.4): the data plane and its keys.

Associations live in :mod:`sim.services.logs_kms`, queries in :mod:`sim.services.logs_query`.
Every handler ends with the fault check (R-LOGS-18): an injected fault answers only a
request that would otherwise have succeeded, so it never hides a client error.
"""

from __future__ import annotations

from projections.arns import log_group_arn
from projections.logs_model import batches, group, ingest_keys, readable
from sim.errors import AwsError
from sim.params import Param
from sim.services import logs_kms, logs_query  # noqa: F401 (register)
from sim.services.logs_common import (
    GROUP_NAME,
    GROUP_NAME_REQ,
    IPE,
    KMS_KEY_ID,
    RNF,
    STREAM_NAME_REQ,
    check,
    check_fault,
    check_key,
    event_req,
    log_events_of,
    read_error,
    require_group,
)
from sim.services.paging import BadToken, page
from sim.services.registry import CallContext, operation

RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                  2192, 2557, 2922, 3288, 3653)
LOG_EVENT = Param("logEvents", list, required=True, min=1, max=10000)


@operation("logs:CreateLogGroup")
def create_log_group(ctx: CallContext, req: dict) -> dict:
    """Create a log group; with kmsKeyId it is associated at once (R-LOGS-27, R-LOGS-28)."""
    check(req, GROUP_NAME_REQ, KMS_KEY_ID, Param("tags", dict),
          Param("logGroupClass", str, enum=("STANDARD", "INFREQUENT_ACCESS", "DELIVERY",
                                            "ESSENTIALS")),
          Param("deletionProtectionEnabled", bool))
    name = req["logGroupName"]
    if name.startswith("aws/"):
        raise AwsError(IPE, "Log group names can't start with the string aws/", "R-LOGS-27")
    arn = log_group_arn(ctx.region, ctx.account, name)
    if group(ctx.world, arn) is not None:
        raise AwsError("ResourceAlreadyExistsException",
                       f"The specified log group already exists: {name}", "R-LOGS-27")
    if req.get("kmsKeyId"):
        check_key(ctx, req["kmsKeyId"], arn)
    check_fault(ctx, "logs:CreateLogGroup")
    return {}


@operation("logs:DeleteLogGroup")
def delete_log_group(ctx: CallContext, req: dict) -> dict:
    """Delete a log group: all its events are gone, its association dropped (R-LOGS-29)."""
    check(req, GROUP_NAME_REQ)
    require_group(ctx, req["logGroupName"])
    check_fault(ctx, "logs:DeleteLogGroup")
    return {}


@operation("logs:DescribeLogGroups")
def describe_log_groups(ctx: CallContext, req: dict) -> dict:
    """The caller's log groups with retention and kmsKeyId (R-LOGS-42)."""
    check(req, Param("logGroupNamePrefix", str, min=1, max=512, pattern=GROUP_NAME.pattern),
          Param("limit", int, min=1, max=50), Param("nextToken", str, min=1))
    prefix = req.get("logGroupNamePrefix", "")
    check_fault(ctx, "logs:DescribeLogGroups")
    out = []
    groups = ctx.world.resources.get("logs", {}).get("groups", {})
    for g in sorted(groups.values(), key=lambda g: g.name):
        if g.account != ctx.account or g.region != ctx.region or not g.name.startswith(prefix):
            continue
        entry = {"logGroupName": g.name, "creationTime": g.created.t, "metricFilterCount": 0,
                 "arn": f"{g.arn}:*", "logGroupArn": g.arn, "storedBytes": 0,
                 "logGroupClass": "STANDARD"}
        if g.retention_days is not None:
            entry["retentionInDays"] = g.retention_days
        assoc = ctx.world.associations.get(g.arn)
        if assoc is not None:
            shown = {"associating": assoc.pending, "associated": assoc.key}.get(assoc.state)
            if shown:
                entry["kmsKeyId"] = shown
        out.append(entry)
    try:  # R-LOGS-43
        shown, token = page(out, lambda e: e["logGroupName"], req.get("limit", 50),
                            req.get("nextToken"), "logs:DescribeLogGroups")
    except BadToken:
        raise AwsError(IPE, "The specified nextToken is not valid.", "R-LOGS-19") from None
    return {"logGroups": shown, **({"nextToken": token} if token else {})}


@operation("logs:PutRetentionPolicy")
def put_retention_policy(ctx: CallContext, req: dict) -> dict:
    """Events expire retentionInDays after ingestion, then are gone (R-LOGS-30)."""
    check(req, GROUP_NAME_REQ, Param("retentionInDays", int, required=True))
    if req["retentionInDays"] not in RETENTION_DAYS:
        raise AwsError(IPE, f"1 validation error detected: retentionInDays must satisfy enum "
                       f"value set: {list(RETENTION_DAYS)}", "R-LOGS-19")
    require_group(ctx, req["logGroupName"])
    check_fault(ctx, "logs:PutRetentionPolicy")
    return {}


@operation("logs:CreateLogStream")
def create_log_stream(ctx: CallContext, req: dict) -> dict:
    """Create a log stream in a log group (R-LOGS-40)."""
    check(req, GROUP_NAME_REQ, STREAM_NAME_REQ)
    g = require_group(ctx, req["logGroupName"])
    if req["logStreamName"] in g.streams:
        raise AwsError("ResourceAlreadyExistsException",
                       f"The specified log stream already exists: {req['logStreamName']}",
                       "R-LOGS-40")
    check_fault(ctx, "logs:CreateLogStream")
    return {}


def _check_events(events: list) -> None:
    for i, e in enumerate(events):
        if not isinstance(e, dict) or not isinstance(e.get("message"), str) or not e["message"]:
            raise AwsError(IPE, f"logEvents.{i + 1}.message is required (a non-empty string)",
                           "R-LOGS-19")
        ts = e.get("timestamp")
        if ts is not None and (isinstance(ts, bool) or not isinstance(ts, int) or ts < 0):
            raise AwsError(IPE, f"logEvents.{i + 1}.timestamp must be epoch milliseconds",
                           "R-LOGS-19")


@operation("logs:PutLogEvents")
def put_log_events(ctx: CallContext, req: dict) -> dict:
    """Store one batch under the group's possible keys (R-LOGS-05, R-LOGS-32, R-LOGS-39)."""
    check(req, GROUP_NAME_REQ, STREAM_NAME_REQ, LOG_EVENT, Param("sequenceToken", str, min=1))
    _check_events(req["logEvents"])
    g = require_group(ctx, req["logGroupName"])
    stream = req["logStreamName"]
    if stream not in g.streams and ctx.setting("implicit_stream") == "strict":
        raise AwsError(RNF, f"The specified log stream does not exist: {stream}", "R-LOGS-39")
    keys, problems = ingest_keys(ctx.world, ctx.world.associations.get(g.arn), g.arn,
                                 ctx.setting("ingest_unusable_key"))
    if not keys:
        raise AwsError(IPE, f"The KMS key of log group {g.name} cannot be used: "
                       + "; ".join(problems), "R-LOGS-32")
    check_fault(ctx, "logs:PutLogEvents")
    return {"nextSequenceToken": f"{ctx.seq:056d}"}


@operation("logs:GetLogEvents")
def get_log_events(ctx: CallContext, req: dict) -> dict:
    """Events of a stream, decrypted by logs; any batch it cannot certainly decrypt fails
    the read (R-LOGS-33, R-LOGS-34)."""
    check(req, GROUP_NAME, Param("logGroupIdentifier", str, min=1, max=2048),
          STREAM_NAME_REQ, Param("startTime", int, min=0), Param("endTime", int, min=0),
          Param("limit", int, min=1, max=10000), Param("startFromHead", bool),
          Param("nextToken", str, min=1), Param("unmask", bool))
    if bool(req.get("logGroupName")) == bool(req.get("logGroupIdentifier")):
        raise AwsError(IPE, "Specify exactly one of logGroupName and logGroupIdentifier",
                       "R-LOGS-19")
    name = req.get("logGroupName") or str(req["logGroupIdentifier"]).split(":log-group:")[-1]
    g = require_group(ctx, name.removesuffix(":*"))
    stream = req["logStreamName"]
    if stream not in g.streams:
        raise AwsError(RNF, f"The specified log stream does not exist: {stream}", "R-LOGS-17")
    lo, hi = req.get("startTime", 0), req.get("endTime")
    found: list[dict] = []
    for item in batches(ctx.world, {g.arn}):
        if event_req(ctx, item.seq).get("logStreamName") != stream:
            continue
        seq = item.seq
        events = [(ts, msg) for ts, msg in log_events_of(ctx, seq, item.written_at)
                  if ts >= lo and (hi is None or ts < hi)]
        if not events:
            continue
        ok, why = readable(ctx.world, item)
        if not ok:
            raise read_error(ctx, f"Log events of {g.name}/{stream} written by event #{seq} "
                             f"cannot be decrypted: {why}")
        found += [{"timestamp": ts, "message": msg, "ingestionTime": item.written_at}
                  for ts, msg in events]
    found.sort(key=lambda e: (e["timestamp"], e["ingestionTime"]))
    limit = req.get("limit", 10000)
    found = found[:limit] if req.get("startFromHead") else found[-limit:]
    check_fault(ctx, "logs:GetLogEvents")
    return {"events": found, "nextForwardToken": f"f/{ctx.seq:056d}",
            "nextBackwardToken": f"b/{ctx.seq:056d}"}

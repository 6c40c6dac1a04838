"""CloudWatch Logs log groups, streams and retention (SPEC 3.4).

Events live in :mod:`sim.services.logs.events`, associations in :mod:`sim.services.logs.kms`,
queries in :mod:`sim.services.logs.query`.
Every handler ends with the fault check (R-LOGS-79): an injected fault answers only a
request that would otherwise have succeeded, so it never hides a client error.
"""

from __future__ import annotations

from projections.arns import log_group_arn
from projections.logs.model import group, logs_state
from projections.logs.policies import metric_filters
from sim.errors import AwsError
from sim.params import Param
from sim.services.logs import events, kms, query  # noqa: F401 (register)
from sim.services.logs.common import (
    BAD_TOKEN,
    GROUP_NAME,
    GROUP_NAME_REQ,
    IPE,
    KMS_KEY_ID,
    STREAM_NAME_REQ,
    check,
    check_fault,
    check_key,
    record_delay,
    require_group,
)
from sim.services.logs.tags import check_tags
from sim.services.paging import BadToken, page
from sim.services.registry import CallContext, operation

RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                  2192, 2557, 2922, 3288, 3653)


@operation("logs:CreateLogGroup")
def create_log_group(ctx: CallContext, req: dict) -> dict:
    """Create a log group (R-LOGS-27); with kmsKeyId it is associated with the key
    (R-LOGS-28), at once by default (A-LOGS-CREATE-WINDOW, R-LOGS-63)."""
    check(req, GROUP_NAME_REQ, KMS_KEY_ID, Param("tags", dict, min=1, max=50),
          Param("logGroupClass", str, enum=("STANDARD", "INFREQUENT_ACCESS", "DELIVERY",
                                            "ESSENTIALS")),
          Param("deletionProtectionEnabled", bool))
    check_tags(req.get("tags"))  # R-LOGS-API-43
    name = req["logGroupName"]
    if name.startswith("aws/"):
        raise AwsError(IPE, "Log group names can't start with the string aws/", "R-LOGS-27")
    arn = log_group_arn(ctx.region, ctx.account, name)
    if group(ctx.world, arn) is not None:
        raise AwsError("ResourceAlreadyExistsException",
                       "The specified log group already exists", "R-LOGS-65")
    if req.get("kmsKeyId"):
        check_key(ctx, req["kmsKeyId"], arn)
    check_fault(ctx, "logs:CreateLogGroup")
    if req.get("kmsKeyId") and ctx.setting("logs_create_window") == "window":  # R-LOGS-63
        record_delay(ctx)
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
    """The caller's log groups with retention and kmsKeyId (R-LOGS-42, R-LOGS-88)."""
    check(req, Param("logGroupNamePrefix", str, min=1, max=512, pattern=GROUP_NAME.pattern),
          Param("limit", int, min=1, max=50), Param("nextToken", str, min=1))
    prefix = req.get("logGroupNamePrefix", "")
    check_fault(ctx, "logs:DescribeLogGroups")
    out = []
    groups = logs_state(ctx.world).groups
    for g in sorted(groups.values(), key=lambda g: g.name):
        if g.account != ctx.account or g.region != ctx.region or not g.name.startswith(prefix):
            continue
        entry = {"logGroupName": g.name, "creationTime": g.created.t,
                 "metricFilterCount": len(metric_filters(ctx.world, g.arn)),  # R-LOGS-MF-01
                 "arn": f"{g.arn}:*", "logGroupArn": g.arn, "storedBytes": 0,
                 "logGroupClass": g.log_class}  # R-LOGS-API-52
        if g.retention_days is not None:
            entry["retentionInDays"] = g.retention_days
        assoc = ctx.world.associations.get(g.arn)
        if assoc is not None:
            shown = {"associating": assoc.pending, "associated": assoc.key}.get(assoc.state)
            if ctx.setting("logs_shown_key") == "effective" and assoc.state in (
                    "associating", "disassociating"):
                # the key in force until the window ends (R-LOGS-88)
                shown = next((k for k in assoc.before if k), None)
            if shown:  # at once under 'latest', as AWS shows it (R-LOGS-API-51)
                entry["kmsKeyId"] = shown
        out.append(entry)
    try:  # R-LOGS-43, R-LOGS-86
        shown, token = page(out, lambda e: e["logGroupName"], req.get("limit", 50),
                            req.get("nextToken"), "logs:DescribeLogGroups")
    except BadToken:
        raise AwsError(IPE, BAD_TOKEN, "R-LOGS-86") from None
    return {"logGroups": shown, **({"nextToken": token} if token else {})}


@operation("logs:PutRetentionPolicy")
def put_retention_policy(ctx: CallContext, req: dict) -> dict:
    """Events expire retentionInDays after ingestion, then are gone (R-LOGS-30, R-LOGS-83)."""
    # the model leaves retentionInDays open; the documented values are the service's
    check(req, GROUP_NAME_REQ, Param("retentionInDays", int, required=True, enum=RETENTION_DAYS))
    require_group(ctx, req["logGroupName"])
    check_fault(ctx, "logs:PutRetentionPolicy")
    return {}


@operation("logs:CreateLogStream")
def create_log_stream(ctx: CallContext, req: dict) -> dict:
    """Create a log stream in a log group; its name is unique there (R-LOGS-40, R-LOGS-65)."""
    check(req, GROUP_NAME_REQ, STREAM_NAME_REQ)
    g = require_group(ctx, req["logGroupName"])
    if req["logStreamName"] in g.streams:
        raise AwsError("ResourceAlreadyExistsException",
                       "The specified log stream already exists", "R-LOGS-65")
    check_fault(ctx, "logs:CreateLogStream")
    return {}

"""Shared CloudWatch Logs command-side checks: parameters, log groups, keys, faults, windows.

Error codes are CloudWatch Logs' own (``InvalidParameterException``, ...), each naming
the rule that decided it (``projections/rulebook/logs.py``).
"""

from __future__ import annotations

from events.timefmt import format_time
from projections.arns import KEY_ARN, LOG_GROUP_ARN, log_group_arn
from projections.logs.fold import LOGS_WINDOW
from projections.logs.model import (
    LogGroup,
    active_fault,
    group,
    kept_range,
    key_problem,
    linked,
)
from projections.model import Association, Key
from projections.windows import draw_delay
from sim.errors import AwsError
from sim.params import Param, validate
from sim.services.registry import CallContext

IPE = "InvalidParameterException"
#: The message of a nextToken the service did not issue (R-LOGS-55, R-LOGS-86).
BAD_TOKEN = "The specified nextToken is invalid."
RNF = "ResourceNotFoundException"
GROUP_NAME_PATTERN = r"[\.\-_/#A-Za-z0-9]+"
GROUP_NAME = Param("logGroupName", str, min=1, max=512, pattern=GROUP_NAME_PATTERN)
GROUP_NAME_REQ = Param("logGroupName", str, required=True, min=1, max=512,
                       pattern=GROUP_NAME_PATTERN)
STREAM_NAME_REQ = Param("logStreamName", str, required=True, min=1, max=512, pattern=r"[^:*]*")
KMS_KEY_ID = Param("kmsKeyId", str, max=256)
GROUP_IDENTIFIER_PATTERN = r"[\w#+=/:,.@-]*"
RESOURCE_ID = Param("resourceIdentifier", str, min=1, max=2048, pattern=r"[\w+=/:,.@\-\*]*")


def check(req: dict, *params: Param) -> None:
    """Logs parameter validation: InvalidParameterException (R-LOGS-19)."""
    validate(req, params, IPE, "R-LOGS-19")


#: The service's own words for a missing log group (R-LOGS-59) and stream (R-LOGS-39).
NO_GROUP = "The specified log group does not exist."
NO_STREAM = "The specified log stream does not exist."


def require_group(ctx: CallContext, name: str) -> LogGroup:
    """The caller's log group ``name``, or ResourceNotFoundException (R-LOGS-17, R-LOGS-59)."""
    g = group(ctx.world, log_group_arn(ctx.region, ctx.account, name))
    if g is None:
        raise AwsError(RNF, NO_GROUP, "R-LOGS-17")
    return g


def group_by_identifier(ctx: CallContext, ref: str, member: str) -> LogGroup:
    """The log group a ``logGroupIdentifier`` names: a name of the caller's, or an ARN of
    the caller's or of a source account linked to it (R-LOGS-56, R-LOGS-37)."""
    m = LOG_GROUP_ARN.fullmatch(ref)
    if m is None:
        if ":" in ref:  # no log group name holds a ':' (GROUP_NAME_PATTERN)
            raise AwsError(IPE, f"{member} {ref!r} is neither a log group name nor a log group "
                           f"ARN (arn:aws:logs:REGION:ACCOUNT_ID:log-group:NAME)", "R-LOGS-56")
        return require_group(ctx, ref)  # a name no group can have is not found either
    region, account, name = m.groups()
    if region != ctx.region or not (account == ctx.account
                                    or linked(ctx.world, ctx.account, account)):
        raise foreign_arn(ctx, NO_GROUP)
    g = group(ctx.world, log_group_arn(region, account, name))
    if g is None:
        raise AwsError(RNF, NO_GROUP, "R-LOGS-17")
    return g


def foreign_arn(ctx: CallContext, message: str) -> AwsError:
    """The error of a log group ARN the caller may not use (R-LOGS-81, A-LOGS-FOREIGN-ARN)."""
    code = IPE if ctx.setting("logs_foreign_arn") == "invalid" else RNF
    return AwsError(code, message, "R-LOGS-81")


def check_fault(ctx: CallContext, op: str) -> None:
    """Inside an injected fault window: ServiceUnavailableException, HTTP 500 (R-LOGS-79,
    R-LOGS-18)."""
    fault = active_fault(ctx.world, op, ctx.region, ctx.t)
    if fault is not None:
        raise AwsError("ServiceUnavailableException",
                       f"The service cannot complete the request (fault injected by event "
                       f"#{fault.seq} until {format_time(fault.end)})", "R-LOGS-79")


def check_key(ctx: CallContext, kms_key_id: str, resource_arn: str) -> Key:
    """The checks of a key given to a log group or the query-result resource, in SPEC 3.4's
    order: a key ARN (R-LOGS-20, R-LOGS-82), existing and Enabled (R-LOGS-15, R-LOGS-76,
    R-LOGS-77), the key policy lets the logs principal use it for this resource (R-LOGS-24),
    symmetric (R-LOGS-13, R-LOGS-75)."""
    if KEY_ARN.fullmatch(kms_key_id):
        key = ctx.world.key_by_arn(kms_key_id)
    elif ctx.setting("logs_key_ref") == "resolve":
        key = ctx.world.find_key(kms_key_id, ctx.account, ctx.region)
        if key is None:
            raise AwsError(IPE, f"Specified KMS key {kms_key_id} does not exist", "R-LOGS-82")
    else:
        raise AwsError(IPE, f"kmsKeyId must be the ARN of a KMS key "
                       f"(arn:aws:kms:REGION:ACCOUNT:key/ID), not {kms_key_id!r}", "R-LOGS-82")
    problem = key_problem(ctx.world, key, kms_key_id, resource_arn, region=ctx.region)
    if problem is not None and problem[0] == "missing":
        if key is None:
            raise AwsError(IPE, problem[1], "R-LOGS-15")
        raise AwsError(IPE, problem[1], "R-LOGS-77")  # Deleted, or another Region's
    assert key is not None
    if problem is not None and problem[0] == "state":
        if key.state == "Disabled":
            raise AwsError(IPE, problem[1], "R-LOGS-15")
        raise AwsError(IPE, problem[1], "R-LOGS-76")
    assert key is not None
    if problem is not None and ctx.setting("logs_policy") == "check":
        raise AwsError("AccessDeniedException",
                       f"The specified KMS key does not exist or is not allowed to be used "
                       f"with Arn '{resource_arn}'", "R-LOGS-24")
    if not key.symmetric and ctx.setting("logs_asymmetric") == "refuse":
        raise AwsError(IPE, f"{key.arn} is {key.spec} {key.usage}: CloudWatch Logs supports "
                       "only symmetric KMS keys", "R-LOGS-75")
    return key


def check_conflict(ctx: CallContext, assoc: Association | None) -> None:
    """A second change to one resource at the same instant (R-LOGS-78, R-LOGS-16)."""
    if assoc is not None and assoc.last_change == ctx.t:
        raise AwsError("OperationAbortedException",
                       f"Multiple concurrent requests to update {assoc.resource} were in "
                       f"conflict (event #{assoc.change_seq} changed it at this instant)",
                       "R-LOGS-78")


def record_delay(ctx: CallContext, window: int = LOGS_WINDOW) -> None:
    """Under ``random:SEED`` the change's delay is drawn here and recorded (A-PROPAGATION)."""
    d = draw_delay(ctx.setting("propagation"), window, ctx.seq)
    if d is not None:
        ctx.draws.record("delay", d)


def read_error(ctx: CallContext, message: str) -> AwsError:
    """The error of a read over data logs cannot decrypt (R-LOGS-34, A-LOGS-READ-ERROR)."""
    return AwsError(ctx.setting("logs_read_error"), message, "R-LOGS-34")


def event_req(ctx: CallContext, seq: int) -> dict:
    """The request of an earlier event (where log messages live); empty when unavailable."""
    event = ctx.event(seq)
    return event.req if event is not None else {}


def log_events_of(ctx: CallContext, seq: int, written_at: int
                  ) -> list[tuple[int, int, str]]:
    """``(index, timestamp, message)`` of the events a batch stored: the ones PutLogEvents
    did not reject (R-LOGS-46, R-LOGS-47); a missing timestamp is the call's time
    (R-LOGS-41). ``index`` is the event's place in its request."""
    event = ctx.event(seq)
    if event is None:
        return []
    log_events = event.req.get("logEvents", ())
    first, end = kept_range(event.res, len(log_events), ctx.setting("rejected_index"))
    out = []
    for i in range(first, end):
        e = log_events[i]
        ts = e.get("timestamp")
        out.append((i, written_at if ts is None else int(ts), str(e.get("message", ""))))
    return out

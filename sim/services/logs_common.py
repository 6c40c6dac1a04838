"""Shared CloudWatch Logs command-side checks: parameters, log groups, keys, faults, windows.

Error codes are CloudWatch Logs' own (``InvalidParameterException``, ...), each naming
the rule that decided it (``projections/rulebook/logs.py``).
"""

from __future__ import annotations

from events.timefmt import format_time
from projections.arns import KEY_ARN, log_group_arn
from projections.logs_fold import LOGS_WINDOW
from projections.logs_model import LogGroup, active_fault, group, key_problem
from projections.model import Association, Key
from projections.windows import draw_delay
from sim.errors import AwsError
from sim.params import Param, validate
from sim.services.registry import CallContext

IPE = "InvalidParameterException"
RNF = "ResourceNotFoundException"
GROUP_NAME_PATTERN = r"[\.\-_/#A-Za-z0-9]+"
GROUP_NAME = Param("logGroupName", str, min=1, max=512, pattern=GROUP_NAME_PATTERN)
GROUP_NAME_REQ = Param("logGroupName", str, required=True, min=1, max=512,
                       pattern=GROUP_NAME_PATTERN)
STREAM_NAME_REQ = Param("logStreamName", str, required=True, min=1, max=512, pattern=r"[^:*]*")
KMS_KEY_ID = Param("kmsKeyId", str, max=256)
RESOURCE_ID = Param("resourceIdentifier", str, min=1, max=2048, pattern=r"[\w+=/:,.@\-\*]*")


def check(req: dict, *params: Param) -> None:
    """Logs parameter validation: InvalidParameterException (R-LOGS-19)."""
    validate(req, params, IPE, "R-LOGS-19")


def require_group(ctx: CallContext, name: str) -> LogGroup:
    """The caller's log group ``name``, or ResourceNotFoundException (R-LOGS-17)."""
    g = group(ctx.world, log_group_arn(ctx.region, ctx.account, name))
    if g is None:
        raise AwsError(RNF, f"The specified log group does not exist: {name}", "R-LOGS-17")
    return g


def check_fault(ctx: CallContext, op: str) -> None:
    """Inside an injected fault window: ServiceUnavailableException, HTTP 500 (R-LOGS-18)."""
    fault = active_fault(ctx.world, op, ctx.region, ctx.t)
    if fault is not None:
        raise AwsError("ServiceUnavailableException",
                       f"The service cannot complete the request (fault injected by event "
                       f"#{fault['seq']} until {format_time(fault['end'])})", "R-LOGS-18",
                       status=500)


def check_key(ctx: CallContext, kms_key_id: str, resource_arn: str) -> Key:
    """The checks of a key given to a log group or the query-result resource, in SPEC 3.4's
    order: a key ARN (R-LOGS-20), existing and Enabled (R-LOGS-15), the key policy lets the
    logs principal use it for this resource (R-LOGS-24), symmetric (R-LOGS-13)."""
    if not KEY_ARN.fullmatch(kms_key_id):
        raise AwsError(IPE, f"kmsKeyId must be the ARN of a KMS key "
                       f"(arn:aws:kms:REGION:ACCOUNT:key/ID), not {kms_key_id!r}", "R-LOGS-20")
    key = ctx.world.key_by_arn(kms_key_id)
    problem = key_problem(ctx.world, key, kms_key_id, resource_arn, region=ctx.region)
    if problem is not None and problem[0] in ("missing", "state"):
        raise AwsError(IPE, problem[1], "R-LOGS-15")
    assert key is not None
    if problem is not None and ctx.setting("logs_policy") == "check":
        raise AwsError("AccessDeniedException",
                       f"The specified KMS key does not exist or is not allowed to be used "
                       f"with Arn '{resource_arn}'", "R-LOGS-24")
    if not key.symmetric and ctx.setting("logs_asymmetric") == "refuse":
        raise AwsError(IPE, f"{key.arn} is {key.spec} {key.usage}: CloudWatch Logs supports "
                       "only symmetric KMS keys", "R-LOGS-13")
    return key


def check_conflict(ctx: CallContext, assoc: Association | None) -> None:
    """A second change to one resource at the same instant (R-LOGS-16)."""
    if assoc is not None and assoc.last_change == ctx.t:
        raise AwsError("OperationAbortedException",
                       f"Multiple concurrent requests to update {assoc.resource} were in "
                       f"conflict (event #{assoc.change_seq} changed it at this instant)",
                       "R-LOGS-16")


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


def log_events_of(ctx: CallContext, seq: int, written_at: int) -> list[tuple[int, str]]:
    """``(timestamp, message)`` of a batch; a missing timestamp is the call's time (R-LOGS-41)."""
    out = []
    for e in event_req(ctx, seq).get("logEvents", ()):
        ts = e.get("timestamp")
        out.append((written_at if ts is None else int(ts), str(e.get("message", ""))))
    return out

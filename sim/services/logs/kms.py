"""logs:AssociateKmsKey and logs:DisassociateKmsKey (SPEC 3.4, seeds 002-004).

The checks run in SPEC 3.4's order and the first failure decides: exactly one target
(R-LOGS-02), lengths and patterns (R-LOGS-19), the target's form (R-LOGS-21), a log group
ARN of another partition (R-LOGS-70), Region or account (R-LOGS-81), a missing log group
(R-LOGS-17), the key (R-LOGS-20, R-LOGS-82, R-LOGS-15, R-LOGS-76, R-LOGS-77, R-LOGS-24,
R-LOGS-75), a same-instant conflict (R-LOGS-78), an injected fault (R-LOGS-79).
Success opens the 5-minute window (R-LOGS-14) through ``projections.windows.begin_change``
in the fold.
"""

from __future__ import annotations

from projections.arns import LOG_GROUP_ARN, PARTITION, QUERY_RESULT_ARN, query_result_arn
from sim.errors import AwsError
from sim.params import Param
from sim.services.logs.common import (
    GROUP_NAME,
    IPE,
    KMS_KEY_ID,
    RESOURCE_ID,
    RNF,
    check,
    check_conflict,
    check_fault,
    check_key,
    foreign_arn,
    record_delay,
    require_group,
)
from sim.services.registry import CallContext, operation

KMS_KEY_ID_REQ = Param("kmsKeyId", str, required=True, max=KMS_KEY_ID.max)


def _target(ctx: CallContext, req: dict, *extra: Param) -> str:
    """The resource ARN the request names, after the target and parameter checks."""
    if (req.get("logGroupName") is None) == (req.get("resourceIdentifier") is None):
        raise AwsError(IPE, "Specify either logGroupName or resourceIdentifier, but not both",
                       "R-LOGS-02")
    check(req, *extra, GROUP_NAME, RESOURCE_ID)
    if req.get("logGroupName") is not None:
        return require_group(ctx, req["logGroupName"]).arn
    rid = req["resourceIdentifier"]
    if QUERY_RESULT_ARN.fullmatch(rid):
        if rid != query_result_arn(ctx.region, ctx.account):
            raise AwsError(IPE, f"resourceIdentifier {rid} is not this account's query-result "
                           f"resource ({query_result_arn(ctx.region, ctx.account)})",
                           "R-LOGS-21")
        return rid
    m = LOG_GROUP_ARN.fullmatch(rid)
    if m is None:
        raise AwsError(IPE, f"resourceIdentifier must be arn:aws:logs:REGION:ACCOUNT_ID:"
                       f"query-result:* or a log group ARN, not {rid!r}", "R-LOGS-21")
    partition = rid.split(":", 2)[1]
    if partition != PARTITION:
        raise AwsError(RNF, f"The specified log group does not exist: {rid} (partition "
                       f"{partition}, not {PARTITION})", "R-LOGS-70")
    if (m.group(1), m.group(2)) != (ctx.region, ctx.account):
        raise foreign_arn(ctx, f"The specified log group does not exist: {rid}")
    return require_group(ctx, m.group(3)).arn


@operation("logs:AssociateKmsKey")
def associate_kms_key(ctx: CallContext, req: dict) -> dict:
    """Associate a key with a log group or the query-result resource (R-LOGS-01, R-LOGS-04)."""
    arn = _target(ctx, req, KMS_KEY_ID_REQ)
    check_key(ctx, req["kmsKeyId"], arn)
    check_conflict(ctx, ctx.world.associations.get(arn))
    check_fault(ctx, "logs:AssociateKmsKey")
    record_delay(ctx)
    return {}


@operation("logs:DisassociateKmsKey")
def disassociate_kms_key(ctx: CallContext, req: dict) -> dict:
    """New data goes back to the service-owned key; old data keeps its key (R-LOGS-25)."""
    arn = _target(ctx, req)
    assoc = ctx.world.associations.get(arn)
    if assoc is None or assoc.state in ("none", "disassociating"):
        if ctx.setting("logs_no_key") == "error":
            raise AwsError(RNF, f"No KMS key is associated with {arn}", "R-LOGS-26")
        check_fault(ctx, "logs:DisassociateKmsKey")
        return {}
    check_conflict(ctx, assoc)
    check_fault(ctx, "logs:DisassociateKmsKey")
    record_delay(ctx)
    return {}

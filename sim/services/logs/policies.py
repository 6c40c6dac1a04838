"""logs:PutResourcePolicy, logs:DescribeResourcePolicies, logs:DeleteResourcePolicy
(R-LOGS-POL-01..09).

A resource policy lets AWS services put log events into the account; kmsim keeps and lists
it and enforces nothing with it (R-LOGS-POL-09). Account-scoped policies are named; a
resource-scoped one (``resourceArn``, a log group ARN) has a revision id drawn per change
and guarded by ``expectedRevisionId`` (R-LOGS-POL-06).
"""

from __future__ import annotations

import json

from projections.arns import log_group_arn
from projections.logs.model import group
from projections.logs.policies import (
    ResourcePolicy,
    account_policies,
    canonical_group_arn,
    config_state,
    resource_policies,
    resource_policy,
)
from sim.errors import AwsError
from sim.params import Param
from sim.services.logs.common import BAD_TOKEN, IPE, NO_GROUP, RNF, check, check_fault
from sim.services.paging import BadToken, page
from sim.services.registry import CallContext, operation

#: R-LOGS-POL-02: account-scoped policies per account and Region.
MAX_ACCOUNT_POLICIES = 10
#: R-LOGS-POL-04: the documented size of a policy (the model's constraint is 51200).
MAX_POLICY_CHARS = 5120
DOCUMENT = Param("policyDocument", str, min=1, max=51200)
RESOURCE_ARN = Param("resourceArn", str)
REVISION = Param("expectedRevisionId", str, min=1)
SCOPE = Param("policyScope", str, enum=("ACCOUNT", "RESOURCE"))
ABORTED = "OperationAbortedException"


def _group_arn(ctx: CallContext, arn: str) -> str:
    """The caller's existing log group a ``resourceArn`` names (R-LOGS-POL-05)."""
    canonical = canonical_group_arn(arn)
    if canonical is None:
        raise AwsError(IPE, f"resourceArn {arn!r} is not a log group ARN "
                       "(arn:aws:logs:REGION:ACCOUNT_ID:log-group:NAME)", "R-LOGS-POL-05")
    if canonical != log_group_arn(ctx.region, ctx.account, canonical.split(":log-group:")[1]) \
            or group(ctx.world, canonical) is None:
        raise AwsError(RNF, NO_GROUP, "R-LOGS-POL-05")
    return canonical


def _revision(current: ResourcePolicy | None, expected: str | None) -> None:
    """expectedRevisionId must be the current revision (absent when there is none)."""
    have = current.revision_id if current is not None else None
    if expected != have:
        raise AwsError(ABORTED, "Multiple concurrent requests to update the same resource "
                       f"were in conflict: expectedRevisionId {expected!r} is not the current "
                       f"revision {have!r}", "R-LOGS-POL-06")


def _shown(p: ResourcePolicy) -> dict:
    out = {"policyName": p.name, "policyDocument": p.document, "lastUpdatedTime": p.updated,
           "policyScope": "RESOURCE" if p.resource_arn else "ACCOUNT"}
    if p.resource_arn:
        out["resourceArn"] = p.resource_arn
        out["revisionId"] = p.revision_id
    return out


@operation("logs:PutResourcePolicy")
def put_resource_policy(ctx: CallContext, req: dict) -> dict:
    """Create or update a resource policy (R-LOGS-POL-01..06)."""
    check(req, Param("policyName", str), DOCUMENT, RESOURCE_ARN, REVISION)
    # the model marks neither required; the documentation says both are (R-LOGS-POL-03)
    if not req.get("policyName") or req.get("policyDocument") is None:
        raise AwsError(IPE, "policyName and policyDocument are required", "R-LOGS-POL-03")
    text = req["policyDocument"]
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise AwsError(IPE, "policyDocument is not a JSON object", "R-LOGS-POL-03")
    if len(text) > MAX_POLICY_CHARS and ctx.setting("logs_pol_size") != "model":
        code = "LimitExceededException" if ctx.setting("logs_pol_size") == "limit-exceeded" \
            else IPE
        raise AwsError(code, f"policyDocument is {len(text)} characters; a resource policy "
                       f"holds at most {MAX_POLICY_CHARS}", "R-LOGS-POL-04")
    now = {"policyName": req["policyName"], "policyDocument": text, "lastUpdatedTime": ctx.t}
    if req.get("resourceArn"):
        arn = _group_arn(ctx, req["resourceArn"])
        _revision(resource_policy(ctx.world, arn), req.get("expectedRevisionId"))
        check_fault(ctx, "logs:PutResourcePolicy")
        revision = ctx.draws.uuid("revisionId")
        return {"resourcePolicy": {**now, "policyScope": "RESOURCE", "resourceArn": arn,
                                   "revisionId": revision}, "revisionId": revision}
    known = {p.name for p in account_policies(ctx.world, ctx.account, ctx.region)}
    if req["policyName"] not in known and len(known) >= MAX_ACCOUNT_POLICIES:
        raise AwsError("LimitExceededException", "You have reached the maximum number of "
                       f"resource policies ({MAX_ACCOUNT_POLICIES}) in {ctx.region}",
                       "R-LOGS-POL-02")
    check_fault(ctx, "logs:PutResourcePolicy")
    return {"resourcePolicy": {**now, "policyScope": "ACCOUNT"}}


@operation("logs:DescribeResourcePolicies")
def describe_resource_policies(ctx: CallContext, req: dict) -> dict:
    """The account's resource policies of one scope, a page at a time (R-LOGS-POL-07)."""
    check(req, Param("nextToken", str, min=1), Param("limit", int, min=1, max=50),
          RESOURCE_ARN, SCOPE)
    check_fault(ctx, "logs:DescribeResourcePolicies")
    if req.get("resourceArn"):
        p = resource_policy(ctx.world, _group_arn(ctx, req["resourceArn"]))
        found = [p] if p is not None else []
    elif req.get("policyScope") == "RESOURCE":
        found = resource_policies(ctx.world, ctx.account, ctx.region)
    else:
        found = account_policies(ctx.world, ctx.account, ctx.region)
    shown = [_shown(p) for p in found]
    try:
        head, token = page(shown, lambda p: p.get("resourceArn", p["policyName"]),
                           req.get("limit", 50), req.get("nextToken"),
                           "logs:DescribeResourcePolicies")
    except BadToken:
        raise AwsError(IPE, BAD_TOKEN, "R-LOGS-POL-07") from None
    return {"resourcePolicies": head, **({"nextToken": token} if token else {})}


@operation("logs:DeleteResourcePolicy")
def delete_resource_policy(ctx: CallContext, req: dict) -> dict:
    """Delete a resource policy; one that does not exist is ResourceNotFoundException
    (R-LOGS-POL-08)."""
    check(req, Param("policyName", str), RESOURCE_ARN, REVISION)
    if req.get("resourceArn"):
        arn = _group_arn(ctx, req["resourceArn"])
        current = resource_policy(ctx.world, arn)
        if current is None:
            raise AwsError(RNF, f"No resource policy is attached to {arn}", "R-LOGS-POL-08")
        _revision(current, req.get("expectedRevisionId"))
    else:
        if not req.get("policyName"):
            raise AwsError(IPE, "policyName is required", "R-LOGS-POL-03")
        key = (ctx.account, ctx.region, req["policyName"])
        if key not in config_state(ctx.world).account_policies:
            raise AwsError(RNF, f"Policy with name [{req['policyName']}] does not exist",
                           "R-LOGS-POL-08")
    check_fault(ctx, "logs:DeleteResourcePolicy")
    return {}

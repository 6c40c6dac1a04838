"""The simulator's own operations (service ``sim``): principals, labels, key availability."""

from __future__ import annotations

from projections.arns import IAM_ARN
from projections.policy import PolicyError, parse_policy
from sim.errors import AwsError
from sim.params import Param, validate
from sim.services import CallContext, operation
from sim.services.kms_common import require_transition, resolve


def _check(req: dict, *params: Param) -> None:
    validate(req, params, "ValidationException", "R-SIM-04")


@operation("sim:PutPrincipal")
def put_principal(ctx: CallContext, req: dict) -> dict:
    """Declare a principal: Name, Arn (IAM ARN) and identity Policies (R-SIM-01)."""
    _check(req, Param("Name", str, required=True, min=1), Param("Arn", str, required=True),
           Param("Policies", list))
    if not IAM_ARN.fullmatch(req["Arn"]):
        raise AwsError("ValidationException",
                       f"{req['Arn']!r} is not an IAM ARN (arn:aws:iam::ACCOUNT:role/NAME, "
                       "...:user/NAME or ...:root)", "R-SIM-01")
    for text in req.get("Policies", []):
        try:
            parse_policy(text)
        except PolicyError as exc:
            raise AwsError("MalformedPolicyDocumentException", str(exc), "R-SIM-01") from None
    return {}


@operation("sim:Label")
def label(ctx: CallContext, req: dict) -> dict:
    """Name the data item event ``Event`` wrote (R-SIM-02)."""
    _check(req, Param("Label", str, required=True, min=1), Param("Event", int, required=True))
    return {}


@operation("sim:SetKeyUnavailable")
def set_key_unavailable(ctx: CallContext, req: dict) -> dict:
    """Enabled or Disabled -> Unavailable: a disconnected custom key store (R-KMS-11)."""
    _check(req, Param("KeyId", str, required=True, min=1))
    key = resolve(ctx, req["KeyId"])
    require_transition(key, "set_unavailable", "sim:SetKeyUnavailable")
    return {}


@operation("sim:SetKeyAvailable")
def set_key_available(ctx: CallContext, req: dict) -> dict:
    """Unavailable -> the state before it (R-KMS-11)."""
    _check(req, Param("KeyId", str, required=True, min=1))
    key = resolve(ctx, req["KeyId"])
    require_transition(key, "set_available", "sim:SetKeyAvailable")
    return {}

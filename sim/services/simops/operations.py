"""The simulator's own operations (service ``sim``): principals, labels, key availability."""

from __future__ import annotations

import functools
from collections.abc import Callable

from projections.arns import IAM_ARN
from projections.iam.policy import PolicyError, parse_policy
from sim.errors import AwsError
from sim.params import Param, validate
from sim.services.kms.common import require_transition, resolve
from sim.services.registry import CallContext, Handler, operation


def checked(*params: Param) -> Callable[[Handler], Handler]:
    """Declare a ``sim:*`` handler's parameters: the request is validated against them
    before the handler runs (ValidationException, R-SIM-04), and ``handler.params`` holds
    them for what else needs the names (scenario files check argument names with them)."""

    def wrap(fn: Handler) -> Handler:
        @functools.wraps(fn)
        def handler(ctx: CallContext, req: dict) -> dict:
            validate(req, params, "ValidationException", "R-SIM-04")
            return fn(ctx, req)

        handler.params = params  # type: ignore[attr-defined]
        return handler

    return wrap


@operation("sim:PutPrincipal")
@checked(Param("Name", str, required=True, min=1), Param("Arn", str, required=True),
         Param("Policies", list))
def put_principal(ctx: CallContext, req: dict) -> dict:
    """Declare a principal: Name, Arn (IAM ARN, R-SIM-01) and identity Policies (R-SIM-05)."""
    if not IAM_ARN.fullmatch(req["Arn"]):
        raise AwsError("ValidationException",
                       f"{req['Arn']!r} is not an IAM ARN (arn:aws:iam::ACCOUNT:role/NAME, "
                       "...:user/NAME or ...:root)", "R-SIM-01")
    for text in req.get("Policies", []):
        try:
            parse_policy(text)
        except PolicyError as exc:
            raise AwsError("MalformedPolicyDocumentException", str(exc), "R-SIM-05") from None
    return {}


@operation("sim:Label")
@checked(Param("Label", str, required=True, min=1), Param("Event", int, required=True))
def label(ctx: CallContext, req: dict) -> dict:
    """Name the data item event ``Event`` wrote (R-SIM-02)."""
    return {}


@operation("sim:SaveVariables")
@checked(Param("Variables", dict, required=True, min=1))
def save_variables(ctx: CallContext, req: dict) -> dict:
    """Record values a scenario saved, name -> value, so that the log names them as the
    scenario did (R-SIM-06, A-SAVED-VALUES)."""
    for name in req["Variables"]:
        if not isinstance(name, str) or not name:
            raise AwsError("ValidationException", f"Variables: {name!r} is not a name (a "
                           "non-empty string)", "R-SIM-04")
    return {}


@operation("sim:SetKeyUnavailable")
@checked(Param("KeyId", str, required=True, min=1))
def set_key_unavailable(ctx: CallContext, req: dict) -> dict:
    """Enabled or Disabled -> Unavailable: a disconnected custom key store (R-KMS-11)."""
    key = resolve(ctx, req["KeyId"])
    require_transition(key, "set_unavailable", "sim:SetKeyUnavailable")
    return {}


@operation("sim:SetKeyAvailable")
@checked(Param("KeyId", str, required=True, min=1))
def set_key_available(ctx: CallContext, req: dict) -> dict:
    """Unavailable -> the state before it (R-KMS-11)."""
    key = resolve(ctx, req["KeyId"])
    require_transition(key, "set_available", "sim:SetKeyAvailable")
    return {}

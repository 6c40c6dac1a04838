"""The operations of botocore's service models for the services kmsim serves, and the answer
to one of them that no handler implements (R-SRV-OOS-01, A-OOS-ANSWER).

Apart from :mod:`sim.services.registry` (which asks :func:`is_modeled` when a lookup finds
no handler) and from :mod:`sim.services.coverage` (which compares the two): it imports only
botocore and the error type, so nothing imports back.
"""

from __future__ import annotations

import functools
from typing import Any

from botocore.loaders import Loader

from sim.errors import AwsError

#: kmsim's service name -> botocore's model name.
MODELS = {"kms": "kms", "logs": "logs", "cloudwatch": "cloudwatch"}
#: What each service is called in a message.
TITLES = {"kms": "AWS KMS", "logs": "Amazon CloudWatch Logs", "cloudwatch": "Amazon CloudWatch"}


@functools.cache
def modeled_operations(service: str) -> frozenset[str]:
    """The operation names of the service's botocore model (empty for another service)."""
    model = MODELS.get(service)
    if model is None:
        return frozenset()
    return frozenset(Loader().load_service_model(model, "service-2")["operations"])


def is_modeled(op: str) -> bool:
    """Whether ``service:Operation`` is an operation of its service's botocore model."""
    service, _, name = op.partition(":")
    return name in modeled_operations(service)


def not_simulated(op: str) -> Any:
    """The handler of a modeled operation kmsim does not simulate: it refuses every call,
    with the code A-OOS-ANSWER gives and a message naming the operation (R-SRV-OOS-01)."""
    service = op.partition(":")[0]

    def refuse(ctx: Any, req: dict) -> dict:
        code = ("AccessDeniedException" if ctx.setting("oos_answer") == "access-denied"
                else "UnknownOperationException")
        raise AwsError(code, f"kmsim does not simulate {op}: it is an operation of "
                       f"{TITLES.get(service, service)} that kmsim answers with this error "
                       "(see kmsim rules: R-SRV-OOS-01)", "R-SRV-OOS-01")

    refuse.__doc__ = f"{op}: not simulated (R-SRV-OOS-01)."
    return refuse

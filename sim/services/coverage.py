"""What kmsim simulates of each service it serves: the registered handlers against the
operations of botocore's service models (R-SRV-OOS-01 answers the rest)."""

from __future__ import annotations

from sim.services.modeled import MODELS, modeled_operations
from sim.services.registry import known_operations


def coverage() -> dict[str, tuple[list[str], list[str]]]:
    """Per service (``kms``, ``logs``, ``cloudwatch``): the operation names kmsim implements
    and those of the service's model that it does not, each sorted. An implemented name the
    model lacks is listed too (tests/test_out_of_scope.py insists there is none)."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    for service in MODELS:
        modeled = modeled_operations(service)
        implemented = sorted(op.split(":", 1)[1] for op in known_operations()
                             if op.split(":", 1)[0] == service)
        out[service] = (implemented, sorted(modeled - set(implemented)))
    return out


def table() -> str:
    """The per-service table of coverage() as Markdown (the README's)."""
    rows = ["| service | simulated | not simulated (UnknownOperationException) |",
            "|---|---|---|"]
    for service, (done, missing) in coverage().items():
        rows.append(f"| {service} | {len(done)} | {len(missing)} |")
    return "\n".join(rows)

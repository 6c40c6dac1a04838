"""``kmsim ops``: what kmsim simulates of each service, against botocore's service models
(:func:`sim.services.coverage.coverage`); every other operation of those models answers
R-SRV-OOS-01's error."""

from __future__ import annotations

import argparse
import json

from sim import console
from sim.services.coverage import coverage


def register(sub: argparse._SubParsersAction) -> None:
    """Add the verb."""
    p = sub.add_parser("ops", help="list the operations kmsim simulates, per service",
                       description="Per service (kms, logs, cloudwatch): the operations of "
                       "botocore's model that kmsim simulates and those it does not (they "
                       "answer UnknownOperationException naming themselves, R-SRV-OOS-01).")
    p.add_argument("--service", choices=("kms", "logs", "cloudwatch"),
                   help="only this service")
    p.add_argument("--missing", action="store_true",
                   help="list the operations kmsim does not simulate")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the coverage table (and, with --missing or --service, the operation names)."""
    found = {s: v for s, v in coverage().items() if args.service in (None, s)}
    if args.json:
        print(json.dumps({s: {"simulated": done, "not_simulated": missing}
                          for s, (done, missing) in found.items()}, indent=2))
        return 0
    console.table(["service", "simulated", "not simulated", "of the model"],
                  [(s, len(done), len(missing), len(done) + len(missing))
                   for s, (done, missing) in found.items()])
    if args.service or args.missing:
        for s, (done, missing) in found.items():
            names = missing if args.missing else done
            label = "not simulated" if args.missing else "simulated"
            print()
            print(f"{s} ({label}): {', '.join(names) if names else '-'}")
    return 0

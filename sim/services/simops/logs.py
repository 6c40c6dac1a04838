"""The simulator's CloudWatch Logs operations: injected faults and cross-account links.

Both are events like any other; their folds (``projections/logs/fold.py``) put them in
the world, so a replay or a time-travel answer sees exactly the same faults and links.
"""

from __future__ import annotations

from events.timefmt import TimeSyntaxError, parse_duration
from projections.arns import ACCOUNT
from sim.errors import AwsError
from sim.params import Param
from sim.services.registry import CallContext, known_operations, operation
from sim.services.simops.operations import checked


@operation("sim:InjectFault")
@checked(Param("Operation", str, required=True, min=1),
         Param("Duration", str, required=True, min=1))
def inject_fault(ctx: CallContext, req: dict) -> dict:
    """Answer ServiceUnavailableException to ``Operation`` (a logs operation or ``*``) for
    ``Duration`` from now, in this region (R-LOGS-38, R-LOGS-79)."""
    op = req["Operation"]
    logs_ops = [o for o in known_operations() if o.startswith("logs:")]
    if op != "*" and op not in logs_ops:
        raise AwsError("ValidationException",
                       f"Operation must be '*' or one of {', '.join(logs_ops)}, not {op!r}",
                       "R-LOGS-38")
    try:
        duration = parse_duration(req["Duration"])
    except (TimeSyntaxError, ValueError) as exc:
        raise AwsError("ValidationException", f"Duration: {exc}", "R-LOGS-38") from None
    if duration <= 0:
        raise AwsError("ValidationException", "Duration must be positive", "R-LOGS-38")
    return {}


@operation("sim:Link")
@checked(Param("MonitoringAccount", str, required=True),
         Param("SourceAccount", str, required=True))
def link(ctx: CallContext, req: dict) -> dict:
    """Link SourceAccount's logs to MonitoringAccount (cross-account observability,
    R-LOGS-80, R-LOGS-38)."""
    mon, src = req["MonitoringAccount"], req["SourceAccount"]
    for name, value in (("MonitoringAccount", mon), ("SourceAccount", src)):
        if not ACCOUNT.fullmatch(value):
            raise AwsError("ValidationException", f"{name} must be a 12-digit account id",
                           "R-LOGS-38")
    if mon == src:
        raise AwsError("ValidationException", "an account cannot link to itself", "R-LOGS-38")
    return {}

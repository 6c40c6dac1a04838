"""What a KMS call decides from its request, in one function each.

The handler calls it to answer (and to refuse), the fold calls it to apply the event, so
the two can never decide differently. Why not record the result in the event instead:
an event is exactly SPEC 6's ten keys (a contract) and its ``res`` is AWS's response; and
a replay must recompute every decision anyway, to check that the rules still give the
recorded outcome. The fold runs on the same world the handler saw (events fold in order),
so the same function over the same inputs gives the same answer.
"""

from __future__ import annotations

from events.timefmt import DAY, parse_aws_timestamp

#: ScheduleKeyDeletion's waiting period when the request names none (R-KMS-49).
DEFAULT_PENDING_WINDOW_DAYS = 30


def pending_window_days(req: dict) -> int:
    """The waiting period a ScheduleKeyDeletion request asks for, in days (R-KMS-49)."""
    return int(req.get("PendingWindowInDays", DEFAULT_PENDING_WINDOW_DAYS))


def deletion_date(t: int, req: dict) -> int:
    """When a key scheduled for deletion at ``t`` is deleted (R-KMS-07), in ms."""
    return t + pending_window_days(req) * DAY


def material_expires(req: dict) -> bool:
    """Whether ImportKeyMaterial's material expires (ExpirationModel, default
    KEY_MATERIAL_EXPIRES)."""
    return req.get("ExpirationModel", "KEY_MATERIAL_EXPIRES") == "KEY_MATERIAL_EXPIRES"


def material_valid_to(req: dict) -> int | None:
    """When imported material expires, in ms (None: it does not); ValueError for a ValidTo
    that is not a time stamp."""
    valid_to = parse_aws_timestamp(req.get("ValidTo"))
    return valid_to if material_expires(req) else None

"""Time and duration syntax shared by every interface (SPEC 4, a contract).

Time is integer milliseconds since the Unix epoch, UTC. Durations are written
``250ms``, ``90s``, ``5m``, ``3h``, ``7d`` or sums such as ``1h30m``. Absolute
times are RFC 3339 in UTC (``2026-01-01T00:05:00Z``). Parsing is pure: nothing
here reads a clock.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

MS = 1
SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
#: The last moment RFC 3339 can write (9999-12-31T23:59:59.999Z); no time or duration
#: goes beyond it, so every time can be formatted and stored in the log (msgpack int64).
MAX_TIME = 253_402_300_799_999
#: The first moment of simulated time: the Unix epoch (AWS takes no earlier timestamps).
MIN_TIME = 0
#: The range of simulated time, in ms since the epoch (the one statement of it).
TIME_RANGE = (MIN_TIME, MAX_TIME)

_UNITS = {"ms": MS, "s": SECOND, "m": MINUTE, "h": HOUR, "d": DAY}
_PART = re.compile(r"(\d+)(ms|s|m|h|d)", re.ASCII)
_DURATION = re.compile(r"(?:\d+(?:ms|s|m|h|d))+", re.ASCII)
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})",
    re.ASCII,
)


class TimeSyntaxError(ValueError):
    """A duration or time that does not follow the SPEC 4 syntax; the message has a hint."""


def parse_duration(text: str) -> int:
    """Return the duration ``text`` (``5m``, ``1h30m``, ``250ms``) in milliseconds."""
    s = str(text).strip()
    if not s or not _DURATION.fullmatch(s):
        raise TimeSyntaxError(
            f"bad duration {text!r}: write a number and a unit (ms, s, m, h, d), "
            "or a sum such as 1h30m"
        )
    ms = sum(int(n) * _UNITS[u] for n, u in _PART.findall(s))
    if ms > MAX_TIME:
        raise TimeSyntaxError(f"bad duration {text!r}: longer than the calendar goes "
                              "(times end at 9999-12-31T23:59:59Z)")
    return ms


def format_duration(ms: int) -> str:
    """Format milliseconds in the largest units that add up exactly (``90000`` -> ``1m30s``)."""
    if ms == 0:
        return "0s"
    sign = "-" if ms < 0 else ""
    rest = abs(ms)
    parts = []
    for unit in ("d", "h", "m", "s", "ms"):
        size = _UNITS[unit]
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return sign + "".join(parts)


def parse_rfc3339(text: str) -> int:
    """Return the RFC 3339 time ``text`` as milliseconds since the epoch."""
    m = _RFC3339.fullmatch(str(text).strip())
    if not m:
        raise TimeSyntaxError(
            f"bad time {text!r}: write RFC 3339 UTC such as 2026-01-01T00:05:00Z"
        )
    y, mo, d, h, mi, s, frac, tz = m.groups()
    try:
        dt = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=UTC)
    except ValueError as exc:
        raise TimeSyntaxError(f"bad time {text!r}: {exc}") from None
    ms = int(dt.timestamp()) * 1000
    if frac:
        ms += int((frac[1:] + "000")[:3])
    if tz not in ("Z", "z"):
        sign = 1 if tz[0] == "+" else -1
        ms -= sign * (int(tz[1:3]) * HOUR + int(tz[4:6]) * MINUTE)
    return ms


def format_time(ms: int) -> str:
    """Format milliseconds since the epoch as RFC 3339 UTC (milliseconds only when non-zero)."""
    dt = datetime.fromtimestamp(ms // 1000, tz=UTC)
    base = dt.strftime("%Y-%m-%dT%H:%M:%S")
    frac = ms % 1000
    return f"{base}.{frac:03d}Z" if frac else f"{base}Z"


def format_offset(ms: int, start: int) -> str:
    """Format ``ms`` as an offset from ``start`` (``+5m``), the way scenarios write times."""
    delta = ms - start
    return ("+" if delta >= 0 else "-") + format_duration(abs(delta))


def parse_aws_timestamp(value: object) -> int | None:
    """An AWS request timestamp as ms: epoch seconds (as boto3 sends them) or RFC 3339;
    None when absent. Raises TimeSyntaxError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise TimeSyntaxError("a timestamp must be a time, not a boolean")
    if isinstance(value, int | float):
        # NaN, infinities and 1e308 are not times, and would overflow every integer
        # field they reach: epoch seconds must fall in simulated time.
        check_time(value * 1000, f"timestamp {value!r}")
        return int(value * 1000)
    return parse_rfc3339(str(value))


def check_time(t: float, what: str = "time") -> None:
    """Raise :class:`TimeSyntaxError`, naming ``what``, unless ``t`` (ms) is inside
    :data:`TIME_RANGE` (NaN is not)."""
    if MIN_TIME <= t <= MAX_TIME:
        return
    side = "before" if t < MIN_TIME else "after"
    raise TimeSyntaxError(f"{what} is {side} the range of simulated time, "
                          f"{format_time(MIN_TIME)} to {format_time(MAX_TIME)}")

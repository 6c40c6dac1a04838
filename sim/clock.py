"""Time resolution, and the only place kmsim may read the wall clock.

Simulated time is the world's ``now`` (``Simulator.now``; the server's is in
:mod:`sim.server.clock`). The wall clock is read only through :func:`wall_now_ms`, which
``kmsim serve --clock wall`` uses on request, and which ``--verify-signatures`` uses to
check a request's signing time (AWS compares it with real time, whatever the simulated
clock says).
"""

from __future__ import annotations

import time

from events.timefmt import MAX_TIME, TimeSyntaxError, parse_duration, parse_rfc3339


def wall_now_ms() -> int:
    """Read the wall clock (milliseconds since the epoch): for ``--clock wall`` and the
    signing-time check of ``--verify-signatures`` only."""
    return time.time_ns() // 1_000_000


def parse_when(text: str | int, start: int, event_times: list[int] | None = None) -> int:
    """Resolve a scenario or CLI time: RFC 3339, ``+OFFSET`` from ``start``, or ``#N``.

    ``#N`` means just after event number N: its time (events at the same time keep
    their order, so "after" is the event's position, resolved by the caller).
    """
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    s = str(text).strip()
    if s.startswith("+"):
        t = start + parse_duration(s[1:])
        if t > MAX_TIME:
            raise TimeSyntaxError(f"bad time {text!r}: after 9999-12-31T23:59:59Z")
        return t
    if s.startswith("#"):
        if not (s[1:].isascii() and s[1:].isdigit()):
            raise TimeSyntaxError(f"bad event reference {text!r}: write #N with N an event number")
        n = int(s[1:])
        if event_times is None or not (0 < n <= len(event_times)):
            raise TimeSyntaxError(f"no event #{n} in this timeline")
        return event_times[n - 1]
    if s[:1].isascii() and s[:1].isdigit():
        return parse_rfc3339(s)
    raise TimeSyntaxError(
        f"bad time {text!r}: write RFC 3339 UTC (2026-01-01T00:05:00Z), +OFFSET (+5m) or #N"
    )

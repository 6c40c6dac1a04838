"""The moments of a ``kmsim timeline`` page: which ones it answers at, and how each is named.

A moment is ``(t, n)``: every event up to number ``n`` folded and every timer due at or
before ``t`` fired (a ``#N`` cursor stops at event N even when more events share its
time). A small log gets a moment at every event time, window boundary and timer; a big one
every change (sampled evenly past half the room) and evenly spaced event times, the room
shrinking with the groups of items to answer (``ANSWER_BUDGET``). ``--at`` is always a
moment of its own, and every moment says where it falls among the events.
"""

from __future__ import annotations

from events.timefmt import format_duration
from projections.names import time_name
from projections.timetravel.timeline import Timeline
from projections.world import World

#: Moments the slider moves through, at most (``--at`` and the end are always among them).
MAX_MOMENTS = 400
#: Group answers a page may compute (groups x moments; one costs about 0.1 ms): a log
#: with many groups of items gets fewer moments, never fewer than ``MIN_MOMENTS``.
ANSWER_BUDGET = 12_000
MIN_MOMENTS = 80


def normal(tl: Timeline, t: int, n: int | None = None) -> tuple[int, int]:
    """A moment as ``(t, n)``: ``n`` is the events at or before ``t`` unless a cursor
    (``#N``, ``start``) stops earlier."""
    count = tl.count_at(t)
    return (t, count if n is None else min(n, count))


def choose_moments(tl: Timeline, changes: list[int], dues: list[int],
                   at: tuple[int, int] | None, groups: int) -> list[tuple[int, int]]:
    """The moments of the page: the start, the end, the timers after it and ``at``; the
    changes (evenly sampled past half the room); then event times (all, or evenly
    spaced). The room shrinks with the number of groups (``ANSWER_BUDGET``)."""
    times = tl.times
    cap = max(MIN_MOMENTS, min(MAX_MOMENTS, ANSWER_BUDGET // max(1, groups)))
    last = max([tl.end, *dues])
    out = {normal(tl, tl.start), normal(tl, tl.end)}
    out |= {normal(tl, t) for t in dues}
    if at is not None:
        out.add(at)
    picked = sorted({t for t in changes if t <= last})
    room = cap // 2
    if len(picked) > room:
        picked = [picked[round(i * (len(picked) - 1) / (room - 1))] for i in range(room)]
    out |= {normal(tl, t) for t in picked}
    room = cap - len(out)
    distinct = len(times) if len(times) > 4 * cap else len(set(times))
    if distinct <= room:
        out |= {normal(tl, t) for t in times}
    elif room > 1:
        out |= {normal(tl, times[round(i * (len(times) - 1) / (room - 1))])
                for i in range(room)}
    return sorted(out)


def describe(t: int, n: int, times, start: int, style: str = "offset") -> str:
    """Where moment ``(t, n)`` falls among the events: ``+1h (between #712 and #713)``,
    the time as the scenario wrote times (``style``: :func:`projections.names.time_name`)."""
    off = time_name(t, start, style)
    total = len(times)
    if total == 0:
        return f"{off} (no events)"
    if n == 0:
        return f"{off} (before #1)"
    if times[n - 1] == t:
        if n < total and times[n] == t:
            return f"{off} (just after #{n}; #{n + 1} at the same instant not yet)"
        return f"{off} (at #{n})"
    if n < total:
        return f"{off} (between #{n} and #{n + 1})"
    return f"{off} (after #{n}, the last event, {format_duration(t - times[-1])} later)"


def world_at(tl: Timeline, t: int, n: int) -> World:
    """The world at moment ``(t, n)`` (``n`` below the events at ``t``: a ``#N`` cursor)."""
    if n < tl.count_at(t):
        return tl.world_at(t, through_seq=n)
    return tl.world_at(t)

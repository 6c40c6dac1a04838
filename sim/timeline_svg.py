"""The drawing of ``kmsim timeline``: the time axis and the SVG of each lane.

Nothing here asks the world anything: it draws histories and counts that
:mod:`sim.timeline_html` collected. A lane stays a bounded amount of markup whatever
the size of the log: key and association changes are drawn exactly as long as each is
wider than a pixel, and merged into one striped "many changes" band where they are not;
more than a few hundred data items or a thousand event instants become density buckets
(a bar per few pixels, its count in the tooltip).
"""

from __future__ import annotations

import bisect
import html
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from events.timefmt import MINUTE, format_duration, format_offset, format_time
from projections.names import time_name

LEFT, WIDTH, RIGHT = 190, 1360, 24       # label column, total width, right margin (px)
EVENT_LANE, KEY_LANE, RES_LANE, GAP = 30, 30, 44, 26
#: Width of a density bucket (px).
BUCKET_PX = 4
#: Bands narrower than this (px) are merged with their neighbours.
MIN_BAND_PX = 1.5


def esc(text: object) -> str:
    """``text`` escaped for HTML text and attribute values."""
    return html.escape(str(text), quote=True)


@dataclass
class Axis:
    """Time to x, with long idle gaps folded into a short break so that minutes-apart
    events and a deletion 7 days later both stay readable."""

    points: list[int]
    xs: list[float]
    breaks: list[tuple[int, int]]

    @classmethod
    def build(cls, times: Sequence[int], start: int) -> Axis:
        """An axis through every time of interest (from ``start``)."""
        pts = sorted({start, *times})
        gaps = [b - a for a, b in itertools.pairwise(pts)]
        positive = sorted(g for g in gaps if g > 0) or [MINUTE]
        median = positive[len(positive) // 2]
        cap = max(10 * median, 15 * MINUTE)  # fold only gaps far longer than the rhythm
        fold = min(cap, 2 * median)
        pts.append(pts[-1] + median)  # a little room after the last moment
        gaps.append(median)
        span, breaks, acc = [0.0], [], 0.0
        for (a, b), g in zip(itertools.pairwise(pts), gaps, strict=True):
            if g > cap:
                breaks.append((a, b))
            acc += fold if g > cap else g
            span.append(acc)
        scale = (WIDTH - LEFT - RIGHT) / (acc or 1)
        return cls(pts, [LEFT + s * scale for s in span], breaks)

    def x(self, t: int) -> float:
        """The x of a moment (linear inside each segment, clamped to the axis)."""
        return _piecewise(self.points, self.xs, t)

    def t_at(self, x: float) -> int:
        """The time at ``x`` (the inverse of :meth:`x` inside the axis)."""
        return round(_piecewise(self.xs, self.points, x))

    def bucket_edges(self) -> list[int]:
        """The start time of each density bucket, left to right."""
        return [self.t_at(x) for x in range(LEFT, WIDTH - RIGHT, BUCKET_PX)]

    @property
    def end(self) -> int:
        """The last time on the axis."""
        return self.points[-1]


def thin(times: Sequence[int], start: int, end: int, resolution: int = 20_000) -> list[int]:
    """Event times with at most about ``resolution`` of them per span: enough for the
    axis to see every idle gap longer than span / resolution, without a point per event."""
    step = max(1, (end - start) // resolution)
    out: list[int] = []
    last = None
    for t in times:
        if last is None or t - last >= step:
            out.append(t)
            last = t
    if times and out[-1] != times[-1]:
        out.append(times[-1])
    return out


def lane_label(y: int, h: int, text: str, tip: str) -> str:
    """A lane's background and its label."""
    return (f'<rect class="lane" x="{LEFT}" y="{y}" width="{WIDTH - LEFT - RIGHT}" '
            f'height="{h}"/><text class="lane-label" x="{LEFT - 10}" y="{y + h / 2 + 4}" '
            f'data-tip="{esc(tip)}">{esc(text if len(text) <= 22 else text[:21] + "…")}</text>')


def band(axis: Axis, t1: int, t2: int, y: float, h: float, cls: str, text: str,
         tip: str) -> str:
    """A state band from ``t1`` to ``t2`` with its tooltip (and its text if it fits)."""
    x1, x2 = axis.x(t1), axis.x(t2)
    w = max(x2 - x1, 1.5)
    label = (f'<text class="band-text" x="{x1 + 6:.1f}" y="{y + h / 2 + 4:.1f}">'
             f'{esc(text)}</text>') if w > 8 * len(text) + 10 else ""
    return (f'<g data-tip="{esc(tip)}"><rect class="{cls}" x="{x1:.1f}" y="{y:.1f}" '
            f'width="{w:.1f}" height="{h}" rx="3"/>{label}</g>')


def merged_bands(axis: Axis, spans: list[tuple[int, int, str, str, str]], y: float,
                 h: float, prefix: str, start: int, style: str = "offset") -> list[str]:
    """Bands for ``(t1, t2, state, text, tip)`` spans in time order; runs of spans each
    narrower than ``MIN_BAND_PX`` become one striped band that counts them (its tip says
    when, as the scenario wrote times: ``style``, :func:`projections.names.time_name`)."""
    out: list[str] = []
    run: list[tuple[int, int, str, str, str]] = []

    def flush() -> None:
        if len(run) == 1:
            t1, t2, state, text, tip = run[0]
            out.append(band(axis, t1, t2, y, h, f"{prefix} {state}", text, tip))
        elif run:
            states: dict[str, int] = {}
            for span in run:
                states[span[2]] = states.get(span[2], 0) + 1
            tip = (f"{len(run)} changes from {time_name(run[0][0], start, style)} to "
                   f"{time_name(run[-1][1], start, style)}, too close to draw one by one: " +
                   ", ".join(f"{state} x{c}" for state, c in states.items()) +
                   "\nfirst: " + run[0][4] + "\nlast: " + run[-1][4])
            out.append(band(axis, run[0][0], run[-1][1], y, h, f"{prefix} churn", "", tip))
        run.clear()

    for span in spans:
        if axis.x(span[1]) - axis.x(span[0]) >= MIN_BAND_PX:
            flush()
            run.append(span)
            flush()
        else:
            run.append(span)
    flush()
    return out


def event_ticks(axis: Axis, groups: dict[int, list[tuple[str, bool]]], y: int, h: int
                ) -> list[str]:
    """One tick per event instant: ``{t: [(line, ok), ...]}``."""
    out = []
    for t, lines in groups.items():
        x = axis.x(t)
        bad = any(not ok for _line, ok in lines)
        tip = "\n".join(line for line, _ok in lines[:12])
        if len(lines) > 12:
            tip += f"\n... and {len(lines) - 12} more"
        out.append(f'<g class="tick{" bad" if bad else ""}" data-tip="{esc(tip)}">'
                   f'<rect class="hit" x="{x - 5:.1f}" y="{y}" width="10" height="{h}"/>'
                   f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{y + h}"/>'
                   + (f'<text class="count" x="{x + 3:.1f}" y="{y + 8}">{len(lines)}</text>'
                      if len(lines) > 1 else "") + "</g>")
    return out


def event_buckets(times: Sequence[int], events: Sequence, edges: list[int],
                  when: Callable[[int], str], read_all: bool) -> list[list]:
    """The events per bucket: first and last event number, count, failures (-1: not
    read), the commonest operations with their counts (or, when not ``read_all``, the
    bucket's first event as an example), and the bucket's start."""
    bounds = [bisect.bisect_left(times, t) for t in edges[1:]] + [len(times)]
    buckets, lo = [], 0
    for hi, t0 in zip(bounds, edges, strict=True):
        buckets.append([lo + 1, hi, hi - lo, -1, {}, when(t0)])
        lo = hi
    if read_all:
        b = 0
        for i, e in enumerate(events):
            while i >= bounds[b]:
                b += 1
            ops = buckets[b][4]
            ops[e.op] = ops.get(e.op, 0) + 1
            buckets[b][3] = max(buckets[b][3], 0) + (not e.ok)
    else:
        for bk in buckets:
            if bk[2]:
                e = events[bk[0] - 1]
                bk[4] = {f"e.g. #{e.seq} {e.op} -> {'ok' if e.ok else e.err}": 1}
    return [[a, b_, c, bad, sorted(ops.items(), key=lambda kv: -kv[1])[:6], t0]
            for a, b_, c, bad, ops, t0 in buckets]


def item_buckets(groups: Sequence, edges: list[int], when: Callable[[int], str]
                 ) -> tuple[list[int], dict[str, list]]:
    """A lane's items per bucket: the counts, and per non-empty bucket its first and
    last item number, count, ``[[group, count], ...]`` and start."""
    nb = len(edges)
    per: list[dict[int, int]] = [{} for _ in range(nb)]
    first = [0] * nb
    last = [0] * nb
    for g in groups:
        written, seqs = g.written, g.seqs
        if all(a <= b for a, b in itertools.pairwise(written)):
            cuts = [bisect.bisect_left(written, t) for t in edges[1:]] + [len(written)]
            lo = 0
            for b, hi in enumerate(cuts):
                if hi > lo:
                    per[b][g.index] = hi - lo
                    first[b] = seqs[lo] if not first[b] else min(first[b], seqs[lo])
                    last[b] = max(last[b], seqs[hi - 1])
                lo = hi
            continue
        for seq, w in zip(seqs, written, strict=True):
            b = max(0, bisect.bisect_right(edges, w) - 1)
            per[b][g.index] = per[b].get(g.index, 0) + 1
            first[b] = seq if not first[b] else min(first[b], seq)
            last[b] = max(last[b], seq)
    counts = [sum(p.values()) for p in per]
    return counts, {str(b): [first[b], last[b], counts[b],
                             [[gi, c] for gi, c in per[b].items()], when(edges[b])]
                    for b in range(nb) if counts[b]}


def bucket_bars(counts: Sequence[int], y: float, h: float, cls: str, ref: str,
                failures: Sequence[int] = ()) -> list[str]:
    """A bar per non-empty bucket, its height growing with the log of its count (the
    page's script colours it and writes its tooltip from ``data-bk``); a bucket's
    ``failures`` (when given) are a red bar in front, on the same scale."""
    out = []
    top = _log_height(max(counts or [1]))
    for i, c in enumerate(counts):
        if not c:
            continue
        x = LEFT + i * BUCKET_PX
        bh = max(3.0, h * _log_height(c) / top)
        out.append(f'<rect class="{cls}" x="{x}" y="{y + h - bh:.1f}" width="{BUCKET_PX - 1}" '
                   f'height="{bh:.1f}" data-bk="{ref}.{i}"/>')
        bad = failures[i] if i < len(failures) else 0
        if bad > 0:
            fh = max(2.0, h * _log_height(bad) / top)
            out.append(f'<rect class="{cls} bad" x="{x}" y="{y + h - fh:.1f}" '
                       f'width="{BUCKET_PX - 1}" height="{fh:.1f}" data-bk="{ref}.{i}"/>')
    return out


def _log_height(c: int) -> float:
    return 1.0 + (c.bit_length() if c > 0 else 0)


def axis_marks(axis: Axis, moments: Sequence[int], y: int, start: int) -> list[str]:
    """The axis line, its folded gaps, and ticks labelled with the UTC clock time and the
    offset from the start (the date too where it changes)."""
    out = [f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>']
    for a, b in axis.breaks:
        # A torn strip in the middle of the fold: nothing happens there, so it hides
        # nothing, and the bands visibly continue on both sides.
        mid = (axis.x(a) + axis.x(b)) / 2
        zig = " ".join(f"{mid + (3 if i % 2 else -3):.1f},{yy}"
                       for i, yy in enumerate(range(24, y + 8, 6)))
        out.append(f'<g class="break" data-tip="{esc(format_duration(b - a))} with nothing '
                   f'happening, folded"><rect x="{mid - 5:.1f}" y="22" width="10" '
                   f'height="{y - 18}"/><polyline points="{zig}"/>'
                   f'<text x="{mid:.1f}" y="{y + 46}">≈{format_duration(b - a)} '
                   'folded</text></g>')
    right, day = -1e9, ""
    for t in moments:
        x = axis.x(t)
        iso = format_time(t)
        clock = iso[11:19] + ("." + iso[20:23] if len(iso) > 20 else "")
        date = iso[5:10]
        label = f"{date} {clock}" if date != day else clock
        half = max(len(label), len(format_offset(t, start))) * 3.4 + 6  # ~6.8 px a glyph
        if x - half < right:
            continue  # would overlap the previous tick's label
        right, day = x + half, date
        out.append(f'<g class="axis-tick" data-tip="{iso}"><line x1="{x:.1f}" '
                   f'x2="{x:.1f}" y1="{y}" y2="{y + 5}"/><text x="{x:.1f}" y="{y + 17}">'
                   f'{esc(label)}</text><text class="off" x="{x:.1f}" y="{y + 30}">'
                   f'{format_offset(t, start)}</text></g>')
    return out


def _piecewise(src: list, dst: list, v: float) -> float:
    """``v`` mapped from the sorted breakpoints ``src`` to ``dst``: linear inside each
    segment, clamped to the ends (the axis one way, its inverse the other)."""
    i = bisect.bisect_right(src, v) - 1
    if i < 0:
        return dst[0]
    if i >= len(src) - 1:
        return dst[-1]
    a, b = src[i], src[i + 1]
    return dst[i] + (dst[i + 1] - dst[i]) * (v - a) / ((b - a) or 1)

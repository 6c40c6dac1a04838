"""``kmsim timeline``: one self-contained HTML page with an SVG timeline of a log.

A lane per key (state bands from ``Key.history``), a lane per resource (association
bands, propagation windows hatched) with its data items, an events lane, and a slider
that moves "the moment" the page answers for. Every answer is computed here, in Python,
at each moment of the page (every event time, window boundary and timer of a small log;
every state change and a few hundred evenly spaced event times of a big one, plus the
``--at`` time itself) and embedded as JSON: the page's script only looks answers up, it
never simulates. Big logs stay a page of bounded size: past a thousand event instants
or a few hundred items in a lane the lane shows density buckets, answers are computed
per group of like items (:mod:`sim.timeline_answers`; the moments:
:mod:`sim.timeline_moments`), and the events list holds the
events around each moment. No network: CSS, script and SVG are inline
(``timeline_template.html``); drawing is :mod:`sim.timeline_svg`.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path

from events.record import Event
from events.timefmt import DAY, format_duration, format_offset, format_time
from projections.arns import short_resource
from projections.names import time_name
from projections.rulebook import setting
from projections.world import World
from sim.debugger import DebugError, Session, outcome
from sim.errors import InputError
from sim.loading import LoadedTimeline
from sim.timeline_answers import Answers, Group, answer_moments, build_groups, choose_tracked
from sim.timeline_moments import choose_moments, describe, normal
from sim.timeline_svg import (
    EVENT_LANE,
    GAP,
    KEY_LANE,
    LEFT,
    RES_LANE,
    WIDTH,
    Axis,
    axis_marks,
    bucket_bars,
    esc,
    event_buckets,
    event_ticks,
    item_buckets,
    lane_label,
    merged_bands,
    thin,
)

#: Up to this many events the page lists them all; past it, those around each moment.
EVENTS_LISTED = 2000
#: Up to this many event instants the events lane draws a tick each.
TICKS_MAX = 1000
#: Up to this many items a resource lane draws a mark each.
MARKS_MAX = 300
#: Up to this many events (or when they are in memory) every one is read for the
#: events lane's counts of operations and failures; past it, each bucket's first (a log
#: on disk decodes at some 20 us an event).
DECODE_ALL = 50_000
#: Propagation windows drawn at most (each is read from the world after its change).
WINDOWS_MAX = 300
#: Events listed before and after each moment of a big log.
AROUND = (7, 3)


class TimelinePage:
    """Collects lanes, marks and per-moment answers; renders the page."""

    def __init__(self, loaded: LoadedTimeline, principal: str | None = None,
                 at: str | None = None) -> None:
        try:
            self.s = Session(loaded, principal)
            cursor = self.s.moment(at) if at else None
        except DebugError as exc:
            raise InputError(str(exc), None, None, exc.hint) from None
        tl = self.tl = loaded.timeline
        self.start, self.end = tl.start, tl.end
        #: Times as the scenario wrote them (clock times or offsets), as ``kmsim at`` shows.
        self.style = loaded.time_style
        live = tl.live
        self.dues = sorted({tm.due for tm in live.pending_timers()
                            if tl.end < tm.due <= tl.end + 400 * DAY})
        self.final: World = tl.world_at(max([tl.end, *self.dues]))
        changes = self._changes()
        self.groups: list[Group] = build_groups(live)
        choose_tracked(self.groups)
        gone = sorted({t for g in self.groups for t in g.gone_t})
        self.axis = Axis.build([*thin(tl.times, self.start, self.end), *changes, *self.dues,
                                *thin(gone, self.start, self.end),
                                *([] if cursor is None else [cursor.t])], self.start)
        at_moment = None if cursor is None else normal(tl, cursor.t, cursor.n)
        self.moments = choose_moments(tl, changes, self.dues, at_moment, len(self.groups))
        self.initial = len(self.moments) - 1 if at_moment is None else \
            self.moments.index(at_moment)
        self.resources = list(dict.fromkeys(
            [a.resource for a in self.final.associations.values()]
            + [g.resource for g in self.groups]))
        self.edges = self.axis.bucket_edges()
        self.event_buckets = None
        if len(tl.times) > 4 * TICKS_MAX or len(set(tl.times)) > TICKS_MAX:
            self.event_buckets = event_buckets(
                tl.times, tl.events, self.edges, self._when,
                len(tl.times) <= DECODE_ALL or isinstance(tl.events, list))
        #: resource index -> (count per bucket, the page's data of each non-empty one).
        self.lane_buckets: dict[int, tuple[list[int], dict[str, list]]] = {}
        for ri, res in enumerate(self.resources):
            groups = [g for g in self.groups if g.resource == res]
            if sum(len(g.seqs) for g in groups) > MARKS_MAX or \
                    any(len(g.tracked) < len(g.seqs) for g in groups):
                self.lane_buckets[ri] = item_buckets(groups, self.edges, self._when)

    # -- what the page is about ----------------------------------------------------------
    def _changes(self) -> list[int]:
        """Times of key and association changes and of propagation windows' bounds; keeps
        each window as ``(resource, start, end, effective, seq)``."""
        tl, times = self.tl, []
        for key in self.final.keys.values():
            times += [h[0] for h in key.history]
        self.windows: list[tuple[str, int, int, int | None, int]] = []
        starts = []
        for assoc in self.final.associations.values():
            for t, seq, state, _key, _rule in assoc.history:
                times.append(t)
                if state in ("associating", "disassociating") and seq is not None:
                    starts.append((t, seq, assoc.resource))
        # Each window is read from the world just after the change that opened it (a
        # world each): past WINDOWS_MAX changes, evenly spaced ones, and the page says so.
        self.windows_of = len(starts)
        if len(starts) > WINDOWS_MAX:
            starts = [starts[round(i * (len(starts) - 1) / (WINDOWS_MAX - 1))]
                      for i in range(WINDOWS_MAX)]
        for t, seq, resource in starts:
            w = tl.world_at(t, through_seq=seq).associations.get(resource)
            if w is not None and w.window and w.window[1] > w.window[0]:
                self.windows.append((resource, *w.window, w.effective_at, seq))
                times += list(w.window)
        return times

    # -- the answers the slider looks up -------------------------------------------------
    def moment_data(self) -> dict:
        """Per moment: where it is, each key's state, the associations, each group's
        answers and each tracked item's; and what the lanes' buckets hold."""
        s, final, live = self.s, self.final, self.tl.live
        answers = Answers(s)
        keys = list(final.keys.values())
        states: list[str] = []
        key_at: list[list[int]] = []
        assoc_rows: list[str] = []
        assoc_index: dict[str, int] = {}
        assoc_at: list[list[int]] = []
        res_index = {r: i for i, r in enumerate(self.resources)}

        def state_no(name: str) -> int:
            if name not in states:
                states.append(name)
            return states.index(name)

        def visit(_mi: int, w: World) -> None:
            key_at.append([state_no(w.keys[k.world_id].state if k.world_id in w.keys else "-")
                           for k in keys])
            row_ids = []
            for a in w.associations.values():
                window = ""
                if a.window:
                    eff = "uncertain" if a.effective_at is None else self._when(a.effective_at)
                    window = (f"-> {s.key_name(a.pending, w)} in window "
                              f"{self._when(a.window[0])}..{self._when(a.window[1])} "
                              f"(takes effect: {eff})")
                row = json.dumps([res_index.get(a.resource, -1), a.state,
                                  s.key_name(a.key, w), window])
                row_ids.append(assoc_index.setdefault(row, len(assoc_index)))
                if row_ids[-1] == len(assoc_rows):
                    assoc_rows.append(row)
            assoc_at.append(row_ids)

        ma = answer_moments(s, self.groups, self.moments, answers, visit)
        times = self.tl.times
        moments = [[t, n, round(self.axis.x(t), 1), self._when(t), self._other(t),
                    describe(t, n, times, self.start, self.style)] for t, n in self.moments]
        items = []
        for g in self.groups:
            for pos in g.tracked:
                seq = g.seqs[pos]
                item = self.tl.live.items.get(seq)
                items.append([seq, s.name(item) if item is not None else f"#{seq}",
                              res_index[g.resource], self._when(g.written[pos]), g.index,
                              ma.runs.get(seq, [])])
        items.sort()
        return {
            "start": self.start, "principal": s.who(s.principal), "initial": self.initial,
            "timeHeads": ["time (UTC)", "offset"] if self.style == "clock" else
            ["offset", "time (UTC)"],
            "moments": moments, "keys": [s.key_name(k.arn, live) for k in keys],
            "states": states, "keyAt": key_at, "assocRows": [json.loads(r) for r in assoc_rows],
            "assocAt": assoc_at, "answers": answers.rows,
            "resources": [[short_resource(r), r] for r in self.resources],
            "groups": [[res_index[g.resource], "|".join(s.key_name(k, live) for k in g.keys),
                        len(g.seqs), len(g.tracked)] for g in self.groups],
            "present": ma.present, "uniform": ma.uniform,
            "mixed": [{str(k): v for k, v in m.items()} for m in ma.mixed],
            "items": items, "itemsAll": all(len(g.tracked) == len(g.seqs) for g in self.groups),
            "events": self._listed_events(), "eventsAll": len(times) <= EVENTS_LISTED,
            "eventCount": len(times), "eventBuckets": self.event_buckets,
            "lanes": {str(ri): data for ri, (_c, data) in self.lane_buckets.items()},
        }

    def _when(self, t: int) -> str:
        """``t`` as the scenario wrote times (:func:`projections.names.time_name`)."""
        return time_name(t, self.start, self.style)

    def _other(self, t: int) -> str:
        """``t`` the other way (the offset of a clock-time scenario, else the clock time)."""
        return format_offset(t, self.start) if self.style == "clock" else format_time(t)

    def _event_row(self, e: Event) -> list:
        return [e.seq, self._when(e.t), self._other(e.t), self.s.who(e.actor), e.op,
                outcome(e), int(e.ok)]

    def _listed_events(self) -> list[list]:
        """Every event of a small log; around each moment (and each bucket's first) of a
        big one."""
        events, count = self.tl.events, len(self.tl.times)
        if count <= EVENTS_LISTED:
            return [self._event_row(e) for e in events]
        wanted: set[int] = set()
        before, after = AROUND
        for _t, n in self.moments:
            wanted.update(range(max(0, n - before), min(count, n + after)))
        for first, _last, c, *_rest in self.event_buckets or []:
            if c:
                wanted.add(first - 1)
        return [self._event_row(events[i]) for i in sorted(wanted)]

    # -- SVG -----------------------------------------------------------------------------
    def svg(self) -> tuple[str, int]:
        """The SVG body and its height."""
        s, out = self.s, []
        y = 26  # room above the lanes for the cursor's label
        out.append(lane_label(y, EVENT_LANE, "events", "every API call; red: rejected (in "
                              "a bucket: how many, on the same log scale)"))
        out += self._events_lane(y + 4, EVENT_LANE - 8)
        y += EVENT_LANE + GAP
        out.append(f'<text class="section" x="8" y="{y - 8}">KMS keys</text>')
        for key in self.final.keys.values():
            name = s.key_name(key.arn, self.tl.live)
            out.append(lane_label(y, KEY_LANE, name, key.arn))
            hist = key.history
            spans = []
            for i, (t, seq, state, rule) in enumerate(hist):
                t2 = hist[i + 1][0] if i + 1 < len(hist) else self.axis.end
                tip = (f"{name}: {state} from {self._when(t)} ({s._why(t, seq)}, {rule})" +
                       (f" until {self._when(t2)}" if i + 1 < len(hist) else ""))
                spans.append((t, t2, state, state, tip))
            out += merged_bands(self.axis, spans, y + 3, KEY_LANE - 6, "key", self.start,
                                self.style)
            y += KEY_LANE + 6
        if not self.final.keys:
            out.append(f'<text class="empty" x="{LEFT + 8}" y="{y + 18}">no keys</text>')
            y += KEY_LANE
        y += GAP
        out.append(f'<text class="section" x="8" y="{y - 8}">resources and their data</text>')
        for ri, res in enumerate(self.resources):
            out += self._resource_lane(ri, res, y)
            y += RES_LANE + 6
        if not self.resources:
            out.append(f'<text class="empty" x="{LEFT + 8}" y="{y + 18}">no associations or '
                       'data items in this timeline</text>')
            y += RES_LANE
        top, bottom = 22, y
        out += axis_marks(self.axis, [t for t, _n in self.moments], bottom + 4, self.start)
        out.append(f'<line id="cursor" class="cursor" x1="0" x2="0" y1="{top}" '
                   f'y2="{bottom}"/><text id="cursor-label" class="cursor-label" x="0" '
                   f'y="{top - 6}"></text>')
        return "\n".join(out), bottom + 60

    def _events_lane(self, y: int, h: int) -> list[str]:
        """A tick per instant (small logs) or a density bar per bucket."""
        if self.event_buckets is None:
            groups: dict[int, list[tuple[str, bool]]] = {}
            for e in self.tl.events:
                groups.setdefault(e.t, []).append(
                    (f"#{e.seq} {self._when(e.t)} {self.s.who(e.actor)} {e.op} -> "
                     f"{outcome(e)}", e.ok))
            return event_ticks(self.axis, groups, y, h)
        return bucket_bars([bk[2] for bk in self.event_buckets], y, h, "ebk", "e",
                           [bk[3] for bk in self.event_buckets])

    def _resource_lane(self, ri: int, res: str, y: int) -> list[str]:
        s, ax = self.s, self.axis
        name = short_resource(res)
        out = [lane_label(y, RES_LANE, name, res)]
        for r, w1, w2, eff, seq in self.windows:
            if r == res:
                x1, x2 = ax.x(w1), ax.x(w2)
                how = "uncertain: either key possible" if eff is None else \
                    f"takes effect {self._when(eff)}"
                tip = (f"propagation window of #{seq}: {self._when(w1)} .. "
                       f"{self._when(w2)} ({format_duration(w2 - w1)}, {how})")
                out.append(f'<rect class="window" x="{x1:.1f}" y="{y + 1}" '
                           f'width="{max(x2 - x1, 2):.1f}" height="{RES_LANE - 2}" '
                           f'data-tip="{esc(tip)}"/>')
        assoc = self.final.associations.get(res)
        hist = assoc.history if assoc else []
        spans = []
        for i, (t, seq, state, key, rule) in enumerate(hist):
            t2 = hist[i + 1][0] if i + 1 < len(hist) else ax.end
            if state == "none" or t2 <= t:
                continue
            kn = s.key_name(key, self.tl.live)
            tip = (f"{name}: {state} (key {kn}) from {self._when(t)} ({s._why(t, seq)}, "
                   f"{rule})")
            spans.append((t, t2, state, f"{state} {kn}" if state == "associated" else state,
                          tip))
        out += merged_bands(ax, spans, y + 3, 16, "assoc", self.start, self.style)
        if ri in self.lane_buckets:
            counts, _data = self.lane_buckets[ri]
            return out + bucket_bars(counts, y + 22, RES_LANE - 24, "bk st-future", str(ri))
        groups = [g for g in self.groups if g.resource == res]
        if groups:
            seen: dict[int, int] = {}
            for seq, written in sorted((sq, w) for g in groups
                                       for sq, w in zip(g.seqs, g.written, strict=True)):
                x = round(ax.x(written))
                k = seen[x] = seen.get(x, -1) + 1  # items written together: side by side
                out.append(f'<circle id="item-{seq}" class="mark" cx="{x + 11 * min(k, 8)}" '
                           f'cy="{y + 31}" r="6.5" data-item="{seq}"/>')
        return out

    # -- the page ------------------------------------------------------------------------
    def render(self) -> str:
        """The whole HTML document."""
        body, height = self.svg()
        data = json.dumps(self.moment_data(), separators=(",", ":")).replace("</", "<\\/")
        template = resources.files("sim").joinpath("timeline_template.html").read_text(
            encoding="utf-8")
        name = self.s.loaded.header.extra.get("name") or Path(self.s.loaded.source).name
        return (template.replace("__TITLE__", esc(name))
                .replace("__SUBTITLE__", esc(
                    f"{self.s.loaded.source} · start {format_time(self.start)} · "
                    f"{len(self.tl.times):,} events · profile {self.tl.profile} · "
                    f"propagation {setting(self.tl.settings, 'propagation')}" +
                    (f" · propagation windows: {WINDOWS_MAX} of {self.windows_of} drawn "
                     "(evenly spaced)" if self.windows_of > WINDOWS_MAX else "")))
                .replace("__WIDTH__", str(WIDTH)).replace("__HEIGHT__", str(height))
                .replace("<!--__SVG__-->", body).replace("/*__DATA__*/null", data))

    def summary(self) -> str:
        """What the page holds and where it opens (said, never snapped silently)."""
        t, n = self.moments[self.initial]
        return (f"{len(self.tl.times):,} events, {len(self.moments)} moments; opens at "
                f"{describe(t, n, self.tl.times, self.start, self.style)}")


def write_timeline(loaded: LoadedTimeline, out: str | Path, at: str | None = None,
                   principal: str | None = None) -> Path:
    """Render ``loaded`` to the HTML file ``out``; returns its path."""
    return write_page(TimelinePage(loaded, principal, at), out)


def write_page(page: TimelinePage, out: str | Path) -> Path:
    """Write ``page`` to the HTML file ``out`` (whole or not at all: an interrupted run
    leaves no half page); returns its path."""
    path = Path(out)
    text = page.render()
    part = path.with_name(path.name + ".part")
    try:
        part.write_text(text, encoding="utf-8")
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
    return path

"""``kmsim timeline``: one self-contained HTML page with an SVG timeline of a log.

A lane per key (state bands from ``Key.history``), a lane per resource (association
bands, propagation windows hatched) with its data items as marks, event ticks, and a
slider that moves "the moment" the marks are coloured for. Every answer is computed here,
in Python, at each moment where something can change (event times, window boundaries,
timers, item writes) and embedded as JSON: the page's script only looks answers up, it
never simulates. No network: CSS, script and SVG are inline (``timeline_template.html``).
"""

from __future__ import annotations

import bisect
import html
import itertools
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from events.timefmt import DAY, MINUTE, format_duration, format_offset, format_time
from projections.arns import short_resource
from projections.rulebook import setting
from projections.world import World
from sim.debugger import DebugError, Session, outcome, why_text
from sim.errors import InputError
from sim.loading import LoadedTimeline

LEFT, WIDTH, RIGHT = 190, 1360, 24       # label column, total width, right margin (px)
EVENT_LANE, KEY_LANE, RES_LANE, GAP = 30, 30, 44, 26
MAX_MOMENTS = 600                        # beyond this, moments are sampled (big logs)


@dataclass
class Axis:
    """Time to x, with long idle gaps folded into a short break so that minutes-apart
    events and a deletion 7 days later both stay readable."""

    points: list[int]
    xs: list[float]
    breaks: list[tuple[int, int]]

    @classmethod
    def build(cls, times: list[int], start: int) -> Axis:
        """An axis through every time of interest (sorted, deduplicated, from ``start``)."""
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
        i = bisect.bisect_right(self.points, t) - 1
        if i < 0:
            return self.xs[0]
        if i >= len(self.points) - 1:
            return self.xs[-1]
        a, b = self.points[i], self.points[i + 1]
        return self.xs[i] + (self.xs[i + 1] - self.xs[i]) * (t - a) / ((b - a) or 1)

    @property
    def end(self) -> int:
        """The last time on the axis."""
        return self.points[-1]


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


class TimelinePage:
    """Collects lanes, marks and per-moment answers; renders the page."""

    def __init__(self, loaded: LoadedTimeline, principal: str | None = None,
                 at: str | None = None) -> None:
        try:
            self.s = Session(loaded, principal)
            self.initial = self.s.moment(at).t if at else None
        except DebugError as exc:
            raise InputError(str(exc), None, None, exc.hint) from None
        tl = loaded.timeline
        self.start = tl.start
        horizon = tl.end
        live = tl.live.clone()
        dues = [tm.due for tm in live.pending_timers() if tm.due <= tl.end + 400 * DAY]
        self.final: World = tl.world_at(max([horizon, *dues]))
        times = list(tl.times) + dues
        for key in self.final.keys.values():
            times += [h[0] for h in key.history]
        self.windows: list[tuple[str, int, int, int | None, int]] = []
        for assoc in self.final.associations.values():
            for t, seq, state, _key, _rule in assoc.history:
                times.append(t)
                if state in ("associating", "disassociating") and seq is not None:
                    w = tl.world_at(t, through_seq=seq).associations.get(assoc.resource)
                    if w is not None and w.window and w.window[1] > w.window[0]:
                        self.windows.append((assoc.resource, *w.window, w.effective_at, seq))
                        times += list(w.window)
        self.items = list(self.final.iter_items())
        for item in self.items:
            times += [item.written_at] + [x for x in (item.expires_at,) if x is not None]
            if item.gone is not None:
                times.append(item.gone.t)
        self.axis = Axis.build(times, self.start)
        self.moments = sorted({t for t in times if t <= self.axis.end})
        if len(self.moments) > MAX_MOMENTS:
            step = len(self.moments) / MAX_MOMENTS
            self.moments = sorted({self.moments[int(i * step)] for i in range(MAX_MOMENTS)}
                                  | {self.moments[-1]})
        self.resources = list(dict.fromkeys(
            [a.resource for a in self.final.associations.values()]
            + [i.resource for i in self.items]))

    # -- the answers the slider looks up -------------------------------------------------
    def moment_data(self) -> dict:
        """Per moment: time labels, x, each item's status and reason, each key's state."""
        reasons: list[str] = []
        index: dict[str, int] = {}
        rows = []
        keys = list(self.final.keys.values())
        for t in self.moments:
            w = self.s.timeline.world_at(t)
            st, why = [], []
            for item in self.items:
                found = w.items.get(item.seq)
                if found is None:
                    st.append("future")
                    why.append(-1)
                    continue
                a = self.s.answer(w, found)
                text = self.s.short(why_text(a))[:300]
                if a.permanent:
                    text += " [permanent]"
                why.append(index.setdefault(text, len(index)))
                if why[-1] == len(reasons):
                    reasons.append(text)
                st.append(a.status)
            rows.append({"t": t, "x": round(self.axis.x(t), 1),
                         "off": format_offset(t, self.start), "iso": format_time(t),
                         "st": st, "why": why,
                         "keys": [w.keys[k.key_id].state if k.key_id in w.keys else "-"
                                  for k in keys]})
        initial = len(rows) - 1
        if self.initial is not None:
            initial = max(0, bisect.bisect_right(self.moments, self.initial) - 1)
        return {"moments": rows, "reasons": reasons, "initial": initial,
                "start": self.start, "principal": self.s.who(self.s.principal),
                "keys": [self.s.key_name(k.arn, self.final) for k in keys],
                "items": [{"id": f"item-{i.seq}", "label": self.s.name(i),
                           "resource": short_resource(i.resource),
                           "written": format_offset(i.written_at, self.start),
                           "keys": "|".join(self.s.key_name(k, self.final) for k in i.keys)}
                          for i in self.items]}

    # -- SVG -----------------------------------------------------------------------------
    def svg(self) -> tuple[str, int]:
        """The SVG body and its height."""
        ax, s, out = self.axis, self.s, []
        y = 26  # room above the lanes for the cursor's label
        out.append(self._lane_label(y, EVENT_LANE, "events", "every API call; red: rejected"))
        out += self._event_ticks(y + 4, EVENT_LANE - 8)
        y += EVENT_LANE + GAP
        out.append(f'<text class="section" x="8" y="{y - 8}">KMS keys</text>')
        for key in self.final.keys.values():
            name = s.key_name(key.arn, self.final)
            out.append(self._lane_label(y, KEY_LANE, name, key.arn))
            hist = key.history
            for i, (t, seq, state, rule) in enumerate(hist):
                t2 = hist[i + 1][0] if i + 1 < len(hist) else ax.end
                tip = (f"{name}: {state} from {format_offset(t, self.start)} "
                       f"({s._why(t, seq)}, {rule})" +
                       (f" until {format_offset(t2, self.start)}" if i + 1 < len(hist) else ""))
                out.append(self._band(t, t2, y + 3, KEY_LANE - 6, f"key {state}", state, tip))
            y += KEY_LANE + 6
        if not self.final.keys:
            out.append(f'<text class="empty" x="{LEFT + 8}" y="{y + 18}">no keys</text>')
            y += KEY_LANE
        y += GAP
        out.append(f'<text class="section" x="8" y="{y - 8}">resources and their data</text>')
        for res in self.resources:
            out += self._resource_lane(res, y)
            y += RES_LANE + 6
        if not self.resources:
            out.append(f'<text class="empty" x="{LEFT + 8}" y="{y + 18}">no associations or '
                       'data items in this timeline</text>')
            y += RES_LANE
        top, bottom = 22, y
        out += self._axis(bottom + 4)
        out.append(f'<line id="cursor" class="cursor" x1="0" x2="0" y1="{top}" '
                   f'y2="{bottom}"/><text id="cursor-label" class="cursor-label" x="0" '
                   f'y="{top - 6}"></text>')
        return "\n".join(out), bottom + 44

    def _lane_label(self, y: int, h: int, text: str, tip: str) -> str:
        return (f'<rect class="lane" x="{LEFT}" y="{y}" width="{WIDTH - LEFT - RIGHT}" '
                f'height="{h}"/><text class="lane-label" x="{LEFT - 10}" y="{y + h / 2 + 4}" '
                f'data-tip="{_esc(tip)}">{_esc(text[:24])}</text>')

    def _band(self, t1: int, t2: int, y: float, h: float, cls: str, text: str,
              tip: str) -> str:
        x1, x2 = self.axis.x(t1), self.axis.x(t2)
        w = max(x2 - x1, 1.5)
        label = (f'<text class="band-text" x="{x1 + 6:.1f}" y="{y + h / 2 + 4:.1f}">'
                 f'{_esc(text)}</text>') if w > 8 * len(text) + 10 else ""
        return (f'<g data-tip="{_esc(tip)}"><rect class="{cls}" x="{x1:.1f}" y="{y:.1f}" '
                f'width="{w:.1f}" height="{h}" rx="3"/>{label}</g>')

    def _resource_lane(self, res: str, y: int) -> list[str]:
        s, ax = self.s, self.axis
        name = short_resource(res)
        out = [self._lane_label(y, RES_LANE, name, res)]
        for r, w1, w2, eff, seq in self.windows:
            if r == res:
                x1, x2 = ax.x(w1), ax.x(w2)
                how = "uncertain: either key possible" if eff is None else \
                    f"takes effect {format_offset(eff, self.start)}"
                tip = (f"propagation window of #{seq}: {format_offset(w1, self.start)} .. "
                       f"{format_offset(w2, self.start)} ({format_duration(w2 - w1)}, {how})")
                out.append(f'<rect class="window" x="{x1:.1f}" y="{y + 1}" '
                           f'width="{max(x2 - x1, 2):.1f}" height="{RES_LANE - 2}" '
                           f'data-tip="{_esc(tip)}"/>')
        assoc = self.final.associations.get(res)
        hist = assoc.history if assoc else []
        for i, (t, seq, state, key, rule) in enumerate(hist):
            t2 = hist[i + 1][0] if i + 1 < len(hist) else ax.end
            if state == "none" or t2 <= t:
                continue
            text = f"{state} {s.key_name(key, self.final)}" if state == "associated" else state
            tip = (f"{name}: {state} (key {s.key_name(key, self.final)}) from "
                   f"{format_offset(t, self.start)}"
                   f" ({s._why(t, seq)}, {rule})")
            out.append(self._band(t, t2, y + 3, 16, f"assoc {state}", text, tip))
        seen: dict[int, int] = {}
        for item in self.items:
            if item.resource != res:
                continue
            x = round(ax.x(item.written_at))
            k = seen[x] = seen.get(x, -1) + 1  # items written together: side by side
            cx, cy = x + 11 * min(k, 8), y + 31
            out.append(f'<circle id="item-{item.seq}" class="mark" cx="{cx}" cy="{cy}" r="6.5"'
                       f' data-item="{item.seq}"/>')
        return out

    def _event_ticks(self, y: int, h: int) -> list[str]:
        groups: dict[int, list] = {}
        for e in self.s.timeline.events:
            groups.setdefault(e.t, []).append(e)
        out = []
        for t, events in groups.items():
            x = self.axis.x(t)
            bad = any(not e.ok for e in events)
            tip = "\n".join(f"#{e.seq} {format_offset(e.t, self.start)} {self.s.who(e.actor)} "
                            f"{e.op} -> {outcome(e)}" for e in events[:12])
            if len(events) > 12:
                tip += f"\n... and {len(events) - 12} more"
            out.append(f'<g class="tick{" bad" if bad else ""}" data-tip="{_esc(tip)}">'
                       f'<rect class="hit" x="{x - 5:.1f}" y="{y}" width="10" height="{h}"/>'
                       f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{y + h}"/>'
                       + (f'<text class="count" x="{x + 3:.1f}" y="{y + 8}">{len(events)}</text>'
                          if len(events) > 1 else "") + "</g>")
        return out

    def _axis(self, y: int) -> list[str]:
        ax = self.axis
        out = [f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>']
        for a, b in ax.breaks:
            # A torn strip in the middle of the fold: nothing happens there, so it hides
            # nothing, and the bands visibly continue on both sides.
            mid = (ax.x(a) + ax.x(b)) / 2
            zig = " ".join(f"{mid + (3 if i % 2 else -3):.1f},{yy}"
                           for i, yy in enumerate(range(24, y + 8, 6)))
            out.append(f'<g class="break" data-tip="{_esc(format_duration(b - a))} with nothing '
                       f'happening, folded"><rect x="{mid - 5:.1f}" y="22" width="10" '
                       f'height="{y - 18}"/><polyline points="{zig}"/>'
                       f'<text x="{mid:.1f}" y="{y + 32}">≈{format_duration(b - a)} '
                       'folded</text></g>')
        last = -1e9
        for t in self.moments:
            x = ax.x(t)
            if x - last < 46:
                continue
            last = x
            out.append(f'<g class="axis-tick" data-tip="{format_time(t)}"><line x1="{x:.1f}" '
                       f'x2="{x:.1f}" y1="{y}" y2="{y + 5}"/><text x="{x:.1f}" y="{y + 17}">'
                       f'{format_offset(t, self.start)}</text></g>')
        return out

    # -- the page ------------------------------------------------------------------------
    def render(self) -> str:
        """The whole HTML document."""
        body, height = self.svg()
        data = json.dumps(self.moment_data(), separators=(",", ":")).replace("</", "<\\/")
        template = resources.files("sim").joinpath("timeline_template.html").read_text(
            encoding="utf-8")
        name = self.s.loaded.header.extra.get("name") or Path(self.s.loaded.source).name
        return (template.replace("__TITLE__", _esc(name))
                .replace("__SUBTITLE__", _esc(
                    f"{self.s.loaded.source} · start {format_time(self.start)} · "
                    f"{len(self.s.timeline.events)} events · profile "
                    f"{self.s.timeline.profile} · propagation "
                    f"{setting(self.s.timeline.settings, 'propagation')}"))
                .replace("__WIDTH__", str(WIDTH)).replace("__HEIGHT__", str(height))
                .replace("<!--__SVG__-->", body).replace("/*__DATA__*/null", data))


def write_timeline(loaded: LoadedTimeline, out: str | Path, at: str | None = None,
                   principal: str | None = None) -> Path:
    """Render ``loaded`` to the HTML file ``out``; returns its path."""
    page = TimelinePage(loaded, principal, at)
    path = Path(out)
    path.write_text(page.render(), encoding="utf-8")
    return path

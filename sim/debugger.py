"""``kmsim debug``: a time-travel prompt over a recorded timeline (SPEC 9).

The cursor is a moment ``(t, n)``: every event up to number ``n`` folded and every timer
due at or before ``t`` fired, exactly what ``Timeline.world_at(t, through_seq=n)`` gives.
``step``/``back`` move it event by event, ``goto`` anywhere; the other commands answer
at the cursor and never move it. Every failure is one line with a hint (never a crash),
because a teacher typing in front of a class must not lose the session to a typo.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from events.record import Event
from events.timefmt import format_offset, format_time
from projections.arns import root_arn, short_resource
from projections.decrypt import Answer, Answers, decryptability
from projections.names import item_label, key_name, time_name
from projections.timetravel.answers import answers_at
from projections.timetravel.diff import briefs_between, diff, diff_lines
from projections.timetravel.explain import explain_item
from projections.world import World
from sim.clock import parse_when
from sim.debug_summary import (
    ItemTally,
    changes_lines,
    events_between,
    passed_events,
)
from sim.debug_views import Views, why_text
from sim.loading import LoadedTimeline
from sim.whatif import Step, compare, fork, report_lines

__all__ = ["Cursor", "DebugError", "Session", "key_names", "outcome", "why_text"]


class DebugError(Exception):
    """A command that cannot be done; shown as one line with a hint."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True, order=True)
class Cursor:
    """A moment of the timeline: time ``t`` with the first ``n`` events folded."""

    t: int
    n: int


# -- names people can read ---------------------------------------------------------------
def key_names(loaded: LoadedTimeline) -> dict[str, str]:
    """Key ARN -> its name at the end of the timeline (``projections.names``), for turning
    ARNs in free text into names and names typed at the prompt back into ARNs."""
    live = loaded.timeline.live
    saved = getattr(loaded, "variables", None) or {}
    return {key.arn: key_name(live, key, saved) for key in live.keys.values()}


def outcome(event: Event) -> str:
    """``ok`` or ``ErrorCode (RULE)``."""
    return "ok" if event.ok else f"{event.err} ({event.rule})"


def _status(a: Answer) -> str:
    return f"{a.status} (permanent)" if a.permanent else a.status


class Session(Views):
    """The debugger's state and answers, without any terminal I/O (tests use it directly)."""

    def __init__(self, loaded: LoadedTimeline, principal: str | None = None) -> None:
        self.loaded = loaded
        self.timeline = loaded.timeline
        self.start = self.timeline.start
        #: Times as the scenario wrote them: ``offset`` (+5m) or ``clock`` (RFC 3339).
        self.time_style = getattr(loaded, "time_style", "offset")
        self.keys = key_names(loaded)
        self.cursor = Cursor(self.start, 0)
        default = principal or loaded.default_principal
        self.principal = self.resolve_principal(default) if default else root_arn(
            loaded.account)
        self._cache: tuple[Cursor, World] | None = None

    # -- moments -------------------------------------------------------------------------
    @property
    def count(self) -> int:
        """Number of events in the timeline."""
        return len(self.timeline.events)

    def world(self, at: Cursor | None = None) -> World:
        """The world at a cursor (default: the current one), cached for the current one."""
        at = at or self.cursor
        if self._cache and self._cache[0] == at:
            return self._cache[1]
        world = self.timeline.world_at(at.t, through_seq=at.n)
        self._cache = (at, world)
        return world

    def moment(self, text: str) -> Cursor:
        """``#N``, ``+OFFSET``, RFC 3339, ``start`` or ``end`` as a cursor."""
        s = text.strip()
        if s in ("start", "begin"):
            return Cursor(self.start, 0)
        if s == "end":
            return Cursor(self.timeline.end, self.count)
        if s.startswith("#") and s[1:].isdigit():
            n = int(s[1:])
            if not 0 <= n <= self.count:
                raise DebugError(f"no event #{n}", f"events are #1..#{self.count}")
            return Cursor(self.timeline.times[n - 1] if n else self.start, n)
        try:
            t = parse_when(s, self.start, self.timeline.times)
        except ValueError as exc:
            raise DebugError(str(exc).split(": write")[0],
                             "write +5m, 2026-01-01T00:05:00Z, #N, start or end") from None
        return Cursor(t, bisect.bisect_right(self.timeline.times, t))

    def when(self, t: int) -> str:
        """A moment as the scenario wrote its times (``+5m``, or RFC 3339 for clock times)."""
        return time_name(t, self.start, self.time_style)

    def label(self, at: Cursor | None = None) -> str:
        """``#7 +4m 2026-01-01T00:04:00Z``: what the prompt shows."""
        at = at or self.cursor
        return f"#{at.n} {format_offset(at.t, self.start)} {format_time(at.t)}"

    def resolve_principal(self, who: str) -> str:
        """A principal's name or ARN (or a service principal) as an ARN."""
        if who in self.loaded.names:
            return self.loaded.names[who]
        if who == "root":
            return root_arn(self.loaded.account)
        if who.startswith("arn:") or who.endswith(".amazonaws.com"):
            return who
        known = ", ".join(sorted(self.loaded.names)) or "none declared"
        raise DebugError(f"unknown principal {who!r}", f"names: {known}; or give an ARN")

    def who(self, arn: str) -> str:
        """A principal ARN as its declared name (``root`` for the account root)."""
        for name, value in self.loaded.names.items():
            if value == arn:
                return name
        return "root" if arn.endswith(":root") else arn

    def short(self, text: str) -> str:
        """``text`` with key and principal ARNs written as their short names."""
        for arn, name in [*self.keys.items(), *((v, k) for k, v in self.loaded.names.items())]:
            text = text.replace(arn, name)
        return text

    def name(self, item) -> str:
        """An item's label (known at the end of the timeline) or ``#SEQ``."""
        return item_label(item, self.timeline.live)

    def key_name(self, arn: str | None, world: World | None = None) -> str:
        """A key ARN's name in ``world`` (default: at the cursor), as ``kmsim at`` names
        it there (``owned`` for the service-owned key)."""
        return key_name(world or self.world(), arn, self.loaded.variables, none="owned")

    def find_item(self, ref: str, world: World):
        """A data item by label or ``#SEQ``; a one-line error naming the labels otherwise."""
        ref = ref.strip()
        found = world.item(ref)
        if found is None and ref in self.timeline.live.labels:  # labelled after the cursor
            found = world.items.get(self.timeline.live.labels[ref])
        if found is None:
            labels = [self.name(i) for i in world.iter_items()][:12]
            raise DebugError(f"no data item {ref!r} at {self.label()}",
                             "items here: " + (", ".join(labels) if labels else
                                               "none yet (step forward or goto end)"))
        return found

    # -- text ----------------------------------------------------------------------------
    def event_line(self, event: Event) -> str:
        """One event as a line: number, offset, actor, operation, outcome."""
        return (f"#{event.seq:<4} {self.when(event.t):>8}  "
                f"{self.who(event.actor):<10} {event.op:<30} {outcome(event)}")

    def answer(self, world: World, item, principal: str | None = None) -> Answer:
        """Decryptability of ``item`` in ``world`` for ``principal`` (default: the session's)."""
        return decryptability(world, item, principal or self.principal)

    def changes(self, a: Cursor, b: Cursor) -> list[str]:
        """What happened between two cursors (in either order): events, then state changes;
        past a few of each, counted and grouped (:mod:`sim.debug_summary`)."""
        lo, hi = min(a, b), max(a, b)
        lines = passed_events(events_between(self.timeline.events, lo.n, hi.n),
                              self.event_line, hi.n - lo.n,
                              # bookkeeping; the item line shows the label
                              skip=lambda e: e.op == "sim:Label")

        def inside(t: int, seq: int | None) -> bool:
            return lo.n < seq <= hi.n if seq is not None else lo.t < t <= hi.t

        return lines + self.world_changes(self.world(lo), self.world(hi), inside)

    def world_changes(self, wa: World, wb: World, inside, old_seq=lambda s: s) -> list[str]:
        """State changes from ``wa`` to ``wb``: history entries ``inside(t, seq)`` says are
        new, items written, and items whose answer changed (``old_seq`` maps ``wb``'s item
        numbers to ``wa``'s, for forks)."""
        keys = [(self.key_name(key.arn, wb), key.history[i - 1][2] if i else "(new)", state,
                 f"({rule}, {self._why(t, seq)})")
                for key in wb.keys.values()
                for i, (t, seq, state, rule) in enumerate(key.history) if inside(t, seq)]
        assocs = [(short_resource(a.resource), a.history[i - 1][2] if i else "none", state,
                   f"(key {self.key_name(key, wb)})  ({rule}, {self._why(t, seq)})")
                  for a in wb.associations.values()
                  for i, (t, seq, state, key, rule) in enumerate(a.history) if inside(t, seq)]
        lines = (changes_lines("key", keys, lambda c: f"  key {c[0]}: {c[1]} -> {c[2]}  {c[3]}")
                 + changes_lines("association", assocs,
                                 lambda c: f"  association {c[0]}: {c[1]} -> {c[2]} {c[3]}"))
        tally = ItemTally()
        now_of, was_of = Answers(wb, self.principal), Answers(wa, self.principal)
        for item in wb.iter_items():
            now = now_of(item)
            old = wa.items.get(old_seq(item.seq))
            if old is None:
                line = (f"  item {self.name(item)} written to {short_resource(item.resource)}"
                        f" under {'|'.join(self.key_name(k, wb) for k in item.keys)}: "
                        f"{now.status}") if tally.lists_written else None
                tally.add_written(item.resource, now.status, line)
                continue
            was = was_of(old)
            if (was.status, was.permanent) != (now.status, now.permanent):
                line = (f"  item {self.name(item)}: {_status(was)} -> {_status(now)}  "
                        f"({', '.join(now.rules[:3])})") if tally.lists_changed else None
                tally.add_changed(item.resource, _status(was), _status(now), line)
        return lines + tally.lines(short_resource)

    def _why(self, t: int, seq: int | None) -> str:
        return f"#{seq}" if seq is not None else f"timer {self.when(t)}"

    def explain_lines(self, ref: str, principal: str | None = None) -> list[str]:
        """The causal chain behind an item's answer at the cursor, newest first."""
        w = self.world()
        item = self.find_item(ref, w)
        events = self.timeline.events

        def event_of(seq: int) -> Event | None:
            return events[seq - 1] if 0 < seq <= len(events) else None

        return explain_item(w, item, principal or self.principal, event_of, self.start,
                            self.loaded.variables).lines()

    def diff_lines(self, a: Cursor, b: Cursor) -> list[str]:
        """``projections.timetravel.diff`` between two cursors: keys, associations, items, timers,
        events."""
        lo, hi = min(a, b), max(a, b)
        wa, wb = self.world(lo), self.timeline.world_at(hi.t, through_seq=hi.n)
        tl = self.timeline  # the events between, counted from their bytes (none decoded)
        doc = diff(wa, wb, self.principal, briefs_between(tl.events, tl.times, lo.n, hi.n),
                   self.loaded.variables)
        return diff_lines(doc, self.start, wb, self.loaded.variables)

    def answers_document(self, at: Cursor, principal: str) -> dict:
        """SPEC 9's ``kmsim at --json`` document at a cursor."""
        return answers_at(self.world(at), principal, self.loaded.variables)

    # -- moving --------------------------------------------------------------------------
    def move(self, to: Cursor) -> list[str]:
        """Put the cursor at ``to``; the events and changes passed over on the way (going
        back, the ones undone)."""
        old, self.cursor = self.cursor, to
        if to == old:
            return ["(the cursor is already there)"]
        lines = self.changes(old, to)
        if to < old:
            lines = ["undone:"] + [f"  {line.strip()}" for line in lines]
        return lines or ["(nothing happened in between)"]

    def step(self, count: int = 1) -> Cursor:
        """The cursor ``count`` events later (timers due on the way fire)."""
        if self.cursor.n >= self.count:
            raise DebugError(f"at the end of the timeline (#{self.count})",
                             "back N, goto #N or goto start")
        n = min(self.count, self.cursor.n + max(1, count))
        events = self.timeline.events
        while n < self.count and events[n].op == "sim:Label" and events[n].t == events[n - 1].t:
            n += 1  # a label belongs to the write just before it: one step, not two
        return Cursor(self.timeline.times[n - 1], n)

    def back(self, count: int = 1) -> Cursor:
        """The cursor ``count`` events earlier (from between events, the first back lands
        just after the last event before the cursor)."""
        at = self.cursor
        last_t = self.timeline.times[at.n - 1] if at.n else self.start
        if at.n == 0 and at.t == self.start:
            raise DebugError("at the start of the timeline", "step N, goto #N or goto end")
        n = max(0, at.n - max(1, count) + (1 if at.t > last_t else 0))
        return Cursor(self.timeline.times[n - 1] if n else self.start, n)

    # -- what if -------------------------------------------------------------------------
    def fork(self, op: str, args: dict, principal: str | None = None) -> list[str]:
        """What if ``op`` had happened at the cursor's time (as ``principal``, default the
        session's)? ``sim.whatif`` forks the timeline there, replays the later recorded
        events after the step, and compares the answers (for the session's principal)."""
        actor = principal or self.principal
        f = fork(self.timeline, self.cursor.t, [Step(op, args)], actor, self.loaded.seed,
                 self.loaded.region, self.loaded.account)
        names = self.loaded.variables
        return report_lines(f, compare(f, self.principal, names), names)

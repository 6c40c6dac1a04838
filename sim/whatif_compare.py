"""What-if: comparing the original timeline with its fork, and the report for people.

:func:`compare` walks both timelines event by event after the fork and keeps each moment
at which the differing answers (key states, associations, item statuses) change. It keeps
each side's answers up to date instead of answering every item at every event (issue 11:
that was quadratic, minutes at 3,000 events): a refused call changes nothing; a write adds
its one item; a KMS call changes the items under the keys it changed; anything else (a
timer fired, an association moved, a principal declared) answers every item again, once
per shape. Items written after the fork that differ as earlier ones do are counted into
the next moment rather than making one moment each; past :data:`ITEMS_KEPT` item
differences at a moment, the rest are counted per resource and answer. The answers of
each side and their differences are kept as numbers per item (:mod:`sim.whatif_answers`),
so a million items fit; :class:`Walk` is the comparison one event at a time, which
:func:`compare` and :func:`sim.whatif.fork_compared` both drive.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from events.record import Event
from events.timefmt import format_offset, format_time
from projections.arns import short_resource
from projections.names import key_name, time_name
from projections.world import World
from sim.whatif_answers import Differences, Side

if TYPE_CHECKING:
    from sim.whatif import Fork

#: Item differences listed at one moment; past it, counted per resource and answer.
ITEMS_KEPT = 20
#: Later events whose outcome changes listed one by one; past it, counted by kind.
OUTCOMES_LISTED = 20
#: Events decoded at a time on the way (a log file's events are decoded on demand).
CHUNK = 4096


@dataclass
class Change:
    """Answers that differ between the original and the fork at one moment."""

    t: int
    seq: int | None            # the original event just folded (None: the end)
    op: str
    differences: list[tuple[str, str | None, str | None]]
    #: Item differences not in ``differences``: (resource, original, what-if) -> items.
    more: Counter = field(default_factory=Counter)


def answers(world: World, principal: str, names: Mapping[str, Any] | None,
            seq_of: Mapping[int, int] | None = None) -> dict[str, str]:
    """A flat map ``what -> answer`` to compare worlds: ``key ARN``, ``association R``,
    ``item LABEL`` (items by their original label or #SEQ: ``seq_of`` maps fork seqs back)."""
    return Side(world, principal, names, seq_of).values()


class Walk:
    """The comparison, one event at a time: both worlds are folded by the caller (the
    original's event into ``a``'s world, the fork's into ``b``'s), then :meth:`after` keeps
    the moment when the differing answers changed; :meth:`end` adds the end."""

    def __init__(self, a: World, b: World, principal: str, names: Mapping[str, Any] | None,
                 seq_of: Mapping[int, int] | None, at: int) -> None:
        self.a = Side(a, principal, names, None)
        self.b = Side(b, principal, names, seq_of)
        self.diff = Differences(self.a, self.b)
        self.changes: list[Change] = []
        if self.diff:
            self.changes.append(self._snapshot(at, None, "(the steps)"))

    def timers(self) -> tuple[tuple, tuple]:
        """Both worlds' timer signatures (take them before folding the next events)."""
        return self.a.timers(), self.b.timers()

    def after(self, event: Event, replayed: Event, timers: tuple[tuple, tuple]) -> None:
        """``event`` was folded into the original's world and ``replayed`` into the fork's
        (``timers``: :meth:`timers` before that)."""
        ca, fresh_a = self.a.after(event, timers[0])
        cb, fresh_b = self.b.after(replayed, timers[1])
        if not (ca or cb):
            return
        whats = ca | cb
        if not self.diff.update(whats):
            return
        if whats <= (fresh_a | fresh_b):
            return  # only items written now: the next moment kept shows them
        self.changes.append(self._snapshot(event.t, event.seq, event.op))

    def end(self, t: int) -> list[Change]:
        """The end: after the last event (``t``) and every timer still pending (a
        DeletionDate a week away is often the whole point of the question)."""
        sides = (self.a, self.b)
        end = max([t, *(tm.due for side in sides for tm in side.world.pending_timers())])
        for side in sides:
            timers = side.timers()
            side.world.advance_to(end)
            if side.timers() != timers:  # a timer fired: answer everything at the end
                self.diff.update(side.refresh())
        self.changes.append(self._snapshot(end, None, "(the end, every pending timer fired)"))
        return self.changes

    def _snapshot(self, t: int, seq: int | None, op: str) -> Change:
        rows, more = self.diff.rows(ITEMS_KEPT)
        return Change(t, seq, op, rows, more)


def _chunks(events: Sequence[Event], lo: int) -> Iterator[Event]:
    for i in range(lo, len(events), CHUNK):
        yield from events[i:i + CHUNK]


def compare(f: Fork, principal: str, names: Mapping[str, Any] | None = None) -> list[Change]:
    """Walk both timelines event by event after the fork; keep each moment at which the
    differing answers change (items written since that differ count into the next
    moment), and the end. A fork made with :func:`sim.whatif.fork_compared` was compared
    as it was made: its changes are returned when asked for the same principal."""
    if f.changes is not None and f.compared_as == (principal, names):
        return f.changes
    orig = f.original.world_after(f.n)
    new = f.fork.world_after(f.n + len(f.steps))
    walk = Walk(orig, new, principal, names, f.seq_map.inverse(), f.at)
    for event, replayed in zip(_chunks(f.original.events, f.n),
                               _chunks(f.fork.events, f.n + len(f.steps)), strict=True):
        timers = walk.timers()
        orig.fold(event)
        new.fold(replayed)
        walk.after(event, replayed, timers)
    return walk.end(max(f.original.end, f.fork.end, f.at))


def describe(what: str, world: World, names: Mapping[str, Any] | None) -> str:
    """``key alias/app`` for ``key ARN``, ``logs:app`` for an association's ARN."""
    kind, _, ref = what.partition(" ")
    if kind == "key":
        key = world.key_by_arn(ref)
        return f"key {key_name(world, key, names)}" if key else what
    if kind == "association":
        return f"association {short_resource(ref)}"
    return what


def named(text: str, world: World, names: Mapping[str, Any] | None) -> str:
    """``text`` with every key ARN of ``world`` written as the key's name (``k1``)."""
    for key in world.keys.values():
        if key.arn in text:
            text = text.replace(key.arn, key_name(world, key, names))
    return text


def failed_steps(f: Fork) -> list[Event]:
    """The fork's steps that the rules refused (each is still an event of the fork)."""
    return [e for e in f.steps if not e.ok]


def step_failure(e: Event) -> str:
    """``kms:EnableKey failed: KMSInvalidStateException (R-KMS-12): MESSAGE``."""
    return f"{e.op} failed: {e.err} ({e.rule}): {e.out.get('msg', '')}"


def outcome_text(e: Event) -> str:
    """``ok`` or ``ErrorCode (RULE)``."""
    return _outcome(e)


def _outcome(e: Event) -> str:
    return "ok" if e.ok else f"{e.err} ({e.rule})"


def report_lines(f: Fork, changes: list[Change], names: Mapping[str, Any] | None = None,
                 style: str = "offset") -> list[str]:
    """The what-if for people; times as the scenario wrote them (``style``:
    :func:`projections.names.time_name`)."""
    start = f.original.start

    def when(t: int) -> str:
        return time_name(t, start, style)

    world = f.names
    lines = [f"fork at {format_offset(f.at, start)} ({format_time(f.at)}): "
             f"{f.n:,} events kept, {len(f.seq_map):,} later events replayed"]
    for e in f.steps:
        outcome = "ok" if e.ok else f"FAILED: {e.err} ({e.rule}): {e.out.get('msg', '')}"
        lines.append(named(f"  step #{e.seq} {e.op} {json.dumps(e.req)} -> {outcome}", world,
                           names))
    failed = failed_steps(f)
    if failed:
        lines.append(f"  {len(failed)} of {_count(len(f.steps), 'step')} failed: a refused "
                     "call changes nothing, so the answers below are as if it was not made")
    total = max(f.outcomes_changed, len(f.changed_outcomes))
    lines.append(f"later events whose outcome changes ({total:,})")
    shown = f.changed_outcomes[:OUTCOMES_LISTED]
    for old, new in shown:
        lines.append(f"  #{old.seq} (now #{new.seq}) {old.op} at {when(old.t)}: "
                     f"was {_outcome(old)}, now {_outcome(new)}")
    if total > len(shown):
        kinds = f.outcome_kinds - Counter((old.op, _outcome(old), _outcome(new))
                                          for old, new in shown)
        lines.append(f"  ... {total - len(shown):,} more:")
        lines += [f"    {n:,} x {op}: was {a}, now {b}" for (op, a, b), n in kinds.most_common()]
    lines.append("answers that change (original -> what-if)")
    for change in changes:
        where = (f"after #{change.seq} {change.op}" if change.seq is not None else change.op)
        lines.append(f"  at {when(change.t)} {where}:"
                     + ("" if change.differences or change.more else " no differences"))
        for what, a, b in change.differences:
            lines.append(f"    {describe(what, world, names)}: {a or '(none)'} -> {b or '(none)'}")
        if change.more:
            lines.append(f"    ... {sum(change.more.values()):,} more items:")
            for (res, a, b), n in change.more.most_common(10):
                lines.append(f"      {short_resource(res):<24} {a or '(none)'} -> "
                             f"{b or '(none)'}: {n:,}")
            if len(change.more) > 10:
                lines.append(f"      ... {len(change.more) - 10} more kinds")
    return lines


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")

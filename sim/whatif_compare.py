"""What-if: comparing the original timeline with its fork, and the report for people.

:func:`compare` walks both timelines event by event after the fork and keeps each moment
at which the differing answers (key states, associations, item statuses) change. It keeps
each side's answers up to date instead of answering every item at every event (issue 11:
that was quadratic, minutes at 3,000 events): a refused call changes nothing; a write adds
its one item; a KMS call changes the items under the keys it changed; anything else (a
timer fired, an association moved, a principal declared) answers every item again, once
per shape. Items written after the fork that differ as earlier ones do are counted into
the next moment rather than making one moment each; past :data:`ITEMS_KEPT` item
differences at a moment, the rest are counted per resource and answer.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from events.record import Event
from events.timefmt import format_offset, format_time
from projections.arns import short_resource
from projections.decrypt import Answers
from projections.model import DataItem
from projections.names import key_name, time_name
from projections.simops.fold import SavedValues
from projections.timetravel.answers import association_key
from projections.world import World

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
    side = _Side(world, principal, names, seq_of)
    return dict(side.values)


class _Side:
    """One world's answers, kept up to date as its world folds events."""

    def __init__(self, world: World, principal: str, names: Mapping[str, Any] | None,
                 seq_of: Mapping[int, int] | None) -> None:
        self.world, self.principal, self.names = world, principal, names
        self.seq_of = seq_of or {}
        self.values: dict[str, str] = {}
        self.resource: dict[str, str] = {}       # an item's what -> its resource
        self.item_what: dict[int, str] = {}      # item seq -> its what
        self.by_key: dict[str | None, set[int]] = {}
        self.by_resource: dict[str, set[int]] = {}
        self._keys = self._assocs = self._rest = None  # the last signatures seen
        self.refresh()

    # -- what the answers depend on -------------------------------------------------------
    def _timers(self) -> tuple:
        timers = self.world.timers
        return len(timers), (timers[0].due if timers else None)

    def _key_sig(self) -> dict[str, tuple]:
        return {k.arn: (k.state, id(k.policy), len(k.replaced_policies), k.deletion_date,
                        k.has_material, k.valid_to) for k in self.world.keys.values()}

    def _assoc_sig(self) -> dict[str, tuple]:
        return {a.resource: (a.state, a.key, a.before, a.pending, a.window, a.effective_at,
                             len(a.history)) for a in self.world.associations.values()}

    def _rest_sig(self) -> tuple:
        w = self.world
        return (self._timers(), len(w.principals),
                tuple(id(p.policies) for p in w.principals.values()), len(w.labels),
                len(w.aliases), len(w.peek(SavedValues).values))  # the last two: names

    # -- updating ---------------------------------------------------------------------------
    def _what(self, item: DataItem) -> str:
        return f"item {item.label or '#' + str(self.seq_of.get(item.seq, item.seq))}"

    def _set(self, what: str, value: str | None, changed: set[str]) -> None:
        if self.values.get(what) != value:
            if value is None:
                self.values.pop(what, None)
            else:
                self.values[what] = value
            changed.add(what)

    def _entries(self, changed: set[str]) -> None:
        """Keys and associations (a few): named as at this moment."""
        w = self.world
        seen = set()
        for key in w.keys.values():
            seen.add(what := f"key {key.arn}")
            self._set(what, key.state, changed)
        for assoc in w.associations.values():
            seen.add(what := f"association {assoc.resource}")
            self._set(what, f"{assoc.state} "
                      f"({key_name(w, association_key(assoc), self.names)})", changed)
        for what in [x for x in self.values if not x.startswith("item ") and x not in seen]:
            self._set(what, None, changed)

    def _items(self, items: Iterable[DataItem], changed: set[str]) -> None:
        answer = Answers(self.world, self.principal)
        for item in items:
            what = self._what(item)
            old = self.item_what.get(item.seq)
            if old is None:
                self.item_what[item.seq] = what
                self.resource[what] = item.resource
                for k in item.keys:
                    self.by_key.setdefault(k, set()).add(item.seq)
                self.by_resource.setdefault(item.resource, set()).add(item.seq)
            elif old != what:  # labelled since
                self._set(old, None, changed)
                self.item_what[item.seq] = what
                self.resource[what] = item.resource
            self._set(what, answer(item).status, changed)

    def refresh(self) -> set[str]:
        """Answer everything again; the whats whose answer changed."""
        changed: set[str] = set()
        self._entries(changed)
        self._items(self.world.iter_items(), changed)
        self._keys, self._assocs, self._rest = self._key_sig(), self._assoc_sig(), \
            self._rest_sig()
        return changed

    def after(self, event: Event, timers: tuple) -> tuple[set[str], set[str]]:
        """Bring the answers up to date after ``event`` was folded (``timers``: the timer
        signature before it); the whats that changed, and those of them that are items
        written by this event (new, not a change of an earlier answer)."""
        w = self.world
        timers_still = self._timers() == timers
        if timers_still and not event.ok:
            return set(), set()  # a refused call changes nothing (and no timer fired)
        item = w.items.get(event.seq) if event.ok else None
        if timers_still and item is not None and event.seq not in self.item_what:
            changed: set[str] = set()
            self._items([item], changed)  # a write: its one new item
            return changed, set(changed)
        if timers_still and event.op == "sim:Label":
            changed = set()
            seq = int(event.req.get("Event", 0))
            target = w.items.get(seq)
            if target is not None:
                self._items([target], changed)
            self._rest = self._rest_sig()
            return changed, set()
        keys, assocs, rest = self._key_sig(), self._assoc_sig(), self._rest_sig()
        if (keys, assocs, rest) == (self._keys, self._assocs, self._rest):
            return set(), set()
        if (keys, assocs, rest[:4]) == (self._keys, self._assocs, self._rest[:4]):
            changed = set()
            self._entries(changed)  # only names changed (an alias, a saved value)
            self._rest = rest
            return changed, set()
        if not timers_still or rest[1:4] != self._rest[1:4] or assocs != self._assocs or \
                not event.op.startswith("kms:"):
            return self.refresh(), set()
        # A KMS call: only the items under the keys it changed (aliases name keys only)
        changed = set()
        self._entries(changed)
        moved = {arn for arn in keys.keys() | self._keys.keys()
                 if keys.get(arn) != self._keys.get(arn)}
        seqs = set().union(*(self.by_key.get(arn, set()) for arn in moved)) if moved else set()
        self._items((w.items[s] for s in sorted(seqs) if s in w.items), changed)
        self._keys, self._assocs, self._rest = keys, assocs, rest
        return changed, set()


class _Differences:
    """The answers that differ between two sides, kept as the sides change."""

    def __init__(self, a: _Side, b: _Side) -> None:
        self.a, self.b = a, b
        self.now: dict[str, tuple[str | None, str | None]] = {}
        self.update(set(a.values) | set(b.values))

    def update(self, whats: Iterable[str]) -> bool:
        """Recompute these entries; whether the differences changed."""
        changed = False
        for what in whats:
            pair = (self.a.values.get(what), self.b.values.get(what))
            if pair[0] != pair[1]:
                if self.now.get(what) != pair:
                    self.now[what] = pair
                    changed = True
            elif self.now.pop(what, None) is not None:
                changed = True
        return changed

    def snapshot(self, t: int, seq: int | None, op: str) -> Change:
        """The differences now, items past :data:`ITEMS_KEPT` counted."""
        rows = sorted(((what, a, b) for what, (a, b) in self.now.items()),
                      key=lambda row: _order(row[0]))
        kept, more = [], Counter()
        items = 0
        for row in rows:
            if row[0].startswith("item "):
                items += 1
                if items > ITEMS_KEPT:
                    res = self.a.resource.get(row[0]) or self.b.resource.get(row[0]) or "?"
                    more[res, row[1], row[2]] += 1
                    continue
            kept.append(row)
        return Change(t, seq, op, kept, more)


def _order(what: str) -> tuple:
    """Keys, then associations, then items (labelled ones by label, the others by number)."""
    kind, _, ref = what.partition(" ")
    if kind != "item":
        return (0 if kind == "key" else 1, ref, 0)
    return (3, "", int(ref[1:])) if ref.startswith("#") and ref[1:].isdigit() else (2, ref, 0)


def _chunks(events: Sequence[Event], lo: int) -> Iterator[Event]:
    for i in range(lo, len(events), CHUNK):
        yield from events[i:i + CHUNK]


def compare(f: Fork, principal: str, names: Mapping[str, Any] | None = None) -> list[Change]:
    """Walk both timelines event by event after the fork; keep each moment at which the
    differing answers change (items written since that differ count into the next
    moment), and the end."""
    back = {v: k for k, v in f.seq_map.items()}
    orig = _Side(f.original.world_after(f.n), principal, names, None)
    new = _Side(f.fork.world_after(f.n + len(f.steps)), principal, names, back)
    diff = _Differences(orig, new)
    out: list[Change] = []
    if diff.now:
        out.append(diff.snapshot(f.at, None, "(the steps)"))
    for event, replayed in zip(_chunks(f.original.events, f.n),
                               _chunks(f.fork.events, f.n + len(f.steps)), strict=True):
        before_a, before_b = orig._timers(), new._timers()
        orig.world.fold(event)
        new.world.fold(replayed)
        ca, fresh_a = orig.after(event, before_a)
        cb, fresh_b = new.after(replayed, before_b)
        if not (ca or cb):
            continue
        whats = ca | cb
        if not diff.update(whats):
            continue
        if whats <= (fresh_a | fresh_b):
            continue  # only items written now: the next moment kept shows them
        out.append(diff.snapshot(event.t, event.seq, event.op))
    # The end: after the last event and every timer still pending (a DeletionDate a week
    # away is often the whole point of the question).
    end = max(f.original.end, f.fork.end, f.at,
              *(tm.due for w in (orig.world, new.world) for tm in w.pending_timers()))
    for side in (orig, new):
        timers = side._timers()
        side.world.advance_to(end)
        if side._timers() != timers:  # a timer fired: answer everything at the end
            diff.update(side.refresh())
    out.append(diff.snapshot(end, None, "(the end, every pending timer fired)"))
    return out


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

    world = f.fork.live
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

"""Long answers of ``kmsim debug`` told in a screen (issue 11): events passed, state changes
and items, counted and grouped past a few, with the last ones shown.

A ``goto`` over 712,000 events says "passed 712,000 events (logs:PutLogEvents 705,113, ...)"
and shows the last few, not one line per event; a key that changed state 7,000 times is one
line with the counts of each change and its last one; items written or whose answer changed
are counted per resource and answer. Few of each are still listed one by one, as before.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence

from events.record import Event
from projections.arns import short_resource
from projections.model import Association
from projections.world import World

#: Up to this many events passed are listed one by one; past it, counted by operation.
EVENTS_LISTED = 20
#: The events shown after a count of events passed.
LAST_EVENTS = 5
#: Up to this many state changes of one key or association are listed; past it, counted.
CHANGES_LISTED = 6
#: The changes shown after a count of one key's or association's changes.
LAST_CHANGES = 2
#: Up to this many items are listed one by one (written, or whose answer changed).
ITEMS_LISTED = 20
#: Events decoded at a time when counting (a log file's events are decoded on demand).
CHUNK = 4096

def events_between(events: Sequence[Event], lo: int, hi: int) -> Iterator[Event]:
    """Events ``lo+1..hi`` (by position), decoded a chunk at a time, never all at once."""
    for i in range(lo, hi, CHUNK):
        yield from events[i:min(hi, i + CHUNK)]


def count(n: int, noun: str) -> str:
    """``1 event``, ``712,000 events``."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def ops_text(ops: Counter[str], shown: int = 6) -> str:
    """``logs:PutLogEvents 705,113, kms:DisableKey 3,500, ... 2 more ops``."""
    parts = [f"{op} {n:,}" for op, n in ops.most_common(shown)]
    if len(ops) > shown:
        parts.append(f"{len(ops) - shown} more ops")
    return ", ".join(parts)


def passed_events(events: Iterable[Event], line: Callable[[Event], str], total: int,
                  skip: Callable[[Event], bool] = lambda e: False) -> list[str]:
    """The events passed: each one's line when few, else a count by operation and the
    last :data:`LAST_EVENTS` (``skip`` leaves bookkeeping events out of the lines)."""
    if total <= EVENTS_LISTED:
        return [line(e) for e in events if not skip(e)]
    ops: Counter[str] = Counter()
    last: list[Event] = []
    for e in events:
        ops[e.op] += 1
        if not skip(e):
            last.append(e)
            if len(last) > LAST_EVENTS:
                del last[0]
    out = [f"passed {count(total, 'event')} ({ops_text(ops)})"]
    if last:
        out.append(f"  the last {len(last)}:")
        out += [line(e) for e in last]
    return out


def grouped_changes(name: str, changes: list[tuple[str, ...]],
                    line: Callable[[tuple[str, ...]], str]) -> list[str]:
    """One thing's state changes ``(name, before, after, detail)``: each when few, else
    the count of each change and the last :data:`LAST_CHANGES`."""
    if len(changes) <= CHANGES_LISTED:
        return [line(c) for c in changes]
    kinds = Counter((c[1], c[2]) for c in changes)
    text = ", ".join(f"{a} -> {b} {n:,}x" for (a, b), n in kinds.most_common())
    out = [f"  {name}: {count(len(changes), 'change')} ({text}); the last {LAST_CHANGES}:"]
    return out + ["  " + line(c) for c in changes[-LAST_CHANGES:]]


def changes_lines(what: str, changes: list[tuple[str, ...]],
                  line: Callable[[tuple[str, ...]], str]) -> list[str]:
    """The state changes of many things of a kind (keys, associations), each
    ``(name, before, after, detail)`` in order: per thing (:func:`grouped_changes`) while
    that fits in :data:`ITEMS_LISTED` lines, else one count for them all and the last
    :data:`LAST_CHANGES`."""
    by: dict[str, list[tuple[str, ...]]] = {}
    for c in changes:
        by.setdefault(c[0], []).append(c)
    lines = [x for name, found in by.items()
             for x in grouped_changes(f"{what} {name}", found, line)]
    if len(lines) <= ITEMS_LISTED:
        return lines
    kinds = Counter((c[1], c[2]) for c in changes)
    text = ", ".join(f"{a} -> {b} {n:,}x" for (a, b), n in kinds.most_common())
    return [f"  {what}s: {count(len(changes), 'change')} of {count(len(by), what)} ({text}); "
            f"the last {LAST_CHANGES}:", *("  " + line(c) for c in changes[-LAST_CHANGES:])]


def shown_associations(world: World, every: bool = False
                       ) -> tuple[list[Association], list[Association]]:
    """The associations ``state`` lists one by one (all when few or ``every``; else those
    in a window first, up to :data:`ITEMS_LISTED`) and the rest, to count."""
    assocs = list(world.associations.values())
    if every or len(assocs) <= ITEMS_LISTED:
        return assocs, []
    moving = [a for a in assocs if a.window]
    shown = (moving + [a for a in assocs if not a.window])[:ITEMS_LISTED]
    ids = {id(a) for a in shown}
    return shown, [a for a in assocs if id(a) not in ids]


class ItemTally:
    """Items written, and items whose answer changed, counted per resource and answer;
    the first :data:`ITEMS_LISTED` of each are kept as lines."""

    def __init__(self) -> None:
        self.written: Counter[tuple[str, str]] = Counter()   # (resource, status) -> items
        self.changed: Counter[tuple[str, str, str]] = Counter()  # (resource, was, now)
        self.written_lines: list[str] = []
        self.changed_lines: list[str] = []

    @property
    def lists_written(self) -> bool:
        """Whether the next item written still gets its own line (give it to add_written)."""
        return len(self.written_lines) <= ITEMS_LISTED

    @property
    def lists_changed(self) -> bool:
        """Whether the next changed item still gets its own line."""
        return len(self.changed_lines) <= ITEMS_LISTED

    def add_written(self, resource: str, status: str, line: str | None) -> None:
        """Count an item written in between, with its line while :attr:`lists_written`."""
        self.written[resource, status] += 1
        if line is not None and self.lists_written:
            self.written_lines.append(line)

    def add_changed(self, resource: str, was: str, now: str, line: str | None) -> None:
        """Count an item whose answer changed from ``was`` to ``now`` (its line while
        :attr:`lists_changed`)."""
        self.changed[resource, was, now] += 1
        if line is not None and self.lists_changed:
            self.changed_lines.append(line)

    def lines(self, short: Callable[[str], str]) -> list[str]:
        """Each item when few; else counts per resource (``short`` names a resource)."""
        out: list[str] = []
        n = sum(self.written.values())
        if n <= ITEMS_LISTED:
            out += self.written_lines
        else:
            by: dict[str, Counter[str]] = {}
            for (res, status), k in self.written.items():
                by.setdefault(res, Counter())[status] += k
            out.append(f"  items written: {n:,} in {count(len(by), 'resource')}")
            out += _per_resource(by, short)
        n = sum(self.changed.values())
        if n <= ITEMS_LISTED:
            out += self.changed_lines
        else:
            by = {}
            for (res, was, now), k in self.changed.items():
                by.setdefault(res, Counter())[f"{was} -> {now}"] += k
            out.append(f"  items whose answer changed: {n:,} in "
                       f"{count(len(by), 'resource')}")
            out += _per_resource(by, short)
        return out


def _per_resource(by: dict[str, Counter[str]], short: Callable[[str], str],
                  shown: int = 10) -> list[str]:
    rows = sorted(by.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    out = [f"    {short(res):<24} " + ", ".join(f"{what} {n:,}" for what, n in c.most_common())
           for res, c in rows[:shown]]
    if len(rows) > shown:
        rest = sum(sum(c.values()) for _, c in rows[shown:])
        out.append(f"    ... {count(len(rows) - shown, 'more resource')} ({rest:,} items)")
    return out


def per_resource_lines(n: int, listed: int, per: dict[str, dict[str, int]]) -> list[str]:
    """After the first ``listed`` of ``n`` items: how many are left, and each resource's
    count per answer (the ten fullest); nothing when every item was listed."""
    if n <= listed:
        return []
    out = [f"  ... {n - listed:,} more; {count(n, 'item')} in {count(len(per), 'resource')} "
           "(--all lists every one):"]
    for res, c in sorted(per.items(), key=lambda kv: -sum(kv[1].values()))[:10]:
        out.append(f"    {short_resource(res):<24} " + ", ".join(f"{k} {v:,}"
                                                              for k, v in c.items()))
    if len(per) > 10:
        out.append(f"    ... {count(len(per) - 10, 'more resource')}")
    return out

"""The answers ``kmsim timeline`` embeds: every data item's status at every moment of the
page, computed once per group of like items, not once per item.

A log of a million writes has a million items; asking each one at each of hundreds of
moments is what made the page take minutes. Items are grouped by what an answer can
depend on (kind, resource, account, Region, possible keys) and by whether the live world
(after the last event) has them gone. At a moment, one present item of a group is
answered through a copy that notes which fields the evaluator read: when it read only
those the group shares (and ``gone``, None), that answer is the answer of every present
item of the group that is not gone, because an evaluator is a function of the world, the
principal and the fields it reads. Which items are gone at a moment comes from the live
world's causes:

* an item's ``gone`` is set once, when it ends (the folds end only items not gone yet),
  and never cleared, so an item is gone from its cause's moment on and not before; an
  item not gone in the live world was not gone at any moment up to the last event;
* after the last event only timers run, and a timer ends an item only through its
  expiry: a group without ``expires_at`` stays as the live world has it.

Each representative is checked against this (the one answered for the others is not
gone, the one named for the gone is gone); where a check fails, where the evaluator read
more than the group shares, or for a group with expiries after the last event, the
group's *tracked* items are asked one by one: all items of a small log (exact), about
``TRACK_MAX`` evenly spaced ones of a big log, the rest of the group then estimated from
them and the answer marked not exact (the page shows ``~``).
"""

from __future__ import annotations

import bisect
import dataclasses
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from projections.decrypt import Answer
from projections.model import DataItem
from projections.timetravel.timeline import Timeline
from projections.world import World
from sim.debugger import Session, why_text
from sim.progress import progress
from sim.timeline_moments import world_at

#: Up to this many items in all, every item is tracked (answered on its own when needed).
LIST_ALL = 1500
#: Past ``LIST_ALL``, about this many items are tracked, spread over the groups.
TRACK_MAX = 1500
#: The fewest tracked items of a group (its first and last write among them).
TRACK_MIN = 5
#: The fields every item of a group has alike (``gone`` is None for the present ones).
SHARED = frozenset({"kind", "resource", "account", "region", "keys", "gone"})
_FIELDS = tuple(f.name for f in dataclasses.fields(DataItem))
_FIELD_SET = frozenset(_FIELDS)


class _Recording(DataItem):
    """A copy of an item that notes which of its fields are read."""

    __slots__ = ()
    reads: ClassVar[set[str]] = set()

    def __getattribute__(self, name: str) -> Any:
        if name in _FIELD_SET:
            _Recording.reads.add(name)
        return object.__getattribute__(self, name)


def answer_and_reads(session: Session, world: World, item: DataItem
                     ) -> tuple[Answer, frozenset[str]]:
    """The session's answer for ``item`` in ``world`` and the item fields it read."""
    copy = object.__new__(_Recording)
    for name in _FIELDS:
        object.__setattr__(copy, name, getattr(item, name))
    _Recording.reads = set()
    answer = session.answer(world, copy)
    return answer, frozenset(_Recording.reads)


@dataclass
class Group:
    """Items alike in everything an answer may read, in seq order."""

    index: int
    kind: str
    resource: str
    keys: tuple[str | None, ...]
    ended: bool                       #: gone in the live world
    expires: bool = False             #: some item has an expiry (timers may end it)
    seqs: array = field(default_factory=lambda: array("q"))
    written: array = field(default_factory=lambda: array("q"))
    gone_t: array = field(default_factory=lambda: array("q"))
    gone_seq: array = field(default_factory=lambda: array("q"))   # -1: a timer's
    tracked: list[int] = field(default_factory=list)              # positions in seqs
    gone_sorted: bool = True

    def present(self, n: int) -> int:
        """How many of its items the first ``n`` events wrote."""
        return bisect.bisect_right(self.seqs, n)

    def surely_gone(self, t: int, n: int, k: int) -> int:
        """How many of the first ``k`` items are gone at ``(t, n)`` by their live cause."""
        if not self.ended:
            return 0
        gt, gs = self.gone_t, self.gone_seq
        if not self.gone_sorted:
            return sum(1 for i in range(k) if gt[i] < t or (gt[i] == t and gs[i] <= n))
        hi = bisect.bisect_right(gt, t, 0, k)
        lo = bisect.bisect_left(gt, t, 0, hi)
        return hi - sum(1 for i in range(lo, hi) if gs[i] > n)  # same instant, later event


def build_groups(live: World) -> list[Group]:
    """The live world's items, grouped (one pass, no per-item object kept)."""
    index: dict[tuple, Group] = {}
    with progress(len(live.items), "grouping items", unit="items") as bar:
        for i, item in enumerate(live.iter_items()):
            if not i & 0xFFFF:
                bar.advance(0x10000 if i else 0)
            _add(index, item)
    return list(index.values())


def _add(index: dict[tuple, Group], item: DataItem) -> None:
    gone = item.gone
    key = (item.kind, item.resource, item.account, item.region, item.keys, gone is not None)
    g = index.get(key)
    if g is None:
        g = index[key] = Group(len(index), item.kind, item.resource, item.keys,
                               gone is not None)
    g.seqs.append(item.seq)
    g.written.append(item.written_at)
    if item.expires_at is not None:
        g.expires = True
    if gone is not None:
        if g.gone_t and gone.t < g.gone_t[-1]:
            g.gone_sorted = False
        g.gone_t.append(gone.t)
        g.gone_seq.append(-1 if gone.seq is None else gone.seq)


def choose_tracked(groups: list[Group]) -> None:
    """Mark the tracked items: all of them in a small log, else evenly spaced per group."""
    total = sum(len(g.seqs) for g in groups)
    for g in groups:
        size = len(g.seqs)
        want = size if total <= LIST_ALL else min(size, max(
            TRACK_MIN, round(size * TRACK_MAX / total)))
        if want >= size:
            g.tracked = list(range(size))
        elif want <= 1:
            g.tracked = [size - 1]
        else:
            step = (size - 1) / (want - 1)
            g.tracked = sorted({round(i * step) for i in range(want)})


class Answers:
    """Distinct answers, numbered in order of first use (the page refers to them)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rows: list[list] = []
        self._index: dict[tuple, int] = {}

    def of(self, a: Answer, world: World) -> int:
        """The number of answer ``a`` (its status, permanence, reason and keys)."""
        s = self.session
        text = s.short(why_text(a))[:300]
        keys = "|".join(s.key_name(k, world) for k in a.keys)
        key = (a.status, a.permanent, text, keys)
        found = self._index.get(key)
        if found is None:
            found = self._index[key] = len(self.rows)
            self.rows.append([a.status, int(a.permanent), text, keys])
        return found


@dataclass
class MomentAnswers:
    """Per moment: each group's answer (uniform, or counts), each tracked item's answer."""

    #: per moment, per group: present items.
    present: list[list[int]] = field(default_factory=list)
    #: per moment, per group: the answer of all present items, -1 (none present), -2 (mixed).
    uniform: list[list[int]] = field(default_factory=list)
    #: per moment: {group: [exact, [[answer, count], ...]]} for the mixed groups.
    mixed: list[dict[int, list]] = field(default_factory=list)
    #: per tracked item: [[moment, answer or -1 (not written yet)], ...] when it changes.
    runs: dict[int, list[list[int]]] = field(default_factory=dict)


def answer_moments(session: Session, groups: list[Group], moments: list[tuple[int, int]],
                   answers: Answers, visit: Callable[[int, World], None] | None = None
                   ) -> MomentAnswers:
    """Answer every group at every moment ``(t, n)``; ``visit(i, world)`` (if given) sees
    the world of each moment once, in order (one world in memory at a time)."""
    tl: Timeline = session.timeline
    end = tl.end
    out = MomentAnswers()
    last: dict[int, int] = {}
    gone_cache: dict[int, int] = {}
    with progress(len(moments), "answering", unit="moments") as bar:
        for mi, (t, n) in enumerate(moments):
            w = world_at(tl, t, n)
            if visit is not None:
                visit(mi, w)
            present, uniform, mixed = [], [], {}
            for g in groups:
                k = g.present(n)
                present.append(k)
                if k == 0:
                    uniform.append(-1)
                    _runs(out, last, g, mi, n, None, {})
                    continue
                ai, per_item = _answer_group(session, answers, w, g, t, n, k, end, gone_cache)
                if isinstance(ai, int):
                    uniform.append(ai)
                else:
                    uniform.append(-2)
                    mixed[g.index] = ai
                _runs(out, last, g, mi, n, ai if isinstance(ai, int) else None, per_item)
            out.present.append(present)
            out.uniform.append(uniform)
            out.mixed.append(mixed)
            bar.advance()
    return out


def _alive_answer(session: Session, answers: Answers, w: World, item: DataItem | None
                  ) -> int | None:
    """The answer shared by the group's present, not-gone items, if the evaluator read
    only what they share (None: it read more, or ``item`` is not a usable representative)."""
    if item is None or item.gone is not None:
        return None
    a, reads = answer_and_reads(session, w, item)
    return answers.of(a, w) if reads <= SHARED else None


def _answer_group(session: Session, answers: Answers, w: World, g: Group, t: int, n: int,
                  k: int, end: int, gone_cache: dict[int, int]
                  ) -> tuple[int | list, dict[int, int]]:
    """The group's answer at ``(t, n)``: one answer number for all ``k`` present items, or
    ``[exact, [[answer, count], ...]]``; and the answers of tracked items on their own."""
    if t <= end or not g.expires:
        found = _by_causes(session, answers, w, g, t, n, k, gone_cache)
        if found is not None:
            return found
    return _one_by_one(session, answers, w, g, t, n, k)


def _by_causes(session: Session, answers: Answers, w: World, g: Group, t: int, n: int,
               k: int, gone_cache: dict[int, int]) -> tuple[int | list, dict[int, int]] | None:
    """The answer when the live causes tell which present items are gone (see the module
    docstring): one representative of the others, checked not gone, answers for them all;
    one of the gone, checked gone, names their status. None when a check fails or the
    evaluator read more than the group shares."""
    gone_now = g.surely_gone(t, n, k)
    parts: dict[int, int] = {}
    alive: int | None = None
    if gone_now < k:
        pos = next(i for i in range(k - 1, -1, -1)
                   if not g.ended or not _gone_by_cause(g, i, t, n))
        alive = _alive_answer(session, answers, w, w.items.get(g.seqs[pos]))
        if alive is None:
            return None
        parts[alive] = k - gone_now
    if not gone_now:
        return alive, {}  # type: ignore[return-value]
    pos = next(i for i in range(k) if _gone_by_cause(g, i, t, n))
    item = w.items.get(g.seqs[pos])
    if item is None or item.gone is None:
        return None  # the live cause does not hold here: ask item by item
    gone_ai = answers.of(session.answer(w, item), w)
    parts[gone_ai] = parts.get(gone_ai, 0) + gone_now
    per_item: dict[int, int] = {}
    for pos in g.tracked:
        if pos >= k:
            break
        if not _gone_by_cause(g, pos, t, n):
            per_item[pos] = alive  # type: ignore[assignment]
            continue
        seq = g.seqs[pos]
        if seq not in gone_cache:  # a gone item's answer is its own, from its cause
            item = w.items.get(seq)
            gone_cache[seq] = gone_ai if item is None else answers.of(session.answer(w, item), w)
        per_item[pos] = gone_cache[seq]
    if len(parts) == 1:
        return gone_ai, per_item
    return [1, [[ai, c] for ai, c in sorted(parts.items())]], per_item


def _one_by_one(session: Session, answers: Answers, w: World, g: Group, t: int, n: int,
                k: int) -> tuple[int | list, dict[int, int]]:
    """Ask each tracked present item; the rest of the group (if any) is estimated from
    them, the result then marked not exact."""
    counts: dict[int, int] = {}
    per_item: dict[int, int] = {}
    alive: int | None = None
    for pos in g.tracked:
        if pos >= k:
            break
        item = w.items.get(g.seqs[pos])
        if item is None:
            continue
        if item.gone is not None:
            ai = answers.of(session.answer(w, item), w)
        elif alive is not None:
            ai = alive
        else:
            a, reads = answer_and_reads(session, w, item)
            ai = answers.of(a, w)
            if reads <= SHARED:
                alive = ai  # the evaluator read only what the group shares
        per_item[pos] = ai
        counts[ai] = counts.get(ai, 0) + 1
    asked = len(per_item)
    if not asked:
        return [0, [[-1, k]]], per_item  # nothing tracked to estimate from
    exact = asked == k
    if len(counts) == 1 and exact:
        return next(iter(counts)), per_item
    share = _scale(counts, asked, k)
    return [int(exact), [[ai, c] for ai, c in sorted(share.items())]], per_item


def _gone_by_cause(g: Group, pos: int, t: int, n: int) -> bool:
    gt, gs = g.gone_t[pos], g.gone_seq[pos]
    return gt < t or (gt == t and gs <= n)


def _scale(counts: dict[int, int], asked: int, total: int) -> dict[int, int]:
    """``counts`` of ``asked`` sampled items scaled to ``total`` (largest remainders)."""
    if asked == total:
        return dict(counts)
    raw = {ai: c * total / asked for ai, c in counts.items()}
    out = {ai: int(v) for ai, v in raw.items()}
    rest = total - sum(out.values())
    for ai in sorted(raw, key=lambda a: raw[a] - out[a], reverse=True)[:rest]:
        out[ai] += 1
    return out


def _runs(out: MomentAnswers, last: dict[int, int], g: Group, mi: int, n: int,
          uniform: int | None, per_item: dict[int, int]) -> None:
    """Extend each tracked item's runs with its answer at moment ``mi``."""
    for pos in g.tracked:
        seq = g.seqs[pos]
        if seq > n:
            ai = -1
        else:
            ai = per_item.get(pos, -1 if uniform is None else uniform)
        if last.get(seq) != ai:
            last[seq] = ai
            out.runs.setdefault(seq, []).append([mi, ai])

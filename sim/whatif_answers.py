"""What-if: one world's answers kept up to date as it folds, and the answers two worlds
disagree on, in compact form.

A side answers every item of its world (once per shape, :class:`projections.decrypt.Answers`)
and keeps, per item, only numbers: its seq, its answer's code, its resource's index and
its place in its key set's list (about 17 bytes an item, where dicts per item took ~500:
a million items each side did not fit the 200 MB every verb has, issue 11). Labels are
few and kept by item. The differences are three bytes per item number. An answer is
named by a *what*: ``"key ARN"``, ``"association R"``, ``"item LABEL"`` (strings), or the
item's number as an ``int`` (``item #N``: the original's number; the fork's later items
map back to it).
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from events.record import Event
from projections.decrypt import Answers
from projections.model import DataItem
from projections.names import key_name
from projections.simops.fold import SavedValues
from projections.timetravel.answers import association_key
from projections.world import World

#: A what: a string, or an unlabelled item's number.
What = str | int

#: Answer texts by code (0: no answer); codes are given as texts are first seen.
_TEXTS: list[str | None] = [None]
_CODES: dict[str | None, int] = {None: 0}


def _code(text: str | None) -> int:
    code = _CODES.get(text)
    if code is None:
        code = _CODES[text] = len(_TEXTS)
        _TEXTS.append(text)
    return code


def what_text(what: What) -> str:
    """The what as a line names it (``item #15`` for 15)."""
    return f"item #{what}" if isinstance(what, int) else what


class Side:
    """One world's answers, kept up to date as its world folds events. ``seq_of`` maps the
    fork's item seqs back to the original's numbers (the numbers items are named by)."""

    def __init__(self, world: World, principal: str, names: Mapping[str, Any] | None,
                 seq_of: Mapping[int, int] | None) -> None:
        self.world, self.principal, self.names = world, principal, names
        self.seq_of = seq_of or {}
        # and back: the fork's seq of an item the original numbers N (a SeqShift inverts
        # without entries; a small mapping is turned round)
        inverse = getattr(self.seq_of, "inverse", None)
        self._seq_for: Mapping[int, int] = inverse() if inverse is not None else \
            {v: k for k, v in self.seq_of.items()}
        self.entries: dict[str, str] = {}      # keys and associations: what -> answer
        self.seqs = array("q")                 # the items' seqs, increasing
        self.codes = bytearray()               # each item's answer (its code)
        self.res = array("I")                  # each item's resource (index in resources)
        self.labels: dict[int, str] = {}       # item index -> label (labelled ones only)
        self.by_label: dict[str, int] = {}
        self.resources: list[str] = []
        self._res_ix: dict[str, int] = {}
        self.keysets: list[tuple] = []
        self._ks_ix: dict[tuple, int] = {}
        self._ks_items: list[array] = []       # keyset index -> its items' indexes
        self._keys = self._assocs = self._rest = None  # the last signatures seen
        self.refresh(_Ignored())  # every item is new: no set of a million changes

    # -- reading ---------------------------------------------------------------------------
    def _index(self, seq: int) -> int | None:
        seqs = self.seqs
        i = bisect.bisect_left(seqs, seq)
        return i if i < len(seqs) and seqs[i] == seq else None

    def _number(self, i: int) -> int:
        seq = self.seqs[i]
        return self.seq_of.get(seq, seq)

    def _what(self, i: int) -> What:
        label = self.labels.get(i)
        return f"item {label}" if label is not None else self._number(i)

    def item_of(self, what: What) -> int | None:
        """The index of the item ``what`` names here, if any."""
        if isinstance(what, int):
            i = self._index(self._seq_for.get(what, what))
            return None if i is None or i in self.labels else i
        if what.startswith("item "):
            return self.by_label.get(what[5:])
        return None

    def get(self, what: What) -> str | None:
        """The answer named ``what`` (None: this side has none)."""
        if isinstance(what, str) and not what.startswith("item "):
            return self.entries.get(what)
        i = self.item_of(what)
        return None if i is None else _TEXTS[self.codes[i]]

    def resource(self, what: What) -> str | None:
        """The resource of the item ``what`` names here, if any."""
        i = self.item_of(what)
        return None if i is None else self.resources[self.res[i]]

    def whats(self) -> Iterable[What]:
        """Every what this side answers."""
        yield from self.entries
        for i, code in enumerate(self.codes):
            if code:
                yield self._what(i)

    def values(self) -> dict[str, str]:
        """Every answer as ``{what text: answer}`` (small worlds: tests, :func:`answers`)."""
        return {what_text(w): str(self.get(w)) for w in self.whats()}

    # -- what the answers depend on -------------------------------------------------------
    def timers(self) -> tuple:
        """What says a timer fired (their count and the next one's time)."""
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
        return (self.timers(), len(w.principals),
                tuple(id(p.policies) for p in w.principals.values()), len(w.labels),
                len(w.aliases), len(w.peek(SavedValues).values))  # the last two: names

    # -- updating ---------------------------------------------------------------------------
    def _set_entry(self, what: str, value: str | None, changed: set[What]) -> None:
        if self.entries.get(what) != value:
            if value is None:
                self.entries.pop(what, None)
            else:
                self.entries[what] = value
            changed.add(what)

    def _entries(self, changed: set[What]) -> None:
        """Keys and associations (a few): named as at this moment."""
        w = self.world
        seen = set()
        for key in w.keys.values():
            seen.add(what := f"key {key.arn}")
            self._set_entry(what, key.state, changed)
        for assoc in w.associations.values():
            seen.add(what := f"association {assoc.resource}")
            self._set_entry(what, f"{assoc.state} "
                            f"({key_name(w, association_key(assoc), self.names)})", changed)
        for what in [x for x in self.entries if x not in seen]:
            self._set_entry(what, None, changed)

    def _new(self, item: DataItem) -> int:
        i = len(self.seqs)
        self.seqs.append(item.seq)
        self.codes.append(0)
        r = self._res_ix.get(item.resource)
        if r is None:
            r = self._res_ix[item.resource] = len(self.resources)
            self.resources.append(item.resource)
        self.res.append(r)
        keys = tuple(item.keys)
        k = self._ks_ix.get(keys)
        if k is None:
            k = self._ks_ix[keys] = len(self.keysets)
            self.keysets.append(keys)
            self._ks_items.append(array("I"))
        self._ks_items[k].append(i)
        return i

    def _items(self, items: Iterable[DataItem], changed: set[What]) -> None:
        answer = Answers(self.world, self.principal)
        for item in items:
            seq = item.seq
            last = self.seqs[-1] if self.seqs else 0
            i = self._new(item) if seq > last else self._index(seq)
            if i is None:  # an item older than the last one seen, new here (a refresh)
                i = self._insert(item)
            label = item.label
            if label and self.labels.get(i) != label:
                if self.codes[i]:  # known by another name until now: that name goes
                    changed.add(self._what(i))
                    self.by_label.pop(self.labels.get(i, ""), None)
                self.labels[i], self.by_label[label] = label, i
                self.codes[i] = 0
            code = _code(answer(item).status)
            if self.codes[i] != code:
                self.codes[i] = code
                changed.add(self._what(i))

    def _insert(self, item: DataItem) -> int:
        """An item not seen before whose seq is below the last one's (kept in seq order)."""
        i = bisect.bisect_left(self.seqs, item.seq)
        end = self._new(item)  # appended, then moved into place
        for column in (self.seqs, self.codes, self.res):
            value = column[end]
            del column[end]
            column.insert(i, value)
        self.labels = {(j + 1 if j >= i else j): v for j, v in self.labels.items()}
        self.by_label = {v: j for j, v in self.labels.items()}
        self._ks_items = [array("I", sorted(i if j == end else j + 1 if j >= i else j
                                            for j in a)) for a in self._ks_items]
        return i

    def refresh(self, changed: set[What] | None = None) -> set[What]:
        """Answer everything again; the whats whose answer changed (added to ``changed``)."""
        changed = set() if changed is None else changed
        self._entries(changed)
        self._items(self.world.iter_items(), changed)
        self._keys, self._assocs, self._rest = self._key_sig(), self._assoc_sig(), \
            self._rest_sig()
        return changed

    def after(self, event: Event, timers: tuple) -> tuple[set[What], set[What]]:
        """Bring the answers up to date after ``event`` was folded (``timers``: the timer
        signature before it); the whats that changed, and those of them that are items
        written by this event (new, not a change of an earlier answer)."""
        w = self.world
        timers_still = self.timers() == timers
        if timers_still and not event.ok:
            return set(), set()  # a refused call changes nothing (and no timer fired)
        item = w.items.get(event.seq) if event.ok else None
        if timers_still and item is not None and \
                (not self.seqs or event.seq > self.seqs[-1]):
            changed: set[What] = set()
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
        lists = [self._ks_items[k] for k, keyset in enumerate(self.keysets)
                 if moved.intersection(keyset)]
        under = lists[0] if len(lists) == 1 else heapq.merge(*lists)  # in seq order
        items, seqs = w.items, self.seqs
        self._items((items[seqs[i]] for i in under if seqs[i] in items), changed)
        self._keys, self._assocs, self._rest = keys, assocs, rest
        return changed, set()


class _Ignored(set):
    """A set that keeps nothing (what changed is not asked for)."""

    def add(self, _: object) -> None:
        return None


class Differences:
    """The answers that differ between two sides, kept as the sides change: entries (keys,
    associations, labelled items) in a dict, item numbers in three bytes each."""

    def __init__(self, a: Side, b: Side) -> None:
        self.a, self.b = a, b
        self.named: dict[str, tuple[str | None, str | None]] = {}
        self.flags = bytearray()    # item number -> 1 when its answers differ
        self.pair_a = bytearray()   # ... and their codes
        self.pair_b = bytearray()
        self.count = 0              # item numbers that differ
        self.update(itertools.chain(a.whats(), b.whats()))

    def __bool__(self) -> bool:
        return bool(self.named) or self.count > 0

    def update(self, whats: Iterable[What]) -> bool:
        """Recompute these entries; whether the differences changed."""
        changed = False
        a, b = self.a, self.b
        for what in whats:
            pair = (a.get(what), b.get(what))
            if isinstance(what, int):
                changed |= self._number(what, pair)
            elif pair[0] != pair[1]:
                if self.named.get(what) != pair:
                    self.named[what] = pair
                    changed = True
            elif self.named.pop(what, None) is not None:
                changed = True
        return changed

    def _number(self, n: int, pair: tuple[str | None, str | None]) -> bool:
        if n >= len(self.flags):
            grow = n + 1 - len(self.flags) + (len(self.flags) >> 3)
            for column in (self.flags, self.pair_a, self.pair_b):
                column.extend(bytes(grow))
        codes = (_code(pair[0]), _code(pair[1]))
        if codes[0] != codes[1]:
            if self.flags[n] and (self.pair_a[n], self.pair_b[n]) == codes:
                return False
            self.count += not self.flags[n]
            self.flags[n], self.pair_a[n], self.pair_b[n] = 1, *codes
            return True
        if self.flags[n]:
            self.flags[n] = 0
            self.count -= 1
            return True
        return False

    def rows(self, kept: int) -> tuple[list[tuple[str, str | None, str | None]], Counter]:
        """The differences in order (keys, associations, labelled items by label, the
        others by number), past ``kept`` items counted per (resource, original, what-if)."""
        named = sorted(((w, a, b) for w, (a, b) in self.named.items()),
                       key=lambda row: _order(row[0]))
        out: list[tuple[str, str | None, str | None]] = []
        more: Counter = Counter()
        shown = 0

        def add(row: tuple[str, str | None, str | None], what: What) -> None:
            nonlocal shown
            if shown < kept:
                out.append(row)
                shown += 1
            else:
                more[self._resource(what), row[1], row[2]] += 1

        for row in named:
            if row[0].startswith("item "):
                add(row, row[0])
            else:
                out.append(row)
        flags, n = self.flags, self.flags.find(1)
        while n >= 0:
            add((f"item #{n}", _TEXTS[self.pair_a[n]], _TEXTS[self.pair_b[n]]), n)
            n = flags.find(1, n + 1)
        return out, more

    def _resource(self, what: What) -> str:
        return self.a.resource(what) or self.b.resource(what) or "?"


def _order(what: str) -> tuple:
    """Keys, then associations, then items (labelled ones by label, the others by number)."""
    kind, _, ref = what.partition(" ")
    if kind != "item":
        return (0 if kind == "key" else 1, ref, 0)
    return (3, "", int(ref[1:])) if ref.startswith("#") and ref[1:].isdigit() else (2, ref, 0)

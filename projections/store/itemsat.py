"""The ``items`` of a world restored from a checkpoint: a copy-on-read view of the store.

The checkpoint's items are the shared versions :class:`~projections.store.itemstore.ItemStore`
keeps for it; the first access to one hands out a private copy, and items the restored
world adds, replaces or removes stay in the view, so folding later events into that world
never touches what the live world or another checkpoint sees.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterator, MutableMapping
from typing import Any

from projections.model import DataItem
from projections.store.itemcolumns import ItemColumns
from projections.store.items import AddsItems, ItemDict
from projections.store.itemstore import ItemStore, copy_item


class ItemsAt(AddsItems, MutableMapping):
    """The ``items`` of a world restored from a checkpoint: copy-on-read over the store."""

    def __init__(self, store: ItemStore, cp_id: int, floor: int) -> None:
        self._store = store
        self._cp = cp_id
        self._floor = floor
        self._own: dict[int, Any] = {}   # private copies, new items; None: removed

    def __getitem__(self, seq: int) -> DataItem:
        own = self._own
        if seq in own:
            item = own[seq]
        else:
            shared = self._store.version(seq, self._cp, self._floor) \
                if isinstance(seq, int) else None
            item = own[seq] = None if shared is None else copy_item(shared)
        if item is None:
            raise KeyError(seq)
        return item

    def __contains__(self, seq: object) -> bool:
        if seq in self._own:
            return self._own[seq] is not None
        return isinstance(seq, int) and \
            self._store.version(seq, self._cp, self._floor) is not None

    def __setitem__(self, seq: int, item: DataItem) -> None:
        self._own[seq] = item

    def __delitem__(self, seq: int) -> None:
        if seq not in self:
            raise KeyError(seq)
        self._own[seq] = None

    def __iter__(self) -> Iterator[int]:
        base = self._store.seqs_at(self._cp, self._floor)
        extra = sorted(s for s, v in self._own.items() if v is not None and
                       self._store.version(s, self._cp, self._floor) is None)
        own = self._own
        for seq in _merge(base, extra):
            if seq not in own or own[seq] is not None:
                yield seq

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def peek_values(self) -> Iterator[DataItem]:
        """The items in seq order, to read only: the checkpoint's shared versions as they
        are, not copied (writing to one would change the checkpoint), so reading every item
        of a big log costs no copy each and keeps none (``kmsim at``, ``diff``)."""
        row, cls = self.columns.item, self.row_class
        for part in self.peek_parts():
            if part.__class__ is range:
                for i in part:
                    yield row(i, cls)
            else:
                yield part

    @property
    def columns(self) -> ItemColumns:
        """The live store's columns (their rows up to the checkpoint are this view's)."""
        return self._store.live.cols

    @property
    def row_class(self) -> type:
        """The class of the items read back from :attr:`columns`' rows (to read only)."""
        return self._store.live._row_class

    def peek_parts(self) -> Iterator[DataItem | range]:
        """:meth:`peek_values` in parts: an item object, or a ``range`` of rows of
        :attr:`columns` that are all this view's items as they are (alive, unchanged since
        the checkpoint), in seq order. A reader that needs only what a row holds (its shape
        and times) reads the columns and builds no item (the roll-up of ``kmsim at``)."""
        # The few seqs with other versions (changed since, the view's own) are cut out of
        # the rows and merged in by position, with the live objects up to the checkpoint.
        store, own, cp, floor = self._store, self._own, self._cp, self._floor
        live, exceptions = store.live, store.exceptions
        special = {s for s in exceptions if s <= floor} | set(own)
        others = [(s, o) for s, o in live.objs.items() if s <= floor and s not in special]
        for s in special:
            item = own[s] if s in own else store.version(s, cp, floor)
            if item is not None:
                others.append((s, item))
        seqs, alive = live.cols.seqs, live.cols.alive
        n = bisect.bisect_right(seqs, floor)
        # (row position, 0: an object goes before that row | 1: the row is left out, item)
        cuts: list[tuple[int, int, Any]] = [
            (bisect.bisect_left(seqs, s, 0, n), 0, o) for s, o in others]
        for s in special:
            i = bisect.bisect_left(seqs, s, 0, n)
            if i < n and seqs[i] == s:
                cuts.append((i, 1, None))
        if alive is not None:
            i = alive.find(0, 0, n)
            while i >= 0:
                cuts.append((i, 1, None))
                i = alive.find(0, i + 1, n)
        cuts.sort(key=_cut_order)
        at = 0
        for pos, what, obj in cuts:
            if pos > at:
                yield range(at, pos)
                at = pos
            if what == 0:
                yield obj
            elif pos == at:
                at = pos + 1
        if at < n:
            yield range(at, n)

    def __reduce__(self) -> Any:
        return (ItemDict, ([(k, copy_item(v)) for k, v in self.items()],))


def _cut_order(cut: tuple) -> tuple[int, int, int]:
    # By row position; at one position the objects (by seq) before the row left out.
    return cut[0], cut[1], cut[2].seq if cut[1] == 0 else 0


def _merge(a: list[int], b: list[int]) -> Iterator[int]:
    return heapq.merge(a, b)

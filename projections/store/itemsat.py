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
        # One pass over the live columns' rows up to the checkpoint, not a look-up per seq:
        # the few seqs with other versions (changed since, the view's own) are merged in.
        store, own, cp, floor = self._store, self._own, self._cp, self._floor
        live, exceptions = store.live, store.exceptions
        special = {s for s in exceptions if s <= floor} | set(own)
        others = [(s, o) for s, o in live.objs.items() if s <= floor and s not in special]
        for s in special:
            item = own[s] if s in own else store.version(s, cp, floor)
            if item is not None:
                others.append((s, item))
        others.sort(key=_first)
        cols, cls = live.cols, live._row_class
        seqs, alive, row = cols.seqs, cols.alive, cols.item
        j, n = 0, len(others)
        for i in range(bisect.bisect_right(seqs, floor)):
            s = seqs[i]
            if (alive is not None and not alive[i]) or s in special:
                continue
            while j < n and others[j][0] < s:
                yield others[j][1]
                j += 1
            yield row(i, cls)
        for k in range(j, n):
            yield others[k][1]

    def __reduce__(self) -> Any:
        return (ItemDict, ([(k, copy_item(v)) for k, v in self.items()],))


def _first(pair: tuple) -> int:
    return pair[0]


def _merge(a: list[int], b: list[int]) -> Iterator[int]:
    return heapq.merge(a, b)

"""Plain data items kept as columns of numbers instead of one object each.

Nearly every item of a busy log is a plain write (a ``PutLogEvents`` batch: no cause,
label, extra or end yet). As an object with its dict slot and two integers such an item
costs about 230 bytes; as a row of these columns it costs 33, and appending it makes no
Python object at all (a million-event replay makes a million fewer).

A row is read back as a *row item*: an ordinary :class:`~projections.model.DataItem`
whose class is the live store's row class (same layout). The first write to one of its
attributes moves the item out of the columns into the store's objects (see
:meth:`projections.itemstore.LiveItems.promote`), so the columns themselves never
change: a row is only ever appended or marked dead.
"""

from __future__ import annotations

import bisect
import itertools
from array import array
from collections.abc import Iterator

from projections.model import DataItem

#: ``expires`` of a row that never expires (no retention).
NEVER = -(2**63)

#: ``(kind, resource, account, region)``: what many rows share.
Place = tuple[str, str, str, str]


class ItemColumns:
    """Append-only columns of plain items, in seq order (see the module docstring)."""

    __slots__ = (
        "_keyset_ix",
        "_keysets",
        "_place_ix",
        "_places",
        "alive",
        "dead",
        "expires",
        "keyset",
        "place",
        "seqs",
        "written",
    )

    def __init__(self) -> None:
        self.seqs = array("q")
        self.written = array("q")
        self.expires = array("q")
        self.place = array("l")
        self.keyset = array("l")
        self.alive = bytearray()
        self.dead = 0
        self._places: list[Place] = []
        self._place_ix: dict[Place, int] = {}
        self._keysets: list[tuple[str | None, ...]] = []
        self._keyset_ix: dict[tuple[str | None, ...], int] = {}

    def __len__(self) -> int:
        """Rows alive."""
        return len(self.alive) - self.dead

    def accepts(self, seq: int) -> bool:
        """Whether a row for ``seq`` may be appended (seqs only grow)."""
        return not self.seqs or seq > self.seqs[-1]

    def append(self, seq: int, place: Place, written_at: int,
               keys: tuple[str | None, ...], expires_at: int | None) -> None:
        """Add a plain item (the caller checked :meth:`accepts`)."""
        p = self._place_ix.get(place)
        if p is None:
            p = self._place_ix[place] = len(self._places)
            self._places.append(place)
        k = self._keyset_ix.get(keys)
        if k is None:
            k = self._keyset_ix[keys] = len(self._keysets)
            self._keysets.append(keys)
        self.seqs.append(seq)
        self.written.append(written_at)
        self.expires.append(NEVER if expires_at is None else expires_at)
        self.place.append(p)
        self.keyset.append(k)
        self.alive.append(1)

    def row(self, seq: int) -> int:
        """The row of ``seq`` if it is alive, else -1."""
        seqs = self.seqs
        i = bisect.bisect_left(seqs, seq)
        if i < len(seqs) and seqs[i] == seq and self.alive[i]:
            return i
        return -1

    def item(self, i: int, cls: type = DataItem) -> DataItem:
        """Row ``i`` as an item of class ``cls`` (DataItem or a class of the same layout)."""
        kind, resource, account, region = self._places[self.place[i]]
        expires = self.expires[i]
        item = DataItem(self.seqs[i], kind, resource, account, region, self.written[i],
                        self._keysets[self.keyset[i]], None, None,
                        None if expires == NEVER else expires)
        if cls is not DataItem:
            item.__class__ = cls
        return item

    def kill(self, i: int) -> None:
        """Mark row ``i`` dead (its item was removed or moved to the objects)."""
        if self.alive[i]:
            self.alive[i] = 0
            self.dead += 1

    def live_seqs(self) -> Iterator[int]:
        """The seqs of the rows alive, in order."""
        if not self.dead:
            return iter(self.seqs)
        return itertools.compress(self.seqs, self.alive)

    def nbytes(self) -> int:
        """Bytes the columns take (for benchmarks)."""
        return sum(a.itemsize * len(a) for a in (self.seqs, self.written, self.expires,
                                                  self.place, self.keyset)) + len(self.alive)

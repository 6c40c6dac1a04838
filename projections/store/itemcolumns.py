"""Plain data items kept as columns of numbers instead of one object each.

Nearly every item of a busy log is a plain write (a ``PutLogEvents`` batch: no cause,
label, extra or end yet). As an object with its dict slot and two integers such an item
costs about 230 bytes; as a row of these columns it costs 32, and appending it makes no
Python object at all (a million-event replay makes a million fewer).

A row is read back as a *row item*: an ordinary :class:`~projections.model.DataItem`
whose class is the live store's row class (same layout). The first write to one of its
attributes moves the item out of the columns into the store's objects (see
:meth:`projections.store.itemstore.LiveItems.promote`), so the columns themselves never
change: a row is only ever appended or marked dead.
"""

from __future__ import annotations

import bisect
import itertools
from array import array
from collections.abc import Callable, Iterator
from operator import and_, eq

from projections.model import DataItem

#: ``expires`` of a row that never expires (no retention).
NEVER = -(2**63)
_NO_SPAN = (NEVER, NEVER)

class ItemColumns:
    """Append-only columns of plain items, in seq order (see the module docstring).

    A row is its seq, write time, expiry and *shape*: the (kind, resource, account,
    region, keys) that many rows share, stored once. ``alive`` exists once a row dies.
    """

    __slots__ = ("_by_id", "_held", "_last", "_shape_ix", "_shapes", "alive", "dead", "expires",
                 "seqs", "shape", "spans", "written")

    def __init__(self) -> None:
        self.seqs = array("q")
        self.written = array("q")
        self.expires = array("q")
        self.shape = array("l")
        self.alive: bytearray | None = None
        #: ``t0, t1`` per row (a batch whose log events span other times than its
        #: write, ``extra={"t0": .., "t1": ..}``); made at the first such row.
        self.spans: array | None = None
        self.dead = 0
        self._shapes: list[tuple[str, str, str, str, tuple[str | None, ...]]] = []
        self._shape_ix: dict[tuple, int] = {}
        self._last: dict[str, tuple] = {}  # resource -> (shape, keys, kind, account, region)
        # id(shape tuple) -> shape id, for the tuples extend() was given (kept in _held).
        self._by_id: dict[int, int] = {}
        self._held: list[tuple] = []

    def __getstate__(self) -> tuple:
        # Object ids mean nothing in another process (or after this one's tuples die).
        return None, {name: getattr(self, name) for name in self.__slots__
                      if name not in ("_by_id", "_held")}

    def __setstate__(self, state: tuple) -> None:
        for name, value in state[1].items():
            setattr(self, name, value)
        self._by_id, self._held = {}, []

    def __len__(self) -> int:
        """Rows alive."""
        return len(self.seqs) - self.dead

    def append(self, seq: int, kind: str, resource: str, account: str, region: str,
               written_at: int, keys: tuple[str | None, ...], expires_at: int | None,
               span: tuple[int, int] | None = None) -> bool:
        """Add a plain item (``span``: its ``extra`` is ``{"t0": .., "t1": ..}``); False
        (nothing added) unless ``seq`` is past the last row's."""
        seqs = self.seqs
        if seqs and seq <= seqs[-1]:
            return False  # rows stay in seq order, so a row is found by bisection
        spans = self.spans
        if span is not None or spans is not None:
            if spans is None:
                spans = self.spans = array("q", [NEVER]) * (2 * len(seqs))
            spans.extend((NEVER, NEVER) if span is None else span)
        # Rows of one resource nearly always share one shape: a lookup by the resource
        # (its hash is cached) and identity checks, not a 5-tuple built and hashed.
        last = self._last.get(resource)
        if last is not None and last[1] is keys and last[2] == kind and \
                last[3] == account and last[4] == region:
            shape = last[0]
        else:
            shape = self._shape(kind, resource, account, region, keys)
        seqs.append(seq)
        self.written.append(written_at)
        self.expires.append(NEVER if expires_at is None else expires_at)
        self.shape.append(shape)
        if self.alive is not None:
            self.alive.append(1)
        return True

    def extend(self, shapes: list[tuple], seqs: list[int], written: list[int],
               t0s: list[int], t1s: list[int]) -> None:
        """:meth:`append` for many rows at once, a column at a time (no expiry; a row's span
        is kept unless both ends are its write time): row ``i`` is ``seqs[i]`` of shape
        ``shapes[i]`` (its ``(kind, resource, account, region, keys)``). The caller checks
        that ``seqs`` are in order and past the last row."""
        # Shape ids and the test for spans are map() calls, run in C: no Python step per row. A
        # plain fold hands the same shape object for every row of a group, so its id finds
        # the shape id (the object is kept alive in _held: the id is never reused).
        by_id = self._by_id
        ids = list(map(by_id.get, map(id, shapes)))
        if None in ids:  # a shape object not seen before
            ids = [self._shape_of(shape) if i is None else i for shape, i in zip(shapes, ids,
                                                                                  strict=True)]
        n = len(seqs)
        if len(written) != n or len(t0s) != n or len(t1s) != n:
            raise ValueError("the columns of the rows differ in length")
        # bare[i]: row i's span is its write time (stored as no span).
        bare = list(map(and_, map(eq, written, t0s), map(eq, written, t1s)))
        spans = self.spans
        if spans is None and not all(bare):
            spans = self.spans = array("q", [NEVER]) * (2 * len(self.seqs))
        if spans is not None:
            flat = [NEVER] * (2 * n)
            flat[0::2] = t0s
            flat[1::2] = t1s
            for i in itertools.compress(range(n), bare):
                flat[2 * i] = flat[2 * i + 1] = NEVER
            spans.extend(flat)
        self.seqs.extend(seqs)
        self.written.extend(written)
        self.expires.extend(array("q", [NEVER]) * n)
        self.shape.extend(ids)
        if self.alive is not None:
            self.alive.extend(b"\x01" * n)

    def _shape_of(self, shape: tuple) -> int:
        """The shape id of a shape tuple, remembered by the tuple's identity."""
        i = self._by_id[id(shape)] = self._shape(*shape)
        self._held.append(shape)
        return i

    def _shape(self, kind: str, resource: str, account: str, region: str,
               keys: tuple[str | None, ...]) -> int:
        found = (kind, resource, account, region, keys)
        shape = self._shape_ix.get(found)
        if shape is None:
            shape = self._shape_ix[found] = len(self._shapes)
            self._shapes.append(found)
        self._last[resource] = (shape, keys, kind, account, region)
        return shape

    def shape_key(self, shape: int) -> tuple[str, str, str, str, tuple[str | None, ...]]:
        """The (kind, resource, account, region, keys) of a shape id (a value of ``shape``)."""
        return self._shapes[shape]

    def row(self, seq: int) -> int:
        """The row of ``seq`` if it is alive, else -1."""
        seqs = self.seqs
        i = bisect.bisect_left(seqs, seq)
        if i < len(seqs) and seqs[i] == seq and (self.alive is None or self.alive[i]):
            return i
        return -1

    def is_alive(self, i: int) -> bool:
        """Whether row ``i`` is alive."""
        return self.alive is None or bool(self.alive[i])

    def item(self, i: int, cls: type = DataItem) -> DataItem:
        """Row ``i`` as an item of class ``cls`` (DataItem or a class of the same layout)."""
        kind, resource, account, region, keys = self._shapes[self.shape[i]]
        expires = self.expires[i]
        spans = self.spans
        extra = None if spans is None or spans[2 * i] == NEVER else \
            {"t0": spans[2 * i], "t1": spans[2 * i + 1]}
        item = DataItem(self.seqs[i], kind, resource, account, region, self.written[i],
                        keys, None, None, None if expires == NEVER else expires, None, extra)
        if cls is not DataItem:
            item.__class__ = cls
        return item

    def rows_of(self, kind: str, resources: set[str] | frozenset[str]) -> list[int]:
        """The live rows of this kind on these resources, in order (no item is built)."""
        wanted = {i for i, (k, r, _, _, _) in enumerate(self._shapes)
                  if k == kind and r in resources}
        if not wanted:
            return []
        alive = self.alive
        return [i for i, s in enumerate(self.shape) if s in wanted and
                (alive is None or alive[i])]

    def seqs_where(self, test: Callable[[tuple[str, str, str, str, tuple]], bool]
                   ) -> list[int]:
        """The seqs of the live rows whose shape ``(kind, resource, account, region, keys)``
        passes ``test`` (called once per shape), in order (no item is built)."""
        wanted = {i for i, shape in enumerate(self._shapes) if test(shape)}
        if not wanted:
            return []
        alive, seqs = self.alive, self.seqs
        return [seqs[i] for i, s in enumerate(self.shape) if s in wanted and
                (alive is None or alive[i])]

    def kill(self, i: int) -> None:
        """Mark row ``i`` dead (its item was removed or moved to the objects)."""
        if self.alive is None:
            self.alive = bytearray(b"\x01") * len(self.seqs)
        if self.alive[i]:
            self.alive[i] = 0
            self.dead += 1

    def live_seqs(self) -> Iterator[int]:
        """The seqs of the rows alive, in order."""
        if self.alive is None:
            return iter(self.seqs)
        return itertools.compress(self.seqs, self.alive)

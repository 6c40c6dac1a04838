"""Data items shared between the live world and the timeline's checkpoints.

A log of a million writes has a million items; copying them into every checkpoint
would cost time and memory in proportion to the log for every checkpoint. Instead:

* :class:`LiveItems` is the live world's ``items`` mapping; it keeps plain items as rows
  of :class:`~projections.store.itemcolumns.ItemColumns` (32 bytes each, never changed in
  place) and the others as objects, and tells the store when an item a checkpoint can
  see is replaced or removed;
* at each checkpoint :meth:`ItemStore.freeze` swaps the class of every item written
  since the last one to a *frozen* subclass (same layout, no copy); the first write
  to a frozen item's attribute saves a copy of its old version for the checkpoints
  taken so far, then thaws it (this is the only per-write cost, and only for items
  changed after a checkpoint: a deleted log group, a label, an expiry);
* :class:`~projections.store.itemsat.ItemsAt` (``itemsat.py``) is the ``items`` of a world
  restored from a checkpoint: a mapping that hands out private copies on first access,
  so folding later events into that world never touches shared objects.

Items must be stored under their ``seq`` (as ``items.add`` and ``World.add_item`` do).
Changing a mutable value inside an item (``item.extra[k] = v``) instead of assigning the
attribute is not seen: assign a new value.
"""

from __future__ import annotations

import copy
import dataclasses
import heapq
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

from projections.model import Cause, DataItem
from projections.store.itemcolumns import ItemColumns
from projections.store.items import AddsItems, ItemDict

#: seq -> versions ``(valid for checkpoint ids <= this, item or None for absent)``.
Versions = list[tuple[int, Any]]


def copy_item(item: Any, cls: type | None = None) -> Any:
    """A plain (unfrozen) shallow copy of an item; its ``extra`` dict is copied too."""
    cls = cls or _base(type(item))
    names = _fields(cls)
    if names is None:
        out = copy.copy(item)
        out.__class__ = cls
        return out
    new = object.__new__(cls)
    setter = object.__setattr__
    for name in names:
        setter(new, name, getattr(item, name))
    extra = getattr(new, "extra", None)
    if isinstance(extra, dict):
        setter(new, "extra", dict(extra))
    return new


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _fields(cls: type) -> tuple[str, ...] | None:
    if cls not in _FIELDS:
        _FIELDS[cls] = (tuple(f.name for f in dataclasses.fields(cls))
                        if dataclasses.is_dataclass(cls) else None)
    return _FIELDS[cls]


def _base(cls: type) -> type:
    return getattr(cls, "_thawed_class", cls)


class ItemStore:
    """The versions of every item as each checkpoint saw it (see the module docstring)."""

    def __init__(self) -> None:
        self.live: LiveItems = LiveItems(self)
        self.floor = 0          # events covered by the latest checkpoint
        self.latest = -1        # id of the latest checkpoint (-1: none yet)
        self.exceptions: dict[int, Versions] = {}
        self.dirty: set[int] = set()
        self._frozen: dict[type, type] = {}

    # -- the live side -------------------------------------------------------------------
    def frozen_class(self, cls: type) -> type:
        """The frozen twin of an item class (same slots, a write hook)."""
        twin = self._frozen.get(cls)
        if twin is None:
            store = self

            def __setattr__(obj: Any, name: str, value: Any) -> None:
                store.thaw(obj)
                cls.__setattr__(obj, name, value)

            def __delattr__(obj: Any, name: str) -> None:
                store.thaw(obj)
                cls.__delattr__(obj, name)

            twin = type(f"Frozen{cls.__name__}", (cls,), {
                "__slots__": (), "__setattr__": __setattr__, "__delattr__": __delattr__,
                "_thawed_class": cls})
            self._frozen[cls] = twin
        return twin

    def freeze(self, n: int) -> int:
        """Take a checkpoint of the items after ``n`` events; returns its id.

        Rows of the columns need nothing: they never change (a write moves the item to
        the objects first)."""
        objs, old_floor, dirty = self.live.objs, self.floor, self.dirty
        twins: dict[type, type | None] = {}  # class -> its frozen twin (None: frozen already)
        for seq in reversed(objs):  # objects added since the last checkpoint are last
            if seq <= old_floor and seq not in dirty:
                break
            item = objs[seq]
            cls = type(item)
            if cls in twins:
                twin = twins[cls]
            else:
                twin = twins[cls] = (None if hasattr(cls, "_thawed_class")
                                     else self.frozen_class(cls))
            if twin is not None:
                item.__class__ = twin
        for seq in dirty:
            item = objs.get(seq)
            if item is not None:
                self._freeze_one(item)
        dirty.clear()
        self.floor = n
        self.latest += 1
        return self.latest

    def _freeze_one(self, item: Any) -> None:
        cls = type(item)
        if not hasattr(cls, "_thawed_class"):
            item.__class__ = self.frozen_class(cls)

    def thaw(self, item: Any) -> None:
        """The first write to a frozen item: keep its old version, then let the write go."""
        base = _base(type(item))
        object.__setattr__(item, "__class__", base)
        seq = getattr(item, "seq", None)
        if seq is not None and self.live.objs.get(seq) is item:
            self._record(seq, copy_item(item, base))
            self.dirty.add(seq)

    def replaced(self, seq: int, old: Any, owned: bool = False) -> None:
        """``live[seq]`` is about to change (set, replaced or removed); ``owned``: ``old``
        is a copy nobody else holds (a row read back), kept as it is."""
        if self.latest < 0 or seq > self.floor:
            return  # no checkpoint can see this seq yet
        if old is None or owned:
            self._record(seq, old)
        elif hasattr(type(old), "_thawed_class"):
            self._record(seq, copy_item(old))
        self.dirty.add(seq)

    def _record(self, seq: int, version: Any) -> None:
        versions = self.exceptions.setdefault(seq, [])
        if not versions or versions[-1][0] < self.latest:
            versions.append((self.latest, version))

    # -- the checkpoint side -------------------------------------------------------------
    def version(self, seq: int, cp_id: int, floor: int) -> Any:
        """The item ``seq`` as checkpoint ``cp_id`` (covering ``floor`` events) saw it, shared
        (copy before use), or None."""
        if seq > floor:
            return None
        for until, item in self.exceptions.get(seq, ()):
            if until >= cp_id:
                return item
        return self.live.shared(seq)

    def seqs_at(self, cp_id: int, floor: int) -> list[int]:
        """Every item seq the checkpoint saw, in order."""
        exceptions = self.exceptions
        out = [s for s in self.live if s <= floor and (
            s not in exceptions or self.version(s, cp_id, floor) is not None)]
        out += [s for s in exceptions if s <= floor and s not in self.live
                and self.version(s, cp_id, floor) is not None]
        out.sort()
        return out


class LiveItems(AddsItems, MutableMapping):
    """The live world's ``items``: plain items as column rows, the others as objects.

    Reports changes to seqs that checkpoints see to the store. Iterates in seq order.
    A row is read back as a row item; writing to one moves it into ``objs`` first
    (:meth:`promote`), so the caller's write lands on the stored item as with a dict.
    """

    def __init__(self, store: ItemStore) -> None:
        self._store = store
        self.objs: dict[int, Any] = {}
        self.cols = ItemColumns()
        self._unsorted = False  # objs' insertion order differs from seq order
        self._row_class = _row_class(self)

    # -- the hot path ----------------------------------------------------------------------
    def add(self, seq: int, kind: str, resource: str, account: str, region: str,
            written_at: int, keys: tuple[str | None, ...], cause: Cause | None = None,
            expires_at: int | None = None, extra: dict | None = None) -> DataItem | None:
        """Store a new item: a plain one (no cause; no extra, or only a batch's event times
        ``t0``/``t1``) as a row of the columns when a row can hold it here (None is
        returned: no object is made), else as an object."""
        span = None
        if extra is not None and len(extra) == 2 and type(extra.get("t0")) is int and \
                type(extra.get("t1")) is int:
            span = (extra["t0"], extra["t1"])  # a batch's event times: two more columns
        if cause is None and (extra is None or span is not None) and \
                seq > self._store.floor and seq not in self.objs and self.cols.append(
                    seq, kind, resource, account, region, written_at, keys, expires_at,
                    span):
            return None
        return super().add(seq, kind, resource, account, region, written_at, keys, cause,
                           expires_at, extra)

    def add_rows(self, shapes: list[tuple], seqs: list[int], written: list[int],
                 t0s: list[int], t1s: list[int]) -> None:
        """Store plain items at once, in seq order: row ``i`` is the item ``seqs[i]`` of
        shape ``shapes[i]`` (its ``(kind, resource, account, region, keys)``) written at
        ``written[i]``, no cause, no expiry, and ``extra`` ``{"t0", "t1"}`` unless both are
        its write time. The same as an ``add`` each, for a fraction of the calls (the bulk
        of a replay); rows that could not all go to the end of the columns are added one
        by one."""
        cols = self.cols
        if not seqs:
            return
        if seqs[0] <= self._store.floor or (cols.seqs and seqs[0] <= cols.seqs[-1]):
            for shape, seq, t, lo, hi in zip(shapes, seqs, written, t0s, t1s, strict=True):
                kind, resource, account, region, keys = shape
                self.add(seq, kind, resource, account, region, t, keys, None, None,
                         None if lo == hi == t else {"t0": lo, "t1": hi})
            return
        cols.extend(shapes, seqs, written, t0s, t1s)

    def shared(self, seq: int) -> Any:
        """The stored item ``seq`` (a row item for a row), or None."""
        obj = self.objs.get(seq)
        if obj is not None:
            return obj
        i = self.cols.row(seq) if isinstance(seq, int) else -1
        return None if i < 0 else self.cols.item(i, self._row_class)

    def promote(self, item: Any) -> Any:
        """A row item is about to be written: store it as an object. Returns the object
        now stored under its seq (another copy if one was promoted first; None: removed)."""
        object.__setattr__(item, "__class__", DataItem)
        seq = item.seq
        if self.cols.row(seq) >= 0:
            self[seq] = item
            return item
        return self.objs.get(seq)

    def select(self, kind: str, resources: set[str] | frozenset[str]) -> list[Any]:
        """The items of this kind on these resources, in seq order: a scan of the columns
        that reads back only the rows that match (a log group among a hundred)."""
        cols, cls = self.cols, self._row_class
        found = [cols.item(i, cls) for i in cols.rows_of(kind, resources)]
        objs = [o for o in self.objs.values() if o.kind == kind and o.resource in resources]
        if objs:
            found += objs
            found.sort(key=_seq_of)  # two sorted runs (or nearly): linear
        return found

    def seqs_where(self, test: Callable[[Any], bool], shape_test: Callable[[tuple], bool]
                   ) -> list[int]:
        """The seqs of the items that pass ``test`` (an object) or ``shape_test`` (a row's
        ``(kind, resource, account, region, keys)``, once per shape), in seq order."""
        found = self.cols.seqs_where(shape_test)
        objs = [s for s, o in self.objs.items() if test(o)]
        return sorted(found + objs) if objs else found

    # -- the mapping -------------------------------------------------------------------------
    def __getitem__(self, seq: int) -> Any:
        item = self.shared(seq)
        if item is None:
            raise KeyError(seq)
        return item

    def get(self, seq: int, default: Any = None) -> Any:
        """As ``dict.get``."""
        item = self.shared(seq)
        return default if item is None else item

    def __contains__(self, seq: object) -> bool:
        return seq in self.objs or (isinstance(seq, int) and self.cols.row(seq) >= 0)

    def __setitem__(self, seq: int, item: Any) -> None:
        store, objs, cols = self._store, self.objs, self.cols
        i = cols.row(seq) if cols.seqs and seq <= cols.seqs[-1] else -1
        if i >= 0:
            store.replaced(seq, cols.item(i), owned=True)
            cols.kill(i)
        elif seq <= store.floor or seq in objs:
            store.replaced(seq, objs.get(seq))
        if objs and seq not in objs and seq < next(reversed(objs)):
            self._unsorted = True
        objs[seq] = item

    def __delitem__(self, seq: int) -> None:
        i = self.cols.row(seq) if isinstance(seq, int) else -1
        if i >= 0:
            self._store.replaced(seq, self.cols.item(i), owned=True)
            self.cols.kill(i)
            return
        self._store.replaced(seq, self.objs[seq])
        del self.objs[seq]

    def __len__(self) -> int:
        return len(self.objs) + len(self.cols)

    def _obj_seqs(self) -> list[int]:
        if self._unsorted:
            self.objs = dict(sorted(self.objs.items()))
            self._unsorted = False
        return list(self.objs)

    def __iter__(self) -> Iterator[int]:
        # A snapshot of the objects' seqs: writes during the loop promote rows into them.
        return heapq.merge(self._obj_seqs(), self.cols.live_seqs())

    def _walk(self) -> Iterator[tuple[int, Any]]:
        """``(seq, item)`` in seq order, reading the rows in one pass (no lookups)."""
        objs, cols, cls = self.objs, self.cols, self._row_class
        keys = self._obj_seqs()
        seqs, alive = cols.seqs, cols.is_alive
        j, nk = 0, len(keys)
        for i in range(len(seqs)):
            if not alive(i):
                continue
            s = seqs[i]
            while j < nk and keys[j] < s:
                obj = objs.get(keys[j])
                if obj is not None:
                    yield keys[j], obj
                j += 1
            if alive(i):  # still: the caller may have written the previous item
                yield s, cols.item(i, cls)
        for k in keys[j:]:
            obj = objs.get(k)
            if obj is not None:
                yield k, obj

    def values(self) -> Iterator[Any]:  # type: ignore[override]
        """The items in seq order."""
        return (item for _, item in self._walk())

    def items(self) -> Iterator[tuple[int, Any]]:  # type: ignore[override]
        """``(seq, item)`` in seq order."""
        return self._walk()

    def __reduce__(self) -> Any:
        # Copies of the live world are plain dicts of plain items.
        return (ItemDict, ([(k, copy_item(v)) for k, v in self._walk()],))


def _seq_of(item: Any) -> int:
    return item.seq


def _row_class(live: LiveItems) -> type:
    """The class of items read from ``live``'s rows: a write moves the item to the objects."""

    def __setattr__(obj: Any, name: str, value: Any) -> None:
        current = live.promote(obj)
        object.__setattr__(obj, name, value)
        if current is not None and current is not obj:
            setattr(current, name, value)  # an earlier copy was promoted: it is the item

    def __delattr__(obj: Any, name: str) -> None:
        live.promote(obj)
        object.__delattr__(obj, name)

    return type("RowDataItem", (DataItem,), {
        "__slots__": (), "__setattr__": __setattr__, "__delattr__": __delattr__,
        "_thawed_class": DataItem})

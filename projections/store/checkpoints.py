"""Checkpoints of a world as it is folded: small, incremental, within a memory budget
(SPEC 7).

Checkpoints stay small whatever the number of data items, because items are not copied
into them (a million-event log has about a million items):

* a checkpoint is the world *without* its items, pickled attribute by attribute (keys,
  associations, area states, timers...), each zlib-compressed; an attribute unchanged
  since the last checkpoint shares that checkpoint's bytes (:class:`Checkpoints`), so a
  checkpoint after a run of data-plane writes costs a few small pickles; key and
  association histories (append-only) are not copied either, only their lengths
  (:class:`Histories`);
* items are shared through :class:`~projections.store.itemstore.ItemStore`: at each
  checkpoint the live items are frozen in place, and the first write to a frozen item
  saves its old version first, so every checkpoint still sees its items as they were;
* a world restored from a checkpoint reads items through a copy-on-read view
  (:class:`~projections.store.itemsat.ItemsAt`) and unpickles its other attributes when
  first used (an answer about one item reads the keys, not the hundred log groups).

Memory is bounded: a checkpoint is due every ``every`` events, ``every`` grows with what
a checkpoint pickles (:data:`BYTES_PER_EVENT`), and when the checkpoints' total size
passes the budget (:data:`CHECKPOINT_BUDGET`) every other one is dropped and ``every``
doubles.

A world is restored as it was pickled: models hold only their data (a state machine
reads a model's ``state``, it is not bound to it), so nothing is re-bound.
"""

from __future__ import annotations

import bisect
import copy
import itertools
import pickle
import zlib
from typing import Any

from projections.store.itemsat import ItemsAt
from projections.store.itemstore import ItemStore, LiveItems
from projections.store.parts import (
    _DISPATCH,
    _SKIP,
    PENDING,
    SPLIT,
    Histories,
    Split,
    _model_fields,
    dumps,
    fold_traced,
    lazy_class,
    materialize,
    raw_part,
    restore,
    snapshot,
)

# fold_traced, materialize, restore and snapshot are the parts' (re-exported).
__all__ = ["BYTES_PER_EVENT", "CHECKPOINT_BUDGET", "CHECKPOINT_EVERY", "Checkpoints",
           "dump_state", "export_state", "fold_traced", "import_state", "materialize",
           "restore", "runtime_classes", "snapshot"]

CHECKPOINT_EVERY = 128
#: Total bytes of (compressed) checkpoints kept; past it, every other checkpoint is dropped.
CHECKPOINT_BUDGET = 48 << 20
#: ``every`` grows to at least the bytes a checkpoint pickled / this: pickling ~50 bytes
#: costs about what folding one data-plane event does, so checkpoints stay a few percent
#: of replay time however big the world gets (and an answer folds at most ``every``).
BYTES_PER_EVENT = 48

#: A world's attributes a checkpoint always saves anew (they change with every event) and
#: restores at once (small), in its first part with the world's class and timer serial;
#: the others are saved only when changed and read back lazily.
_EAGER = ("now", "last_seq", "profile", "start")
_EAGER_SET = frozenset(_EAGER)
_HEAD = "(class, serial, now, last_seq, profile, start)"
#: Parts up to this many bytes are kept as they are: compressing a few KiB costs about
#: what pickling them does, and such parts (the keys) are the ones that change often.
_SMALL = 4096


class _Absent:
    """An eager attribute the world did not have."""

    def __reduce__(self) -> str:
        return "_ABSENT"


_ABSENT = _Absent()
#: The part of a split attribute itself (:data:`~projections.store.parts.SPLIT`): the world
#: has it; its entries are the parts named ``(attribute, key)`` after it.
_HAS_SPLIT = b""
#: Decoded parts kept for :meth:`Checkpoints.peek` (shared by the checkpoints that use them).
_PEEKED = 16


class Checkpoints:
    """The checkpoints of one live world, taken as it is folded, and its shared items.

    The live world holds :attr:`items`; the folder calls :meth:`take` once ``due`` events
    are folded (and at 0), and :meth:`restore` gives a fresh world from the nearest
    checkpoint at or before an event count. Checkpoint ids are never reused, so dropping
    checkpoints is safe.

    A checkpoint is *incremental*: the world is saved attribute by attribute (``keys``,
    ``associations``, ``area_states``...), each a compressed pickle, and an attribute
    that did not change since the last checkpoint shares its bytes with it. Whether it
    changed is the folder's to say (``take(..., touched=names)``, what
    :func:`fold_traced` saw a fold use); without it, every attribute is pickled again and
    shared only when its bytes are equal. So a checkpoint after a few hundred data-plane
    writes costs a few small pickles, and checkpoints can be dense.
    """

    def __init__(self, every: int = CHECKPOINT_EVERY, budget: int = CHECKPOINT_BUDGET
                 ) -> None:
        self.every = every
        self.budget = budget
        self._spacing = every  # the least ``every`` (doubles when thinned)
        self._store = ItemStore()
        self._histories = Histories()
        # Per checkpoint: events folded, its id in the store, its parts (aligned with
        # ``_names``: the blob of each attribute, None when the world had none), and the
        # bytes it added (blobs no earlier checkpoint kept).
        self._names: list[str] = [_HEAD]
        self._where: dict[str, int] = {_HEAD: 0}
        self._index: list[int] = []
        self._id: list[int] = []
        self._parts: list[tuple] = []
        self._fresh: list[int] = []
        self._bytes = 0
        self._raw: dict[str, bytes] = {}  # the latest pickle of each attribute
        self._peeked: dict[object, tuple[Any, Any]] = {}

    @property
    def items(self) -> LiveItems:
        """The live world's ``items`` (every checkpoint sees its items through them)."""
        return self._store.live

    @property
    def due(self) -> int:
        """How many events are folded when the next checkpoint is due."""
        return self._index[-1] + self.every if self._index else 0

    def take(self, world: Any, n: int, touched: set[str] | None = None) -> None:
        """Checkpoint ``world`` (whose ``items`` are :attr:`items`) after ``n`` events.

        ``touched``: the only attributes of the world used since the last checkpoint
        (besides its items, ``now`` and ``last_seq``); the others are shared with it.
        None: unknown, every attribute is pickled again."""
        cp_id = self._store.freeze(n)
        wd = world.__dict__
        # The attributes that change with every event, and the class, in one small part.
        head = (getattr(type(world), "_base_world", type(world)),
                next(copy.copy(world._serial)),  # peek: copying a count is safe
                *(wd.get(name, _ABSENT) for name in _EAGER))
        names, raw_of = self._names, self._raw
        last = self._parts[-1] if self._parts else ()
        where = self._where
        head_blob = dumps(head, _DISPATCH)
        parts: list[bytes | None] = [head_blob, *[None] * (len(names) - 1)]
        fresh, pickled = len(head_blob), len(head_blob)
        dispatch = self._histories.dispatch
        for attr, whole in wd.items():
            if attr in _SKIP or attr in _EAGER_SET:
                continue
            if attr in SPLIT:  # one part per entry, named (attr, key): see parts.SPLIT
                if touched is not None and attr in touched:  # the whole dict was used
                    touched = touched | {(attr, key) for key in whole}
                entries = [((attr, key), value) for key, value in whole.items()]
                i = where.get(attr)
                if i is None:
                    i = where[attr] = len(names)
                    names.append(attr)
                    parts.append(None)
                parts[i] = _HAS_SPLIT  # the world has it (its entries follow)
            else:
                entries = [(attr, whole)]
            for name, value in entries:
                i = where.get(name)
                if i is None:
                    i = where[name] = len(names)
                    names.append(name)
                    parts.append(None)
                old = last[i] if i < len(last) else None
                if old is not None and touched is not None and name not in touched:
                    parts[i] = old
                    continue
                raw = dumps(value, dispatch)
                pickled += len(raw)
                if old is not None and raw_of.get(name) == raw:
                    parts[i] = old
                    continue
                # Kept compressed when that pays: ARNs and names repeat, a part shrinks ~5x.
                blob = zlib.compress(raw, 1) if len(raw) > _SMALL else raw
                raw_of[name] = raw
                parts[i] = blob
                fresh += len(blob)
        self._index.append(n)
        self._id.append(cp_id)
        self._parts.append(tuple(parts))
        self._fresh.append(fresh)
        self._bytes += fresh
        # Amortise: what a checkpoint pickles, not the world's size, sets the spacing.
        self.every = max(self._spacing, pickled // BYTES_PER_EVENT)
        if self._bytes > self.budget and len(self._parts) > 2:
            self._thin()

    def _thin(self) -> None:
        """Drop every other checkpoint (keeping the first and the last); double ``every``."""
        keep = [i for i in range(len(self._parts)) if i % 2 == 0 or i == len(self._parts) - 1]
        self._index = [self._index[i] for i in keep]
        self._id = [self._id[i] for i in keep]
        self._parts = [self._parts[i] for i in keep]
        self._fresh = _fresh_bytes(self._parts)
        self._bytes = sum(self._fresh)
        self._spacing *= 2
        self.every = max(self.every, self._spacing)

    def restore(self, n: int) -> tuple[Any, int]:
        """A fresh world from the nearest checkpoint at or before ``n`` events folded, and
        how many events it covers (fold the rest). Its items are a copy-on-read view; its
        other attributes are unpickled when first used (:func:`materialize` does it all)."""
        i = bisect.bisect_right(self._index, n) - 1
        if i < 0:
            raise LookupError(f"no checkpoint at or before {n} events")
        parts = self._parts[i]
        cls, serial, *eager = pickle.loads(parts[0])
        lazy: dict[str, Any] = {}
        for name, blob in zip(self._names[1:], parts[1:], strict=False):
            if blob is None:
                continue
            if type(name) is tuple:  # an entry of a split attribute
                lazy[name[0]].append((name[1], blob))  # type: ignore[union-attr]
            elif not blob:  # _HAS_SPLIT (every other part is a pickle: never empty)
                lazy[name] = []
            else:
                lazy[name] = blob
        for attr in SPLIT.intersection(lazy):
            lazy[attr] = Split(lazy[attr])
        world = lazy_class(cls).__new__(lazy_class(cls))
        wd = world.__dict__
        for name, value in zip(_EAGER, eager, strict=True):
            if value is not _ABSENT:
                wd[name] = value
        world._serial = itertools.count(serial)
        wd[PENDING] = (lazy, self._histories)
        world.items = ItemsAt(self._store, self._id[i], self._index[i])
        return world, self._index[i]

    def peek(self, world: Any, name: str) -> Any:
        """A restored world's attribute to *read only*: its own once it has one, else the
        checkpoint's decoded part, shared with every world restored from that part (so
        folding a data-plane write unpickles nothing: it only reads the groups)."""
        d = world.__dict__
        if name in d:
            return d[name]
        blob = d[PENDING][0][name]
        if type(blob) is Split:  # the dict of its entries' parts, each decoded once
            blobs = tuple(b for _, b in blob)
            key = ("split", *map(id, blobs))
            found = self._peeked.get(key)
            if found is None or len(found[0]) != len(blobs) or \
                    any(a is not b for a, b in zip(found[0], blobs, strict=True)):
                value = {k: self.peek_blob(b) for k, b in blob}
                found = self._remember(key, (blobs, value))
            return found[1]
        return self.peek_blob(blob)

    def peek_blob(self, blob: bytes) -> Any:
        """A part's bytes decoded, shared (read only)."""
        found = self._peeked.get(id(blob))
        if found is None or found[0] is not blob:
            found = self._remember(id(blob), (blob, pickle.loads(raw_part(blob))))
        return found[1]

    def _remember(self, key: object, found: tuple) -> tuple:
        if len(self._peeked) >= _PEEKED:
            self._peeked.pop(next(iter(self._peeked)))
        self._peeked[key] = found
        return found

    def sizes(self) -> list[tuple[int, int]]:
        """``(events folded, bytes it added)`` of each checkpoint kept (parts it shares
        with an earlier checkpoint are counted there)."""
        return list(zip(self._index, self._fresh, strict=True))


def _fresh_bytes(records: list[tuple]) -> list[int]:
    seen: set[int] = set()
    out = []
    for parts in records:
        fresh = 0
        for blob in parts:
            if blob is not None and id(blob) not in seen:
                seen.add(id(blob))
                fresh += len(blob)
        out.append(fresh)
    return out


# -- saving a timeline's store (the sidecar) ---------------------------------------------
def _rebuild_item(cls: type, values: tuple) -> Any:
    item = object.__new__(cls)
    for name, value in zip(_item_fields(cls), values, strict=True):
        object.__setattr__(item, name, value)
    return item


def _item_fields(cls: type) -> tuple[str, ...]:
    return _model_fields(cls)


def _reduce_as(base: type) -> Any:
    def reduce(obj: Any) -> tuple:
        return _rebuild_item, (base, tuple(getattr(obj, f) for f in _item_fields(base)))
    return reduce


def export_state(checkpoints: Checkpoints, world: Any) -> dict:
    """Everything needed to go on from ``world`` (the live world, whose items are
    ``checkpoints.items``) and its checkpoints in another process: pickle it with
    :func:`dump_state`, back with :func:`import_state`."""
    store, live = checkpoints._store, checkpoints._store.live
    twins = set(store._frozen.values())
    state = {k: v for k, v in world.__dict__.items() if k not in _SKIP}
    state["_serial_next"] = next(copy.copy(world._serial))
    state["_class"] = type(world)
    return {
        "world": state,
        "every": checkpoints.every, "budget": checkpoints.budget,
        # Parts shared between checkpoints are one bytes object: pickled once.
        "names": checkpoints._names, "index": checkpoints._index, "id": checkpoints._id,
        "parts": checkpoints._parts, "fresh": checkpoints._fresh,
        "spacing": checkpoints._spacing,
        # The live models' histories are these very lists (one pickle keeps them shared).
        "histories": checkpoints._histories.lists,
        "floor": store.floor, "latest": store.latest, "exceptions": store.exceptions,
        "dirty": store.dirty, "objs": live.objs, "cols": live.cols,
        "unsorted": live._unsorted,
        # Frozen twins and row items are classes made at run time: saved as their base
        # class, and the frozen ones frozen again on import.
        "frozen": [seq for seq, item in live.objs.items() if type(item) in twins],
    }


def runtime_classes(checkpoints: Checkpoints) -> set[type]:
    """The item classes made at run time (frozen twins, the row class): not picklable by
    name, so :func:`dump_state` saves their items as their base class."""
    store = checkpoints._store
    return set(store._frozen.values()) | {store.live._row_class}


def dump_state(state: Any, file: Any, runtime: set[type]) -> None:
    """Pickle a state holding :func:`export_state`'s result to a binary file; ``runtime``
    is :func:`runtime_classes` of its checkpoints."""
    table = _DISPATCH.copy()
    for twin in runtime:
        table[twin] = _reduce_as(twin._thawed_class)
    pickler = pickle.Pickler(file, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = table
    pickler.dump(state)


def import_state(state: dict) -> tuple[Checkpoints, Any]:
    """The checkpoints and live world :func:`export_state` saved (unpickled)."""
    cps = Checkpoints(state["every"], state["budget"])
    cps._names, cps._index, cps._id = state["names"], state["index"], state["id"]
    cps._where = {name: i for i, name in enumerate(cps._names)}
    cps._parts, cps._fresh, cps._spacing = state["parts"], state["fresh"], state["spacing"]
    cps._bytes = sum(cps._fresh)
    hist = cps._histories
    hist.lists = state["histories"]
    hist._index = {id(lst): i for i, lst in enumerate(hist.lists)}
    store = cps._store
    store.floor, store.latest = state["floor"], state["latest"]
    store.exceptions, store.dirty = state["exceptions"], state["dirty"]
    live = store.live
    live.objs, live.cols, live._unsorted = state["objs"], state["cols"], state["unsorted"]
    for seq in state["frozen"]:
        store._freeze_one(live.objs[seq])
    ws = state["world"]
    cls = ws.pop("_class")
    world = cls.__new__(cls)
    serial = ws.pop("_serial_next")
    world.__dict__.update(ws)
    world._serial = itertools.count(serial)
    world.items = live
    return cps, world

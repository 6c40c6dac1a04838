"""Checkpoints of a world as it is folded: small, within a memory budget (SPEC 7).

Checkpoints stay small whatever the number of data items, because items are not copied
into them (a million-event log has about a million items):

* a checkpoint is the pickled world *without* its items (keys, associations, timers...),
  zlib-compressed; key and association histories (append-only) are not copied into it
  either, only their lengths (:class:`Histories`);
* items are shared through :class:`~projections.store.itemstore.ItemStore`: at each
  checkpoint the live items are frozen in place, and the first write to a frozen item
  saves its old version first, so every checkpoint still sees its items as they were;
* a world restored from a checkpoint reads items through a copy-on-read view
  (:class:`~projections.store.itemsat.ItemsAt`).

Memory is bounded: a checkpoint is due every ``every`` events, ``every`` grows with the
size of a snapshot (:data:`BYTES_PER_EVENT`), and when the checkpoints' total size passes
the budget (:data:`CHECKPOINT_BUDGET`) every other one is dropped and ``every`` doubles.

A world is restored as it was pickled: models hold only their data (a state machine
reads a model's ``state``, it is not bound to it), so nothing is re-bound.
"""

from __future__ import annotations

import bisect
import copy
import copyreg
import dataclasses
import io
import itertools
import pickle
import zlib
from typing import Any

from projections.model import Association, Cause, Key
from projections.store.itemsat import ItemsAt
from projections.store.itemstore import ItemStore, LiveItems

CHECKPOINT_EVERY = 256
#: Total bytes of (compressed) checkpoints kept; past it, every other checkpoint is dropped.
CHECKPOINT_BUDGET = 48 << 20
#: ``every`` grows to at least snapshot size / this: pickling ~50 bytes costs about what
#: folding one data-plane event does, so snapshots stay a few percent of replay time
#: however big the world gets (and an answer folds at most ``every`` events).
BYTES_PER_EVENT = 48

#: A world's attributes a snapshot leaves out: its items (shared by the store) and its
#: timer serial (an iterator; its next value is saved instead).
_SKIP = ("_serial", "items")


def _model_fields(cls: type) -> tuple[str, ...]:
    names = _MODEL_FIELDS.get(cls)
    if names is None:
        names = _MODEL_FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


_MODEL_FIELDS: dict[type, tuple[str, ...]] = {}


def _reduce_model(obj: Any) -> tuple:
    # Keys and associations pickle their fields through a Python __getstate__ that calls
    # dataclasses.fields() each time: a third of a checkpoint's cost. Same data, cached names.
    cls = type(obj)
    return _rebuild_model, (cls, tuple(map(obj.__dict__.get, _model_fields(cls))))


def _rebuild_model(cls: type, values: tuple) -> Any:
    obj = cls.__new__(cls)
    obj.__dict__.update(zip(_model_fields(cls), values, strict=True))
    return obj


class _HistoryRef:
    """A checkpoint's reference to the first ``n`` entries of a shared history list."""

    __slots__ = ("i", "n")

    def __init__(self, i: int, n: int) -> None:
        self.i = i
        self.n = n

    def __reduce__(self) -> tuple:
        return _HistoryRef, (self.i, self.n)


class Histories:
    """Key and association histories shared between the live world and its checkpoints.

    Histories only grow (``World.key_event`` and ``association_event`` append), so a
    checkpoint need only say how long each was: the live list's prefix is its copy. A
    key toggled ten thousand times would otherwise put ten thousand entries in every
    checkpoint, which would grow them (and their spacing, and answer times) with the log.
    """

    def __init__(self) -> None:
        self.lists: list[list] = []
        self._index: dict[int, int] = {}   # id(list) -> index (the lists are kept alive)
        self.dispatch = _dispatch(self)

    def ref(self, history: list) -> _HistoryRef:
        """The reference a checkpoint keeps instead of ``history`` (its length now)."""
        i = self._index.get(id(history))
        if i is None:
            i = self._index[id(history)] = len(self.lists)
            self.lists.append(history)
        return _HistoryRef(i, len(history))

    def resolve(self, world: Any) -> None:
        """Give the models of a restored world private copies of their histories."""
        lists = self.lists
        for model in itertools.chain(world.keys.values(), world.associations.values()):
            ref = model.__dict__.get("history")
            if type(ref) is _HistoryRef:
                model.__dict__["history"] = lists[ref.i][:ref.n]


def _reduce_cause(c: Cause) -> tuple:
    # A frozen slots dataclass pickles through a __getstate__ that calls fields() each time.
    return Cause, (c.t, c.seq, c.rule, c.note)


def _dispatch(histories: Histories) -> dict:
    def reduce_model(obj: Any) -> tuple:
        cls = type(obj)
        values = tuple(map(obj.__dict__.get, _model_fields(cls)))
        hist = obj.__dict__.get("history")
        if type(hist) is list:
            i = _model_fields(cls).index("history")
            values = (*values[:i], histories.ref(hist), *values[i + 1:])
        return _rebuild_model, (cls, values)

    table = copyreg.dispatch_table.copy()
    table.update({cls: reduce_model for cls in (Key, Association)})
    table[Cause] = _reduce_cause
    return table


_DISPATCH = copyreg.dispatch_table.copy()
_DISPATCH.update({cls: _reduce_model for cls in (Key, Association)})
_DISPATCH[Cause] = _reduce_cause


def snapshot(world: Any, histories: Histories | None = None) -> bytes:
    """The world without its items, pickled (a checkpoint, uncompressed). With
    ``histories`` the models' histories are referenced there, not copied."""
    state = {k: v for k, v in world.__dict__.items() if k not in _SKIP}
    state["_serial_next"] = next(copy.copy(world._serial))  # peek: copying a count is safe
    state["_class"] = type(world)  # pickled by name: restoring needs no import of it here
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH if histories is None else histories.dispatch
    pickler.dump(state)
    return buf.getvalue()


def restore(blob: bytes, histories: Histories | None = None) -> Any:
    """A world from :func:`snapshot`, of the class it was (its ``items`` are the caller's
    to set). Nothing is re-bound: the world is its pickled data."""
    state = pickle.loads(blob)
    cls = state.pop("_class")
    world = cls.__new__(cls)
    serial = state.pop("_serial_next")
    world.__dict__.update(state)
    world._serial = itertools.count(serial)
    if histories is not None:
        histories.resolve(world)
    return world


class Checkpoints:
    """The checkpoints of one live world, taken as it is folded, and its shared items.

    The live world holds :attr:`items`; the folder calls :meth:`take` once ``due`` events
    are folded (and at 0), and :meth:`restore` gives a fresh world from the nearest
    checkpoint at or before an event count. Checkpoint ids are never reused, so dropping
    checkpoints is safe.
    """

    def __init__(self, every: int = CHECKPOINT_EVERY, budget: int = CHECKPOINT_BUDGET
                 ) -> None:
        self.every = every
        self.budget = budget
        self._store = ItemStore()
        self._histories = Histories()
        # Per checkpoint: events folded, its id in the store, the compressed snapshot.
        self._index: list[int] = []
        self._id: list[int] = []
        self._blob: list[bytes] = []
        self._bytes = 0

    @property
    def items(self) -> LiveItems:
        """The live world's ``items`` (every checkpoint sees its items through them)."""
        return self._store.live

    @property
    def due(self) -> int:
        """How many events are folded when the next checkpoint is due."""
        return self._index[-1] + self.every if self._index else 0

    def take(self, world: Any, n: int) -> None:
        """Checkpoint ``world`` (whose ``items`` are :attr:`items`) after ``n`` events."""
        cp_id = self._store.freeze(n)
        raw = snapshot(world, self._histories)
        # Kept compressed: ARNs and names repeat, so a checkpoint shrinks about 5x for
        # a tenth of a millisecond (a quarter of what pickling it costs).
        blob = zlib.compress(raw, 1)
        self._index.append(n)
        self._id.append(cp_id)
        self._blob.append(blob)
        self._bytes += len(blob)
        # Amortise: a bigger world is snapshotted less often.
        self.every = max(self.every, len(raw) // BYTES_PER_EVENT)
        if self._bytes > self.budget and len(self._blob) > 2:
            self._thin()

    def _thin(self) -> None:
        """Drop every other checkpoint (keeping the first and the last); double ``every``."""
        keep = [i for i in range(len(self._blob)) if i % 2 == 0 or i == len(self._blob) - 1]
        self._index = [self._index[i] for i in keep]
        self._id = [self._id[i] for i in keep]
        self._blob = [self._blob[i] for i in keep]
        self._bytes = sum(map(len, self._blob))
        self.every *= 2

    def restore(self, n: int) -> tuple[Any, int]:
        """A fresh world from the nearest checkpoint at or before ``n`` events folded, and
        how many events it covers (fold the rest). Its items are a copy-on-read view."""
        i = bisect.bisect_right(self._index, n) - 1
        if i < 0:
            raise LookupError(f"no checkpoint at or before {n} events")
        world = restore(zlib.decompress(self._blob[i]), self._histories)
        world.items = ItemsAt(self._store, self._id[i], self._index[i])
        return world, self._index[i]

    def sizes(self) -> list[tuple[int, int]]:
        """``(events folded, stored bytes)`` of each checkpoint kept."""
        return [(n, len(b)) for n, b in zip(self._index, self._blob, strict=True)]


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
        "index": checkpoints._index, "id": checkpoints._id, "blob": checkpoints._blob,
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
    cps._index, cps._id, cps._blob = state["index"], state["id"], state["blob"]
    cps._bytes = sum(map(len, cps._blob))
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

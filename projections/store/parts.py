"""A world as checkpoints keep it: pickled attribute by attribute, restored lazily.

* :class:`Histories`: key and association histories are append-only, so a checkpoint
  keeps only their lengths (the live lists are shared);
* :func:`snapshot` / :func:`restore`: a whole world (without its items) as one pickle;
* a world restored from :class:`~projections.store.checkpoints.Checkpoints` is of a
  *lazy* subclass of its class (:func:`lazy_class`): each attribute is unpickled from its
  part when first read, and :func:`materialize` unpickles the rest;
* :func:`fold_traced`: a fold that records which attributes of the world it used, so a
  checkpoint pickles again only those.

This module imports no world: a part names the class of the world it holds.
"""

from __future__ import annotations

import copy
import copyreg
import dataclasses
import io
import itertools
import pickle
import zlib
from typing import Any

from projections.model import Association, Cause, Key

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
    materialize(world)
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


def dumps(value: Any, dispatch: dict) -> bytes:
    """``value`` pickled with the reducers of ``dispatch`` (a histories' or the plain one)."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = dispatch
    pickler.dump(value)
    return buf.getvalue()


#: Where a restored world keeps the parts not unpickled yet (and the histories).
PENDING = "_checkpoint_parts"
_LAZY: dict[type, type] = {}


def lazy_class(cls: type) -> type:
    """The class of worlds restored from a checkpoint: ``cls`` whose attributes not read
    yet are unpickled on first use (``__getattr__`` runs only for a missing attribute, so
    an attribute already there costs nothing more). Copies, clones and pickles of such a
    world see it whole (:func:`materialize`)."""
    lazy = _LAZY.get(cls)
    if lazy is None:
        def __getattr__(self: Any, name: str) -> Any:
            d = self.__dict__
            pending = d.get(PENDING)
            if pending is None or name not in pending[0]:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute "
                                     f"{name!r}")
            value = d[name] = load_part(pending[0].pop(name), pending[1])
            return value

        def clone(self: Any, items: bool = True) -> Any:
            materialize(self)
            return cls.clone(self, items)

        def __reduce_ex__(self: Any, protocol: Any) -> Any:
            materialize(self)
            return self.__reduce_ex__(protocol)

        lazy = _LAZY[cls] = type(cls.__name__, (cls,), {
            "__getattr__": __getattr__, "clone": clone, "__reduce_ex__": __reduce_ex__,
            "_base_world": cls, "__module__": cls.__module__})
    return lazy


def raw_part(blob: bytes) -> bytes:
    """The pickle a part holds: small parts are kept as they are, others compressed."""
    # A pickle starts with PROTO (0x80); a zlib stream with 0x78.
    return blob if blob[0] == 0x80 else zlib.decompress(blob)


class Split(tuple):
    """The parts of a split attribute (:data:`SPLIT`) in one checkpoint: ``(key, blob)``
    pairs, one per entry of the dict, in the dict's order."""

    __slots__ = ()


def load_part(blob: bytes | Split, histories: Histories) -> Any:
    """A part unpickled, its models given private copies of their shared histories (a
    :class:`Split` attribute: the dict of its entries' parts)."""
    if type(blob) is Split:
        return {key: load_part(b, histories) for key, b in blob}
    value = pickle.loads(raw_part(blob))
    if isinstance(value, dict):  # keys, associations: private copies of their histories
        lists = histories.lists
        for model in value.values():
            d = getattr(model, "__dict__", None)
            ref = d.get("history") if d is not None else None
            if type(ref) is _HistoryRef:
                d["history"] = lists[ref.i][:ref.n]
    return value


def materialize(world: Any) -> Any:
    """Unpickle every attribute a restored world has not read yet; it is then a world of
    its own class like any other (returned)."""
    d = world.__dict__
    pending = d.pop(PENDING, None)
    if pending is not None:
        for name, blob in pending[0].items():
            if name not in d:
                d[name] = load_part(blob, pending[1])
    base = getattr(type(world), "_base_world", None)
    if base is not None:
        world.__class__ = base
    return world


_TRACERS: dict[type, type] = {}
#: Dict attributes of a world saved as one part per entry, each traced on its own: a fold
#: that reads one area's state (``world.state(KeyRotations)``) re-pickles that one only,
#: not the hundred log groups of another. Their entries are named ``(attribute, key)`` in
#: the traced names (the bare attribute name means the whole dict was used).
SPLIT = frozenset(("area_states",))


class _TracedDict:
    """A split dict attribute as a fold sees it under :func:`fold_traced`: the world's own
    dict (reads and writes go to it), recording which entries the fold used; anything
    but a look-up, a membership test or a write of one entry records the whole dict."""

    __slots__ = ("_d", "_name", "_seen")

    def __init__(self, d: dict, name: str, seen: set) -> None:
        self._d, self._name, self._seen = d, name, seen

    def get(self, key: Any, default: Any = None) -> Any:
        self._seen.add((self._name, key))
        return self._d.get(key, default)

    def __getitem__(self, key: Any) -> Any:
        self._seen.add((self._name, key))
        return self._d[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._seen.add((self._name, key))
        self._d[key] = value

    def __contains__(self, key: Any) -> bool:
        self._seen.add((self._name, key))
        return key in self._d

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self._seen.add((self._name, key))
        return self._d.setdefault(key, default)

    def _whole(self) -> dict:
        self._seen.add(self._name)
        return self._d

    def __getattr__(self, name: str) -> Any:  # items(), values(), pop(), ...: any entry
        return getattr(self._whole(), name)

    def __iter__(self) -> Any:
        return iter(self._whole())

    def __len__(self) -> int:
        return len(self._whole())

    def __delitem__(self, key: Any) -> None:
        del self._whole()[key]

    def __eq__(self, other: object) -> bool:
        return self._whole() == other

    __hash__ = None  # type: ignore[assignment]

    def __reduce_ex__(self, protocol: Any) -> Any:
        return self._whole().__reduce_ex__(protocol)


def fold_traced(world: Any, event: Any, touched: set[str]) -> set[str]:
    """``world.fold(event)``, adding to ``touched`` the name of every attribute of the
    world the fold (and the timers it fires) reads, sets or deletes: what
    :meth:`Checkpoints.take` must pickle again. Returns those names. The world is of its
    own class again after. A :data:`SPLIT` attribute is traced per entry: the fold gets a
    :class:`_TracedDict` over it, which adds ``(attribute, key)`` for each entry used."""
    cls = type(world)
    tracer = _TRACERS.get(cls)
    if tracer is None:
        def __getattribute__(self: Any, name: str) -> Any:
            seen = _get(_get(self, "__class__"), "_seen")
            if name in SPLIT:
                return _TracedDict(_get(self, name), name, seen)
            seen.add(name)
            return _get(self, name)

        def __setattr__(self: Any, name: str, value: Any) -> None:
            _get(_get(self, "__class__"), "_seen").add(name)
            object.__setattr__(self, name, value)

        def __delattr__(self: Any, name: str) -> None:
            _get(_get(self, "__class__"), "_seen").add(name)
            object.__delattr__(self, name)

        tracer = _TRACERS[cls] = type(cls.__name__, (cls,), {
            "__getattribute__": __getattribute__, "__setattr__": __setattr__,
            "__delattr__": __delattr__, "_seen": set(), "__module__": cls.__module__})
    seen = tracer._seen
    seen.clear()
    object.__setattr__(world, "__class__", tracer)
    try:
        world.fold(event)
    finally:
        object.__setattr__(world, "__class__", cls)
        used = set(seen)
        seen.clear()
        if "__dict__" in used:  # the fold read the whole state: it may have changed any
            used.update(world.__dict__)
        touched |= used
    return used


_get = object.__getattribute__

"""State at any moment: fold a recorded timeline up to T (SPEC 7).

A :class:`Timeline` holds the events and the settings they were recorded under.
``world_at(T)`` restores the nearest checkpoint at or before T (a bisect) and folds
only the events after it, never a replay from the start.

Checkpoints stay small whatever the number of data items, because items are not
copied into them (a million-event log has about a million items):

* a checkpoint is the pickled world *without* its items (keys, associations, timers...),
  zlib-compressed; key and association histories (append-only) are not copied into it
  either, only their lengths (:class:`Histories`);
* items are shared through :class:`~projections.store.itemstore.ItemStore`: at each
  checkpoint the live items are frozen in place, and the first write to a frozen item
  saves its old version first, so every checkpoint still sees its items as they were;
* a world restored from a checkpoint reads items through a copy-on-read view.

Memory is bounded: checkpoints are taken every ``every`` events, and when their total
size passes :data:`CHECKPOINT_BUDGET` every other one is dropped and ``every`` doubles.
Big logs can keep their events on disk (:meth:`Timeline.from_log`): then memory holds
an offset and a time per event, and ``world_at`` decodes only the events it folds.
"""

from __future__ import annotations

import bisect
import copy
import copyreg
import dataclasses
import gc
import io
import itertools
import os
import pickle
import zlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

from events.logfile import LogReader, read_span
from events.record import Event
from projections.model import Association, Cause, Key
from projections.store.itemstore import ItemsAt, ItemStore, LiveItems
from projections.world import World, rebind_machines

CHECKPOINT_EVERY = 256
#: Total bytes of (compressed) checkpoints kept; past it, every other checkpoint is dropped.
CHECKPOINT_BUDGET = 48 << 20
#: ``every`` grows to at least snapshot size / this: pickling ~50 bytes costs about what
#: folding one data-plane event does, so snapshots stay a few percent of replay time
#: however big the world gets (and an answer folds at most ``every`` events).
BYTES_PER_EVENT = 48

_SKIP = ("_keys_m", "_assoc_m", "_serial", "items")


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
        i = self._index.get(id(history))
        if i is None:
            i = self._index[id(history)] = len(self.lists)
            self.lists.append(history)
        return _HistoryRef(i, len(history))

    def resolve(self, world: World) -> None:
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


def snapshot(world: World, histories: Histories | None = None) -> bytes:
    """The world without its items and machines, pickled (a checkpoint). With ``histories``
    the models' histories are referenced there, not copied (see :class:`Histories`)."""
    state = {k: v for k, v in world.__dict__.items() if k not in _SKIP}
    state["_serial_next"] = next(copy.copy(world._serial))  # peek: copying a count is safe
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH if histories is None else histories.dispatch
    pickler.dump(state)
    return buf.getvalue()


_DISPATCH = copyreg.dispatch_table.copy()
_DISPATCH.update({cls: _reduce_model for cls in (Key, Association)})
_DISPATCH[Cause] = _reduce_cause


def restore(blob: bytes, histories: Histories | None = None) -> World:
    """A world from :func:`snapshot` (its ``items`` are set by the caller)."""
    state = pickle.loads(blob)
    world = World.__new__(World)
    serial = state.pop("_serial_next")
    world.__dict__.update(state)
    world._serial = itertools.count(serial)
    if histories is not None:
        histories.resolve(world)
    rebind_machines(world)
    return world


class FileEvents(Sequence[Event]):
    """Events of a log file, decoded on demand from their byte offsets (read-only)."""

    def __init__(self, path: str, offsets: array) -> None:
        self.path = path
        self.offsets = offsets
        self._fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)

    def __len__(self) -> int:
        return len(self.offsets)

    @overload
    def __getitem__(self, i: int) -> Event: ...
    @overload
    def __getitem__(self, i: slice) -> list[Event]: ...

    def __getitem__(self, i: int | slice) -> Event | list[Event]:
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step != 1:
                return [self[j] for j in range(start, stop, step)]
            return list(self._range(start, stop))
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return next(self._range(i, i + 1))

    def _range(self, start: int, stop: int) -> Iterator[Event]:
        """Decode events ``start..stop-1`` with one read per 4096 events; the log's own
        reader checks their frames and seq again (the file may have changed since)."""
        i = start
        while i < stop:
            j = min(stop, i + 4096)
            end = self.offsets[j] if j < len(self) else None
            yield from read_span(self._fd, self.path, self.offsets[i:j], i + 1, end)
            i = j

    def __iter__(self) -> Iterator[Event]:
        return self._range(0, len(self))

    def close(self) -> None:
        """Close the file."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


class Timeline:
    """Recorded events plus checkpoints; answers ``world_at(T)`` for any T."""

    def __init__(self, profile: str, settings: dict[str, str], start: int,
                 events: Iterable[Event] = (), every: int = CHECKPOINT_EVERY,
                 budget: int = CHECKPOINT_BUDGET) -> None:
        self.profile = profile
        self.settings = dict(settings)
        self.start = start
        self.every = every
        self.budget = budget
        self.events: list[Event] | FileEvents = []
        self.times: array = array("q")
        self._live = World(profile, settings, start)
        self._store = ItemStore()
        self._live.items = LiveItems(self._store)
        self._store.live = self._live.items
        # Checkpoints: events folded, checkpoint id, and the compressed pickled world; index 0 is
        # the empty world. Ids are never reused, so dropping checkpoints is safe.
        self._cp_index: list[int] = []
        self._cp_id: list[int] = []
        self._cp_blob: list[bytes] = []
        self._cp_bytes = 0
        self._histories = Histories()
        self._checkpoint()
        for e in events:
            self.append(e)

    @classmethod
    def from_log(cls, path: str, profile: str, settings: dict[str, str], start: int,
                 every: int = CHECKPOINT_EVERY, budget: int = CHECKPOINT_BUDGET
                 ) -> Timeline:
        """Fold a log file, keeping only each event's offset and time in memory. The log's
        reader checks every event (a frame that is not an event, a seq out of order or a
        time going back raises ``LogCorrupt`` naming its byte offset)."""
        timeline = cls(profile, settings, start, every=every, budget=budget)
        offsets = array("q")
        # A bulk load makes millions of objects and no garbage cycles: the cyclic collector
        # would only re-scan the growing world (a third of the load time). Off meanwhile;
        # afterwards the loaded objects are frozen out of later collections.
        collecting = gc.isenabled()
        gc.disable()
        try:
            with LogReader(path) as reader:
                for offs, events in reader.batches():
                    offsets.extend(offs)
                    timeline._fold_all(events)
        finally:
            if collecting:
                gc.enable()
                gc.freeze()
        timeline.events = FileEvents(path, offsets)
        return timeline

    def _fold_all(self, events: Iterable[Event]) -> None:
        """Fold recorded events in order, checkpointing as due (the replay hot loop)."""
        times, fold = self.times, self._live.fold
        last = times[-1] if times else -(2**63)
        due = self._cp_index[-1] + self.every  # events folded at the next checkpoint
        for event in events:
            t = event.t
            if t < last:
                raise ValueError(f"event #{event.seq} goes back in time")
            last = t
            times.append(t)
            fold(event)
            if len(times) >= due:
                self._checkpoint()
                due = self._cp_index[-1] + self.every

    # -- building ------------------------------------------------------------------------
    def append(self, event: Event) -> None:
        """Add the next recorded event (times must not decrease)."""
        if isinstance(self.events, FileEvents):
            raise TypeError("a timeline read from a log file is read-only")
        self._fold_all((event,))
        self.events.append(event)

    def _checkpoint(self) -> None:
        n = len(self.times)
        cp_id = self._store.freeze(n)
        raw = snapshot(self._live, self._histories)
        # Kept compressed: ARNs and names repeat, so a checkpoint shrinks about 5x for
        # a tenth of a millisecond (a quarter of what pickling it costs).
        blob = zlib.compress(raw, 1)
        self._cp_index.append(n)
        self._cp_id.append(cp_id)
        self._cp_blob.append(blob)
        self._cp_bytes += len(blob)
        # Amortise: a bigger world is snapshotted less often.
        self.every = max(self.every, len(raw) // BYTES_PER_EVENT)
        if self._cp_bytes > self.budget and len(self._cp_blob) > 2:
            self._thin()

    def _thin(self) -> None:
        """Drop every other checkpoint (keeping the first and the last); double ``every``."""
        keep = [i for i in range(len(self._cp_blob))
                if i % 2 == 0 or i == len(self._cp_blob) - 1]
        self._cp_index = [self._cp_index[i] for i in keep]
        self._cp_id = [self._cp_id[i] for i in keep]
        self._cp_blob = [self._cp_blob[i] for i in keep]
        self._cp_bytes = sum(map(len, self._cp_blob))
        self.every *= 2

    # -- answers -------------------------------------------------------------------------
    def count_at(self, t: int, through_seq: int | None = None) -> int:
        """How many events are at or before ``t`` (and up to event ``through_seq``)."""
        n = bisect.bisect_right(self.times, t)
        if through_seq is not None:
            n = min(n, self._index_after_seq(through_seq))
        return n

    def _index_after_seq(self, seq: int) -> int:
        events = self.events
        if 0 < seq <= len(events) and events[seq - 1].seq == seq:
            return seq  # the usual case: seq numbers are positions
        return sum(1 for e in events if e.seq <= seq)

    def world_at(self, t: int, through_seq: int | None = None) -> World:
        """A fresh world with every event at or before ``t`` (and up to event ``through_seq``
        when given) folded, and every timer due at or before ``t`` fired."""
        world = self.world_after(self.count_at(t, through_seq))
        world.advance_to(max(t, world.now))
        return world

    def world_after(self, n: int) -> World:
        """A fresh world with the first ``n`` events folded (timers up to event ``n``)."""
        i = bisect.bisect_right(self._cp_index, n) - 1
        world = restore(zlib.decompress(self._cp_blob[i]), self._histories)
        world.items = ItemsAt(self._store, self._cp_id[i], self._cp_index[i])
        for event in self.events[self._cp_index[i]:n]:
            world.fold(event)
        return world

    def event(self, seq: int) -> Event | None:
        """The event with this number, if any."""
        n = self._index_after_seq(seq)
        if n and self.events[n - 1].seq == seq:
            return self.events[n - 1]
        return None

    @property
    def live(self) -> World:
        """The world after the last event (do not change it)."""
        return self._live

    @property
    def end(self) -> int:
        """Time of the last event (or the start)."""
        return self.times[-1] if self.times else self.start

    @property
    def checkpoints(self) -> list[tuple[int, int]]:
        """``(events folded, stored bytes)`` of each checkpoint kept (for benchmarks)."""
        return [(n, len(b)) for n, b in zip(self._cp_index, self._cp_blob, strict=True)]

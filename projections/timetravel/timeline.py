"""State at any moment: fold a recorded timeline up to T (SPEC 7).

A :class:`Timeline` holds the events, their times and the settings they were recorded
under, and folds them into a live world. ``world_at(T)`` is a question about time: how
many events are at or before T (a bisect of the times), which checkpoint is the nearest
at or before that count, and which events to fold after it; never a replay from the
start. How checkpoints are kept small, and items shared between them, is
:mod:`projections.store`'s business (:class:`~projections.store.Checkpoints`).

Big logs keep their events on disk (:meth:`Timeline.from_log`): the log is read once
through :class:`events.logindex.IndexedLog`, which keeps an offset and a time per event,
and ``world_at`` decodes only the events it folds.
"""

from __future__ import annotations

import bisect
import gc
from array import array
from collections.abc import Iterable

from events.logindex import FileEvents, IndexedLog
from events.record import Event
from projections.store import CHECKPOINT_BUDGET, CHECKPOINT_EVERY, Checkpoints
from projections.world import World


class Timeline:
    """Recorded events plus checkpoints; answers ``world_at(T)`` for any T."""

    def __init__(self, profile: str, settings: dict[str, str], start: int,
                 events: Iterable[Event] = (), every: int = CHECKPOINT_EVERY,
                 budget: int = CHECKPOINT_BUDGET) -> None:
        self.profile = profile
        self.settings = dict(settings)
        self.start = start
        #: The events (a list, or a log file's events decoded on demand) and their times.
        self.events: list[Event] | FileEvents = []
        self.times: array = array("q")
        self._live = World(profile, settings, start)
        self._checkpoints = Checkpoints(every, budget)
        self._live.items = self._checkpoints.items
        self._checkpoints.take(self._live, 0)  # the empty world
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
        log = IndexedLog(path)
        # A bulk load makes millions of objects and no garbage cycles: the cyclic collector
        # would only re-scan the growing world (a third of the load time). Off meanwhile;
        # afterwards the loaded objects are frozen out of later collections.
        collecting = gc.isenabled()
        gc.disable()
        try:
            timeline._fold_all(log.read(), 0)
        finally:
            if collecting:
                gc.enable()
                gc.freeze()
        timeline.times, timeline.events = log.times, log.events
        return timeline

    def _fold_all(self, events: Iterable[Event], n: int) -> None:
        """Fold events ``n + 1...`` in order (their times already checked), checkpointing
        as due (the replay hot loop)."""
        world, checkpoints = self._live, self._checkpoints
        fold, due = world.fold, checkpoints.due
        for event in events:
            fold(event)
            n += 1
            if n >= due:
                checkpoints.take(world, n)
                due = checkpoints.due

    # -- building ------------------------------------------------------------------------
    def append(self, event: Event) -> None:
        """Add the next recorded event (times must not decrease)."""
        if not isinstance(self.events, list):
            raise TypeError("a timeline read from a log file is read-only")
        times = self.times
        if times and event.t < times[-1]:
            raise ValueError(f"event #{event.seq} goes back in time")
        times.append(event.t)
        self._fold_all((event,), len(times) - 1)
        self.events.append(event)

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
        """A fresh world with the first ``n`` events folded (timers up to event ``n``):
        the nearest checkpoint at or before ``n``, then the events after it."""
        world, done = self._checkpoints.restore(n)
        for event in self.events[done:n]:
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
    def every(self) -> int:
        """Events between two checkpoints now (it grows with the world and the budget)."""
        return self._checkpoints.every

    @property
    def checkpoints(self) -> list[tuple[int, int]]:
        """``(events folded, stored bytes)`` of each checkpoint kept (for benchmarks)."""
        return self._checkpoints.sizes()

"""State at any moment: fold a recorded timeline up to T (SPEC 7).

A :class:`Timeline` holds the events (in memory) and the settings they were recorded
under. ``world_at(T)`` starts from the nearest checkpoint at or before T and folds
only the events after it, so an answer costs a bisect plus the events since that
checkpoint, never a replay from the start.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from events.record import Event
from projections.world import World

CHECKPOINT_EVERY = 512


class Timeline:
    """Recorded events plus checkpoints; answers ``world_at(T)`` for any T."""

    def __init__(self, profile: str, settings: dict[str, str], start: int,
                 events: Iterable[Event] = (), every: int = CHECKPOINT_EVERY) -> None:
        self.profile = profile
        self.settings = dict(settings)
        self.start = start
        self.every = every
        self.events: list[Event] = []
        self.times: list[int] = []
        self._live = World(profile, settings, start)
        # (event index folded so far, world snapshot); index 0 is the empty world.
        self._cp_index: list[int] = [0]
        self._cp_world: list[World] = [self._live.clone()]
        for e in events:
            self.append(e)

    def append(self, event: Event) -> None:
        """Add the next recorded event (times must not decrease)."""
        if self.times and event.t < self.times[-1]:
            raise ValueError(f"event #{event.seq} goes back in time")
        self.events.append(event)
        self.times.append(event.t)
        self._live.fold(event)
        if len(self.events) % self.every == 0:
            self._cp_index.append(len(self.events))
            self._cp_world.append(self._live.clone())

    def world_at(self, t: int, through_seq: int | None = None) -> World:
        """A fresh world with every event at or before ``t`` (and up to event ``through_seq``
        when given) folded, and every timer due at or before ``t`` fired."""
        n = bisect.bisect_right(self.times, t)
        if through_seq is not None:
            n = min(n, bisect.bisect_right([e.seq for e in self.events], through_seq))
        i = bisect.bisect_right(self._cp_index, n) - 1
        world = self._cp_world[i].clone()
        for event in self.events[self._cp_index[i]:n]:
            world.fold(event)
        world.advance_to(max(t, world.now))
        return world

    @property
    def live(self) -> World:
        """The world after the last event (do not change it)."""
        return self._live

    @property
    def end(self) -> int:
        """Time of the last event (or the start)."""
        return self.times[-1] if self.times else self.start

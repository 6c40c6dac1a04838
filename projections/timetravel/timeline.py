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
import threading
from array import array
from collections.abc import Callable, Iterable

from events.codec import UnsupportedEventVersion
from events.logfile import LogError
from events.logindex import FileEvents, IndexedLog
from events.record import Event, adopt
from projections.store import CHECKPOINT_BUDGET, CHECKPOINT_EVERY, Checkpoints
from projections.store import sidecar as sidecars
from projections.store.checkpoints import fold_traced, import_state
from projections.world import World, plain_folds, plain_reads, reads_events

_NEVER = float("inf")


def _changes_plain(used: set | None, reads: tuple[frozenset, bool]) -> bool:
    """Whether a fold that used ``used`` (None: unknown) may have changed what the plain
    folds read (``reads``: :func:`projections.world.plain_reads`)."""
    if used is None or not used.isdisjoint(reads[0]):
        return True
    return reads[1] and any(type(u) is tuple and u[0] == "area_states" for u in used)


class FoldFailed(Exception):
    """A recorded event the rules cannot fold: ``seq``, its frame's byte ``offset`` (when
    read from a file) and the error (``__cause__`` and ``error``)."""

    def __init__(self, seq: int, offset: int | None, error: Exception) -> None:
        super().__init__(f"event #{seq} cannot be folded: {type(error).__name__}: {error}")
        self.seq = seq
        self.offset = offset
        self.error = error


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
        self._live = reads_events(World(profile, settings, start), self.event)
        self._checkpoints = Checkpoints(every, budget)
        self._live.items = self._checkpoints.items
        self._checkpoints.take(self._live, 0)  # the empty world
        # The live world's attributes used since the last checkpoint (None: unknown).
        self._touched: set[str] | None = set()
        #: What the last :meth:`from_log` did (see there); empty otherwise.
        self.load_stats: dict[str, object] = {}
        for e in events:
            self.append(e)

    @classmethod
    def from_log(cls, path: str, profile: str, settings: dict[str, str], start: int,
                 every: int = CHECKPOINT_EVERY, budget: int = CHECKPOINT_BUDGET, *,
                 sidecar: bool = False, on_batch: Callable[[int], None] | None = None,
                 notes: list[str] | None = None) -> Timeline:
        """Fold a log file, keeping only each event's offset and time in memory. The log's
        reader checks every event (a frame that is not an event, a seq out of order or a
        time going back raises ``LogCorrupt`` naming its byte offset); an event the rules
        cannot fold raises :class:`FoldFailed`.

        With ``sidecar``, the index beside the log (:mod:`projections.store.sidecar`) is
        used when it still describes the log, and only the frames after it are read and
        folded (a log that grew is followed); it is (re)written when that saved work.
        ``notes`` gets one line for each thing a user should hear (a damaged index, one
        that cannot be written). ``on_batch(offset)`` reports progress per read.
        ``load_stats`` says what happened: ``index`` (``none``, ``built``, ``used``,
        ``followed``) and ``folded`` (events decoded and folded by this load)."""
        notes = [] if notes is None else notes
        restored = None
        if sidecar:
            try:
                restored = sidecars.read_sidecar(path, profile, settings)
            except sidecars.SidecarProblem as problem:
                if problem.warn:
                    notes.append(f"{sidecars.sidecar_path(path)}: {problem.message}; "
                                 "rebuilding it")
        if restored is not None:
            stamp, state = restored
            timeline = cls._restored(profile, settings, start, state)
            log = IndexedLog(path, state["offsets"], timeline.times, stamp.covered)
        else:
            stamp = None
            timeline = cls(profile, settings, start, every=every, budget=budget)
            log = IndexedLog(path)
        before = len(log.times)
        timeline.events = log.events  # what a fold reads of earlier events (World.recorded)
        # A bulk load makes millions of objects and no garbage cycles: the cyclic collector
        # would only re-scan the growing world (a third of the load time). Off meanwhile;
        # afterwards the loaded objects are frozen out of later collections.
        collecting = gc.isenabled()
        gc.disable()
        try:
            timeline._fold_dicts(log.read(on_batch, raw=True), before, log.offsets)
        finally:
            if collecting:
                gc.enable()
                gc.freeze()
        timeline.times, timeline.events = log.times, log.events
        timeline.events.end = log.end
        folded = len(log.times) - before
        timeline.load_stats = {"index": "none", "folded": folded}
        if sidecar:
            timeline.load_stats["index"] = ("used" if stamp is not None and not folded else
                                            "followed" if stamp is not None else "built")
            if (stamp is None or folded) and len(log.times) >= sidecars.MIN_EVENTS:
                sidecars.save_index(path, log.end, stamp, notes, timeline.profile,
                                    timeline.settings, timeline.times, log.offsets,
                                    timeline._checkpoints, timeline._live)
        return timeline

    @classmethod
    def _restored(cls, profile: str, settings: dict[str, str], start: int, state: dict
                  ) -> Timeline:
        timeline = cls.__new__(cls)
        timeline.profile, timeline.settings, timeline.start = profile, dict(settings), start
        timeline.times = state["times"]
        timeline._checkpoints, timeline._live = import_state(state["store"])
        timeline.events = []
        reads_events(timeline._live, timeline.event)
        timeline.load_stats = {}
        timeline._touched = None  # the events after the last checkpoint were folded before
        return timeline

    def _fold_all(self, events: Iterable[Event], n: int) -> None:
        """Fold events ``n + 1...`` in order, as :meth:`_fold_dicts` does."""
        self._fold_dicts((e.__dict__ for e in events), n)

    def _fold_dicts(self, events: Iterable[dict], n: int, offsets: array | None = None
                    ) -> None:
        """Fold events ``n + 1...``, given as their dicts (checked, in order), checkpointing
        as due (the replay hot loop). An event the rules cannot fold raises
        :class:`FoldFailed` (``offsets``, when given, names its byte offset).

        A plain event (:func:`projections.world.plain_folds`: a data-plane write whose fold
        only adds an item, with no timer due) is folded here from its dict, with no Event
        made and no call into the fold; the others are folded as :func:`fold_traced`
        records which attributes of the world they use, so a checkpoint pickles only those
        again."""
        world, checkpoints = self._live, self._checkpoints
        touched = self._touched
        fold, due, take = world.fold, checkpoints.due, checkpoints.take
        makers, reads = plain_folds(), plain_reads()
        wd = world.__dict__
        # Plain items wait in these columns and go to the store a batch at a time, before
        # anything else reads the world (a checkpoint, another fold, the end); so do the
        # world's time and last seq.
        rows: tuple[list, ...] = ([], [], [], [], [])
        add_rows = world.items.add_rows

        def made() -> tuple[dict, float]:
            return ({op: make(wd["area_states"], wd["associations"], rows)
                     for op, make in makers.items()}, due_next())

        def due_next() -> float:
            timers = wd["timers"]
            return timers[0].due if timers else _NEVER

        def flush() -> None:
            if rows[1]:
                wd["now"] = rows[2][-1]
                wd["last_seq"] = rows[1][-1]
                add_rows(*rows)
                for column in rows:
                    column.clear()

        plain, next_due = made()
        now = wd["now"]  # only a fold moves it (a plain event's time goes in at a flush)
        d = None
        try:
            for d in events:
                fn = plain.get(d["op"])
                # A plain event: no timer due by its time (events come in time order,
                # never before the world's time: the log's reader checks it).
                if fn is not None and now <= d["t"] < next_due and \
                        d["out"].get("ok") is True and fn(d):
                    n += 1
                    if n >= due:
                        flush()
                        take(world, n, touched)
                        touched, due = set(), checkpoints.due
                    continue
                flush()
                event = adopt(d)
                if touched is None:
                    fold(event)
                    used: set[str] | None = None
                else:
                    used = fold_traced(world, event, touched)
                if _changes_plain(used, reads):
                    plain, next_due = made()  # what the plain folds read may have changed
                else:
                    next_due = due_next()
                now = wd["now"]
                n += 1
                if n >= due:
                    take(world, n, touched)
                    touched, due = set(), checkpoints.due
        except (LogError, UnsupportedEventVersion, KeyboardInterrupt):
            raise  # the file's problem, or the user's: not a fold's
        except Exception as exc:
            if d is None:
                raise
            offset = offsets[n] if offsets is not None and n < len(offsets) else None
            raise FoldFailed(d["seq"], offset, exc) from exc
        finally:
            flush()
            self._touched = touched

    # -- building ------------------------------------------------------------------------
    def append(self, event: Event, frame_size: int | None = None) -> None:
        """Add the next recorded event (times must not decrease). When the events are a
        log file's (:meth:`from_log`, :meth:`keep_in_file`), the event has just been
        appended to that file and ``frame_size`` is its frame's length in bytes: only
        its offset is kept, and the event is read back from the file when asked for."""
        events = self.events
        if not isinstance(events, list) and frame_size is None:
            raise TypeError("a timeline read from a log file is appended to by its writer "
                            "(give the frame's size)")
        times = self.times
        if times and event.t < times[-1]:
            raise ValueError(f"event #{event.seq} goes back in time")
        times.append(event.t)
        world, checkpoints = self._live, self._checkpoints
        # The recorder decides on the live world before this (its timers fire there), so
        # what changed since the last checkpoint is not known: the next one pickles all.
        self._touched = None
        world.fold(event)  # an error here is the caller's to report (the recorder's crash)
        if len(times) >= checkpoints.due:
            checkpoints.take(world, len(times))
        if isinstance(events, list):
            events.append(event)
        else:
            events.append_offset(events.end)
            events.end += frame_size

    def keep_in_file(self, path: str, end: int, before_read: Callable[[], None]) -> None:
        """From now on keep only the offsets of events (in memory: 16 bytes each, not the
        events): they are in the log at ``path``, whose first ``end`` bytes hold the
        events so far, written through a writer whose buffered frames ``before_read()``
        hands to the file. The events so far must be in memory or already the file's."""
        events = self.events
        if isinstance(events, list):
            if events:
                raise ValueError("keep_in_file needs an empty timeline or a log's")
            events = self.events = FileEvents(path, array("q"))
            events.end = end
        events.before_read = before_read

    def refolded(self) -> Timeline:
        """A fresh timeline with the same events (given first: folds read them) folded again."""
        fresh = Timeline(self.profile, self.settings, self.start,
                         every=CHECKPOINT_EVERY, budget=self._checkpoints.budget)
        fresh.events = list(self.events) if isinstance(self.events, list) else self.events
        fresh._fold_all(fresh.events, 0)
        fresh.times = array("q", self.times)
        return fresh

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
        checkpoints = self._checkpoints
        world, done = checkpoints.restore(n)
        reads_events(world, self.event)
        if done < n:
            self._fold_restored(world, self.events[done:n])
        return world

    def _fold_restored(self, world: World, events: Iterable[Event]) -> None:
        """Fold events into a restored world. A plain event only reads the world's groups
        and associations: the checkpoint's are read (shared, decoded once), and the world
        makes its own copy only when another fold uses them."""
        peek, wd = self._checkpoints.peek, world.__dict__
        shapes, seqs, _, t0s, t1s = rows = self._answer_rows()
        add = world.items.add

        def made() -> tuple[dict, float]:
            timers = peek(world, "timers")
            states, assocs = peek(world, "area_states"), peek(world, "associations")
            if "area_states" in wd or "associations" in wd:  # the world's own: it changes
                plain = {op: make(states, assocs, rows) for op, make in plain_folds().items()}
            else:
                plain = self._plain_for(states, assocs)
            return plain, timers[0].due if timers else _NEVER

        plain, next_due = made()
        for event in events:
            d = event.__dict__
            fn = plain.get(d["op"])
            t = d["t"]
            if fn is not None and next_due > t >= wd["now"] and \
                    d["out"].get("ok") is True and fn(d):
                kind, arn, account, region, keys = shapes.pop()
                seq, lo, hi = seqs.pop(), t0s.pop(), t1s.pop()
                rows[2].pop()
                add(seq, kind, arn, account, region, t, keys, None, None,
                    None if lo == hi == t else {"t0": lo, "t1": hi})
                wd["now"] = t
                wd["last_seq"] = seq
                continue
            world.fold(event)
            plain, next_due = made()

    def _answer_rows(self) -> tuple[list, ...]:
        """Where the plain folds of this thread's answers put an item before it is added
        (one at a time; a server may answer in several threads)."""
        return self._answering()[1]

    def _answering(self) -> list:
        made = self.__dict__.setdefault("_made", {})
        mine = made.get(threading.get_ident())
        if mine is None:
            mine = made[threading.get_ident()] = [None, ([], [], [], [], [])]
        return mine

    def _plain_for(self, area_states: dict, associations: dict) -> dict:
        """The plain folds of these checkpoint parts (shared, read-only), kept while the
        parts are these: what they remember of each group then serves every answer."""
        mine = self._answering()
        makers = plain_folds()
        cached = mine[0]
        if cached is not None and cached[0] is area_states and cached[1] is associations \
                and cached[2] == makers:
            return cached[3]
        plain = {op: make(area_states, associations, mine[1]) for op, make in makers.items()}
        mine[0] = (area_states, associations, makers, plain)
        return plain

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

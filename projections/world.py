"""The world: every projection folded from the event log, with its timers.

``World.fold(event)`` is the only way state changes (plus timers the folds derived,
fired by ``advance_to`` in time order). Folds and timer handlers are registered by
area modules (``projections.kms.fold``, ...) with :func:`folds` and :func:`on_timer`.

This module imports no area module (they import it): ``projections/__init__.py`` imports
:mod:`projections.areas`, so importing any ``projections`` module registers every fold.
"""

from __future__ import annotations

import copy
import itertools
import pickle
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from sortedcontainers import SortedList

from events.record import Event
from projections.arns import ALIAS_ARN, KEY_ARN, PARTITION, key_arn
from projections.machines import (
    ASSOCIATION_MACHINES,
    ASSOCIATION_TRANSITIONS,
    KEY_MACHINE,
    KEY_TRANSITIONS,
    fire,
    rule_of,
)
from projections.model import Association, Cause, DataItem, Key, Principal
from projections.rulebook import setting
from projections.store.items import ItemDict
from projections.store.itemstore import copy_item

FoldFn = Callable[["World", Event], None]
TimerFn = Callable[["World", "Timer"], None]
#: An area's state class (a module-level dataclass whose fields all have defaults).
S = TypeVar("S")
#: world -> a weak reference to the ``event(seq)`` method of the timeline it is folded on
#: (:func:`reads_events`). Beside the world, not in it: checkpoints and clones pickle the
#: world's attributes, and a world must not keep its timeline alive.
_EVENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def reads_events(world: World, event_of: Callable[[int], Event | None]) -> World:
    """Let ``world``'s folds read earlier events by number (:meth:`World.recorded`)
    through ``event_of``, a bound method of the timeline that holds them."""
    _EVENTS[world] = weakref.WeakMethod(event_of)  # type: ignore[arg-type]
    return world

_FOLDS: dict[str, FoldFn] = {}
_TIMERS: dict[str, TimerFn] = {}
#: A plain fold is made from a world's ``(area_states, associations)`` and five lists;
#: given an event's dict, it appends the item's ``(kind, resource, account, region,
#: keys)``, seq, write time, t0 and t1 to them and returns True when adding that item (no
#: cause, no expiry) is all the event's fold would do, else returns False.
PlainFn = Callable[[dict, dict, tuple], Callable[[dict], bool]]
#: op -> (the fold it stands for, the maker of its plain fold): see :func:`plain_fold`.
_PLAIN: dict[str, tuple[FoldFn, PlainFn]] = {}
#: op -> the area state classes its plain fold reads (None: it may read any).
_PLAIN_READS: dict[str, tuple[type, ...] | None] = {}

#: Timers due at the same instant fire in this order (lower first), then by serial,
#: so replay is deterministic (SimPy's (time, priority, serial) discipline). Filled by
#: :func:`on_timer`, so a kind's priority is declared where its handler is.
TIMER_PRIORITY: dict[str, int] = {}


def folds(*ops: str) -> Callable[[FoldFn], FoldFn]:
    """Register the fold of successful events of the given operations."""

    def register(fn: FoldFn) -> FoldFn:
        for op in ops:
            _FOLDS[op] = fn
        return fn

    return register


def plain_fold(op: str, fold: FoldFn, reads: tuple[type, ...] | None = None
               ) -> Callable[[PlainFn], PlainFn]:
    """Register the *plain* case of ``op``'s fold ``fold``: ``make(area_states,
    associations, lists)`` gives a function that only reads them and says which item the fold
    would add when that is all it would do (replay's hot path folds such an event without
    a call into the fold, :func:`plain_folds`). It may remember what it read: whoever
    calls it makes it again once anything but a plain fold has used the associations or
    the area states in ``reads`` (the classes it reads of ``area_states``; None: any)."""

    def register(fn: PlainFn) -> PlainFn:
        _PLAIN[op] = (fold, fn)
        _PLAIN_READS[op] = reads
        return fn

    return register


def plain_folds() -> dict[str, PlainFn]:
    """op -> maker of its plain fold, for the operations whose registered fold is still the
    one their plain fold stands for (a fold replaced since has no plain case)."""
    return {op: fn for op, (fold, fn) in _PLAIN.items() if _FOLDS.get(op) is fold}


def plain_reads() -> tuple[frozenset, bool]:
    """What the plain folds read of a world, in the names
    :func:`projections.store.fold_traced` records: ``associations``, ``area_states`` (the
    whole dict) and ``("area_states", cls)`` for each area state class one reads; and
    whether one may read any area state (then every ``("area_states", cls)`` counts)."""
    found: set = {"associations", "area_states"}
    for op in plain_folds():
        reads = _PLAIN_READS.get(op)
        if reads is None:
            return frozenset(found), True
        found.update(("area_states", cls) for cls in reads)
    return frozenset(found), False


def on_timer(kind: str, *, priority: int) -> Callable[[TimerFn], TimerFn]:
    """Register the handler of a timer kind and its firing priority (lower fires first
    among timers due at the same instant)."""

    def register(fn: TimerFn) -> TimerFn:
        _TIMERS[kind] = fn
        TIMER_PRIORITY[kind] = priority
        return fn

    return register


@dataclass(frozen=True, order=True)
class Timer:
    """A moment a fold derived from an event; not stored in the log, re-derived on replay."""

    due: int
    priority: int
    serial: int
    kind: str = field(compare=False)
    target: str = field(compare=False)
    token: object = field(compare=False, default=None)
    seq: int | None = field(compare=False, default=None)


class World:
    """All projections at one moment ``now``: keys, aliases, principals, associations, items.

    ``settings`` are the profile and assumption values the log was recorded under.
    """

    def __init__(self, profile: str = "seed", settings: dict[str, str] | None = None,
                 start: int = 0) -> None:
        self.profile = profile
        self.settings: dict[str, str] = dict(settings or {})
        self.start = start
        self.now = start
        self.last_seq = 0
        self.keys: dict[str, Key] = {}
        self.aliases: dict[tuple[str, str, str], str] = {}
        self.principals: dict[str, Principal] = {}
        self.associations: dict[str, Association] = {}
        self.items: dict[int, DataItem] = ItemDict()  # every store has .add (store.items)
        self.labels: dict[str, int] = {}
        #: Each area's typed state, by its class (see :meth:`state`); pickled with the world.
        self.area_states: dict[type, object] = {}
        self.timers: SortedList = SortedList()
        self._serial = itertools.count()

    def setting(self, name: str) -> str:
        """An assumption's value in force by name (``propagation``): the recorded value, or
        the rulebook's default; an unknown name raises ``UnknownSetting``."""
        return setting(self.settings, name)

    def state(self, cls: type[S]) -> S:
        """The world's instance of an area's state class, made with ``cls()`` on first use.

        For folds (the writers). Handlers read through :meth:`peek`, which creates nothing,
        so a rejected call leaves the world as it was. ``cls`` must be a module-level
        dataclass: checkpoints and ``clone`` pickle it.
        """
        found = self.area_states.get(cls)
        if found is None:
            found = self.area_states[cls] = cls()
        return found  # type: ignore[return-value]

    def peek(self, cls: type[S]) -> S:
        """The area's state if a fold made it, else a fresh empty ``cls()`` the world does
        not keep (read it only: changes to it are lost)."""
        found = self.area_states.get(cls)
        return cls() if found is None else found  # type: ignore[return-value]

    # -- folding -----------------------------------------------------------------------
    def fold(self, event: Event) -> None:
        """Apply one event: fire timers due up to its time, then its effect if it succeeded."""
        t = event.t
        if t < self.now:
            raise ValueError(
                f"event #{event.seq} at {t} is before the world's time {self.now}")
        if self.timers:
            self.advance_to(t)
        else:
            self.now = t
        self.last_seq = event.seq
        if event.out.get("ok") is True:  # event.ok, without a property call per event
            fn = _FOLDS.get(event.op)
            if fn is not None:
                fn(self, event)

    def advance_to(self, t: int) -> None:
        """Fire every timer due at or before ``t``, in (due, priority, serial) order."""
        while self.timers and self.timers[0].due <= t:
            timer = self.timers.pop(0)
            self.now = max(self.now, timer.due)
            _TIMERS[timer.kind](self, timer)
        self.now = max(self.now, t)

    def schedule(self, due: int, kind: str, target: str, token: object = None,
                 seq: int | None = None) -> Timer:
        """Add a timer; handlers check ``token`` so a superseded timer does nothing.

        ``kind`` must be registered with :func:`on_timer` (ValueError otherwise): a timer
        nothing can fire would be lost silently.
        """
        priority = TIMER_PRIORITY.get(kind)
        if priority is None or kind not in _TIMERS:
            raise ValueError(f"unknown timer kind {kind!r} (registered: "
                             f"{', '.join(sorted(TIMER_PRIORITY))})")
        timer = Timer(due, priority, next(self._serial), kind, target, token, seq)
        self.timers.add(timer)
        return timer

    def pending_timers(self) -> list[Timer]:
        """Timers not yet fired, in firing order."""
        return list(self.timers)

    # -- models ------------------------------------------------------------------------
    def add_key(self, key: Key, initial: str) -> Key:
        """Add a key in lifecycle state ``initial``."""
        key.state = initial
        self.keys[key.world_id] = key
        key.since = key.created
        key.history.append((key.created.t, key.created.seq, initial, key.created.rule))
        return key

    def key_event(self, key: Key, trigger: str, t: int, seq: int | None, note: str) -> None:
        """Fire a lifecycle trigger on a key and record why (state changes only).

        The rule recorded is the one the lifecycle table cites for the transition taken
        (``machines.rule_of``), so a fold cannot name another.
        """
        before = fire(KEY_MACHINE, key, trigger)
        if key.state != before:
            cause = Cause(t, seq, rule_of(KEY_TRANSITIONS, trigger, before, key.state), note)
            key.since = cause
            key.history.append((cause.t, cause.seq, key.state, cause.rule))

    def association(self, resource: str, kind: str, account: str, region: str) -> Association:
        """The association of ``resource``, created in state ``none`` on first use."""
        assoc = self.associations.get(resource)
        if assoc is None:
            if kind not in ASSOCIATION_MACHINES:
                raise ValueError(f"unknown association kind {kind!r}")
            assoc = Association(resource, kind, account, region)
            self.associations[resource] = assoc
        return assoc

    def association_event(self, assoc: Association, trigger: str, t: int, seq: int | None,
                          note: str) -> None:
        """Fire an association trigger and record the change, citing the rule of the row of
        its kind's table that was taken (``machines.rule_of``)."""
        before = fire(ASSOCIATION_MACHINES[assoc.kind], assoc, trigger)
        rule = rule_of(ASSOCIATION_TRANSITIONS[assoc.kind], trigger, before, assoc.state)
        assoc.since = Cause(t, seq, rule, note)
        assoc.history.append((t, seq, assoc.state, assoc.key, rule))

    def add_item(self, item: DataItem) -> DataItem:
        """Record a ready-made data item (one data-plane write), kept as an object.

        A fold that makes the item calls ``self.items.add(seq, kind, ...)`` instead: every
        items mapping has it, and the live store keeps a plain item as a row of columns
        (no object), which is what keeps a million-item replay fast and small.
        """
        self.items[item.seq] = item
        return item

    # -- lookups -----------------------------------------------------------------------
    def find_key(self, ref: str, account: str, region: str) -> Key | None:
        """Resolve a key id, key ARN, alias name or alias ARN (R-KMS-16), Deleted included.

        Keys are regional: an ARN naming another region than ``region`` does not resolve.
        A key ARN resolves only when it is the key's own: partition, Region, account and
        key id (R-KMS-34).
        """
        if m := KEY_ARN.fullmatch(ref):
            key = self.keys.get(m.group(3))
            if key is None or key.arn != ref:
                key = self.keys.get(ref)  # a multi-Region replica is kept by ARN
            if key and key.arn == ref and key.region == region:
                return key
            return None
        if m := ALIAS_ARN.fullmatch(ref):
            if m.group(1) != region or not ref.startswith(f"arn:{PARTITION}:"):
                return None
            key_id = self.aliases.get((m.group(2), m.group(1), m.group(3)))
            return self.keys.get(key_id) if key_id else None
        if ref.startswith("alias/"):
            key_id = self.aliases.get((account, region, ref))
            return self.keys.get(key_id) if key_id else None
        key = self.keys.get(ref)
        if key and key.account == account and key.region == region:
            return key
        if ref.startswith("mrk-"):  # a multi-Region replica here shares the key id
            key = self.keys.get(key_arn(region, account, ref))
            return key if key is not None and key.key_id == ref else None
        return None

    def key_by_arn(self, arn: str | None) -> Key | None:
        """The key with this ARN, if any: the whole ARN must be the key's own (R-KMS-34)."""
        if not arn:
            return None
        m = KEY_ARN.fullmatch(arn)
        key = self.keys.get(m.group(3)) if m else None
        if m and (key is None or key.arn != arn):
            key = self.keys.get(arn)  # a multi-Region replica is kept by ARN
        return key if key is not None and key.arn == arn else None

    def principal_names(self) -> dict[str, str]:
        """Declared principal names -> ARN (a later declaration of a name wins)."""
        return {p.name: p.arn for p in self.principals.values()}

    def principal_arn(self, name: str) -> str | None:
        """The ARN of a declared principal name, or None."""
        found = None
        for p in self.principals.values():
            if p.name == name:
                found = p.arn
        return found

    def aliases_of(self, key_id: str) -> list[str]:
        """Alias names pointing at a key."""
        return sorted(a for (_, _, a), k in self.aliases.items() if k == key_id)

    def identity_policies(self, principal: str) -> list[dict]:
        """Identity policies of an IAM principal (none for unknown principals and services)."""
        p = self.principals.get(principal)
        return p.policies if p else []

    def item(self, ref: str | int) -> DataItem | None:
        """A data item by label or by the number of the event that wrote it."""
        if isinstance(ref, int) or (isinstance(ref, str) and ref.lstrip("#").isdecimal()):
            return self.items.get(int(str(ref).lstrip("#")))
        seq = self.labels.get(ref)
        return self.items.get(seq) if seq is not None else None

    def iter_items(self) -> Iterator[DataItem]:
        """Data items in the order they were written."""
        return iter(self.items.values())

    def recorded(self, seq: int) -> Event | None:
        """An earlier event by number, from the timeline this world is folded on (where
        data-plane payloads stay, such as the stream a batch was written to); None when the
        world has no timeline (:func:`reads_events`) or the event is not there."""
        ref = _EVENTS.get(self)
        event_of = ref() if ref is not None else None
        return event_of(seq) if event_of is not None else None

    # -- copies ------------------------------------------------------------------------
    def clone(self, items: bool = True) -> World:
        """A deep, independent copy (for checkpoints and what-if forks); ``items=False``
        leaves ``items`` empty (the timeline shares items between its checkpoints).

        Pickling is several times faster than ``copy.deepcopy`` for these plain records,
        and there is nothing to re-bind: models hold only their ``state`` (machines.fire).
        """
        other = World.__new__(World)
        state = {k: v for k, v in self.__dict__.items()
                 if k not in ("_serial", "items")}
        try:
            state = pickle.loads(pickle.dumps(state, pickle.HIGHEST_PROTOCOL))
        except (pickle.PicklingError, TypeError, AttributeError):
            state = copy.deepcopy(state)
        other.__dict__.update(state)
        other.items = ItemDict()
        if items:
            other.items = ItemDict((seq, copy_item(item)) for seq, item in self.items.items())
        other._serial = itertools.count(next(copy.copy(self._serial)))
        if self in _EVENTS:  # a copy reads the same events
            _EVENTS[other] = _EVENTS[self]
        return other


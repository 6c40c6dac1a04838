"""What-if: fork a timeline at T, apply other steps, replay the rest under the rules.

The fork keeps the events at or before T as recorded, applies each step at T as a new
event, then re-executes every later event's request (so an EnableKey that failed on a
key pending deletion may now succeed), numbering them after the steps. Answers of the
original and the fork are then compared at each later event and at the end.

:func:`fork` then :func:`compare` keep the fork as a timeline with checkpoints (the
debugger's and the tests' way: any moment of the fork can be asked for later);
:func:`fork_compared` (``kmsim whatif``) does both in one pass in bounded memory: both
worlds folded side by side, the fork's events on a scratch log, no checkpoints.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import shlex
import tempfile
import tomllib
import weakref
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from events.logfile import LogWriter
from events.logindex import FileEvents
from events.logreader import LogReader
from events.record import Event
from projections.arns import account_of_arn
from projections.timetravel.timeline import Timeline
from projections.world import World
from sim.errors import InputError
from sim.progress import progress
from sim.recording import Recorder, Request
from sim.replay import NO_CHECKPOINTS, keep_in_scratch
from sim.whatif_compare import (
    Change,
    Walk,
    answers,
    compare,
    describe,
    failed_steps,
    named,
    outcome_text,
    report_lines,
    step_failure,
)

__all__ = ["Change", "Fork", "Recorded", "SeqShift", "Step", "answers", "compare", "describe",
           "failed_steps", "fork", "fork_compared", "named", "parse_step", "report_lines",
           "step_failure"]

_CALL = re.compile(r"\s*([a-z0-9-]+:[A-Za-z0-9]+)\s*(.*)", re.S)
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Step:
    """One step to apply at the fork: ``service:Operation`` and its arguments."""

    call: str
    args: dict


def parse_step(text: str, variables: Mapping[str, Any] | None = None) -> Step:
    """``'CALL ARGS'``: ARGS as JSON (``{"KeyId": "alias/app"}``), a TOML inline table
    (``{ KeyId = "alias/app" }``) or NAME=VALUE words (``KeyId=alias/app``); ``${name}``
    anywhere takes a scenario's saved value, and so does an argument whose whole value is
    a saved value's name (``KeyId=k1``). The one parser of steps for whatif and the
    debugger; a log holds its scenario's saved values (A-SAVED-VALUES), so steps read
    alike on logs and scenarios."""
    m = _CALL.fullmatch(text)
    if not m:
        raise InputError(f"bad step {text!r}", None, None,
                         "write 'service:Operation ARGS', e.g. "
                         "'kms:CancelKeyDeletion {\"KeyId\": \"alias/app\"}'")
    call, rest = m.group(1), m.group(2).strip()
    variables = variables or {}

    def sub(match: re.Match) -> str:
        name = match.group(1)
        if name not in variables:
            raise InputError(f"the step uses ${{{name}}}, which has no value", None, None,
                             f"known: {', '.join(sorted(variables)) or '(none)'}")
        return str(variables[name])

    rest = _VAR.sub(sub, rest)
    args = _table(rest, text) if rest.startswith("{") else _words(rest)
    if not isinstance(args, dict):
        raise InputError(f"the arguments of {call} must be a map", None, None,
                         "e.g. {\"KeyId\": \"alias/app\"}")
    return Step(call, {k: variables[v] if isinstance(v, str) and v in variables else v
                       for k, v in args.items()})


def _table(rest: str, text: str) -> Any:
    try:
        return json.loads(rest)
    except json.JSONDecodeError:
        try:
            return tomllib.loads(f"args = {rest}")["args"]
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"bad arguments in step {text!r}: {exc}", None, None,
                             "JSON ({\"KeyId\": \"alias/app\"}), a TOML inline table "
                             "({ KeyId = \"alias/app\" }) or KeyId=alias/app") from None


def _words(rest: str) -> dict:
    args: dict = {}
    for word in shlex.split(rest):
        name, eq, value = word.partition("=")
        if not eq or not name:
            raise InputError(f"bad argument {word!r}", None, None,
                             "write NAME=VALUE, e.g. KeyId=alias/app")
        try:
            args[name] = json.loads(value)
        except json.JSONDecodeError:
            args[name] = value
    return args


class SeqShift(Mapping[int, int]):
    """Event numbers ``lo+1..hi`` moved by ``shift`` (the later events of a fork, after
    its steps): a mapping without a million entries."""

    def __init__(self, lo: int, hi: int, shift: int) -> None:
        self.lo, self.hi, self.shift = lo, hi, shift

    def __getitem__(self, seq: int) -> int:
        if isinstance(seq, int) and self.lo < seq <= self.hi:
            return seq + self.shift
        raise KeyError(seq)

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.lo + 1, self.hi + 1))

    def __len__(self) -> int:
        return max(0, self.hi - self.lo)

    def inverse(self) -> SeqShift:
        """The fork's numbers back to the original's."""
        return SeqShift(self.lo + self.shift, self.hi + self.shift, -self.shift)


#: Later events whose outcome changed, kept with both events; past it, only counted.
OUTCOMES_KEPT = 1000


@dataclass
class Fork:
    """A forked timeline and how its events line up with the original's."""

    original: Timeline
    fork: Timeline
    at: int
    n: int                                       # events kept as recorded
    steps: list[Event]                           # the new events
    seq_map: Mapping[int, int]                   # original seq -> fork seq (later events)
    #: The first :data:`OUTCOMES_KEPT` later events whose outcome changed (original, fork).
    changed_outcomes: list[tuple[Event, Event]] = field(default_factory=list)
    #: How many later events' outcome changed, in all.
    outcomes_changed: int = 0
    #: Those changes counted by kind: (op, recorded outcome, what-if outcome) -> events.
    outcome_kinds: Counter = field(default_factory=Counter)
    #: The comparison, when it was made with the fork (:func:`fork_compared`), and the
    #: (principal, names) it was made for.
    changes: list[Change] | None = None
    compared_as: tuple | None = None
    #: The world keys are named from (the fork's last; before the end's timers fired).
    names_world: World | None = None

    @property
    def names(self) -> World:
        """The world to name keys from in the report: the fork's, after its last event."""
        return self.names_world if self.names_world is not None else self.fork.live


def _remap(req: dict, op: str, seq_map: Mapping[int, int]) -> dict:
    # sim:Label names an item by the seq that wrote it: follow the renumbering.
    if op == "sim:Label" and isinstance(req.get("Event"), int):
        return {**req, "Event": seq_map.get(req["Event"], req["Event"])}
    return dict(req)


def _chunks(events: Sequence[Event], lo: int, hi: int) -> Iterator[Event]:
    """Events ``lo..hi-1`` by position, decoded a chunk at a time (a log file's events
    are read on demand: never all in memory at once)."""
    for i in range(lo, hi, 4096):
        yield from events[i:min(hi, i + 4096)]


def fork(timeline: Timeline, at: int, steps: list[Step], actor: str, seed: int = 0,
         region: str = "us-east-1", account: str | None = None) -> Fork:
    """Fork ``timeline`` at ``at``: events up to it, ``steps`` at it, later events replayed
    (a progress bar on a terminal for a long one)."""
    n = timeline.count_at(at)
    total = len(timeline.events)
    new = Timeline(timeline.profile, timeline.settings, timeline.start)
    with progress(total, "what-if: the fork") as bar:
        for i, event in enumerate(_chunks(timeline.events, 0, n), 1):
            new.append(event)
            if not i & 4095:
                bar.advance(4096)
        account = account_of_arn(actor) or account or "111122223333"
        recorder = Recorder(new, seed)
        made = [recorder.record(Request(step.call, dict(step.args), at, actor, account,
                                        region)) for step in steps]
        shift = len(made)
        seq_map = SeqShift(n, total, shift)  # seq N is the N-th event (every reader checks)
        result = Fork(timeline, new, at, n, made, seq_map)
        bar.advance(n & 4095)
        for i, event in enumerate(_chunks(timeline.events, n, total), 1):
            req = _remap(event.req, event.op, seq_map)
            replayed = recorder.record(Request(event.op, req, event.t, event.actor,
                                               event.account, event.region),
                                       recorded_draws=event.draws, seq=event.seq + shift,
                                       v=event.v)
            if (event.ok, event.err, event.rule) != (replayed.ok, replayed.err, replayed.rule):
                result.outcomes_changed += 1
                result.outcome_kinds[event.op, outcome_text(event), outcome_text(replayed)] += 1
                if len(result.changed_outcomes) < OUTCOMES_KEPT:
                    result.changed_outcomes.append((event, replayed))
            if not i & 4095:
                bar.advance(4096)
    result.fork = recorder.timeline
    return result


@dataclass(frozen=True)
class Recorded:
    """What a fork reads of the original timeline: its settings, events and times (so that
    a caller can let the rest of a loaded timeline go before forking a big log)."""

    profile: str
    settings: dict[str, str]
    start: int
    events: Sequence[Event]
    times: array

    @classmethod
    def of(cls, timeline: Timeline) -> Recorded:
        """The parts of ``timeline`` a fork reads."""
        return cls(timeline.profile, timeline.settings, timeline.start, timeline.events,
                   timeline.times)


def fork_compared(recorded: Recorded, at: int, steps: list[Step], actor: str, principal: str,
                  names: Mapping[str, Any] | None = None, seed: int = 0,
                  region: str = "us-east-1", account: str | None = None, *,
                  scratch: str | None = None) -> Fork:
    """:func:`fork` and :func:`compare` in one pass, in bounded memory (what ``kmsim whatif``
    runs): the original and the fork are folded side by side from the start into worlds
    that keep plain items as rows and take no checkpoints, the later events are re-recorded
    into the fork as the original's are folded, and the answers are compared as they go
    (:attr:`Fork.changes`, for ``principal``). When the original's events are a log
    file's, the fork's are written to a scratch log in ``scratch`` (default: the temporary
    directory), its first frames copied from the original; memory then holds two worlds
    and 16 bytes per event of the fork. :attr:`Fork.original` is the original folded
    again (its ``live`` world; its events are not kept again); the fork answers
    :meth:`~Timeline.world_at` by folding from the start (it has no checkpoints)."""
    events = recorded.events
    n = bisect.bisect_right(recorded.times, at)
    # The original is only folded (its events are the caller's): a world, no index.
    orig = Timeline(recorded.profile, recorded.settings, recorded.start, every=NO_CHECKPOINTS)
    new = Timeline(recorded.profile, recorded.settings, recorded.start, every=NO_CHECKPOINTS)
    writer = None
    size: Callable[[int], int | None] = _no_size
    if isinstance(events, FileEvents):
        size = _frame_sizes(events)
        writer = _scratch_prefix(events, n, new, scratch or tempfile.gettempdir())
    try:
        result = _walk(orig.live, new, Recorder(new, seed, writer), events, n, at, steps,
                       actor, principal, names, region, account, size)
    except BaseException:
        _close(writer, new.events)
        raise
    result.original = orig
    if writer is not None:  # the scratch log lives as long as the fork
        weakref.finalize(result, _close, writer, new.events)
    return result


def _walk(orig: World, new: Timeline, recorder: Recorder, events: Sequence[Event], n: int,
          at: int, steps: list[Step], actor: str, principal: str,
          names: Mapping[str, Any] | None, region: str, account: str | None,
          size: Callable[[int], int | None]) -> Fork:
    total = len(events)
    fold = orig.fold
    with progress(total, "what-if") as bar:
        for i, event in enumerate(_chunks(events, 0, n)):
            fold(event)
            new.append(event, size(i))
            if not (i + 1) & 4095:
                bar.advance(4096)
        account = account_of_arn(actor) or account or "111122223333"
        made = [recorder.record(Request(step.call, dict(step.args), at, actor, account,
                                        region)) for step in steps]
        shift = len(made)
        seq_map = SeqShift(n, total, shift)  # seq N is the N-th event (every reader checks)
        result = Fork(new, new, at, n, made, seq_map)  # its original: the caller's to set
        walk = Walk(orig, new.live, principal, names, seq_map.inverse(), at)
        bar.advance(n & 4095)
        for i, event in enumerate(_chunks(events, n, total), n):
            timers = walk.timers()
            fold(event)
            replayed = _replay(recorder, event, shift, seq_map)
            _count_outcome(result, event, replayed)
            walk.after(event, replayed, timers)
            if not (i + 1) & 4095:
                bar.advance(4096)
    result.fork = recorder.timeline
    if result.fork.live.pending_timers():
        # the end fires the pending timers in the fork's world: name keys as before them
        result.names_world = result.fork.live.clone(items=False)
    result.changes = walk.end(max(result.fork.end, at))
    result.compared_as = (principal, names)
    return result


def _replay(recorder: Recorder, event: Event, shift: int, seq_map: Mapping[int, int]) -> Event:
    req = _remap(event.req, event.op, seq_map)
    return recorder.record(Request(event.op, req, event.t, event.actor, event.account,
                                   event.region),
                           recorded_draws=event.draws, seq=event.seq + shift, v=event.v)


def _count_outcome(result: Fork, event: Event, replayed: Event) -> None:
    if (event.ok, event.err, event.rule) != (replayed.ok, replayed.err, replayed.rule):
        result.outcomes_changed += 1
        result.outcome_kinds[event.op, outcome_text(event), outcome_text(replayed)] += 1
        if len(result.changed_outcomes) < OUTCOMES_KEPT:
            result.changed_outcomes.append((event, replayed))


def _no_size(i: int) -> None:
    return None


def _frame_sizes(events: FileEvents) -> Callable[[int], int]:
    offsets = events.offsets
    last = len(offsets) - 1
    end = events.end if events.end is not None else os.path.getsize(events.path)

    def size(i: int) -> int:
        return (offsets[i + 1] if i < last else end) - offsets[i]
    return size


def _first_offset(events: FileEvents) -> int:
    if len(events.offsets):
        return events.offsets[0]
    with LogReader(events.path) as reader:
        return reader.events_start


def _scratch_prefix(events: FileEvents, n: int, timeline: Timeline, directory: str
                    ) -> LogWriter:
    """A scratch log in ``directory`` holding the original's header and first ``n`` frames
    (copied byte for byte), opened for appending, that ``timeline`` keeps its events in;
    already unlinked (the open descriptors hold it)."""
    cut = events.offsets[n] if n < len(events.offsets) else \
        (events.end if events.end is not None else os.path.getsize(events.path))
    fd, path = tempfile.mkstemp(prefix="kmsim-whatif-", suffix=".kmlog", dir=directory)
    try:
        with open(events.path, "rb") as src, os.fdopen(fd, "wb") as dst:
            left = cut
            while left:
                chunk = src.read(min(left, 1 << 20))
                if not chunk:
                    raise OSError(f"{events.path} is shorter than its index")
                dst.write(chunk)
                left -= len(chunk)
        first = _first_offset(events)
        return keep_in_scratch(timeline, path, LogWriter.open(path, sync="none"), first)
    finally:
        os.unlink(path)


def _close(writer: LogWriter | None, events: Sequence[Event]) -> None:
    if writer is not None:
        writer.close()
    if isinstance(events, FileEvents):
        events.close()

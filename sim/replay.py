"""Replay: re-derive every recorded outcome from the rules (SPEC 6).

Under the profile and assumptions the log was recorded with this is a determinism
check; under others it is a comparison. Either way each event whose outcome differs
is reported, and the replayed outcome is what the new timeline folds, so later
answers follow from it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from events.logfile import LogHeader, LogReader, LogWriter
from events.record import Event
from projections.rulebook import resolve_settings
from projections.timetravel.timeline import Timeline
from sim.recording import Recorder, Request

#: Values longer than this are cut in one-line descriptions (the JSON keeps them whole).
SHOWN_VALUE = 60


@dataclass(frozen=True)
class Difference:
    """One event whose replayed outcome differs from the recorded one."""

    seq: int
    t: int
    op: str
    recorded: dict
    replayed: dict

    @property
    def path(self) -> str:
        """What differs: ``outcome`` (accepted against refused), ``error`` (another code or
        rule), or the dotted path of the first response member that differs."""
        a, b = self.recorded, self.replayed
        if bool(a.get("ok")) != bool(b.get("ok")):
            return "outcome"
        if not a.get("ok"):
            return "error"
        return first_difference(a.get("res"), b.get("res")) or "response"

    def values(self) -> tuple[object, object]:
        """The recorded and the replayed value at :attr:`path` (``MISSING`` for a member
        the replay does not give)."""
        where = self.path
        if where in ("outcome", "error"):
            return _short(self.recorded), _short(self.replayed)
        return (member(self.recorded.get("res"), where),
                member(self.replayed.get("res"), where))

    @property
    def kind(self) -> tuple[str, str, str, str]:
        """What groups differences that repeat: the operation, the field, and for outcomes
        and errors both sides (``recorded ok, replay gives X (R-..)``)."""
        where = self.path
        if where in ("outcome", "error"):
            a, b = self.values()
            return self.op, where, str(a), str(b)
        return self.op, where, "", ""

    def describe(self) -> str:
        """One line: what was recorded and what the rules give now, naming the field and
        both values when two accepted calls answer differently."""
        line = f"#{self.seq} {self.op}: recorded {_short(self.recorded)}, replay gives " \
               f"{_short(self.replayed)}"
        if self.recorded.get("ok") and self.replayed.get("ok"):
            a, b = self.values()
            line += f" with another {self.path}: recorded {shown(a)}, replay gives {shown(b)}"
        return line


class _Missing:
    def __repr__(self) -> str:
        return "(absent)"


#: The value of a member a response does not have.
MISSING = _Missing()


def member(value: object, path: str) -> object:
    """The member at a dotted ``path`` (``KeyMetadata.Description``, ``Keys.0``) of a
    response, or :data:`MISSING`."""
    if path == "response":
        return value
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdecimal() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
    return value


def shown(value: object) -> str:
    """A value for one line: its repr, cut to :data:`SHOWN_VALUE` characters."""
    text = repr(value)
    return text if len(text) <= SHOWN_VALUE else text[:SHOWN_VALUE - 3] + "..."


def _short(out: dict) -> str:
    if out.get("ok"):
        return "ok"
    return f"{out.get('err')} ({out.get('rule')})"


@dataclass
class Group:
    """Differences of one kind (:attr:`Difference.kind`): how many, and the first ones."""

    kind: tuple[str, str, str, str]
    count: int = 0
    examples: list[Difference] = field(default_factory=list)

    def add(self, d: Difference, keep: int) -> None:
        """Count ``d``; keep it as an example while fewer than ``keep`` are kept."""
        self.count += 1
        if len(self.examples) < keep:
            self.examples.append(d)

    def describe(self) -> str:
        """``4,646 x logs:PutLogEvents: another nextSequenceToken`` and the like."""
        op, where, a, b = self.kind
        what = (f"recorded {a}, replay gives {b}" if where in ("outcome", "error")
                else f"another {where}")
        return f"{self.count:,} x {op}: {what}"


class Summary:
    """Differences grouped by kind as they come (:attr:`Difference.kind`), keeping only
    the counts and the first ``keep`` of each kind."""

    def __init__(self, keep: int = 3) -> None:
        self.keep = keep
        self.total = 0
        self._groups: dict[tuple[str, str, str, str], Group] = {}

    def add(self, d: Difference) -> None:
        """Count one difference."""
        self.total += 1
        group = self._groups.get(d.kind)
        if group is None:
            group = self._groups[d.kind] = Group(d.kind)
        group.add(d, self.keep)

    def groups(self) -> list[Group]:
        """The kinds, most frequent first (then by their first event)."""
        return sorted(self._groups.values(), key=lambda g: (-g.count, g.examples[0].seq))


def summarise(diffs: Iterable[Difference], keep: int = 3) -> list[Group]:
    """Group differences by kind (operation and field, or both outcomes), most frequent
    first, with the first ``keep`` of each as examples."""
    summary = Summary(keep)
    for d in diffs:
        summary.add(d)
    return summary.groups()


def same_outcome(a: dict, b: dict) -> bool:
    """Whether the recorded ``out`` ``a`` and the replayed ``b`` are the same outcome: both
    refused with the same error code and rule (messages may be reworded), or both accepted
    with every recorded response member equal. Members only the replay answers are
    members a newer kmsim adds (KeyMetadata grew, issue 9): a log recorded before keeps
    replaying clean, while a member it holds with another value is a difference."""
    if a.get("ok") != b.get("ok"):
        return False
    if a.get("ok"):
        return first_difference(a.get("res"), b.get("res")) is None
    return a.get("err") == b.get("err") and a.get("rule") == b.get("rule")


def first_difference(recorded: object, replayed: object, path: str = "") -> str | None:
    """The dotted path of the first recorded value the replay does not give (``None``
    when each recorded member is there and equal; members only in ``replayed`` pass)."""
    if isinstance(recorded, dict) and isinstance(replayed, dict):
        for name, value in recorded.items():
            where = f"{path}.{name}".lstrip(".")
            if name not in replayed:
                return where
            found = first_difference(value, replayed[name], where)
            if found is not None:
                return found
        return None
    if isinstance(recorded, list) and isinstance(replayed, list):
        if len(recorded) != len(replayed):
            return path or "response"
        for i, (x, y) in enumerate(zip(recorded, replayed, strict=True)):
            found = first_difference(x, y, f"{path}.{i}".lstrip("."))
            if found is not None:
                return found
        return None
    return None if recorded == replayed else (path or "response")


#: A checkpoint spacing no replay reaches: a replay on a scratch log answers no question
#: about its past (only the live world and each outcome count), so it takes none.
NO_CHECKPOINTS = 1 << 62


class Replaying:
    """A replay in progress: iterating it re-records each event (in order) and yields each
    :class:`Difference` as it is found, so a caller can report a million of them without
    keeping them; :attr:`timeline` is the replayed timeline (complete once iterated).

    With ``scratch`` (a directory), the replayed events are recorded into a scratch log
    there instead of memory: the timeline keeps 16 bytes per event and no checkpoints, so
    a replay of any length fits in the memory of its live world. The file is unlinked as
    soon as it is open (nothing is left behind, even after Ctrl-C); :meth:`close` (or
    leaving a ``with`` block) releases it, after which :attr:`timeline` cannot read its
    events any more."""

    def __init__(self, events: Iterable[Event], profile: str, settings: dict[str, str],
                 start: int, seed: int = 0, overrides: dict[str, str] | None = None, *,
                 scratch: str | None = None) -> None:
        merged = resolve_settings(profile, {**settings, **(overrides or {})}.items())
        writer = None
        if scratch is None:
            timeline = Timeline(profile, merged, start)
        else:
            timeline = Timeline(profile, merged, start, every=NO_CHECKPOINTS)
            writer = _scratch_log(scratch, timeline, LogHeader(
                profile=profile, assumptions=merged, start=start, extra={"seed": seed}))
        self._recorder = Recorder(timeline, seed, writer)
        self._events = events
        self.count = 0  #: events replayed so far

    @property
    def timeline(self) -> Timeline:
        """The replayed timeline (the recorder's: it may be rebuilt on the way)."""
        return self._recorder.timeline

    def __iter__(self) -> Iterator[Difference]:
        record = self._recorder.record
        for event in self._events:
            replayed = record(Request(event.op, event.req, event.t, event.actor,
                                      event.account, event.region),
                              recorded_draws=event.draws, seq=event.seq, v=event.v)
            self.count += 1
            if not same_outcome(event.out, replayed.out):
                yield Difference(event.seq, event.t, event.op, event.out, replayed.out)

    def close(self) -> None:
        """Release the scratch log, if any (idempotent)."""
        writer, self._recorder.writer = self._recorder.writer, None
        if writer is not None:
            writer.close()
            events = self.timeline.events
            if not isinstance(events, list):
                events.close()

    def __enter__(self) -> Replaying:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _scratch_log(directory: str, timeline: Timeline, header: LogHeader) -> LogWriter:
    """A new log in ``directory`` that ``timeline`` keeps its events in, already unlinked:
    the writer's and the timeline's descriptors are all that hold it."""
    fd, path = tempfile.mkstemp(prefix="kmsim-replay-", suffix=".kmlog", dir=directory)
    os.close(fd)
    try:
        # Nobody reads it but this replay, and a crash loses nothing anyone needs: no fsync
        # and one write per buffer (the timeline flushes before each read).
        writer = LogWriter.create(path, header, sync="none")
        try:
            with LogReader(path) as reader:
                first = reader.events_start
        except BaseException:
            writer.close()
            raise
        return keep_in_scratch(timeline, path, writer, first)
    finally:
        os.unlink(path)


def keep_in_scratch(timeline: Timeline, path: str, writer: LogWriter, first: int
                    ) -> LogWriter:
    """Make ``timeline`` keep its events in the scratch log ``path`` that ``writer`` writes
    (its events from offset ``first``); returns the writer, closed if that fails. The
    caller unlinks ``path`` (the open descriptors hold it)."""
    try:
        timeline.keep_in_file(path, first, writer.flush)
    except BaseException:
        writer.close()
        raise
    return writer


def replay(events: Iterable[Event], profile: str, settings: dict[str, str], start: int,
           seed: int = 0, overrides: dict[str, str] | None = None
           ) -> tuple[Timeline, list[Difference]]:
    """Replay ``events`` under ``profile`` and ``settings`` (plus ``overrides``): the
    replayed timeline and every difference."""
    run = Replaying(events, profile, settings, start, seed, overrides)
    differences = list(run)
    return run.timeline, differences

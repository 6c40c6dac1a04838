"""Recording a call: the one path from a request to an event in the log and the world.

The Simulator (and so the server), replay and what-if all record through
:meth:`Recorder.record`, in this order:

1. **decide**: move the world to the call's time (timers due on the way fire), run the
   operation's handler, and build the event (accepted or rejected, it is an event);
2. **encode**: the event's msgpack bytes, at most :data:`~events.frames.MAX_FRAME` long,
   decoded back, so what is folded and answered is exactly what a replay will read;
3. **write**: append those bytes to the log (when there is one);
4. **fold**: apply the event to the timeline.

A failure in steps 1-3 raises :class:`NotRecorded` and leaves everything as it was
before the call: the world (its time too), the sequence, the time index, the log. A
failure in step 4 is a crash (a kmsim bug): the event is in the log but not in memory,
so the recorder refuses every later call (:class:`RecorderCrashed`) until the log is
opened again, which folds it (or reports the event it cannot fold).

An event exists in memory only if it is in the log, and a call that cannot be recorded
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from events.codec import decode_event, encode_event
from events.frames import FRAME, MAX_FRAME
from events.logfile import LogWriter
from events.record import Event, adopt, err_out, ok_out
from events.schemas import schema_version
from projections.timetravel.timeline import Timeline
from sim.errors import AwsError
from sim.params import enter_scope, exit_scope
from sim.services import CallContext, Draws, lookup


class NotRecorded(Exception):
    """A call that could not be recorded; nothing changed. ``stage`` says where it failed
    (``decide``, ``encode``, ``write``) and ``__cause__`` holds the original error."""

    def __init__(self, op: str, stage: str, reason: str) -> None:
        super().__init__(f"{op} was not recorded ({stage} failed): {reason}")
        self.op = op
        self.stage = stage
        self.reason = reason


class EventTooLarge(ValueError):
    """The event's encoded size is over the log's frame limit."""


class RecorderCrashed(Exception):
    """Folding a written event failed: the log holds it, memory does not. Reopen the log
    (``Simulator.resume``, ``kmsim serve --resume``) to go on."""


@dataclass(frozen=True)
class Request:
    """One call to record: the operation, its parameters, when, and by whom."""

    op: str
    req: dict
    t: int
    actor: str
    account: str
    region: str


def execute(op: str, ctx: CallContext, req: dict) -> dict:
    """Run one operation's handler; the outcome as an event's ``out``."""
    token = enter_scope(ctx.world.settings)  # messages follow A-VALIDATION-FORM
    try:
        return ok_out(lookup(op).handler(ctx, req))
    except AwsError as exc:
        return err_out(exc.code, exc.message, exc.rule)
    finally:
        exit_scope(token)


def stored_form(event: Event) -> tuple[Event, bytes]:
    """The event as the log holds it (decoded from its own bytes), and those bytes.

    Raises :class:`EventTooLarge` over the frame limit, and whatever the codec raises for
    a value msgpack cannot hold (an integer over 64 bits, an object).
    """
    payload = encode_event(event)
    if len(payload) > MAX_FRAME:
        raise EventTooLarge(f"the event is {len(payload)} bytes, over the log's "
                            f"{MAX_FRAME}-byte frame limit")
    return decode_event(payload), payload


class Recorder:
    """Records calls onto a timeline, and onto a log when it has a writer.

    ``timeline`` may be replaced by a rebuilt one when a failed call has to be undone
    after timers fired; read it from the recorder each time.
    """

    def __init__(self, timeline: Timeline, seed: int = 0, writer: LogWriter | None = None
                 ) -> None:
        self.timeline = timeline
        self.seed = seed
        self.writer = writer
        self.crashed: str | None = None
        #: Test hook: called with each stage's name before it runs (failure injection).
        self.before_stage: Callable[[str], None] | None = None

    @property
    def next_seq(self) -> int:
        """The number the next recorded event gets."""
        return len(self.timeline.times) + 1

    def record(self, request: Request, *, recorded_draws: dict | None = None,
               seq: int | None = None, v: int | None = None) -> Event:
        """Record one call (see the module docstring for the stages); returns the event as
        stored. ``recorded_draws`` replays the draws of an earlier recording (replay and
        what-if); ``seq`` and ``v`` keep a recorded event's number and schema version."""
        if self.crashed is not None:
            raise RecorderCrashed(self.crashed)
        world = self.timeline.live
        before = world.now
        fires = bool(world.timers) and world.timers[0].due <= request.t
        seq = self.next_seq if seq is None else seq
        stage = "decide"
        try:
            self._stage(stage)
            world.advance_to(request.t)
            draws = Draws(self.seed, seq, recorded=recorded_draws)
            ctx = CallContext(world, request.t, request.actor, request.account,
                              request.region, draws, seq, events=self.timeline.events,
                              request=request.req)
            out = execute(request.op, ctx, dict(request.req))
            drawn = draws.values if draws.values or recorded_draws is None else recorded_draws
            version = schema_version(request.op) if v is None else v
            # request.req as it is: the handler had its own copy, and the event stored
            # is decoded from these bytes
            # adopt: the event's fields as one dict, not ten frozen-dataclass setattrs
            event = adopt({"v": version, "seq": seq, "t": request.t, "op": request.op,
                           "actor": request.actor, "account": request.account,
                           "region": request.region, "req": request.req, "out": out,
                           "draws": drawn})
            stage = "encode"
            self._stage(stage)
            stored, payload = stored_form(event)
            stage = "write"
            self._stage(stage)
            in_file = not isinstance(self.timeline.events, list)
            if self.writer is not None:
                self.writer.append(stored, payload)
            elif in_file:
                raise ValueError("the log this timeline keeps its events in is closed")
        except Exception as exc:
            self._undo(before, fires)
            raise NotRecorded(request.op, stage, f"{type(exc).__name__}: {exc}") from exc
        try:
            self._stage("fold")
            self.timeline.append(stored, FRAME.size + len(payload) if in_file else None)
        except Exception as exc:
            self.crashed = (f"event #{seq} ({request.op}) is in the log but could not be "
                            f"folded: {type(exc).__name__}: {exc}; reopen the log to go on")
            raise RecorderCrashed(self.crashed) from exc
        return stored

    def _stage(self, name: str) -> None:
        if self.before_stage is not None:
            self.before_stage(name)

    def _undo(self, before: int, fires: bool) -> None:
        """Put the world back as it was before the call: its time only, unless timers
        fired on the way, in which case the recorded events are folded again."""
        if fires:
            self.timeline = rebuilt(self.timeline)
        else:
            self.timeline.live.now = before


def rebuilt(timeline: Timeline) -> Timeline:
    """A fresh timeline with the same recorded events folded (undoing timers that fired
    for a call that was then not recorded); events kept in a log stay there."""
    return timeline.refolded()

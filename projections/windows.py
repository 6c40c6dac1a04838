"""Association changes and their windows (SPEC 3.4, 5; A-PROPAGATION, R-WIN-01).

Both CloudWatch Logs (5 minutes each way) and the dataset (associate at once,
disassociate within 3 hours) change associations through :func:`begin_change`. The
window model decides when the change takes effect; ``random:SEED`` draws a delay on
the command side (:func:`draw_delay`) and the event records it, so replay agrees.
"""

from __future__ import annotations

import random

from events.record import Event
from events.timefmt import parse_duration
from projections.model import Association, Cause
from projections.world import Timer, World, on_timer


def draw_delay(setting: str, window: int, seq: int) -> int | None:
    """The delay to record in ``draws["delay"]`` under ``random:SEED`` (else None)."""
    if setting.startswith("random:") and window > 0:
        return random.Random(f"{setting[7:]}:{seq}").randint(0, window - 1)
    return None


def effective_delay(setting: str, window: int, drawn: int | None) -> int | None:
    """When in the window the change takes effect (ms after its start); None: uncertain."""
    if window <= 0 or setting == "instant":
        return 0
    if setting == "uncertain":
        return None
    if setting == "max":
        return window
    if setting.startswith("fixed:"):
        return min(parse_duration(setting[6:]), window)
    if setting.startswith("random:"):
        if drawn is None:
            raise ValueError("a random:SEED window needs the delay recorded in the event")
        return min(int(drawn), window)
    raise ValueError(f"unknown window model {setting!r}")


def begin_change(world: World, assoc: Association, new_key: str | None, window: int,
                 event: Event, trigger: str) -> None:
    """Start an associate (``new_key`` set) or disassociate (None) of ``assoc`` at the event,
    as its kind's table row for ``trigger`` says (``machines.ASSOCIATION_TRANSITIONS``).

    Data written before it takes effect stays under the key(s) in force before; under
    the ``uncertain`` model either is possible until the window ends.
    """
    delay = effective_delay(world.setting("propagation"), window,
                            event.draws.get("delay"))
    assoc.before = assoc.candidates()
    assoc.pending = new_key
    assoc.window = (event.t, event.t + window)
    assoc.effective_at = None if delay is None else event.t + delay
    assoc.last_change = event.t
    assoc.change_seq = event.seq
    world.association_event(assoc, trigger, event.t, event.seq, event.op)
    due = assoc.effective_at if assoc.effective_at is not None else event.t + window
    if due <= event.t:
        _take_effect(world, assoc, event.t, event.seq, event.op)
    else:
        world.schedule(due, "association", assoc.resource, event.seq, event.seq)


def change_now(world: World, assoc: Association, new_key: str | None, event: Event,
               trigger: str) -> None:
    """A change with no window: ``new_key`` is in force from the event on."""
    assoc.key = new_key
    assoc.pending = None
    assoc.before = ()
    assoc.window = assoc.effective_at = None
    assoc.last_change = event.t
    assoc.change_seq = event.seq
    world.association_event(assoc, trigger, event.t, event.seq, event.op)


def drop(world: World, assoc: Association, cause: Cause) -> None:
    """The resource is gone (a deleted log group): no association remains."""
    assoc.key = assoc.pending = None
    assoc.before = ()
    assoc.window = assoc.effective_at = None
    world.association_event(assoc, "drop", cause.t, cause.seq, cause.note)


def _take_effect(world: World, assoc: Association, t: int, seq: int | None, note: str) -> None:
    assoc.key = assoc.pending
    assoc.pending = None
    assoc.before = ()
    assoc.window = None
    assoc.effective_at = None
    world.association_event(assoc, "take_effect", t, seq, note)


@on_timer("association", priority=2)
def _window_end(world: World, timer: Timer) -> None:
    assoc = world.associations.get(timer.target)
    if assoc is None or assoc.change_seq != timer.token or assoc.state not in (
            "associating", "disassociating"):
        return  # superseded by a later change
    _take_effect(world, assoc, timer.due, None, f"change of event #{timer.seq} took effect")

"""What-if: fork a timeline at T, apply other steps, replay the rest under the rules.

The fork keeps the events at or before T as recorded, applies each step at T as a new
event, then re-executes every later event's request (so an EnableKey that failed on a
key pending deletion may now succeed), numbering them after the steps. Answers of the
original and the fork are then compared at each later event and at the end.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from events.record import Event
from events.timefmt import format_offset, format_time
from projections.arns import account_of_arn, short_resource
from projections.decrypt import decryptability
from projections.names import key_name
from projections.timetravel.answers import association_key
from projections.timetravel.timeline import Timeline
from projections.world import World
from sim.errors import InputError
from sim.recording import Recorder, Request

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
    takes a scenario's saved value. The one parser of steps for whatif and the debugger."""
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
    return Step(call, args)


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


@dataclass
class Fork:
    """A forked timeline and how its events line up with the original's."""

    original: Timeline
    fork: Timeline
    at: int
    n: int                                       # events kept as recorded
    steps: list[Event]                           # the new events
    seq_map: dict[int, int]                      # original seq -> fork seq (later events)
    changed_outcomes: list[tuple[Event, Event]] = field(default_factory=list)


def _remap(req: dict, op: str, seq_map: Mapping[int, int]) -> dict:
    # sim:Label names an item by the seq that wrote it: follow the renumbering.
    if op == "sim:Label" and isinstance(req.get("Event"), int):
        return {**req, "Event": seq_map.get(req["Event"], req["Event"])}
    return dict(req)


def fork(timeline: Timeline, at: int, steps: list[Step], actor: str, seed: int = 0,
         region: str = "us-east-1", account: str | None = None) -> Fork:
    """Fork ``timeline`` at ``at``: events up to it, ``steps`` at it, later events replayed."""
    n = timeline.count_at(at)
    new = Timeline(timeline.profile, timeline.settings, timeline.start)
    for event in timeline.events[:n]:
        new.append(event)
    account = account_of_arn(actor) or account or "111122223333"
    recorder = Recorder(new, seed)
    made = [recorder.record(Request(step.call, dict(step.args), at, actor, account, region))
            for step in steps]
    shift = len(made)
    later = timeline.events[n:]
    seq_map = {e.seq: e.seq + shift for e in later}
    result = Fork(timeline, new, at, n, made, seq_map)
    for event in later:
        req = _remap(event.req, event.op, seq_map)
        replayed = recorder.record(Request(event.op, req, event.t, event.actor, event.account,
                                           event.region),
                                   recorded_draws=event.draws, seq=event.seq + shift, v=event.v)
        if (event.ok, event.err, event.rule) != (replayed.ok, replayed.err, replayed.rule):
            result.changed_outcomes.append((event, replayed))
    result.fork = recorder.timeline
    return result


def answers(world: World, principal: str, names: Mapping[str, Any] | None,
            seq_of: Mapping[int, int] | None = None) -> dict[str, str]:
    """A flat map ``what -> answer`` to compare worlds: ``key NAME``, ``association R``,
    ``item LABEL`` (items by their original label or #SEQ: ``seq_of`` maps fork seqs back)."""
    out: dict[str, str] = {}
    for key in world.keys.values():
        out[f"key {key.arn}"] = key.state
    for assoc in world.associations.values():
        out[f"association {assoc.resource}"] = \
            f"{assoc.state} ({key_name(world, association_key(assoc), names)})"
    for item in world.iter_items():
        seq = (seq_of or {}).get(item.seq, item.seq)
        label = item.label or f"#{seq}"
        out[f"item {label}"] = decryptability(world, item, principal).status
    return out


@dataclass
class Change:
    """Answers that differ between the original and the fork at one moment."""

    t: int
    seq: int | None            # the original event just folded (None: the end)
    op: str
    differences: list[tuple[str, str | None, str | None]]


def compare(f: Fork, principal: str, names: Mapping[str, Any] | None = None) -> list[Change]:
    """Walk both timelines event by event after the fork; keep each moment at which the
    set of differing answers changes, and the end."""
    back = {v: k for k, v in f.seq_map.items()}
    orig = f.original.world_after(f.n)
    new = f.fork.world_after(f.n + len(f.steps))
    out: list[Change] = []
    last: list = []

    def differences() -> list[tuple[str, str | None, str | None]]:
        a = answers(orig, principal, names)
        b = answers(new, principal, names, back)
        return [(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]

    now = differences()
    if now:
        out.append(Change(f.at, None, "(the steps)", now))
        last = now
    for event, replayed in zip(f.original.events[f.n:], f.fork.events[f.n + len(f.steps):],
                               strict=True):
        orig.fold(event)
        new.fold(replayed)
        now = differences()
        if now != last:
            out.append(Change(event.t, event.seq, event.op, now))
            last = now
    # The end: after the last event and every timer still pending (a DeletionDate a week
    # away is often the whole point of the question).
    end = max(f.original.end, f.fork.end, f.at,
              *(tm.due for w in (orig, new) for tm in w.pending_timers()))
    orig.advance_to(end)
    new.advance_to(end)
    out.append(Change(end, None, "(the end, every pending timer fired)", differences()))
    return out


def describe(what: str, world: World, names: Mapping[str, Any] | None) -> str:
    """``key alias/app`` for ``key ARN``, ``logs:app`` for an association's ARN."""
    kind, _, ref = what.partition(" ")
    if kind == "key":
        key = world.key_by_arn(ref)
        return f"key {key_name(world, key, names)}" if key else what
    if kind == "association":
        return f"association {short_resource(ref)}"
    return what


def report_lines(f: Fork, changes: list[Change], names: Mapping[str, Any] | None = None
                 ) -> list[str]:
    """The what-if for people."""
    start = f.original.start
    world = f.fork.live
    lines = [f"fork at {format_offset(f.at, start)} ({format_time(f.at)}): "
             f"{f.n} events kept, {len(f.seq_map)} later events replayed"]
    for e in f.steps:
        outcome = "ok" if e.ok else f"{e.err} ({e.rule}): {e.out.get('msg', '')}"
        lines.append(f"  step #{e.seq} {e.op} {json.dumps(e.req)} -> {outcome}")
    lines.append(f"later events whose outcome changes ({len(f.changed_outcomes)})")
    for old, new in f.changed_outcomes:
        was = "ok" if old.ok else f"{old.err} ({old.rule})"
        now = "ok" if new.ok else f"{new.err} ({new.rule})"
        lines.append(f"  #{old.seq} (now #{new.seq}) {old.op} at {format_offset(old.t, start)}: "
                     f"was {was}, now {now}")
    lines.append("answers that change (original -> what-if)")
    for change in changes:
        where = (f"after #{change.seq} {change.op}" if change.seq is not None else change.op)
        lines.append(f"  at {format_offset(change.t, start)} {where}:"
                     + ("" if change.differences else " no differences"))
        for what, a, b in change.differences:
            lines.append(f"    {describe(what, world, names)}: {a or '(none)'} -> {b or '(none)'}")
    return lines

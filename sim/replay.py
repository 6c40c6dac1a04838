"""Replay: re-derive every recorded outcome from the rules (SPEC 6).

Under the profile and assumptions the log was recorded with this is a determinism
check; under others it is a comparison. Either way each event whose outcome differs
is reported, and the replayed outcome is what the new timeline folds, so later
answers follow from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from events.record import Event
from projections.rulebook import resolve_settings
from projections.timetravel.timeline import Timeline
from sim.recording import Recorder, Request


@dataclass(frozen=True)
class Difference:
    """One event whose replayed outcome differs from the recorded one."""

    seq: int
    t: int
    op: str
    recorded: dict
    replayed: dict

    def describe(self) -> str:
        """One line: what was recorded and what the rules give now (for two accepted calls,
        the first response member that differs)."""
        line = f"#{self.seq} {self.op}: recorded {_short(self.recorded)}, replay gives " \
               f"{_short(self.replayed)}"
        if self.recorded.get("ok") and self.replayed.get("ok"):
            path = first_difference(self.recorded.get("res"), self.replayed.get("res"))
            line += f" with another {path or 'response'}"
        return line


def _short(out: dict) -> str:
    if out.get("ok"):
        return "ok"
    return f"{out.get('err')} ({out.get('rule')})"


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


def replay(events: Iterable[Event], profile: str, settings: dict[str, str], start: int,
           seed: int = 0, overrides: dict[str, str] | None = None
           ) -> tuple[Timeline, list[Difference]]:
    """Replay ``events`` under ``profile`` and ``settings`` (plus ``overrides``)."""
    merged = resolve_settings(profile, {**settings, **(overrides or {})}.items())
    recorder = Recorder(Timeline(profile, merged, start), seed)
    differences: list[Difference] = []
    for event in events:
        replayed = recorder.record(Request(event.op, event.req, event.t, event.actor,
                                           event.account, event.region),
                                   recorded_draws=event.draws, seq=event.seq, v=event.v)
        if not same_outcome(event.out, replayed.out):
            differences.append(Difference(event.seq, event.t, event.op, event.out,
                                          replayed.out))
    return recorder.timeline, differences

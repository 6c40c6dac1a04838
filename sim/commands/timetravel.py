"""What the time-travel verbs share (``at``, ``explain``, ``diff``, ``history``, ``whatif``,
``replay``, ``debug``, ``timeline``): opening LOG, reading TIME and ``--as``, the LOG flags."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

from events.timefmt import TimeSyntaxError, format_time
from projections.timetravel.timeline import Timeline
from projections.world import World
from sim.clock import parse_when
from sim.errors import InputError
from sim.flags import parse_set
from sim.loading import LoadedTimeline, load_timeline

TIME_HELP = "RFC 3339 UTC (2026-01-01T00:05:00Z), +OFFSET from the start (+5m), or #N " \
            "(just after event N)"
AS_HELP = "principal: a name from the log's sim:PutPrincipal events, or an ARN (default: the " \
          "scenario's default principal, else the account root)"


@dataclass
class Opened:
    """A loaded timeline, the scenario's saved values (to name keys), its default caller."""

    loaded: LoadedTimeline
    variables: dict[str, str] = field(default_factory=dict)
    default_principal: str | None = None

    @property
    def timeline(self) -> Timeline:
        """The timeline."""
        return self.loaded.timeline

    @property
    def start(self) -> int:
        """The timeline's start."""
        return self.loaded.timeline.start


def open_log(path: str, profile: str | None = None, sets: list[str] | None = None) -> Opened:
    """A log file, or a scenario run in memory (keeping its saved values and caller)."""
    loaded = load_timeline(path, profile, parse_set(sets or []))
    return Opened(loaded, loaded.variables, loaded.default_principal)


def resolve_when(opened: Opened, text: str) -> tuple[int, int | None]:
    """TIME as ``(t, through_seq)``: ``#N`` stops just after event N."""
    tl = opened.timeline
    try:
        t = parse_when(text, tl.start, tl.times)
    except TimeSyntaxError as exc:
        raise InputError(str(exc), None, None, f"TIME is {TIME_HELP}; this timeline runs "
                         f"{format_time(tl.start)} .. {format_time(tl.end)} with "
                         f"{len(tl.times)} events") from None
    through = int(text.strip()[1:]) if text.strip().startswith("#") else None
    return t, through


def world_at(opened: Opened, text: str | None) -> World:
    """The world at TIME (default: the end of the timeline)."""
    tl = opened.timeline
    if text is None:
        return tl.world_at(tl.end)
    t, through = resolve_when(opened, text)
    return tl.world_at(t, through_seq=through)


def resolve_principal(opened: Opened, who: str | None) -> str:
    """``--as``: a declared name or an ARN (or a service principal)."""
    names = opened.loaded.names
    who = who if who is not None else opened.default_principal
    if who is None:
        return f"arn:aws:iam::{opened.loaded.account}:root"
    if who in names:
        return names[who]
    if who.startswith("arn:") or who.endswith(".amazonaws.com"):
        return who
    raise InputError(f"unknown principal {who!r}", None, None,
                     f"give an ARN or one of: {', '.join(sorted(names)) or '(none declared)'}")


def add_log_args(p: argparse.ArgumentParser, profile: bool = True) -> None:
    """LOG plus the flags that apply when LOG is a scenario run in memory."""
    p.add_argument("log", metavar="LOG", help="a .kmlog event log, or a scenario .toml/.py "
                   "(run in memory first)")
    if profile:
        p.add_argument("--profile", help="when LOG is a scenario: run it under this profile")
        p.add_argument("--set", action="append", default=[], metavar="A=V",
                       help="when LOG is a scenario: set an assumption (repeatable)")

"""``kmsim replay LOG [--profile P] [--set A=V]``: re-derive every outcome (SPEC 6).

Exit 0 when every recorded outcome is what the rules give now, 1 listing each event
that differs (a determinism check under the same profile, a comparison under another).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from events.logfile import LogError, LogHeader, read_log
from events.record import Event
from events.timefmt import format_offset
from sim.commands.timetravel import open_log
from sim.loading import log_input_error
from sim.replay import replay
from sim.runner import parse_set


def register(sub: argparse._SubParsersAction) -> None:
    """Add the verb."""
    p = sub.add_parser(
        "replay", help="re-derive every outcome; exit 1 when one differs",
        description="Re-execute every recorded request under the rules and compare outcomes. "
        "Exit 0: all match; 1: each differing event is listed; 2: bad input.")
    p.add_argument("log", metavar="LOG", help="a .kmlog event log, or a scenario (run first)")
    p.add_argument("--profile", help="replay under this profile (default: the log's)")
    p.add_argument("--set", action="append", default=[], metavar="A=V",
                   help="replay with this assumption changed (repeatable)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def _read(path: str) -> tuple[LogHeader, list[Event]]:
    """The recorded events, not folded: a log whose outcomes break the rules must still
    be replayable (that is what replay reports)."""
    if Path(path).suffix in (".toml", ".py") or not Path(path).is_file():
        loaded = open_log(path).loaded  # a scenario is run (and recorded) first
        return loaded.header, list(loaded.timeline.events)
    try:
        return read_log(path)
    except LogError as exc:
        raise log_input_error(exc) from None


def run(args: argparse.Namespace) -> int:
    """Replay and report."""
    header, events = _read(args.log)
    profile = args.profile or header.profile
    overrides = parse_set(args.set)
    _, diffs = replay(events, profile, header.assumptions, header.start,
                      int(header.extra.get("seed", 0)), overrides)
    n = len(events)
    if args.json:
        print(json.dumps({"events": n, "profile": profile, "differences": [
            {"seq": d.seq, "op": d.op, "recorded": d.recorded, "replayed": d.replayed}
            for d in diffs]}, indent=2))
    else:
        under = f"profile {profile}" + (f", {', '.join(args.set)}" if args.set else "")
        if not diffs:
            print(f"replayed {n} events under {under}: every outcome matches")
        else:
            print(f"replayed {n} events under {under}: {len(diffs)} differ")
            for d in diffs:
                print(f"  {format_offset(d.t, header.start):>9}  {d.describe()}")
    return 1 if diffs else 0

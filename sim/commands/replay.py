"""``kmsim replay LOG [--profile P] [--set A=V]``: re-derive every outcome.

Exit 0 when every recorded outcome is what the rules give now, 1 when one differs (a
determinism check under the same profile, a comparison under another), 2 on bad input.
Differences that repeat are summarised: grouped by operation and field (or by both
outcomes), with a count and the first few; ``--all`` lists every one.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

from events.logfile import LogError, LogHeader, LogReader
from events.record import Event
from projections.names import time_name
from sim.commands.timetravel import open_log
from sim.flags import parse_set
from sim.loading import log_input_error
from sim.progress import progress
from sim.replay import Difference, Replaying, Summary

#: Up to this many differences are listed one by one; past it, summarised by kind.
LIST_ALL_UP_TO = 10
#: Examples shown for each kind of difference in a summary.
EXAMPLES = 3


def register(sub: argparse._SubParsersAction) -> None:
    """Add the verb."""
    p = sub.add_parser(
        "replay", help="re-derive every outcome; exit 1 when one differs",
        description="Re-execute every recorded request under the rules and compare outcomes. "
        "Each difference names what differs (the outcome, the error, or the response field) "
        "and both values; differences that repeat are grouped by operation and field with a "
        "count and a few examples. Exit 0: all match; 1: some differ; 2: bad input.")
    p.add_argument("log", metavar="LOG", help="a .kmlog event log, or a scenario (run first)")
    p.add_argument("--profile", help="replay under this profile (default: the log's)")
    p.add_argument("--set", action="append", default=[], metavar="A=V",
                   help="replay with this assumption changed (repeatable)")
    p.add_argument("--all", action="store_true",
                   help="list every difference, one line each, instead of a summary")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


class _Recorded:
    """The recorded events of LOG, streamed (a log is read once, never held whole), and
    its header. A log whose outcomes break the rules must still be replayable (that is
    what replay reports), so nothing is folded on the way in."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.count = 0
        self._events: list[Event] | None = None
        if Path(path).suffix in (".toml", ".py") or not Path(path).is_file():
            loaded = open_log(path).loaded  # a scenario is run (and recorded) first
            self.header: LogHeader = loaded.header
            self.time_style = loaded.time_style
            self._events = list(loaded.timeline.events)
            return
        try:
            with LogReader(path) as reader:
                self.header = reader.header
        except LogError as exc:
            raise log_input_error(exc) from None
        self.time_style = "clock" if self.header.extra.get("times") == "clock" else "offset"

    def __iter__(self) -> Iterator[Event]:
        with progress(None, "replaying") as bar:
            if self._events is not None:
                for event in self._events:
                    self.count += 1
                    yield event
                return
            try:
                with LogReader(self.path) as reader:
                    for event in reader:
                        self.count += 1
                        if not self.count & 4095:
                            bar.advance(4096)
                        yield event
            except LogError as exc:
                raise log_input_error(exc) from None


def run(args: argparse.Namespace) -> int:
    """Replay and report; differences are summarised as they come (or, with --all and
    --json, written as they come), so none has to be kept. The replayed events go to a
    scratch log in the temporary directory (``TMPDIR``), unlinked at once: memory holds
    the replayed world and 16 bytes per event, whatever the log's length."""
    recorded = _Recorded(args.log)
    header = recorded.header
    profile = args.profile or header.profile
    overrides = parse_set(args.set)
    with Replaying(recorded, profile, header.assumptions, header.start,
                   int(header.extra.get("seed", 0)), overrides,
                   scratch=tempfile.gettempdir()) as replaying:
        return _report(args, recorded, replaying, profile)


def _report(args: argparse.Namespace, recorded: _Recorded, replaying: Replaying,
            profile: str) -> int:
    header = recorded.header
    summary = Summary(EXAMPLES)

    def line(d: Difference) -> str:
        return f"  {time_name(d.t, header.start, recorded.time_style):>9}  {d.describe()}"

    if args.json:
        print('{"differences": [', end="")
        for d in replaying:
            print(("," if summary.total else "") + "\n  " + json.dumps(_json(d), default=repr),
                  end="")
            summary.add(d)
        print(("\n" if summary.total else "") + "], " + json.dumps(
            {"events": recorded.count, "profile": profile,
             "summary": _summary_json(summary)})[1:])
        return 1 if summary.total else 0
    under = f"profile {profile}" + (f", {', '.join(args.set)}" if args.set else "")
    listed: list[str] = []  # the first few, printed one by one when that is all there is
    for d in replaying:
        summary.add(d)
        if args.all:
            if summary.total == 1:
                print(f"replayed under {under}: differences as they are found")
            print(line(d))
        elif summary.total <= LIST_ALL_UP_TO:
            listed.append(line(d))
    n, total = recorded.count, summary.total
    if not total:
        print(f"replayed {n:,} events under {under}: every outcome matches")
        return 0
    groups = summary.groups()
    print(f"replayed {n:,} events under {under}: {total:,} differ"
          + (f", {len(groups)} kinds" if len(groups) > 1 else ""))
    if args.all:
        return 1
    if total <= LIST_ALL_UP_TO:
        print("\n".join(listed))
        return 1
    for g in groups:
        print(f"  {g.describe()}")
        for d in g.examples:
            print("  " + line(d))
        if g.count > len(g.examples):
            print(f"      ... {g.count - len(g.examples):,} more (--all lists every one)")
    return 1


def _summary_json(summary: Summary) -> list[dict]:
    return [{"op": g.kind[0], "field": g.kind[1], "count": g.count,
             "examples": [d.seq for d in g.examples]} for g in summary.groups()]


def _json(d: Difference) -> dict:
    recorded, replayed = d.values()
    return {"seq": d.seq, "op": d.op, "field": d.path, "recorded_value": recorded,
            "replayed_value": replayed, "recorded": d.recorded, "replayed": d.replayed}

"""``kmsim history LOG [--resource R]``: the events touching a resource (all without R)."""

from __future__ import annotations

import argparse
import json
import os

from events.logindex import FileEvents
from events.timefmt import format_offset
from projections.timetravel.history import Entry, Target, entries, pending, scan_passes
from sim import console
from sim.commands.timetravel import add_log_args, open_log, resolve_when
from sim.console import Column
from sim.errors import InputError
from sim.progress import progress


def register(sub: argparse._SubParsersAction) -> None:
    """Add the verb."""
    p = sub.add_parser(
        "history", help="the events touching a resource",
        description="Every event touching a resource, in order, with the timers that changed "
        "it; every event when no --resource is given.",
        epilog="R: a key (alias/NAME, alias ARN, key ARN or id, or a scenario variable such as "
        "k1), logs:NAME, logs:query-result, cloudwatch:dataset, or any ARN (a principal's too).")
    add_log_args(p)
    p.add_argument("--resource", metavar="R", help="the resource (default: all events)")
    p.add_argument("--until", metavar="TIME",
                   help="also show what timers do after the last event, up to TIME (e.g. a "
                   "key deleted at its DeletionDate); default: the last event")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the history."""
    opened = open_log(args.log, args.profile, args.set)
    tl = opened.timeline
    ref = opened.variables.get(args.resource, args.resource) if args.resource else None
    world = tl.live
    if args.until is not None:
        t, _ = resolve_when(opened, args.until)
        if t < tl.end:
            raise InputError(f"--until {args.until} is before the last event "
                             f"({format_offset(tl.end, tl.start)})", None, None,
                             "--until looks past the end; kmsim at LOG TIME reads the past")
        world = tl.world_at(t)
    try:
        target = Target(ref, world, opened.loaded.account, opened.loaded.region, tl.events) \
            if ref else None
    except ValueError as exc:
        raise InputError(str(exc).split(":")[0] + f": {args.resource!r}", None, None,
                         "R is a key (alias/NAME, ARN, id), logs:NAME, logs:query-result, "
                         "cloudwatch:dataset or an ARN") from None
    passes = scan_passes(target) if isinstance(tl.events, FileEvents) else 0
    with progress(max(1, passes * os.path.getsize(tl.events.path) >> 20) if passes else None,
                  "scanning", unit="MiB") as bar:
        scanned = [0, 0]  # bytes, MiB shown

        def advance(n: int) -> None:
            scanned[0] += n
            if scanned[0] >> 20 > scanned[1]:
                bar.advance((scanned[0] >> 20) - scanned[1])
                scanned[1] = scanned[0] >> 20

        found = entries(tl.events, world, target, advance)
    later = pending(world, target)
    if args.json:
        print(json.dumps([e.to_json() for e in found] +
                         [{**e.to_json(), "pending": True} for e in later], indent=2))
        return 0
    names = {v: k for k, v in opened.loaded.names.items()}
    columns = [Column("event", no_wrap=True), Column("time", justify="right", no_wrap=True),
               Column("caller"), Column("operation", no_wrap=True),
               Column("outcome", statuses=True), Column("note")]

    def row(e: Entry) -> tuple[str, ...]:
        who = names.get(e.actor, "root" if e.actor.endswith(":root") else e.actor)
        return (f"#{e.seq}" if e.seq is not None else "timer", format_offset(e.t, tl.start),
                who, e.op, e.outcome, e.note or "")

    console.heading(f"{len(found)} entries" +
                    (f" touching {args.resource}" if args.resource else ""))
    console.table(columns, map(row, found))
    if later:
        console.heading(f"pending after {format_offset(world.now, tl.start)} "
                        "(kmsim history ... --until TIME shows them):")
        console.table(columns, map(row, later))
    return 0

"""``kmsim history LOG [--resource R]``: the events touching a resource (all without R)."""

from __future__ import annotations

import argparse
import json

from events.timefmt import format_offset
from projections.history import history
from sim.commands.at import add_log_args, open_log
from sim.errors import InputError


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
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the history."""
    opened = open_log(args.log, args.profile, args.set)
    tl = opened.timeline
    ref = opened.variables.get(args.resource, args.resource) if args.resource else None
    try:
        entries = history(tl.events, tl.live, ref, opened.loaded.account, opened.loaded.region)
    except ValueError as exc:
        raise InputError(str(exc).split(":")[0] + f": {args.resource!r}", None, None,
                         "R is a key (alias/NAME, ARN, id), logs:NAME, logs:query-result, "
                         "cloudwatch:dataset or an ARN") from None
    if args.json:
        print(json.dumps([e.to_json() for e in entries], indent=2))
        return 0
    names = {v: k for k, v in opened.loaded.names.items()}
    print(f"{len(entries)} entries" + (f" touching {args.resource}" if args.resource else ""))
    for e in entries:
        seq = f"#{e.seq}" if e.seq is not None else "timer"
        who = names.get(e.actor, "root" if e.actor.endswith(":root") else e.actor)
        note = f"  {e.note}" if e.note else ""
        print(f"  {seq:<7} {format_offset(e.t, tl.start):>9}  {who:<10} {e.op:<30} "
              f"{e.outcome}{note}")
    return 0

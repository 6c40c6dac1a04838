"""``kmsim diff LOG T1 T2``: what changed between two moments (keys, associations, item
statuses for a principal, timers fired, events in between)."""

from __future__ import annotations

import argparse
import json

from projections.timetravel.diff import diff, diff_lines
from sim.commands.timetravel import (
    AS_HELP,
    TIME_HELP,
    add_log_args,
    open_log,
    resolve_principal,
    resolve_when,
)
from sim.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the verb."""
    p = sub.add_parser(
        "diff", help="what changed between two moments",
        description="Key states, associations, item statuses (for --as), timers fired and "
        "events between T1 (exclusive) and T2 (inclusive).", epilog=f"T1, T2: {TIME_HELP}.")
    add_log_args(p)
    p.add_argument("t1", metavar="T1", help="the earlier moment")
    p.add_argument("t2", metavar="T2", help="the later moment")
    p.add_argument("--as", dest="as_", metavar="P", help=AS_HELP)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the differences."""
    opened = open_log(args.log, args.profile, args.set)
    tl = opened.timeline
    principal = resolve_principal(opened, args.as_)
    (t1, s1), (t2, s2) = resolve_when(opened, args.t1), resolve_when(opened, args.t2)
    n1, n2 = tl.count_at(t1, s1), tl.count_at(t2, s2)
    if (t2, n2) < (t1, n1):
        raise InputError(f"T2 ({args.t2}) is before T1 ({args.t1})", None, None,
                         "give the earlier moment first")
    before, after = tl.world_at(t1, through_seq=s1), tl.world_at(t2, through_seq=s2)
    doc = diff(before, after, principal, tl.events[n1:n2], opened.variables)
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        print("\n".join(diff_lines(doc, tl.start, after, opened.variables)))
    return 0

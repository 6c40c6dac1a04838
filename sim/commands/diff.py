"""``kmsim diff LOG T1 T2``: what changed between two moments (keys, associations, item
statuses for a principal, timers fired, events in between).

The changed items come per resource first (how many went from which answer to which, written
when); each item and each event in between is listed when there are few, or on request
(``--items``, ``--events``). ``--json`` streams the whole document.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence

from events.record import Event
from projections.timetravel.answers import Selection
from projections.timetravel.diff import (
    change_line,
    diff,
    event_doc,
    event_line,
    head_lines,
    item_changes,
    tail_lines,
    write_diff,
)
from sim.commands.at import _keys, _resources
from sim.commands.timetravel import (
    AS_HELP,
    TIME_HELP,
    add_log_args,
    open_log,
    resolve_principal,
    resolve_when,
)
from sim.errors import InputError

#: Changed items and events listed without --items / --events when there are at most this many.
SHOWN = 20
#: Events decoded at a time (a log's events are read from the file on demand).
CHUNK = 10_000


def register(sub: argparse._SubParsersAction) -> None:
    """Add the verb."""
    p = sub.add_parser(
        "diff", help="what changed between two moments",
        description="Key states, associations, item statuses (for --as; per resource first), "
        "timers fired and events between T1 (exclusive) and T2 (inclusive).",
        epilog=f"T1, T2: {TIME_HELP}. R: logs:NAME, logs:query-result, cloudwatch:dataset or "
        "an ARN. K: an alias, key ARN, key id or scenario variable.")
    add_log_args(p)
    p.add_argument("t1", metavar="T1", help="the earlier moment")
    p.add_argument("t2", metavar="T2", help="the later moment")
    p.add_argument("--as", dest="as_", metavar="P", help=AS_HELP)
    p.add_argument("--json", action="store_true",
                   help="machine-readable output (every changed item and event), streamed")
    p.add_argument("--resource", action="append", default=[], metavar="R",
                   help="only this resource's items (repeatable)")
    p.add_argument("--key", action="append", default=[], metavar="K",
                   help="only items that may be under this key (repeatable)")
    p.add_argument("--limit", type=int, metavar="N", help="list at most N changed items")
    p.add_argument("--items", action="store_true",
                   help=f"list every changed item (without it: only when at most {SHOWN})")
    p.add_argument("--events", action="store_true",
                   help=f"list every event in between (without it: only when at most {SHOWN}; "
                   "otherwise their counts per operation)")
    p.set_defaults(func=run)


def _events(events: Sequence[Event], lo: int, hi: int) -> Iterator[Event]:
    """``events[lo:hi]`` a chunk at a time (a log file's are decoded as they are needed)."""
    for i in range(lo, hi, CHUNK):
        yield from events[i:min(i + CHUNK, hi)]


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
    if args.limit is not None and args.limit < 0:
        raise InputError(f"--limit {args.limit} is not a count", None, None, "give 0, 1, 2, ...")
    before, after = tl.world_at(t1, through_seq=s1), tl.world_at(t2, through_seq=s2)
    selection = Selection(
        resources=_resources(opened, after, args.resource) if args.resource else None,
        keys=_keys(opened, after, args.key) if args.key else None, limit=args.limit)
    events = _events(tl.events, n1, n2)
    if args.json:
        write_diff(sys.stdout, before, after, principal, events, opened.variables, selection)
        return 0
    # One pass counts everything and keeps a few; a longer list asked for is a second pass,
    # printed as it goes (answers per shape: a pass costs about a walk over the items).
    wanted = selection.limit if selection.limit is not None else None if args.items else SHOWN
    keep = SHOWN + 1 if wanted is None else min(wanted, SHOWN + 1)
    doc = diff(before, after, principal, events, opened.variables, selection,
               keep_items=keep, keep_events=None if args.events else SHOWN)
    start = tl.start
    style = getattr(opened.loaded, "time_style", "offset")  # as the scenario wrote times
    for line in head_lines(doc, start, after, opened.variables, style):
        print(line)
    changed = sum(r["changed"] for r in doc["resources"])
    shown = changed if wanted is None else min(changed, wanted)
    if shown <= len(doc["items"]):
        for entry in doc["items"][:shown]:
            print(change_line(entry))
    else:
        for n, change in enumerate(item_changes(before, after, principal, selection)):
            if n >= shown:
                break
            print(change_line(change.to_json()))
    if changed > shown:
        print(f"    ({changed - shown} more changed items: --items lists them all, --limit N "
              "the first N)")
    total = sum(c["events"] for c in doc["event_counts"])
    many = total > SHOWN
    for line in tail_lines({**doc, "events": []} if many else doc, start, style=style,
                           counts=not args.events):
        print(line)
    if many and args.events:  # a second read of the events, printed as it goes
        for event in _events(tl.events, n1, n2):
            print(event_line(event_doc(event), start, style))
    elif many:
        print("  (--events lists them)")
    return 0

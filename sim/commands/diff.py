"""``kmsim diff LOG T1 T2``: what changed between two moments (keys, associations, item
statuses for a principal, timers fired, events in between).

The changed items come per resource first (how many went from which answer to which, written
when); each item and each event in between is listed when there are few, or on request
(``--items``, ``--events``). ``--json`` streams the whole document.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import islice

from events.logindex import FileEvents
from events.timefmt import format_offset, format_time, parse_rfc3339
from projections.arns import short_resource
from projections.names import key_name, time_name
from projections.timetravel.answers import Selection
from projections.timetravel.diff import (
    Brief,
    briefs_between,
    diff,
    event_doc,
    item_changes,
    write_diff,
)
from projections.world import World
from sim import console
from sim.commands.at import count_arg, key_arns, resource_arns
from sim.commands.timetravel import (
    AS_HELP,
    TIME_HELP,
    Opened,
    add_log_args,
    open_log,
    resolve_principal,
    resolve_when,
)
from sim.console import Column
from sim.errors import InputError
from sim.progress import Bar, progress

#: Changed items and events listed without --items / --events when there are at most this many.
SHOWN = 20


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
    p.add_argument("--limit", type=count_arg, metavar="N", help="list at most N changed items")
    p.add_argument("--items", action="store_true",
                   help=f"list every changed item (without it: only when at most {SHOWN})")
    p.add_argument("--events", action="store_true",
                   help=f"list every event in between (without it: only when at most {SHOWN}; "
                   "otherwise their counts per operation)")
    p.set_defaults(func=run)


def _events(opened: Opened, lo: int, hi: int, bar: Bar | None = None) -> Iterator[Brief]:
    """The events ``lo..hi-1`` as briefs (a log file's are read without decoding them:
    :func:`briefs_between`), telling ``bar`` of each MiB read."""
    tl = opened.timeline
    if bar is None:
        return briefs_between(tl.events, tl.times, lo, hi)
    done = [0, 0]  # bytes read, MiB shown

    def advance(n: int) -> None:
        done[0] += n
        if done[0] >> 20 > done[1]:
            bar.advance((done[0] >> 20) - done[1])
            done[1] = done[0] >> 20

    return briefs_between(tl.events, tl.times, lo, hi, advance)


@contextmanager
def _scanning(opened: Opened, lo: int, hi: int) -> Iterator[Bar]:
    """A progress bar for reading the events ``lo..hi-1`` of a log file (in MiB)."""
    events = opened.timeline.events
    size = 0
    if isinstance(events, FileEvents) and lo < hi:
        end = events.offsets[hi] if hi < len(events.offsets) else os.path.getsize(events.path)
        size = (end - events.offsets[lo]) >> 20
    with progress(max(1, size), "reading the events in between", unit="MiB") as bar:
        yield bar


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
    selection = Selection(
        resources=resource_arns(opened, after, args.resource) if args.resource else None,
        keys=key_arns(opened, after, args.key) if args.key else None, limit=args.limit)
    if args.json:
        with _scanning(opened, n1, n2) as bar:
            write_diff(sys.stdout, before, after, principal, _events(opened, n1, n2, bar),
                       opened.variables, selection)
        return 0
    report(opened, before, after, principal, selection, (n1, n2), args.items, args.events)
    return 0


def report(opened: Opened, before: World, after: World, principal: str,
           selection: Selection, span: tuple[int, int], items: bool, events: bool) -> None:
    """The diff for people, as tables: what changed per resource first; the changed items and
    the events in between listed when few, or when asked for (``items``, ``events``).

    One pass counts everything and keeps a few; a longer list asked for is a second pass,
    printed as it goes (answers per shape: a pass costs about a walk over the items).
    """
    tl = opened.timeline
    n1, n2 = span
    wanted = selection.limit if selection.limit is not None else None if items else SHOWN
    keep = SHOWN + 1 if wanted is None else min(wanted, SHOWN + 1)
    with _scanning(opened, n1, n2) as bar:
        doc = diff(before, after, principal, _events(opened, n1, n2, bar), opened.variables,
                   selection, keep_items=keep, keep_events=SHOWN + 1)
    start, names = tl.start, opened.variables
    style = getattr(opened.loaded, "time_style", "offset")  # as the scenario wrote times

    def when(t: int) -> str:
        return time_name(t, start, style)

    def other(t: int) -> str:
        return format_offset(t, start) if style == "clock" else format_time(t)

    def kn(arn: str | None) -> str:
        return key_name(after, arn, names) if arn else "-"

    console.heading(f"from {when(before.now)} ({other(before.now)}) to {when(after.now)} "
                    f"({other(after.now)}), as {principal}")
    console.heading(f"keys ({len(doc['keys'])} changed)")
    _table(["key", Column("from", statuses=True), Column("to", statuses=True)],
                  [(k["name"], k["from"] or "(none)", k["to"]) for k in doc["keys"]])
    console.heading(f"associations ({len(doc['associations'])} changed)")
    _table(["resource", Column("from", statuses=True), "key", Column("to", statuses=True),
                   "key"], [(short_resource(a["resource"]), a["from"], kn(a["key_from"]),
                             a["to"], kn(a["key_to"])) for a in doc["associations"]])
    changed = sum(r["changed"] for r in doc["resources"])
    console.heading(f"items ({changed} changed)")
    _table(["resource", Column("from", statuses=True), Column("to", statuses=True),
                   Column("items", justify="right"), "written"],
                  [(r["name"], c["from"] or "(new)", c["to"] or "(removed)", c["items"],
                    _ranges(c["written"], c["ranges_left_off"], when))
                   for r in doc["resources"] for c in r["changes"]])
    shown = changed if wanted is None else min(changed, wanted)
    if shown:
        listed = doc["items"][:shown] if shown <= len(doc["items"]) else \
            (c.to_json() for c in islice(item_changes(before, after, principal, selection),
                                         shown))
        console.table([Column("item", no_wrap=True), "resource", Column("from", statuses=True),
                       Column("to", statuses=True)],
                      ((i["label"], short_resource(i["resource"]), i["from"] or "(new)",
                        i["to"] or "(removed)") for i in listed))
    if changed > shown:
        console.echo(f"  ({changed - shown} more changed items: --items lists them all, "
                     "--limit N the first N)")
    console.heading(f"timers fired ({len(doc['timers'])})")
    _table([Column("due", no_wrap=True), "kind", "target", "set by", "effect"],
                  [(when(parse_rfc3339(tm["due"])), tm["kind"], _target(after, tm["target"], names),
                    f"#{tm['event']}" if tm["event"] else "-",
                    tm["effect"] or "no effect (superseded)") for tm in doc["timers"]])
    total = sum(c["events"] for c in doc["event_counts"])
    console.heading(f"events in between ({total})")
    if total <= SHOWN or events:
        listing = doc["events"] if total <= SHOWN else \
            (event_doc(e) for e in _events(opened, n1, n2))  # a second read, as it goes
        console.table([Column("event", no_wrap=True), Column("time", justify="right"),
                       Column("operation", no_wrap=True), Column("outcome", statuses=True)],
                      ((f"#{e['seq']}", when(parse_rfc3339(e["time"])), e["op"], e["outcome"])
                       for e in listing))
        return
    console.table([Column("events", justify="right"), Column("operation", no_wrap=True),
                   Column("outcome", statuses=True)],
                  [(c["events"], c["op"], c["outcome"]) for c in doc["event_counts"]])
    console.echo("  (--events lists them)")


def _table(columns: list, rows: list) -> None:
    """A table, or nothing when it has no rows (its heading says 0)."""
    if rows:
        console.table(columns, rows)


def _target(world: World, target: str, names: dict[str, str]) -> str:
    """A timer's target for people: a key by its name, a resource by its short name."""
    return key_name(world, target, names) if target in world.keys else short_resource(target)


def _ranges(runs: list[dict], left_off: int, when: Callable[[int], str]) -> str:
    """Ranges of write times for people (the first three, and how many more)."""
    parts = [when(parse_rfc3339(r["from"])) if r["from"] == r["to"] else
             f"{when(parse_rfc3339(r['from']))} .. {when(parse_rfc3339(r['to']))}"
             for r in runs[:3]]
    more = len(runs) - 3 + left_off
    return ", ".join(parts) + (f" (and {more} more ranges)" if more > 0 else "")

"""``kmsim at LOG TIME [--as P] [--json]``: every answer at one moment (SPEC 9, a contract),
per resource first (the roll-up), then the items on request.

Filters: ``--resource R`` and ``--key K`` choose the items counted and listed, ``--status S``
and ``--limit N`` only the items listed (see :class:`projections.timetravel.answers.Selection`).
``--json`` streams the document item by item.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable

from events.timefmt import format_offset, format_time, parse_rfc3339
from projections.arns import LOG_GROUP_ARN, resource_from_name, short_resource
from projections.decrypt import Answer
from projections.kms.rotation import item_materials, short_id
from projections.model import DataItem
from projections.names import item_label, key_name, time_name
from projections.timetravel.answers import (
    STATUSES,
    Selection,
    association_docs,
    item_resources,
    key_docs,
    listed_items,
    walk,
    write_answers,
)
from projections.timetravel.rollup import LOST_COLUMNS, RESOURCE_COLUMNS, rollup_rows
from projections.world import World
from sim import console
from sim.commands.timetravel import (
    AS_HELP,
    TIME_HELP,
    Opened,
    add_log_args,
    open_log,
    resolve_principal,
    world_at,
)
from sim.console import Column
from sim.errors import InputError

#: Without --items, the items are listed when the selection covers at most this many.
SHOWN = 20


def register(sub: argparse._SubParsersAction) -> None:
    """Add the verb."""
    p = sub.add_parser(
        "at", help="every answer at one moment: per resource, then items, keys, associations",
        description="What can be decrypted at TIME, by whom, and why. First per resource (each "
        "log group, the dataset, the query results): what share of its data is yes, no, maybe "
        "or gone, written when, under which keys, and what is lost for good at a key's "
        "DeletionDate; then each key's state and each association; then the items (when few, "
        "or with --items). --json prints the whole document, items included.",
        epilog=f"TIME: {TIME_HELP}. Keys are named by their first alias, else the scenario "
        "variable that saved them, else their key id. R: logs:NAME (or a log group's name), "
        "logs:query-result, cloudwatch:dataset, or an ARN. K: an alias, key ARN, key id or "
        "scenario variable.")
    add_log_args(p)
    p.add_argument("time", metavar="TIME", help=TIME_HELP)
    p.add_argument("--as", dest="as_", metavar="P", help=AS_HELP)
    p.add_argument("--json", action="store_true",
                   help="print the JSON document (the items, keys and associations, and the "
                   "roll-up as 'resources'), streamed item by item")
    p.add_argument("--resource", action="append", default=[], metavar="R",
                   help="only this resource's items (repeatable)")
    p.add_argument("--key", action="append", default=[], metavar="K",
                   help="only items that may be under this key (repeatable)")
    p.add_argument("--status", action="append", default=[], choices=STATUSES,
                   help="list only items with this answer (repeatable; the roll-up still "
                   "counts every answer)")
    p.add_argument("--limit", type=count_arg, metavar="N", help="list at most N items")
    p.add_argument("--items", action="store_true",
                   help=f"list the items even when there are more than {SHOWN}")
    p.set_defaults(func=run)


def count_arg(text: str) -> int:
    """A ``--limit`` value: 0, 1, 2, ..."""
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"not a count: {text!r} (give 0, 1, 2, ...)")
    return n


def run(args: argparse.Namespace) -> int:
    """Print the answers."""
    opened = open_log(args.log, args.profile, args.set)
    principal = resolve_principal(opened, args.as_)
    world = world_at(opened, args.time)
    selection = Selection(
        resources=resource_arns(opened, world, args.resource) if args.resource else None,
        keys=key_arns(opened, world, args.key) if args.key else None,
        statuses=frozenset(args.status) if args.status else None, limit=args.limit)
    if args.json:
        write_answers(sys.stdout, world, principal, opened.variables, selection)
        return 0
    report(world, principal, opened, selection, args.items)
    return 0


def resource_arns(opened: Opened, world: World, refs: Iterable[str]) -> frozenset[str]:
    """``--resource`` values as resource ARNs; one that names nothing is bad input."""
    loaded = opened.loaded
    found = set()
    known: set[str] | None = None
    for ref in refs:
        try:
            arn = resource_from_name(ref, loaded.region, loaded.account)
        except ValueError:
            arn = resource_from_name(f"logs:{ref}", loaded.region, loaded.account)
        arn = arn.removesuffix(":*") if LOG_GROUP_ARN.fullmatch(arn) else arn
        if arn not in world.associations:
            if known is None:  # only when an association does not name it: one pass
                known = item_resources(world)
            if arn not in known:
                names = sorted({short_resource(r) for r in known | set(world.associations)})
                raise InputError(f"unknown resource {ref!r}: no data and no association at "
                                 "this moment", None, None,
                                 f"resources here: {', '.join(names) or '(none)'}")
        found.add(arn)
    return frozenset(found)


def key_arns(opened: Opened, world: World, refs: Iterable[str]) -> frozenset[str]:
    """``--key`` values as key ARNs (an alias, ARN, id, name shown, or scenario variable)."""
    loaded = opened.loaded
    found = set()
    for ref in refs:
        value = str(opened.variables.get(ref, ref))
        key = world.key_by_arn(value) or world.find_key(value, loaded.account, loaded.region)
        if key is None:
            key = next((k for k in world.keys.values()
                        if key_name(world, k, opened.variables) == ref), None)
        if key is None:
            names = [key_name(world, k, opened.variables) for k in world.keys.values()]
            raise InputError(f"unknown key {ref!r} at this moment", None, None,
                             f"keys here: {', '.join(names) or '(none)'}")
        found.add(key.arn)
    return frozenset(found)


def report(world: World, principal: str, opened: Opened, selection: Selection,
           items: bool = False) -> None:
    """The answers for people: the roll-up per resource, keys, associations, then the items
    (all of them with ``items``, else only when the selection lists at most ``SHOWN``).

    One pass makes the roll-up and keeps the first ``SHOWN + 1`` items; a longer list with
    ``items`` is a second pass, printed as it goes (one evaluation per shape each time).
    """
    start = opened.start
    style = getattr(opened.loaded, "time_style", "offset")  # as the scenario wrote times
    keys = key_docs(world, opened.variables)
    names: dict[str | None, str] = {k["arn"]: k["name"] for k in keys}
    first: list[tuple[DataItem, Answer]] = []
    # The first SHOWN + 1 listed items are kept; how many are listed is the roll-up's count.
    rollup = walk(world, principal, selection, lambda item, answer: first.append((item, answer)),
                  list_limit=SHOWN + 1)
    listed = rollup.count(selection.statuses)
    if selection.limit is not None:
        listed = min(listed, selection.limit)

    def when(text: str) -> str:
        return time_name(parse_rfc3339(text), start, style)

    other = format_offset(world.now, start) if style == "clock" else format_time(world.now)
    console.heading(f"at {time_name(world.now, start, style)} ({other}) as {principal}")
    resources = rollup.docs()
    per_resource, groups, lost = rollup_rows(resources, when, names)
    console.echo()
    if not resources:
        console.heading("resources: no data items at this moment")
    else:
        console.heading(f"resources ({len(resources)}): each one's items (data-plane writes) "
                        "by answer")
        console.table([Column("resource", no_wrap=True), *(Column(c, justify="right")
                                                          for c in RESOURCE_COLUMNS[1:-1]),
                       Column("written")], per_resource)
        console.heading("by answer and keys")
        console.table([Column("resource", no_wrap=True), Column("answer", statuses=True),
                       Column("items", justify="right"), Column("share", justify="right"),
                       Column("under"), Column("written"), Column("rules")], groups)
    if lost:
        console.heading("lost for good at a DeletionDate, unless something changes before it")
        console.table([Column("resource", no_wrap=True), Column(LOST_COLUMNS[1], no_wrap=True),
                       Column(LOST_COLUMNS[2]), Column("items", justify="right"),
                       Column("written")], lost)
    console.echo()
    console.heading(f"keys ({len(keys)})")
    console.table(["name", Column("state", statuses=True), Column("arn", no_wrap=True)],
                  [(k["name"], k["state"], k["arn"]) for k in keys])
    assocs = association_docs(world)
    console.echo()
    console.heading(f"associations ({len(assocs)})")
    console.table(["resource", Column("state", statuses=True), "key"],
                  [(short_resource(a["resource"]), a["state"],
                    names.get(a["key"], a["key"]) if a["key"] else "-") for a in assocs])
    console.echo()
    if not items and listed > SHOWN:
        console.heading(f"items ({listed}): --items lists them; --status, --resource, --key "
                        "and --limit choose which")
        return
    console.heading(f"items ({listed})")
    pairs = first if listed <= SHOWN + 1 else listed_items(world, principal, selection)
    console.table([Column("item", no_wrap=True), Column("answer", statuses=True),
                   Column("resource", no_wrap=True), Column("written", justify="right"),
                   Column("keys"), Column("rules"), Column("why")],
                  (item_row(item, answer, names, start, style, world) for item, answer in pairs))


def item_row(item: DataItem, answer: Answer, names: dict[str | None, str], start: int,
             style: str = "offset", world: World | None = None) -> tuple[str, ...]:
    """One item for people: label, answer, resource, when written, keys (with the key
    material of a rotated key, R-KMS-ROT-16, when ``world`` is given), rules, and why (its
    first reasons, keys by name)."""
    held = item_materials(world, answer.keys, item.seq) if world is not None else {}
    keys = ", ".join((names.get(k, k) + (f" (material {short_id(held[k].material_id)})"
                                         if k in held else "")) if k else "service-owned"
                     for k in answer.keys)
    why = []
    for reason in answer.reasons[:2]:
        for arn, name in names.items():
            if arn:
                reason = reason.replace(arn, name)
        why.append(reason)
    return (item_label(item), answer.status + (" (permanent)" if answer.permanent else ""),
            short_resource(item.resource), time_name(item.written_at, start, style), keys,
            ", ".join(answer.rules), "; ".join(why))

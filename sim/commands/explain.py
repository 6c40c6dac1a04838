"""``kmsim explain LOG ITEM [--at T] [--as P]``: the causal chain behind an answer.

ITEM is a data item (its label or ``#SEQ``), a key (alias, alias ARN, key ARN or id) or
an association (``logs:NAME``, ``logs:query-result``, ``cloudwatch:dataset`` or an ARN).
"""

from __future__ import annotations

import argparse
import json

from projections.arns import resource_from_name
from projections.timetravel.explain import (
    Explanation,
    explain_association,
    explain_item,
    explain_key,
)
from projections.timetravel.history import find_key_ever
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
from sim.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the verb."""
    p = sub.add_parser(
        "explain", help="why an item is (not) decryptable, a key's or association's history",
        description="The causal chain behind an answer, newest first: each link is a rule "
        "id with its statement and the event that triggered it.",
        epilog="ITEM: a data item's label or #SEQ; a key's alias, ARN or id; or an "
        "association: logs:NAME, logs:query-result, cloudwatch:dataset, or an ARN. "
        f"--at: {TIME_HELP} (default: the end of the timeline).")
    add_log_args(p)
    p.add_argument("item", metavar="ITEM", help="label, #SEQ, key or association")
    p.add_argument("--at", metavar="T", help="the moment (default: the end)")
    p.add_argument("--as", dest="as_", metavar="P", help=AS_HELP)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def explain(opened: Opened, ref: str, at: str | None, who: str | None) -> Explanation:
    """The explanation of ITEM at ``at`` (InputError when ITEM names nothing)."""
    tl = opened.timeline
    world = world_at(opened, at)
    acct, region = opened.loaded.account, opened.loaded.region
    names = opened.variables
    style = opened.loaded.time_style  # times as the scenario wrote them
    item = world.item(ref)
    if item is not None:
        return explain_item(world, item, resolve_principal(opened, who), tl.event, tl.start,
                            names, style)
    key = find_key_ever(tl.events, world, names.get(ref, ref), acct, region)
    if key is not None and key.world_id in world.keys:
        return explain_key(world, world.keys[key.world_id], tl.event, tl.start, names, style)
    try:
        arn = resource_from_name(names.get(ref, ref), region, acct)
    except ValueError:
        arn = None
    if arn is not None and arn.removesuffix(":*") in world.associations:
        return explain_association(world, world.associations[arn.removesuffix(":*")],
                                   tl.event, tl.start, names, style)
    labels = sorted(world.labels)
    raise InputError(f"nothing named {ref!r} at that moment", None, None,
                     "give a data item's label or #SEQ "
                     f"(labels: {', '.join(labels[:10]) or 'none'}; items: "
                     f"{len(world.items)}), a key alias/ARN/id, or an association such as "
                     "logs:NAME")


def run(args: argparse.Namespace) -> int:
    """Print the chain."""
    opened = open_log(args.log, args.profile, args.set)
    result = explain(opened, args.item, args.at, args.as_)
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        lines = result.lines()
        if lines:  # the answer first, bold on a terminal; then its causal chain
            console.heading(lines[0])
        for line in lines[1:]:
            console.echo(line)
    return 0

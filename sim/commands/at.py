"""``kmsim at LOG TIME [--as P] [--json]``: every answer at one moment (SPEC 9, a contract).

Also home of what the time-travel verbs (at, explain, diff, history, replay, whatif)
share: opening LOG, reading TIME, choosing the principal.
"""

from __future__ import annotations

import argparse
import json

from events.timefmt import format_offset, parse_rfc3339
from projections.arns import short_resource
from projections.timetravel.answers import answers_at
from sim.commands.timetravel import (
    AS_HELP,
    TIME_HELP,
    add_log_args,
    open_log,
    resolve_principal,
    world_at,
)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the verb."""
    p = sub.add_parser(
        "at", help="every answer at one moment: items, keys, associations",
        description="What can be decrypted at TIME, by whom, and why: every data item's "
        "status (yes/no/maybe/gone) with its keys and rules, every key's state, every "
        "association. --json prints the SPEC 9 document.",
        epilog=f"TIME: {TIME_HELP}. Keys are named by their first alias, else the scenario "
        "variable that saved them, else their key id.")
    add_log_args(p)
    p.add_argument("time", metavar="TIME", help=TIME_HELP)
    p.add_argument("--as", dest="as_", metavar="P", help=AS_HELP)
    p.add_argument("--json", action="store_true", help="print the SPEC 9 JSON document")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the answers."""
    opened = open_log(args.log, args.profile, args.set)
    principal = resolve_principal(opened, args.as_)
    world = world_at(opened, args.time)
    doc = answers_at(world, principal, opened.variables, with_reasons=not args.json)
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0
    print("\n".join(table_lines(doc, opened.start)))
    return 0


def table_lines(doc: dict, start: int) -> list[str]:
    """The ``kmsim at`` document as tables for people."""
    t = parse_rfc3339(doc["time"])
    out = [f"at {format_offset(t, start)} ({doc['time']}) as {doc['principal']}", ""]
    names = {k["arn"]: k["name"] for k in doc["keys"]}
    out.append(f"keys ({len(doc['keys'])})")
    out.append(f"  {'name':<24} {'state':<16} arn")
    out += [f"  {k['name']:<24} {k['state']:<16} {k['arn']}" for k in doc["keys"]]
    out.append("")
    out.append(f"associations ({len(doc['associations'])})")
    out.append(f"  {'resource':<32} {'state':<15} key")
    for a in doc["associations"]:
        key = names.get(a["key"], a["key"]) if a["key"] else "-"
        out.append(f"  {short_resource(a['resource']):<32} {a['state']:<15} {key}")
    out.append("")
    out.append(f"items ({len(doc['items'])})")
    out.append(f"  {'label':<12} {'status':<7} {'resource':<24} {'written':>9}  keys / rules")
    for i in doc["items"]:
        keys = ", ".join(names.get(k, k) if k else "service-owned" for k in i["keys"])
        perm = " permanent" if i["permanent"] else ""
        written = format_offset(parse_rfc3339(i["written_at"]), start)
        out.append(f"  {i['label']:<12} {i['status']:<7} {short_resource(i['resource']):<24} "
                   f"{written:>9}  {keys}; {', '.join(i['rules'])}{perm}")
        for reason in i.get("reasons", [])[:3]:
            for arn, name in names.items():
                reason = reason.replace(arn, name)
            out.append(f"  {'':<12} {reason}")
    return out

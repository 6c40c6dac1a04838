"""``kmsim at LOG TIME [--as P] [--json]``: every answer at one moment (SPEC 9, a contract).

Also home of what the time-travel verbs (at, explain, diff, history, replay, whatif)
share: opening LOG, reading TIME, choosing the principal.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field

from events.timefmt import TimeSyntaxError, format_offset, format_time, parse_rfc3339
from projections.arns import short_resource
from projections.timetravel.answers import answers_at
from projections.timetravel.timeline import Timeline
from projections.world import World
from sim.clock import parse_when
from sim.errors import InputError
from sim.loading import LoadedTimeline, load_timeline
from sim.runner import parse_set

TIME_HELP = "RFC 3339 UTC (2026-01-01T00:05:00Z), +OFFSET from the start (+5m), or #N " \
            "(just after event N)"
AS_HELP = "principal: a name from the log's sim:PutPrincipal events, or an ARN (default: the " \
          "scenario's default principal, else the account root)"


@dataclass
class Opened:
    """A loaded timeline, the scenario's saved values (to name keys), its default caller."""

    loaded: LoadedTimeline
    variables: dict[str, str] = field(default_factory=dict)
    default_principal: str | None = None

    @property
    def timeline(self) -> Timeline:
        """The timeline."""
        return self.loaded.timeline

    @property
    def start(self) -> int:
        """The timeline's start."""
        return self.loaded.timeline.start


def open_log(path: str, profile: str | None = None, sets: list[str] | None = None) -> Opened:
    """A log file, or a scenario run in memory (keeping its saved values and caller)."""
    loaded = load_timeline(path, profile, parse_set(sets or []))
    return Opened(loaded, loaded.variables, loaded.default_principal)


def resolve_when(opened: Opened, text: str) -> tuple[int, int | None]:
    """TIME as ``(t, through_seq)``: ``#N`` stops just after event N."""
    tl = opened.timeline
    try:
        t = parse_when(text, tl.start, tl.times)
    except TimeSyntaxError as exc:
        raise InputError(str(exc), None, None, f"TIME is {TIME_HELP}; this timeline runs "
                         f"{format_time(tl.start)} .. {format_time(tl.end)} with "
                         f"{len(tl.times)} events") from None
    through = int(text.strip()[1:]) if text.strip().startswith("#") else None
    return t, through


def world_at(opened: Opened, text: str | None) -> World:
    """The world at TIME (default: the end of the timeline)."""
    tl = opened.timeline
    if text is None:
        return tl.world_at(tl.end)
    t, through = resolve_when(opened, text)
    return tl.world_at(t, through_seq=through)


def resolve_principal(opened: Opened, who: str | None) -> str:
    """``--as``: a declared name or an ARN (or a service principal)."""
    names = opened.loaded.names
    who = who if who is not None else opened.default_principal
    if who is None:
        return f"arn:aws:iam::{opened.loaded.account}:root"
    if who in names:
        return names[who]
    if who.startswith("arn:") or who.endswith(".amazonaws.com"):
        return who
    raise InputError(f"unknown principal {who!r}", None, None,
                     f"give an ARN or one of: {', '.join(sorted(names)) or '(none declared)'}")


def add_log_args(p: argparse.ArgumentParser, profile: bool = True) -> None:
    """LOG plus the flags that apply when LOG is a scenario run in memory."""
    p.add_argument("log", metavar="LOG", help="a .kmlog event log, or a scenario .toml/.py "
                   "(run in memory first)")
    if profile:
        p.add_argument("--profile", help="when LOG is a scenario: run it under this profile")
        p.add_argument("--set", action="append", default=[], metavar="A=V",
                       help="when LOG is a scenario: set an assumption (repeatable)")


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

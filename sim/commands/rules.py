"""``kmsim rules``: every rule with its source, every assumption with its values, profiles."""

from __future__ import annotations

import argparse
import json

from projections.machines import ASSOCIATION_TRANSITIONS, KEY_TRANSITIONS, mermaid
from projections.rulebook import PROFILES, all_assumptions, all_rules


def register(sub: argparse._SubParsersAction) -> None:
    """Add the verb."""
    p = sub.add_parser("rules", help="list rules, assumptions and profiles",
                       description="List every rule (id, statement, source sentence), every "
                       "assumption (default and alternatives) and the profiles.")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--grep", metavar="TEXT", help="only rules whose id or text contains TEXT")
    p.add_argument("--diagram", action="store_true",
                   help="print the key and association state machines as Mermaid diagrams")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the registry."""
    if args.diagram:
        print(mermaid(KEY_TRANSITIONS, "KMS key lifecycle (SPEC 3.1)"))
        for kind, table in ASSOCIATION_TRANSITIONS.items():
            print()
            print(mermaid(table, f"Associations of a {kind} (SPEC 5)"))
        return 0
    rules = all_rules()
    if args.grep:
        g = args.grep.lower()
        rules = [r for r in rules if g in (r.id + r.statement + r.cite()).lower()]
    if args.json:
        print(json.dumps({
            "rules": [{"id": r.id, "statement": r.statement, "source": r.source,
                       "quote": r.quote, "profiles": list(r.profiles),
                       "assumption": r.assumption} for r in rules],
            "assumptions": [{"id": a.id, "name": a.name, "statement": a.statement,
                             "default": a.default, "alternatives": list(a.alternatives),
                             "meaning": a.meaning} for a in all_assumptions()],
            "profiles": PROFILES}, indent=2))
        return 0
    print(f"Rules ({len(rules)})")
    for r in rules:
        only = "" if len(r.profiles) == len(PROFILES) else f"  [profile {', '.join(r.profiles)}]"
        print(f"  {r.id:<12} {r.statement}{only}")
        print(f"  {'':<12}   source: {r.cite()}")
    if args.grep:
        return 0
    print("\nAssumptions (set with [assumptions] name = value, or --set name=value)")
    for a in all_assumptions():
        print(f"  {a.id:<22} {a.name} = {a.default}   (alternatives: "
              f"{', '.join(x + ('...' if x.endswith(':') else '') for x in a.alternatives)})")
        print(f"  {'':<22} {a.statement}")
        for value, meaning in a.meaning.items():
            print(f"  {'':<24} {value}: {meaning}")
    print("\nProfiles (--profile P, or profile = \"P\" in [scenario])")
    for name, text in PROFILES.items():
        print(f"  {name:<10} {text}")
    return 0

"""``kmsim rules``: every rule with its source, every assumption with its values, profiles.

A rule's source is shown as the public page it quotes (title and address), not as the name
of the file kmsim keeps that page in: a user has the page, not the file. ``--json`` keeps
the registry's own ``source`` and adds that ``page``.
"""

from __future__ import annotations

import argparse
import json
import re

from projections.machines import ASSOCIATION_TRANSITIONS, KEY_TRANSITIONS, mermaid
from projections.rulebook import PROFILES, Assumption, Rule, all_assumptions, all_rules
from projections.rulebook.registry import SOURCE_PAGES
from sim import console
from sim.console import Column, Link


def register(sub: argparse._SubParsersAction) -> None:
    """Add the verb."""
    p = sub.add_parser("rules", help="list rules, assumptions and profiles",
                       description="List every rule (id, statement, and the sentence of the "
                       "AWS page it rests on), every assumption (default and alternatives) "
                       "and the profiles.")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--grep", metavar="TEXT", help="only rules whose id or text contains TEXT")
    p.add_argument("--diagram", action="store_true",
                   help="print the key and association state machines as Mermaid diagrams")
    p.set_defaults(func=run)


#: A seed file's short name in running text ("seed 000's list" -> "the ... page's list").
_SEED_REF = re.compile(r"\bseed (\d{3})(?:_[0-9a-f]+\.txt)?", re.IGNORECASE)
#: A reference to a SPEC section ("SPEC 3.3 step 5", "SPEC 6", "SPEC:").
_SPEC_REF = re.compile(r"\bSPEC(?: \d+(?:\.\d+)*(?: step \d+)?)?")
_SEEDS_PLURAL = re.compile(r"\bthe seeds\b")
_SEED_OWN = re.compile(r"\bthe seed's\b")


def page(source: str) -> str:
    """The source as a person finds it: the page's title and address for a saved page,
    kmsim's design for its own rules, anything else (observed behaviour, an assumption) as
    it is written."""
    return SOURCE_PAGES.get(source, source)


def _short_page(number: str) -> str:
    """``the AssociateKmsKey page`` for seed ``004``: the operation its title names."""
    for source, text in SOURCE_PAGES.items():
        if source.startswith(f"seed {number}_"):
            title = text.split(" <", 1)[0]
            return f"the {title.rsplit(', ', 1)[-1]} page"
    return "the AWS page"


def readable(text: str) -> str:
    """``text`` with its mentions of seed files and SPEC sections put as a user can follow
    them (the page's name; kmsim's design)."""
    text = _SEED_REF.sub(lambda m: _short_page(m.group(1)), text)
    text = _SEEDS_PLURAL.sub("the AWS pages", text)
    text = _SEED_OWN.sub("the AWS page's", text)
    return _SPEC_REF.sub("kmsim's design", text)


def cite(rule: Rule) -> str:
    """The rule's source for people: the page (or what else it rests on) and its sentence."""
    where = page(rule.source)
    return f'{where}: "{rule.quote}"' if rule.quote else where


def _source_cell(rule: Rule) -> str | Link:
    """The source column on a terminal: the page's title as a link, then the sentence."""
    where = page(rule.source)
    after = f': "{rule.quote}"' if rule.quote else ""
    title, sep, url = where.partition(" <")
    return Link(title, url.rstrip(">"), after) if sep else where + after


def run(args: argparse.Namespace) -> int:
    """Print the registry."""
    if args.diagram:
        print(mermaid(KEY_TRANSITIONS, "KMS key lifecycle"))
        for kind, table in ASSOCIATION_TRANSITIONS.items():
            print()
            print(mermaid(table, f"Associations of a {kind}"))
        return 0
    rules = all_rules()
    if args.grep:
        g = args.grep.lower()
        rules = [r for r in rules
                 if g in (r.id + r.statement + r.cite() + cite(r)).lower()]
    if args.json:
        print(json.dumps({
            "rules": [{"id": r.id, "statement": r.statement, "source": r.source,
                       "page": page(r.source), "quote": r.quote, "profiles": list(r.profiles),
                       "assumption": r.assumption} for r in rules],
            "assumptions": [{"id": a.id, "name": a.name, "statement": a.statement,
                             "default": a.default, "alternatives": list(a.alternatives),
                             "meaning": a.meaning} for a in all_assumptions()],
            "profiles": PROFILES}, indent=2))
        return 0
    if console.styled():
        _print_tables(rules, bool(args.grep))
        return 0
    print(f"Rules ({len(rules)})")
    for r in rules:
        print(f"  {r.id:<12} {readable(r.statement)}{_only(r)}")
        print(f"  {'':<12}   source: {cite(r)}")
    if args.grep:
        return 0
    print("\nAssumptions (set with [assumptions] name = value, or --set name=value)")
    for a in all_assumptions():
        print(f"  {a.id:<22} {a.name} = {a.default}   (alternatives: {_alternatives(a)})")
        print(f"  {'':<22} {readable(a.statement)}")
        for value, meaning in a.meaning.items():
            print(f"  {'':<24} {value}: {readable(meaning)}")
    print("\nProfiles (--profile P, or profile = \"P\" in [scenario])")
    for name, text in PROFILES.items():
        print(f"  {name:<10} {text}")
    return 0


def _only(rule: Rule) -> str:
    return "" if len(rule.profiles) == len(PROFILES) else f"  [profile {', '.join(rule.profiles)}]"


def _alternatives(a: Assumption) -> str:
    return ", ".join(x + ("..." if x.endswith(":") else "") for x in a.alternatives)


def _print_tables(rules: list[Rule], only_rules: bool) -> None:
    """The terminal form: the same content as rich tables."""
    console.table(
        [Column("rule", style="bold cyan"), Column("statement"), Column("source", style="dim")],
        ((r.id, readable(r.statement) + _only(r), _source_cell(r)) for r in rules),
        title=f"Rules ({len(rules)})")
    if only_rules:
        return
    console.echo()
    console.table(
        [Column("assumption", style="bold cyan"), Column("setting = default"),
         Column("alternatives"), Column("statement and meanings")],
        ((a.id, f"{a.name} = {a.default}", _alternatives(a),
          "\n".join([readable(a.statement)] + [f"{v}: {readable(m)}"
                                               for v, m in a.meaning.items()]))
         for a in all_assumptions()),
        title="Assumptions (set with [assumptions] name = value, or --set name=value)")
    console.echo()
    console.table([Column("profile", style="bold cyan"), Column("rules it follows")],
                  PROFILES.items(), title="Profiles (--profile P, or profile = \"P\" in "
                  "[scenario])")

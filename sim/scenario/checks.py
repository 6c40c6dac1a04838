"""Scenario checks: one registry, one function per check kind (``key_state``,
``decryptable``, ``association``). A new kind is one more entry, not runner code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from events.timefmt import format_time
from projections.arns import resource_from_name
from projections.decrypt import decryptability
from projections.world import World


@dataclass
class CheckContext:
    """What a check reads: the world at the check's moment, the principal, saved values."""

    world: World
    principal: str
    variables: dict[str, str]
    account: str
    region: str


CheckFn = Callable[[CheckContext, dict[str, str]], list[str]]
CHECKS: dict[str, CheckFn] = {}


def check_kind(name: str) -> Callable[[CheckFn], CheckFn]:
    """Register a check kind."""

    def register(fn: CheckFn) -> CheckFn:
        CHECKS[name] = fn
        return fn

    return register


@check_kind("key_state")
def _key_state(ctx: CheckContext, expected: dict[str, str]) -> list[str]:
    failures = []
    for name, want in expected.items():
        ref = ctx.variables.get(name, name)
        key = ctx.world.find_key(ref, ctx.account, ctx.region) or ctx.world.key_by_arn(ref)
        got = key.state if key else "(no such key)"
        if got != want:
            why = ""
            if key and key.since:
                src = f"event #{key.since.seq}" if key.since.seq else (key.since.note or "timer")
                why = f" since {format_time(key.since.t)} ({src}, {key.since.rule})"
            failures.append(f"key_state {name}: expected {want}, got {got}{why}")
    return failures


@check_kind("decryptable")
def _decryptable(ctx: CheckContext, expected: dict[str, str]) -> list[str]:
    failures = []
    for label, want in expected.items():
        item = ctx.world.item(label)
        if item is None:
            failures.append(f"decryptable {label}: expected {want}, but no data item {label} "
                            f"exists at {format_time(ctx.world.now)} (did its step fail?)")
            continue
        answer = decryptability(ctx.world, item, ctx.principal)
        if answer.status != want:
            reason = answer.reasons[0] if answer.reasons else ", ".join(answer.rules)
            failures.append(f"decryptable {label}: expected {want}, got {answer.status} "
                            f"({reason})")
    return failures


@check_kind("association")
def _association(ctx: CheckContext, expected: dict[str, str]) -> list[str]:
    failures = []
    for name, want in expected.items():
        arn = resource_from_name(name, ctx.region, ctx.account)
        assoc = ctx.world.associations.get(arn)
        got = assoc.state if assoc else "none"
        if got != want:
            failures.append(f"association {name}: expected {want}, got {got}")
    return failures

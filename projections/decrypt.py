"""Decryptability of a data item at the world's moment, for a principal (SPEC 7, a contract).

An item may be under one of several keys (a write inside an uncertain window), and a
read may depend on a requirement that may or may not still hold. Each area's
evaluator lists every possibility as a :class:`Verdict`; :func:`decryptability`
combines them: all readable is ``yes``, none is ``no``, a mix is ``maybe`` (R-WIN-02).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from events.timefmt import format_time
from projections.iam.policy import Decision, Request, evaluate
from projections.model import Cause, DataItem, Key
from projections.world import World

Evaluator = Callable[[World, DataItem, str], Sequence["Verdict"]]
_EVALUATORS: dict[str, Evaluator] = {}


@dataclass(frozen=True)
class Verdict:
    """One possibility: under ``key`` (None: service-owned), readable or not, and why."""

    readable: bool
    key: str | None
    reasons: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    events: tuple[int, ...] = ()
    permanent: bool = False


@dataclass(frozen=True)
class Answer:
    """The contract answer: status yes/no/maybe/gone with keys, rules, events, permanence."""

    status: str
    keys: tuple[str | None, ...]
    rules: tuple[str, ...]
    events: tuple[int, ...]
    permanent: bool
    reasons: tuple[str, ...] = field(default=())

    def to_json(self) -> dict:
        """The fields of SPEC 9's item document that come from the answer."""
        return {"keys": list(self.keys), "status": self.status, "permanent": self.permanent,
                "rules": list(self.rules), "events": list(self.events)}


def evaluates(kind: str) -> Callable[[Evaluator], Evaluator]:
    """Register the evaluator of a data item kind."""

    def register(fn: Evaluator) -> Evaluator:
        _EVALUATORS[kind] = fn
        return fn

    return register


def _merge(parts: Iterable[tuple]) -> tuple:
    out: list = []
    for part in parts:
        for x in part:
            if x not in out:
                out.append(x)
    return tuple(out)


def decryptability(world: World, item: DataItem, principal: str) -> Answer:
    """Whether ``principal`` can read ``item`` at ``world.now``, with the reasons."""
    if item.gone is not None:
        g = item.gone
        events = (g.seq,) if g.seq is not None else ()
        return Answer("gone", item.keys, (g.rule,), events, True,
                      (f"{g.rule}: {g.note or 'the data is gone'} ({format_time(g.t)})",))
    verdicts = list(_EVALUATORS[item.kind](world, item, principal))
    readable = [v for v in verdicts if v.readable]
    if len(readable) == len(verdicts):
        status = "yes"
    elif not readable:
        status = "no"
    else:
        status = "maybe"
    permanent = status == "no" and all(v.permanent for v in verdicts)
    rules = _merge(v.rules for v in verdicts)
    if status == "maybe":
        rules = _merge([rules, ("R-WIN-02",)])
    events = tuple(sorted(set(_merge(v.events for v in verdicts)), reverse=True))
    keys = tuple(dict.fromkeys(v.key for v in verdicts))
    reasons = _merge(v.reasons for v in verdicts)
    return Answer(status, keys, rules, events, permanent, reasons)


def key_usable(world: World, key_arn: str | None, service: str,
               context: dict[str, str]) -> Verdict:
    """Whether ``service`` can still decrypt under a key: it exists, is Enabled, and the key
    policy lets the service principal kms:Decrypt with this encryption context."""
    if key_arn is None:
        return Verdict(True, None, ("under the service-owned key: no customer key needed",))
    key = world.key_by_arn(key_arn)
    if key is None:
        return Verdict(False, key_arn, (f"R-KMS-13: key {key_arn} does not exist",),
                       ("R-KMS-13",), (), True)
    if key.state != "Enabled":
        return state_verdict(key)
    decision = evaluate(Request(service, "kms:Decrypt", key.arn, context), key.policy)
    if not decision.allowed:
        return policy_verdict(key, service, decision)
    return Verdict(True, key.arn, (f"key {key.arn} is Enabled and allows {service}",),
                   ("R-KMS-04", "R-IAM-04"), _events(key.since, key.policy_since))


def caller_can_decrypt(world: World, key: Key, principal: str,
                       context: dict[str, str]) -> Decision:
    """The caller's own kms:Decrypt on ``key`` (key policy plus identity policies)."""
    return evaluate(Request(principal, "kms:Decrypt", key.arn, context), key.policy,
                    world.identity_policies(principal))


def state_verdict(key: Key) -> Verdict:
    """A key that is not Enabled: why, since when, and whether that is forever."""
    since = key.since
    when = f" since event #{since.seq}" if since and since.seq else ""
    if since and since.seq is None:
        when = f" since {format_time(since.t)} ({since.note or 'timer'})"
    rule = "R-KMS-10" if key.state == "Deleted" else "R-KMS-04"
    text = f"{rule}: key {key.arn} is {key.state}{when}"
    if key.state == "Deleted":
        text += "; data under it is unrecoverable, forever"
    rules = (rule,) + ((since.rule,) if since and since.rule != rule else ())
    return Verdict(False, key.arn, (text,), rules, _events(since), key.state == "Deleted")


def policy_verdict(key: Key, who: str, decision: Decision) -> Verdict:
    """A key policy that does not let ``who`` decrypt."""
    rule = "R-IAM-01" if decision.statement and decision.statement.effect == "Deny" else "R-IAM-04"
    if not who.endswith(".amazonaws.com"):
        rule = "R-IAM-01" if rule == "R-IAM-01" else "R-IAM-06"
    text = f"{rule}: {who} may not kms:Decrypt with key {key.arn}: {decision.reason}"
    return Verdict(False, key.arn, (text, *decision.notes), (rule,), _events(key.policy_since))


def _events(*causes: Cause | None) -> tuple[int, ...]:
    return tuple(c.seq for c in causes if c is not None and c.seq is not None)

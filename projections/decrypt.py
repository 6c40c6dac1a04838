"""Decryptability of a data item at the world's moment, for a principal (SPEC 7, a contract).

An item may be under one of several keys (a write inside an uncertain window), and a
read may depend on a requirement that may or may not still hold. Each area's
evaluator lists every possibility as a :class:`Verdict`; :func:`decryptability`
combines them: all readable is ``yes``, none is ``no``, a mix is ``maybe`` (R-WIN-02).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field

from events.timefmt import format_time
from projections.iam.policy import Decision, Request, evaluate
from projections.kms.grants import GrantDecision, grant_decisions, settle
from projections.model import Cause, DataItem, Key
from projections.world import World

Evaluator = Callable[[World, DataItem, str], Sequence["Verdict"]]
#: What an evaluator reads from an item, as a hashable key (see :func:`evaluates`).
Shape = Callable[[World, DataItem], Hashable]
_EVALUATORS: dict[str, Evaluator] = {}
_SHAPES: dict[str, Shape] = {}
_TIMELESS: set[str] = set()  # kinds whose shape ignores an item's time (see evaluates)


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


def evaluates(kind: str, shape: Shape | None = None, timeless: bool = False
              ) -> Callable[[Evaluator], Evaluator]:
    """Register the evaluator of a data item kind.

    ``shape(world, item)`` gives a hashable key of everything the evaluator reads from an
    item (its resource, keys, ...): two items of the kind whose keys are equal get the same
    verdicts from one world for one principal, so :class:`Answers` evaluates each shape once
    (a million items share about a hundred). Without ``shape`` every item is evaluated.
    ``timeless``: the shape reads only the item's resource, account, Region and keys (not its
    time, expiry or ``extra``), so every item of a store's row shape has one answer
    (:meth:`Answers.by_shape`; ``tests/test_rollup.py`` checks each such kind).
    """

    def register(fn: Evaluator) -> Evaluator:
        _EVALUATORS[kind] = fn
        _TIMELESS.discard(kind)
        if shape is None:
            _SHAPES.pop(kind, None)
        else:
            _SHAPES[kind] = shape
            if timeless:
                _TIMELESS.add(kind)
        return fn

    return register


def timeless_kinds() -> frozenset[str]:
    """The kinds registered with a ``timeless`` shape."""
    return frozenset(_TIMELESS)


def shape_of(kind: str) -> Shape | None:
    """The shape function registered with a kind's evaluator, if any."""
    return _SHAPES.get(kind)


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
        return _gone(item)
    return _combine(_EVALUATORS[item.kind](world, item, principal))


def _gone(item: DataItem) -> Answer:
    g = item.gone
    assert g is not None
    events = (g.seq,) if g.seq is not None else ()
    return Answer("gone", item.keys, (g.rule,), events, True,
                  (f"{g.rule}: {g.note or 'the data is gone'} ({format_time(g.t)})",))


class Answers:
    """:func:`decryptability` at one moment for one principal, computed once per shape.

    ``answers(item)`` equals ``decryptability(world, item, principal)``: an item that is
    gone is answered from itself, a kind registered with a ``shape`` once per distinct shape
    key (the answer is shared: :class:`Answer` is frozen), any other kind per item. Build
    one per world and principal, and do not fold into the world while using it.
    """

    #: Distinct shapes remembered at most; past it the memo starts again (a pathological
    #: log whose every item has its own shape costs what evaluating each item costs).
    LIMIT = 200_000

    def __init__(self, world: World, principal: str) -> None:
        self.world = world
        self.principal = principal
        self._memo: dict[tuple, Answer] = {}
        self.evaluated = 0  #: evaluator calls made (for tests and benchmarks)

    def by_shape(self, item: DataItem) -> bool:
        """Whether every item not gone of ``item``'s kind, resource, account, Region and keys
        has ``item``'s answer (its kind's shape is ``timeless``)."""
        return item.gone is None and item.kind in _TIMELESS

    def __call__(self, item: DataItem) -> Answer:
        """The answer for ``item`` (see the class docstring)."""
        if item.gone is not None:
            return _gone(item)
        kind = item.kind
        shape = _SHAPES.get(kind)
        if shape is None:
            self.evaluated += 1
            return _combine(_EVALUATORS[kind](self.world, item, self.principal))
        memo = self._memo
        key = (kind, shape(self.world, item))
        answer = memo.get(key)
        if answer is None:
            if len(memo) >= self.LIMIT:
                memo.clear()
            self.evaluated += 1
            answer = memo[key] = _combine(_EVALUATORS[kind](self.world, item, self.principal))
        return answer


def _combine(found: Iterable[Verdict]) -> Answer:
    """One answer from an item's possibilities (R-WIN-02 when they disagree)."""
    verdicts = list(found)
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
    """The caller's own kms:Decrypt on ``key`` (key policy plus identity policies, or a grant
    in effect: R-KMS-GRANT-10), as one decision: a grant inside an uncertain window counts
    as A-GRANT-UNDECIDED says (R-KMS-GRANT-23). Answers that can say ``maybe`` use
    :func:`caller_decisions`."""
    return settle(caller_decisions(world, key, principal, context),
                  world.setting("grant_undecided"))


def caller_decisions(world: World, key: Key, principal: str,
                     context: dict[str, str]) -> tuple[Decision, ...]:
    """Each possible decision on the caller's own kms:Decrypt on ``key``: one, or two (a
    grant's allow first, then the policies' refusal) while only a grant inside an uncertain
    window could allow it (R-KMS-GRANT-08, A-PROPAGATION)."""
    policy = evaluate(Request(principal, "kms:Decrypt", key.arn, context), key.policy,
                      world.identity_policies(principal))
    return grant_decisions(world, key, principal, "kms:Decrypt", context, policy)


def with_grant(v: Verdict, decision: Decision) -> Verdict:
    """``v`` naming the grant that let the caller decrypt (its id, creator and event), when
    a grant did; else ``v`` unchanged."""
    if not isinstance(decision, GrantDecision) or not decision.allowed:
        return v
    return Verdict(v.readable, v.key, (decision.reason, *v.reasons),
                   _merge([v.rules, decision.rules]),
                   (*v.events, *((decision.seq,) if decision.seq is not None else ())),
                   v.permanent)


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
    rules, events = (rule,), _events(key.policy_since)
    if isinstance(decision, GrantDecision):  # a grant's window left it open (R-KMS-GRANT-08)
        rules = (rule, *decision.rules)
        events = (*events, *((decision.seq,) if decision.seq is not None else ()))
    return Verdict(False, key.arn, (text, *decision.notes), rules, events)


def _events(*causes: Cause | None) -> tuple[int, ...]:
    return tuple(c.seq for c in causes if c is not None and c.seq is not None)

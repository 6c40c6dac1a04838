"""Explain: the causal chain behind an answer, newest first, as rule statements (SPEC 7).

Each :class:`Link` is one thing that happened (an event or a timer), the rule that
decided it, the rule's one-line statement and the event number that triggered it.
The chain for a data item starts with the reasons of its answer, then goes back
through the state of each key it may be under, the write itself, and the
association changes that decided which key the write used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from events.record import Event
from events.timefmt import format_offset, format_time
from projections.arns import short_resource
from projections.decrypt import decryptability
from projections.kms.grants import GrantsState
from projections.kms.rotation import item_materials, materials, rotated, short_id
from projections.model import Association, Cause, DataItem, Key
from projections.names import item_label, key_name, time_name
from projections.rulebook import rule as rule_by_id
from projections.timetravel.answers import association_key
from projections.world import World

EventOf = Callable[[int], Event | None]
_RULE_AT_START = re.compile(r"(R-[A-Z]+(?:-[A-Z]+)*-\d{2}[a-z]?): ")


def statement(rule_id: str | None) -> str:
    """The one-line statement of a rule ('' when it is not in the registry)."""
    if not rule_id:
        return ""
    try:
        return rule_by_id(rule_id).statement
    except KeyError:
        return ""


@dataclass(frozen=True)
class Link:
    """One step of a causal chain."""

    t: int
    seq: int | None
    rule: str | None
    text: str
    statement: str = ""

    def to_json(self) -> dict:
        """Machine-readable form."""
        return {"time": format_time(self.t), "event": self.seq, "rule": self.rule,
                "text": self.text, "statement": self.statement}


@dataclass
class Explanation:
    """A headline (the answer) and its chain, newest first."""

    subject: str
    headline: str
    links: list[Link] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The explanation for people: the headline, then one numbered link per line."""
        out = [self.headline]
        for i, link in enumerate(self.links, 1):
            rule = f"{link.rule:<11}" if link.rule else f"{'':<11}"
            out.append(f"  {i:>2}. {rule} {link.text}")
            if link.statement:
                out.append(f"      {'':<11} rule: {link.statement}")
        return out

    def to_json(self) -> dict:
        """Machine-readable form."""
        return {"subject": self.subject, "headline": self.headline,
                "links": [lk.to_json() for lk in self.links]}


class _Ctx:
    """What a chain needs to describe events: the world, names, events, the start, and how
    the scenario wrote times (``offset`` or ``clock``: :func:`projections.names.time_name`)."""

    def __init__(self, world: World, names: Mapping[str, Any] | None, event_of: EventOf,
                 start: int, style: str = "offset") -> None:
        self.world, self.names, self.event_of, self.start = world, names or {}, event_of, start
        self.style = style

    def when(self, t: int) -> str:
        """``t`` as the scenario wrote times."""
        return time_name(t, self.start, self.style)

    def both(self, t: int) -> str:
        """``t`` as the scenario wrote times, then the other way: ``+5m (2026-...Z)``."""
        other = format_offset(t, self.start) if self.style == "clock" else format_time(t)
        return f"{self.when(t)} ({other})"

    def source(self, seq: int | None, t: int, note: str = "") -> str:
        """``event #9 (kms:DisableKey at +9m)`` or ``a timer at +7d5m (note)``."""
        if seq is None:
            return f"a timer at {self.when(t)}" + (f" ({note})" if note else "")
        event = self.event_of(seq)
        op = event.op if event else (note or "?")
        return f"event #{seq} ({op} at {self.when(t)})"

    def key(self, arn: str | None) -> str:
        return key_name(self.world, arn, self.names)


_EVENT_REF = re.compile(r"event #(\d+)(?! \()")


def _readable(ctx: _Ctx, text: str) -> str:
    """Name keys as people do and say what each cited event was."""
    for key in ctx.world.keys.values():
        if key.arn in text:
            text = text.replace(key.arn, key_name(ctx.world, key, ctx.names))

    def event(m: re.Match) -> str:
        e = ctx.event_of(int(m.group(1)))
        return f"event #{m.group(1)} ({e.op} at {ctx.when(e.t)})" if e else m.group(0)

    return _EVENT_REF.sub(event, text)


def _cause_link(ctx: _Ctx, cause: Cause, text: str) -> Link:
    return Link(cause.t, cause.seq, cause.rule,
                f"{text} by {ctx.source(cause.seq, cause.t, cause.note)}", statement(cause.rule))


def _key_links(ctx: _Ctx, key: Key) -> list[Link]:
    name = key_name(ctx.world, key, ctx.names)
    links = []
    for i, (t, seq, state, rule) in enumerate(key.history):
        if t > ctx.world.now:
            continue
        verb = "created" if i == 0 else "became"
        note = key.since.note if key.since and (key.since.t, key.since.seq) == (t, seq) else ""
        links.append(Link(t, seq, rule, f"key {name} {verb} {state} by "
                          f"{ctx.source(seq, t, note)}", statement(rule)))
    if key.policy_since is not None and key.policy_since.seq != key.created.seq:
        links.append(_cause_link(ctx, key.policy_since, f"key {name}'s policy was set"))
    links += _rotation_links(ctx, key, name)
    if key.state == "PendingDeletion" and key.deletion_date is not None:
        links.append(Link(key.since.t if key.since else ctx.world.now,
                          key.since.seq if key.since else None, "R-KMS-10",
                          f"key {name} will be Deleted at {ctx.both(key.deletion_date)} "
                          "unless the deletion is cancelled",
                          statement("R-KMS-10")))
    return links


def _rotation_links(ctx: _Ctx, key: Key, name: str) -> list[Link]:
    """Each rotation of the key's material (R-KMS-ROT-14): when, how, to which material."""
    if not rotated(ctx.world, key):
        return []
    links = []
    for m in materials(ctx.world, key)[1:]:
        how = "automatically" if m.kind == "AUTOMATIC" else "on demand"
        note = "automatic key rotation" if m.seq is None else ""
        links.append(Link(m.since, m.seq, "R-KMS-ROT-14",
                          f"key {name}'s key material rotated {how} to "
                          f"{short_id(m.material_id)} by {ctx.source(m.seq, m.since, note)}",
                          statement("R-KMS-ROT-14")))
    return links


def _material_links(ctx: _Ctx, item: DataItem, label: str) -> list[Link]:
    """Which key material of each rotated key the item is under (R-KMS-ROT-16)."""
    links = []
    for arn, m in item_materials(ctx.world, item.keys, item.seq).items():
        made = ("its first" if m.kind is None else
                f"the one its {m.kind.lower().replace('_', '-')} rotation at {ctx.when(m.since)} "
                "made")
        links.append(Link(item.written_at, item.seq, "R-KMS-ROT-16",
                          f"{label} is under key {ctx.key(arn)}'s key material "
                          f"{short_id(m.material_id)} ({made}), kept until the key is deleted",
                          statement("R-KMS-ROT-16")))
    return links


def _grant_links(ctx: _Ctx, key: Key, principal: str) -> list[Link]:
    """The grants of ``key`` to ``principal``: who created each, and its retirement or
    revocation (R-KMS-GRANT-10, R-KMS-GRANT-25)."""
    state = ctx.world.area_states.get(GrantsState)
    links: list[Link] = []
    for grant in state.of_key(key.arn) if state else ():
        if grant.grantee != principal:
            continue
        links.append(_cause_link(ctx, grant.created, (
            f"grant {grant.grant_id} let {principal} {', '.join(grant.operations)} with key "
            f"{ctx.key(key.arn)} (created by {grant.creator})")))
        if grant.ended is not None:
            verb = "revoked" if grant.ended.rule == "R-KMS-GRANT-20" else "retired"
            links.append(_cause_link(ctx, grant.ended, f"grant {grant.grant_id} was {verb}"))
    return links


def _association_links(ctx: _Ctx, assoc: Association, until: int) -> list[Link]:
    where = short_resource(assoc.resource)
    links = []
    for t, seq, state, key, rule in assoc.history:
        if t > until:
            continue
        keyed = f" with key {ctx.key(key)}" if state == "associated" else ""
        links.append(Link(t, seq, rule, f"{where} became {state}{keyed} by "
                          f"{ctx.source(seq, t)}", statement(rule)))
    return links


def _newest_first(links: list[Link]) -> list[Link]:
    seen, out = set(), []
    for link in sorted(links, key=lambda lk: (lk.t, -1 if lk.seq is None else lk.seq),
                       reverse=True):
        if (link.t, link.seq, link.text) not in seen:
            seen.add((link.t, link.seq, link.text))
            out.append(link)
    return out


def explain_item(world: World, item: DataItem, principal: str, event_of: EventOf,
                 start: int, names: Mapping[str, Any] | None = None,
                 style: str = "offset") -> Explanation:
    """Why ``principal`` can (or cannot) read ``item`` at ``world.now`` (times in
    ``style``, as the scenario wrote them)."""
    ctx = _Ctx(world, names, event_of, start, style)
    answer = decryptability(world, item, principal)
    label = item_label(item)
    verb = {"yes": "is decryptable", "no": "is not decryptable", "maybe": "may be decryptable",
            "gone": "is gone"}.get(answer.status, answer.status)
    forever = " (permanent: no future event can make it readable)" if answer.permanent else ""
    headline = f"{label} {verb} for {principal} at {ctx.both(world.now)}: {answer.status}{forever}"
    # The answer's own reasons decide it: they come first, at the answer's moment.
    now_links = []
    decisive = answer.events[0] if answer.events else None
    for reason in answer.reasons:
        m = _RULE_AT_START.match(reason)
        rule_id = m.group(1) if m else None
        text = _readable(ctx, reason[m.end():] if m else reason)
        now_links.append(Link(world.now, decisive, rule_id, text, statement(rule_id)))
    history: list[Link] = []
    for arn in item.keys:
        key = world.key_by_arn(arn) if arn else None
        if key is not None:
            history += _key_links(ctx, key) + _grant_links(ctx, key, principal)
    keys = ", ".join(ctx.key(k) for k in item.keys) or "no key"
    either = "one of " if len(item.keys) > 1 else ""
    wrote = f"{label} was written to {short_resource(item.resource)} under {either}{keys}"
    if item.cause is not None:
        history.append(_cause_link(ctx, item.cause, wrote))
    else:  # the item's number is the event that wrote it
        history.append(Link(item.written_at, item.seq, None,
                            f"{wrote} by {ctx.source(item.seq, item.written_at)}"))
    history += _material_links(ctx, item, label)
    if item.gone is not None:
        history.append(_cause_link(ctx, item.gone, f"{label} is gone ({item.gone.note})"
                                   if item.gone.note else f"{label} is gone"))
    assoc = world.associations.get(item.resource)
    if assoc is not None:
        history += _association_links(ctx, assoc, item.written_at)
    return Explanation(label, headline, now_links + _newest_first(history))


def explain_key(world: World, key: Key, event_of: EventOf, start: int,
                names: Mapping[str, Any] | None = None, style: str = "offset") -> Explanation:
    """A key's state at ``world.now`` and its state history, newest first."""
    ctx = _Ctx(world, names, event_of, start, style)
    name = key_name(world, key, names)
    since = ""
    if key.since is not None:
        since = f" since {ctx.source(key.since.seq, key.since.t, key.since.note)}"
    headline = f"key {name} ({key.arn}) is {key.state}{since} at {ctx.both(world.now)}"
    return Explanation(name, headline, _newest_first(_key_links(ctx, key)))


def explain_association(world: World, assoc: Association, event_of: EventOf, start: int,
                        names: Mapping[str, Any] | None = None,
                        style: str = "offset") -> Explanation:
    """An association's state at ``world.now`` and its history, newest first."""
    ctx = _Ctx(world, names, event_of, start, style)
    where = short_resource(assoc.resource)
    key = association_key(assoc)
    keyed = f" with key {ctx.key(key)}" if key else ""
    window = ""
    if assoc.window is not None:
        lo, hi = assoc.window
        effect = (f"takes effect at {ctx.when(assoc.effective_at)}"
                  if assoc.effective_at is not None else "may take effect at any moment")
        window = f"; window {ctx.when(lo)}..{ctx.when(hi)}: {effect} (R-WIN-01)"
    headline = (f"{where} ({assoc.resource}) is {assoc.state}{keyed} at {ctx.both(world.now)}"
                f"{window}")
    links = _association_links(ctx, assoc, world.now)
    for arn in {k for _, _, _, k, _ in assoc.history if k}:
        k = world.key_by_arn(arn)
        if k is not None and k.state != "Enabled":
            links += [lk for lk in _key_links(ctx, k) if lk.seq == (k.since.seq if k.since
                                                                     else None)]
    return Explanation(where, headline, _newest_first(links))

"""History: the events touching a resource, and the timers that changed it (SPEC 7).

A resource is a key (alias, alias ARN, key ARN or key id), a log group (``logs:NAME``),
``logs:query-result``, ``cloudwatch:dataset``, or any ARN. An event touches it when
its request or response names it (aliases count while they point at the key), when
it wrote a data item to it or under it, or, for the dataset, when it is a CloudWatch
call of that account and region. Timer effects (a key deleted at its DeletionDate,
an association taking effect) come from the final world's histories.

Events read from a log file are not all decoded: :func:`candidates` finds, with a scan of
the frames' bytes (:mod:`events.opscan`), the events that can touch the target (their
bytes hold one of its names, an alias that ever pointed at it, an operation that moves
aliases; or they wrote one of its items), and only those are decoded and decided on, as
every event is for events in memory. A log group among a hundred costs a scan of the file
and a hundredth of its events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from events.logindex import FileEvents
from events.opscan import containing, decoded, op_needle
from events.record import Event
from events.schemas import SCHEMA_VERSIONS
from events.timefmt import format_time
from projections.arns import (
    DATASET_ARN,
    LOG_GROUP_ARN,
    QUERY_RESULT_ARN,
    alias_arn,
    resource_from_name,
)
from projections.model import Key
from projections.timetravel.answers import read_items
from projections.world import World

#: Operations that make keys and move aliases: a key's history follows its aliases in them.
ALIAS_OPS = ("kms:CreateKey", "kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias")


@dataclass(frozen=True)
class Entry:
    """One line of a history: an event, or a timer's effect (``seq`` None)."""

    t: int
    seq: int | None
    op: str
    actor: str
    outcome: str
    note: str = ""

    def to_json(self) -> dict:
        """Machine-readable form."""
        return {"seq": self.seq, "time": format_time(self.t), "op": self.op,
                "actor": self.actor, "outcome": self.outcome, "note": self.note}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def _outcome(event: Event) -> str:
    return "ok" if event.ok else f"{event.err} ({event.rule})"


class Target:
    """What a ``--resource`` names, and how to tell an event touches it."""

    def __init__(self, ref: str, world: World, account: str, region: str,
                 events: Iterable[Event] = ()) -> None:
        self.ref = ref
        self.key = find_key_ever(events, world, ref, account, region)
        self.key_id: str | None = self.key.key_id if self.key else None
        self.arn = self.key.arn if self.key else None
        self.group: str | None = None
        self.service: tuple[str, str, str] | None = None
        if self.key is None and not ref.startswith("alias/"):
            self.arn = resource_from_name(ref, region, account)  # ValueError: unknown
            if m := LOG_GROUP_ARN.fullmatch(self.arn):
                self.group = m.group(3)
                self.service = ("logs", m.group(1), m.group(2))
                self.arn = self.arn.removesuffix(":*")
            elif m := QUERY_RESULT_ARN.fullmatch(self.arn):
                self.service = ("logs", m.group(1), m.group(2))
            elif m := DATASET_ARN.fullmatch(self.arn):
                self.service = ("cloudwatch", m.group(1), m.group(2))
        self.alias = ref if self.key is None and ref.startswith("alias/") else None
        self._aliases: dict[tuple[str, str, str], str] = {}   # alias -> key id, as of now

    def _names(self, event: Event) -> set[str]:
        """Strings naming the target in this event's account and region (aliases change)."""
        names = {s for s in (self.arn, self.key_id, self.alias) if s}
        if self.arn:
            names.add(self.arn + ":*")
        if self.key_id:
            for (acct, reg, alias), kid in self._aliases.items():
                if kid == self.key_id and (acct, reg) == (event.account, event.region):
                    names |= {alias, alias_arn(reg, acct, alias)}
        return names

    def _track_aliases(self, event: Event, ids: dict[str, str]) -> None:
        """Follow alias changes so an alias counts only while it points at the key."""
        if not event.ok:
            return
        req = event.req
        if event.op == "kms:CreateKey":
            meta = event.res.get("KeyMetadata", {})
            if "KeyId" in meta:
                ids[meta["KeyId"]] = meta["KeyId"]
                ids[meta.get("Arn", "")] = meta["KeyId"]
        elif event.op in ("kms:CreateAlias", "kms:UpdateAlias"):
            target = str(req.get("TargetKeyId", ""))
            kid = ids.get(target) or self._aliases.get((event.account, event.region, target))
            if kid:
                self._aliases[(event.account, event.region, req.get("AliasName", ""))] = kid
        elif event.op == "kms:DeleteAlias":
            self._aliases.pop((event.account, event.region, req.get("AliasName", "")), None)

    def touches(self, event: Event, world: World) -> bool:
        """Whether ``event`` touches the target (call once per event, in order)."""
        if event.op == "sim:SaveVariables":
            return False  # it names saved values (R-SIM-06), it calls nothing on them
        names = self._names(event)
        hit = any(s in names for s in _strings(event.req)) or \
            any(s in names for s in _strings(event.res)) or event.actor in names
        if not hit and self.service is not None and (event.service, event.region,
                                                     event.account) == self.service:
            if self.group is not None:
                req = event.req
                groups = [req.get("logGroupName"), req.get("logGroupIdentifier"),
                          *req.get("logGroupNames", []), *req.get("logGroupIdentifiers", [])]
                hit = self.group in groups
            elif self.service[0] == "cloudwatch":
                hit = True  # one implicit dataset per account and region
        if not hit:
            item = world.items.get(event.seq) if event.ok else None
            hit = item is not None and (item.resource == self.arn or (
                self.arn is not None and self.arn in item.keys))
        return hit


def find_key_ever(events: Iterable[Event], world: World, ref: str, account: str,
                  region: str) -> Key | None:
    """The key ``ref`` names now, or, for an alias that is gone (a Deleted key loses its
    aliases), the key it last pointed at in ``events``."""
    key = world.find_key(ref, account, region) or world.key_by_arn(ref)
    if key is not None or "alias/" not in ref:
        return key
    name = ref[ref.index("alias/"):]
    found = None
    if isinstance(events, FileEvents):  # only the events naming the alias are read
        events = decoded(events, containing(events, [name.encode()]))
    for event in events:
        if event.ok and event.op in ("kms:CreateAlias", "kms:UpdateAlias") and \
                event.req.get("AliasName") == name and event.account == account:
            target = str(event.req.get("TargetKeyId", ""))
            found = world.find_key(target, event.account, event.region) or \
                world.key_by_arn(target) or found
    return found


def history(events: Iterable[Event], world: World, resource: str | None, account: str,
            region: str) -> list[Entry]:
    """Events (and timer effects) touching ``resource`` in time order; every event when
    ``resource`` is None. ``world`` is the timeline's final world, or a world after it
    (then timers that fired after the last event are included). ValueError: a name
    that is neither a key nor a resource."""
    events = list(events) if not isinstance(events, Sequence) else events
    target = Target(resource, world, account, region, events) if resource else None
    return entries(events, world, target)


def scan_passes(target: Target | None) -> int:
    """How many times :func:`entries` reads a log file's bytes for ``target`` (progress)."""
    return 0 if target is None else 2 if target.key_id else 1


def candidates(events: FileEvents, world: World, target: Target,
               on_bytes: Callable[[int], None] | None = None) -> list[int]:
    """The indices of the events of a log file that may touch ``target``: those whose
    bytes hold one of its names (or, for a key, an alias that ever pointed at it, or an
    operation that moves aliases, all read first), one of a cloudwatch call (the dataset),
    an operation an upcaster may change, and those that wrote an item of ``world`` that
    is the target's or under it. The others cannot touch it (:meth:`Target.touches`
    matches whole strings of the event, which its bytes hold)."""
    needles = {op_needle(op) for op in SCHEMA_VERSIONS}  # an upcast event may name more
    names = {target.arn, target.key_id, target.alias, target.group}
    if target.key_id:
        moves = [op_needle(op) for op in ALIAS_OPS]
        needles.update(moves)
        for event in decoded(events, containing(events, moves, on_bytes=on_bytes)):
            if event.op != "kms:CreateKey":  # any alias name: a superset of the key's
                names.add(str(event.req.get("AliasName", "")))
    if target.service is not None and target.service[0] == "cloudwatch":
        needles.add(b"cloudwatch:")  # every call of the account and region
    needles.update(n.encode() for n in names if n)
    found = set(containing(events, needles, on_bytes=on_bytes))
    found.update(s - 1 for s in item_seqs(world, target.arn) if 0 < s <= len(events))
    return sorted(found)


def item_seqs(world: World, arn: str | None) -> list[int]:
    """The seqs of ``world``'s items on the resource ``arn`` or under the key ``arn``."""
    if arn is None:
        return []

    def test(item: Any) -> bool:
        return item.resource == arn or arn in item.keys

    where = getattr(world.items, "seqs_where", None)  # the live store: once per shape
    if where is not None:
        return where(test, lambda shape: shape[1] == arn or arn in shape[4])
    return [item.seq for item in read_items(world) if test(item)]


def entries(events: Sequence[Event], world: World, target: Target | None,
            on_bytes: Callable[[int], None] | None = None) -> list[Entry]:
    """:func:`history` for a target already resolved (None: every event). Of a log
    file's events only the :func:`candidates` are decoded; ``on_bytes(n)`` is told of
    each span of bytes scanned (:func:`scan_passes` times the file's)."""
    ids: dict[str, str] = {}
    out: list[Entry] = []
    read: Iterable[Event] = events
    if target is not None and isinstance(events, FileEvents):
        read = decoded(events, candidates(events, world, target, on_bytes))
    for event in read:
        if target is None or target.touches(event, world):
            out.append(Entry(event.t, event.seq, event.op, event.actor, _outcome(event)))
        if target is not None:
            target._track_aliases(event, ids)
    out += _timer_entries(world, target)
    out.sort(key=lambda e: (e.t, e.seq if e.seq is not None else 1 << 62))
    return out


def pending(world: World, target: Target | None) -> list[Entry]:
    """Timers of ``world`` not yet fired that will still change the target (all targets when
    None): a key's deletion or material expiry, an association change taking effect."""
    out = []
    for timer in world.timers:
        if timer.kind in ("key-deletion", "material-expiry"):
            key = world.keys.get(timer.target)
            due_now = None if key is None else (
                key.deletion_date if timer.kind == "key-deletion" else key.valid_to)
            if due_now != timer.token or (target is not None and target.key_id != key.key_id):
                continue  # superseded (a cancelled deletion), or another key
            what = "Deleted (R-KMS-10)" if timer.kind == "key-deletion" else \
                "PendingImport (R-KMS-14)"
            out.append(Entry(timer.due, None, "timer", "", what, f"key {timer.target}"))
        elif timer.kind == "association":
            assoc = world.associations.get(timer.target)
            if assoc is None or assoc.change_seq != timer.token or assoc.state not in (
                    "associating", "disassociating"):
                continue
            if target is not None and target.arn != assoc.resource:
                continue
            out.append(Entry(timer.due, None, "timer", "", f"{assoc.state} ends",
                             f"association {assoc.resource}"))
    return sorted(out, key=lambda e: e.t)


def _timer_entries(world: World, target: Target | None) -> list[Entry]:
    """State changes made by timers (seq None in the histories)."""
    out = []
    for key in world.keys.values():
        if target is not None and target.key_id != key.key_id:
            continue
        out += [Entry(t, None, "timer", "", f"{state} ({rule})", f"key {key.key_id}")
                for t, seq, state, rule in key.history if seq is None]
    for assoc in world.associations.values():
        if target is not None and target.arn != assoc.resource:
            continue
        out += [Entry(t, None, "timer", "", f"{state} ({rule})", f"association {assoc.resource}")
                for t, seq, state, _key, rule in assoc.history if seq is None]
    return out

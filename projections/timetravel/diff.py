"""Diff: what changed between two moments (SPEC 7).

Compares two worlds of one timeline (``world_at(T1)``, ``world_at(T2)``): key states,
associations, every item's answer for a principal, the timers that fired in between,
and the events in between. Works for any item kind (it only reads ``world.items``).

Item answers are computed per shape in each world (:class:`projections.decrypt.Answers`) and
the two worlds' items are walked side by side in write order, so a diff of a million items
costs two passes and no table of them. ``resources`` rolls the changed items up per resource
and change (from, to); ``event_counts`` counts the events in between per operation and outcome,
from :func:`briefs_between` (a log file's events are not decoded for it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TextIO

from events.logindex import FileEvents
from events.opscan import outcomes
from events.record import Event
from events.timefmt import format_offset, format_time, parse_rfc3339
from projections.arns import short_resource
from projections.decrypt import Answers
from projections.model import DataItem
from projections.names import item_label, key_name, time_name
from projections.timetravel.answers import ALL, Selection, association_key, read_items
from projections.timetravel.rollup import Ranges
from projections.world import World

#: The keys of the diff document, in order.
DIFF_KEYS = ("from", "to", "principal", "keys", "associations", "items", "timers", "events",
             "resources", "event_counts")
def _outcome(event: Event) -> str:
    return "ok" if event.ok else f"{event.err} ({event.rule})"


def item_statuses(world: World, principal: str) -> dict[int, tuple[str, str, str]]:
    """seq -> (label, resource, status) of every item at ``world.now``."""
    answer = Answers(world, principal)
    return {item.seq: (item_label(item), item.resource, answer(item).status)
            for item in read_items(world)}


@dataclass(frozen=True)
class ItemChange:
    """One item whose answer differs: ``was``/``now`` None when it did not exist then."""

    item: DataItem
    was: str | None
    now: str | None

    def to_json(self) -> dict:
        """``{"label", "resource", "from", "to"}``."""
        return {"label": item_label(self.item), "resource": self.item.resource,
                "from": self.was, "to": self.now}


def item_changes(before: World, after: World, principal: str, selection: Selection = ALL
                 ) -> Iterator[ItemChange]:
    """The covered items whose answer at ``after.now`` differs from ``before.now``'s, in
    write order (both worlds' items are walked side by side by event number)."""
    old_answer, new_answer = Answers(before, principal), Answers(after, principal)
    covers = None if selection == ALL else selection.covers

    def walk(world: World) -> Iterator[DataItem]:
        last = 0
        for item in read_items(world):
            if item.seq <= last:
                raise ValueError(f"items out of order at #{item.seq}")  # iter_items' promise
            last = item.seq
            if covers is None or covers(item):
                yield item

    olds, news = walk(before), walk(after)
    old, new = next(olds, None), next(news, None)
    while old is not None or new is not None:
        if new is None or (old is not None and old.seq < new.seq):
            assert old is not None
            yield ItemChange(old, old_answer(old).status, None)  # not in the later world
            old = next(olds, None)
        elif old is None or new.seq < old.seq:
            yield ItemChange(new, None, new_answer(new).status)
            new = next(news, None)
        else:
            was, now = old_answer(old).status, new_answer(new).status
            if was != now:
                yield ItemChange(new, was, now)
            old, new = next(olds, None), next(news, None)


@dataclass
class ChangeRollup:
    """The changed items per resource and change (from, to), with the write-time ranges."""

    by_resource: dict[str, dict[tuple[str | None, str | None], Ranges]] = field(
        default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    #: (moment, rule, resource) -> items a timer made gone then (retention, expiry).
    timer_gone: dict[tuple[int, str, str], int] = field(default_factory=dict)

    def add(self, change: ItemChange) -> None:
        """Count one changed item (changes come in write order)."""
        gone = change.item.gone if change.now == "gone" else None
        if gone is not None and gone.seq is None:
            k = (gone.t, gone.rule, change.item.resource)
            self.timer_gone[k] = self.timer_gone.get(k, 0) + 1
        res = change.item.resource
        index = self.counts.get(res, 0)
        self.counts[res] = index + 1
        ranges = self.by_resource.setdefault(res, {}).setdefault(
            (change.was, change.now), Ranges())
        ranges.add(index, change.item.written_at)

    def docs(self) -> list[dict]:
        """``[{"resource", "name", "changed", "changes": [{"from", "to", "items", "written",
        "ranges_left_off"}]}]`` by resource ARN."""
        return [{"resource": res, "name": short_resource(res), "changed": self.counts[res],
                 "changes": [{"from": a, "to": b, "items": r.items, "written": r.to_json(),
                              "ranges_left_off": r.left_off} for (a, b), r in changes.items()]}
                for res, changes in sorted(self.by_resource.items())]


def timers_fired(before: World, after: World, names: Mapping[str, Any] | None = None,
                 gone: Mapping[tuple[int, str, str], int] | None = None) -> list[dict]:
    """Timers due in (before.now, after.now]: the ones pending at ``before`` (an effect or
    none, when a later event superseded them) and the effects of timers set in between
    (the state changes with no event number in the key and association histories).

    ``gone`` (:attr:`ChangeRollup.timer_gone`) gives what timers did to data: the items
    that became gone at a moment with no event (a retention sweep, the 7 days of query
    results), named as that moment's effect on each resource.
    """
    lo, hi = before.now, after.now
    out: dict[tuple, dict] = {}
    for tm in before.pending_timers():
        if lo < tm.due <= hi:
            out[(tm.due, tm.target)] = {"due": format_time(tm.due), "kind": tm.kind,
                                        "target": tm.target, "event": tm.seq, "effect": None}
    for (t, rule, resource), n in sorted((gone or {}).items()):
        if lo < t <= hi:
            what = f"{n} item{'s' if n != 1 else ''} of {short_resource(resource)} became " \
                f"gone ({rule})"
            pending = [e for (due, _), e in out.items() if due == t and e["kind"] not in
                       ("key", "key-deletion", "association", "material-expiry")]
            if pending and pending[0]["effect"] is None:
                pending[0]["effect"] = what
            elif pending:
                pending[0]["effect"] += "; " + what
            else:
                out[(t, resource)] = {"due": format_time(t), "kind": "data", "target": resource,
                                      "event": None, "effect": what}
    for key in after.keys.values():
        for t, seq, state, rule in key.history:
            if seq is None and lo < t <= hi:
                entry = out.setdefault((t, key.key_id), {
                    "due": format_time(t), "kind": "key", "target": key.key_id,
                    "event": None, "effect": None})
                entry["effect"] = f"key {key_name(after, key, names)} became {state} ({rule})"
    for assoc in after.associations.values():
        for t, seq, state, _key, rule in assoc.history:
            if seq is None and lo < t <= hi:
                entry = out.setdefault((t, assoc.resource), {
                    "due": format_time(t), "kind": "association", "target": assoc.resource,
                    "event": None, "effect": None})
                entry["effect"] = f"{short_resource(assoc.resource)} became {state} ({rule})"
    return [out[k] for k in sorted(out)]


def _key_changes(before: World, after: World, names: Mapping[str, Any] | None) -> list[dict]:
    keys = []
    for arn_id, key in after.keys.items():
        old = before.keys.get(arn_id)
        was = old.state if old else None
        if was != key.state:
            name = key_name(after, key, names)
            if old is not None and name == key.key_id:
                name = key_name(before, old, names)  # a Deleted key lost its aliases
            keys.append({"name": name, "arn": key.arn, "from": was, "to": key.state})
    return keys


def _association_changes(before: World, after: World) -> list[dict]:
    assocs = []
    for res, assoc in sorted(after.associations.items()):
        old = before.associations.get(res)
        was, was_key = (old.state, association_key(old)) if old else ("none", None)
        if (was, was_key) != (assoc.state, association_key(assoc)):
            assocs.append({"resource": res, "from": was, "to": assoc.state,
                           "key_from": was_key, "key_to": association_key(assoc)})
    return assocs


class Brief(NamedTuple):
    """What a diff says of an event in between: its seq, time, operation and outcome."""

    seq: int
    t: int
    op: str
    outcome: str


def brief(e: Event | Brief) -> Brief:
    """An event's :class:`Brief` (a brief as it is)."""
    return e if isinstance(e, Brief) else Brief(e.seq, e.t, e.op, _outcome(e))


def briefs_between(events: Sequence[Event], times: Sequence[int], lo: int, hi: int,
                   on_bytes: Callable[[int], None] | None = None) -> Iterator[Brief]:
    """The briefs of ``events[lo:hi]`` in order. A log file's are read from the frames'
    bytes (:func:`events.opscan.outcomes`: the operation, and the error and rule of a
    rejected call), so no accepted event is decoded; ``on_bytes(n)``: each span read."""
    if isinstance(events, FileEvents):
        for i, op, err, rule in outcomes(events, lo, hi, on_bytes):
            yield Brief(i + 1, times[i], op, "ok" if err is None else f"{err} ({rule})")
        return
    for i in range(lo, hi, 10_000):  # a chunk at a time: a long list is not built whole
        yield from map(brief, events[i:min(i + 10_000, hi)])


def event_doc(e: Event | Brief) -> dict:
    """An event between the two moments: ``{"seq", "time", "op", "outcome"}``."""
    b = brief(e)
    return {"seq": b.seq, "time": format_time(b.t), "op": b.op, "outcome": b.outcome}


def count_events(events: Iterable[Event | Brief], keep: int | None = None
                 ) -> tuple[list[dict], list[dict]]:
    """``event_counts`` (per operation and outcome, most first) of ``events``, and the first
    ``keep`` of them as :func:`event_doc` (all when None)."""
    counts: dict[tuple[str, str], int] = {}
    kept = []
    for e in map(brief, events):
        k = (e.op, e.outcome)
        counts[k] = counts.get(k, 0) + 1
        if keep is None or len(kept) < keep:
            kept.append(event_doc(e))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"op": op, "outcome": outcome, "events": n} for (op, outcome), n in ranked], kept


def diff(before: World, after: World, principal: str, events: Iterable[Event | Brief] = (),
         names: Mapping[str, Any] | None = None, selection: Selection = ALL,
         keep_items: int | None = None, keep_events: int | None = None) -> dict:
    """What changed from ``before.now`` to ``after.now`` (``events``: those in between), as
    one dict. ``keep_items`` / ``keep_events`` list at most that many changed items / events
    (None: all); ``resources`` and ``event_counts`` always count them all."""
    rollup = ChangeRollup()
    items = []
    limits = [n for n in (keep_items, selection.limit) if n is not None]
    keep = min(limits) if limits else None
    for change in item_changes(before, after, principal, selection):
        rollup.add(change)
        if keep is None or len(items) < keep:
            items.append(change.to_json())
    counts, listed = count_events(events, keep_events)
    return {"from": format_time(before.now), "to": format_time(after.now),
            "principal": principal, "keys": _key_changes(before, after, names),
            "associations": _association_changes(before, after), "items": items,
            "timers": timers_fired(before, after, names, rollup.timer_gone), "events": listed,
            "resources": rollup.docs(), "event_counts": counts}


def write_diff(out: TextIO, before: World, after: World, principal: str,
               events: Iterable[Event | Brief] = (), names: Mapping[str, Any] | None = None,
               selection: Selection = ALL) -> None:
    """The document :func:`diff` builds, written to ``out`` as JSON with the changed items
    (at most ``selection.limit``) and the events one per line as they are found."""
    def member(name: str, value: Any) -> str:
        return f'  "{name}": ' + json.dumps(value, indent=2).replace("\n", "\n  ")

    def stream(name: str, docs: Iterable[dict]) -> None:
        out.write(f'  "{name}": [')
        n = 0
        for doc in docs:
            out.write(("\n    " if n == 0 else ",\n    ") + json.dumps(doc))
            n += 1
        out.write("\n  ],\n" if n else "],\n")

    out.write("{\n" + ",\n".join([
        member("from", format_time(before.now)), member("to", format_time(after.now)),
        member("principal", principal), member("keys", _key_changes(before, after, names)),
        member("associations", _association_changes(before, after))]) + ",\n")
    rollup = ChangeRollup()

    def changes() -> Iterator[dict]:
        left = selection.limit
        for change in item_changes(before, after, principal, selection):
            rollup.add(change)
            if left is None or left > 0:
                yield change.to_json()
                left = None if left is None else left - 1

    stream("items", changes())
    out.write(member("timers", timers_fired(before, after, names, rollup.timer_gone)) + ",\n")
    counts: dict[tuple[str, str], int] = {}

    def listed() -> Iterator[dict]:
        for e in map(brief, events):
            k = (e.op, e.outcome)
            counts[k] = counts.get(k, 0) + 1
            yield event_doc(e)

    stream("events", listed())
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    out.write(member("resources", rollup.docs()) + ",\n")
    out.write(member("event_counts", [{"op": op, "outcome": outcome, "events": n}
                                      for (op, outcome), n in ranked]) + "\n}\n")


def diff_lines(doc: dict, start: int, world: World | None = None,
               names: Mapping[str, Any] | None = None, hint: str = "",
               style: str = "offset") -> list[str]:
    """The diff for people: changed items per resource, then the items the document lists,
    the timers, and the events it lists (their counts per operation when it lists fewer than
    it counts). ``hint`` says how to see what is not listed; ``style`` is how the scenario
    wrote times (``offset`` or ``clock``, :func:`projections.names.time_name`)."""
    return [*head_lines(doc, start, world, names, style), *item_lines(doc, hint),
            *tail_lines(doc, start, hint, style)]


def _when(start: int, style: str) -> Callable[[str], str]:
    def when(text: str) -> str:
        return time_name(parse_rfc3339(text), start, style)
    return when


def head_lines(doc: dict, start: int, world: World | None = None,
               names: Mapping[str, Any] | None = None, style: str = "offset") -> list[str]:
    """The moments, the key and association changes, and the changed items per resource."""
    when = _when(start, style)
    other = format_offset if style == "clock" else (lambda t, _start: format_time(t))

    def kn(arn: str | None) -> str:
        return key_name(world, arn, names) if world is not None else str(arn)

    t1, t2 = parse_rfc3339(doc["from"]), parse_rfc3339(doc["to"])
    out = [f"from {when(doc['from'])} ({other(t1, start)}) to {when(doc['to'])} "
           f"({other(t2, start)}), as {doc['principal']}"]
    out.append(f"keys ({len(doc['keys'])} changed)")
    out += [f"  {k['name']}: {k['from'] or '(none)'} -> {k['to']}" for k in doc["keys"]]
    out.append(f"associations ({len(doc['associations'])} changed)")
    for a in doc["associations"]:
        out.append(f"  {short_resource(a['resource'])}: {a['from']} ({kn(a['key_from'])}) -> "
                   f"{a['to']} ({kn(a['key_to'])})")
    resources = doc["resources"]
    out.append(f"items ({sum(r['changed'] for r in resources)} changed)")
    for r in resources:
        parts = [f"{c['from'] or '(new)'} -> {c['to'] or '(removed)'}: {c['items']}"
                 for c in r["changes"]]
        out.append(f"  {r['name']}: {'; '.join(parts)}")
    return out


def change_line(i: dict) -> str:
    """One changed item for people."""
    return (f"    {i['label']} ({short_resource(i['resource'])}): {i['from'] or '(new)'} -> "
            f"{i['to'] or '(removed)'}")


def item_lines(doc: dict, hint: str = "") -> list[str]:
    """The changed items the document lists (and how many it leaves out)."""
    total = sum(r["changed"] for r in doc["resources"])
    out = [change_line(i) for i in doc["items"]]
    if total > len(doc["items"]):
        out.append(f"    (and {total - len(doc['items'])} more{hint and '; ' + hint})")
    return out


def tail_lines(doc: dict, start: int, hint: str = "", style: str = "offset",
               counts: bool = True) -> list[str]:
    """The timers fired and the events in between (per operation when not all listed and
    ``counts``)."""
    when = _when(start, style)
    out = [f"timers fired ({len(doc['timers'])})"]
    out += [f"  {when(tm['due'])} {tm['kind']} {short_resource(tm['target'])}"
            + (f" (set by event #{tm['event']})" if tm["event"] else "")
            + f": {tm['effect'] or 'no effect (superseded)'}" for tm in doc["timers"]]
    ops = doc["event_counts"]
    total = sum(c["events"] for c in ops)
    out.append(f"events in between ({total})")
    if total > len(doc["events"]) and counts:
        out += [f"  {c['events']:>9} x {c['op']:<32} {c['outcome']}" for c in ops]
        if doc["events"]:
            out.append(f"  the first {len(doc['events'])}:")
    out += [event_line(e, start, style) for e in doc["events"]]
    if total > len(doc["events"]) and hint:
        out.append(f"  ({hint})")
    return out


def event_line(e: dict, start: int, style: str = "offset") -> str:
    """One event in between for people."""
    return f"  #{e['seq']:<5} {_when(start, style)(e['time']):>9}  {e['op']:<32} {e['outcome']}"

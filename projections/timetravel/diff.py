"""Diff: what changed between two moments (SPEC 7).

Compares two worlds of one timeline (``world_at(T1)``, ``world_at(T2)``): key states,
associations, every item's answer for a principal, the timers that fired in between,
and the events in between. Works for any item kind (it only reads ``world.items``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from events.record import Event
from events.timefmt import format_offset, format_time, parse_rfc3339
from projections.arns import short_resource
from projections.decrypt import decryptability
from projections.names import item_label, key_name
from projections.timetravel.answers import association_key
from projections.world import World


def _outcome(event: Event) -> str:
    return "ok" if event.ok else f"{event.err} ({event.rule})"


def item_statuses(world: World, principal: str) -> dict[int, tuple[str, str, str]]:
    """seq -> (label, resource, status) of every item at ``world.now``."""
    return {item.seq: (item_label(item), item.resource,
                       decryptability(world, item, principal).status)
            for item in world.iter_items()}


def timers_fired(before: World, after: World, names: Mapping[str, Any] | None = None
                 ) -> list[dict]:
    """Timers due in (before.now, after.now]: the ones pending at ``before`` (an effect or
    none, when a later event superseded them) and the effects of timers set in between
    (the state changes with no event number in the key and association histories)."""
    lo, hi = before.now, after.now
    out: dict[tuple, dict] = {}
    for tm in before.pending_timers():
        if lo < tm.due <= hi:
            out[(tm.due, tm.target)] = {"due": format_time(tm.due), "kind": tm.kind,
                                        "target": tm.target, "event": tm.seq, "effect": None}
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


def diff(before: World, after: World, principal: str, events: Iterable[Event] = (),
         names: Mapping[str, Any] | None = None) -> dict:
    """What changed from ``before.now`` to ``after.now`` (``events``: those in between)."""
    keys = []
    for arn_id, key in after.keys.items():
        old = before.keys.get(arn_id)
        was = old.state if old else None
        if was != key.state:
            name = key_name(after, key, names)
            if old is not None and name == key.key_id:
                name = key_name(before, old, names)  # a Deleted key lost its aliases
            keys.append({"name": name, "arn": key.arn, "from": was, "to": key.state})
    assocs = []
    for res, assoc in sorted(after.associations.items()):
        old = before.associations.get(res)
        was, was_key = (old.state, association_key(old)) if old else ("none", None)
        if (was, was_key) != (assoc.state, association_key(assoc)):
            assocs.append({"resource": res, "from": was, "to": assoc.state,
                           "key_from": was_key, "key_to": association_key(assoc)})
    old_items = item_statuses(before, principal)
    items = []
    for seq, (label, res, status) in item_statuses(after, principal).items():
        was = old_items.pop(seq, (None, None, None))[2]
        if was != status:
            items.append({"label": label, "resource": res, "from": was, "to": status})
    items += [{"label": label, "resource": res, "from": status, "to": None}
              for label, res, status in old_items.values()]
    timers = timers_fired(before, after, names)
    return {"from": format_time(before.now), "to": format_time(after.now),
            "principal": principal, "keys": keys, "associations": assocs, "items": items,
            "timers": timers,
            "events": [{"seq": e.seq, "time": format_time(e.t), "op": e.op,
                        "outcome": _outcome(e)} for e in events]}


def diff_lines(doc: dict, start: int, world: World | None = None,
               names: Mapping[str, Any] | None = None) -> list[str]:
    """The diff for people."""
    def when(text: str) -> str:
        return format_offset(parse_rfc3339(text), start)

    out = [f"from {when(doc['from'])} ({doc['from']}) to {when(doc['to'])} ({doc['to']}), "
           f"as {doc['principal']}"]
    out.append(f"keys ({len(doc['keys'])} changed)")
    out += [f"  {k['name']}: {k['from'] or '(none)'} -> {k['to']}" for k in doc["keys"]]
    out.append(f"associations ({len(doc['associations'])} changed)")
    for a in doc["associations"]:
        def kn(arn: str | None) -> str:
            return key_name(world, arn, names) if world is not None else str(arn)
        out.append(f"  {short_resource(a['resource'])}: {a['from']} ({kn(a['key_from'])}) -> "
                   f"{a['to']} ({kn(a['key_to'])})")
    out.append(f"items ({len(doc['items'])} changed)")
    out += [f"  {i['label']} ({short_resource(i['resource'])}): {i['from'] or '(new)'} -> "
            f"{i['to'] or '(removed)'}" for i in doc["items"]]
    out.append(f"timers fired ({len(doc['timers'])})")
    out += [f"  {when(tm['due'])} {tm['kind']} {short_resource(tm['target'])}"
            + (f" (set by event #{tm['event']})" if tm["event"] else "")
            + f": {tm['effect'] or 'no effect (superseded)'}" for tm in doc["timers"]]
    out.append(f"events in between ({len(doc['events'])})")
    out += [f"  #{e['seq']:<5} {when(e['time']):>9}  {e['op']:<32} {e['outcome']}"
            for e in doc["events"]]
    return out

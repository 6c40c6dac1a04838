"""The answer at a moment: every item's decryptability, key states, associations (SPEC 9).

:func:`answers_at` builds the ``kmsim at --json`` document; ``kmsim at``, ``kmsim debug``
and the server's ``GET /_kmsim/at`` all print it. Everything is read from a world
(``Timeline.world_at(T)``), so it works for any item kind an area registers.

Keys and items are named by :mod:`projections.names` (the same names every command uses).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from events.timefmt import format_time
from projections.decrypt import Answer, decryptability
from projections.model import Association, DataItem
from projections.names import item_label, key_name
from projections.world import World

#: The exact keys of the document and of its entries (a contract: tests assert them).
DOC_KEYS = ("time", "principal", "items", "keys", "associations")
ITEM_KEYS = ("label", "resource", "written_at", "keys", "status", "permanent", "rules", "events")
KEY_KEYS = ("name", "arn", "state")
ASSOCIATION_KEYS = ("resource", "state", "key")


def association_key(assoc: Association) -> str | None:
    """The key an association names: the key being associated while ``associating``,
    else the key in force (a ``disassociating`` one still has its old key)."""
    return assoc.pending if assoc.state == "associating" else assoc.key


def item_doc(item: DataItem, answer: Answer) -> dict:
    """The contract entry of an item (exactly :data:`ITEM_KEYS`)."""
    return {"label": item_label(item), "resource": item.resource,
            "written_at": format_time(item.written_at), **answer.to_json()}


def answers_at(world: World, principal: str, names: Mapping[str, Any] | None = None,
               with_reasons: bool = False) -> dict:
    """The ``kmsim at --json`` document for ``principal`` at ``world.now``.

    ``names`` maps display names to values (a scenario's saved variables) and is used
    only to name keys. With ``with_reasons``, each item also gets ``reasons`` (for
    people; not part of the contract document).
    """
    items = []
    for item in world.iter_items():
        answer = decryptability(world, item, principal)
        entry = item_doc(item, answer)
        if with_reasons:
            entry["reasons"] = list(answer.reasons)
        items.append(entry)
    keys = [{"name": key_name(world, k, names), "arn": k.arn, "state": k.state}
            for k in world.keys.values()]
    assocs = [{"resource": a.resource, "state": a.state, "key": association_key(a)}
              for a in sorted(world.associations.values(), key=lambda a: a.resource)]
    return {"time": format_time(world.now), "principal": principal, "items": items,
            "keys": keys, "associations": assocs}

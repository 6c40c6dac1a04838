"""The short names people see for keys and data items, in one place (issue 10).

``kmsim at``, ``kmsim debug``, ``kmsim explain``, ``kmsim diff``, ``kmsim timeline`` and
what-if reports all name things through this module, so one key has one name at one
moment whichever command shows it.

Key names: the key's first alias (alphabetically) in the world at that moment, else the
name a scenario saved it under (``save = { k1 = "KeyMetadata.Arn" }`` gives ``k1``; pass
the saved values as ``names``), else the key id. Aliases come first because they are what
AWS users see; a Deleted key has lost its aliases, so it falls back to the saved name.
Item labels: the item's ``sim:Label``, else ``#SEQ`` of the event that wrote it.
A log remembers its scenario's saved values (``sim:SaveVariables``, A-SAVED-VALUES): when
no ``names`` are passed, the ones ``world`` holds name its keys.
Times: as the scenario wrote them (``time_name``): RFC 3339 when it used clock times,
offsets from the start (``+5m``) otherwise; the log's header says which (``times``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from events.timefmt import format_offset, format_time
from projections.model import DataItem, Key
from projections.simops.fold import SavedValues
from projections.world import World

#: The ways a scenario writes times (a log header's ``times``).
TIME_STYLES = ("offset", "clock")


def key_name(world: World, key: Key | str | None, names: Mapping[str, Any] | None = None,
             none: str = "service-owned") -> str:
    """How people call a key (a Key, its ARN or id) in ``world``: first alias, else its
    saved scenario name, else its id; ``none`` for no key (the service-owned key)."""
    if key is None:
        return none
    if not names:
        names = world.peek(SavedValues).values
    if isinstance(key, str):
        found = world.key_by_arn(key) or world.keys.get(key)
        if found is None:  # not created yet at this moment: a saved name, else the id
            for name, value in (names or {}).items():
                if value == key:
                    return name
            return key.rsplit("/", 1)[-1]
        key = found
    aliases = world.aliases_of(key.world_id)  # a replica's own aliases
    if aliases:
        return aliases[0]
    for name, value in (names or {}).items():
        if value in (key.arn, key.key_id):
            return name
    return key.key_id


def item_label(item: DataItem, final: World | None = None) -> str:
    """An item's label, or ``#SEQ`` (the number of the event that wrote it). ``final``
    (a later world) supplies a label a ``sim:Label`` event after this moment gives."""
    if item.label is None and final is not None and item.seq in final.items:
        return final.items[item.seq].label or f"#{item.seq}"
    return item.label or f"#{item.seq}"


def time_name(t: int, start: int, style: str = "offset") -> str:
    """A moment as the scenario wrote its times: ``2026-01-01T00:05:00Z`` for ``clock``,
    ``+5m`` (from ``start``) for ``offset``."""
    return format_time(t) if style == "clock" else format_offset(t, start)

"""The answer at a moment: every item's decryptability, key states, associations (SPEC 9),
and the roll-up per resource (issue 11).

:func:`answers_at` builds the ``kmsim at --json`` document as a dict (``kmsim debug`` and the
server's ``GET /_kmsim/at`` print it); :func:`write_answers` writes the same document item by
item to a stream, so a log of a million items is never one string in memory. Everything is
read from a world (``Timeline.world_at(T)``), so it works for any item kind an area registers.

Answers are computed per shape (:class:`projections.decrypt.Answers`): the items of a busy log
share a few (kind, resource, keys) shapes, and each is evaluated once. The document keeps the
contract's members in the contract's order and adds ``resources``, the roll-up
(:mod:`projections.timetravel.rollup`).

Keys and items are named by :mod:`projections.names` (the same names every command uses).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from events.timefmt import format_time
from projections.decrypt import Answer, Answers
from projections.model import Association, DataItem
from projections.names import item_label, key_name
from projections.timetravel.rollup import Rollup
from projections.world import World

#: The exact keys of the document and of its entries (a contract: tests assert them). The
#: first five are SPEC 9's; ``resources`` (the roll-up) is added after them.
CONTRACT_DOC_KEYS = ("time", "principal", "items", "keys", "associations")
DOC_KEYS = (*CONTRACT_DOC_KEYS, "resources")
ITEM_KEYS = ("label", "resource", "written_at", "keys", "status", "permanent", "rules", "events")
KEY_KEYS = ("name", "arn", "state")
ASSOCIATION_KEYS = ("resource", "state", "key")
STATUSES = ("yes", "no", "maybe", "gone")


def association_key(assoc: Association) -> str | None:
    """The key an association names: the key being associated while ``associating``,
    else the key in force (a ``disassociating`` one still has its old key)."""
    return assoc.pending if assoc.state == "associating" else assoc.key


@dataclass(frozen=True)
class Selection:
    """Which items an answer covers and which it lists (``kmsim at`` filters).

    ``resources`` (resource ARNs) and ``keys`` (key ARNs: an item under any of them) choose
    the items covered, by the roll-up and the list alike; ``statuses`` and ``limit`` choose
    only which covered items are listed, so the roll-up still shows every share. None: all.
    """

    resources: frozenset[str] | None = None
    keys: frozenset[str] | None = None
    statuses: frozenset[str] | None = None
    limit: int | None = None

    def covers(self, item: DataItem) -> bool:
        """Whether the item counts (its resource and keys are selected)."""
        return (self.resources is None or item.resource in self.resources) and \
            (self.keys is None or not self.keys.isdisjoint(item.keys))

    def lists(self, answer: Answer) -> bool:
        """Whether a covered item with this answer is listed (``limit`` aside)."""
        return self.statuses is None or answer.status in self.statuses


ALL = Selection()


def read_items(world: World) -> Iterator[DataItem]:
    """The world's items in write order, to read only: a restored world's are not copied
    out of its checkpoint one by one (``peek_values``), which a million items would cost."""
    peek = getattr(world.items, "peek_values", None)
    return peek() if peek is not None else world.iter_items()


def item_resources(world: World) -> set[str]:
    """The resources the world's items are on (a restored world's rows are read by shape)."""
    parts = getattr(world.items, "peek_parts", None)
    if parts is None:
        return {item.resource for item in read_items(world)}
    columns, found, shapes = world.items.columns, set(), set()
    for part in parts():
        if part.__class__ is range:
            shapes.update(columns.shape[part.start:part.stop])
        else:
            found.add(part.resource)
    return found | {columns.shape_key(s)[1] for s in shapes}


def answered(world: World, principal: str, selection: Selection = ALL
             ) -> Iterator[tuple[DataItem, Answer]]:
    """Every covered item with its answer, in write order (one evaluation per shape)."""
    answer = Answers(world, principal)
    covers = None if selection == ALL else selection.covers
    for item in read_items(world):
        if covers is None or covers(item):
            yield item, answer(item)


def listed_items(world: World, principal: str, selection: Selection = ALL
                 ) -> Iterator[tuple[DataItem, Answer]]:
    """The items ``selection`` lists (its statuses, at most its limit), with their answers."""
    left = selection.limit
    for item, answer in answered(world, principal, selection):
        if left is not None and left <= 0:
            return
        if selection.lists(answer):
            yield item, answer
            if left is not None:
                left -= 1


def item_doc(item: DataItem, answer: Answer) -> dict:
    """The contract entry of an item (exactly :data:`ITEM_KEYS`)."""
    return {"label": item_label(item), "resource": item.resource,
            "written_at": format_time(item.written_at), **answer.to_json()}


def key_docs(world: World, names: Mapping[str, Any] | None = None) -> list[dict]:
    """The ``keys`` member: every key with the name people see and its state."""
    return [{"name": key_name(world, k, names), "arn": k.arn, "state": k.state}
            for k in world.keys.values()]


def association_docs(world: World) -> list[dict]:
    """The ``associations`` member, by resource."""
    return [{"resource": a.resource, "state": a.state, "key": association_key(a)}
            for a in sorted(world.associations.values(), key=lambda a: a.resource)]


def walk(world: World, principal: str, selection: Selection,
         listed: Callable[[DataItem, Answer], None], list_limit: int | None = None) -> Rollup:
    """One pass over the items: every covered one into the roll-up (returned), the listed
    ones (``selection``'s statuses, at most its limit and ``list_limit``) to ``listed``, in
    write order. Once nothing more is listed, the plain items of a restored world are
    counted from the store's columns, one answer per shape, with no item built for each."""
    rollup = Rollup(world, principal)
    for arn in sorted(selection.resources or ()):
        rollup.resource(arn)  # a selected resource is shown even with no data
    left = selection.limit
    if list_limit is not None:
        left = list_limit if left is None else min(left, list_limit)
    statuses = selection.statuses
    answer = Answers(world, principal)
    covers = None if selection == ALL else selection.covers
    add = rollup.add

    def one(item: DataItem) -> None:
        nonlocal left
        if covers is not None and not covers(item):
            return
        found = answer(item)
        add(item, found)
        if left != 0 and (statuses is None or found.status in statuses):
            listed(item, found)
            if left is not None:
                left -= 1

    parts = getattr(world.items, "peek_parts", None)
    if parts is None:
        for item in read_items(world):
            one(item)
        return rollup
    columns, row_class = world.items.columns, world.items.row_class
    row = columns.item

    def covered(item: DataItem) -> Answer | None:
        return answer(item) if covers is None or covers(item) else None

    for part in parts():
        if part.__class__ is not range:
            one(part)
            continue
        first = part.start
        for i in part:
            if left == 0:
                break
            one(row(i, row_class))  # still listing: item by item
            first = i + 1
        if first < part.stop:
            rollup.add_rows(columns, range(first, part.stop), row_class, covered,
                            answer.by_shape)
    return rollup


def answers_at(world: World, principal: str, names: Mapping[str, Any] | None = None,
               with_reasons: bool = False, selection: Selection = ALL) -> dict:
    """The ``kmsim at --json`` document for ``principal`` at ``world.now``, as a dict.

    ``names`` maps display names to values (a scenario's saved variables) and is used
    only to name keys. With ``with_reasons``, each item also gets ``reasons`` (for
    people; not part of the contract document). ``selection`` filters (see
    :class:`Selection`).
    """
    items: list[dict] = []
    parts: dict[int, tuple[Answer, dict]] = {}  # the answer's members, once per answer
    clock = _Clock()

    def listed(item: DataItem, answer: Answer) -> None:
        found = parts.get(id(answer))
        if found is None or found[0] is not answer:
            if len(parts) > 10_000:  # answers of gone items are one per item
                parts.clear()
            found = parts[id(answer)] = (answer, answer.to_json())
        # The answer's lists are shared by the items of one shape: read them, do not edit.
        entry = {"label": item.label or f"#{item.seq}", "resource": item.resource,
                 "written_at": clock(item.written_at), **found[1]}
        if with_reasons:
            entry["reasons"] = list(answer.reasons)
        items.append(entry)

    rollup = walk(world, principal, selection, listed)
    return {"time": format_time(world.now), "principal": principal, "items": items,
            "keys": key_docs(world, names), "associations": association_docs(world),
            "resources": rollup.docs()}


class _Clock:
    """:func:`format_time`, its calendar part once per second (items come in time order)."""

    def __init__(self) -> None:
        self._second = -1
        self._base = ""

    def __call__(self, ms: int) -> str:
        second, frac = divmod(ms, 1000)
        if second != self._second:
            self._second, self._base = second, format_time(second * 1000)[:-1]
        return f"{self._base}.{frac:03d}Z" if frac else f"{self._base}Z"


class _ItemJson:
    """Item entries as JSON text: the answer's part made once per distinct answer, the
    resource's once per resource."""

    def __init__(self) -> None:
        self._answers: dict[int, tuple[Answer, str]] = {}
        self._resources: dict[str, str] = {}
        self._clock = _Clock()

    def __call__(self, item: DataItem, answer: Answer) -> str:
        found = self._answers.get(id(answer))
        if found is None or found[0] is not answer:
            if len(self._answers) > 10_000:  # answers of gone items are one per item
                self._answers.clear()
            found = self._answers[id(answer)] = (answer, json.dumps(answer.to_json())[1:-1])
        res = self._resources.get(item.resource)
        if res is None:
            res = self._resources[item.resource] = json.dumps(item.resource)
        label = item.label
        label_json = json.dumps(label) if label else f'"#{item.seq}"'  # as item_label
        return (f'{{"label": {label_json}, "resource": {res}, "written_at": '
                f'"{self._clock(item.written_at)}", {found[1]}}}')


def _member(name: str, value: Any) -> str:
    """``"name": value`` as a member of the top-level object (indented as ``indent=2``)."""
    text = json.dumps(value, indent=2).replace("\n", "\n  ")
    return f'  "{name}": {text}'


def write_answers(out: TextIO, world: World, principal: str,
                  names: Mapping[str, Any] | None = None, selection: Selection = ALL) -> int:
    """Write the document :func:`answers_at` builds (without reasons) to ``out`` as JSON,
    one item per line as it is answered; returns the number of items listed."""
    out.write(f'{{\n  "time": {json.dumps(format_time(world.now))},\n'
              f'  "principal": {json.dumps(principal)},\n  "items": [')
    entry = _ItemJson()
    chunk: list[str] = []
    count = 0

    def flush() -> None:
        if chunk:
            out.write(("\n    " if count == len(chunk) else ",\n    ") + ",\n    ".join(chunk))
            chunk.clear()

    def listed(item: DataItem, answer: Answer) -> None:
        nonlocal count
        chunk.append(entry(item, answer))
        count += 1
        if len(chunk) >= 4096:  # written a chunk at a time: fewer, larger writes
            flush()

    rollup = walk(world, principal, selection, listed)
    flush()
    out.write("\n  ],\n" if count else "],\n")
    out.write(",\n".join([_member("keys", key_docs(world, names)),
                          _member("associations", association_docs(world)),
                          _member("resources", rollup.docs())]))
    out.write("\n}\n")
    return count

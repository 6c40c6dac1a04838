"""Roll-ups: the answer at a moment per resource first (issue 11; SPEC 1's SRE question).

For each resource that holds data (each log group, the dataset, each query-result
resource): how many of its items (data-plane writes) are yes / no / maybe / gone, grouped
by answer and possible keys with the ranges of write times each group covers, and what
becomes permanently unreadable at which DeletionDate if nothing else happens first.

The forecast adds no behaviour: it is the answer the same rules give in a copy of the
world whose pending timers have fired up to each DeletionDate (the key deletion, R-KMS-10,
and everything due before it), with no further event. An item counts as lost at the first
DeletionDate at which that answer is ``no`` and permanent while it is not permanent now;
an item that expires (retention, the 7 days of query results) by then is left out.

A :class:`Rollup` is fed every covered item with its answer, in write order, in the same
pass that lists or streams the items (:mod:`projections.timetravel.answers`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from events.timefmt import format_time
from projections.arns import DATASET_ARN, LOG_GROUP_ARN, QUERY_RESULT_ARN, short_resource
from projections.decrypt import Answer, Answers
from projections.model import DataItem
from projections.store.itemcolumns import ItemColumns
from projections.world import World

STATUSES = ("yes", "no", "maybe", "gone")
#: The exact keys of a ``resources`` entry, of one of its groups, and of a ``lost_at`` entry.
RESOURCE_KEYS = ("resource", "name", "kind", "items", "status", "share", "written", "groups",
                 "lost_at")
GROUP_KEYS = ("status", "keys", "permanent", "rules", "items", "share", "written",
              "ranges_left_off")
LOST_KEYS = ("time", "keys", "items", "written", "ranges_left_off", "rules")
#: Ranges of write times kept per group; past it they are counted, not listed.
RANGES_MAX = 20
#: What a resource is, from the kind of data it holds (an association's kind wins).
RESOURCE_KIND = {"log-events": "log-group", "metric-data": "dataset",
                 "query-result": "query-result"}


def kind_of_arn(arn: str) -> str:
    """``log-group``, ``query-result``, ``dataset`` or ``resource``, from an ARN's form."""
    if LOG_GROUP_ARN.fullmatch(arn):
        return "log-group"
    if QUERY_RESULT_ARN.fullmatch(arn):
        return "query-result"
    if DATASET_ARN.fullmatch(arn):
        return "dataset"
    return "resource"


@dataclass
class Ranges:
    """Runs of consecutive items of one resource (in write order) with one property."""

    runs: list[list[int]] = field(default_factory=list)  # [first t, last t, items]
    left_off: int = 0
    last: int = -2  # the resource's index of the last item added
    items: int = 0

    def add(self, index: int, t: int) -> None:
        """Add the resource's ``index``-th item, written at ``t``."""
        self.items += 1
        if index == self.last + 1:
            if not self.left_off:  # else it continues a run already left off
                run = self.runs[-1]
                run[1] = t
                run[2] += 1
        elif len(self.runs) < RANGES_MAX:
            self.runs.append([t, t, 1])
        else:
            self.left_off += 1
        self.last = index

    def to_json(self) -> list[dict]:
        """The runs as ``{"from", "to", "items"}``."""
        return [{"from": format_time(a), "to": format_time(b), "items": n}
                for a, b, n in self.runs]


@dataclass
class _Group:
    status: str
    keys: tuple[str | None, ...]
    permanent: bool
    rules: tuple[str, ...]
    ranges: Ranges = field(default_factory=Ranges)


@dataclass
class _Lost:
    time: int
    keys: tuple[str, ...]
    rules: tuple[str, ...]
    ranges: Ranges = field(default_factory=Ranges)


@dataclass
class _Resource:
    arn: str
    kind: str
    count: int = 0
    first: int | None = None
    last: int | None = None
    groups: dict[tuple, _Group] = field(default_factory=dict)
    lost: dict[int, _Lost] = field(default_factory=dict)
    #: The last answer added and its group: neighbours nearly always share their answer
    #: object (one per shape), so most items need no group look-up.
    last_answer: Answer | None = None
    last_group: _Group | None = None

    def status(self) -> dict[str, int]:
        """Items per status (every status, zero included)."""
        out = dict.fromkeys(STATUSES, 0)
        for g in self.groups.values():
            out[g.status] += g.ranges.items
        return out


class _Future:
    """The world at one DeletionDate with no further event (made on first use)."""

    def __init__(self, world: World, t: int, principal: str) -> None:
        self.t = t
        self._world = world
        self._principal = principal
        self._answers: Answers | None = None

    def answer(self, item: DataItem) -> Answer:
        if self._answers is None:
            # Items are not copied: the evaluators read the item given, and an item that
            # would be gone by then (its expiry) is left out by the caller.
            future = self._world.clone(items=False)
            future.advance_to(self.t)
            self._answers = Answers(future, self._principal)
        return self._answers(item)


class Rollup:
    """Per-resource counts, groups and forecast of the items added (see the module doc)."""

    def __init__(self, world: World, principal: str) -> None:
        self.world = world
        self._resources: dict[str, _Resource] = {}
        pending: dict[int, list[str]] = {}
        for key in world.keys.values():
            if key.state == "PendingDeletion" and key.deletion_date is not None:
                pending.setdefault(key.deletion_date, []).append(key.arn)
        #: (DeletionDate, the keys deleted then, every key deleted by then, the future world)
        self._dates: list[tuple[int, tuple[str, ...], frozenset[str], _Future]] = []
        by_then: set[str] = set()
        for t in sorted(pending):
            by_then |= set(pending[t])
            self._dates.append((t, tuple(sorted(pending[t])), frozenset(by_then),
                                _Future(world, t, principal)))
        self._pending = frozenset(by_then)
        self._row_states: dict[int, tuple | object | None] = {}  # see add_rows

    def resource(self, arn: str, kind: str | None = None) -> _Resource:
        """The entry of a resource, made on first use: its kind is its association's, else
        ``kind`` (from the data it holds), else what its ARN is."""
        found = self._resources.get(arn)
        if found is None:
            assoc = self.world.associations.get(arn)
            found = self._resources[arn] = _Resource(
                arn, assoc.kind if assoc else kind or kind_of_arn(arn))
        return found

    def add(self, item: DataItem, answer: Answer) -> None:
        """Count one covered item with its answer (items come in write order)."""
        res = self._resources.get(item.resource)
        if res is None:
            res = self.resource(item.resource, RESOURCE_KIND.get(item.kind, item.kind))
        index = res.count
        res.count = index + 1
        t = item.written_at
        if index == 0:
            res.first = res.last = t
        elif t > res.last:  # type: ignore[operator]
            res.last = t
        elif t < res.first:  # type: ignore[operator]
            res.first = t
        if res.last_answer is answer:
            group = res.last_group
            assert group is not None
        else:
            gkey = (answer.status, answer.keys, answer.permanent, answer.rules)
            group = res.groups.get(gkey)
            if group is None:
                group = res.groups[gkey] = _Group(*gkey)
            res.last_answer, res.last_group = answer, group
        group.ranges.add(index, t)
        if self._pending and answer.status != "gone" and not answer.permanent \
                and not self._pending.isdisjoint(item.keys):
            self._forecast(res, index, item)

    def add_rows(self, columns: ItemColumns, rows: range, row_class: type,
                 answer_of: Callable[[DataItem], Answer | None],
                 shared: Callable[[DataItem], bool]) -> None:
        """Count rows ``rows`` of ``columns`` (plain items, in write order) as :meth:`add`
        would. ``answer_of`` answers a row's item (None: not covered); where ``shared`` says
        every item of a row's shape has one answer, it is asked once per shape and the rows
        are counted from their shape and write time alone. Every call on one Rollup must
        read the same columns (shape ids are remembered)."""
        shape_of, written, states = columns.shape, columns.written, self._row_states
        item_of = columns.item
        for i in rows:  # the hot loop of a big log: what add does, inline
            s = shape_of[i]
            state = states.get(s, _UNSEEN)
            if state is _UNSEEN:
                state = states[s] = self._row_state(item_of(i, row_class), answer_of, shared)
            if state is None:
                continue
            if state is _EACH:
                item = item_of(i, row_class)
                found = answer_of(item)
                if found is not None:
                    self.add(item, found)
                continue
            res, answer, group = state
            index = res.count
            res.count = index + 1
            t = written[i]
            if index == 0:
                res.first = res.last = t
            elif t > res.last:
                res.last = t
            elif t < res.first:
                res.first = t
            if res.last_group is not group:
                res.last_answer, res.last_group = answer, group
            group.ranges.add(index, t)

    def _row_state(self, item: DataItem, answer_of: Callable[[DataItem], Answer | None],
                   shared: Callable[[DataItem], bool]) -> tuple | object | None:
        """What every row of ``item``'s shape adds to: its resource, answer and group; or
        ``_EACH`` when each row is answered and added as an item (its answer is its own, or
        its forecast depends on its expiry); None: not covered."""
        if not shared(item):
            return _EACH
        answer = answer_of(item)
        if answer is None:
            return None
        if self._pending and answer.status != "gone" and not answer.permanent \
                and not self._pending.isdisjoint(item.keys):
            return _EACH
        res = self._resources.get(item.resource)
        if res is None:
            res = self.resource(item.resource, RESOURCE_KIND.get(item.kind, item.kind))
        gkey = (answer.status, answer.keys, answer.permanent, answer.rules)
        group = res.groups.get(gkey)
        if group is None:
            group = res.groups[gkey] = _Group(*gkey)
        return res, answer, group

    def count(self, statuses: frozenset[str] | None = None) -> int:
        """Items added (with one of ``statuses``, when given)."""
        return sum(g.ranges.items for r in self._resources.values()
                   for g in r.groups.values() if statuses is None or g.status in statuses)

    def _forecast(self, res: _Resource, index: int, item: DataItem) -> None:
        for t, keys, by_then, future in self._dates:
            if item.expires_at is not None and item.expires_at <= t:
                return  # gone by then (retention, query-result expiry): not lost to a key
            if by_then.isdisjoint(item.keys):
                continue
            later = future.answer(item)
            if later.status == "no" and later.permanent:
                lost = res.lost.get(t)
                if lost is None:
                    lost = res.lost[t] = _Lost(t, keys, later.rules)
                lost.ranges.add(index, item.written_at)
                return

    def docs(self) -> list[dict]:
        """The ``resources`` member of the ``kmsim at`` document, by resource ARN."""
        return [_resource_doc(r) for _, r in sorted(self._resources.items())]


def _share(n: int, total: int) -> float:
    return round(n / total, 4) if total else 0.0


def _resource_doc(r: _Resource) -> dict:
    total = r.count
    status = r.status()
    groups = [{"status": g.status, "keys": list(g.keys), "permanent": g.permanent,
               "rules": list(g.rules), "items": g.ranges.items,
               "share": _share(g.ranges.items, total), "written": g.ranges.to_json(),
               "ranges_left_off": g.ranges.left_off} for g in r.groups.values()]
    lost = [{"time": format_time(x.time), "keys": list(x.keys), "items": x.ranges.items,
             "written": x.ranges.to_json(), "ranges_left_off": x.ranges.left_off,
             "rules": list(x.rules)} for _, x in sorted(r.lost.items())]
    written = None if r.first is None else {"from": format_time(r.first),
                                            "to": format_time(r.last)}  # type: ignore[arg-type]
    return {"resource": r.arn, "name": short_resource(r.arn), "kind": r.kind, "items": total,
            "status": status, "share": {s: _share(n, total) for s, n in status.items()},
            "written": written, "groups": groups, "lost_at": lost}


_UNSEEN = object()
_EACH = object()  # a shape whose rows are answered one by one

#: The columns of :func:`rollup_rows`' three tables.
RESOURCE_COLUMNS = ("resource", "items", "yes", "no", "maybe", "gone", "written")
GROUP_COLUMNS = ("resource", "answer", "items", "share", "under", "written", "rules")
LOST_COLUMNS = ("resource", "lost forever at", "when deleted", "items", "written")


def rollup_rows(resources: list[dict], when: Callable[[str], str],
                key_names: Mapping[str | None, str]
                ) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """The roll-up as three tables for people (their columns: ``RESOURCE_COLUMNS``,
    ``GROUP_COLUMNS``, ``LOST_COLUMNS``): one row per resource, one per group of items with
    one answer and keys, one per DeletionDate at which items are lost for good.

    ``when(rfc3339)`` formats a time as the user reads it; ``key_names`` maps key ARNs to
    the names people see.
    """
    def keys_text(keys: list) -> str:
        return " or ".join(key_names.get(k, str(k)) if k else "service-owned" for k in keys)

    def span(runs: list[dict], left_off: int = 0) -> str:
        parts = [when(r["from"]) if r["from"] == r["to"] else
                 f"{when(r['from'])} .. {when(r['to'])}" for r in runs[:3]]
        more = len(runs) - 3 + left_off
        return ", ".join(parts) + (f" (and {more} more ranges)" if more > 0 else "")

    per_resource, groups, lost = [], [], []
    for r in resources:
        per_resource.append((r["name"], r["items"], *(f"{r['share'][s]:.0%}" for s in STATUSES),
                             "-" if r["written"] is None else span([r["written"]])))
        for g in r["groups"]:
            answer = g["status"] + (" (permanent)" if g["permanent"] else "")
            groups.append((r["name"], answer, g["items"], f"{g['share']:.0%}",
                           keys_text(g["keys"]), span(g["written"], g["ranges_left_off"]),
                           ", ".join(g["rules"])))
        for x in r["lost_at"]:
            lost.append((r["name"], when(x["time"]), " and ".join(
                key_names.get(k, k) for k in x["keys"]), x["items"],
                span(x["written"], x["ranges_left_off"])))
    return per_resource, groups, lost

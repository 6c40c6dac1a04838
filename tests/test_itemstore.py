"""The live item store (rows and objects) and the checkpoints' view of it.

Every checkpoint must keep seeing its items exactly as they were, whatever the live
world does afterwards: write to a row item (which moves it to the objects), replace or
delete an item, add more. A model (plain dicts copied at each checkpoint) says what each
view must show.
"""

from __future__ import annotations

import dataclasses

import pytest
from dataset_support import associate, make_key
from dataset_support import new_sim as dataset_sim
from dataset_support import put as put_metric
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from projections.model import Cause, DataItem
from projections.store import ItemDict
from projections.store.itemsat import ItemsAt
from projections.store.itemstore import ItemStore

FIELDS = tuple(f.name for f in dataclasses.fields(DataItem))
GROUPS = ("arn:aws:logs:us-east-1:111122223333:log-group:a",
          "arn:aws:logs:us-east-1:111122223333:log-group:b")
KEYSETS = (("arn:aws:kms:us-east-1:111122223333:key/k1",), (None,),
           ("arn:aws:kms:us-east-1:111122223333:key/k1", None))


def fields_of(item: DataItem) -> tuple:
    return tuple(getattr(item, name) for name in FIELDS)


def plain(seq: int, group: int, keys: int, expires: int | None = None) -> DataItem:
    return DataItem(seq, "log-events", GROUPS[group], "111122223333", "us-east-1", seq * 10,
                    KEYSETS[keys], None, None, expires)


def add_plain(store: ItemStore, item: DataItem) -> bool:
    """Store ``item`` through ``add`` as the folds do; False if it became an object."""
    return store.live.add(item.seq, item.kind, item.resource, item.account, item.region,
                          item.written_at, item.keys, None, item.expires_at) is None


def test_plain_items_are_rows_and_read_back_equal() -> None:
    store = ItemStore()
    items = [plain(seq, seq % 2, seq % 3, None if seq % 4 else seq + 5) for seq in range(1, 50)]
    assert all(add_plain(store, item) for item in items)
    assert store.live.objs == {}  # no object per plain item
    assert [fields_of(i) for i in store.live.values()] == [fields_of(i) for i in items]
    assert list(store.live) == list(range(1, 50))
    assert fields_of(store.live[7]) == fields_of(items[6])
    assert 50 not in store.live and store.live.get(50) is None
    assert len(store.live) == 49
    # rows with the same group and keys share one shape
    assert len(store.live.cols._shapes) == 6


def test_a_write_to_a_row_item_lands_and_checkpoints_keep_the_old_version() -> None:
    store = ItemStore()
    for seq in range(1, 6):
        add_plain(store, plain(seq, 0, 0))
    cp = store.freeze(5)
    gone = Cause(99, 9, "R-LOGS-29", "deleted")
    store.live[3].gone = gone
    assert store.live[3].gone is gone           # the write was not lost on a copy
    assert 3 in store.live.objs and store.live.cols.row(3) == -1
    assert list(store.live) == [1, 2, 3, 4, 5]  # still in seq order
    at = ItemsAt(store, cp, 5)
    assert at[3].gone is None                    # the checkpoint sees it as it was
    assert [i.seq for i in at.values()] == [1, 2, 3, 4, 5]


def test_a_row_cannot_be_added_behind_a_checkpoint_or_out_of_order() -> None:
    store = ItemStore()
    assert add_plain(store, plain(5, 0, 0))
    assert not add_plain(store, plain(4, 0, 0))  # out of order: an object instead
    store.freeze(7)
    assert not add_plain(store, plain(6, 0, 0))  # behind the checkpoint: an object
    assert add_plain(store, plain(8, 0, 0))
    assert sorted(store.live.objs) == [4, 6]
    assert [fields_of(i) for i in store.live.values()] == [
        fields_of(plain(s, 0, 0)) for s in (4, 5, 6, 8)]


@pytest.mark.parametrize("make", ["dict", "live", "checkpoint"])
def test_every_items_mapping_adds_an_item_as_folds_give_it(make: str) -> None:
    """Folds call ``items.add`` whatever store the world holds (no type test)."""
    store = ItemStore()
    items = {"dict": ItemDict, "live": lambda: store.live,
             "checkpoint": lambda: ItemsAt(store, store.freeze(0), 0)}[make]()
    cause = Cause(10, 2, "R-LOGS-08")
    first = items.add(1, "log-events", GROUPS[0], "111122223333", "us-east-1", 10,
                      KEYSETS[0], None, 99)
    made = items.add(2, "query-result", GROUPS[1], "111122223333", "us-east-1", 20,
                     KEYSETS[1], cause, None, {"queryId": "q"})
    assert made is items[2] and made.extra == {"queryId": "q"} and made.cause is cause
    assert (first is None) == (make == "live")  # only the live store keeps rows
    assert fields_of(items[1]) == fields_of(plain(1, 0, 0, 99))
    assert list(items) == [1, 2]


def test_pickled_live_items_are_a_plain_dict_of_plain_items() -> None:
    import pickle

    store = ItemStore()
    for seq in range(1, 4):
        add_plain(store, plain(seq, 1, 1))
    copy = pickle.loads(pickle.dumps(store.live))
    assert type(copy) is ItemDict and all(type(i) is DataItem for i in copy.values())
    assert [fields_of(i) for i in copy.values()] == [fields_of(i) for i in store.live.values()]


class ItemStoreMachine(RuleBasedStateMachine):
    """Random adds, writes, replacements, deletions and checkpoints against a model."""

    @initialize()
    def start(self) -> None:
        self.store = ItemStore()
        self.n = 0                                   # events folded so far
        self.model: dict[int, tuple] = {}            # seq -> fields, live
        self.checkpoints: list[tuple[int, int, dict[int, tuple]]] = []

    @rule(group=st.integers(0, 1), keys=st.integers(0, 2), gap=st.integers(1, 3),
          expires=st.none() | st.integers(0, 10**6))
    def add_plain_item(self, group: int, keys: int, gap: int, expires: int | None) -> None:
        self.n += gap
        item = plain(self.n, group, keys, expires)
        add_plain(self.store, item)
        self.model[item.seq] = fields_of(item)

    @rule(label=st.text(min_size=1, max_size=3))
    def add_object(self, label: str) -> None:
        self.n += 1
        item = dataclasses.replace(plain(self.n, 0, 0), label=label, extra={"t0": 1})
        self.store.live[self.n] = item
        self.model[self.n] = fields_of(item)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), name=st.sampled_from(["gone", "label", "expires_at"]))
    def write(self, data: st.DataObject, name: str) -> None:
        seq = data.draw(st.sampled_from(sorted(self.model)))
        value = {"gone": Cause(self.n, None, "R-LOGS-30"), "label": f"L{self.n}",
                 "expires_at": self.n * 7}[name]
        setattr(self.store.live[seq], name, value)
        fields = list(self.model[seq])
        fields[FIELDS.index(name)] = value
        self.model[seq] = tuple(fields)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def replace(self, data: st.DataObject) -> None:
        seq = data.draw(st.sampled_from(sorted(self.model)))
        item = plain(seq, 1, 2, 123)
        self.store.live[seq] = item
        self.model[seq] = fields_of(item)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        seq = data.draw(st.sampled_from(sorted(self.model)))
        del self.store.live[seq]
        del self.model[seq]

    @rule()
    def checkpoint(self) -> None:
        cp = self.store.freeze(self.n)
        self.checkpoints.append((cp, self.n, dict(self.model)))

    @precondition(lambda self: self.checkpoints)
    @rule(data=st.data())
    def fold_into_a_restored_world(self, data: st.DataObject) -> None:
        """Changing a restored world's items never shows in the store."""
        cp, floor, seen = data.draw(st.sampled_from(self.checkpoints))
        at = ItemsAt(self.store, cp, floor)
        for seq in list(at)[:3]:
            at[seq].label = "private"
        if seen:
            del at[max(seen)]

    @invariant()
    def live_matches_the_model(self) -> None:
        live = self.store.live
        assert list(live) == sorted(self.model)
        assert len(live) == len(self.model)
        assert {seq: fields_of(i) for seq, i in live.items()} == self.model

    @invariant()
    def every_checkpoint_sees_what_it_saw(self) -> None:
        for cp, floor, seen in self.checkpoints:
            at = ItemsAt(self.store, cp, floor)
            assert list(at) == sorted(seen)
            assert {seq: fields_of(at[seq]) for seq in at} == seen


TestItemStore = ItemStoreMachine.TestCase
TestItemStore.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)


def test_select_reads_back_only_matching_items_in_seq_order() -> None:
    store = ItemStore()
    for seq in range(1, 30):
        add_plain(store, plain(seq, seq % 2, 0))
    store.live[31] = dataclasses.replace(plain(31, 0, 1), label="object")
    store.live[5].label = "promoted"  # a row moved to the objects
    found = store.live.select("log-events", {GROUPS[0]})
    assert [i.seq for i in found] == [s for s in range(1, 30) if s % 2 == 0] + [31]
    found = store.live.select("log-events", {GROUPS[1]})
    assert [i.seq for i in found] == [s for s in range(1, 30) if s % 2]
    assert next(i for i in found if i.seq == 5).label == "promoted"
    assert store.live.select("query-result", set(GROUPS)) == []


def test_plain_writes_of_every_area_are_rows_not_objects() -> None:
    """PutLogEvents and PutMetricData batches both go through ``items.add``: a plain write
    is a row of the live store's columns (32 bytes), only a labelled one an object."""
    sim = dataset_sim()
    assert associate(sim, make_key(sim), at="+1m").ok
    for i in range(5):
        assert put_metric(sim, f"+{2 + i}m", None, float(i)).ok
    assert put_metric(sim, "+9m", "labelled").ok
    live = sim.timeline.live.items
    metric = [i for i in live.values() if i.kind == "metric-data"]
    assert len(metric) == 6 and len(live.cols) == 5
    assert [i.seq for i in metric if i.seq in live.objs] == [sim.world.item("labelled").seq]
    assert sim.world_at("+5m").item(metric[2].seq).keys == metric[2].keys

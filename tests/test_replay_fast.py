"""Replay's hot path (SPEC 11): plain data-plane writes folded without a call into their
fold, checkpoints that pickle again only what changed, and restored worlds that unpickle
only what an answer reads. Each gives the worlds the general path gives."""

from __future__ import annotations

import copy
import pickle

import pytest
from logs_support import make_key, new_sim
from support import START_MS
from test_checkpoints import view

import projections.logs.fold as logs_fold
import projections.store.checkpoints as checkpoint_module
from projections.decrypt import decryptability
from projections.store.checkpoints import fold_traced, materialize
from projections.timetravel.timeline import Timeline
from projections.world import World, plain_folds


def varied_sim():
    """Every case the plain fold must hand back to the general one: windows (uncertain
    propagation), an implicit stream, rejected events, retention, a deleted group; and
    plain batches of one, two and three events, with and without timestamps."""
    sim = new_sim("uncertain", implicit_stream="create")
    key = make_key(sim)
    other = make_key(sim)
    for group in ("a", "b", "c"):
        sim.call("logs:CreateLogGroup", {"logGroupName": group, "kmsKeyId": key}, at="+1m")
        sim.call("logs:CreateLogStream", {"logGroupName": group, "logStreamName": "s"})
    for i in range(60):
        t = START_MS + (2 + i) * 60_000
        n = 1 + i % 3
        events = [{"message": f"m{i}.{k}", **({"timestamp": t - (n - k) * 1000}
                                              if i % 2 else {})} for k in range(n)]
        if i == 7:
            events = [{"message": "old", "timestamp": t - 15 * 86_400_000}, *events]
        group = "abc"[i % 3]
        stream = "new" if i == 11 else "s"
        # (b's writes fail while its new key is disabled: a failed event folds too)
        sim.call("logs:PutLogEvents", {"logGroupName": group, "logStreamName": stream,
                                       "logEvents": events}, at=t)
        if i == 20:
            sim.call("logs:AssociateKmsKey", {"logGroupName": "b", "kmsKeyId": other}, at=t)
        if i == 30:
            sim.call("logs:PutRetentionPolicy", {"logGroupName": "c", "retentionInDays": 1},
                     at=t)
        if i % 13 == 5:
            sim.call("kms:DisableKey" if i % 2 else "kms:EnableKey", {"KeyId": other}, at=t)
        if i == 50:
            sim.call("logs:DeleteLogGroup", {"logGroupName": "a"}, at=t)
    return sim


def general(sim, n: int) -> World:
    """The world after ``n`` events folded one by one by the general fold."""
    world = World(sim.timeline.profile, sim.settings, sim.start)
    for event in sim.events[:n]:
        world.fold(event)
    return world


def test_the_plain_path_makes_the_worlds_the_general_fold_makes(monkeypatch) -> None:
    sim = varied_sim()
    tl = sim.timeline.refolded()  # the replay's loop: plain events, traced folds
    monkeypatch.setattr(logs_fold, "plain_batch", lambda world, event: None)
    for n in range(0, len(sim.events) + 1, 3):
        assert view(tl.world_after(n)) == view(general(sim, n)), n
    assert view(tl.live) == view(general(sim, len(sim.events)))


def test_a_replaced_fold_has_no_plain_case(monkeypatch) -> None:
    import projections.world as world_module

    assert "logs:PutLogEvents" in plain_folds()
    monkeypatch.setitem(world_module._FOLDS, "logs:PutLogEvents", lambda world, event: None)
    assert "logs:PutLogEvents" not in plain_folds()


def plain_run():
    sim = new_sim()
    key = make_key(sim)
    sim.call("logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": key}, at="+1m")
    sim.call("logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"})
    for i in range(40):
        sim.call("logs:PutLogEvents", {"logGroupName": "app", "logStreamName": "s",
                                       "logEvents": [{"message": f"m{i}"}]}, at=f"+{2 + i}m")
    sim.call("kms:DisableKey", {"KeyId": key}, at="+50m")
    for i in range(20):
        sim.call("logs:PutLogEvents", {"logGroupName": "app", "logStreamName": "s",
                                       "logEvents": [{"message": f"n{i}"}]}, at=f"+{51 + i}m")
    return sim


def folded(sim, every: int) -> Timeline:
    """``sim``'s events folded as a log's are (Timeline.from_log), checkpointed every
    ``every`` events."""
    tl = Timeline(sim.timeline.profile, sim.settings, sim.start, every=every)
    tl._fold_all(iter(sim.events), 0)
    tl.events, tl.times = list(sim.events), sim.timeline.times
    return tl


@pytest.fixture
def fixed_spacing(monkeypatch):
    """Checkpoints every ``every`` events whatever they pickle."""
    monkeypatch.setattr(checkpoint_module, "BYTES_PER_EVENT", 1 << 30)


def test_checkpoints_pickle_again_only_what_the_events_since_used(fixed_spacing) -> None:
    sim = plain_run()
    tl = folded(sim, 5)
    cps = tl._checkpoints
    names = cps._names
    at = {n: parts for n, parts in zip(cps._index, cps._parts, strict=True)}
    # between two checkpoints after the setup, only data-plane writes: all but the head
    # (time, last seq) is the earlier checkpoint's very bytes
    assert all(a is b for a, b in zip(at[25][1:], at[20][1:], strict=True))
    assert at[25][0] is not at[20][0]
    # the DisableKey: a new keys part, the groups and associations shared
    disable = next(e.seq for e in sim.events if e.op == "kms:DisableKey")
    before, after = max(n for n in at if n < disable), min(n for n in at if n >= disable)
    changed = {name for name, a, b in zip(names, at[before], at[after], strict=True)
               if a is not b}
    assert "keys" in changed and not changed & {"associations", "area_states", "principals"}
    for n in range(len(sim.events) + 1):
        assert view(tl.world_after(n)) == view(general(sim, n)), n


def test_a_restored_world_unpickles_only_what_it_reads(fixed_spacing) -> None:
    sim = plain_run()
    tl = folded(sim, 5)
    world = tl.world_at(tl.end)
    assert "associations" not in vars(world) and "area_states" not in vars(world)
    item = world.items[max(tl.live.items)]
    assert decryptability(world, item, sim.principal_arn("admin")).status == "no"
    assert "keys" in vars(world) and "area_states" not in vars(world)
    # a copy, a clone or a pickle of it is whole
    whole = view(general(sim, len(sim.events)))
    assert view(copy.deepcopy(world)) == whole
    assert view(pickle.loads(pickle.dumps(world))) == whole
    assert view(world.clone()) == whole
    assert type(materialize(world)) is World and view(world) == whole


def test_a_traced_fold_names_the_attributes_it_used_and_set(monkeypatch) -> None:
    import projections.world as world_module

    def relabel(world, event):
        world.labels = {"x": event.seq}
        world.keys.get("nothing")

    monkeypatch.setitem(world_module._FOLDS, "sim:Relabel", relabel)
    sim = new_sim()
    event = sim.call("sim:SaveVariables", {"Variables": {"v": "1"}}, at="+1m").event
    world = World(sim.timeline.profile, sim.settings, sim.start)
    touched: set[str] = set()
    used = fold_traced(world, copy.replace(event, op="sim:Relabel")
                       if hasattr(copy, "replace") else _as_op(event, "sim:Relabel"), touched)
    assert {"labels", "keys"} <= used == touched
    assert type(world) is World and world.labels == {"x": event.seq}


def _as_op(event, op: str):
    from events.record import Event

    return Event(**{**event.to_dict(), "op": op})


@pytest.mark.parametrize("lines", [1, 2, 3])
def test_a_batch_span_is_its_first_and_last_timestamps(lines: int) -> None:
    events = [{"timestamp": 100 + k} for k in range(lines)]
    assert logs_fold._span(events, 500) == (100, 100 + lines - 1)
    assert logs_fold._span([{}, *events], 50) == (50, 100 + lines - 1)

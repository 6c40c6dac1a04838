"""The storage package's checkpoints (projections/store): a restored world is the world
folded from the start, later changes never reach a checkpoint, the budget holds, and the
timeline only says which events to fold (it never pickles, opens or decodes anything)."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest
from logs_support import make_key, new_sim

import projections.store.checkpoints as checkpoint_module
from projections.store import Checkpoints
from projections.world import World

ROOT = Path(__file__).resolve().parent.parent


def busy_sim():
    """Keys toggled, items written, retention and a deleted group: changes to old items."""
    sim = new_sim()
    key = make_key(sim)
    for group in ("a", "b"):
        sim.call("logs:CreateLogGroup", {"logGroupName": group, "kmsKeyId": key}, at="+1m")
        sim.call("logs:CreateLogStream", {"logGroupName": group, "logStreamName": "s"})
    for i in range(40):
        group = "ab"[i % 2]
        sim.call("logs:PutLogEvents", {"logGroupName": group, "logStreamName": "s",
                                       "logEvents": [{"message": f"m{i}"}]}, at=f"+{2 + i}m")
        if i % 9 == 4:
            op = "kms:DisableKey" if i % 2 else "kms:EnableKey"
            sim.call(op, {"KeyId": key}, at=f"+{2 + i}m")
    sim.call("logs:PutRetentionPolicy", {"logGroupName": "b", "retentionInDays": 1},
             at="+50m")
    sim.call("logs:DeleteLogGroup", {"logGroupName": "a"}, at="+51m")
    return sim


def view(world: World) -> tuple:
    """What a world answers with: keys (with histories), associations, items, time."""
    keys = {k: (v.state, list(v.history)) for k, v in world.keys.items()}
    assocs = {a: (v.state, v.key, list(v.history)) for a, v in world.associations.items()}
    items = {seq: dataclasses.astuple(i) for seq, i in world.items.items()}
    return keys, assocs, items, world.now, world.last_seq


def fold_with(sim, every: int, budget: int = 1 << 30) -> tuple[World, Checkpoints]:
    world = World(sim.timeline.profile, sim.settings, sim.start)
    checkpoints = Checkpoints(every, budget)
    world.items = checkpoints.items
    checkpoints.take(world, 0)
    for n, event in enumerate(sim.events, 1):
        world.fold(event)
        if n >= checkpoints.due:
            checkpoints.take(world, n)
    return world, checkpoints


@pytest.fixture
def fixed_spacing(monkeypatch):
    """Checkpoints every ``every`` events whatever their size (no amortising)."""
    monkeypatch.setattr(checkpoint_module, "BYTES_PER_EVENT", 1 << 30)


def test_a_restored_world_is_the_world_folded_from_the_start(fixed_spacing) -> None:
    sim = busy_sim()
    events = sim.events
    live, checkpoints = fold_with(sim, every=5)
    taken = [n for n, _ in checkpoints.sizes()]
    assert taken == list(range(0, len(events) + 1, 5))
    for n in range(len(events) + 1):
        world, done = checkpoints.restore(n)
        assert done == max(c for c in taken if c <= n)  # the nearest at or before n
        assert isinstance(world, World)  # its attributes are unpickled when first read
        for event in events[done:n]:
            world.fold(event)
        naive = World(sim.timeline.profile, sim.settings, sim.start)
        for event in events[:n]:
            naive.fold(event)
        assert view(world) == view(naive), n
        assert type(checkpoint_module.materialize(world)) is World
    # folding into restored worlds changed nothing the live world or a checkpoint sees
    assert view(live) == view(sim.timeline.live)
    world, done = checkpoints.restore(len(events))
    for event in events[done:]:
        world.fold(event)
    assert view(world) == view(live)


def test_the_budget_thins_checkpoints_and_doubles_their_spacing(fixed_spacing) -> None:
    sim = busy_sim()
    _, roomy = fold_with(sim, every=2)
    # Parts unchanged since the last checkpoint are shared, so they are counted once.
    # a budget of one checkpoint: whatever the areas' state weighs, thinning must be needed
    budget = max(b for _, b in roomy.sizes())
    _, tight = fold_with(sim, every=2, budget=budget)
    sizes = tight.sizes()
    assert sum(b for _, b in roomy.sizes()) > 3 * budget
    assert sum(b for _, b in sizes) <= budget + max(b for _, b in sizes)
    assert len(sizes) < len(roomy.sizes()) / 2 and sizes[0][0] == 0
    assert tight.every >= 4 * roomy.every and roomy.every == 2


def test_there_is_nothing_to_restore_before_the_first_checkpoint() -> None:
    with pytest.raises(LookupError):
        Checkpoints().restore(0)


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    return names | {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}


def test_the_timeline_asks_the_store_and_the_log_index_and_touches_no_bytes() -> None:
    used = imported(ROOT / "projections/timetravel/timeline.py")
    assert not used & {"os", "io", "pickle", "copyreg", "zlib", "events.frames",
                       "events.logreader", "events.verify", "projections.store.itemstore"}
    assert {"events.logindex", "projections.store"} <= used


def test_the_store_imports_no_world_and_no_fold_tests_its_type() -> None:
    for path in (ROOT / "projections/store").glob("*.py"):
        assert not {m for m in imported(path) if m.startswith(("projections.world",
                                                              "projections.timetravel"))}
    for path in (ROOT / "projections").rglob("fold.py"):
        text = path.read_text()
        assert "LiveItems" not in text and "add_row" not in text, path

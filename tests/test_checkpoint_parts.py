"""Checkpoint parts per area (issue 11's replay target): a fold that uses one area's state
is traced to that state only, so a checkpoint after it pickles that area's part again and
shares the others (the hundred log groups are not re-pickled for a key toggle)."""

from __future__ import annotations

from events.record import Event, ok_out
from projections.dataset.fold import DatasetsState
from projections.logs.model import LogGroup, LogsState
from projections.model import Cause
from projections.store import checkpoints as cps
from projections.store.checkpoints import Checkpoints, fold_traced, materialize
from projections.world import World, plain_reads

ARN = "arn:aws:logs:us-east-1:111122223333:log-group:app"


class OneAreaWorld(World):
    """A world whose fold uses only the dataset area's state (and its time)."""

    def fold(self, event: Event) -> None:
        self.now, self.last_seq = event.t, event.seq
        self.state(DatasetsState)


def _world() -> OneAreaWorld:
    world = OneAreaWorld("seed", {}, 0)
    world.state(LogsState).groups[ARN] = LogGroup("app", ARN, "111122223333", "us-east-1",
                                                  Cause(0, 1, "R-LOGS-27", "made"))
    world.state(DatasetsState)
    return world


def _event(seq: int) -> Event:
    return Event(1, seq, seq * 1000, "test:Op", "arn:aws:iam::111122223333:root",
                 "111122223333", "us-east-1", {}, ok_out(), {})


def test_a_fold_using_one_area_state_is_traced_to_that_state_only() -> None:
    world = _world()
    used = fold_traced(world, _event(1), set())
    assert ("area_states", DatasetsState) in used
    assert "area_states" not in used and ("area_states", LogsState) not in used
    assert type(world) is OneAreaWorld  # its own class again
    # the plain folds read the logs state: this fold changed nothing they read
    names, any_state = plain_reads()
    assert ("area_states", LogsState) in names and not any_state
    assert used.isdisjoint(names)


def test_a_fold_using_the_whole_dict_is_traced_as_the_whole_dict() -> None:
    class Iterating(OneAreaWorld):
        def fold(self, event: Event) -> None:
            self.now = event.t
            list(self.area_states.values())

    world = Iterating("seed", {}, 0)
    world.state(LogsState)
    assert "area_states" in fold_traced(world, _event(1), set())


def test_a_checkpoint_after_it_pickles_that_state_only(monkeypatch) -> None:
    world = _world()
    store = Checkpoints(every=1)
    world.items = store.items
    store.take(world, 0)
    pickled: list = []
    real = cps.dumps
    monkeypatch.setattr(cps, "dumps", lambda value, table: pickled.append(value) or
                        real(value, table))
    touched = fold_traced(world, _event(1), set())
    store.take(world, 1, touched)
    logs = world.area_states[LogsState]
    assert not any(v is logs or (isinstance(v, dict) and logs in v.values())
                   for v in pickled)
    assert any(isinstance(v, DatasetsState) for v in pickled)
    # restored, the world has both areas' states as they were, in the same order
    restored, n = store.restore(1)
    assert n == 1 and store.peek(restored, "area_states") == world.area_states
    assert list(materialize(restored).area_states) == [LogsState, DatasetsState]
    assert restored.area_states == world.area_states


def test_an_empty_area_states_restores_empty() -> None:
    world = World("seed", {}, 0)
    store = Checkpoints(every=1)
    world.items = store.items
    store.take(world, 0)
    restored, _ = store.restore(0)
    assert store.peek(restored, "area_states") == {}
    assert materialize(restored).area_states == {}

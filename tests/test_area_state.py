"""The areas' typed state in the world (issue 10): ``World.state`` / ``World.peek``, the
logs and dataset state classes, and the key's replaced policies, through copies and
checkpoints."""

from __future__ import annotations

import json

from logs_support import ACCT, OTHER, call_ok, make_key, new_sim, put, snapshot

from projections.dataset.fold import DatasetsState, dataset_of
from projections.logs.model import Fault, LogGroup, LogsState, Sweep, logs_state
from projections.store import restore
from projections.store import snapshot as checkpoint
from projections.world import World

GROUP = "arn:aws:logs:us-east-1:111122223333:log-group:app"


def _logs_sim():
    sim = new_sim()
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app"}, "+1m")
    call_ok(sim, "logs:PutRetentionPolicy", {"logGroupName": "app", "retentionInDays": 1},
            "+2m")
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"},
            "+2m")
    put(sim, "+3m", "b1")
    call_ok(sim, "sim:InjectFault", {"Operation": "logs:DescribeLogGroups", "Duration": "1m"},
            "+4m")
    call_ok(sim, "sim:Link", {"MonitoringAccount": ACCT, "SourceAccount": OTHER}, "+5m")
    return sim


def test_state_is_made_once_and_peek_makes_nothing() -> None:
    world = World()
    seen = world.peek(LogsState)
    assert seen == LogsState() and world.area_states == {}
    seen.links.append(("a", "b"))  # a change to a peeked empty state is not kept
    assert world.peek(LogsState).links == [] and world.area_states == {}
    made = world.state(LogsState)
    assert world.state(LogsState) is made and world.peek(LogsState) is made
    assert list(world.area_states) == [LogsState]


def test_logs_state_is_typed() -> None:
    sim = _logs_sim()
    state = logs_state(sim.world)
    assert sim.world.area_states[LogsState] is state
    g = state.groups[GROUP]
    assert type(g) is LogGroup and g.retention_days == 1 and list(g.streams) == ["s"]
    injected = next(e for e in sim.events if e.op == "sim:InjectFault")
    assert state.faults == [Fault("logs:DescribeLogGroups", "us-east-1", injected.t,
                                  injected.t + 60_000, injected.seq)]
    assert state.links == [(ACCT, OTHER)]
    assert type(state.sweeps[1]) is Sweep and state.sweeps[1].due is not None


def test_a_rejected_call_makes_no_area_state() -> None:
    sim = new_sim()
    before = snapshot(sim)
    for op, args in (("logs:GetQueryResults", {"queryId": "nope"}),
                     ("logs:DeleteLogGroup", {"logGroupName": "missing"})):
        assert not sim.call(op, args, at="+1m").ok
    assert sim.call("logs:DescribeLogGroups", {}, at="+1m").res["logGroups"] == []
    assert snapshot(sim) == before and sim.world.area_states == {}


def test_area_states_survive_clone_and_checkpoint_independently() -> None:
    sim = _logs_sim()
    world = sim.world
    for copy in (world.clone(), restore(checkpoint(world))):
        assert copy.area_states == world.area_states
        assert type(copy.peek(LogsState).groups[GROUP]) is LogGroup
        copy.state(LogsState).groups[GROUP].retention_days = 30
        copy.state(LogsState).faults.clear()
        assert logs_state(world).groups[GROUP].retention_days == 1
        assert len(logs_state(world).faults) == 1


def test_dataset_state_and_replaced_policies_are_typed() -> None:
    sim = new_sim()
    key = make_key(sim)
    first = sim.world.key_by_arn(key).policy
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
        "Action": "kms:*", "Resource": "*"}]})
    call_ok(sim, "kms:PutKeyPolicy", {"KeyId": key, "Policy": policy}, "+1m")
    k = sim.world.key_by_arn(key)
    assert k.replaced_policies == [(sim.world.now, first)] and k.policy_text == policy
    assert dataset_of(sim.world, f"arn:aws:cloudwatch:us-east-1:{ACCT}:dataset") is None
    call_ok(sim, "cloudwatch:PutMetricData", {"Namespace": "App", "MetricData": [
        {"MetricName": "m", "Value": 1.5}]}, "+2m")
    ds = sim.world.state(DatasetsState).by_arn
    (state,) = ds.values()
    assert [list(c) for c in state.series[("App", "m", ())]] == [
        [sim.world.now], [1.5], [sim.world.last_seq]]
    assert state.releases == []
    restored = restore(checkpoint(sim.world))
    assert restored.key_by_arn(key).replaced_policies == k.replaced_policies
    assert restored.area_states == sim.world.area_states

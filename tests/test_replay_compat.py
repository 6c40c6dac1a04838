"""Replay compares decisions and recorded members: a log recorded by an earlier kmsim,
whose responses lacked members added since (KeyMetadata grew in issue 9), replays clean;
a recorded member with another value is still a difference, and it is named."""

from __future__ import annotations

import copy
from dataclasses import replace

from sim import Simulator
from sim.replay import first_difference, replay, same_outcome


def _recorded() -> Simulator:
    sim = Simulator()
    sim.call("kms:CreateKey", {"Description": "k"})
    return sim


def _with_response(sim: Simulator, edit) -> list:
    events = list(sim.timeline.events)
    out = copy.deepcopy(events[-1].out)
    edit(out["res"]["KeyMetadata"])
    events[-1] = replace(events[-1], out=out)
    return events


def test_a_response_without_a_member_added_since_replays_clean():
    sim = _recorded()
    events = _with_response(sim, lambda meta: meta.pop("KeyManager"))
    _, diffs = replay(events, sim.profile, sim.settings, sim.start)
    assert diffs == []


def test_a_recorded_member_with_another_value_differs_and_is_named():
    sim = _recorded()
    events = _with_response(sim, lambda meta: meta.update(Description="other"))
    _, diffs = replay(events, sim.profile, sim.settings, sim.start)
    assert [d.seq for d in diffs] == [events[-1].seq]
    assert diffs[0].describe().endswith(
        "recorded ok, replay gives ok with another KeyMetadata.Description: recorded 'other', "
        "replay gives 'k'")
    assert diffs[0].path == "KeyMetadata.Description" and diffs[0].values() == ("other", "k")


def test_first_difference_walks_lists_and_maps():
    assert first_difference({"a": [1, {"b": 2}]}, {"a": [1, {"b": 2, "c": 3}], "d": 4}) is None
    assert first_difference({"a": [1, {"b": 2}]}, {"a": [1, {"b": 5}]}) == "a.1.b"
    assert first_difference({"a": [1]}, {"a": [1, 2]}) == "a"
    assert first_difference({"a": 1}, {}) == "a"


def test_refusals_compare_code_and_rule_not_message():
    a = {"ok": False, "err": "NotFoundException", "rule": "R-KMS-05", "msg": "x"}
    assert same_outcome(a, {**a, "msg": "reworded"})
    assert not same_outcome(a, {**a, "rule": "R-KMS-34"})
    assert not same_outcome(a, {"ok": True, "res": {}})

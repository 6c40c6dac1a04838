"""The state machines: driven through transitions' public API, shared by every world, and
the one source of the rule each key or association change records."""

from __future__ import annotations

import pickle

import dataset_support as ds
import logs_support as lg
import pytest
from transitions import MachineError

from projections.machines import (
    ASSOCIATION_MACHINES,
    ASSOCIATION_TRANSITIONS,
    KEY_MACHINE,
    fire,
    rule_of,
)
from projections.model import Association


def _rules(assoc: Association) -> list[tuple[str, str | None]]:
    return [(state, rule) for _, _, state, _, rule in assoc.history]


def test_fire_moves_a_plain_model_and_refuses_an_undefined_trigger() -> None:
    assoc = Association("arn:x", "query-result", "1", "r")
    assert fire(ASSOCIATION_MACHINES["query-result"], assoc, "associate") == "none"
    assert assoc.state == "associating"
    with pytest.raises(MachineError):
        fire(ASSOCIATION_MACHINES["query-result"], assoc, "drop")  # no such row for queries
    assert assoc.state == "associating"
    assert not KEY_MACHINE.models and not any(m.models for m in ASSOCIATION_MACHINES.values())


def test_a_world_pickles_without_any_machine_and_its_copy_still_moves() -> None:
    sim = lg.new_sim()
    key = lg.make_key(sim)
    sim.call("kms:DisableKey", {"KeyId": key}, at="+1m")
    copy = pickle.loads(pickle.dumps(sim.world))
    k = copy.key_by_arn(key)
    copy.key_event(k, "enable", copy.now, None, "test")
    assert k.state == "Enabled" and sim.world.key_by_arn(key).state == "Disabled"
    assert not any("machine" in name.lower() for name in vars(sim.world))


def test_dataset_changes_record_their_table_rows_rules() -> None:
    sim = ds.new_sim(propagation="instant")
    k1, k2 = ds.make_key(sim), ds.make_key(sim)
    assert ds.associate(sim, k1, at="+1m").ok
    assert ds.associate(sim, k2, at="+2m").ok
    assert ds.disassociate(sim, at="+3m").ok
    assoc = sim.world.associations[ds.DATASET]
    assert _rules(assoc) == [("associated", "R-DS-01"), ("associated", "R-DS-04"),
                             ("disassociating", "R-DS-20"), ("none", "R-WIN-01")]
    table = ASSOCIATION_TRANSITIONS["dataset"]
    assert rule_of(table, "replace", "associated", "associated") == "R-DS-04"


@pytest.mark.parametrize(("create_window", "expected"), [
    ("immediate", [("associated", "R-LOGS-28"), ("none", "R-LOGS-29")]),
    ("window", [("associating", "R-LOGS-63"), ("associated", "R-WIN-01"),
                ("none", "R-LOGS-29")]),
])
def test_log_group_changes_record_their_table_rows_rules(create_window: str,
                                                         expected: list) -> None:
    sim = lg.new_sim(propagation="max", logs_create_window=create_window)
    key = lg.make_key(sim)
    assert sim.call("logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": key},
                    at="+1m").ok
    assert sim.call("logs:DeleteLogGroup", {"logGroupName": "app"}, at="+10m").ok
    assoc = next(a for a in sim.world.associations.values() if a.kind == "log-group")
    assert _rules(assoc) == expected

"""Time travel: checkpoints, shared items, the ``kmsim at`` document, explain, diff, history."""

from __future__ import annotations

import random

import pytest
from timetravel_support import GROUP, OTHER, build, test_kind  # noqa: F401

from events.logfile import read_log
from projections.timetravel.answers import (
    ASSOCIATION_KEYS,
    DOC_KEYS,
    ITEM_KEYS,
    KEY_KEYS,
    answers_at,
)
from projections.timetravel.diff import diff
from projections.timetravel.explain import explain_association, explain_item, explain_key
from projections.timetravel.history import history
from projections.timetravel.timeline import Timeline
from projections.world import World
from sim.simulator import Simulator

ROOT = "arn:aws:iam::111122223333:root"
READER = "arn:aws:iam::111122223333:role/Reader"
ADMIN = "arn:aws:iam::111122223333:role/Admin"

# the fake item kind, registered for every test here
pytestmark = pytest.mark.usefixtures("test_kind")


def naive_world(events, t, settings, start) -> World:
    """The world at t folded from the start, with no checkpoint at all."""
    world = World("seed", settings, start)
    for e in events:
        if e.t > t:
            break
        world.fold(e)
    world.advance_to(t)
    return world


def test_at_document_has_exactly_the_contract_keys():
    sim, k1 = build()
    doc = answers_at(sim.timeline.world_at(sim.when("+12m")), READER, {"k1": k1})
    assert tuple(doc) == DOC_KEYS
    assert doc["time"] == "2026-01-01T00:12:00Z" and doc["principal"] == READER
    assert [tuple(i) for i in doc["items"]] == [ITEM_KEYS] * 5
    assert [tuple(k) for k in doc["keys"]] == [KEY_KEYS]
    assert [tuple(a) for a in doc["associations"]] == [ASSOCIATION_KEYS]
    by_label = {i["label"]: i for i in doc["items"]}
    assert by_label["e0"]["status"] == "yes" and by_label["e0"]["keys"] == [None]
    assert by_label["e1"] == {
        "label": "e1", "resource": GROUP, "written_at": "2026-01-01T00:05:00Z",
        "keys": [k1], "status": "no", "permanent": False,
        "rules": ["R-KMS-04", "R-KMS-05"], "events": [14]}
    assert "#15" in by_label  # an unlabelled item is named by its event number
    assert doc["keys"] == [{"name": "alias/app", "arn": k1, "state": "Disabled"}]
    assert doc["associations"] == [{"resource": GROUP, "state": "associated", "key": k1}]


def test_key_name_falls_back_to_saved_name_then_id():
    sim = Simulator()
    k = sim.call("kms:CreateKey", at="+0s").get("KeyMetadata")
    world = sim.world_at("+0s")
    assert answers_at(world, ROOT, {"k9": k["Arn"]})["keys"][0]["name"] == "k9"
    assert answers_at(world, ROOT)["keys"][0]["name"] == k["KeyId"]


def test_answer_at_t_never_changes_when_events_are_appended():
    sim = Simulator(default_principal="admin")
    timeline = Timeline(sim.timeline.profile, sim.settings, sim.start, every=2)
    sim.recorder.timeline = timeline  # small checkpoints: every fold crosses a few
    _, k1 = build(sim)
    times = [sim.when(f"+{m}m") for m in (0, 2, 4, 5, 8, 9, 12, 25, 29)]
    before = {t: answers_at(timeline.world_at(t), ADMIN) for t in times}
    sim.call("kms:DisableKey", {"KeyId": k1}, at="+31m")
    sim.call("sim:TestDrop", {"Resource": OTHER}, at="+32m")
    sim.call("kms:ScheduleKeyDeletion", {"KeyId": k1, "PendingWindowInDays": 7}, at="+33m")
    sim.advance("8d")
    sim.call("sim:TestWrite", {"Resource": GROUP}, at="+9d")
    for t in times:
        assert answers_at(timeline.world_at(t), ADMIN) == before[t]
    # and the items dropped at +30m were yes before it, gone after it
    assert {i["label"]: i["status"] for i in before[sim.when("+25m")]["items"]}["e1"] == "yes"
    late = answers_at(timeline.world_at(sim.when("+9d")), ADMIN)
    assert {i["label"]: i["status"] for i in late["items"]}["e3"] == "gone"


@pytest.mark.parametrize("seed", range(6))
def test_checkpointed_answers_equal_a_fold_from_the_start(seed):
    rng = random.Random(seed)
    sim = Simulator(default_principal="admin")
    sim.recorder.timeline = Timeline(sim.timeline.profile, sim.settings, sim.start, every=3,
                                     budget=4000)
    _, k1 = build(sim)
    t = sim.when("+31m")
    for _ in range(120):
        t += rng.choice([0, 1000, 60_000])
        op = rng.choice(["w", "w", "w", "w", "dis", "en", "drop", "assoc", "label"])
        res = rng.choice([GROUP, OTHER])
        if op == "w":
            sim.call("sim:TestWrite", {"Resource": res}, at=t)
        elif op == "dis":
            sim.call("kms:DisableKey", {"KeyId": k1}, at=t)
        elif op == "en":
            sim.call("kms:EnableKey", {"KeyId": k1}, at=t)
        elif op == "drop":
            sim.call("sim:TestDrop", {"Resource": res}, at=t)
        elif op == "assoc":
            sim.call("sim:TestAssociate", {"Resource": res, "KeyId": k1}, at=t)
        else:
            seqs = list(sim.world.items)
            sim.call("sim:Label", {"Label": f"x{rng.randint(0, 5)}",
                                   "Event": rng.choice(seqs)}, at=t)
    tl = sim.timeline
    assert len(tl.checkpoints) < len(tl.times) / 3  # thinned to stay within the budget
    for _ in range(25):
        when = rng.randint(tl.start, tl.end + 1000)
        naive, fast = naive_world(tl.events, when, sim.settings, tl.start), tl.world_at(when)
        for who in (READER, ADMIN):
            assert answers_at(fast, who) == answers_at(naive, who)


def test_from_log_matches_the_in_memory_timeline(tmp_path):
    sim, _ = build()
    path = tmp_path / "t.kmlog"
    sim.save(path)
    header, events = read_log(path)
    disk = Timeline.from_log(str(path), header.profile, header.assumptions, header.start,
                             every=2)
    assert len(disk.events) == len(events) and disk.events[4] == events[4]
    assert list(disk.events[3:7]) == events[3:7]
    for m in (0, 5, 9, 12, 31):
        t = sim.when(f"+{m}m")
        assert answers_at(disk.world_at(t), READER) == answers_at(sim.timeline.world_at(t),
                                                                  READER)


def test_clone_is_independent():
    sim, k1 = build()
    world = sim.timeline.world_at(sim.when("+12m"))
    copy = world.clone()
    copy.key_event(copy.keys[k1.rsplit("/", 1)[1]], "enable", copy.now, None, "test")
    copy.items[8].label = "changed"
    assert world.key_by_arn(k1).state == "Disabled" and world.items[8].label == "e1"
    assert copy.key_by_arn(k1).state == "Enabled"
    assert World.clone(world, items=False).items == {}


def test_explain_item_chain_newest_first():
    sim, _ = build()
    world = sim.timeline.world_at(sim.when("+12m"))
    ex = explain_item(world, world.item("e1"), READER, sim.timeline.event, sim.start)
    assert ex.headline.startswith("e1 is not decryptable")
    first = ex.links[0]
    assert first.rule == "R-KMS-04" and first.seq == 14
    assert "alias/app is Disabled since event #14 (kms:DisableKey at +9m)" in first.text
    assert first.statement.startswith("Only Enabled keys")
    rest = [(lk.t, lk.seq) for lk in ex.links[1:]]
    assert rest == sorted(rest, reverse=True)
    assert any("e1 was written to logs:app under alias/app by event #8" in lk.text
               for lk in ex.links)


def test_explain_key_and_association():
    sim, k1 = build()
    world = sim.timeline.world_at(sim.when("+25m"))
    key = world.key_by_arn(k1)
    ex = explain_key(world, key, sim.timeline.event, sim.start)
    assert "is Enabled since event #16" in ex.headline
    assert [lk.rule for lk in ex.links] == ["R-KMS-06", "R-KMS-05", "R-KMS-01"]
    ax = explain_association(world, world.associations[GROUP], sim.timeline.event, sim.start)
    assert "associated with key alias/app" in ax.headline
    assert ax.links[0].seq == 7


def test_diff_between_two_moments():
    sim, k1 = build()
    tl = sim.timeline
    a, b = tl.world_at(sim.when("+8m")), tl.world_at(sim.when("+12m"))
    events = tl.events[tl.count_at(a.now):tl.count_at(b.now)]
    doc = diff(a, b, ADMIN, events)
    assert doc["keys"] == [{"name": "alias/app", "arn": k1, "from": "Enabled",
                            "to": "Disabled"}]
    changed = {i["label"]: (i["from"], i["to"]) for i in doc["items"]}
    assert changed == {"e1": ("yes", "no"), "e2": ("yes", "no"), "#15": (None, "no")}
    assert [e["op"] for e in doc["events"]] == ["kms:DisableKey", "sim:TestWrite"]


def test_history_of_a_resource_and_a_key():
    sim, _ = build()
    tl = sim.timeline
    ops = [(e.seq, e.op) for e in history(tl.events, tl.live, "logs:app", "111122223333",
                                          "us-east-1")]
    assert ops == [(5, "sim:TestWrite"), (7, "sim:TestAssociate"), (8, "sim:TestWrite"),
                   (10, "sim:TestWrite"), (15, "sim:TestWrite"), (17, "sim:TestDrop")]
    key_ops = [e.op for e in history(tl.events, tl.live, "alias/app", "111122223333",
                                     "us-east-1")]
    assert key_ops[:3] == ["kms:CreateKey", "kms:CreateAlias", "sim:TestAssociate"]
    assert "kms:DisableKey" in key_ops and "kms:EnableKey" in key_ops
    assert len(history(tl.events, tl.live, None, "111122223333", "us-east-1")) == len(tl.events)
    with pytest.raises(ValueError):
        history(tl.events, tl.live, "nonsense", "111122223333", "us-east-1")

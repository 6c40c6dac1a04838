"""What-if forks: step syntax, renumbering, re-derived outcomes, changed answers."""

from __future__ import annotations

import pytest
from timetravel_support import build, test_kind  # noqa: F401

from sim.cli import main
from sim.errors import InputError
from sim.runner import run_file
from sim.whatif import Step, compare, fork, parse_step

ADMIN = "arn:aws:iam::111122223333:role/Admin"

# the fake item kind, registered for every test here
pytestmark = pytest.mark.usefixtures("test_kind")


def test_step_syntax_json_toml_and_variables():
    want = Step("kms:CancelKeyDeletion", {"KeyId": "alias/app"})
    assert parse_step('kms:CancelKeyDeletion {"KeyId": "alias/app"}') == want
    assert parse_step('kms:CancelKeyDeletion { KeyId = "alias/app" }') == want
    assert parse_step("kms:CancelKeyDeletion {KeyId = \"${k1}\"}", {"k1": "alias/app"}) == want
    assert parse_step("kms:ListKeys") == Step("kms:ListKeys", {})
    for bad in ("CancelKeyDeletion", "kms:X {KeyId =", "kms:X [1, 2]", "kms:X {K = \"${no}\"}"):
        with pytest.raises(InputError):
            parse_step(bad)


def test_cancel_deletion_a_minute_later_changes_the_end():
    sim = run_file("scenarios/quickstart.toml").sim
    tl = sim.timeline
    f = fork(tl, sim.when("+5m30s"), [parse_step('kms:CancelKeyDeletion {"KeyId": '
                                                 '"alias/app"}')], ADMIN)
    assert f.n == 8 and [e.seq for e in f.steps] == [9] and f.steps[0].ok
    assert f.seq_map == {9: 10, 10: 11}
    assert [e.seq for e in f.fork.events] == list(range(1, 12))
    changed = {old.op: (old.outcome if hasattr(old, "outcome") else old.err, new.ok)
               for old, new in f.changed_outcomes}
    assert changed == {"kms:EnableKey": ("KMSInvalidStateException", True),
                       "kms:DescribeKey": ("NotFoundException", True)}
    assert tl.events[-1].err == "NotFoundException"  # the original is untouched
    changes = compare(f, ADMIN)
    end = changes[-1]
    assert end.op.startswith("(the end")
    key = [d for d in end.differences if d[0].startswith("key ")]
    assert [(a, b) for _, a, b in key] == [("Deleted", "Enabled")]


def test_item_answers_change_and_labels_follow_renumbering():
    sim, k1 = build()
    f = fork(sim.timeline, sim.when("+8m"), [parse_step(
        f'kms:ScheduleKeyDeletion {{"KeyId": "{k1}", "PendingWindowInDays": 7}}')], ADMIN)
    assert f.fork.live.item("e1") is not None and f.fork.live.item("e1").seq == 8
    later = f.fork.world_at(sim.when("+25m"))
    assert later.labels == sim.timeline.world_at(sim.when("+25m")).labels
    changes = compare(f, ADMIN)
    at_20m = next(c for c in changes if c.op == "kms:EnableKey")
    assert ("item e1", "yes", "no") in at_20m.differences
    assert ("item #15", "yes", "no") in at_20m.differences  # unlabelled: original number


def test_whatif_cli(capsys):
    code = main(["whatif", "scenarios/quickstart.toml", "--at", "+5m30s", "--step",
                 "kms:CancelKeyDeletion { KeyId = \"${k1}\" }"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "#9 (now #10) kms:EnableKey at +6m: was KMSInvalidStateException (R-KMS-12), now ok" \
        in out
    assert "key alias/app: Deleted -> Enabled" in out
    code = main(["whatif", "scenarios/quickstart.toml", "--at", "#3", "--step", "kms:ListKeys"])
    assert code == 2 and "not #N" in capsys.readouterr().err

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
    assert f.seq_map == {9: 10, 10: 11, 11: 12}  # #11: the saved values (A-SAVED-VALUES)
    assert [e.seq for e in f.fork.events] == list(range(1, 13))
    changed = {old.op: (old.outcome if hasattr(old, "outcome") else old.err, new.ok)
               for old, new in f.changed_outcomes}
    assert changed == {"kms:EnableKey": ("KMSInvalidStateException", True),
                       "kms:DescribeKey": ("NotFoundException", True)}
    assert tl.events[-2].err == "NotFoundException"  # the original is untouched
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
    assert "#9 (now #10) kms:EnableKey at +6m: was KMSInvalidStateException (R-KMS-STATE-03), " \
        "now ok" in out
    assert "key alias/app: Deleted -> Enabled" in out
    code = main(["whatif", "scenarios/quickstart.toml", "--at", "#3", "--step", "kms:ListKeys"])
    assert code == 2 and "not #N" in capsys.readouterr().err


def _naive(f, principal):
    """The comparison as it was first written: every answer of both worlds after every
    event (quadratic, so only for small timelines): {seq or None: differences}."""
    from sim.whatif import answers

    back = f.seq_map.inverse()
    orig = f.original.world_after(f.n)
    new = f.fork.world_after(f.n + len(f.steps))

    def differences():
        a, b = answers(orig, principal, None), answers(new, principal, None, back)
        return [(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]

    out = {None: differences()}
    for event, replayed in zip(f.original.events[f.n:], f.fork.events[f.n + len(f.steps):],
                               strict=True):
        orig.fold(event)
        new.fold(replayed)
        out[event.seq] = differences()
    return out


STEPS = ["kms:DisableKey KeyId=k1", "kms:EnableKey KeyId=k1", "kms:CancelKeyDeletion KeyId=k1",
         "kms:ScheduleKeyDeletion KeyId=k1 PendingWindowInDays=7",
         'kms:PutKeyPolicy KeyId=k1 PolicyName=default Policy=\'{"Version": "2012-10-17", '
         '"Statement": [{"Effect": "Allow", "Principal": {"AWS": '
         '"arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}\'']


@pytest.mark.parametrize("name", sorted(p.name for p in __import__("pathlib").Path(
    "scenarios").glob("*.toml")))
def test_incremental_compare_equals_answering_everything(name, monkeypatch):
    """Keeping answers up to date gives what answering every item after every event gives,
    at every moment kept and at the end (every scenario, forked with several steps)."""
    monkeypatch.setattr("sim.whatif_compare.ITEMS_KEPT", 10**6)  # list every difference
    report = run_file(f"scenarios/{name}")
    sim = report.sim
    saved = {k: str(v) for s in report.steps for k, v in s.saved.items()}
    if "k1" not in saved:
        pytest.skip("no k1 to change")
    tl = sim.timeline
    principal = sim.principal_arn(None)
    for text in STEPS:
        for at in sorted({tl.start, *tl.times[:: max(1, len(tl.times) // 4)]}):
            f = fork(tl, at, [parse_step(text, saved)], principal, sim.seed, sim.region,
                     sim.account)
            naive = _naive(f, principal)
            changes = compare(f, principal)
            assert not any(c.more for c in changes)  # small: every difference listed
            for c in changes[:-1]:
                assert sorted(c.differences) == naive[c.seq], (text, at, c.seq)
            kept = {c.seq for c in changes[:-1]}
            # every moment at which a difference changes, goes, or a key or association
            # starts to differ is kept (items that differ as they are written count into
            # the next moment kept)
            prev = dict((w, (a, b)) for w, a, b in naive[None])
            for seq, rows in naive.items():
                if seq is None:
                    continue
                now = dict((w, (a, b)) for w, a, b in rows)
                moved = any(now.get(w) != pair for w, pair in prev.items())
                started = any(not w.startswith("item ") for w in now.keys() - prev.keys())
                if moved or started:
                    assert seq in kept, (text, at, seq)
                prev = now


def test_whatif_on_a_busy_log_counts_what_repeats(tmp_path, capsys):
    """A fork that disables the key every write uses: each later write is refused and every
    item becomes unreadable; the report counts them per kind and resource."""
    from bench_support import bench_log

    log = tmp_path / "bench.kmlog"
    bench_log().generate(str(log), 1500, groups=10)
    code = main(["whatif", str(log), "--at", "+5s", "--step", "kms:DisableKey KeyId=k1"])
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert code == 0 and len(lines) < 150
    refused = next(line for line in lines if line.startswith("later events whose outcome"))
    n = int(refused.split("(")[1].rstrip(")").replace(",", ""))
    assert n > 900
    assert f"    {n - 20:,} x logs:PutLogEvents: was ok, now InvalidParameterException " \
        "(R-LOGS-32)" in lines
    assert "    key k1: Enabled -> Disabled" in lines
    assert any(line.startswith("    ... ") and line.endswith(" more items:") for line in lines)
    assert any(line.startswith("      logs:group-") and "yes -> no: " in line for line in lines)

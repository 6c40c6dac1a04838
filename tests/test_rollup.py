"""Answers per shape and the roll-up per resource (issue 11): ``kmsim at`` and ``kmsim diff``.

- the SRE's question of SPEC 1, asked of ``scenarios/sre-rollup.toml``: which resources are
  unreadable now, what is lost forever at the DeletionDate, what was uncertain;
- the filters (``--resource``, ``--key``, ``--status``, ``--limit``), bad filters exit 2;
- the streamed JSON is the document ``answers_at`` builds, the contract's members first;
- each shape is evaluated once and each policy object parsed once;
- per-shape answers equal per-item answers on random timelines (a hypothesis state machine
  over the calls of ``tests/test_properties.py`` plus windows, queries and retention).
"""

from __future__ import annotations

import io
import json
import random
import re
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)
from support import ACCT, ALLOW_ALL
from test_properties import READER, ROOT

from events.timefmt import DAY, HOUR, MINUTE
from projections import decrypt
from projections.iam import policy as policy_mod
from projections.model import DataItem
from projections.store import checkpoints
from projections.timetravel.answers import (
    ALL,
    CONTRACT_DOC_KEYS,
    DOC_KEYS,
    ITEM_KEYS,
    Selection,
    answers_at,
    item_resources,
    read_items,
    walk,
    write_answers,
)
from projections.timetravel.diff import diff, item_changes, item_statuses, write_diff
from projections.timetravel.rollup import GROUP_KEYS, LOST_KEYS, RESOURCE_KEYS
from projections.timetravel.timeline import Timeline
from sim.cli import main
from sim.runner import run_file
from sim.simulator import Simulator

SRE = "scenarios/sre-rollup.toml"
NOW = "2026-01-01T10:03:00Z"
DELETION = "2026-01-08T10:02:00Z"
ADMIN = f"arn:aws:iam::{ACCT}:role/Admin"
SERVICES = ("logs.us-east-1.amazonaws.com", "cloudwatch.amazonaws.com")
SERVICE_POLICY = (Path(__file__).resolve().parent.parent / "scenarios/policies/"
                  "logs-and-cloudwatch.json").read_text(encoding="utf-8")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def sre():
    """The SRE scenario, run once: (simulator, k1 ARN, k2 ARN)."""
    report = run_file(SRE)
    assert report.passed
    saved = {k: v for step in report.steps for k, v in step.saved.items()}
    return report.sim, saved["k1"], saved["k2"]


def by_name(doc: dict) -> dict[str, dict]:
    return {r["name"]: r for r in doc["resources"]}


# -- the SRE's question -------------------------------------------------------------------

def test_kmsim_at_answers_the_sre_question_per_resource(capsys, sre):
    _, k1, k2 = sre
    code, out, _ = run(capsys, "at", SRE, NOW, "--json")
    doc = json.loads(out)
    assert code == 0 and tuple(doc) == DOC_KEYS and tuple(doc)[:5] == CONTRACT_DOC_KEYS
    res = by_name(doc)
    assert all(tuple(r) == RESOURCE_KEYS for r in doc["resources"])
    assert all(tuple(g) == GROUP_KEYS for r in doc["resources"] for g in r["groups"])
    assert set(res) == {"logs:app", "logs:audit", "logs:web", "logs:query-result",
                        "cloudwatch:dataset"}
    assert {n: r["kind"] for n, r in res.items()} == {
        "logs:app": "log-group", "logs:audit": "log-group", "logs:web": "log-group",
        "logs:query-result": "query-result", "cloudwatch:dataset": "dataset"}
    # unreadable now: everything under k1, not yet permanently
    for name in ("logs:app", "cloudwatch:dataset", "logs:query-result"):
        assert res[name]["status"] == {"yes": 0, "no": 1, "maybe": 0, "gone": 0}
        assert res[name]["share"]["no"] == 1.0
        [group] = res[name]["groups"]
        assert group["keys"] == [k1] and group["permanent"] is False
    # lost forever at the DeletionDate: app's batch and the metric point; the query results
    # are gone a minute before it (kept 7 days), so they are not counted as lost to k1
    for name in ("logs:app", "cloudwatch:dataset"):
        [lost] = res[name]["lost_at"]
        assert tuple(lost) == LOST_KEYS
        assert lost["time"] == DELETION and lost["keys"] == [k1] and lost["items"] == 1
        assert "R-KMS-10" in lost["rules"]
    assert res["logs:query-result"]["lost_at"] == []
    # uncertain during the 5-minute propagation: audit1, under the owned key or k1
    audit = res["logs:audit"]
    assert audit["status"] == {"yes": 1, "no": 0, "maybe": 1, "gone": 0}
    maybe = [g for g in audit["groups"] if g["status"] == "maybe"]
    assert [g["keys"] for g in maybe] == [[None, k1]] and "R-WIN-02" in maybe[0]["rules"]
    assert maybe[0]["written"] == [{"from": "2026-01-01T10:00:00Z",
                                    "to": "2026-01-01T10:00:00Z", "items": 1}]
    assert audit["lost_at"] == []  # it may be under the owned key: never lost for sure
    assert res["logs:web"]["groups"][0]["keys"] == [k2]
    assert res["logs:web"]["status"]["yes"] == 1


def test_the_human_answer_starts_with_the_roll_up(capsys):
    code, out, _ = run(capsys, "at", SRE, NOW)
    assert code == 0
    assert out.index("resources (5)") < out.index("keys (2)") < out.index("items (6)")
    assert re.search(rf"\n  logs:app +{DELETION} +k1 +1 +2026-01-01T09:51:00Z\n", out)
    assert re.search(r"\n  logs:audit +maybe +1 +50% +service-owned or k1 ", out)
    assert re.search(r"\n  audit1 +maybe +logs:audit ", out)  # six items: listed


def test_the_roll_up_after_the_deletion_date_is_permanent(capsys, sre):
    code, out, _ = run(capsys, "at", SRE, DELETION, "--json")
    res = by_name(json.loads(out))
    assert code == 0
    assert res["logs:app"]["groups"][0]["permanent"] is True
    assert res["logs:app"]["lost_at"] == []  # already lost: nothing left to forecast
    assert res["logs:query-result"]["status"]["gone"] == 1


# -- filters ------------------------------------------------------------------------------

def test_filters_choose_what_is_counted_and_listed(capsys, sre):
    code, out, _ = run(capsys, "at", SRE, NOW, "--json", "--resource", "logs:app",
                       "--resource", "audit")
    doc = json.loads(out)
    assert code == 0 and set(by_name(doc)) == {"logs:app", "logs:audit"}
    assert [i["label"] for i in doc["items"]] == ["app1", "audit0", "audit1"]
    code, out, _ = run(capsys, "at", SRE, NOW, "--json", "--status", "maybe")
    doc = json.loads(out)
    assert [i["label"] for i in doc["items"]] == ["audit1"]
    assert len(doc["resources"]) == 5  # the roll-up still counts every answer
    code, out, _ = run(capsys, "at", SRE, NOW, "--json", "--key", "k2")
    doc = json.loads(out)
    assert [i["label"] for i in doc["items"]] == ["web1"] and set(by_name(doc)) == {"logs:web"}
    code, out, _ = run(capsys, "at", SRE, NOW, "--json", "--limit", "2", "--status", "no")
    assert [i["label"] for i in json.loads(out)["items"]] == ["app1", "m1"]
    code, out, _ = run(capsys, "at", SRE, NOW, "--status", "no", "--limit", "1")
    assert code == 0 and "items (1)" in out and "  app1 " in out and "  m1 " not in out


@pytest.mark.parametrize("argv, hint", [
    (["--resource", "logs:nope"], "unknown resource"),
    (["--key", "k9"], "unknown key"),
    (["--status", "perhaps"], "invalid choice"),
    (["--limit", "-1"], "not a count"),
])
def test_bad_filters_exit_2(capsys, argv, hint):
    with pytest.raises(SystemExit) if hint in ("invalid choice", "not a count") else \
            _no_exit():
        code, _, err = run(capsys, "at", SRE, NOW, *argv)
        assert code == 2 and hint in err and "Traceback" not in err
    if hint in ("invalid choice", "not a count"):
        assert hint in capsys.readouterr().err


class _no_exit:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_many_items_are_summarised_unless_asked_for(capsys, tmp_path):
    sim = Simulator(default_principal="admin")
    sim.principal("admin", ADMIN, ALLOW_ALL)
    sim.call("logs:CreateLogGroup", {"logGroupName": "busy"})
    sim.call("logs:CreateLogStream", {"logGroupName": "busy", "logStreamName": "s"})
    for n in range(30):
        sim.call("logs:PutLogEvents", {"logGroupName": "busy", "logStreamName": "s",
                                       "logEvents": [{"message": f"m{n}"}]}, at=f"+{n + 1}s")
    path = sim.save(tmp_path / "busy.kmlog")
    code, out, _ = run(capsys, "at", str(path), "+1m")
    assert code == 0 and "items (30): --items lists them" in out
    assert re.search(r"\n  logs:busy +30 +100% +0% +0% +0% +\+1s \.\. \+30s\n", out)
    code, out, _ = run(capsys, "at", str(path), "+1m", "--items")
    assert len(re.findall(r"(?m)^  #\d+ +yes +logs:busy ", out)) == 30
    code, out, _ = run(capsys, "diff", str(path), "+0s", "+1m")
    assert re.search(r"\n  logs:busy +\(new\) +yes +30 +\+1s \.\. \+30s\n", out)
    assert "(10 more changed items" in out and "(--events lists them)" in out
    assert re.search(r"\n +30 +logs:PutLogEvents +ok\n", out)
    code, out, _ = run(capsys, "diff", str(path), "+0s", "+1m", "--items", "--events")
    assert len(re.findall(r"(?m)^  #\d+ +logs:busy +\(new\) +yes$", out)) == 30
    assert out.count("logs:PutLogEvents") == 30


# -- the document -------------------------------------------------------------------------

@pytest.mark.parametrize("selection", [
    Selection(), Selection(limit=0), Selection(limit=2), Selection(statuses=frozenset({"no"})),
    Selection(resources=frozenset({f"arn:aws:logs:us-east-1:{ACCT}:log-group:audit"})),
])
def test_streamed_json_is_the_document(sre, selection):
    sim, k1, _ = sre
    world = sim.timeline.world_at(sim.when(NOW))
    out = io.StringIO()
    listed = write_answers(out, world, ADMIN, {"k1": k1}, selection)
    doc = json.loads(out.getvalue())
    assert doc == answers_at(world, ADMIN, {"k1": k1}, selection=selection)
    assert listed == len(doc["items"]) and all(tuple(i) == ITEM_KEYS for i in doc["items"])
    # one item per line, as it was answered
    assert out.getvalue().count('{"label": ') == listed


def test_streamed_diff_is_the_document(sre):
    sim, _, _ = sre
    tl = sim.timeline
    effect = "1 item of logs:query-result became gone (R-LOGS-35)"
    for t1, kind in (("+12m", "query-expiry"), ("+5m", "data")):
        before, after = tl.world_at(sim.when(t1)), tl.world_at(sim.when(DELETION))
        out = io.StringIO()
        events = tl.events[tl.count_at(before.now):tl.count_at(after.now)]
        write_diff(out, before, after, ADMIN, events)
        doc = diff(before, after, ADMIN, events)
        assert json.loads(out.getvalue()) == doc
        # the query results' expiry is named as a timer's effect (pending at T1, or set
        # in between), not "no effect (superseded)"
        assert [t["effect"] for t in doc["timers"] if t["kind"] == kind] == [effect]


def test_each_shape_is_evaluated_once_and_each_policy_parsed_once(monkeypatch):
    sim = Simulator(default_principal="admin")
    sim.principal("admin", ADMIN, ALLOW_ALL)
    key = sim.call("kms:CreateKey", {"Policy": SERVICE_POLICY}).get("KeyMetadata.Arn")
    for g in ("a", "b"):
        sim.call("logs:CreateLogGroup", {"logGroupName": g, "kmsKeyId": key})
        sim.call("logs:CreateLogStream", {"logGroupName": g, "logStreamName": "s"})
    for n in range(200):
        sim.call("logs:PutLogEvents", {"logGroupName": "ab"[n % 2], "logStreamName": "s",
                                       "logEvents": [{"message": "x"}]}, at=f"+{n + 1}s")
    world = sim.timeline.world_at(sim.when("+10m"))
    calls = {"evaluate": 0, "parse": 0}
    evaluator = decrypt._EVALUATORS["log-events"]
    parse = policy_mod.parse_policy

    def counting_evaluator(*args):
        calls["evaluate"] += 1
        return evaluator(*args)

    def counting_parse(doc):
        calls["parse"] += 1
        return parse(doc)

    monkeypatch.setitem(decrypt._EVALUATORS, "log-events", counting_evaluator)
    monkeypatch.setattr(policy_mod, "parse_policy", counting_parse)
    policy_mod._parsed.cache_clear()
    doc = answers_at(world, ADMIN)
    assert len(doc["items"]) == 200 and {i["status"] for i in doc["items"]} == {"yes"}
    assert calls["evaluate"] == 2  # two shapes: group a and group b under the key
    assert calls["parse"] <= 2  # the key policy (and the admin's identity policy), once
    calls["evaluate"] = 0
    changes = list(item_changes(sim.timeline.world_at(sim.when("+0s")), world, ADMIN))
    assert len(changes) == 200 and calls["evaluate"] == 2


def test_read_items_of_a_restored_world_equal_its_items():
    sim = Simulator(default_principal="admin")
    sim.principal("admin", ADMIN, ALLOW_ALL)
    sim.call("logs:CreateLogGroup", {"logGroupName": "g"})
    sim.call("logs:CreateLogStream", {"logGroupName": "g", "logStreamName": "s"})
    rng = random.Random(3)
    for n in range(400):
        sim.call("logs:PutLogEvents", {"logGroupName": "g", "logStreamName": "s",
                                       "logEvents": [{"message": "x"}]}, at=f"+{n + 1}s")
        if rng.random() < 0.05:
            sim.call("sim:Label", {"Label": f"l{n}", "Event": len(sim.events)})
    tl = sim.timeline
    for t in ("+0s", "+1m", "+3m30s", "+7m", "+1h"):
        world = tl.world_at(sim.when(t))
        fresh = tl.world_at(sim.when(t))
        assert [(i.seq, i.label, i.keys) for i in read_items(world)] == \
            [(i.seq, i.label, i.keys) for i in fresh.iter_items()]
        assert item_resources(world) == {i.resource for i in fresh.iter_items()}


def test_a_timeless_shape_reads_no_time_expiry_or_extra():
    """A kind registered ``timeless`` gets one answer per row shape (the roll-up counts its
    rows from the columns): its shape key must not change with the item's own time, expiry
    or extra, whatever the world."""
    sim = Simulator(default_principal="admin")
    sim.principal("admin", ADMIN, ALLOW_ALL)
    key = sim.call("kms:CreateKey", {"Policy": SERVICE_POLICY}).get("KeyMetadata.Arn")
    sim.call("logs:CreateLogGroup", {"logGroupName": "g", "kmsKeyId": key})
    world = sim.timeline.world_at(sim.when("+1m"))
    kinds = decrypt.timeless_kinds()
    assert {"log-events", "query-result"} <= kinds and "metric-data" not in kinds
    group = f"arn:aws:logs:us-east-1:{ACCT}:log-group:g"
    for kind in kinds:
        shape = decrypt.shape_of(kind)
        assert shape is not None
        keys = [shape(world, DataItem(seq, kind, group, ACCT, "us-east-1", t, (key, None),
                                      None, None, expires, None, extra))
                for seq, t, expires, extra in [(1, 0, None, None), (9, 10**12, 5, {"t0": 1}),
                                               (7, 3, 10**13, {"queryId": "q"})]]
        assert len(set(keys)) == 1, kind


# -- per shape equals per item, on random timelines -----------------------------------------


def _nothing(item, answer) -> None:
    """A listing that keeps nothing."""

NO_SERVICES = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}]})
GROUPS = st.sampled_from(["app", "audit", "web"])
SHORT = st.one_of(st.integers(0, 1000), st.integers(1, 2 * MINUTE), st.integers(1, 4 * HOUR))


class ShapedAnswers(RuleBasedStateMachine):
    """Random timelines of the data plane: keys CloudWatch and CloudWatch Logs may use, their
    states and policies, log group and dataset associations and disassociations (windows),
    batches, metric points, queries, retention, deleted groups and time passing. The
    invariant: every item's per-shape answer is its per-item answer, for several callers,
    now and at other moments; and diff and the roll-up agree with per-item answers."""

    ASSUMPTIONS: dict[str, str] = {}
    keys = Bundle("keys")

    def __init__(self) -> None:
        super().__init__()
        self.s = Simulator(start="2026-01-01T00:00:00Z", account=ACCT,
                           assumptions=self.ASSUMPTIONS)
        self.s.principal("admin", policy=ALLOW_ALL)
        self.s.principal("reader")

    def call(self, step: int, op: str, args: dict) -> object:
        self.s.advance(step)
        return self.s.call(op, args, as_="admin")

    @initialize(target=keys)
    def first_key(self) -> object:
        """A key, the three log groups (app and web under it), the dataset under it."""
        key = self.call(0, "kms:CreateKey", {"Policy": SERVICE_POLICY}).get("KeyMetadata.Arn")
        for group in ("app", "audit", "web"):
            self.create_group(key, 0, group, group != "audit")
        self.associate_dataset(key, 0)
        return key

    @rule(target=keys, step=SHORT)
    def create_key(self, step: int) -> object:
        r = self.call(step, "kms:CreateKey", {"Policy": SERVICE_POLICY})
        return r.get("KeyMetadata.Arn") if r.ok else multiple()

    @rule(key=keys, step=SHORT, op=st.sampled_from(["kms:DisableKey", "kms:EnableKey",
                                                    "kms:CancelKeyDeletion"]))
    def key_state(self, key: str, step: int, op: str) -> None:
        self.call(step, op, {"KeyId": key})

    @rule(key=keys, step=SHORT)
    def schedule_deletion(self, key: str, step: int) -> None:
        self.call(step, "kms:ScheduleKeyDeletion", {"KeyId": key, "PendingWindowInDays": 7})

    @rule(key=keys, step=SHORT, allow=st.booleans())
    def put_policy(self, key: str, step: int, allow: bool) -> None:
        self.call(step, "kms:PutKeyPolicy", {"KeyId": key, "Policy": SERVICE_POLICY if allow
                                             else NO_SERVICES})

    @rule(key=keys, step=SHORT, group=GROUPS, with_key=st.booleans())
    def create_group(self, key: str, step: int, group: str, with_key: bool) -> None:
        self.call(step, "logs:CreateLogGroup", {"logGroupName": group,
                                                **({"kmsKeyId": key} if with_key else {})})
        self.call(0, "logs:CreateLogStream", {"logGroupName": group, "logStreamName": "s"})

    @rule(key=keys, step=SHORT, group=st.one_of(GROUPS, st.just("query-result")))
    def associate_logs(self, key: str, step: int, group: str) -> None:
        target = {"resourceIdentifier": f"arn:aws:logs:us-east-1:{ACCT}:query-result:*"} \
            if group == "query-result" else {"logGroupName": group}
        self.call(step, "logs:AssociateKmsKey", {**target, "kmsKeyId": key})

    @rule(step=SHORT, group=GROUPS)
    def disassociate_logs(self, step: int, group: str) -> None:
        self.call(step, "logs:DisassociateKmsKey", {"logGroupName": group})

    @rule(step=SHORT, group=GROUPS, n=st.integers(1, 4))
    def put_log_events(self, step: int, group: str, n: int) -> None:
        for _ in range(n):
            self.call(step, "logs:PutLogEvents", {"logGroupName": group, "logStreamName": "s",
                                                  "logEvents": [{"message": "m"}]})

    @rule(key=keys, step=SHORT, group=GROUPS, n=st.integers(1, 4))
    def associate_and_write(self, key: str, step: int, group: str, n: int) -> None:
        """Writes before, inside and after a propagation window: several shapes in a group."""
        self.put_log_events(step, group, n)
        self.associate_logs(key, step, group)
        self.put_log_events(step, group, n)

    @rule(key=keys, step=SHORT)
    def associate_dataset(self, key: str, step: int) -> None:
        self.call(step, "cloudwatch:AssociateDatasetKmsKey", {"DatasetIdentifier": "default",
                                                               "KmsKeyArn": key})

    @rule(step=SHORT)
    def disassociate_dataset(self, step: int) -> None:
        self.call(step, "cloudwatch:DisassociateDatasetKmsKey", {"DatasetIdentifier": "default"})

    @rule(step=SHORT, n=st.integers(1, 3))
    def put_metric_data(self, step: int, n: int) -> None:
        for _ in range(n):
            self.call(step, "cloudwatch:PutMetricData", {
                "Namespace": "Shop", "MetricData": [{"MetricName": "m", "Value": 1.0}]})

    @rule(step=SHORT, group=GROUPS)
    def query(self, step: int, group: str) -> None:
        t = (self.s.now + step) // 1000
        self.call(step, "logs:StartQuery", {"logGroupName": group, "startTime": t - 86400,
                                            "endTime": t + 60, "queryString": "fields @message"})

    @rule(step=SHORT, group=GROUPS, days=st.sampled_from([1, 3]))
    def retention(self, step: int, group: str, days: int) -> None:
        self.call(step, "logs:PutRetentionPolicy", {"logGroupName": group,
                                                    "retentionInDays": days})

    @rule(step=SHORT, group=GROUPS, later=SHORT)
    def delete_group(self, step: int, group: str, later: int) -> None:
        """Delete a group (its data is gone) and make it again, empty, a bit later."""
        self.call(step, "logs:DeleteLogGroup", {"logGroupName": group})
        self.call(later, "logs:CreateLogGroup", {"logGroupName": group})
        self.call(0, "logs:CreateLogStream", {"logGroupName": group, "logStreamName": "s"})

    @rule(duration=st.one_of(st.integers(1, 3 * HOUR), st.integers(1, 8 * DAY)))
    def advance(self, duration: int) -> None:
        self.s.advance(duration)

    @invariant()
    def per_shape_answers_equal_per_item_answers(self) -> None:
        s = self.s
        moments = [s.now, s.now + 2 * MINUTE, s.start + (s.now - s.start) // 2, s.now + 8 * DAY]
        for t in moments:
            world = s.timeline.world_at(t)
            items = list(world.iter_items())
            for who in (ROOT, READER, SERVICES[0]):
                shaped = decrypt.Answers(world, who)
                assert [shaped(i) for i in items] == \
                    [decrypt.decryptability(world, i, who) for i in items], (t, who)
        before, after = s.timeline.world_at(moments[2]), s.timeline.world_at(s.now)
        old, new = item_statuses(before, READER), item_statuses(after, READER)
        naive = {seq for seq in old.keys() | new.keys()
                 if old.get(seq, (0, 0, None))[2] != new.get(seq, (0, 0, None))[2]}
        assert {c.item.seq for c in item_changes(before, after, READER)} == naive
        # A checkpoint at every event: items below a checkpoint are the store's rows.
        with mock.patch.object(checkpoints, "BYTES_PER_EVENT", 1 << 30):
            dense = Timeline(s.timeline.profile, s.timeline.settings, s.timeline.start,
                             s.timeline.events, every=1)
        for world in (dense.world_at(moments[2]), dense.world_at(s.now),
                      dense.world_at(s.now + 8 * DAY)):
            # Counted from the store's columns (nothing listed) as item by item (a copy).
            for who in (ROOT, READER):
                fast = walk(world, who, ALL, _nothing, list_limit=0)
                assert fast.docs() == walk(world.clone(), who, ALL, _nothing).docs(), who
                assert fast.count() == sum(1 for _ in world.iter_items())
        doc = answers_at(after, READER)
        counts: dict[str, dict[str, int]] = {}
        for i in doc["items"]:
            counts.setdefault(i["resource"], dict.fromkeys(("yes", "no", "maybe", "gone"), 0))
            counts[i["resource"]][i["status"]] += 1
        assert {r["resource"]: r["status"] for r in doc["resources"] if r["items"]} == counts


class ShapedAnswersOtherAssumptions(ShapedAnswers):
    """The same under the assumptions' alternatives that read items differently."""

    ASSUMPTIONS = {"ds_release": "lifted", "logs_reader": "caller", "ingest_unusable_key": "store",
                   "ds_window_readers": "under-key"}


class ShapedAnswersKept(ShapedAnswers):
    """... and with data kept bound to a disassociated key, windows settling at their end."""

    ASSUMPTIONS = {"ds_release": "kept", "propagation": "max"}


for machine in (ShapedAnswers, ShapedAnswersOtherAssumptions, ShapedAnswersKept):
    machine.TestCase.settings = settings(
        max_examples=12, stateful_step_count=30, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TestShapedAnswers = ShapedAnswers.TestCase
TestShapedAnswersOtherAssumptions = ShapedAnswersOtherAssumptions.TestCase
TestShapedAnswersKept = ShapedAnswersKept.TestCase

"""``kmsim timeline`` on logs too big to answer item by item.

The page answers once per group of like items (``sim.timeline_answers``); these tests
check that those answers are the ones ``decryptability`` gives item by item at every
moment (on scenarios whose items are deleted, expire, or fall in uncertain windows, and
again with the tracking of a big log forced on them), that the work grows with the
groups and moments and not with the items, and that a 200,000-event log makes a page of
bounded size that renders in headless Chromium.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from support import ALLOW_ALL_JSON

import sim.timeline_answers as answers_mod
import sim.timeline_moments as moments_mod
from events.logfile import LogWriter
from sim.loading import load_timeline
from sim.simulator import Simulator
from sim.timeline_html import TimelinePage, write_page
from sim.timeline_moments import world_at

ROOT = Path(__file__).resolve().parent.parent
#: Scenarios whose items end (deleted, retention, query expiry), or depend on when they
#: were written (dataset windows), or on uncertain propagation.
SCENARIOS = ["logs-retention-frees-old-key", "logs-query-results-key",
             "logs-key-deleted-forever", "logs-disable-while-propagating",
             "dataset-release-needs-cloudwatch", "dataset-window-uncertain"]
CHROMIUM = next((p for p in (shutil.which(n) for n in (
    "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")) if p), None)


def _truth(page: TimelinePage) -> list[dict[int, str]]:
    """Per moment of the page: seq -> status, asked of every item one by one."""
    out = []
    for t, n in page.moments:
        w = world_at(page.tl, t, n)
        out.append({i.seq: page.s.answer(w, i).status for i in w.iter_items()})
    return out


def _status(data: dict, answer: int) -> str:
    return "future" if answer == -1 else data["answers"][answer][0]


def _per_resource(data: dict, m: int) -> tuple[dict[int, dict[str, int]], dict[int, bool]]:
    """The page's roll-up at moment ``m``: resource -> status -> count, and exactness."""
    counts: dict[int, dict[str, int]] = {}
    exact: dict[int, bool] = {}
    for g, (res, _keys, _size, _tracked) in enumerate(data["groups"]):
        u = data["uniform"][m][g]
        parts, ok = ([[u, data["present"][m][g]]], True) if u >= 0 else \
            ([], True) if u == -1 else (data["mixed"][m][str(g)][1],
                                        bool(data["mixed"][m][str(g)][0]))
        exact[res] = exact.get(res, True) and ok
        for ai, c in parts:
            st = "unknown" if ai == -1 else data["answers"][ai][0]
            counts.setdefault(res, {})[st] = counts.setdefault(res, {}).get(st, 0) + c
    return counts, exact


def _check_against_truth(page: TimelinePage) -> int:
    """Every tracked item's answer, and every exact roll-up, equals the item-by-item truth;
    returns how many roll-ups were exact."""
    data = page.moment_data()
    truth = _truth(page)
    resources = [r[1] for r in data["resources"]]
    exact_seen = 0
    for m, answers in enumerate(truth):
        for seq, _label, _res, _written, _g, runs in data["items"]:
            ai = -1
            for at, a in runs:
                if at <= m:
                    ai = a
            assert _status(data, ai) == answers.get(seq, "future"), (page.moments[m], seq)
        counts, exact = _per_resource(data, m)
        w = world_at(page.tl, *page.moments[m])
        want: dict[int, dict[str, int]] = {}
        for item in w.iter_items():
            ri = resources.index(item.resource)
            want.setdefault(ri, {})[answers[item.seq]] = \
                want.setdefault(ri, {}).get(answers[item.seq], 0) + 1
        for ri in set(want) | set(counts):
            assert sum(counts.get(ri, {}).values()) == sum(want.get(ri, {}).values())
            if exact.get(ri, True):
                exact_seen += 1
                assert counts.get(ri, {}) == want.get(ri, {}), (page.moments[m], ri)
    return exact_seen


@pytest.mark.parametrize("name", SCENARIOS)
def test_group_answers_are_the_item_answers(name: str) -> None:
    page = TimelinePage(load_timeline(str(ROOT / "scenarios" / f"{name}.toml")))
    assert page.groups, "the scenario writes data items"
    assert _check_against_truth(page) > 0


def mixed_log(path: Path) -> Path:
    """Groups of many items that end in every way: a retention of one day (they expire
    after the last event), a deleted group, a key change with an uncertain window, and
    the key disabled for a while."""
    sim = Simulator(default_principal="admin")
    sim.principal("admin", policy=ALLOW_ALL_JSON)
    policy = (ROOT / "scenarios/policies/logs-and-cloudwatch.json").read_text()
    k1 = sim.call("kms:CreateKey", {"Policy": policy}).get("KeyMetadata.Arn")
    k2 = sim.call("kms:CreateKey", {"Policy": policy}).get("KeyMetadata.Arn")
    for name in ("app", "old", "moving"):
        assert sim.call("logs:CreateLogGroup", {"logGroupName": name, "kmsKeyId": k1}).ok
        sim.call("logs:CreateLogStream", {"logGroupName": name, "logStreamName": "s"})
    for minute in range(1, 41):
        at = f"+{minute}m"
        if minute == 5:
            sim.call("logs:PutRetentionPolicy", {"logGroupName": "app", "retentionInDays": 1},
                     at=at)
        if minute == 10:
            assert sim.call("logs:AssociateKmsKey", {"logGroupName": "moving",
                                                     "kmsKeyId": k2}, at=at).ok
        if minute == 20:
            assert sim.call("logs:DeleteLogGroup", {"logGroupName": "old"}, at=at).ok
        if minute in (25, 35):
            op = "kms:DisableKey" if minute == 25 else "kms:EnableKey"
            assert sim.call(op, {"KeyId": k1}, at=at).ok
        for name in ("app", "moving") if minute >= 20 else ("app", "old", "moving"):
            r = sim.call("logs:PutLogEvents", {"logGroupName": name, "logStreamName": "s",
                                               "logEvents": [{"message": at}]}, at=at)
            assert r.ok or minute in range(25, 35), r.event.out
    sim.save(path)
    sim.close()
    return path


@pytest.mark.parametrize("sampled", [False, True])
def test_groups_that_end_every_way(tmp_path: Path, monkeypatch, sampled: bool) -> None:
    """All items tracked: every answer exact. A big log's tracking (two items per group):
    tracked items still exact, and every roll-up not marked estimated exact."""
    if sampled:
        monkeypatch.setattr(answers_mod, "LIST_ALL", 0)
        monkeypatch.setattr(answers_mod, "TRACK_MAX", 1)
        monkeypatch.setattr(answers_mod, "TRACK_MIN", 2)
    page = TimelinePage(load_timeline(str(mixed_log(tmp_path / "mixed.kmlog"))))
    assert {g.ended for g in page.groups} == {True, False} and page.dues
    assert any(len(g.tracked) < len(g.seqs) for g in page.groups) == sampled
    assert _check_against_truth(page) > 0


def big_log(path: Path, events: int, groups: int = 20, flip_every: int = 35_000) -> Path:
    """A log of ``events`` events made fast: the setup and one write per group through the
    Simulator, then copies of those writes with new numbers and times, and every
    ``flip_every`` events a recorded DisableKey or EnableKey of the key half the groups
    use (so their answers change over time)."""
    sim = Simulator(default_principal="admin")
    sim.principal("admin", policy=ALLOW_ALL_JSON)
    k1 = sim.call("kms:CreateKey", {}).get("KeyMetadata.Arn")
    k2 = sim.call("kms:CreateKey", {}).get("KeyMetadata.Arn")
    for key in (k1, k2):
        doc = json.loads(sim.call("kms:GetKeyPolicy", {"KeyId": key, "PolicyName": "default"})
                         .get("Policy"))
        doc["Statement"].append({"Effect": "Allow", "Principal": {
            "Service": "logs.us-east-1.amazonaws.com"}, "Action": "kms:*", "Resource": "*"})
        sim.call("kms:PutKeyPolicy", {"KeyId": key, "PolicyName": "default",
                                      "Policy": json.dumps(doc)})
    writes = []
    for g in range(groups):
        name = f"g{g:02d}"
        key = k1 if g % 2 else k2
        assert sim.call("logs:CreateLogGroup", {"logGroupName": name, "kmsKeyId": key}).ok
        sim.call("logs:CreateLogStream", {"logGroupName": name, "logStreamName": "s"})
        r = sim.call("logs:PutLogEvents", {"logGroupName": name, "logStreamName": "s",
                                           "logEvents": [{"message": "hello"}]})
        assert r.ok, r.event.out
        writes.append(r.event)
    flips = [sim.call(op, {"KeyId": k2}).event for op in ("kms:DisableKey", "kms:EnableKey")]
    assert all(e.ok for e in flips)
    head, t = sim.events, sim.now
    with LogWriter.create(str(path), sim.header(), sync="none") as w:
        w.append_many(head)
        for seq in range(len(head) + 1, events + 1):
            t += 10
            if seq % flip_every == 0:
                base = flips[(seq // flip_every - 1) % 2]  # disable first
                w.append(replace(base, seq=seq, t=t))
            else:
                base = writes[seq % groups]
                w.append(replace(base, seq=seq, t=t, req={
                    **base.req, "logEvents": [{"message": f"line {seq}"}]}))
    sim.close()
    return path


def test_the_work_grows_with_groups_and_moments_not_items(tmp_path: Path, monkeypatch) -> None:
    calls = 0
    real = answers_mod.Session.answer

    def counting(self, world, item, principal=None):
        nonlocal calls
        calls += 1
        return real(self, world, item, principal)

    loaded = load_timeline(str(big_log(tmp_path / "m.kmlog", 6000, flip_every=1000)))
    monkeypatch.setattr(answers_mod.Session, "answer", counting)
    page = TimelinePage(loaded)
    page.moment_data()
    items = sum(len(g.seqs) for g in page.groups)
    assert items > 5000 and len(page.groups) == 20
    assert calls <= len(page.groups) * len(page.moments)  # not items x moments
    assert len(page.moments) >= moments_mod.MIN_MOMENTS


def test_a_200k_event_log_is_a_bounded_page(tmp_path: Path) -> None:
    log = big_log(tmp_path / "big.kmlog", 200_000)
    page = TimelinePage(load_timeline(str(log)), at="+20m5ms")
    out = write_page(page, tmp_path / "big.html")
    size = out.stat().st_size
    assert size <= 10_000_000
    html = out.read_text(encoding="utf-8")
    data = json.loads(re.search(r"const D = (\{.*?\});\n", html, re.S).group(1))
    assert len(data["moments"]) <= moments_mod.MAX_MOMENTS
    assert data["lanes"] and data["eventBuckets"], "dense lanes are buckets"
    assert not data["eventsAll"] and len(data["events"]) < 5000
    # --at is a moment of its own, named where it falls
    t, n, *_rest, desc = data["moments"][data["initial"]]
    assert t - data["start"] == 20 * 60_000 + 5  # events are 10 ms apart: between two
    assert desc == f"+20m5ms (between #{n} and #{n + 1})"
    # the written counts are exact: one write per event but the setup and the flips
    counts, exact = _per_resource(data, data["initial"])
    assert all(exact.values())
    head = next(e.seq for e in page.tl.events if e.op == "kms:EnableKey")
    assert sum(sum(c.values()) for c in counts.values()) == 20 + n - head - n // 35_000
    # half the groups use the key that is flipped: disabled at +20m (third flip) and at
    # the end (fifth), enabled at the start
    for m in (data["initial"], len(data["moments"]) - 1):
        assert {st for c in _per_resource(data, m)[0].values() for st in c} == {"yes", "no"}
    assert {st for c in _per_resource(data, 1)[0].values() for st in c} == {"yes"}
    if CHROMIUM is None:
        pytest.skip("no chromium binary found (apt-get install -y chromium)")
    shot = tmp_path / "big.png"
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile'}",
         "--window-size=1400,900", f"--screenshot={shot}", out.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert shot.exists() and shot.stat().st_size > 20_000, result.stderr[-2000:]
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", out.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, cwd=tmp_path).stdout
    # the script coloured the buckets for the opening moment: some yes, some no
    assert 'class="bk st-yes"' in dom and 'class="bk st-no"' in dom

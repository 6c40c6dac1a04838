"""``kmsim replay`` names what differs (the field and both values) and summarises repeated
differences; the benchmark log is what the simulator records, so it replays clean."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from bench_support import bench_log as load_bench_log
from scenario_support import run_cli

from events.codec import encode_event
from events.logfile import LogWriter, read_log
from sim.replay import Difference, summarise

bench_log = load_bench_log()




@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "bench.kmlog"
    bench_log.generate(str(path), 1500, groups=10)
    return path


def test_the_bench_log_is_what_the_simulator_records(bench: Path, tmp_path: Path) -> None:
    exact = tmp_path / "exact.kmlog"
    bench_log.generate(str(exact), 1500, groups=10, exact=True)
    (h1, fast), (h2, slow) = read_log(bench), read_log(exact)
    assert h1 == h2 and len(fast) == len(slow) == 1500
    assert [encode_event(e) for e in fast] == [encode_event(e) for e in slow]
    ops = {e.op for e in fast}
    assert {"logs:PutLogEvents", "kms:DisableKey", "kms:EnableKey"} <= ops
    assert any(not e.ok for e in fast)  # a refused call too


def test_the_bench_log_replays_clean_and_names_its_keys(bench: Path) -> None:
    code, out, _ = run_cli("replay", str(bench))
    assert code == 0 and out == "replayed 1,500 events under profile seed: every outcome " \
        "matches\n"
    code, out, _ = run_cli("at", str(bench), "+1s", "--json")
    assert code == 0
    doc = json.loads(out)
    assert {k["name"] for k in doc["keys"]} == {"k1", "k2"}
    assert doc["principal"].endswith(":role/Admin")


def _tampered(bench: Path, tmp_path: Path) -> Path:
    """Every PutLogEvents recorded with another nextSequenceToken, one DisableKey refused."""
    header, events = read_log(bench)
    out = []
    disabled = False
    for e in events:
        if e.op == "logs:PutLogEvents":
            e = replace(e, out={"ok": True, "res": {"nextSequenceToken": "0" * 56}})
        elif e.op == "kms:DisableKey" and not disabled:
            disabled = True
            e = replace(e, out={"ok": False, "err": "DisabledException", "msg": "x",
                                "rule": "R-X-01"})
        out.append(e)
    path = tmp_path / "tampered.kmlog"
    with LogWriter.create(path, header, sync="none") as w:
        w.append_many(out)
    return path


def test_repeated_differences_are_grouped_with_counts_and_examples(bench: Path,
                                                                   tmp_path: Path) -> None:
    path = _tampered(bench, tmp_path)
    data = sum(e.op == "logs:PutLogEvents" for e in read_log(path)[1])
    code, out, _ = run_cli("replay", str(path))
    lines = out.splitlines()
    assert code == 1
    assert lines[0] == f"replayed 1,500 events under profile seed: {data + 1:,} differ, 2 kinds"
    assert lines[1] == f"  {data:,} x logs:PutLogEvents: another nextSequenceToken"
    # an example names the field and both values
    assert "with another nextSequenceToken: recorded '" + "0" * 56 + "', replay gives '" in \
        lines[2]
    assert lines[5] == f"      ... {data - 3:,} more (--all lists every one)"
    assert lines[6] == "  1 x kms:DisableKey: recorded DisabledException (R-X-01), replay " \
        "gives ok"
    assert len(lines) == 8
    code, out, _ = run_cli("replay", str(path), "--all")  # each one as it is found
    every = out.splitlines()
    assert code == 1 and len(every) == 1 + (data + 1) + 1
    assert every[-1] == lines[0]
    code, out, _ = run_cli("replay", str(path), "--json")
    doc = json.loads(out)
    assert doc["events"] == 1500 and len(doc["differences"]) == data + 1
    assert [(g["op"], g["field"], g["count"]) for g in doc["summary"]] == [
        ("logs:PutLogEvents", "nextSequenceToken", data), ("kms:DisableKey", "outcome", 1)]
    first = doc["differences"][0]
    assert first["field"] == "nextSequenceToken" and first["recorded_value"] == "0" * 56
    assert first["replayed_value"] == f"{first['seq']:056d}"


def test_difference_paths_and_values() -> None:
    ok = {"ok": True, "res": {"KeyMetadata": {"KeyState": "Enabled", "Extra": [1, 2]}}}
    d = Difference(1, 0, "kms:DescribeKey", ok,
                   {"ok": True, "res": {"KeyMetadata": {"KeyState": "Disabled"}}})
    assert d.path == "KeyMetadata.KeyState" and d.values() == ("Enabled", "Disabled")
    missing = Difference(2, 0, "kms:DescribeKey", ok,
                         {"ok": True, "res": {"KeyMetadata": {"KeyState": "Enabled"}}})
    assert missing.path == "KeyMetadata.Extra"
    assert missing.describe().endswith("recorded [1, 2], replay gives (absent)")
    refused = Difference(3, 0, "kms:EnableKey", {"ok": False, "err": "A", "rule": "R-1"},
                         {"ok": False, "err": "B", "rule": "R-2"})
    assert refused.path == "error" and refused.values() == ("A (R-1)", "B (R-2)")
    groups = summarise([d, missing, d, refused], keep=1)
    assert [(g.kind[1], g.count, [x.seq for x in g.examples]) for g in groups] == [
        ("KeyMetadata.KeyState", 2, [1]), ("KeyMetadata.Extra", 1, [2]), ("error", 1, [3])]

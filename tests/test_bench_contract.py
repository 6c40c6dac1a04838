"""``python bench/run.py --json`` prints the benchmark contract (SPEC 11): one JSON object
with every figure, each measured on the path users run and reported next to its target.
Run here at a tiny size: what is checked is the document, not the machine's speed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ["replay_vs_decode", "asof_median_ms", "asof_speedup", "append_eps", "peak_rss_mb",
            "cli_at_first_s", "cli_at_again_s", "cli_at_rss_mb", "timeline_1m_s",
            "timeline_1m_mb", "inproc_vs_stub"]
VERBS = {"at", "explain", "diff", "history", "timeline", "log verify", "replay"}


def test_run_json_quick_prints_the_contract(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--json", "--quick", "--events",
         "1500", "--answers", "10", "--naive", "1", "--dir", str(tmp_path), "--quiet"],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)  # one JSON object, nothing else on stdout
    assert doc["events"] == 1500
    for key in CONTRACT:
        assert key in doc, key
    for key in [*CONTRACT, "inproc_fixture_ms"]:  # every figure was measured
        assert isinstance(doc[key], int | float) and doc[key] > 0, (key, doc[key])
    assert doc["targets"]["inproc_vs_stub"]["value"] == doc["inproc_vs_stub"]
    # the product path: kmsim itself, each verb in its own process, with its own peak RSS
    assert set(doc["verbs"]) >= VERBS
    for name in VERBS:
        run = doc["verbs"][name]
        assert run["exit"] == 0, (name, run)
        assert run["command"].startswith("kmsim ") and run["rss_mb"] > 10, (name, run)
    assert doc["cli_at_command"].startswith("kmsim at LOG ")
    assert doc["verbs"]["timeline"]["s"] == doc["timeline_1m_s"]
    page = (tmp_path / "timeline.html").stat().st_size
    assert abs(doc["timeline_1m_mb"] * 2**20 - page) < 2**20 / 1000  # MB, to 3 decimals
    # every target is reported with its value and a verdict
    targets = doc["targets"]
    for key in ("replay_vs_decode", "asof_median_ms", "asof_speedup", "cli_at_again_s",
                "cli_at_rss_mb", "timeline_1m_s", "timeline_1m_mb", "peak_rss_mb"):
        t = targets[key]
        assert t["value"] == doc[key] and t["target"].startswith(("<=", ">=")), (key, t)
        assert isinstance(t["pass"], bool), (key, t)
    assert targets["cli_at_rss_mb"]["pass"] is (doc["cli_at_rss_mb"] <= 200)
    for name in VERBS:
        assert f"verb_rss_mb[{name}]" in targets
    assert doc["passed"] is all(t["pass"] is not False for t in targets.values())

"""The crash-and-load driver (bench/stress_crash.py) as a bounded test: a server killed
with SIGKILL under a mixed load of 8 clients loses no acknowledged event, answers no 5xx,
and resumes its log. KMSIM_STRESS_ROUNDS runs more rounds."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "stress_crash", Path(__file__).resolve().parents[1] / "bench" / "stress_crash.py")
assert spec and spec.loader
stress_crash = sys.modules["stress_crash"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(stress_crash)


def test_sigkill_under_load_loses_no_acknowledged_event() -> None:
    rounds = int(os.environ.get("KMSIM_STRESS_ROUNDS", "3"))
    summary = stress_crash.run(rounds=rounds, clients=8, seconds=20, seed=1)
    assert summary["problems"] == []
    assert summary["errors_5xx"] == []
    assert summary["acknowledged"] >= 20 * rounds  # the load really ran
    assert summary["refused"] > 0                 # malformed bodies were among it
    assert summary["events_in_log"] >= summary["acknowledged"]

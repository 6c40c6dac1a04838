"""SPEC 8's example scenario, as the SPEC writes it, runs and passes (its stream is created
before PutLogEvents, R-LOGS-39)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sim.runner import run_file

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT.parent / "shared" / "SPEC.md"


def _example() -> str:
    section = SPEC.read_text(encoding="utf-8").split("## 8. Scenario files", 1)[1]
    found = re.search(r"```toml\n(.*?)```", section, re.S)
    assert found, "SPEC 8 holds a toml example"
    return found.group(1)


@pytest.mark.skipif(not SPEC.exists(), reason="the shared SPEC is not beside this checkout")
def test_spec_8_example_runs_as_written(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "scenarios" / "policies", tmp_path / "policies")
    path = tmp_path / "spec8.toml"
    path.write_text(_example(), encoding="utf-8")
    report = run_file(path)
    assert report.passed, report
    assert any(s.call == "logs:CreateLogStream" for s in report.steps)

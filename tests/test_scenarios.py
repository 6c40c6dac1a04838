"""Every scenario in scenarios/ runs and passes (SPEC 2: every one runs in tests).

The files are globbed at collection time, so scenarios added by anyone are picked up.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.runner import run_file

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
FILES = sorted([*SCENARIOS.glob("*.toml"), *SCENARIOS.glob("*.py")])


def test_there_are_scenarios() -> None:
    names = {p.name for p in FILES}
    assert "quickstart.toml" in names
    assert len([n for n in names if n.startswith("lifecycle-") and n.endswith(".toml")]) >= 4


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_scenario_passes(path: Path) -> None:
    report = run_file(path)
    problems = [f"line {s.line}: {s.call} gave {s.outcome}, expected {s.expected} {s.message}"
                for s in report.steps if not s.ok]
    problems += [f"line {c.line}: {f}" for c in report.checks for f in c.failures]
    assert report.passed, "\n".join(problems)
    assert report.steps or report.checks, "a scenario that does nothing teaches nothing"

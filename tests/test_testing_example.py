"""docs/examples/ is a user's test module (issue 12): CI runs it with pytest, in a child
process, with the kmsim plugin loaded by its entry point as a user's suite loads it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("boto3")
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"


def test_the_documented_example_module_passes(tmp_path):
    modules = sorted(EXAMPLES.glob("test_*.py"))
    assert modules, "docs/examples/ has no test module"
    run = subprocess.run([sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-p",
                          "no:cacheprovider", *map(str, modules)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert " passed" in run.stdout and "skipped" not in run.stdout, run.stdout

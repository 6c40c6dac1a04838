"""The code is ruff clean and follows the dependency direction sim -> projections -> events."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(package: str) -> set[tuple[str, str]]:
    out = set()
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                out.add((str(path.relative_to(ROOT)), node.module.split(".")[0]))
            elif isinstance(node, ast.Import):
                out.update((str(path.relative_to(ROOT)), a.name.split(".")[0])
                           for a in node.names)
    return out


def test_events_import_neither_sim_nor_projections() -> None:
    bad = [(f, m) for f, m in _imports("events") if m in ("sim", "projections")]
    assert bad == []


def test_projections_never_import_sim() -> None:
    bad = [(f, m) for f, m in _imports("projections") if m == "sim"]
    assert bad == []


def test_ruff_clean() -> None:
    ruff = shutil.which("ruff")
    cmd = [ruff] if ruff else [sys.executable, "-m", "ruff"]
    try:
        result = subprocess.run([*cmd, "check", "sim", "events", "projections", "tests",
                                 "bench"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        pytest.skip("ruff is not installed (pip install '.[test]' installs it)")
    assert result.returncode == 0, result.stdout + result.stderr

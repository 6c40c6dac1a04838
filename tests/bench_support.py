"""The benchmark log's generator (``bench/bench_log.py``, a script, not a package) for tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def bench_log() -> ModuleType:
    """``bench/bench_log.py`` as a module (``generate``, ``bench_events``)."""
    spec = importlib.util.spec_from_file_location("bench_log", ROOT / "bench" / "bench_log.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

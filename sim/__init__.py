"""kmsim's command side: the Simulator facade, services, scenarios, CLI.

``Simulator`` and ``CallResult`` are imported on first use, so a command that only reads a log
(``kmsim at LOG``) does not load every service at start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.simulator import CallResult, Simulator

__all__ = ["CallResult", "Simulator"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("sim.simulator"), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")

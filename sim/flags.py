"""Values of command-line flags that several verbs share (``--set``), parsed in one place."""

from __future__ import annotations

import re

from sim.errors import InputError


def parse_set(values: list[str]) -> dict[str, str]:
    """``--set name=value`` flags as a mapping; a malformed one is an InputError."""
    out = {}
    for item in values:
        m = re.fullmatch(r"\s*([A-Za-z0-9_-]+)\s*=\s*(.+?)\s*", item)
        if not m:
            raise InputError(f"bad --set {item!r}", None, None, "write --set name=value, e.g. "
                             "--set propagation=instant")
        out[m.group(1)] = m.group(2)
    return out

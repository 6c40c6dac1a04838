"""Scenario files (SPEC 8, a contract): load, validate, and turn into a plan of steps and checks.

Every input problem is an :class:`InputError` with the file, the line and a hint. This
module reads the file and parses its TOML; ``sim.scenario.validate`` checks the tables and
builds the :class:`Scenario`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.scenario.files import MAX_SCENARIO_BYTES, RefusedFile, decode_text, read_regular
from sim.scenario.lines import Loader
from sim.scenario.validate import Scenario, build

#: How deeply tables and arrays may nest (the code that walks them recurses).
MAX_DEPTH = 32


def _depth(data: Any) -> int:
    """How deeply arrays and tables nest in ``data`` (an explicit stack: no recursion)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        children = value.values() if isinstance(value, dict) else value
        stack.extend((v, depth + 1) for v in children if isinstance(v, dict | list))
    return deepest


def read_scenario_text(p: Path) -> str:
    """The text of a scenario file: a regular UTF-8 file of at most MAX_SCENARIO_BYTES."""
    try:
        return decode_text(read_regular(p, MAX_SCENARIO_BYTES))
    except RefusedFile as exc:
        raise InputError(f"cannot read scenario: {exc}", str(p), exc.line, exc.hint) from None


def _toml_error_line(exc: tomllib.TOMLDecodeError, text: str) -> int:
    """The line tomllib names; at the end of the document, the last line."""
    m = re.search(r"at line (\d+)", str(exc))
    if m:
        return int(m.group(1))
    return max(1, text.count("\n") + (0 if text.endswith("\n") else 1))


def load_scenario(path: str | Path, allow_outside_files: bool = False) -> Scenario:
    """Read and validate a TOML scenario file. ``@file`` references outside the file's
    folder are refused unless ``allow_outside_files``."""
    p = Path(path)
    text = read_scenario_text(p)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at_end = "end of document" in str(exc)
        raise InputError(f"TOML syntax error: {exc}", str(p), _toml_error_line(exc, text),
                         "an unclosed quote, bracket or multi-line string earlier in the file?"
                         if at_end else
                         "check quotes, brackets and that each key = value is on its own line"
                         ) from None
    except RecursionError:
        data = None
    if data is None or _depth(data) > MAX_DEPTH:
        raise InputError("TOML nested too deeply", str(p), None,
                         f"arrays and tables nest at most {MAX_DEPTH} levels") from None
    return build(Loader(p, text, allow_outside_files), data)

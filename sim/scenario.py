"""Scenario files (SPEC 8, a contract): load, validate, and turn into a plan of steps and checks.

Every input problem is an :class:`InputError` with the file, the line and a hint.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from events.timefmt import TimeSyntaxError, format_time, parse_duration, parse_rfc3339
from sim.clock import check_time
from sim.errors import InputError
from sim.scenario_files import (
    MAX_REF_BYTES,
    MAX_SCENARIO_BYTES,
    RefusedFile,
    decode_text,
    read_regular,
    resolve_ref,
)
from sim.scenario_lines import SourceLines, TableLines, scan

SCENARIO_KEYS = {"name", "start", "account", "region", "profile", "principal", "description",
                 "seed"}
PRINCIPAL_KEYS = {"arn", "policy"}
STEP_KEYS = {"at", "call", "args", "as", "region", "save", "label", "expect"}
CHECK_KINDS = ("decryptable", "key_state", "association")
CHECK_KEYS = {"at", "as", *CHECK_KINDS}
TOP_KEYS = {"scenario", "assumptions", "principals", "step", "check"}
VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
#: How deeply tables and arrays may nest (the code that walks them recurses).
MAX_DEPTH = 32


@dataclass
class StepSpec:
    """One ``[[step]]``: when, what, as whom, and what to expect."""

    line: int
    index: int
    at: str
    t: int
    call: str
    args: dict
    as_: str | None = None
    region: str | None = None
    save: dict[str, str] = field(default_factory=dict)
    label: str | None = None
    expect: str = "ok"


@dataclass
class CheckSpec:
    """One ``[[check]]``: at a moment, as a principal, the expected answers."""

    line: int
    index: int
    at: str
    t: int | None
    through_seq: int | None
    as_: str | None
    expected: dict[str, dict[str, str]]


@dataclass
class Scenario:
    """A loaded, validated scenario file."""

    file: str
    name: str
    start: int
    account: str
    region: str
    profile: str
    principal: str | None
    seed: int
    assumptions: dict[str, str]
    principals: dict[str, tuple[str, str | None]]
    steps: list[StepSpec]
    checks: list[CheckSpec]
    description: str = ""


def _hint_for(word: str, choices: set[str] | list[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1)
    if close and len(choices) > 12:
        return f"did you mean {close[0]!r}?"
    base = f"allowed: {', '.join(sorted(choices))}"
    return f"did you mean {close[0]!r}? ({base})" if close else base


class _Loader:
    def __init__(self, path: Path, text: str, allow_outside: bool = False) -> None:
        self.path = path
        self.file = str(path)
        self.lines: SourceLines = scan(text)
        self.allow_outside = allow_outside

    def error(self, msg: str, line: int | None, hint: str | None = None) -> InputError:
        return InputError(msg, self.file, line, hint)

    def time(self, value: Any, start: int, where: TableLines, key: str = "at",
             allow_seq: bool = False) -> tuple[str, int | None, int | None]:
        line = where.of(key)
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                raise self.error(f"time {value} has no time zone", line,
                                 "write UTC times with a Z, e.g. 2026-01-01T00:05:00Z")
            value = value.isoformat().replace("+00:00", "Z")
        if not isinstance(value, str):
            raise self.error(f"{key} must be a string time, not {value!r}", line,
                             'write "+5m", "2026-01-01T00:05:00Z" or "#N"')
        s = value.strip()
        try:
            if s.startswith("+"):
                t = start + parse_duration(s[1:])
                check_time(t, f"{key} {s}")
                return s, t, None
            if s.startswith("#"):
                if not allow_seq:
                    raise self.error(f"a step cannot run at {s}", line,
                                     "event numbers exist only once the timeline has run: "
                                     "give steps a +OFFSET or an RFC 3339 time")
                if not (s[1:].isascii() and s[1:].isdigit()) or int(s[1:]) < 1:
                    raise TimeSyntaxError(f"bad event reference {s!r}: write #N, N >= 1")
                return s, None, int(s[1:])
            t = parse_rfc3339(s)
            check_time(t, f"{key} {s}")
            if t < start:
                raise self.error(f"time {s} is before the scenario's start {format_time(start)}",
                                 line, "steps and checks happen at or after [scenario] start")
            return s, t, None
        except TimeSyntaxError as exc:
            raise self.error(str(exc), line,
                             'times are "+5m" (offset from start), RFC 3339 UTC, or "#N"'
                             ) from None

    def string(self, table: dict, key: str, where: TableLines, default: Any = None,
               required: bool = False) -> Any:
        value = table.get(key, default)
        if value is None and required:
            raise self.error(f"missing {key!r}", where.of(), f"add {key} = \"...\"")
        if value is not None and not isinstance(value, str):
            raise self.error(f"{key} must be a string, not {type(value).__name__}",
                             where.of(key), f'quote it: {key} = "..."')
        return value

    def file_ref(self, value: str, line: int) -> str:
        if value.startswith("@@"):
            return value[1:]
        try:
            real = resolve_ref(self.path.parent, value[1:], self.allow_outside)
            return decode_text(read_regular(real, MAX_REF_BYTES), binary_ok=False)
        except RefusedFile as exc:
            hint = exc.hint
            if "No such file" in str(exc):
                hint = "@file paths are relative to the scenario file; write @@ for a literal @"
            raise self.error(f"cannot read {_shown(value)}: {exc}", line, hint) from None

    def expand_files(self, value: Any, line: int) -> Any:
        if isinstance(value, str) and value.startswith("@"):
            return self.file_ref(value, line)
        if isinstance(value, dict):
            return {k: self.expand_files(v, line) for k, v in value.items()}
        if isinstance(value, list):
            return [self.expand_files(v, line) for v in value]
        if isinstance(value, dt.datetime | dt.date | dt.time):
            return value.isoformat().replace("+00:00", "Z")
        return value


def variables_in(value: Any) -> set[str]:
    """Names of ``${name}`` references anywhere in a value."""
    if isinstance(value, str):
        return set(VAR.findall(value))
    if isinstance(value, dict):
        return set().union(*(variables_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(variables_in(v) for v in value)) if value else set()
    return set()


def _depth(data: Any) -> int:
    """How deeply arrays and tables nest in ``data`` (an explicit stack: no recursion)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        children = value.values() if isinstance(value, dict) else value
        stack.extend((v, depth + 1) for v in children if isinstance(v, dict | list))
    return deepest


def _shown(value: str, limit: int = 80) -> str:
    """A value for an error message: unprintable characters escaped, long ones cut."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)
    return text if len(text) <= limit else text[:limit] + "..."


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
    from sim.scenario_validate import build  # the second half, kept in its own module

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
    loader = _Loader(p, text, allow_outside_files)
    return build(loader, data)

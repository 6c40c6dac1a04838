"""Line numbers for a TOML scenario: tomllib gives none, so the source is scanned.

Only what error messages need: the line of each ``[[step]]`` / ``[[check]]`` table,
the line of each key inside one, and the line of a top-level table header; the
:class:`Loader` that reads a table's values and names those lines in its errors; and the
"did you mean" hint for an unknown name.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from events.timefmt import TimeSyntaxError, check_time, format_time, parse_duration, parse_rfc3339
from sim.errors import InputError
from sim.scenario.files import MAX_REF_BYTES, RefusedFile, decode_text, read_regular, resolve_ref

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*')\s*=")


@dataclass
class TableLines:
    """Where one table starts and where each of its keys is."""

    line: int
    keys: dict[str, int] = field(default_factory=dict)
    #: Sub-tables written as their own ``[step.args]`` table, by key.
    subs: dict[str, TableLines] = field(default_factory=dict)

    def of(self, key: str | None = None) -> int:
        """The line of ``key`` in this table, or of the table header."""
        return self.keys.get(key, self.line) if key else self.line

    def of_member(self, key: str, member: str) -> int:
        """The line of ``member`` of the sub-table ``key`` (``args``), or of ``key``."""
        sub = self.subs.get(key)
        return sub.of(member) if sub else self.of(key)


@dataclass
class SourceLines:
    """Lines of the tables of one scenario file."""

    tables: dict[str, TableLines] = field(default_factory=dict)
    arrays: dict[str, list[TableLines]] = field(default_factory=dict)

    def table(self, name: str) -> TableLines:
        """A ``[name]`` table (line 1 when absent)."""
        return self.tables.get(name, TableLines(1))

    def item(self, array: str, index: int) -> TableLines:
        """The ``index``-th ``[[array]]`` table."""
        items = self.arrays.get(array, [])
        return items[index] if index < len(items) else TableLines(1)


def scan(text: str) -> SourceLines:
    """Scan TOML source for table headers and the keys under them."""
    out = SourceLines()
    current = TableLines(1)
    out.tables[""] = current
    in_multiline: str | None = None
    # Lines end at "\n" only, as tomllib counts them (str.splitlines would also split at
    # U+2028, U+0085 and others, which TOML strings may hold).
    for number, raw in enumerate(text.split("\n"), start=1):
        if in_multiline:
            if in_multiline in raw:
                in_multiline = None
            continue
        m = _HEADER.match(raw)
        if m and not _KEY.match(raw):
            name = m.group(2).strip().replace('"', "").replace("'", "")
            current = TableLines(number)
            parent, _, sub = name.rpartition(".")
            if m.group(1) == "[[":
                out.arrays.setdefault(name, []).append(current)
            elif parent in out.arrays and sub:
                # [step.args] under a [[step]]: its keys are the last step's args
                out.arrays[parent][-1].keys.setdefault(sub, number)
                out.arrays[parent][-1].subs[sub] = current
            else:
                out.tables[name] = current
            continue
        k = _KEY.match(raw)
        if k:
            current.keys.setdefault(k.group(1).strip("\"'"), number)
            for quote in ('"""', "'''"):
                if raw.count(quote) == 1:
                    in_multiline = quote
    return out


def hint_for(word: str, choices: set[str] | list[str]) -> str:
    """A hint for an unknown ``word``: the closest of ``choices``, and all of them when few."""
    close = difflib.get_close_matches(word, sorted(choices), n=1)
    if close and len(choices) > 12:
        return f"did you mean {close[0]!r}?"
    base = f"allowed: {', '.join(sorted(choices))}"
    return f"did you mean {close[0]!r}? ({base})" if close else base


class Loader:
    """Reads the values of one scenario file's tables; its errors name the file and line."""

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


def _shown(value: str, limit: int = 80) -> str:
    """A value for an error message: unprintable characters escaped, long ones cut."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)
    return text if len(text) <= limit else text[:limit] + "..."

"""Line numbers for a TOML scenario: tomllib gives none, so the source is scanned.

Only what error messages need: the line of each ``[[step]]`` / ``[[check]]`` table,
the line of each key inside one, and the line of a top-level table header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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

"""The one place verbs print tables, headings and statuses to stdout.

On a terminal (stdout a TTY, ``NO_COLOR`` unset, ``TERM`` not ``dumb``) output goes through
``rich``: tables with borders, coloured statuses. Otherwise (a pipe, a file, a test, or
``NO_COLOR`` set) it is plain text with no ANSI codes at all: aligned columns that ``grep``,
``awk`` and tests read. ``FORCE_COLOR`` (rich's own variable) forces the terminal form.

    from sim import console
    console.heading("3 keys")
    console.table(["key", "state"], [("k1", "Enabled"), ("k2", "Disabled")])
    console.echo("  " + console.status_word("yes"))

A table of more rows than ``RICH_ROWS`` is printed in the plain form (coloured on a
terminal) as rows arrive, so a million-row answer costs no more memory than a page of it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

#: Above this many rows a table is streamed in the plain layout (rich lays a table out whole).
RICH_ROWS = 1000
#: Rows whose widths decide the plain layout's columns (later rows do not move them).
WIDTH_ROWS = 1000

#: The colour of a value wherever it appears as a table cell or a status word.
STATUS_STYLES = {
    "yes": "green", "ok": "green", "OK": "bold green", "passed": "green", "PASS": "bold green",
    "Enabled": "green", "active": "green",
    "no": "red", "failed": "red", "FAIL": "bold red", "DAMAGED": "bold red", "error": "red",
    "Disabled": "yellow", "maybe": "yellow", "PendingDeletion": "magenta",
    "PendingImport": "yellow", "Unavailable": "red", "Deleted": "dim",
    "gone": "dim", "pending": "cyan",
}


@dataclass(frozen=True)
class Column:
    """A table column: its header, alignment and (on a terminal) its style."""

    header: str
    justify: str = "left"  # "left" or "right"
    style: str | None = None
    #: Colour each cell by its value (``STATUS_STYLES``), as a status column wants.
    statuses: bool = False
    #: On a terminal: wrap cells longer than this (None: rich decides).
    max_width: int | None = None
    #: On a terminal: never wrap this column's cells (ids, times, codes); others give way.
    no_wrap: bool = False


@dataclass(frozen=True)
class Link:
    """A cell that names a page: ``text <url>`` in plain text, ``text`` as a hyperlink on a
    terminal (where the address would take more room than the name). ``after`` follows it."""

    text: str
    url: str
    after: str = ""

    def __str__(self) -> str:
        return f"{self.text} <{self.url}>{self.after}"


def styled(stream: Any = None) -> bool:
    """Whether output to ``stream`` (default stdout) gets colour and rich tables."""
    env = os.environ
    if env.get("FORCE_COLOR"):
        return True
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    stream = sys.stdout if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


_consoles: dict[int, Any] = {}


def rich_console(stream: Any = None) -> Any:
    """The rich Console writing to ``stream`` (default: the current sys.stdout), one per
    stream: tests and redirections replace sys.stdout, so it is looked up per call."""
    stream = sys.stdout if stream is None else stream
    found = _consoles.get(id(stream))
    if found is None or found.file is not stream:
        from rich.console import Console  # only a terminal needs rich loaded

        found = _consoles[id(stream)] = Console(file=stream, highlight=False)
    return found


def echo(text: str = "", style: str | None = None) -> None:
    """Print one line (``style``: a rich style, used on a terminal only)."""
    if style and styled():
        rich_console().print(text, style=style, markup=False, highlight=False,
                             soft_wrap=True)
    else:
        print(text)


def heading(text: str) -> None:
    """A heading line: bold on a terminal, the text as it is otherwise."""
    echo(text, style="bold")


def status_style(value: str) -> str | None:
    """The style of a status cell: ``STATUS_STYLES`` of the value or of its first word
    (``Deleted (R-KMS-10)``), red for an AWS error code (``NotFoundException (R-KMS-13)``)."""
    found = STATUS_STYLES.get(value)
    if found is None and value:
        first = value.split(" ", 1)[0]
        found = STATUS_STYLES.get(first)
        if found is None and first.endswith(("Exception", "Error", "Fault")):
            found = "red"
    return found


def status_word(word: str) -> str:
    """``word`` with its colour as ANSI codes on a terminal (``status_style``), else as is.

    For embedding a coloured status in a line printed with ``echo``/``print``."""
    style = status_style(word)
    if not style or not styled():
        return word
    from rich.style import Style

    return Style.parse(style).render(word, color_system=rich_console().color_system)


def _columns(columns: Sequence[str | Column]) -> list[Column]:
    return [c if isinstance(c, Column) else Column(c) for c in columns]


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def plain_lines(columns: Sequence[str | Column], rows: Iterable[Sequence[object]], *,
                indent: int = 2, header: bool = True, colour: bool = False) -> Iterable[str]:
    """The plain layout of a table, line by line: columns two spaces apart, widths from the
    first ``WIDTH_ROWS`` rows, the last column unpadded. ``colour`` paints status cells."""
    cols = _columns(columns)
    it = iter(rows)
    head = [[_cell(v) for v in row] for row in islice(it, WIDTH_ROWS)]
    widths = [len(c.header) if header else 0 for c in cols]
    for row in head:
        for i, value in enumerate(row[:len(cols)]):
            widths[i] = max(widths[i], len(value))
    pad = " " * indent

    def render(cells: Sequence[str], paint: bool) -> str:
        parts = []
        last = len(cells) - 1
        for i, (value, col) in enumerate(zip(cells, cols, strict=False)):
            width = widths[i] if i < last else 0
            text = value.rjust(width) if col.justify == "right" else value.ljust(width)
            if paint and col.statuses and value and status_style(value):
                text = text.replace(value, status_word(value), 1)
            parts.append(text)
        return (pad + "  ".join(parts)).rstrip()

    if header:
        yield render([c.header for c in cols], False)
    for row in head:
        yield render(row, colour)
    for row in it:
        yield render([_cell(v) for v in row], colour)


def table(columns: Sequence[str | Column], rows: Iterable[Sequence[object]], *,
          title: str | None = None, indent: int = 2, header: bool = True) -> None:
    """Print a table: ``columns`` are headers (or ``Column``s), ``rows`` sequences of cells
    (any value; None prints empty). A rich table on a terminal, aligned plain text otherwise.

    ``rows`` may be a generator: at most ``RICH_ROWS`` + 1 rows are held at once."""
    it = iter(rows)
    if not styled():
        if title:
            print(title)
        for line in plain_lines(columns, it, indent=indent, header=header):
            print(line)
        return
    first = list(islice(it, RICH_ROWS + 1))
    if len(first) > RICH_ROWS:  # too long to lay out whole: stream the plain layout, coloured
        if title:
            heading(title)
        for line in plain_lines(columns, _chain(first, it), indent=indent, header=header,
                                colour=True):
            print(line)
        return
    from rich import box
    from rich.padding import Padding
    from rich.table import Table

    cols = _columns(columns)
    t = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_header=header,
              header_style="bold", pad_edge=False, highlight=False)
    for c in cols:
        t.add_column(c.header, justify=c.justify, style=c.style,  # type: ignore[arg-type]
                     max_width=c.max_width, no_wrap=c.no_wrap, min_width=len(c.header),
                     overflow="ellipsis" if c.no_wrap else "fold")
    for row in first:
        t.add_row(*[_styled_cell(v, c) for v, c in zip(row, cols, strict=False)])
    rich_console().print(Padding(t, (0, 0, 0, indent)) if indent else t)


def _styled_cell(value: object, col: Column) -> Any:
    from rich.text import Text

    if isinstance(value, Link):
        return Text.assemble((value.text, f"link {value.url}"), value.after)
    text = _cell(value)
    style = (status_style(text) or "") if col.statuses else ""
    return Text(text, style=style)


def _chain(first: list, rest: Iterable) -> Iterable:
    yield from first
    yield from rest

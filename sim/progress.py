"""Progress of long work on stderr: a bar with rate and ETA when stderr is a terminal,
nothing when it is not (a pipe, a file, a test) or after ``quiet(True)`` (``--quiet``).

Usage::

    with progress(total, "loading", unit="events") as bar:
        for batch in batches:
            ...
            bar.advance(len(batch))

``advance`` is cheap enough to call per batch (every few thousand events); the bar is
redrawn at most a few times a second by rich's own refresh thread, not by ``advance``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

#: Set by ``quiet(True)`` (the CLI's ``--quiet``): no bar at all, even on a terminal.
_QUIET = False
#: Set to 1 to show bars even when stderr is not a terminal (for trying it in a pipe).
FORCE_ENV = "KMSIM_PROGRESS"


class Bar(Protocol):
    """What ``progress`` yields: something to report done work to."""

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more units of work as done."""

    def update_total(self, total: int | None) -> None:
        """Set (or correct) the total once it is known."""


class NullBar:
    """A bar that shows nothing: what ``progress`` yields when no bar is wanted."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = 0

    def advance(self, n: int = 1) -> None:
        """Count ``n`` units (kept so callers and tests can read ``done``)."""
        self.done += n

    def update_total(self, total: int | None) -> None:
        """Nothing to redraw."""


class RichBar:
    """A rich progress task; ``advance`` only records the count the refresh thread draws."""

    def __init__(self, rich_progress: object, task_id: object) -> None:
        self._progress = rich_progress
        self._task = task_id
        self.done = 0

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more units as done."""
        self.done += n
        self._progress.update(self._task, completed=self.done)  # type: ignore[attr-defined]

    def update_total(self, total: int | None) -> None:
        """Set the total (None: unknown, the bar pulses and shows no ETA)."""
        self._progress.update(self._task, total=total)  # type: ignore[attr-defined]


def quiet(value: bool = True) -> None:
    """Turn every progress bar off (``True``) or back on (``False``) for this process."""
    global _QUIET
    _QUIET = bool(value)


def is_quiet() -> bool:
    """Whether ``quiet(True)`` is in force."""
    return _QUIET


def enabled() -> bool:
    """Whether a bar would be drawn now: stderr is a terminal (or forced) and not quiet."""
    if _QUIET:
        return False
    if forced():
        return True
    stream = sys.stderr
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


def forced() -> bool:
    """Whether ``KMSIM_PROGRESS=1`` asks for bars even when stderr is not a terminal."""
    return os.environ.get(FORCE_ENV) == "1"


@contextmanager
def progress(total: int | None, label: str, unit: str = "events") -> Iterator[Bar]:
    """A progress bar for ``total`` units of work (None when unknown) on stderr.

    Yields a ``Bar``; when no bar is wanted (not a terminal, or quiet) it is a ``NullBar``
    and costs one addition per ``advance``. The bar is removed when the block ends,
    whether it ends normally, with an error or with Ctrl-C."""
    if not enabled():
        yield NullBar()
        return
    # Imported here: rich costs ~30 ms to import, which a piped or quiet run never needs.
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Units per second (rich's own speed column counts bytes)."""

        def render(self, task: object) -> Text:
            speed = task.finished_speed or task.speed  # type: ignore[attr-defined]
            return Text(f"{_si(speed)} {unit}/s" if speed else "", style="progress.data.speed")

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn(unit), RateColumn(), TimeElapsedColumn(), TextColumn("ETA"),
               TimeRemainingColumn())
    console = Console(file=sys.stderr, force_terminal=True if forced() else None)
    with Progress(*columns, console=console, transient=True, refresh_per_second=5) as prog:
        yield RichBar(prog, prog.add_task(label, total=total))


@contextmanager
def file_progress(path: str, label: str) -> Iterator[Callable[[int], None]]:
    """:func:`progress` over a file's bytes, in MiB: yields ``advance(offset)`` to call with
    how far into the file the work is (as the log readers report it)."""
    with progress(max(1, os.path.getsize(path) >> 20), label, unit="MiB") as bar:
        shown = 0

        def advance(offset: int) -> None:
            nonlocal shown
            if offset >> 20 > shown:
                bar.advance((offset >> 20) - shown)
                shown = offset >> 20

        yield advance


def _si(value: float) -> str:
    """``value`` with a k or M suffix: 1234567 -> ``1.2M``."""
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if value >= limit:
            return f"{value / limit:.1f}{suffix}"
    return f"{value:.0f}"

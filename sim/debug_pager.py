"""Long answers of ``kmsim debug`` a page at a time (issue 11).

An answer longer than a page (the terminal's height at the prompt, :data:`SCRIPT_PAGE`
lines in a script) shows its first page and how many lines are left; ``more`` shows the
next page (Enter does too, at the prompt), ``more all`` the rest, and ``--all`` never
cuts. Lines may come from a generator, so a million events are made as they are shown.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterable, Iterator
from typing import IO

from sim.debugger import DebugError

#: Lines of one answer shown at once when commands come from a script (--commands).
SCRIPT_PAGE = 200


class Pager:
    """The paging half of the debug shell (mixed into ``cmd.Cmd``: ``self.stdout``)."""

    stdout: IO[str]
    #: Lines of one answer shown at once (0: never cut; None: the terminal's height).
    page: int | None = None
    _rest: Iterator[str] | None = None  # what `more` shows next
    _left: int | None = None  # how many lines that is, when known

    def say(self, lines: Iterable[str] | str, total: int | None = None) -> None:
        """Print lines to the shell's output, a page at most (:meth:`page_size`); what is
        left waits for ``more``. ``total``: how many lines ``lines`` holds, when it is a
        generator (a list's length is known)."""
        if isinstance(lines, str):
            lines = [lines]
        if total is None and isinstance(lines, list):
            total = len(lines)
        self._rest, self._left = None, None
        self._show(iter(lines), total)

    def write_lines(self, lines: Iterable[str]) -> None:
        """Print lines as they are, never cut (prompts, errors, the pager's own notes)."""
        for line in lines:
            self.stdout.write(line + "\n")

    def page_size(self) -> int:
        """Lines shown at once: ``--page``, else the terminal's height less the prompt's
        lines; 0 never cuts."""
        if self.page is not None:
            return self.page
        return max(10, shutil.get_terminal_size().lines - 3)

    def _show(self, lines: Iterator[str], total: int | None, size: int | None = None) -> None:
        size = self.page_size() if size is None else size
        if not size:
            self.write_lines(lines)
            return
        shown = list(itertools.islice(lines, size))
        self.write_lines(shown)
        peek = next(lines, None)
        if peek is None:
            return
        self._rest = itertools.chain([peek], lines)
        self._left = None if total is None else total - len(shown)
        left = "more lines" if self._left is None else f"{self._left:,} more lines"
        self.write_lines([f"-- {left}: type more (the next page), more all (the rest), or "
                          "start kmsim debug with --all --"])

    def do_more(self, arg: str) -> None:
        """more [N|all]: the next page of the last long answer (N lines; all: the rest)."""
        if self._rest is None:
            raise DebugError("nothing more to show", "more goes on with an answer that "
                             "stopped at a page")
        word = arg.strip()
        if word and word != "all" and not (word.isdigit() and int(word) > 0):
            raise DebugError(f"bad count {word!r}", "more, more 50 or more all")
        rest, left = self._rest, self._left
        self._rest, self._left = None, None
        self._show(rest, left, 0 if word == "all" else int(word) if word else None)


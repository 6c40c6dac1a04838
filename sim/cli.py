"""The ``kmsim`` command line (SPEC 9). Each verb lives in its own module under
``sim/commands`` and registers itself with ``register(subparsers)``; this file only
dispatches, turns input errors into exit code 2 with file, line and hint, Ctrl-C into one
line and exit code 130, and any other exception (a kmsim bug) into one line and exit code
70, never 0, 1 or 2. The global flags (``--quiet``, ``--traceback``) are accepted before
or after the verb."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import traceback
import warnings
from pathlib import Path

from projections.rulebook import SettingsError
from sim import progress
from sim.errors import InputError

#: Verb modules, in the order ``kmsim --help`` lists them.
VERBS = ["run", "rules", "ops", "at", "explain", "diff", "history", "replay", "whatif", "debug",
         "timeline", "log", "serve", "clock"]

#: Exit codes: 0, 1 and 2 are SPEC 9's; 70 is EX_SOFTWARE (sysexits.h), kmsim's own bug.
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 70
#: 128 + SIGINT, as a shell reports a command stopped by Ctrl-C.
EXIT_INTERRUPTED = 130
#: Set to 1 to print the traceback of an internal error (as --traceback does).
TRACEBACK_ENV = "KMSIM_TRACEBACK"
EPILOG = (
    "Times: RFC 3339 UTC, +OFFSET from the start (+5m), or #N (just after event N). "
    "Durations: 250ms 90s 5m 3h 7d 1h30m. "
    "Exit codes: 0 passed; 1 an expectation, check or comparison failed; 2 bad input "
    "(file:line: message, then a hint); 70 an internal error of kmsim (a bug: rerun with "
    f"--traceback or {TRACEBACK_ENV}=1 and report it with the input that caused it); "
    "130 interrupted.")


class _Version(argparse.Action):
    """``--version``: read from the package metadata only when asked (importing
    importlib.metadata costs every other call ~10-70 ms of start-up)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS,
                 **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print kmsim's version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(f"kmsim {version()}")  # on stdout, as argparse's own version action
        parser.exit()


def verb_of(argv: list[str]) -> str | None:
    """The verb ``argv`` names (its first word that is not a flag), if it is one of VERBS:
    then only that verb's module is imported, which halves a call's start-up."""
    for arg in argv:
        if arg == "--":
            return None
        if not arg.startswith("-"):
            return arg if arg in VERBS else None
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with every available verb (or only the verb ``only``)."""
    parser = argparse.ArgumentParser(
        prog="kmsim",
        description="Event-sourced simulator of customer managed KMS keys as CloudWatch and "
        "CloudWatch Logs use them. Every call is an event; answers hold for any moment.",
        epilog=EPILOG)
    parser.add_argument("--version", action=_Version)
    parser.add_argument("--traceback", action="store_true",
                        help=f"print the traceback of an internal error (or {TRACEBACK_ENV}=1)")
    parser.add_argument("-q", "--quiet", dest="no_progress", action="store_true",
                        help="no progress bars on stderr (they show only on a terminal anyway)")
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    for verb in [only] if only else VERBS:
        importlib.import_module(f"sim.commands.{verb}").register(sub)
    for verb_parser in _all_parsers(sub):  # the global flags after the verb too
        verb_parser.add_argument("--traceback", action="store_true", default=argparse.SUPPRESS,
                                 help=argparse.SUPPRESS)
        if not _has_option(verb_parser, "--quiet"):  # `run --quiet` has its own (fewer lines)
            verb_parser.add_argument("-q", "--quiet", dest="no_progress", action="store_true",
                                     default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def _all_parsers(sub: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:
    """Every verb's parser and its actions' (``kmsim log verify``), so flags reach them all."""
    found, todo = [], list(sub.choices.values())
    while todo:
        p = todo.pop()
        found.append(p)
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo.extend(action.choices.values())
    return found


def _has_option(parser: argparse.ArgumentParser, option: str) -> bool:
    return any(option in action.option_strings for action in parser._actions)


def version() -> str:
    """The installed kmsim's version (its package metadata), or ``unknown`` when kmsim runs
    from a source tree that was never installed."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version

    try:
        return package_version("kmsim")
    except PackageNotFoundError:
        return "unknown (not installed)"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    try:
        return _main(argv)
    except KeyboardInterrupt:  # Ctrl-C anywhere (parsing, imports, a verb): one line, no trace
        return interrupted()


def interrupted() -> int:
    """Report Ctrl-C in one line; exit code 130."""
    with contextlib.suppress(OSError, ValueError):  # stderr closed: the exit code says it
        print("kmsim: interrupted", file=sys.stderr)
    return EXIT_INTERRUPTED


def _main(argv: list[str] | None) -> int:
    given = sys.argv[1:] if argv is None else argv
    try:
        parser = build_parser(verb_of(given))
    except Exception as exc:  # a verb module that does not import: kmsim's bug, exit 70
        return internal_error(exc, "--traceback" in given
                              or os.environ.get(TRACEBACK_ENV) == "1")
    args = parser.parse_args(argv)
    progress.quiet(bool(getattr(args, "no_progress", False) or getattr(args, "quiet", False)))
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    warnings.simplefilter("default")
    warnings.formatwarning = lambda msg, cat, *a, **k: f"kmsim: warning: {msg}\n"
    try:
        return int(args.func(args) or 0)
    except (InputError, SettingsError) as exc:
        print(f"kmsim: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return interrupted()
    except Exception as exc:  # a kmsim bug: never 0, 1 or 2, which mean something else
        return internal_error(exc, args.traceback or os.environ.get(TRACEBACK_ENV) == "1")


def internal_error(exc: BaseException, show_traceback: bool) -> int:
    """Report an unexpected exception in one line (or with its traceback); exit code 70."""
    if show_traceback:
        traceback.print_exception(exc, file=sys.stderr)
    where = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    at = f" (at {Path(where[0].filename).name}:{where[0].lineno})" if where else ""
    message = " ".join(str(exc).split())[:300]
    print(f"kmsim: internal error: {type(exc).__name__}: {message}{at}", file=sys.stderr)
    if not show_traceback:
        print(f"  this is a bug in kmsim: rerun with --traceback (or {TRACEBACK_ENV}=1) and "
              "report it with the input that caused it", file=sys.stderr)
    return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())

"""The ``kmsim`` command line (SPEC 9). Each verb lives in its own module under
``sim/commands`` and registers itself with ``register(subparsers)``; this file only
dispatches, turns input errors into exit code 2 with file, line and hint, and any other
exception (a kmsim bug) into one line and exit code 70, never 0, 1 or 2."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
import warnings
from pathlib import Path

from projections.rulebook import SettingsError
from sim.errors import InputError

#: Verb modules, in the order ``kmsim --help`` lists them.
VERBS = ["run", "rules", "at", "explain", "diff", "history", "replay", "whatif", "debug",
         "timeline", "log", "serve", "clock"]

#: Exit codes: 0, 1 and 2 are SPEC 9's; 70 is EX_SOFTWARE (sysexits.h), kmsim's own bug.
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 70
#: Set to 1 to print the traceback of an internal error (as --traceback does).
TRACEBACK_ENV = "KMSIM_TRACEBACK"
EPILOG = (
    "Times: RFC 3339 UTC, +OFFSET from the start (+5m), or #N (just after event N). "
    "Durations: 250ms 90s 5m 3h 7d 1h30m. "
    "Exit codes: 0 passed; 1 an expectation, check or comparison failed; 2 bad input "
    "(file:line: message, then a hint); 70 an internal error of kmsim (a bug: rerun with "
    f"--traceback or {TRACEBACK_ENV}=1 and report it with the input that caused it); "
    "130 interrupted.")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available verb."""
    parser = argparse.ArgumentParser(
        prog="kmsim",
        description="Event-sourced simulator of customer managed KMS keys as CloudWatch and "
        "CloudWatch Logs use them. Every call is an event; answers hold for any moment.",
        epilog=EPILOG)
    parser.add_argument("--traceback", action="store_true",
                        help=f"print the traceback of an internal error (or {TRACEBACK_ENV}=1)")
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    for verb in VERBS:
        importlib.import_module(f"sim.commands.{verb}").register(sub)
    for verb_parser in sub.choices.values():  # --traceback after the verb too
        verb_parser.add_argument("--traceback", action="store_true", default=argparse.SUPPRESS,
                                 help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
        return 130
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

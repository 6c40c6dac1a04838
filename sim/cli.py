"""The ``kmsim`` command line (SPEC 9). Each verb lives in its own module under
``sim/commands`` and registers itself with ``register(subparsers)``; this file only
dispatches and turns input errors into exit code 2 with file, line and hint."""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings

from projections.rulebook import SettingsError
from sim.errors import InputError

#: Verb modules, in the order ``kmsim --help`` lists them.
VERBS = ["run", "rules", "at", "explain", "diff", "history", "replay", "whatif", "debug",
         "timeline", "log", "serve"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available verb."""
    parser = argparse.ArgumentParser(
        prog="kmsim",
        description="Event-sourced simulator of customer managed KMS keys as CloudWatch and "
        "CloudWatch Logs use them. Every call is an event; answers hold for any moment.",
        epilog="Times: RFC 3339 UTC, +OFFSET from the start (+5m), or #N (just after event N). "
        "Durations: 250ms 90s 5m 3h 7d 1h30m.")
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    for verb in VERBS:
        try:
            module = importlib.import_module(f"sim.commands.{verb}")
        except ModuleNotFoundError as exc:
            if exc.name == f"sim.commands.{verb}":
                continue  # a verb not built yet is simply not offered
            raise
        module.register(sub)
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
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

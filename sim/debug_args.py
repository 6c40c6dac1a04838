"""Reading ``kmsim debug`` command lines: words, ``--flag`` options, counts, calls."""

from __future__ import annotations

import shlex

from sim.debugger import DebugError
from sim.errors import InputError
from sim.whatif import parse_step

__all__ = ["count_arg", "parse_call", "split_options"]


def count_arg(arg: str) -> int:
    """A command's count of events (default 1)."""
    s = arg.strip()
    if not s:
        return 1
    if not s.isdigit() or int(s) < 1:
        raise DebugError(f"bad count {s!r}", "a whole number of events, e.g. step 3")
    return int(s)


def split_options(arg: str, flags: tuple[str, ...] = ("--as",),
                  bools: tuple[str, ...] = ("--json",)) -> tuple[list[str], dict]:
    """Words of a command line, its ``--flag VALUE`` options and its boolean ``bools``."""
    try:
        words = shlex.split(arg)
    except ValueError as exc:
        raise DebugError(f"cannot read {arg!r}: {exc}", "close the quotes") from None
    rest, opts = [], {}
    while words:
        w = words.pop(0)
        if w in bools:
            opts[w[2:]] = True
        elif w in flags:
            if not words:
                raise DebugError(f"{w} needs a value", f"{w} NAME")
            opts[w[2:]] = words.pop(0)
        elif w.startswith("--"):
            raise DebugError(f"unknown option {w}", "options: " + ", ".join((*flags, *bools)))
        else:
            rest.append(w)
    return rest, opts


def parse_call(text: str, names: dict[str, str]) -> tuple[str, dict]:
    """``'CALL ARGS'`` as :func:`sim.whatif.parse_step` reads it; besides, a value that is
    one of ``names`` (a key's short name as ``state`` shows it, or a scenario's saved name
    such as ``k1``) means what it names (the key's ARN)."""
    s = text.strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        s = s[1:-1].strip()
    try:
        step = parse_step(s, names)
    except InputError as exc:
        raise DebugError(exc.message, exc.hint or "fork 'kms:CancelKeyDeletion KeyId=k1'"
                         ) from None
    return step.call, {k: names.get(v, v) if isinstance(v, str) else v
                       for k, v in step.args.items()}

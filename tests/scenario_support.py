"""Helpers for the scenario input tests: a base scenario, variants of it, in-process runs."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "scenarios" / "quickstart.toml"

# The fixtures' TOML is built from these pieces, one table at a time: a test that names a
# line keeps its text byte for byte by composing the same pieces in the same order.

def table(header: str, *lines: str) -> str:
    """One TOML table: its header line, then its lines."""
    return "\n".join((header, *lines)) + "\n"


def toml(*tables: str) -> str:
    """Tables one blank line apart."""
    return "\n".join(tables)


def head(name: str, *lines: str) -> str:
    """The ``[scenario]`` table: its name, then ``lines``."""
    return table("[scenario]", f'name = "{name}"', *lines)


def step(at: str, call: str, *lines: str) -> str:
    """A ``[[step]]``: when, the call, then ``lines`` (args, save, expect...)."""
    return table("[[step]]", f'at = "{at}"', f'call = "{call}"', *lines)


def check(at: str, *lines: str) -> str:
    """A ``[[check]]``: when, then what is expected."""
    return table("[[check]]", f'at = "{at}"', *lines)


START = 'start = "2026-01-01T00:00:00Z"'
AS_ADMIN = 'principal = "admin"'
ADMIN = table("[principals.admin]", 'arn = "arn:aws:iam::111122223333:role/Admin"',
              "policy = '''{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
              "\"Action\":\"*\",\"Resource\":\"*\"}]}'''")
READER = table("[principals.reader]", 'arn = "arn:aws:iam::111122223333:role/Reader"')
#: Creates a key and saves its ARN as ``${k1}``.
CREATE_KEY = step("+0s", "kms:CreateKey", 'save = { k1 = "KeyMetadata.Arn" }')


def disable_key(*lines: str) -> str:
    """A minute in, the step that disables ``${k1}``, then ``lines``."""
    return step("+1m", "kms:DisableKey", 'args = { KeyId = "${k1}" }', *lines)


# Line numbers matter: the tests name them. 1 [scenario], 6 [principals.admin],
# 10 [principals.reader], 13 CreateKey, 18 DisableKey (its call 20), 23 [[check]].
BASE = toml(head("base", START, AS_ADMIN), ADMIN, READER, CREATE_KEY, disable_key(),
            check("+2m", 'key_state = { k1 = "Disabled" }'))


def variant(changes: dict[int, str | None]) -> str:
    """BASE with line N replaced (text may hold several lines; None deletes it)."""
    lines = BASE.splitlines()
    for number in sorted(changes, reverse=True):
        new = changes[number]
        if new is None:
            del lines[number - 1]
        else:
            lines[number - 1:number] = new.split("\n")
    return "\n".join(lines) + "\n"


def run_cli(*argv: str | list[str], err: io.StringIO | None = None) -> tuple[int, str, str]:
    """Run ``kmsim`` in-process: (exit code, stdout, stderr). The arguments are given one by
    one or as one list; ``err``: a stream to capture stderr in (a fake terminal)."""
    args = list(argv[0]) if len(argv) == 1 and isinstance(argv[0], list) else list(argv)
    out, err = io.StringIO(), err or io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def bad_input(tmp_path: Path, text: str, line: int | None, *extra: str,
              contains: str = "") -> str:
    """Run the text as a scenario; assert exit 2 with ``file:line:`` and a hint."""
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    code, _, err = run_cli(["run", str(path), *extra])
    assert code == 2, err
    where = f"{path}:{line}: " if line else f"{path}: "
    assert where in err, err
    assert "\n  hint: " in err, err
    assert "Traceback" not in err
    assert contains in err, err
    return err

"""Helpers for the scenario input tests: a base scenario, variants of it, in-process runs."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "scenarios" / "quickstart.toml"

# Line numbers matter: the tests name them.
BASE = """\
[scenario]
name = "base"
start = "2026-01-01T00:00:00Z"
principal = "admin"

[principals.admin]
arn = "arn:aws:iam::111122223333:role/Admin"
policy = '''{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'''

[principals.reader]
arn = "arn:aws:iam::111122223333:role/Reader"

[[step]]
at = "+0s"
call = "kms:CreateKey"
save = { k1 = "KeyMetadata.Arn" }

[[step]]
at = "+1m"
call = "kms:DisableKey"
args = { KeyId = "${k1}" }

[[check]]
at = "+2m"
key_state = { k1 = "Disabled" }
"""


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


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """Run ``kmsim`` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
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

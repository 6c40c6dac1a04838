"""``kmsim run --log L`` never destroys what it should not (issue 8): a log another process
is writing, a file that is not a kmsim log, or the old log of a run that then fails."""

from __future__ import annotations

import contextlib
import io
import select
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from scenario_support import CREATE_KEY, QUICKSTART, ROOT, check, head, toml

from events.logfile import LogReader
from sim.cli import main

TINY = toml(head("tiny"), CREATE_KEY, check("+1m", 'key_state = { k1 = "STATE" }'))

#: A second process that writes a log: one event, "ready", then one more event per line
#: read from stdin, holding the writer lock until stdin closes.
WRITER = textwrap.dedent("""
    import sys
    from sim.simulator import Simulator
    sim = Simulator(log=sys.argv[1])
    sim.call("kms:CreateKey", at="+0s")
    print("ready", flush=True)
    for n, _ in enumerate(sys.stdin, start=1):
        sim.call("kms:CreateKey", at=f"+{n}m")
        print("appended", flush=True)
    sim.close()
""")


def run_cli(*argv: str) -> tuple[int, str, str]:
    """Run ``kmsim`` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def _line(child: subprocess.Popen) -> str:
    """The child's next line of output, failing (rather than hanging) after 60 seconds."""
    assert child.stdout is not None
    ready, _, _ = select.select([child.stdout], [], [], 60)
    assert ready, "the writer process said nothing for 60 seconds"
    return child.stdout.readline().strip()


def _ops(path: Path) -> list[str]:
    with LogReader(path) as reader:
        return [e.op for e in reader]


def _no_leftovers(folder: Path, *keep: str) -> None:
    assert sorted(p.name for p in folder.iterdir()) == sorted(keep)


def test_a_log_another_process_is_writing_is_left_alone(tmp_path: Path) -> None:
    log = tmp_path / "live.kmlog"
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(log)], cwd=ROOT, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert child.stdin is not None
        assert _line(child) == "ready"
        before = log.read_bytes()
        code, out, err = run_cli("run", "--log", str(log), str(QUICKSTART))
        assert code == 2 and out == "", err
        assert f"kmsim: error: {log}: --log: another process is writing this log" in err
        assert "hint: stop that process" in err
        assert log.read_bytes() == before
        _no_leftovers(tmp_path, "live.kmlog")
        # the writer goes on, into the same file, and nothing it acknowledged is lost
        child.stdin.write("more\n")
        child.stdin.flush()
        assert _line(child) == "appended"
    finally:
        for pipe in (child.stdin, child.stdout):
            if pipe:
                pipe.close()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            raise
    assert _ops(log) == ["kms:CreateKey", "kms:CreateKey"]
    # once the writer is gone, a run may replace the log
    assert run_cli("run", "--log", str(log), str(QUICKSTART))[0] == 0
    assert _ops(log)[:2] == ["sim:PutPrincipal", "sim:PutPrincipal"]


def test_a_file_that_is_not_a_log_is_not_replaced(tmp_path: Path) -> None:
    important = tmp_path / "important.txt"
    important.write_text("do not lose me\n", encoding="utf-8")
    code, _, err = run_cli("run", str(QUICKSTART), "--log", str(important))
    assert code == 2
    assert f"{important}: --log: not a kmsim log; not replaced" in err and "hint:" in err
    assert important.read_text(encoding="utf-8") == "do not lose me\n"
    _no_leftovers(tmp_path, "important.txt")


def test_a_directory_is_not_a_log(tmp_path: Path) -> None:
    code, _, err = run_cli("run", str(QUICKSTART), "--log", str(tmp_path))
    assert code == 2 and f"{tmp_path}: --log: not a regular file" in err


def test_bad_input_leaves_the_old_log_as_it_was(tmp_path: Path) -> None:
    log = tmp_path / "run.kmlog"
    assert run_cli("run", "--log", str(log), str(QUICKSTART))[0] == 0
    before = log.read_bytes()
    bad = tmp_path / "bad.toml"
    bad.write_text(TINY.replace("kms:CreateKey", "kms:CreateKye"), encoding="utf-8")
    code, _, err = run_cli("run", "--log", str(log), str(bad))
    assert code == 2 and "did you mean 'kms:CreateKey'" in err
    assert log.read_bytes() == before
    _no_leftovers(tmp_path, "run.kmlog", "bad.toml")


def test_a_crash_leaves_the_old_log_as_it_was(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "run.kmlog"
    assert run_cli("run", "--log", str(log), str(QUICKSTART))[0] == 0
    before = log.read_bytes()

    def crash(file: str, profile: object, overrides: object, out: Path, *_: object) -> None:
        Path(out).write_bytes(b"half a log")
        raise RuntimeError("boom")

    monkeypatch.setattr("sim.commands.run.run_file", crash)
    code, _, err = run_cli("run", "--log", str(log), str(QUICKSTART))
    assert code == 70 and "internal error: RuntimeError: boom" in err
    assert log.read_bytes() == before
    _no_leftovers(tmp_path, "run.kmlog")


def test_a_failed_check_still_writes_the_log(tmp_path: Path) -> None:
    log = tmp_path / "run.kmlog"
    log.write_bytes(b"")  # an empty file holds nothing to lose
    failing = tmp_path / "f.toml"
    failing.write_text(TINY.replace("STATE", "Disabled"), encoding="utf-8")
    code, _, _ = run_cli("run", "--log", str(log), str(failing))
    assert code == 1
    assert "kms:CreateKey" in _ops(log)
    _no_leftovers(tmp_path, "run.kmlog", "f.toml")


def test_log_paths_that_cannot_be_written_are_bad_input(tmp_path: Path) -> None:
    code, _, err = run_cli("run", "--log", str(tmp_path / "no" / "such" / "dir.kmlog"),
                           str(QUICKSTART))
    assert code == 2 and "--log: cannot write beside it: No such file or directory" in err
    plain = tmp_path / "plain.txt"
    plain.write_text("x", encoding="utf-8")
    code, _, err = run_cli("run", "--log", str(plain), str(QUICKSTART), str(QUICKSTART))
    assert code == 2 and f"{plain}: cannot make the --log directory" in err
    assert plain.read_text(encoding="utf-8") == "x"

"""``kmsim clock [show|advance|set|reset] --url URL`` (issue 9): it moves a running server's
clock, resets its timeline, and fails with a message, a hint and exit code 2."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from server_support import client, running, serve_process, stop_process

from events.logfile import LogReader
from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["clock", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_show_advance_and_set(capsys) -> None:
    with running() as srv:
        assert _run(capsys, "--url", srv.url) == (0, "2026-01-01T00:00:00Z\n", "")
        client(srv, "kms").create_key()
        assert _run(capsys, "advance", "5m", "--url", srv.url)[:2] == \
            (0, "2026-01-01T00:05:00Z\n")
        assert srv.app.sim.now == 1767225900000
        assert _run(capsys, "set", "+1h", "--url", srv.url)[1] == "2026-01-01T01:00:00Z\n"
        code, out, _ = _run(capsys, "show", "--json", "--url", srv.url + "/")
        assert code == 0 and json.loads(out) == {"now": "2026-01-01T01:00:00Z",
                                                 "ms": 1767229200000, "clock": "sim",
                                                 "speed": 1.0}


def test_url_from_the_environment(capsys, monkeypatch) -> None:
    with running() as srv:
        monkeypatch.setenv("KMSIM_URL", srv.url)
        assert _run(capsys, "advance", "1d")[:2] == (0, "2026-01-02T00:00:00Z\n")


def test_reset(capsys) -> None:
    with running() as srv:
        client(srv, "kms").create_key()
        _run(capsys, "advance", "1h", "--url", srv.url)
        code, out, _ = _run(capsys, "reset", "--url", srv.url)
        assert (code, out) == (0, "reset: 1 events dropped (no --log); "
                                  "now 2026-01-01T00:00:00Z\n")
        assert srv.app.sim.events == []


def test_refusals_are_messages_with_hints(capsys) -> None:
    with running() as srv:
        _run(capsys, "advance", "1h", "--url", srv.url)
        code, out, err = _run(capsys, "set", "2026-01-01T00:00:00Z", "--url", srv.url)
        assert (code, out) == (2, "")
        assert "refused set (400): the simulated clock only moves forward" in err
        assert "hint: times: RFC 3339" in err and "Traceback" not in err
        code, _, err = _run(capsys, "advance", "soon", "--url", srv.url)
        assert code == 2 and "bad duration" in err and "hint: durations:" in err
        assert _run(capsys, "advance", "--url", srv.url)[0] == 2  # no DURATION
        assert _run(capsys, "reset", "now", "--url", srv.url)[0] == 2
        assert srv.app.sim.now == 1767229200000  # none of these moved it
    with pytest.raises(SystemExit) as exc:
        main(["clock", "rewind"])
    assert exc.value.code == 2


def test_a_server_that_is_not_running(capsys) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _, err = _run(capsys, "--url", f"http://127.0.0.1:{port}")
    assert code == 2
    assert f"cannot reach kmsim serve at http://127.0.0.1:{port}" in err
    assert "hint: start it with kmsim serve" in err and "Traceback" not in err
    assert _run(capsys, "--url", "ftp://example")[0] == 2


def test_a_server_verifying_signatures(capsys) -> None:
    with running(secrets={"AKIDGOOD": "s3cret"}, verify=True) as srv:
        code, _, err = _run(capsys, "advance", "5m", "--url", srv.url)
        assert code == 2 and "refused the request (403)" in err
        assert "kmsim clock cannot sign" in err
        assert srv.app.sim.now == 1767225600000


def test_against_kmsim_serve_with_a_log(tmp_path: Path) -> None:
    log = tmp_path / "serve.kmlog"
    proc, srv = serve_process("--log", str(log))
    try:

        def clock(*argv: str) -> str:
            done = subprocess.run([sys.executable, "-m", "sim.cli", "clock", *argv, "--url",
                                   srv.url], cwd=ROOT, capture_output=True, text=True,  # type: ignore[attr-defined]
                                  timeout=60)
            assert done.returncode == 0, done.stderr
            return done.stdout

        kms = client(srv, "kms")  # type: ignore[arg-type]
        kms.create_key()
        assert clock("advance", "90s") == "2026-01-01T00:01:30Z\n"
        kms.list_keys()
        archived = tmp_path / "serve.reset-1.kmlog"
        assert clock("reset") == (f"reset: 2 events kept in {archived}; new log {log}; "
                                  "now 2026-01-01T00:00:00Z\n")
        kms.create_key()
    finally:
        err = stop_process(proc)
    assert "1 events in" in err
    with LogReader(str(archived)) as reader:
        assert [(e.op, e.t) for e in reader] == [("kms:CreateKey", 1767225600000),
                                                 ("kms:ListKeys", 1767225690000)]
    with LogReader(str(log)) as reader:
        assert [e.op for e in reader] == ["kms:CreateKey"]

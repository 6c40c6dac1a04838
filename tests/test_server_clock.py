"""``kmsim serve``'s time and control endpoints, its log, and the command line (SPEC 4, 10)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from freezegun import freeze_time
from server_support import ACCT, ALLOW_ALL, client, json_call, raw, running

from events.logfile import LogReader
from projections.answers import ASSOCIATION_KEYS, DOC_KEYS, KEY_KEYS
from sim.cli import main
from sim.errors import InputError

ROOT = Path(__file__).resolve().parent.parent


def _get(srv, path: str) -> tuple[int, dict]:
    status, _, body = raw(srv, "GET", path)
    return status, json.loads(body)


def _post(srv, path: str, doc: object) -> tuple[int, dict]:
    status, _, body = raw(srv, "POST", path, json.dumps(doc),
                          {"Content-Type": "application/json"})
    return status, json.loads(body)


def test_simulated_time_moves_only_when_told() -> None:
    with running() as srv:
        assert _get(srv, "/_kmsim/clock")[1] == {
            "now": "2026-01-01T00:00:00Z", "ms": 1767225600000, "clock": "sim", "speed": 1.0}
        kms = client(srv, "kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
        status, doc = _post(srv, "/_kmsim/clock", {"advance": "6d23h"})
        assert (status, doc["now"]) == (200, "2026-01-07T23:00:00Z")
        assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "PendingDeletion"
        status, doc = _post(srv, "/_kmsim/clock", {"advance": "1h"})
        assert doc["now"] == "2026-01-08T00:00:00Z"
        with pytest.raises(kms.exceptions.NotFoundException):
            kms.describe_key(KeyId=key)
        assert srv.app.sim.events[-1].t == doc["ms"]  # calls happen at the simulated now
        status, doc = _post(srv, "/_kmsim/clock", {"set": "2026-01-02T00:00:00Z"})
        assert status == 400 and "only moves forward" in doc["message"]
        status, doc = _post(srv, "/_kmsim/clock", {"set": "+10d"})
        assert (status, doc["now"]) == (200, "2026-01-11T00:00:00Z")
        assert _post(srv, "/_kmsim/clock", {"advance": "1h", "set": "+20d"})[0] == 400


def test_at_endpoint_is_the_kmsim_at_document() -> None:
    with running() as srv:
        kms = client(srv, "kms")
        key = kms.create_key()["KeyMetadata"]
        kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
        status, doc = _get(srv, "/_kmsim/at")
        assert status == 200 and tuple(doc) == DOC_KEYS
        assert doc["principal"] == f"arn:aws:iam::{ACCT}:root"
        assert [tuple(k) for k in doc["keys"]] == [KEY_KEYS]
        assert doc["keys"][0]["state"] == "PendingDeletion"
        # the future, without moving the clock: +7d is after the deletion date
        status, doc = _get(srv, "/_kmsim/at?time=+7d")
        assert (doc["time"], doc["keys"][0]["state"]) == ("2026-01-08T00:00:00Z", "Deleted")
        assert _get(srv, "/_kmsim/clock")[1]["now"] == "2026-01-01T00:00:00Z"
        # the past, by event number and by time
        assert _get(srv, "/_kmsim/at?time=%231")[1]["keys"][0]["state"] == "Enabled"
        json_call(srv, "KmsimSim.PutPrincipal", {"Name": "reader", "Policies": [ALLOW_ALL],
                                                  "Arn": f"arn:aws:iam::{ACCT}:role/Reader"})
        status, doc = _get(srv, "/_kmsim/at?as=reader&time=2026-01-01T00:00:00Z")
        assert (status, doc["principal"]) == (200, f"arn:aws:iam::{ACCT}:role/Reader")
        assert all(tuple(a) == ASSOCIATION_KEYS for a in doc["associations"])
        assert _get(srv, "/_kmsim/at?as=nobody")[0] == 400
        assert _get(srv, "/_kmsim/at?time=2025-01-01T00:00:00Z")[0] == 400


def test_events_endpoint_pages_through_the_log() -> None:
    with running() as srv:
        kms = client(srv, "kms")
        for _ in range(3):
            kms.create_key()
        status, doc = _get(srv, "/_kmsim/events")
        assert status == 200 and [e["seq"] for e in doc["events"]] == [1, 2, 3]
        assert set(doc["events"][0]) == {"v", "seq", "t", "op", "actor", "account", "region",
                                         "req", "out", "draws"}
        assert doc["events"][0]["out"]["ok"] is True and doc["last"] == 3
        doc = _get(srv, "/_kmsim/events?after=1&limit=1")[1]
        assert ([e["seq"] for e in doc["events"]], doc["last"], doc["more"]) == ([2], 2, True)
        doc = _get(srv, "/_kmsim/events?after=3")[1]
        assert (doc["events"], doc["last"], doc["more"]) == ([], 3, False)


def test_wall_clock_follows_frozen_time() -> None:
    with freeze_time("2030-06-01T12:00:00Z") as frozen, \
            running(clock="wall", speed=60) as srv:
        assert _get(srv, "/_kmsim/clock")[1]["now"] == "2026-01-01T00:00:00Z"
        kms = client(srv, "kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        frozen.tick(60)  # one wall minute is one simulated hour at speed 60
        doc = _get(srv, "/_kmsim/clock")[1]
        assert (doc["now"], doc["clock"]) == ("2026-01-01T01:00:00Z", "wall")
        kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
        assert srv.app.sim.events[-1].t == doc["ms"]
        frozen.tick(7 * 24 * 60)  # seven simulated days
        with pytest.raises(kms.exceptions.NotFoundException):
            kms.describe_key(KeyId=key)
        _post(srv, "/_kmsim/clock", {"advance": "1d"})  # the control endpoint still works
        assert _get(srv, "/_kmsim/clock")[1]["now"] == "2026-01-09T01:00:00Z"
        frozen.move_to("2030-01-01T00:00:00Z")  # the wall clock going back: time does not
        assert _get(srv, "/_kmsim/clock")[1]["now"] == "2026-01-09T01:00:00Z"


def test_log_records_every_event(tmp_path: Path) -> None:
    path = tmp_path / "serve.kmlog"
    with running(log=path) as srv:
        kms = client(srv, "kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        with pytest.raises(kms.exceptions.NotFoundException):
            kms.describe_key(KeyId="nope")
        kms.disable_key(KeyId=key)
        with LogReader(str(path)) as reader:  # flushed at every append: readable while open
            assert [e.op for e in reader] == ["kms:CreateKey", "kms:DescribeKey",
                                              "kms:DisableKey"]
    with LogReader(str(path)) as reader:
        events = list(reader)
    assert [e.ok for e in events] == [True, False, True]


def test_cli_refuses_bad_flags(capsys) -> None:
    from sim.commands.serve import build

    parser_args = [["--host", "0.0.0.0"], ["--verify-signatures"], ["--speed", "0"],
                   ["--principal", "AKID"], ["--principal", "AKID=alice"],
                   ["--account", "12"], ["--set", "nope=1"], ["--start", "yesterday"]]
    from sim.cli import build_parser

    for extra in parser_args:
        args = build_parser().parse_args(["serve", "--port", "0", *extra])
        with pytest.raises(InputError):
            build(args)
    assert main(["serve", "--host", "10.1.2.3"]) == 2
    assert "--allow-remote" in capsys.readouterr().err


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_cli_serves_until_ctrl_c(tmp_path: Path, stop: int) -> None:
    log = tmp_path / "cli.kmlog"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "serve", "--port", "0", "--log", str(log),
         "--principal", f"AKIDAPP=arn:aws:iam::{ACCT}:role/App"],
        cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert url, line

        class Srv:
            pass

        srv = Srv()
        srv.url = url.group(0)  # type: ignore[attr-defined]
        client(srv, "kms").create_key()  # type: ignore[arg-type]
        proc.send_signal(stop)
        assert proc.wait(timeout=20) == 0
        assert "1 events in" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    with LogReader(str(log)) as reader:
        assert [e.op for e in reader] == ["kms:CreateKey"]


def _serve(*flags: str) -> tuple[subprocess.Popen, object]:
    """``kmsim serve`` in a child process and an object with its ``url``."""
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "serve", "--port", "0", *flags],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    lines = [proc.stderr.readline()]
    if "resumed" in lines[0]:
        lines.append(proc.stderr.readline())
    url = re.search(r"http://127\.0\.0\.1:\d+", lines[-1])
    if not url:
        proc.kill()
        raise AssertionError("".join(lines) + proc.stderr.read())

    class Srv:
        pass

    srv = Srv()
    srv.url = url.group(0)  # type: ignore[attr-defined]
    srv.banner = "".join(lines)  # type: ignore[attr-defined]
    return proc, srv


def _stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=20) == 0
    assert proc.stderr is not None
    with proc.stderr:
        return proc.stderr.read()


def test_resume_continues_the_timeline_of_an_existing_log(tmp_path: Path, capsys) -> None:
    log = str(tmp_path / "serve.kmlog")
    proc, srv = _serve("--log", log, "--profile", "api-2026")
    try:
        kms = client(srv, "kms")  # type: ignore[arg-type]
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.disable_key(KeyId=key)
        _post(srv, "/_kmsim/clock", {"advance": "1h"})
        kms.list_keys()
    finally:
        assert "3 events in" in _stop(proc)
    # without --resume an existing log is refused, and contradicting flags too
    assert main(["serve", "--port", "0", "--log", log]) == 2
    assert "add --resume" in capsys.readouterr().err
    assert main(["serve", "--port", "0", "--log", log, "--resume", "--set",
                 "propagation=instant"]) == 2
    assert "differs from the log's assumptions" in capsys.readouterr().err
    assert main(["serve", "--port", "0", "--log", log, "--resume", "--profile", "seed"]) == 2
    assert "--profile differs from the log's header (api-2026)" in capsys.readouterr().err
    assert main(["serve", "--port", "0", "--resume"]) == 2
    assert "--resume needs --log" in capsys.readouterr().err
    proc, srv = _serve("--log", log, "--resume")
    assert f"resumed 3 events from {log}, now 2026-01-01T01:00:00Z" in srv.banner  # type: ignore[attr-defined]
    try:
        kms = client(srv, "kms")  # type: ignore[arg-type]
        # the key and its state came back, and time resumed at the last event
        assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Disabled"
        assert _get(srv, "/_kmsim/clock")[1]["now"] == "2026-01-01T01:00:00Z"
        kms.enable_key(KeyId=key)
        second = kms.create_key()["KeyMetadata"]["KeyId"]
        assert second != key  # ids keep coming from the log's seed, one per event number
        assert main(["serve", "--port", "0", "--log", log, "--resume"]) == 2
        assert "another kmsim is writing this log" in capsys.readouterr().err
    finally:
        assert "6 events in" in _stop(proc)
    with LogReader(log) as reader:
        assert reader.header.profile == "api-2026"
        events = list(reader)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert [e.op for e in events][3:] == ["kms:DescribeKey", "kms:EnableKey", "kms:CreateKey"]
    assert main(["replay", log]) == 0  # the resumed log re-derives exactly

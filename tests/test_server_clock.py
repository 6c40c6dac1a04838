"""``kmsim serve``'s time and control endpoints, its log, and the command line (SPEC 4, 10)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from freezegun import freeze_time
from server_support import (
    ACCT,
    ALLOW_ALL,
    SERVICES_POLICY,
    client,
    error_of,
    json_call,
    raw,
    running,
    serve_process,
    stop_process,
)

from events.logfile import LogReader
from projections.rulebook import rule
from projections.timetravel.answers import ASSOCIATION_KEYS, DOC_KEYS, KEY_KEYS
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
        # from the last event's instant: each request is 1 ms after the previous (R-SRV-13)
        assert (status, doc["now"]) == (200, "2026-01-07T23:00:00.001Z")
        assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "PendingDeletion"
        status, doc = _post(srv, "/_kmsim/clock", {"advance": "1h"})
        assert doc["now"] == "2026-01-08T00:00:00.001Z"  # the deletion date: it fired
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
        # the future, without moving the clock: +8d is after the deletion date
        status, doc = _get(srv, "/_kmsim/at?time=+8d")
        assert (doc["time"], doc["keys"][0]["state"]) == ("2026-01-09T00:00:00Z", "Deleted")
        assert _get(srv, "/_kmsim/clock")[1]["now"] == "2026-01-01T00:00:00.001Z"
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
    proc, srv = serve_process("--log", str(log),
                              "--principal", f"AKIDAPP=arn:aws:iam::{ACCT}:role/App")
    try:
        client(srv, "kms").create_key()  # type: ignore[arg-type]
    finally:
        err = stop_process(proc, stop)
    assert "1 events in" in err
    with LogReader(str(log)) as reader:
        assert [e.op for e in reader] == ["kms:CreateKey"]


def test_resume_continues_the_timeline_of_an_existing_log(tmp_path: Path, capsys) -> None:
    log = str(tmp_path / "serve.kmlog")
    proc, srv = serve_process("--log", log, "--profile", "api-2026")
    try:
        kms = client(srv, "kms")  # type: ignore[arg-type]
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.disable_key(KeyId=key)
        _post(srv, "/_kmsim/clock", {"advance": "1h"})
        kms.list_keys()
    finally:
        assert "3 events in" in stop_process(proc)
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
    proc, srv = serve_process("--log", log, "--resume")
    assert f"resumed 3 events from {log}, now 2026-01-01T01:00:00.001Z" in srv.banner  # type: ignore[attr-defined]
    try:
        kms = client(srv, "kms")  # type: ignore[arg-type]
        # the key and its state came back, and time resumed at the last event
        assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Disabled"
        # time resumed at the last event; DescribeKey happened 1 ms later
        assert _get(srv, "/_kmsim/clock")[1]["now"] == "2026-01-01T01:00:00.002Z"
        kms.enable_key(KeyId=key)
        second = kms.create_key()["KeyMetadata"]["KeyId"]
        assert second != key  # ids keep coming from the log's seed, one per event number
        assert main(["serve", "--port", "0", "--log", log, "--resume"]) == 2
        assert "another kmsim is writing this log" in capsys.readouterr().err
    finally:
        assert "6 events in" in stop_process(proc)
    with LogReader(log) as reader:
        assert reader.header.profile == "api-2026"
        events = list(reader)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert [e.op for e in events][3:] == ["kms:DescribeKey", "kms:EnableKey", "kms:CreateKey"]
    assert main(["replay", log]) == 0  # the resumed log re-derives exactly


# -- the instant of a request (R-SRV-12 to R-SRV-14) -------------------------------------

START_MS = 1767225600000


def _concurrent(c, value: str = "true"):
    """The client, sending ``x-kmsim-concurrent: VALUE`` with every request."""
    def add(request, **_):
        request.headers["x-kmsim-concurrent"] = value
    c.meta.events.register("before-sign", add)
    return c


def test_sequential_dataset_changes_never_conflict_unless_asked() -> None:
    with running() as srv:
        kms, cw = client(srv, "kms"), client(srv, "cloudwatch")
        key = kms.create_key(Policy=SERVICES_POLICY)["KeyMetadata"]["Arn"]
        cw.associate_dataset_kms_key(DatasetIdentifier="default", KmsKeyArn=key)
        out = cw.disassociate_dataset_kms_key(DatasetIdentifier="default")
        assert out["ResponseMetadata"]["HTTPHeaders"]["x-kmsim-time"] == \
            "2026-01-01T00:00:00.002Z"
        # each request 1 ms after the previous event; the clock is at the last one
        assert [e.t - START_MS for e in srv.app.sim.events] == [0, 1, 2]
        assert [e.ok for e in srv.app.sim.events] == [True, True, True]
        assert _get(srv, "/_kmsim/clock")[1]["ms"] == START_MS + 2
        # asked for: the second change happens at the first one's instant
        cw.associate_dataset_kms_key(DatasetIdentifier="default", KmsKeyArn=key)
        with pytest.raises(ClientError) as exc:
            _concurrent(client(srv, "cloudwatch")).disassociate_dataset_kms_key(
                DatasetIdentifier="default")
        code, status, headers = error_of(exc)
        assert (code, status) == ("ConflictException", 409)
        assert rule(headers["x-kmsim-rule"]).assumption == "A-CONFLICT"
        assert srv.app.sim.events[-1].t == srv.app.sim.events[-2].t == START_MS + 3


def test_sequential_log_group_changes_never_abort_unless_asked() -> None:
    with running() as srv:
        kms, logs = client(srv, "kms"), client(srv, "logs")
        key = kms.create_key(Policy=SERVICES_POLICY)["KeyMetadata"]["Arn"]
        logs.create_log_group(logGroupName="app", kmsKeyId=key)
        logs.disassociate_kms_key(logGroupName="app")
        assert [e.ok for e in srv.app.sim.events] == [True, True, True]
        logs.create_log_group(logGroupName="other", kmsKeyId=key)
        with pytest.raises(ClientError) as exc:
            _concurrent(client(srv, "logs")).disassociate_kms_key(logGroupName="other")
        code, status, headers = error_of(exc)
        assert (code, status) == ("OperationAbortedException", 400)
        assert "concurrent" in rule(headers["x-kmsim-rule"]).cite()


def test_concurrent_request_after_the_clock_moved_happens_at_now() -> None:
    with running() as srv:
        key = client(srv, "kms").create_key(Policy=SERVICES_POLICY)["KeyMetadata"]["Arn"]
        client(srv, "logs").create_log_group(logGroupName="app", kmsKeyId=key)
        _post(srv, "/_kmsim/clock", {"advance": "1m"})
        logs = _concurrent(client(srv, "logs"))
        logs.disassociate_kms_key(logGroupName="app")  # nothing else at that instant
        logs.describe_log_groups()  # concurrent with the disassociation: the same instant
        assert [e.t - START_MS for e in srv.app.sim.events] == [0, 1, 60001, 60001]


def test_a_bad_concurrent_header_is_refused_and_recorded_nowhere() -> None:
    with running() as srv:
        kms = client(srv, "kms")
        kms.create_key()
        with pytest.raises(ClientError) as exc:
            _concurrent(client(srv, "kms"), "yes").list_keys()
        code, status, headers = error_of(exc)
        assert (code, status, headers["x-kmsim-rule"]) == ("ValidationException", 400,
                                                           "R-SRV-14")
        assert len(srv.app.sim.events) == 1
        _concurrent(client(srv, "kms"), "False").list_keys()  # false: an ordinary request
        assert [e.t - START_MS for e in srv.app.sim.events] == [0, 1]


def test_wall_clock_requests_in_one_millisecond_get_their_own_instants() -> None:
    with freeze_time("2030-06-01T12:00:00Z") as frozen, running(clock="wall") as srv:
        kms = client(srv, "kms")
        for _ in range(3):
            kms.create_key()
        assert [e.t - START_MS for e in srv.app.sim.events] == [0, 1, 2]
        assert _get(srv, "/_kmsim/clock")[1]["ms"] == START_MS + 2  # ahead of the wall
        frozen.tick(1)  # the wall clock is now at start + 1 s: far past the last event
        kms.list_keys()
        assert srv.app.sim.events[-1].t == START_MS + 1000


def test_a_call_that_is_not_recorded_does_not_move_the_clock(monkeypatch) -> None:
    import sim.recording

    with running() as srv:
        logs = client(srv, "logs")
        logs.create_log_group(logGroupName="app")
        monkeypatch.setattr(sim.recording, "MAX_FRAME", 200)
        with pytest.raises(ClientError):
            logs.create_log_group(logGroupName="x" * 400)
        assert _get(srv, "/_kmsim/clock")[1]["ms"] == START_MS
        monkeypatch.undo()
        logs.create_log_group(logGroupName="next")
        assert [e.t - START_MS for e in srv.app.sim.events] == [0, 1]


def test_request_step_assumption_spaces_requests() -> None:
    with running(assumptions={"request_step": "step:1s"}) as srv:
        kms = client(srv, "kms")
        for _ in range(3):
            kms.create_key()
        assert [e.t - START_MS for e in srv.app.sim.events] == [0, 1000, 2000]
    from sim.cli import build_parser
    from sim.commands.serve import build

    for bad in ("step:0ms", "step:soon"):
        args = build_parser().parse_args(["serve", "--port", "0", "--set",
                                          f"request_step={bad}"])
        with pytest.raises(InputError, match="request_step"):
            build(args)


def test_ctrl_c_stops_a_server_started_with_sigint_ignored() -> None:
    """A shell starts a background job with SIGINT ignored, and the child inherits that;
    `kmsim serve` says "Ctrl-C stops", so SIGINT must stop it anyway."""
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "serve", "--port", "0"],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        assert proc.stderr is not None
        assert "Ctrl-C stops" in proc.stderr.readline()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)

"""``POST /_kmsim/reset`` (issue 9, SPEC 10, R-SRV-15): a fresh timeline with the same flags;
with ``--log`` the old log is kept as ``STEM.reset-N.kmlog`` and nothing is lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from server_support import ACCT, ALLOW_ALL, START, client, json_call, raw, running

from events.logfile import LogReader
from events.timefmt import parse_rfc3339
from sim.server import KmsimApp, RunningServer
from sim.simulator import Simulator

START_MS = parse_rfc3339(START)
APP_ARN = f"arn:aws:iam::{ACCT}:role/App"


def _reset(srv, body: str = "", headers: dict[str, str] | None = None) -> tuple[int, dict]:
    status, _, data = raw(srv, "POST", "/_kmsim/reset", body, headers)
    return status, json.loads(data)


def _clock(srv) -> dict:
    return json.loads(raw(srv, "GET", "/_kmsim/clock")[2])


def test_reset_in_memory_is_a_fresh_timeline_with_the_same_flags() -> None:
    with running(principals={"AKIDAPP": APP_ARN}, profile="api-2026",
                 assumptions={"propagation": "instant"}) as srv:
        kms = client(srv, "kms")
        first = kms.create_key()["KeyMetadata"]["KeyId"]
        json_call(srv, "KmsimSim.PutPrincipal", {"Name": "reader", "Policies": [ALLOW_ALL],
                                                  "Arn": f"arn:aws:iam::{ACCT}:role/Reader"})
        raw(srv, "POST", "/_kmsim/clock", '{"advance": "2d"}')
        settings = dict(srv.app.sim.settings)
        status, doc = _reset(srv)
        assert status == 200
        assert doc == {"reset": True, "events_before": 2, "previous_log": None, "log": None,
                       "now": START, "ms": START_MS, "clock": "sim", "speed": 1.0}
        assert _clock(srv)["now"] == START
        assert json.loads(raw(srv, "GET", "/_kmsim/events")[2])["events"] == []
        assert json.loads(raw(srv, "GET", "/_kmsim/at")[2])["keys"] == []
        sim = srv.app.sim
        assert (sim.profile, sim.settings, sim.account) == ("api-2026", settings, ACCT)
        # the same seed: the first key of the fresh timeline gets the same id again
        assert kms.create_key()["KeyMetadata"]["KeyId"] == first
        # --principal mappings are flags and stay; sim:PutPrincipal was an event and went
        with pytest.raises(ClientError):  # the role has no identity policy: denied
            client(srv, "kms", akid="AKIDAPP").list_keys()
        assert srv.app.sim.events[-1].actor == APP_ARN
        assert "reader" not in srv.app.sim.names


def test_reset_keeps_the_clock_mode_and_speed() -> None:
    with running(clock="wall", speed=60) as srv:
        client(srv, "kms").create_key()
        status, doc = _reset(srv)
        assert (status, doc["clock"], doc["speed"], doc["events_before"]) == (200, "wall",
                                                                            60.0, 1)
        assert (srv.app.clock.mode, srv.app.clock.speed) == ("wall", 60.0)


def test_reset_with_a_log_keeps_every_old_log(tmp_path: Path) -> None:
    path = tmp_path / "serve.kmlog"
    with running(log=path) as srv:
        kms = client(srv, "kms")
        kms.create_key()
        kms.list_keys()
        status, doc = _reset(srv, "{}")
        first = str(tmp_path / "serve.reset-1.kmlog")
        assert (status, doc["events_before"], doc["previous_log"], doc["log"]) == \
            (200, 2, first, str(path))
        kms.create_key()
        status, doc = _reset(srv)
        assert doc["previous_log"] == str(tmp_path / "serve.reset-2.kmlog")
        kms.list_keys()
    with LogReader(first) as reader:
        assert [e.op for e in reader] == ["kms:CreateKey", "kms:ListKeys"]
    with LogReader(str(tmp_path / "serve.reset-2.kmlog")) as reader:
        assert [(e.seq, e.op) for e in reader] == [(1, "kms:CreateKey")]
    with LogReader(str(path)) as reader:
        assert reader.header.start == START_MS
        assert [(e.seq, e.op) for e in reader] == [(1, "kms:ListKeys")]


def test_reset_of_a_log_without_events_keeps_no_copy(tmp_path: Path) -> None:
    path = tmp_path / "serve.kmlog"
    with running(log=path) as srv:
        raw(srv, "POST", "/_kmsim/clock", '{"advance": "1h"}')
        status, doc = _reset(srv)
        assert (status, doc["previous_log"], doc["now"]) == (200, None, START)
        client(srv, "kms").create_key()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["serve.kmlog"]
    with LogReader(str(path)) as reader:
        assert [e.t for e in reader] == [START_MS]


def test_reset_of_a_resumed_log_uses_its_header(tmp_path: Path) -> None:
    path = tmp_path / "old.kmlog"
    sim = Simulator(start="2025-06-01T00:00:00Z", profile="api-2026",
                    assumptions={"propagation": "max"}, seed=7, log=path)
    sim.call("kms:CreateKey")
    sim.close()
    with RunningServer(KmsimApp(Simulator.resume(path))) as srv:
        status, doc = _reset(srv)
        assert (status, doc["now"], doc["previous_log"]) == \
            (200, "2025-06-01T00:00:00Z", str(tmp_path / "old.reset-1.kmlog"))
        fresh = srv.app.sim
        assert (fresh.profile, fresh.seed, fresh.settings["propagation"]) == ("api-2026", 7,
                                                                             "max")
    with LogReader(str(path)) as reader:
        assert (reader.header.profile, reader.header.assumptions["propagation"]) == \
            ("api-2026", "max")


def test_reset_runs_under_the_servers_lock() -> None:
    with running() as srv:
        held = []
        replace = srv.app.replace_timeline

        def spy(sim):
            held.append(srv.app.lock._is_owned())  # the lock every API call holds
            return replace(sim)

        srv.app.replace_timeline = spy  # type: ignore[method-assign]
        assert _reset(srv)[0] == 200
        assert held == [True]


def test_reset_refuses_a_body_and_other_methods() -> None:
    with running() as srv:
        client(srv, "kms").create_key()
        status, doc = _reset(srv, '{"keep": true}')
        assert status == 400 and "takes no body" in doc["message"]
        assert raw(srv, "GET", "/_kmsim/reset")[0] == 405
        assert len(srv.app.sim.events) == 1  # nothing was reset


def test_with_verify_signatures_a_reset_must_be_signed() -> None:
    with running(secrets={"AKIDGOOD": "s3cret"}, verify=True) as srv:
        srv.app.sim.call("kms:CreateKey")
        status, doc = _reset(srv)
        assert (status, doc["__type"]) == (403, "MissingAuthenticationTokenException")
        assert len(srv.app.sim.events) == 1
        host = srv.url.removeprefix("http://")
        request = AWSRequest("POST", f"{srv.url}/_kmsim/reset", data=b"",
                             headers={"Host": host})
        SigV4Auth(Credentials("AKIDGOOD", "s3cret"), "kmsim", "us-east-1").add_auth(request)
        status, doc = _reset(srv, "", dict(request.headers.items()))
        assert (status, doc["events_before"]) == (200, 1)
        assert srv.app.sim.events == []

"""``sim.testing.simulated_server()`` (SPEC 12): a threaded kmsim server on a free port for
code that needs a URL, its options (log, clock, principals, secrets, assumptions), and one
server shared by many tests with ``POST /_kmsim/reset`` between them."""

from __future__ import annotations

import socket
from pathlib import Path

import boto3
import freezegun
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from support import ACCT, REGION

from events.logfile import LogReader
from events.timefmt import format_time
from sim.testing.server import (
    ServerError,
    advance_server,
    reset_server,
    set_server_time,
    simulated_server,
)

READER = f"arn:aws:iam::{ACCT}:role/Reader"
POLICY = (Path(__file__).resolve().parent.parent / "scenarios" / "policies"
          / "logs-and-cloudwatch.json").read_text()


def _client(url: str, service: str, akid: str = "AKIDADMIN", secret: str = "x"):
    return boto3.client(service, endpoint_url=url, region_name=REGION,
                        aws_access_key_id=akid, aws_secret_access_key=secret,
                        config=Config(retries={"max_attempts": 1, "mode": "standard"}))


def test_boto3_against_a_simulated_server() -> None:
    with simulated_server() as url:
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":4599")
        kms, logs = _client(url, "kms"), _client(url, "logs")
        key = kms.create_key(Policy=POLICY)["KeyMetadata"]["Arn"]
        logs.create_log_group(logGroupName="app", kmsKeyId=key)
        groups = logs.describe_log_groups()["logGroups"]
        assert [(g["logGroupName"], g["kmsKeyId"]) for g in groups] == [("app", key)]
        assert [e.op for e in url.sim.events] == ["kms:CreateKey", "logs:CreateLogGroup",
                                                  "logs:DescribeLogGroups"]


def test_the_server_stops_when_the_block_ends() -> None:
    with simulated_server() as url:
        port = int(url.rsplit(":", 1)[1])
        _client(url, "kms").list_keys()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_the_clock_helpers_drive_key_deletion() -> None:
    with simulated_server() as url:
        kms = _client(url, "kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
        assert url.advance("6d") == "2026-01-07T00:00:00.001Z"
        assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "PendingDeletion"
        assert url.set_time("2026-01-08T00:00:00.001Z") == url.now()
        with pytest.raises(ClientError) as exc:
            kms.describe_key(KeyId=key)
        assert exc.value.response["Error"]["Code"] == "NotFoundException"


def test_a_refused_control_request_is_a_server_error() -> None:
    with simulated_server() as url:
        with pytest.raises(ServerError, match=r"HTTP 400: .*duration"):
            advance_server(url, "soon")
        url.advance("1h")
        with pytest.raises(ServerError, match=r"HTTP 400: .*only moves forward"):
            set_server_time(url, "2026-01-01T00:00:00Z")


def test_principals_by_access_key_id() -> None:
    with simulated_server(principals={"AKIDREADER": READER}) as url:
        key = _client(url, "kms").create_key()["KeyMetadata"]["KeyId"]
        with pytest.raises(ClientError) as exc:  # the default policy delegates to IAM
            _client(url, "kms", akid="AKIDREADER").disable_key(KeyId=key)
        assert exc.value.response["Error"]["Code"] == "AccessDeniedException"
        assert [e.actor for e in url.sim.events] == [f"arn:aws:iam::{ACCT}:root", READER]


def test_secrets_turn_signature_checks_on() -> None:
    with simulated_server(secrets={"AKIDGOOD": "s3cret"}) as url:
        assert _client(url, "kms", "AKIDGOOD", "s3cret").list_keys()["Keys"] == []
        with pytest.raises(ClientError) as exc:
            _client(url, "kms", "AKIDGOOD", "wrong").list_keys()
        assert exc.value.response["Error"]["Code"] == "InvalidSignatureException"


def test_the_log_option_keeps_every_event(tmp_path: Path) -> None:
    path = tmp_path / "run.kmlog"
    with simulated_server(log=path, start="2026-03-01T00:00:00Z",
                          assumptions={"propagation": "instant"}) as url:
        _client(url, "kms").create_key()
        _client(url, "logs").create_log_group(logGroupName="g")
    with LogReader(str(path)) as reader:
        assert [e.op for e in reader] == ["kms:CreateKey", "logs:CreateLogGroup"]
        assert reader.header.assumptions["propagation"] == "instant"


def test_the_wall_clock_option_follows_a_frozen_wall_clock() -> None:
    with freezegun.freeze_time("2030-05-05T12:00:00Z") as frozen, \
            simulated_server(clock="wall", speed=60.0) as url:
        frozen.tick(10)  # ten wall seconds: ten simulated minutes at speed 60
        _client(url, "kms").create_key()
        assert url.now() == "2026-01-01T00:10:00Z"
        assert [format_time(e.t) for e in url.sim.events] == ["2026-01-01T00:10:00Z"]


# -- one server shared by the tests of a module, a fresh timeline for each -------------
@pytest.fixture(scope="module")
def shared():
    with simulated_server() as url:
        yield url


@pytest.fixture
def fresh(shared):
    reset_server(shared)
    return shared


@pytest.mark.parametrize("run", [1, 2])
def test_a_shared_server_is_reset_between_tests(fresh, run) -> None:
    kms = _client(fresh, "kms")
    assert kms.list_keys()["Keys"] == []  # nothing from the run before
    kms.create_key()
    assert fresh.now() == "2026-01-01T00:00:00.001Z"  # events at the start and 1 ms on
    assert len(fresh.sim.events) == 2


def test_reset_reports_what_it_dropped(shared) -> None:
    reset_server(shared)
    _client(shared, "kms").create_key()
    doc = shared.reset()
    assert (doc["reset"], doc["events_before"], doc["now"]) == (True, 1, "2026-01-01T00:00:00Z")
    assert shared.sim.events == []

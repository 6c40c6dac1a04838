"""``kmsim serve -v``: one line per request on stderr, with the simulated time, the caller,
the operation, the outcome (ok or the error code), the rule and the event number."""

from __future__ import annotations

import io
import re
import socket
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError
from server_support import client, events, raw, serve_process, stop_process
from support import ACCT, REGION, START

from sim.server import AuthConfig, KmsimApp, RunningServer
from sim.simulator import Simulator

ROOT_ARN = f"arn:aws:iam::{ACCT}:root"
READER = f"arn:aws:iam::{ACCT}:role/Reader"
LINE = re.compile(r"(\S+) (\S+) (\S+(?: /\S*)?) (\S+) (\S+) (#\d+|-)")


def _lines(text: str) -> list[tuple[str, ...]]:
    """The request lines of a server's stderr (the banner and other lines left out)."""
    return [m.groups() for line in text.splitlines() if (m := LINE.fullmatch(line))]


def test_serve_v_logs_one_line_per_request() -> None:
    proc, srv = serve_process("-v", "--principal", f"AKIDREADER={READER}")
    try:
        kms = client(srv, "kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        with pytest.raises(ClientError):
            client(srv, "kms", akid="AKIDREADER").disable_key(KeyId=key)
        raw(srv, "POST", "/_kmsim/clock", '{"advance": "5m"}')
        with pytest.raises(ClientError):
            kms.describe_key(KeyId="alias/none")
        rules = [e["out"].get("rule", "-") for e in events(srv)]
    finally:
        err = stop_process(proc)
    assert rules[0] == "-" and rules[1].startswith("R-KMS-") and rules[2].startswith("R-KMS-")
    assert _lines(err) == [
        ("2026-01-01T00:00:00Z", ROOT_ARN, "kms:CreateKey", "ok", "-", "#1"),
        ("2026-01-01T00:00:00.001Z", READER, "kms:DisableKey", "AccessDeniedException",
         rules[1], "#2"),
        ("2026-01-01T00:05:00.001Z", "-", "POST /_kmsim/clock", "ok", "-", "-"),
        ("2026-01-01T00:05:00.001Z", ROOT_ARN, "kms:DescribeKey", "NotFoundException",
         rules[2], "#3"),
        ("2026-01-01T00:05:00.001Z", "-", "GET /_kmsim/events", "ok", "-", "-"),
    ]


def test_without_v_no_request_is_logged() -> None:
    proc, srv = serve_process()
    try:
        client(srv, "kms").create_key()
    finally:
        err = stop_process(proc)
    assert _lines(err) == []


@pytest.fixture
def logged():
    stream = io.StringIO()
    sim = Simulator(start=START, account=ACCT, region=REGION)
    app = KmsimApp(sim, AuthConfig(ACCT, REGION, {"AKIDREADER": READER}), request_log=stream)
    with RunningServer(app) as srv:
        yield srv, stream


def test_refusals_are_logged_with_their_rule_and_no_event(logged) -> None:
    srv, stream = logged
    raw(srv, "GET", "/")
    raw(srv, "POST", "/", "{bad", {"X-Amz-Target": "TrentService.ListKeys",
                                   "Content-Type": "application/x-amz-json-1.1"})
    with pytest.raises(ClientError):
        client(srv, "sts", akid="AKIDREADER").get_caller_identity()
    raw(srv, "GET", "/_kmsim/nope")
    assert _lines(stream.getvalue()) == [
        (START, ROOT_ARN, "GET /", "UnknownOperationException", "R-SRV-02", "-"),
        (START, ROOT_ARN, "kms:ListKeys", "SerializationException", "R-SRV-01", "-"),
        (START, READER, "sts:GetCallerIdentity", "InvalidAction", "R-SRV-42", "-"),
        (START, "-", "GET /_kmsim/nope", "NotFound", "-", "-"),
    ]
    assert srv.app.sim.events == []


def test_a_framing_refusal_is_logged_too(logged) -> None:
    srv, stream = logged
    parts = urlsplit(srv.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(b"POST /?x=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"0\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 411")
    assert _lines(stream.getvalue()) == [
        (START, "-", "POST /", "LengthRequiredException", "R-SRV-05", "-")]


def test_each_event_is_logged_at_its_own_instant(logged) -> None:
    srv, stream = logged
    logs = client(srv, "logs")
    logs.create_log_group(logGroupName="a")
    with pytest.raises(ClientError):
        logs.create_log_group(logGroupName="a")
    assert _lines(stream.getvalue()) == [
        (START, ROOT_ARN, "logs:CreateLogGroup", "ok", "-", "#1"),
        ("2026-01-01T00:00:00.001Z", ROOT_ARN, "logs:CreateLogGroup",
         "ResourceAlreadyExistsException", srv.app.sim.events[1].rule, "#2"),
    ]

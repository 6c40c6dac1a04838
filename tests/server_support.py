"""Shared helpers of the ``kmsim serve`` tests (no tests here): a server on an ephemeral
loopback port, boto3 clients pointed at it, raw HTTP requests, and key policies."""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support import ACCT, ALLOW_ALL_JSON, REGION, START

from sim.server import AuthConfig, KmsimApp, RunningServer
from sim.simulator import Simulator

boto3 = pytest.importorskip("boto3")
from botocore.config import Config  # noqa: E402  (after the importorskip)

ROOT = Path(__file__).resolve().parent.parent
#: The admin's identity policy as the JSON text the server tests send.
ALLOW_ALL = ALLOW_ALL_JSON
#: A key policy letting the account, CloudWatch Logs and CloudWatch use the key.
SERVICES_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
     "Action": "kms:*", "Resource": "*"},
    {"Sid": "logs", "Effect": "Allow", "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
     "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                "kms:Describe*"], "Resource": "*",
     "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                               f"arn:aws:logs:{REGION}:{ACCT}:*"}}},
    {"Sid": "cloudwatch", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
     "Action": ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt",
                "kms:ReEncrypt*"], "Resource": "*"}]})


@contextlib.contextmanager
def running(principals: dict[str, str] | None = None, secrets: dict[str, str] | None = None,
            verify: bool = False, clock: str = "sim", speed: float = 1.0,
            timeout: float = 60.0, **sim_args: object) -> Iterator[RunningServer]:
    """A server on 127.0.0.1:0 (an ephemeral port) around a fresh Simulator; ``timeout``
    is its socket timeout (how long a stalled client holds a connection)."""
    sim = Simulator(start=START, account=ACCT, region=REGION, **sim_args)  # type: ignore[arg-type]
    auth = AuthConfig(ACCT, REGION, dict(principals or {}), dict(secrets or {}), verify)
    with RunningServer(KmsimApp(sim, auth, clock, speed), timeout=timeout) as srv:
        yield srv


def client(srv: RunningServer | str, service: str, akid: str = "AKIDROOT",
           secret: str = "secret", region: str = REGION):
    """A boto3 client for ``service`` against the server (or the URL of one, as
    ``simulated_server()`` yields it); no retries (each try is an event)."""
    url = srv if isinstance(srv, str) else srv.url
    return boto3.session.Session(aws_access_key_id=akid, aws_secret_access_key=secret,
                                 region_name=region).client(
        service, endpoint_url=url,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}))


def raw(srv: RunningServer, method: str, path: str, body: bytes | str = b"",
        headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One plain HTTP request: (status, headers with lower-case names, body)."""
    parts = urlsplit(srv.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        data = body.encode() if isinstance(body, str) else body
        conn.request(method, path, body=data, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def json_call(srv: RunningServer, target: str, body: object,
              headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], dict]:
    """An unsigned awsJson1_1 call; the decoded JSON answer."""
    hdrs = {"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1",
            **(headers or {})}
    status, out_headers, data = raw(srv, "POST", "/", json.dumps(body), hdrs)
    return status, out_headers, json.loads(data or b"{}")


def events(srv: RunningServer) -> list[dict]:
    """Every recorded event, read the way a client reads them (GET /_kmsim/events)."""
    out: list[dict] = []
    while True:
        status, _, body = raw(srv, "GET", f"/_kmsim/events?after={len(out)}")
        assert status == 200, body
        page = json.loads(body)
        out += page["events"]
        if not page["more"]:
            return out


def error_of(exc_info: pytest.ExceptionInfo) -> tuple[str, int, dict[str, str]]:
    """(code, HTTP status, headers) of a botocore ClientError."""
    response = exc_info.value.response
    meta = response["ResponseMetadata"]
    return response["Error"]["Code"], meta["HTTPStatusCode"], meta["HTTPHeaders"]


def serve_process(*flags: str) -> tuple[subprocess.Popen, object]:
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


def stop_process(proc: subprocess.Popen, sig: int = signal.SIGINT) -> str:
    """Stop a ``serve_process`` child with ``sig`` (Ctrl-C by default); it must exit 0.
    Returns what it printed to stderr; a child that hangs is killed and fails the test."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        code = proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
        raise AssertionError("kmsim serve did not stop within 20 s") from None
    assert proc.stderr is not None
    with proc.stderr:
        err = proc.stderr.read()
    assert code == 0, err
    return err

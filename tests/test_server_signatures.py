"""``--verify-signatures`` (issue 8): the date must be within AWS's 15 minutes of the wall
clock (R-SRV-09), the credential scope must name the service and Region addressed
(R-SRV-10), and the control endpoints need a signature too (R-SRV-11)."""

from __future__ import annotations

import datetime as dt
import json

import botocore.auth
import cbor2
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from freezegun import freeze_time
from server_support import client, error_of, raw, running

from sim.clock import wall_now_ms

SECRETS = {"AKIDGOOD": "s3cret"}
KMS = {"X-Amz-Target": "TrentService.ListKeys", "Content-Type": "application/x-amz-json-1.1"}
CW_JSON = {"X-Amz-Target": "GraniteServiceVersion20100801.GetDataset",
           "Content-Type": "application/x-amz-json-1.0"}
CW_CBOR_PATH = "/service/GraniteServiceVersion20100801/operation/GetDataset"
CW_CBOR = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}


@pytest.fixture(scope="module")
def srv():
    with running(secrets=SECRETS, verify=True) as server:
        yield server


def signed(srv, method: str, path: str, body: bytes, headers: dict[str, str], *,
           service: str = "kms", region: str = "us-east-1", at: dt.datetime | None = None,
           host: str | None = None, secret: str = "s3cret",
           monkeypatch: pytest.MonkeyPatch | None = None) -> dict[str, str]:
    """Headers of the request signed as botocore signs it, at ``at`` (default: now)."""
    host = host or srv.url.removeprefix("http://")
    request = AWSRequest(method, f"http://{host}{path}", data=body,
                         headers={**headers, "Host": host})
    signer = SigV4Auth(Credentials("AKIDGOOD", secret), service, region)
    if at is None:
        signer.add_auth(request)
    else:
        assert monkeypatch is not None
        with monkeypatch.context() as m:
            m.setattr(botocore.auth, "get_current_datetime", lambda: at)
            signer.add_auth(request)
    return dict(request.headers.items())


def _now() -> dt.datetime:
    return dt.datetime.fromtimestamp(wall_now_ms() / 1000, dt.UTC)


def _refusal(response: tuple[int, dict[str, str], bytes]) -> tuple[int, str, str, str]:
    status, headers, body = response
    doc = cbor2.loads(body) if headers.get("content-type") == "application/cbor" else \
        json.loads(body)
    return status, doc["__type"], doc["message"], headers.get("x-kmsim-rule", "")


@pytest.mark.parametrize(("minutes", "expected"), [
    (-20, "Signature expired: "), (20, "Signature not yet current: "), (-14, None),
    (14, None), (-60 * 24 * 365, "Signature expired: ")])
def test_the_date_must_be_within_15_minutes_of_the_wall_clock(srv, monkeypatch, minutes,
                                                               expected) -> None:
    before = len(srv.app.sim.events)
    at = _now() + dt.timedelta(minutes=minutes)
    headers = signed(srv, "POST", "/", b"{}", KMS, at=at, monkeypatch=monkeypatch)
    response = raw(srv, "POST", "/", b"{}", headers)
    if expected is None:
        assert response[0] == 200 and len(srv.app.sim.events) == before + 1
        return
    status, code, message, rule = _refusal(response)
    assert (status, code, rule) == (400, "InvalidSignatureException", "R-SRV-09")  # R-SRV-33
    assert message.startswith(expected) and message.endswith(" 15 min.)")
    assert headers["X-Amz-Date"] in message
    assert len(srv.app.sim.events) == before


def test_the_skew_is_measured_on_the_wall_clock_not_the_simulated_one(monkeypatch) -> None:
    """Under --clock sim, simulated time (2026-01-01, moved by hand) has nothing to do with
    when the client signed; the wall clock, read through sim.clock, decides."""
    with freeze_time("2031-03-01T12:00:00Z"), running(secrets=SECRETS, verify=True) as srv:
        assert raw(srv, "POST", "/_kmsim/clock", json.dumps({"advance": "400d"}),
                   signed(srv, "POST", "/_kmsim/clock", b'{"advance": "400d"}', {},
                          service="kmsim"))[0] == 200
        sim_time = dt.datetime.fromtimestamp(srv.app.sim.now / 1000, dt.UTC)
        at_sim = signed(srv, "POST", "/", b"{}", KMS, at=sim_time, monkeypatch=monkeypatch)
        assert _refusal(raw(srv, "POST", "/", b"{}", at_sim))[3] == "R-SRV-09"
        assert raw(srv, "POST", "/", b"{}", signed(srv, "POST", "/", b"{}", KMS))[0] == 200


@pytest.mark.parametrize(("path", "body", "headers", "service", "expected"), [
    ("/", b"{}", KMS, "logs", "kms"),
    ("/", b"{}", KMS, "s3", "kms"),
    ("/", b"{}", CW_JSON, "cloudwatch", "monitoring"),
    (CW_CBOR_PATH, cbor2.dumps({}), CW_CBOR, "kms", "monitoring"),
])
def test_the_scope_must_name_the_addressed_service(srv, path, body, headers, service,
                                                   expected) -> None:
    before = len(srv.app.sim.events)
    response = raw(srv, "POST", path, body,
                   signed(srv, "POST", path, body, headers, service=service))
    status = 403 if headers is not KMS else 400  # R-SRV-34, R-SRV-35
    assert _refusal(response) == (status, "InvalidSignatureException",
                                  f"Credential should be scoped to correct service: "
                                  f"'{expected}'.", "R-SRV-10")
    assert len(srv.app.sim.events) == before
    good = raw(srv, "POST", path, body, signed(srv, "POST", path, body, headers,
                                               service=expected))
    assert good[0] < 500 and "x-kmsim-event" in good[1]


def test_cloudwatch_clients_see_the_query_code(srv) -> None:
    """CloudWatch is awsQueryCompatible: boto3 reads SignatureDoesNotMatch from the
    x-amzn-query-error header, as the query protocol names the refusal."""
    with pytest.raises(ClientError) as exc:
        client(srv, "cloudwatch", akid="AKIDGOOD", secret="wrong").get_dataset(
            DatasetIdentifier="default")
    code, status, headers = error_of(exc)
    assert (code, status, headers["x-kmsim-rule"]) == ("SignatureDoesNotMatch", 403, "R-SRV-03")
    assert client(srv, "cloudwatch", akid="AKIDGOOD", secret="s3cret").get_dataset(
        DatasetIdentifier="default")


@pytest.mark.parametrize(("region", "host", "ok"), [
    ("xx-fake-9", None, False),
    ("eu-west-1", None, True),                            # one endpoint serves every Region
    ("us-east-1", "kms.eu-west-1.amazonaws.com", False),  # the Host names another Region
    ("eu-west-1", "kms.eu-west-1.amazonaws.com", True),
])
def test_the_scope_must_name_the_addressed_region(srv, region, host, ok) -> None:
    before = len(srv.app.sim.events)
    headers = signed(srv, "POST", "/", b"{}", KMS, region=region, host=host)
    response = raw(srv, "POST", "/", b"{}", headers)
    if ok:
        assert response[0] == 200 and len(srv.app.sim.events) == before + 1
        return
    assert _refusal(response) == (400, "InvalidSignatureException", "Credential should be "
                                  f"scoped to a valid region, not '{region}'.", "R-SRV-10")
    assert len(srv.app.sim.events) == before


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/_kmsim/clock", b""), ("POST", "/_kmsim/clock", b'{"advance": "1h"}'),
    ("GET", "/_kmsim/events?after=0", b""), ("GET", "/_kmsim/at", b""),
    ("GET", "/_kmsim/nope", b"")])
def test_control_endpoints_need_a_signature(srv, method, path, body) -> None:
    now = srv.app.sim.now
    status, code, _, rule = _refusal(raw(srv, method, path, body))
    assert (status, code, rule) == (403, "MissingAuthenticationTokenException", "R-SRV-11")
    bad = signed(srv, method, path, body, {}, service="kmsim", secret="wrong")
    status, code, _, rule = _refusal(raw(srv, method, path, body, bad))
    assert (status, code, rule) == (403, "InvalidSignatureException", "R-SRV-11")
    assert srv.app.sim.now == now  # nothing moved
    good = signed(srv, method, path, body, {}, service="kmsim")
    assert raw(srv, method, path, body, good)[0] in (200, 404)


def test_without_verification_control_endpoints_stay_open() -> None:
    with running() as srv:
        assert raw(srv, "GET", "/_kmsim/clock")[0] == 200


@pytest.mark.parametrize(("service", "call"), [
    ("kms", lambda c: c.list_keys()), ("logs", lambda c: c.describe_log_groups())])
def test_awsjson_services_refuse_signatures_with_400(srv, service, call) -> None:
    """KMS and CloudWatch Logs answer their signature refusals with 400, as AWS's awsJson
    services do (R-SRV-30, R-SRV-31, R-SRV-32), in boto3's terms."""
    before = len(srv.app.sim.events)
    with pytest.raises(ClientError) as exc:
        call(client(srv, service, akid="AKIDGOOD", secret="wrong"))
    assert error_of(exc)[:2] == ("InvalidSignatureException", 400)
    assert exc.value.response["Error"]["Message"].startswith(
        "The request signature we calculated does not match the signature you provided.")
    with pytest.raises(ClientError) as exc:
        call(client(srv, service, akid="AKIDUNKNOWN", secret="x"))
    assert error_of(exc)[:2] == ("UnrecognizedClientException", 400)
    assert exc.value.response["Error"]["Message"] == \
        "The security token included in the request is invalid."
    target = {"kms": "TrentService.ListKeys", "logs": "Logs_20140328.DescribeLogGroups"}
    status, _, body = raw(srv, "POST", "/", b"{}", {
        "X-Amz-Target": target[service], "Content-Type": "application/x-amz-json-1.1"})
    assert (status, json.loads(body)["__type"]) == (400, "MissingAuthenticationTokenException")
    assert len(srv.app.sim.events) == before


def test_cloudwatch_allows_5_minutes_and_answers_403(srv, monkeypatch) -> None:
    """CloudWatch refuses a signature more than 5 minutes old with SignatureDoesNotMatch
    and 403 (R-SRV-34); KMS still accepts it (15 minutes, R-SRV-33)."""
    at = _now() - dt.timedelta(minutes=7)
    kms = signed(srv, "POST", "/", b"{}", KMS, at=at, monkeypatch=monkeypatch)
    assert raw(srv, "POST", "/", b"{}", kms)[0] == 200
    body = cbor2.dumps({"DatasetIdentifier": "default"})
    headers = signed(srv, "POST", CW_CBOR_PATH, body, CW_CBOR, service="monitoring", at=at,
                     monkeypatch=monkeypatch)
    response = raw(srv, "POST", CW_CBOR_PATH, body, headers)
    status, code, message, rule = _refusal(response)
    assert (status, code, rule) == (403, "InvalidSignatureException", "R-SRV-09")
    assert response[1]["x-amzn-query-error"] == "SignatureDoesNotMatch;Sender"
    assert message.startswith("Signature expired: ") and message.endswith(" - 5 min.)")
    with pytest.raises(ClientError) as exc:
        client(srv, "cloudwatch", akid="AKIDUNKNOWN", secret="x").get_dataset(
            DatasetIdentifier="default")
    assert error_of(exc)[:2] == ("InvalidClientTokenId", 403)


def test_the_status_assumptions_have_working_alternatives() -> None:
    """A-SRV-AUTH-STATUS ``forbidden`` answers signature refusals 403 in KMS too, and
    A-SRV-REFUSALS ``bad-request`` answers a refused Content-Type 400 (codes unchanged)."""
    settings = {"srv_auth_status": "forbidden", "srv_refusals": "bad-request"}
    with running(secrets=SECRETS, verify=True, assumptions=settings) as server:
        with pytest.raises(ClientError) as exc:
            client(server, "kms", akid="AKIDUNKNOWN", secret="x").list_keys()
        assert error_of(exc)[:2] == ("UnrecognizedClientException", 403)
    with running(assumptions=settings) as server:
        status, _, body = raw(server, "POST", "/", b"{}", {
            "X-Amz-Target": "TrentService.ListKeys", "Content-Type": "text/plain"})
        assert (status, json.loads(body)["__type"]) == (400, "UnsupportedMediaTypeException")
        assert server.app.sim.events == []

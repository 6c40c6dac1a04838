"""sim.testing.simulated_aws (SPEC 12): botocore clients of kms, logs and cloudwatch are
answered in-process, with the server's bytes; other services are refused by name or let
through; moto's shape (context manager, decorator of functions and classes, start/stop)."""

from __future__ import annotations

import os
import unittest

import pytest
from support import ACCT, REGION

boto3 = pytest.importorskip("boto3")
from botocore.awsrequest import AWSResponse  # noqa: E402
from server_support import SERVICES_POLICY, running  # noqa: E402
from server_support import client as server_client  # noqa: E402

from sim.server.protocols import HttpResponse  # noqa: E402
from sim.testing import (  # noqa: E402
    DEFAULT_ACCESS_KEY,
    NotSimulated,
    SimulatedAws,
    current,
    simulated_aws,
)
from sim.testing.hooks import ROUTER, aws_response  # noqa: E402


def _client(service: str, **kw):
    return boto3.session.Session().client(service, region_name=REGION,
                                          aws_access_key_id="AKIDTEST",
                                          aws_secret_access_key="secret", **kw)


def _capture(client, store: list) -> None:
    """Keep every raw answer the client parses: (status, body, kmsim's headers)."""
    def keep(response_dict, **_):
        headers = {k.lower(): v for k, v in response_dict["headers"].items()}
        store.append((response_dict["status_code"], response_dict["body"],
                      {k: v for k, v in headers.items()
                       if k.startswith(("x-kmsim", "x-amzn", "content-type", "smithy"))}))
    client.meta.events.register("before-parse", keep)


def _canned(client, status: int = 200, body: bytes = b"{}",
            headers: dict | None = None) -> None:
    """Answer every request of ``client`` with a fixed response (a stand-in for the
    network or another mock), registered on ``before-send`` like moto's."""
    response = HttpResponse(status, body, headers or {"Content-Type": "text/xml"})
    client.meta.events.register(
        "before-send", lambda request, **_: aws_response(request.url, response))


def test_clients_made_before_and_after_start_are_answered_in_process():
    before = _client("kms")
    with simulated_aws() as aws:
        after = boto3.client("kms")  # no endpoint_url, credentials from simulated_aws
        made = after.create_key()
        assert made["ResponseMetadata"]["HTTPHeaders"]["x-kmsim-event"] == "1"
        key = made["KeyMetadata"]["KeyId"]
        described = before.describe_key(KeyId=key)
        assert described["KeyMetadata"]["KeyState"] == "Enabled"
        assert described["ResponseMetadata"]["HTTPHeaders"]["x-kmsim-event"] == "2"
        assert [e.op for e in aws.events] == ["kms:CreateKey", "kms:DescribeKey"]
        assert aws.key_state(key) == "Enabled"


def _session(service_calls):
    """The same calls made to a client; their raw answers."""
    def run(make):
        kms, logs, cw = make("kms"), make("logs"), make("cloudwatch")
        seen: list = []
        for c in (kms, logs, cw):
            _capture(c, seen)
        key = kms.create_key(Policy=SERVICES_POLICY)["KeyMetadata"]["KeyId"]
        with pytest.raises(kms.exceptions.NotFoundException):
            kms.describe_key(KeyId="alias/missing")
        kms.encrypt(KeyId=key, Plaintext=b"hello")
        logs.create_log_group(logGroupName="/app", kmsKeyId=f"arn:aws:kms:{REGION}:{ACCT}:"
                              f"key/{key}")
        logs.create_log_group(logGroupName="/plain")
        logs.create_log_stream(logGroupName="/plain", logStreamName="s")
        logs.put_log_events(logGroupName="/plain", logStreamName="s",
                            logEvents=[{"timestamp": 1767225600000, "message": "hi"}])
        cw.put_metric_data(Namespace="N", MetricData=[{"MetricName": "m", "Value": 2.0}])
        with pytest.raises(cw.exceptions.ClientError):  # no association to remove
            cw.disassociate_dataset_kms_key(DatasetIdentifier="default")
        return seen
    return run(service_calls)


def test_answers_are_byte_for_byte_the_servers():
    with running() as srv:
        over_http = _session(lambda s: server_client(srv, s, akid="AKIDTEST"))
    with simulated_aws():
        in_process = _session(lambda s: _client(s))
    assert len(in_process) == len(over_http) == 9
    assert in_process == over_http
    assert any(status >= 400 for status, _, _ in in_process)  # errors too


def test_a_service_kmsim_does_not_simulate_is_refused_by_name():
    with simulated_aws():
        sts = _client("sts")
        _canned(sts)  # what would answer if the request were let through
        with pytest.raises(NotSimulated, match=r"'sts'.*simulates kms, logs and cloudwatch"):
            sts.get_caller_identity()


def test_passthrough_lets_other_services_go_on():
    body = (b'<GetCallerIdentityResponse><GetCallerIdentityResult><Account>999999999999'
            b'</Account></GetCallerIdentityResult></GetCallerIdentityResponse>')
    for passthrough in (True, {"sts"}, "sts"):
        with simulated_aws(passthrough=passthrough) as aws:
            sts = _client("sts")
            _canned(sts, body=body)
            assert sts.get_caller_identity()["Account"] == "999999999999"
            assert len(aws.events) == 0
    with simulated_aws(passthrough={"s3"}):
        sts = _client("sts")
        _canned(sts, body=body)
        with pytest.raises(NotSimulated):
            sts.get_caller_identity()


def test_stop_stops_answering_and_restores_the_environment(monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "mine")
    aws = simulated_aws().start()
    assert os.environ["AWS_ACCESS_KEY_ID"] == DEFAULT_ACCESS_KEY
    kms = _client("kms")
    kms.create_key()
    aws.stop()
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert os.environ["AWS_SECRET_ACCESS_KEY"] == "mine"
    assert current() is None and not aws.active
    _canned(kms, body=b'{"KeyMetadata": {"KeyId": "from-elsewhere"}}',
            headers={"Content-Type": "application/x-amz-json-1.1"})
    assert kms.describe_key(KeyId="k")["KeyMetadata"]["KeyId"] == "from-elsewhere"
    assert len(aws.events) == 1  # still readable after stop, and nothing new in it


def test_nested_simulations_answer_innermost_first():
    kms = _client("kms")
    with simulated_aws() as outer:
        kms.create_key()
        with simulated_aws() as inner:
            kms.create_key()
            kms.create_key()
            assert current() is inner
        kms.create_key()
        assert current() is outer
    assert (len(outer.events), len(inner.events)) == (2, 2)


def test_start_gives_a_fresh_timeline_unless_asked_not_to():
    aws = SimulatedAws()
    kms = _client("kms")
    with aws:
        kms.create_key()
    with aws:
        assert len(aws.events) == 0
        kms.create_key()
    aws.start(reset=False)
    try:
        assert len(aws.events) == 1
    finally:
        aws.stop()


@simulated_aws
def _decorated_function(n: int) -> int:
    kms = _client("kms")
    for _ in range(n):
        kms.create_key()
    handle = current()
    assert handle is not None
    return len(handle.events)


def test_decorated_function_gets_a_fresh_timeline_per_call():
    assert _decorated_function(2) == 2
    assert _decorated_function(1) == 1  # not 3
    assert current() is None


@simulated_aws(region="eu-west-1")
class TestDecoratedClass:
    def test_one(self):
        kms = boto3.client("kms", region_name="eu-west-1")
        arn = kms.create_key()["KeyMetadata"]["Arn"]
        assert arn.startswith("arn:aws:kms:eu-west-1:")
        assert len(current().events) == 1

    def test_two_is_fresh(self):
        assert len(current().events) == 0


@simulated_aws
class DecoratedTestCase(unittest.TestCase):
    def setUp(self):
        self.kms = boto3.client("kms", region_name=REGION)
        self.key = self.kms.create_key()["KeyMetadata"]["KeyId"]  # in the test's timeline

    def test_set_up_calls_belong_to_the_test(self):
        self.kms.disable_key(KeyId=self.key)
        assert current().key_state(self.key) == "Disabled"
        assert len(current().events) == 2


def test_decorated_test_case_runs_its_tests_simulated():
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(DecoratedTestCase).run(result)
    assert result.testsRun == 1 and result.wasSuccessful(), result.failures + result.errors
    assert current() is None


def test_inactive_router_leaves_requests_alone():
    assert ROUTER.current is None
    kms = _client("kms")
    _canned(kms, body=b'{"KeyMetadata": {"KeyId": "elsewhere"}}',
            headers={"Content-Type": "application/x-amz-json-1.1"})
    assert kms.describe_key(KeyId="k")["KeyMetadata"]["KeyId"] == "elsewhere"
    assert isinstance(aws_response("https://x/", HttpResponse(200, b"")), AWSResponse)


def test_starting_twice_then_stopping_leaves_it_inactive():
    aws = simulated_aws().start()
    aws.start(reset=False)  # once in the stack, not twice
    aws.stop()
    assert current() is None and not aws.active
    kms = _client("kms")
    _canned(kms, body=b'{"KeyMetadata": {"KeyId": "elsewhere"}}',
            headers={"Content-Type": "application/x-amz-json-1.1"})
    kms.describe_key(KeyId="k")
    assert len(aws.events) == 0  # kmsim did not answer (or record) it


def test_signed_headers_reach_the_server_as_sent():
    with simulated_aws(verify_signatures=True) as aws:
        kms = _client("kms")
        with pytest.raises(kms.exceptions.ClientError, match="security token"):
            kms.create_key()  # AKIDTEST has no secret here: refused before any event
        aws.secrets["AKIDTEST"] = "secret"
        aws.reset()  # a fresh timeline with the new secret
        assert kms.create_key()["KeyMetadata"]["KeyState"] == "Enabled"
        assert len(aws.events) == 1


def test_other_services_follow_the_assumption_when_passthrough_is_not_given():
    body = (b'<GetCallerIdentityResponse><GetCallerIdentityResult><Account>999999999999'
            b'</Account></GetCallerIdentityResult></GetCallerIdentityResponse>')
    with simulated_aws(assumptions={"test_other_services": "passthrough"}):  # R-TEST-03
        sts = _client("sts")
        _canned(sts, body=body)
        assert sts.get_caller_identity()["Account"] == "999999999999"
    with simulated_aws(assumptions={"test_other_services": "passthrough"},
                       passthrough=False):  # the argument wins
        sts = _client("sts")
        _canned(sts, body=body)
        with pytest.raises(NotSimulated):
            sts.get_caller_identity()

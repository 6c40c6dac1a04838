"""Requests for a service kmsim does not simulate (R-SRV-40 to R-SRV-43, A-SRV-OTHER-SERVICES):
boto3 pointed at ``kmsim serve`` for STS, S3, DynamoDB, EC2, SQS or Lambda gets a ClientError
in that service's own protocol saying kmsim does not simulate it (never "Unable to parse"),
and nothing is recorded."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from botocore.exceptions import ClientError
from server_support import client, error_of, raw, running

from sim.server.status import http_status

SIGNED = ("AWS4-HMAC-SHA256 Credential=AKIDX/20260101/us-east-1/{service}/aws4_request, "
          "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


@pytest.fixture(scope="module")
def srv():
    with running() as server:
        yield server


# (service, call, kwargs, expected code, the service's name in the message)
CALLS = [
    ("sts", "get_caller_identity", {}, "InvalidAction", "AWS Security Token Service (sts)"),
    ("s3", "list_buckets", {}, "NotImplemented", "Amazon Simple Storage Service (s3)"),
    ("dynamodb", "list_tables", {}, "UnknownOperationException", "Amazon DynamoDB (dynamodb)"),
    ("ec2", "describe_instances", {}, "InvalidAction", "Amazon Elastic Compute Cloud (ec2)"),
    ("sqs", "list_queues", {}, "UnknownOperationException",
     "Amazon Simple Queue Service (sqs)"),
    ("lambda", "list_functions", {}, "UnknownOperationException", "AWS Lambda (lambda)"),
]


@pytest.mark.parametrize(("service", "call", "kwargs", "code", "name"), CALLS,
                         ids=[c[0] for c in CALLS])
def test_boto3_gets_a_readable_error_in_the_services_protocol(srv, service, call, kwargs,
                                                              code, name) -> None:
    before = len(srv.app.sim.events)
    with pytest.raises(ClientError) as exc:
        getattr(client(srv, service), call)(**kwargs)
    got, status, headers = error_of(exc)
    message = exc.value.response["Error"]["Message"]
    assert (got, status) == (code, 400)
    assert f"kmsim does not simulate {name}" in message
    assert "AWS KMS (kms)" in message and "nothing was recorded" in message
    assert headers["x-kmsim-rule"] in ("R-SRV-41", "R-SRV-42", "R-SRV-43")
    assert len(srv.app.sim.events) == before


def test_the_served_services_still_answer_on_the_same_server(srv) -> None:
    assert "KeyMetadata" in client(srv, "kms").create_key()
    with pytest.raises(ClientError):
        client(srv, "sts").get_caller_identity()
    assert client(srv, "logs").describe_log_groups()["logGroups"] == []


def test_s3s_status_follows_the_assumption() -> None:
    with running(assumptions={"srv_other_services": "aws"}) as srv:
        with pytest.raises(ClientError) as exc:
            client(srv, "s3").list_buckets()
        assert error_of(exc)[:2] == ("NotImplemented", 501)
        with pytest.raises(ClientError) as exc:  # the others stay 400
            client(srv, "sts").get_caller_identity()
        assert error_of(exc)[:2] == ("InvalidAction", 400)


def test_the_status_decision_for_other_services() -> None:
    aws = {"srv_other_services": "aws"}
    assert http_status("s3", "NotImplemented", {}) == 400
    assert http_status("s3", "NotImplemented", aws) == 501
    assert http_status("sts", "InvalidAction", aws) == 400
    assert http_status("lambda", "UnknownOperationException", {}) == 400
    assert http_status("kms", "NotImplemented", aws) == 400  # a served service: not step 4


def test_an_unsigned_query_request_is_answered_in_xml(srv) -> None:
    status, headers, body = raw(srv, "POST", "/", "Action=AssumeRoleWithWebIdentity&"
                                "Version=2011-06-15&RoleArn=x", FORM)
    doc = ET.fromstring(body)
    assert (status, doc.tag, doc.findtext("Error/Code"), doc.findtext("Error/Type")) == \
        (400, "ErrorResponse", "InvalidAction", "Sender")
    assert "AssumeRoleWithWebIdentity was not run" in doc.findtext("Error/Message")
    assert "Version 2011-06-15" in doc.findtext("Error/Message")
    assert headers["content-type"] == "text/xml"


def test_text_from_the_request_is_escaped_in_xml(srv) -> None:
    status, _, body = raw(srv, "POST", "/", "Action=%3C%2FMessage%3E%26x&Version=1", FORM)
    doc = ET.fromstring(body)  # well formed
    assert status == 400
    assert "</Message>&x was not run" in doc.findtext("Error/Message")


def test_cloudwatch_over_the_query_protocol_says_which_protocols_kmsim_serves(srv) -> None:
    headers = {**FORM, "Authorization": SIGNED.format(service="monitoring")}
    status, _, body = raw(srv, "POST", "/", "Action=PutMetricData&Version=2010-08-01", headers)
    doc = ET.fromstring(body)
    assert (status, doc.findtext("Error/Code")) == (400, "InvalidAction")
    assert "serves Amazon CloudWatch over awsJson1_0 and rpc-v2-cbor" in \
        doc.findtext("Error/Message")


def test_an_unknown_target_without_a_signature_is_answered_in_json(srv) -> None:
    status, _, body = raw(srv, "POST", "/", "{}", {
        "X-Amz-Target": "DynamoDB_20120810.ListTables",
        "Content-Type": "application/x-amz-json-1.0"})
    assert status == 400 and b'"UnknownOperationException"' in body
    assert b"the service of X-Amz-Target 'DynamoDB_20120810.ListTables'" in body


def test_a_request_kmsim_cannot_place_keeps_the_usual_refusal(srv) -> None:
    assert raw(srv, "GET", "/")[0] == 405  # R-SRV-02: no service named, not a POST
    assert raw(srv, "GET", "/", "", {"Authorization": SIGNED.format(service="kms")})[0] == 405


def test_other_services_are_answered_without_a_signature_check() -> None:
    """Nothing runs for them, so the refusal that says so comes first (a wrong secret)."""
    with running(secrets={"AKIDGOOD": "s3cret"}, verify=True) as srv:
        with pytest.raises(ClientError) as exc:
            client(srv, "sts", akid="AKIDGOOD", secret="wrong").get_caller_identity()
        assert error_of(exc)[0] == "InvalidAction"
        with pytest.raises(ClientError) as exc:
            client(srv, "kms", akid="AKIDGOOD", secret="wrong").list_keys()
        assert error_of(exc)[0] == "InvalidSignatureException"
        assert srv.app.sim.events == []


def test_a_client_of_another_region_gets_the_same_answer() -> None:
    with running() as srv:
        with pytest.raises(ClientError) as exc:
            client(srv, "sts", region="eu-west-1").get_caller_identity()
        assert error_of(exc)[:2] == ("InvalidAction", 400)
        assert srv.app.sim.events == []

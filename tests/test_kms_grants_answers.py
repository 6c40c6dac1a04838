"""Grants in the answers (R-KMS-GRANT-08..10, R-KMS-GRANT-25): who can decrypt an item at T
when a grant lets them, inside and after the grant's windows, with the grant named; encryption
context constraints per log group (the shape of an item carries its context); per shape equals
per item on random timelines with grants; and boto3 against the in-process server."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import rule
from support import ACCT, ALLOW_ALL, REGION, START
from test_properties import READER
from test_rollup import SHORT, ShapedAnswers

from projections import decrypt
from sim import Simulator
from sim.cli import main
from sim.testing import simulated_aws

SCENARIO = "scenarios/grant-reader-revoked.toml"
ROOT = f"arn:aws:iam::{ACCT}:root"
LOGS = f"logs.{REGION}.amazonaws.com"
#: The account may do everything (through IAM); CloudWatch and CloudWatch Logs may use it.
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"},
    {"Effect": "Allow", "Principal": {"Service": ["cloudwatch.amazonaws.com", LOGS]},
     "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*",
                "kms:DescribeKey"], "Resource": "*"}]})


def _sim(**assumptions: str) -> tuple[Simulator, str]:
    sim = Simulator(start=START, account=ACCT, region=REGION, assumptions=assumptions)
    sim.principal("admin", policy=ALLOW_ALL)
    sim.principal("reader", arn=READER)
    key = sim.call("kms:CreateKey", {"Policy": POLICY}, as_="admin").get("KeyMetadata.Arn")
    return sim, key


def _dataset_point(sim: Simulator, key: str) -> None:
    assert sim.call("cloudwatch:AssociateDatasetKmsKey",
                    {"DatasetIdentifier": "default", "KmsKeyArn": key}, as_="admin").ok
    assert sim.call("cloudwatch:PutMetricData", {"Namespace": "Shop", "MetricData": [
        {"MetricName": "Orders", "Value": 1.0}]}, as_="admin", label="m1").ok


def test_a_grant_makes_a_reader_able_to_read_after_its_window_and_names_the_grant():
    sim, key = _sim()
    _dataset_point(sim, key)
    assert sim.decryptable("m1", as_="reader").status == "no"
    made = sim.call("kms:CreateGrant", {"KeyId": key, "GranteePrincipal": READER,
                                        "Operations": ["Decrypt"]}, as_="admin", at="+1m")
    gid = made.get("GrantId")
    inside = sim.decryptable("m1", as_="reader", at="+3m")
    assert inside.status == "maybe" and "R-KMS-GRANT-08" in inside.rules
    after = sim.decryptable("m1", as_="reader", at="+6m")
    assert after.status == "yes" and "R-KMS-GRANT-10" in after.rules
    assert made.event.seq in after.events
    named = [r for r in after.reasons if gid in r]
    assert named and "arn:aws:iam::111122223333:role/admin" in named[0] and \
        f"event #{made.event.seq}" in named[0]
    # the answer at a moment does not change when a later revocation is appended
    sim.call("kms:RevokeGrant", {"KeyId": key, "GrantId": gid}, as_="admin", at="+10m")
    assert sim.decryptable("m1", as_="reader", at="+6m") == after
    assert sim.decryptable("m1", as_="reader", at="+12m").status == "maybe"
    gone = sim.decryptable("m1", as_="reader", at="+15m")
    assert gone.status == "no" and not gone.permanent


def test_get_metric_data_reads_through_a_grant_once_it_is_in_effect():
    sim, key = _sim()
    _dataset_point(sim, key)
    sim.call("kms:CreateGrant", {"KeyId": key, "GranteePrincipal": READER,
                                 "Operations": ["Decrypt"]}, as_="admin")
    t = sim.now // 1000
    query = {"StartTime": t - 600, "EndTime": t + 600, "MetricDataQueries": [{
        "Id": "q", "MetricStat": {"Metric": {"Namespace": "Shop", "MetricName": "Orders"},
                                  "Period": 60, "Stat": "Sum"}}]}
    inside = sim.call("cloudwatch:GetMetricData", query, as_="reader", at="+1m")
    assert inside.ok and inside.get("MetricDataResults.0.Values") == []
    after = sim.call("cloudwatch:GetMetricData", query, as_="reader", at="+6m")
    assert after.get("MetricDataResults.0.Values") == [1.0]


def test_instant_grants_change_answers_at_once():
    sim, key = _sim(propagation="instant")
    _dataset_point(sim, key)
    gid = sim.call("kms:CreateGrant", {"KeyId": key, "GranteePrincipal": READER,
                                       "Operations": ["Decrypt"]}, as_="admin").get("GrantId")
    assert sim.decryptable("m1", as_="reader").status == "yes"
    sim.call("kms:RetireGrant", {"KeyId": key, "GrantId": gid}, as_="admin", at="+1m")
    assert sim.decryptable("m1", as_="reader").status == "no"


def test_a_grant_for_another_operation_or_principal_does_not_count():
    sim, key = _sim(propagation="instant")
    _dataset_point(sim, key)
    sim.call("kms:CreateGrant", {"KeyId": key, "GranteePrincipal": READER,
                                 "Operations": ["Encrypt"]}, as_="admin")
    sim.call("kms:CreateGrant", {"KeyId": key, "GranteePrincipal": ROOT.replace(
        ":root", ":role/other"), "Operations": ["Decrypt"]}, as_="admin")
    assert sim.decryptable("m1", as_="reader").status == "no"


def test_a_context_constraint_reads_one_log_group_not_another():
    """Under A-LOGS-READER caller the reader's own Decrypt matters; a grant whose
    EncryptionContextEquals names the app group lets the reader read app, not web."""
    sim, key = _sim(propagation="instant", logs_reader="caller")
    for group in ("app", "web"):
        sim.call("logs:CreateLogGroup", {"logGroupName": group, "kmsKeyId": key}, as_="admin")
        sim.call("logs:CreateLogStream", {"logGroupName": group, "logStreamName": "s"},
                 as_="admin")
        assert sim.call("logs:PutLogEvents", {"logGroupName": group, "logStreamName": "s",
                                              "logEvents": [{"message": "m"}]}, as_="admin",
                        label=group).ok
    app = f"arn:aws:logs:{REGION}:{ACCT}:log-group:app"
    sim.call("kms:CreateGrant", {"KeyId": key, "GranteePrincipal": READER,
                                 "Operations": ["Decrypt"], "Constraints": {
                                     "EncryptionContextEquals": {"aws:logs:arn": app}}},
             as_="admin", at="+1m")
    assert sim.decryptable("app", as_="reader").status == "yes"
    assert sim.decryptable("web", as_="reader").status == "no"
    world = sim.world
    shaped = decrypt.Answers(world, READER)
    items = list(world.iter_items())
    assert [shaped(i) for i in items] == [decrypt.decryptability(world, i, READER)
                                          for i in items]


def test_kmsim_at_and_explain_name_the_grant(capsys):
    assert main(["at", SCENARIO, "+12m", "--as", "reader", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (item,) = [i for i in doc["items"] if i["label"] == "m1"]
    assert item["status"] == "yes" and "R-KMS-GRANT-10" in item["rules"]
    assert main(["explain", SCENARIO, "m1", "--at", "+22m", "--as", "reader"]) == 0
    text = capsys.readouterr().out
    assert ": maybe" in text.splitlines()[0]
    assert "(kms:CreateGrant at +5m)" in text and "revoked by event" in text


class ShapedAnswersWithGrants(ShapedAnswers):
    """tests/test_rollup.py's random timelines, with grants to the reader (some constrained
    to one log group's context) made and revoked: per shape still equals per item."""

    ASSUMPTIONS = {"logs_reader": "caller"}

    @rule(key=ShapedAnswers.keys, step=SHORT,
          group=st.sampled_from([None, "app", "web"]))
    def grant_reader(self, key: str, step: int, group: str | None) -> None:
        req = {"KeyId": key, "GranteePrincipal": READER, "Operations": ["Decrypt"]}
        if group:
            req["Constraints"] = {"EncryptionContextEquals": {
                "aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCT}:log-group:{group}"}}
        self.call(step, "kms:CreateGrant", req)

    @rule(key=ShapedAnswers.keys, step=SHORT)
    def revoke_first(self, key: str, step: int) -> None:
        listed = self.call(step, "kms:ListGrants", {"KeyId": key})
        grants = listed.res.get("Grants") if listed.ok else None
        if grants:
            self.call(0, "kms:RevokeGrant", {"KeyId": key, "GrantId": grants[0]["GrantId"]})


ShapedAnswersWithGrants.TestCase.settings = settings(
    max_examples=8, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TestShapedAnswersWithGrants = ShapedAnswersWithGrants.TestCase


# -- boto3 against the in-process server ------------------------------------------------


def test_boto3_grants_round_trip():
    boto3 = pytest.importorskip("boto3")
    with simulated_aws(principals={"AKIDREADER": READER}, assumptions={
            "propagation": "instant"}):
        admin = boto3.client("kms", region_name=REGION)
        reader = boto3.session.Session().client(
            "kms", region_name=REGION, aws_access_key_id="AKIDREADER",
            aws_secret_access_key="x")
        key = admin.create_key()["KeyMetadata"]["Arn"]
        blob = admin.encrypt(KeyId=key, Plaintext=b"hello")["CiphertextBlob"]
        with pytest.raises(reader.exceptions.ClientError) as denied:
            reader.decrypt(CiphertextBlob=blob)
        assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
        made = admin.create_grant(KeyId=key, GranteePrincipal=READER,
                                  Operations=["Decrypt", "RetireGrant"], Name="reader")
        assert reader.decrypt(CiphertextBlob=blob, GrantTokens=[made["GrantToken"]])[
            "Plaintext"] == b"hello"
        listed = admin.list_grants(KeyId=key)
        assert [g["GrantId"] for g in listed["Grants"]] == [made["GrantId"]]
        assert listed["Grants"][0]["Name"] == "reader" and listed["Truncated"] is False
        with pytest.raises(admin.exceptions.DryRunOperationException):
            admin.revoke_grant(KeyId=key, GrantId=made["GrantId"], DryRun=True)
        reader.retire_grant(GrantToken=made["GrantToken"])
        assert admin.list_grants(KeyId=key)["Grants"] == []
        with pytest.raises(admin.exceptions.NotFoundException):
            admin.revoke_grant(KeyId=key, GrantId=made["GrantId"])
        with pytest.raises(admin.exceptions.InvalidGrantTokenException):
            admin.retire_grant(GrantToken="not-a-token")

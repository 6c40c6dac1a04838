"""Key rotation with boto3: in-process (``simulated_aws``) and against ``kmsim serve``. The
members are the model's (botocore parses them: NextRotationDate is a datetime), the
automatic rotation happens when simulated time passes its date, and a ciphertext from
before a rotation still decrypts, naming its material."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from server_support import client as server_client
from server_support import raw, running
from support import REGION

boto3 = pytest.importorskip("boto3")
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from sim.testing import simulated_aws  # noqa: E402

START = datetime(2026, 1, 1, tzinfo=UTC)


def _kms():
    return boto3.session.Session().client("kms", region_name=REGION,
                                          aws_access_key_id="AKIDTEST",
                                          aws_secret_access_key="secret")


def test_rotation_in_process_with_boto3() -> None:
    with simulated_aws() as aws:
        kms = _kms()
        key = kms.create_key()["KeyMetadata"]
        key_id, first = key["KeyId"], key["CurrentKeyMaterialId"]
        old = kms.encrypt(KeyId=key_id, Plaintext=b"before")["CiphertextBlob"]
        kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
        got = kms.get_key_rotation_status(KeyId=key_id)
        assert got["KeyRotationEnabled"] is True and got["RotationPeriodInDays"] == 90
        enabled_at = next(e.t for e in aws.events if e.op == "kms:EnableKeyRotation")
        assert got["NextRotationDate"].timestamp() * 1000 == enabled_at + 90 * 86_400_000
        assert kms.rotate_key_on_demand(KeyId=key_id)["KeyId"] == key["Arn"]
        on_demand = kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
        assert on_demand != first
        aws.advance("90d1s")  # the automatic rotation's timer fires on the way
        listed = kms.list_key_rotations(KeyId=key_id)["Rotations"]
        assert [r["RotationType"] for r in listed] == ["ON_DEMAND", "AUTOMATIC"]
        assert listed[1]["RotationDate"] == got["NextRotationDate"]
        assert listed[1]["KeyMaterialId"] == \
            kms.describe_key(KeyId=key_id)["KeyMetadata"]["CurrentKeyMaterialId"]
        plain = kms.decrypt(CiphertextBlob=old)
        assert plain["Plaintext"] == b"before" and plain["KeyMaterialId"] == first
        unchecked = boto3.session.Session().client(
            "kms", region_name=REGION, aws_access_key_id="AKIDTEST",
            aws_secret_access_key="secret", config=Config(parameter_validation=False))
        with pytest.raises(ClientError) as refused:  # botocore would refuse it first
            unchecked.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=30)
        assert refused.value.response["Error"]["Code"] == "ValidationException"
        kms.disable_key_rotation(KeyId=key_id)
        assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False


def test_refusals_in_process_are_the_models_exceptions() -> None:
    with simulated_aws():
        kms = _kms()
        signing = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
        with pytest.raises(kms.exceptions.UnsupportedOperationException):
            kms.enable_key_rotation(KeyId=signing["KeyMetadata"]["KeyId"])
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        for _ in range(25):
            kms.rotate_key_on_demand(KeyId=key_id)
        with pytest.raises(kms.exceptions.LimitExceededException):
            kms.rotate_key_on_demand(KeyId=key_id)
        pages = kms.get_paginator("list_key_rotations").paginate(
            KeyId=key_id, PaginationConfig={"PageSize": 10})
        assert sum(len(p["Rotations"]) for p in pages) == 25


def test_rotation_against_the_server() -> None:
    with running() as srv:
        kms = server_client(srv, "kms")
        key = kms.create_key()["KeyMetadata"]
        old = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")["CiphertextBlob"]
        kms.enable_key_rotation(KeyId=key["KeyId"])
        due = kms.get_key_rotation_status(KeyId=key["KeyId"])["NextRotationDate"]
        # each request is at its own instant (a millisecond after the last, R-SRV-12..14)
        assert timedelta(0) < due - (START + timedelta(days=365)) < timedelta(seconds=1)
        status, _, body = raw(srv, "POST", "/_kmsim/clock", json.dumps({"advance": "366d"}),
                              {"Content-Type": "application/json"})
        assert status == 200, body
        listed = kms.list_key_rotations(KeyId=key["KeyId"],
                                        IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
        assert [r.get("RotationType") for r in listed] == [None, "AUTOMATIC"]
        assert listed[0]["KeyMaterialId"] == key["CurrentKeyMaterialId"]
        assert kms.decrypt(CiphertextBlob=old)["KeyMaterialId"] == key["CurrentKeyMaterialId"]

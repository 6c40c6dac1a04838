"""KMS key management with boto3 (in-process ``simulated_aws`` and against ``kmsim serve``):
tags (CreateKey's too), UpdateKeyDescription, ListKeyPolicies, alias dates, imports with
their token, GenerateDataKeyWithoutPlaintext, GenerateRandom, GetKeyLastUsage
(R-KMS-MGMT-NN)."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from server_support import client as server_client
from server_support import running
from support import ACCT, ALLOW_ALL, REGION, START

boto3 = pytest.importorskip("boto3")
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from cryptography.hazmat.primitives import hashes, keywrap, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding  # noqa: E402

from sim import Simulator  # noqa: E402
from sim.replay import replay  # noqa: E402
from sim.testing import simulated_aws  # noqa: E402

T0 = datetime(2026, 1, 1, tzinfo=UTC)
WRAP = {"WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}


def _kms(validate: bool = True):
    return boto3.session.Session().client(
        "kms", region_name=REGION, aws_access_key_id="AKIDTEST", aws_secret_access_key="s",
        config=Config(parameter_validation=validate))


def _code(exc: pytest.ExceptionInfo) -> str:
    return exc.value.response["Error"]["Code"]


def test_tags_in_process() -> None:
    with simulated_aws():
        kms = _kms()
        key = kms.create_key(Tags=[{"TagKey": "team", "TagValue": "sre"}])["KeyMetadata"]
        kid = key["KeyId"]
        kms.tag_resource(KeyId=kid, Tags=[{"TagKey": "env", "TagValue": ""},
                                          {"TagKey": "team", "TagValue": "ops"}])
        assert kms.list_resource_tags(KeyId=key["Arn"])["Tags"] == [  # in tag key order
            {"TagKey": "env", "TagValue": ""}, {"TagKey": "team", "TagValue": "ops"}]
        kms.untag_resource(KeyId=kid, TagKeys=["team", "absent"])  # absent: no error
        got = kms.list_resource_tags(KeyId=kid)
        assert got["Tags"] == [{"TagKey": "env", "TagValue": ""}] and got["Truncated"] is False
        with pytest.raises(ClientError) as exc:
            kms.tag_resource(KeyId=kid, Tags=[{"TagKey": "aws:x", "TagValue": "v"}])
        assert _code(exc) == "TagException"
        with pytest.raises(ClientError) as exc:
            kms.tag_resource(KeyId=kid, Tags=[{"TagKey": f"k{i}", "TagValue": "v"}
                                              for i in range(50)])  # 51 with env
        assert _code(exc) == "LimitExceededException"
        assert len(kms.list_resource_tags(KeyId=kid)["Tags"]) == 1  # the refusal changed none
        kms.tag_resource(KeyId=kid, Tags=[{"TagKey": f"k{i}", "TagValue": "v"}
                                          for i in range(49)])
        first = kms.list_resource_tags(KeyId=kid, Limit=20)
        assert len(first["Tags"]) == 20 and first["Truncated"] is True
        rest = kms.list_resource_tags(KeyId=kid, Limit=50, Marker=first["NextMarker"])
        assert len(rest["Tags"]) == 30 and rest["Truncated"] is False
        kms.schedule_key_deletion(KeyId=kid, PendingWindowInDays=7)
        with pytest.raises(kms.exceptions.KMSInvalidStateException):
            kms.tag_resource(KeyId=kid, Tags=[{"TagKey": "late", "TagValue": "v"}])
        assert len(kms.list_resource_tags(KeyId=kid)["Tags"]) == 50  # still listed


def test_create_key_tags_need_tag_resource_in_an_iam_policy() -> None:
    """R-KMS-MGMT-06: CreateKey's Tags need kms:TagResource (IAM policy)."""
    s = Simulator(start=START, account=ACCT)
    s.principal("creator", policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*"}]})
    tags = {"Tags": [{"TagKey": "a", "TagValue": "b"}]}
    r = s.call("kms:CreateKey", tags, as_="creator")
    assert (r.err, r.rule) == ("AccessDeniedException", "R-KMS-20")
    assert s.world.keys == {}
    assert s.call("kms:CreateKey", {}, as_="creator").ok
    r = s.call("kms:CreateKey", {"Tags": [{"TagKey": "aws:a", "TagValue": "b"}]}, as_="creator")
    assert r.err == "AccessDeniedException"


def test_description_policies_and_alias_dates_over_the_wire() -> None:
    with running() as srv:
        kms = server_client(srv, "kms")
        key = kms.create_key(Description="old")["KeyMetadata"]
        kms.update_key_description(KeyId=key["KeyId"], Description="new")
        assert kms.describe_key(KeyId=key["Arn"])["KeyMetadata"]["Description"] == "new"
        got = kms.list_key_policies(KeyId=key["KeyId"])
        assert got["PolicyNames"] == ["default"] and got["Truncated"] is False
        assert json.loads(kms.get_key_policy(KeyId=key["KeyId"])["Policy"])["Id"] == \
            "key-default-1"
        other = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/app", TargetKeyId=key["KeyId"])
        created = srv.app.sim.events[-1].t
        srv.app.sim.advance(60_000)
        kms.update_alias(AliasName="alias/app", TargetKeyId=other)
        updated = srv.app.sim.events[-1].t
        alias = kms.list_aliases(KeyId=other)["Aliases"][0]
        assert alias["AliasArn"] == f"arn:aws:kms:{REGION}:{ACCT}:alias/app"
        assert alias["CreationDate"].timestamp() * 1000 == created
        assert alias["LastUpdatedDate"].timestamp() * 1000 == updated > created
        with pytest.raises(kms.exceptions.NotFoundException):
            kms.list_key_policies(KeyId="alias/none")


def test_import_needs_the_token_of_get_parameters_for_import() -> None:
    """R-KMS-MGMT-11..14: the token is the key's own and valid for 24 hours."""
    with simulated_aws() as aws:
        kms = _kms()
        key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        other = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
        params = kms.get_parameters_for_import(KeyId=key, **WRAP)
        assert params["KeyId"].endswith(key)
        issued = datetime.fromtimestamp(aws.events[-1].t / 1000, UTC)
        assert params["ParametersValidTo"] == issued + timedelta(days=1)
        public = serialization.load_der_public_key(params["PublicKey"])
        assert public.key_size == 2048
        material = {"EncryptedKeyMaterial": b"m",
                    "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}
        with pytest.raises(kms.exceptions.InvalidImportTokenException):
            kms.import_key_material(KeyId=other, ImportToken=params["ImportToken"], **material)
        with pytest.raises(kms.exceptions.InvalidImportTokenException):
            kms.import_key_material(KeyId=key, ImportToken=b"made up", **material)
        assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "PendingImport"
        aws.advance("1d")
        with pytest.raises(kms.exceptions.ExpiredImportTokenException):
            kms.import_key_material(KeyId=key, ImportToken=params["ImportToken"], **material)
        fresh = kms.get_parameters_for_import(KeyId=key, **WRAP)["ImportToken"]
        kms.import_key_material(KeyId=key, ImportToken=fresh, **material)
        assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Enabled"
        plain = kms.create_key()["KeyMetadata"]["KeyId"]
        with pytest.raises(kms.exceptions.UnsupportedOperationException):
            kms.get_parameters_for_import(KeyId=plain, **WRAP)


def _wrap(public_der: bytes, material: bytes, algorithm: str) -> bytes:
    public = serialization.load_der_public_key(public_der)
    digest = hashes.SHA1() if algorithm.endswith("SHA_1") else hashes.SHA256()
    oaep = padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)
    if algorithm.startswith("RSA_AES_KEY_WRAP"):
        aes = os.urandom(32)
        return public.encrypt(aes, oaep) + keywrap.aes_key_wrap_with_padding(aes, material)
    return public.encrypt(material, oaep)


@pytest.mark.parametrize("algorithm", ["RSAES_OAEP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"])
def test_unwrapping_the_key_material_when_asked(algorithm: str) -> None:
    """A-MGMT-KEY-MATERIAL=unwrap: material wrapped with the public key imports; other bytes
    are InvalidCiphertextException, the wrong size IncorrectKeyMaterialException."""
    s = Simulator(start=START, account=ACCT, default_principal="admin",
                  assumptions={"mgmt_key_material": "unwrap"})
    s.principal("admin", policy=ALLOW_ALL)
    key = s.call("kms:CreateKey", {"Origin": "EXTERNAL"}).get("KeyMetadata.Arn")
    params = s.call("kms:GetParametersForImport", {"KeyId": key,
                                                   "WrappingAlgorithm": algorithm,
                                                   "WrappingKeySpec": "RSA_2048"}).res
    public = base64.b64decode(params["PublicKey"])

    def imported(blob: bytes):
        return s.call("kms:ImportKeyMaterial", {
            "KeyId": key, "ImportToken": params["ImportToken"],
            "EncryptedKeyMaterial": base64.b64encode(blob).decode(),
            "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"})

    assert imported(b"not wrapped").err == "InvalidCiphertextException"
    assert imported(_wrap(public, os.urandom(16), algorithm)).err == \
        "IncorrectKeyMaterialException"
    assert s.key_state(key) == "PendingImport"
    assert imported(_wrap(public, os.urandom(32), algorithm)).ok
    assert s.key_state(key) == "Enabled"


def test_data_key_without_plaintext_random_and_last_usage() -> None:
    with simulated_aws() as aws:
        kms = _kms()
        key = kms.create_key()["KeyMetadata"]
        kid = key["KeyId"]
        usage = kms.get_key_last_usage(KeyId=kid)
        assert usage["KeyLastUsage"] == {} and usage["KeyCreationDate"] == T0
        assert usage["TrackingStartDate"] == T0
        out = kms.generate_data_key_without_plaintext(KeyId=kid, KeySpec="AES_128",
                                                      EncryptionContext={"a": "b"})
        assert "Plaintext" not in out and out["KeyId"] == key["Arn"]
        data_key = kms.decrypt(CiphertextBlob=out["CiphertextBlob"],
                               EncryptionContext={"a": "b"})["Plaintext"]
        assert len(data_key) == 16
        aws.advance("1h")
        kms.encrypt(KeyId=kid, Plaintext=b"x")
        used = aws.events[-1]
        got = kms.get_key_last_usage(KeyId=key["Arn"])["KeyLastUsage"]
        assert got["Operation"] == "Encrypt" and got["Timestamp"].timestamp() * 1000 == used.t
        assert got["CloudTrailEventId"] == f"kmsim-event-{used.seq}"
        kms.disable_key(KeyId=kid)
        with pytest.raises(kms.exceptions.DisabledException):
            kms.encrypt(KeyId=kid, Plaintext=b"x")  # a failure is not a use
        with pytest.raises(kms.exceptions.DisabledException):
            kms.generate_data_key_without_plaintext(KeyId=kid)
        assert kms.get_key_last_usage(KeyId=kid)["KeyLastUsage"]["Operation"] == "Encrypt"
        kms.create_alias(AliasName="alias/k", TargetKeyId=kid)
        with pytest.raises(kms.exceptions.NotFoundException):
            kms.get_key_last_usage(KeyId="alias/k")  # aliases are not supported
        random = kms.generate_random(NumberOfBytes=64)["Plaintext"]
        assert len(random) == 64 and random != kms.generate_random(NumberOfBytes=64)["Plaintext"]
        with pytest.raises(ClientError) as exc:
            _kms(validate=False).generate_random(NumberOfBytes=1025)
        assert _code(exc) == "ValidationException"
        with pytest.raises(kms.exceptions.CustomKeyStoreNotFoundException):
            kms.generate_random(NumberOfBytes=8, CustomKeyStoreId="cks-1234567890abcdef0")


def test_generate_random_replays_to_the_same_bytes() -> None:
    s = Simulator(start=START, account=ACCT)
    first = s.call("kms:GenerateRandom", {"NumberOfBytes": 32}).get("Plaintext")
    again = Simulator(start=START, account=ACCT)
    assert again.call("kms:GenerateRandom", {"NumberOfBytes": 32}).get("Plaintext") == first
    _, differences = replay(s.events, s.profile, s.settings, s.start, seed=s.seed)
    assert differences == []

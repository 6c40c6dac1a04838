"""KMS on the wire (issue 9): boto3 against ``kmsim serve`` sees the codes, messages and
shapes of the real service, and a key ARN names a key only with the key's own partition,
Region, account and key id, at every entry point that takes one (kms:*, the CloudWatch
dataset, CloudWatch Logs).

The expected shapes come from the sources, not from kmsim: botocore's own kms examples
(``examples-1.json``: CreateKey, DescribeKey, GetKeyPolicy outputs of the real service) and
the KeyUsage documentation of CreateKey in botocore's model.
"""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from botocore.exceptions import ClientError
from botocore.loaders import Loader
from server_support import ACCT, REGION, SERVICES_POLICY, client, error_of, events, running

DAY = dt.timedelta(days=1)


def _examples(op: str) -> list[dict]:
    """The KeyMetadata of botocore's examples of ``op`` for single-Region AWS_KMS or EXTERNAL
    keys (the kinds kmsim simulates)."""
    examples = Loader().load_service_model("kms", "examples-1")["examples"].get(op, [])
    metas = [e["output"]["KeyMetadata"] for e in examples]
    return [m for m in metas if m["Origin"] in ("AWS_KMS", "EXTERNAL") and not m["MultiRegion"]]


def _rule(exc: pytest.ExceptionInfo) -> str:
    return error_of(exc)[2]["x-kmsim-rule"]


def _message(exc: pytest.ExceptionInfo) -> str:
    return exc.value.response["Error"]["Message"]


# -- KeyMetadata --------------------------------------------------------------------------

@pytest.mark.parametrize("example", _examples("CreateKey"),
                         ids=lambda m: f"{m['KeySpec']}-{m['KeyUsage']}-{m['Origin']}")
def test_create_key_answers_the_members_aws_does(example: dict) -> None:
    """Every member of AWS's example, no other (CurrentKeyMaterialId is newer than the
    examples: symmetric AWS_KMS keys have it, R-KMS-38), with the example's algorithms."""
    with running() as srv:
        kms = client(srv, "kms")
        meta = kms.create_key(KeySpec=example["KeySpec"], KeyUsage=example["KeyUsage"],
                              Origin=example["Origin"])["KeyMetadata"]
        newer = {"CurrentKeyMaterialId"} if "CurrentKeyMaterialId" in meta else set()
        assert set(meta) == set(example) | newer
        assert bool(newer) == (example["KeySpec"] == "SYMMETRIC_DEFAULT"
                               and example["Origin"] == "AWS_KMS")
        for name in example:
            if name not in ("AWSAccountId", "Arn", "KeyId", "CreationDate"):
                assert meta[name] == example[name], name
        assert meta["Arn"] == f"arn:aws:kms:{REGION}:{ACCT}:key/{meta['KeyId']}"
        assert meta["AWSAccountId"] == ACCT
        assert isinstance(meta["CreationDate"], dt.datetime)
        # DescribeKey answers the same metadata for the same key
        assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"] == meta


@pytest.mark.parametrize("example", _examples("DescribeKey"),
                         ids=lambda m: f"{m['CustomerMasterKeySpec']}-{m['KeyUsage']}")
def test_describe_key_lists_the_algorithms_aws_does(example: dict) -> None:
    with running() as srv:
        kms = client(srv, "kms")
        spec = example["CustomerMasterKeySpec"]
        key = kms.create_key(KeySpec=spec, KeyUsage=example["KeyUsage"])["KeyMetadata"]["Arn"]
        if example["KeyState"] == "Disabled":
            kms.disable_key(KeyId=key)
        meta = kms.describe_key(KeyId=key)["KeyMetadata"]
        for name in ("EncryptionAlgorithms", "SigningAlgorithms", "MacAlgorithms",
                     "KeyAgreementAlgorithms", "KeyState", "Enabled", "KeyManager"):
            assert meta.get(name) == example.get(name), name
        assert meta["KeySpec"] == meta["CustomerMasterKeySpec"] == spec  # R-KMS-31


@pytest.mark.parametrize(("spec", "usage", "member", "algorithms"), [
    ("ECC_NIST_P256", "SIGN_VERIFY", "SigningAlgorithms", ["ECDSA_SHA_256"]),
    ("ECC_NIST_P384", "SIGN_VERIFY", "SigningAlgorithms", ["ECDSA_SHA_384"]),
    ("ECC_SECG_P256K1", "SIGN_VERIFY", "SigningAlgorithms", ["ECDSA_SHA_256"]),
    ("ECC_NIST_P256", "KEY_AGREEMENT", "KeyAgreementAlgorithms", ["ECDH"]),
    ("ECC_NIST_EDWARDS25519", "SIGN_VERIFY", "SigningAlgorithms",
     ["ED25519_SHA_512", "ED25519_PH_SHA_512"]),
    ("ML_DSA_44", "SIGN_VERIFY", "SigningAlgorithms", ["ML_DSA_SHAKE_256"]),
    ("HMAC_224", "GENERATE_VERIFY_MAC", "MacAlgorithms", ["HMAC_SHA_224"]),
    ("ML_KEM_768", "ENCAPSULATE_DECAPSULATE", "EncapsulationAlgorithms", ["ML_KEM"]),
])
def test_only_the_algorithms_of_the_key_usage(spec, usage, member, algorithms) -> None:
    """R-KMS-32: one algorithm list, the one of the key's usage."""
    with running() as srv:
        meta = client(srv, "kms").create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
        lists = {k: v for k, v in meta.items() if k.endswith("Algorithms")}
        assert lists == {member: algorithms}
        assert "CurrentKeyMaterialId" not in meta  # symmetric encryption keys only


def test_key_material_id_is_drawn_recorded_and_kept() -> None:
    with running() as srv:
        kms = client(srv, "kms")
        a = kms.create_key()["KeyMetadata"]
        b = kms.create_key()["KeyMetadata"]
        for meta in (a, b):
            mid = meta["CurrentKeyMaterialId"]
            assert len(mid) == 64 and set(mid) <= set("0123456789abcdef")
        assert a["CurrentKeyMaterialId"] != b["CurrentKeyMaterialId"]
        kms.disable_key(KeyId=a["KeyId"])
        assert kms.describe_key(KeyId=a["KeyId"])["KeyMetadata"]["CurrentKeyMaterialId"] == \
            a["CurrentKeyMaterialId"]
        first = events(srv)[0]
        assert first["op"] == "kms:CreateKey" and "KeyMaterialId" in first["draws"]


def test_schedule_and_cancel_deletion_answer_the_key_arn() -> None:
    """R-KMS-36 (asked by key id, answered by ARN) and R-KMS-33 (DeletionDate only while
    PendingDeletion; no PendingDeletionWindowInDays for a single-Region key)."""
    with running() as srv:
        kms = client(srv, "kms")
        meta = kms.create_key()["KeyMetadata"]
        out = kms.schedule_key_deletion(KeyId=meta["KeyId"], PendingWindowInDays=7)
        out.pop("ResponseMetadata")
        assert set(out) == {"KeyId", "KeyState", "DeletionDate", "PendingWindowInDays"}
        assert (out["KeyId"], out["KeyState"], out["PendingWindowInDays"]) == \
            (meta["Arn"], "PendingDeletion", 7)
        # under --clock sim each request is its own instant, just after the previous one
        waited = out["DeletionDate"] - meta["CreationDate"]
        assert 7 * DAY <= waited < 7 * DAY + dt.timedelta(seconds=1)
        described = kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
        assert described["DeletionDate"] == out["DeletionDate"]
        assert described["Enabled"] is False and "PendingDeletionWindowInDays" not in described
        cancelled = kms.cancel_key_deletion(KeyId=meta["KeyId"])
        cancelled.pop("ResponseMetadata")
        assert cancelled == {"KeyId": meta["Arn"]}
        described = kms.describe_key(KeyId=meta["Arn"])["KeyMetadata"]
        assert described["KeyState"] == "Disabled" and "DeletionDate" not in described


def test_external_key_has_no_expiration_model_until_material_is_imported() -> None:
    with running() as srv:
        kms = client(srv, "kms")
        key = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["Arn"]
        before = kms.describe_key(KeyId=key)["KeyMetadata"]
        assert "ExpirationModel" not in before and "ValidTo" not in before
        token = kms.get_parameters_for_import(KeyId=key, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                              WrappingKeySpec="RSA_2048")["ImportToken"]
        kms.import_key_material(KeyId=key, ImportToken=token, EncryptedKeyMaterial=b"m",
                                ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
        after = kms.describe_key(KeyId=key)["KeyMetadata"]
        assert after["ExpirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE"
        assert after["KeyState"] == "Enabled" and "ValidTo" not in after


# -- the default key policy ---------------------------------------------------------------

def test_default_key_policy_is_kms_own_text() -> None:
    """R-KMS-35: GetKeyPolicy answers the very text of botocore's GetKeyPolicy example."""
    example = Loader().load_service_model("kms", "examples-1")["examples"]["GetKeyPolicy"]
    text = example[0]["output"]["Policy"]
    assert ACCT == "111122223333"  # the example's account
    with running() as srv:
        kms = client(srv, "kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        policy = kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"]
        assert policy == text
        statement = json.loads(policy)["Statement"][0]
        assert (statement["Action"], statement["Resource"]) == ("kms:*", "*")
        # ... and it still works as the default policy does: the account root may use it
        assert kms.encrypt(KeyId=key, Plaintext=b"x")["KeyId"].endswith(key)
    # another account's root is the principal of its own keys' default policy
    from sim import Simulator

    s = Simulator(start="2026-01-01T00:00:00Z", account="444455556666")
    key = s.call("kms:CreateKey", {}, at="+1m").get("KeyMetadata.KeyId")
    assert s.call("kms:GetKeyPolicy", {"KeyId": key}, at="+2m").get("Policy") == \
        text.replace("111122223333", "444455556666")


# -- CreateKey's KeySpec and KeyUsage ------------------------------------------------------

#: CreateKey's KeyUsage documentation, as a table (R-KMS-26, R-KMS-27).
ALLOWED = {
    "SYMMETRIC_DEFAULT": {"ENCRYPT_DECRYPT"},
    "HMAC_256": {"GENERATE_VERIFY_MAC"},
    "RSA_3072": {"ENCRYPT_DECRYPT", "SIGN_VERIFY"},
    "ECC_NIST_P521": {"SIGN_VERIFY", "KEY_AGREEMENT"},
    "ECC_NIST_EDWARDS25519": {"SIGN_VERIFY"},
    "ECC_SECG_P256K1": {"SIGN_VERIFY"},
    "ML_DSA_87": {"SIGN_VERIFY"},
    "ML_KEM_512": {"ENCAPSULATE_DECAPSULATE"},
}
USAGES = ("ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT",
          "ENCAPSULATE_DECAPSULATE")


def test_key_usage_and_key_spec_pairs() -> None:
    with running() as srv:
        kms = client(srv, "kms")
        for spec, allowed in ALLOWED.items():
            for usage in USAGES:
                if usage in allowed:
                    meta = kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
                    assert (meta["KeySpec"], meta["KeyUsage"]) == (spec, usage)
                    continue
                with pytest.raises(ClientError) as exc:
                    kms.create_key(KeySpec=spec, KeyUsage=usage)
                assert error_of(exc)[:2] == ("ValidationException", 400), (spec, usage)
                assert _rule(exc) == "R-KMS-28"
                assert spec in _message(exc) and usage in _message(exc)
        created = sum(len(a) for a in ALLOWED.values())
        assert len(kms.list_keys()["Keys"]) == created  # a refused CreateKey makes no key


def test_key_usage_is_required_unless_symmetric() -> None:
    with running() as srv:
        kms = client(srv, "kms")
        assert kms.create_key(KeySpec="SYMMETRIC_DEFAULT")["KeyMetadata"]["KeyUsage"] == \
            "ENCRYPT_DECRYPT"
        for spec in ("RSA_2048", "HMAC_512", "ECC_NIST_P256"):
            with pytest.raises(ClientError) as exc:
                kms.create_key(KeySpec=spec)
            assert (error_of(exc)[0], _rule(exc)) == ("ValidationException", "R-KMS-29")
        # the deprecated CustomerMasterKeySpec works the same way
        meta = kms.create_key(CustomerMasterKeySpec="RSA_4096",
                              KeyUsage="SIGN_VERIFY")["KeyMetadata"]
        assert meta["KeySpec"] == meta["CustomerMasterKeySpec"] == "RSA_4096"


def test_sm2_and_multi_region_keys_in_a_key_store_are_refused() -> None:
    with running() as srv:
        kms = client(srv, "kms")
        with pytest.raises(kms.exceptions.UnsupportedOperationException) as exc:
            kms.create_key(KeySpec="SM2", KeyUsage="SIGN_VERIFY")
        assert _message(exc) == "KeySpec SM2 is not supported in this Region"
        assert _rule(exc) == "R-KMS-30"
        with pytest.raises(kms.exceptions.UnsupportedOperationException) as exc:
            kms.create_key(MultiRegion=True, Origin="AWS_CLOUDHSM", CustomKeyStoreId="cks-1")
        assert _rule(exc) == "R-KMS-57"
        assert kms.list_keys()["Keys"] == []


# -- Encrypt's plaintext ------------------------------------------------------------------

def test_encrypt_takes_at_most_4096_bytes() -> None:
    with running() as srv:
        kms = client(srv, "kms")
        key = kms.create_key()["KeyMetadata"]["Arn"]
        blob = kms.encrypt(KeyId=key, Plaintext=b"\xff" * 4096)["CiphertextBlob"]
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"\xff" * 4096
        with pytest.raises(ClientError) as exc:
            kms.encrypt(KeyId=key, Plaintext=b"\xff" * 4097)
        assert error_of(exc)[:2] == ("ValidationException", 400)
        assert _rule(exc) == "R-KMS-37" and "4096" in _message(exc)
        assert [e["out"]["ok"] for e in events(srv)][-1] is False


def test_plaintext_bytes_not_characters_count_in_the_python_api() -> None:
    """Scenarios and the Python API may pass text that is not base64: its UTF-8 bytes count,
    and base64 text counts as the bytes it decodes to, as on the wire."""
    from sim import Simulator

    s = Simulator(start="2026-01-01T00:00:00Z", account=ACCT)
    key = s.call("kms:CreateKey", {}, at="+1m").get("KeyMetadata.Arn")
    assert s.call("kms:Encrypt", {"KeyId": key, "Plaintext": "é" * 2048}, at="+2m").ok
    r = s.call("kms:Encrypt", {"KeyId": key, "Plaintext": "é" * 2049}, at="+2m")
    assert (r.err, r.rule) == ("ValidationException", "R-KMS-37")
    as_b64 = base64.b64encode(b"x" * 4096).decode()  # 5464 characters, 4096 bytes
    assert s.call("kms:Encrypt", {"KeyId": key, "Plaintext": as_b64}, at="+3m").ok
    too_long = base64.b64encode(b"x" * 4097).decode()
    assert s.call("kms:Encrypt", {"KeyId": key, "Plaintext": too_long}, at="+3m").err == \
        "ValidationException"


# -- the key ARN's partition (and the rest of it) ------------------------------------------

def _other_arns(arn: str) -> list[str]:
    """ARNs with the key's own id but another partition, Region or account."""
    _, _, _, region, account, resource = arn.split(":", 5)
    return [f"arn:aws-cn:kms:{region}:{account}:{resource}",
            f"arn:aws-us-gov:kms:{region}:{account}:{resource}",
            f"arn:aws:kms:eu-west-1:{account}:{resource}",
            f"arn:aws:kms:{region}:444455556666:{resource}"]


def test_kms_operations_refuse_a_key_arn_that_is_not_the_keys_own() -> None:
    with running() as srv:
        kms = client(srv, "kms")
        arn = kms.create_key()["KeyMetadata"]["Arn"]
        for other in _other_arns(arn):
            for call in (lambda k: kms.describe_key(KeyId=k),
                         lambda k: kms.encrypt(KeyId=k, Plaintext=b"x"),
                         lambda k: kms.disable_key(KeyId=k)):
                with pytest.raises(kms.exceptions.NotFoundException) as exc:
                    call(other)
                assert _rule(exc) == "R-KMS-34", other
        part = _other_arns(arn)[0]
        with pytest.raises(kms.exceptions.NotFoundException) as exc:
            kms.describe_key(KeyId=part)
        assert "partition 'aws-cn'" in _message(exc)
        assert kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] == "Enabled"


def test_dataset_refuses_a_key_arn_of_another_partition() -> None:
    with running() as srv:
        kms, cw = client(srv, "kms"), client(srv, "cloudwatch")
        arn = kms.create_key(Policy=SERVICES_POLICY)["KeyMetadata"]["Arn"]
        for other in _other_arns(arn):
            with pytest.raises(cw.exceptions.KmsKeyNotFoundException):
                cw.associate_dataset_kms_key(DatasetIdentifier="default", KmsKeyArn=other)
        assert "KmsKeyArn" not in cw.get_dataset(DatasetIdentifier="default")
        cw.associate_dataset_kms_key(DatasetIdentifier="default", KmsKeyArn=arn)
        assert cw.get_dataset(DatasetIdentifier="default")["KmsKeyArn"] == arn


def test_logs_refuse_a_key_arn_of_another_partition() -> None:
    with running(assumptions={"propagation": "instant"}) as srv:
        kms, logs = client(srv, "kms"), client(srv, "logs")
        arn = kms.create_key(Policy=SERVICES_POLICY)["KeyMetadata"]["Arn"]
        logs.create_log_group(logGroupName="app")
        for other in _other_arns(arn):
            with pytest.raises(logs.exceptions.InvalidParameterException):
                logs.associate_kms_key(logGroupName="app", kmsKeyId=other)
            with pytest.raises(logs.exceptions.InvalidParameterException):
                logs.create_log_group(logGroupName="second", kmsKeyId=other)
        groups = logs.describe_log_groups()["logGroups"]
        assert [(g["logGroupName"], g.get("kmsKeyId")) for g in groups] == [("app", None)]
        logs.associate_kms_key(logGroupName="app", kmsKeyId=arn)
        logs.create_log_group(logGroupName="second", kmsKeyId=arn)
        groups = logs.describe_log_groups()["logGroups"]
        assert [(g["logGroupName"], g.get("kmsKeyId")) for g in groups] == \
            [("app", arn), ("second", arn)]

"""kms:ReEncrypt complete (G1): RSA and symmetric sources and destinations through boto3
in-process (``simulated_aws``), SourceKeyId and the two algorithms checked as the docs say,
the response members, and a ciphertext made outside kmsim with GetPublicKey's key."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from support import ACCT, ALLOW_ALL, START

from sim import Simulator
from sim.testing import simulated_aws

OAEP = {"RSAES_OAEP_SHA_1": hashes.SHA1, "RSAES_OAEP_SHA_256": hashes.SHA256}


@pytest.fixture
def kms():
    with simulated_aws():
        yield boto3.client("kms", region_name="us-east-1")


def rsa_key(kms, spec: str = "RSA_2048") -> str:
    return kms.create_key(KeySpec=spec, KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["Arn"]


def symmetric_key(kms) -> str:
    return kms.create_key()["KeyMetadata"]["Arn"]


def outside(kms, key: str, plaintext: bytes, algorithm: str) -> bytes:
    """An RSAES-OAEP ciphertext made outside kmsim with the key from GetPublicKey."""
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key)["PublicKey"])
    h = OAEP[algorithm]()
    return public.encrypt(plaintext, padding.OAEP(padding.MGF1(h), h, None))


def code(exc: pytest.ExceptionInfo) -> tuple[str, str]:
    """(error code, kmsim's rule header) of a ClientError."""
    response = exc.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPHeaders"].get(
        "x-kmsim-rule", "")


def test_rsa_source_made_outside_reencrypts_to_a_symmetric_key(kms) -> None:
    rsa, sym = rsa_key(kms), symmetric_key(kms)
    blob = outside(kms, rsa, b"\x00made outside\xff", "RSAES_OAEP_SHA_256")
    out = kms.re_encrypt(CiphertextBlob=blob, SourceKeyId=rsa,
                         SourceEncryptionAlgorithm="RSAES_OAEP_SHA_256", DestinationKeyId=sym,
                         DestinationEncryptionContext={"purpose": "move"})
    assert (out["SourceKeyId"], out["KeyId"]) == (rsa, sym)
    assert (out["SourceEncryptionAlgorithm"], out["DestinationEncryptionAlgorithm"]) == \
        ("RSAES_OAEP_SHA_256", "SYMMETRIC_DEFAULT")
    assert "SourceKeyMaterialId" not in out  # an asymmetric source has none
    assert out["DestinationKeyMaterialId"] == \
        kms.describe_key(KeyId=sym)["KeyMetadata"]["CurrentKeyMaterialId"]
    back = kms.decrypt(CiphertextBlob=out["CiphertextBlob"],
                       EncryptionContext={"purpose": "move"})
    assert (back["Plaintext"], back["KeyId"]) == (b"\x00made outside\xff", sym)


def test_symmetric_source_reencrypts_to_an_rsa_key(kms) -> None:
    sym, rsa = symmetric_key(kms), rsa_key(kms, "RSA_3072")
    blob = kms.encrypt(KeyId=sym, Plaintext=b"to rsa", EncryptionContext={"a": "b"}
                       )["CiphertextBlob"]
    out = kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"a": "b"},
                         DestinationKeyId=rsa, DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_1")
    assert (out["SourceKeyId"], out["KeyId"], out["SourceEncryptionAlgorithm"],
            out["DestinationEncryptionAlgorithm"]) == \
        (sym, rsa, "SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1")
    assert "DestinationKeyMaterialId" not in out and "SourceKeyMaterialId" in out
    assert len(out["CiphertextBlob"]) == 3072 // 8  # an RSA ciphertext, not an envelope
    assert kms.decrypt(CiphertextBlob=out["CiphertextBlob"], KeyId=rsa,
                       EncryptionAlgorithm="RSAES_OAEP_SHA_1")["Plaintext"] == b"to rsa"


def test_rsa_to_rsa_changes_key_and_algorithm(kms) -> None:
    first, second = rsa_key(kms), rsa_key(kms, "RSA_4096")
    blob = outside(kms, first, b"rsa to rsa", "RSAES_OAEP_SHA_1")
    out = kms.re_encrypt(CiphertextBlob=blob, SourceKeyId=first,
                         SourceEncryptionAlgorithm="RSAES_OAEP_SHA_1", DestinationKeyId=second,
                         DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert (out["SourceKeyId"], out["KeyId"]) == (first, second)
    assert kms.decrypt(CiphertextBlob=out["CiphertextBlob"], KeyId=second,
                       EncryptionAlgorithm="RSAES_OAEP_SHA_256")["Plaintext"] == b"rsa to rsa"
    with pytest.raises(ClientError) as exc:  # the old algorithm does not open the new one
        kms.decrypt(CiphertextBlob=out["CiphertextBlob"], KeyId=second,
                    EncryptionAlgorithm="RSAES_OAEP_SHA_1")
    assert code(exc)[0] == "InvalidCiphertextException"


def test_a_source_key_id_that_did_not_encrypt_is_an_incorrect_key(kms) -> None:
    k1, k2, dest = symmetric_key(kms), symmetric_key(kms), symmetric_key(kms)
    blob = kms.encrypt(KeyId=k1, Plaintext=b"p")["CiphertextBlob"]
    with pytest.raises(ClientError) as exc:
        kms.re_encrypt(CiphertextBlob=blob, SourceKeyId=k2, DestinationKeyId=dest)
    assert code(exc) == ("IncorrectKeyException", "R-KMS-REENC-04")
    same = kms.re_encrypt(CiphertextBlob=blob, SourceKeyId=k1.split("/")[-1],
                          DestinationKeyId=dest)  # the right key by its key ID
    assert same["SourceKeyId"] == k1


@pytest.mark.parametrize(("args", "expected"), [
    # the RSA source: no SourceKeyId, no algorithm, the other hash
    ({}, ("InvalidCiphertextException", "R-KMS-REENC-02")),
    ({"SourceKeyId": "RSA"}, ("InvalidKeyUsageException", "R-KMS-ASYM-02")),
    ({"SourceKeyId": "RSA", "SourceEncryptionAlgorithm": "RSAES_OAEP_SHA_1"},
     ("InvalidCiphertextException", "R-KMS-ASYM-20")),
    # the destination: an RSA key without its algorithm, a symmetric one with RSAES
    ({"SourceKeyId": "RSA", "SourceEncryptionAlgorithm": "RSAES_OAEP_SHA_256",
      "DestinationKeyId": "RSA"}, ("InvalidKeyUsageException", "R-KMS-ASYM-02")),
    ({"SourceKeyId": "RSA", "SourceEncryptionAlgorithm": "RSAES_OAEP_SHA_256",
      "DestinationEncryptionAlgorithm": "RSAES_OAEP_SHA_256"},
     ("InvalidKeyUsageException", "R-KMS-ASYM-02")),
    ({"SourceKeyId": "RSA", "SourceEncryptionAlgorithm": "RSAES_OAEP_SHA_256",
      "DestinationKeyId": "RSA", "DestinationEncryptionAlgorithm": "RSAES_OAEP_SHA_256",
      "DestinationEncryptionContext": {"a": "b"}}, ("ValidationException", "R-KMS-REENC-07")),
])
def test_wrong_algorithms_and_missing_source_key_fail_as_documented(kms, args, expected
                                                                    ) -> None:
    rsa, sym = rsa_key(kms), symmetric_key(kms)
    blob = outside(kms, rsa, b"p", "RSAES_OAEP_SHA_256")
    named = {k: (rsa if v == "RSA" else v) for k, v in args.items()}
    with pytest.raises(ClientError) as exc:
        kms.re_encrypt(CiphertextBlob=blob, **{"DestinationKeyId": sym, **named})
    assert code(exc) == expected


def test_a_symmetric_ciphertext_with_an_rsa_algorithm_fails(kms) -> None:
    sym = symmetric_key(kms)
    blob = kms.encrypt(KeyId=sym, Plaintext=b"p")["CiphertextBlob"]
    with pytest.raises(ClientError) as exc:
        kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionAlgorithm="RSAES_OAEP_SHA_1",
                       DestinationKeyId=sym)
    assert code(exc) == ("InvalidKeyUsageException", "R-KMS-ASYM-02")


def test_plaintext_too_long_for_the_rsa_destination(kms) -> None:
    sym, rsa = symmetric_key(kms), rsa_key(kms)
    blob = kms.encrypt(KeyId=sym, Plaintext=b"x" * 191)["CiphertextBlob"]
    with pytest.raises(ClientError) as exc:  # RSA_2048 with SHA_256 takes at most 190 bytes
        kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=rsa,
                       DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert code(exc) == ("ValidationException", "R-KMS-ASYM-19")
    fits = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=rsa,
                          DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_1")  # 214 bytes
    assert fits["KeyId"] == rsa


def test_reencrypt_from_an_rsa_key_needs_reencrypt_from() -> None:
    s = Simulator(start=START, account=ACCT)
    s.principal("admin", policy=ALLOW_ALL)
    s.principal("mover", policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["kms:ReEncryptTo", "kms:Decrypt"], "Resource": "*"}]})
    rsa = s.call("kms:CreateKey", {"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"},
                 at="+1s", as_="admin").get("KeyMetadata.Arn")
    sym = s.call("kms:CreateKey", {}, at="+2s", as_="admin").get("KeyMetadata.Arn")
    blob = s.call("kms:Encrypt", {"KeyId": rsa, "Plaintext": "cA==",
                                  "EncryptionAlgorithm": "RSAES_OAEP_SHA_1"},
                  at="+3s", as_="admin").get("CiphertextBlob")
    args = {"CiphertextBlob": blob, "SourceKeyId": rsa,
            "SourceEncryptionAlgorithm": "RSAES_OAEP_SHA_1", "DestinationKeyId": sym}
    denied = s.call("kms:ReEncrypt", args, at="+4s", as_="mover")
    assert (denied.err, denied.rule) == ("AccessDeniedException", "R-KMS-19")
    assert "kms:ReEncryptFrom" in denied.event.out["msg"]
    done = s.call("kms:ReEncrypt", args, at="+5s", as_="admin")
    assert done.ok and done.get("SourceKeyId") == rsa and done.get("KeyId") == sym

"""DryRun on every KMS operation whose input has it (botocore's model lists them): a request
that would succeed answers DryRunOperationException and changes nothing (R-KMS-ASYM-26); a
request that would fail answers its own error first; DryRunModifiers IGNORE_CIPHERTEXT
checks authorization without a ciphertext (R-KMS-REENC-12)."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
from botocore.loaders import Loader
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from support import ACCT, ALLOW_ALL, START

from sim import CallResult, Simulator

MISSING_KEY = "alias/no-such-key"
_PEER = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def dry_run_operations() -> list[str]:
    """Every KMS operation whose input shape has a DryRun member, from botocore's model."""
    model = Loader().load_service_model("kms", "service-2")
    return sorted(name for name, op in model["operations"].items()
                  if "DryRun" in model["shapes"][op["input"]["shape"]]["members"])


class World:
    """A simulation with one key of each kind the operations need, and what they take."""

    def __init__(self) -> None:
        self.s = Simulator(start=START, account=ACCT)
        self.s.principal("admin", policy=ALLOW_ALL)
        self.admin = f"arn:aws:iam::{ACCT}:user/admin"
        self.sym = self.key({})
        self.other = self.key({})
        self.rsa = self.key({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"})
        self.ecc = self.key({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"})
        self.ecdh = self.key({"KeySpec": "ECC_NIST_P256", "KeyUsage": "KEY_AGREEMENT"})
        self.hmac = self.key({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"})
        self.kem = self.key({"KeySpec": "ML_KEM_768", "KeyUsage": "ENCAPSULATE_DECAPSULATE"})
        self.blob = self.ok("kms:Encrypt", {"KeyId": self.sym, "Plaintext": "cA==",
                                            "EncryptionContext": {"a": "b"}}).get(
                                                "CiphertextBlob")
        self.signature = self.ok("kms:Sign", {"KeyId": self.ecc, "Message": "bQ==",
                                              "SigningAlgorithm": "ECDSA_SHA_256"}).get(
                                                  "Signature")
        self.mac = self.ok("kms:GenerateMac", {"KeyId": self.hmac, "Message": "bQ==",
                                               "MacAlgorithm": "HMAC_SHA_256"}).get("Mac")

    def grant(self) -> str:
        """A new grant on the symmetric key (RetireGrant and RevokeGrant remove theirs)."""
        return self.ok("kms:CreateGrant", {"KeyId": self.sym, "GranteePrincipal": self.admin,
                                           "Operations": ["Decrypt"]}).get("GrantId")

    def call(self, op: str, args: dict) -> CallResult:
        return self.s.call(op, args, at="+1s", as_="admin")

    def ok(self, op: str, args: dict) -> CallResult:
        r = self.call(op, args)
        assert r.ok, (op, r.err, r.event.out.get("msg"))
        return r

    def key(self, args: dict) -> str:
        return self.ok("kms:CreateKey", args).get("KeyMetadata.Arn")


#: For each operation: the member naming the key a failing variant replaces, and the args
#: of a request that succeeds.
CASES: dict[str, tuple[str, Callable[[World], dict]]] = {
    "CreateGrant": ("KeyId", lambda w: {"KeyId": w.sym, "GranteePrincipal": w.admin,
                                        "Operations": ["Encrypt"], "Name": "dry"}),
    "Decapsulate": ("KeyId", lambda w: {"KeyId": w.kem, "EncapsulationAlgorithm": "ML_KEM",
                                        "SharedSecretCiphertextBlob": b64(bytes(1088))}),
    "Decrypt": ("KeyId", lambda w: {"CiphertextBlob": w.blob, "KeyId": w.sym,
                                    "EncryptionContext": {"a": "b"}}),
    "DeriveSharedSecret": ("KeyId", lambda w: {"KeyId": w.ecdh, "KeyAgreementAlgorithm": "ECDH",
                                               "PublicKey": b64(_PEER)}),
    "Encapsulate": ("KeyId", lambda w: {"KeyId": w.kem, "EncapsulationAlgorithm": "ML_KEM"}),
    "Encrypt": ("KeyId", lambda w: {"KeyId": w.sym, "Plaintext": "cA=="}),
    "GenerateDataKey": ("KeyId", lambda w: {"KeyId": w.sym, "KeySpec": "AES_256"}),
    "GenerateDataKeyPair": ("KeyId", lambda w: {"KeyId": w.sym, "KeyPairSpec": "ECC_NIST_P256"}),
    "GenerateDataKeyPairWithoutPlaintext": ("KeyId", lambda w: {
        "KeyId": w.sym, "KeyPairSpec": "ECC_NIST_P256"}),
    "GenerateDataKeyWithoutPlaintext": ("KeyId", lambda w: {"KeyId": w.sym,
                                                            "NumberOfBytes": 16}),
    "GenerateMac": ("KeyId", lambda w: {"KeyId": w.hmac, "Message": "bQ==",
                                        "MacAlgorithm": "HMAC_SHA_256"}),
    "ReEncrypt": ("DestinationKeyId", lambda w: {
        "CiphertextBlob": w.blob, "SourceEncryptionContext": {"a": "b"},
        "DestinationKeyId": w.other}),
    "RetireGrant": ("KeyId", lambda w: {"KeyId": w.sym, "GrantId": w.grant()}),
    "RevokeGrant": ("KeyId", lambda w: {"KeyId": w.sym, "GrantId": w.grant()}),
    "Sign": ("KeyId", lambda w: {"KeyId": w.ecc, "Message": "bQ==",
                                 "SigningAlgorithm": "ECDSA_SHA_256"}),
    "Verify": ("KeyId", lambda w: {"KeyId": w.ecc, "Message": "bQ==",
                                   "Signature": w.signature, "SigningAlgorithm": "ECDSA_SHA_256"}),
    "VerifyMac": ("KeyId", lambda w: {"KeyId": w.hmac, "Message": "bQ==", "Mac": w.mac,
                                      "MacAlgorithm": "HMAC_SHA_256"}),
}


@pytest.fixture(scope="module")
def w() -> World:
    return World()


def test_the_cases_are_botocores_dry_run_operations() -> None:
    assert sorted(CASES) == dry_run_operations()


@pytest.mark.parametrize("op", sorted(CASES))
def test_dry_run_of_a_request_that_would_succeed(w: World, op: str) -> None:
    args = CASES[op][1](w)
    grants = w.ok("kms:ListGrants", {"KeyId": w.sym}).get("Grants")
    r = w.call(f"kms:{op}", {**args, "DryRun": True})
    assert (r.err, r.rule) == ("DryRunOperationException", "R-KMS-ASYM-26"), \
        r.event.out.get("msg")
    assert w.ok("kms:ListGrants", {"KeyId": w.sym}).get("Grants") == grants  # nothing changed
    done = w.call(f"kms:{op}", {**args, "DryRun": False})  # and without DryRun it succeeds
    assert done.ok, (done.err, done.event.out.get("msg"))


@pytest.mark.parametrize("op", sorted(CASES))
def test_dry_run_of_a_request_that_would_fail_answers_its_error(w: World, op: str) -> None:
    member, make = CASES[op]
    r = w.call(f"kms:{op}", {**make(w), member: MISSING_KEY, "DryRun": True})
    assert r.err == "NotFoundException", (r.err, r.event.out.get("msg"))


@pytest.mark.parametrize(("op", "args", "expected"), [
    ("Encrypt", lambda w: {"KeyId": w.rsa, "Plaintext": b64(bytes(191)),
                           "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"},
     ("ValidationException", "R-KMS-ASYM-19")),
    ("Decrypt", lambda w: {"CiphertextBlob": w.blob, "EncryptionContext": {"a": "c"}},
     ("InvalidCiphertextException", "R-KMS-53")),
    ("GenerateDataKey", lambda w: {"KeyId": w.ecc}, ("InvalidKeyUsageException", "R-KMS-21")),
    ("GenerateDataKeyWithoutPlaintext", lambda w: {"KeyId": w.rsa},
     ("InvalidKeyUsageException", "R-KMS-21")),
    ("ReEncrypt", lambda w: {"CiphertextBlob": w.blob, "SourceKeyId": w.other,
                             "SourceEncryptionContext": {"a": "b"}, "DestinationKeyId": w.sym},
     ("IncorrectKeyException", "R-KMS-REENC-04")),
    ("ReEncrypt", lambda w: {"CiphertextBlob": w.blob, "SourceEncryptionContext": {"a": "b"},
                             "DestinationKeyId": w.rsa},
     ("InvalidKeyUsageException", "R-KMS-ASYM-02")),
    ("Verify", lambda w: {"KeyId": w.ecc, "Message": "bg==", "Signature": w.signature,
                          "SigningAlgorithm": "ECDSA_SHA_256"},
     ("KMSInvalidSignatureException", "R-KMS-ASYM-08")),
    ("VerifyMac", lambda w: {"KeyId": w.hmac, "Message": "bg==", "Mac": w.mac,
                             "MacAlgorithm": "HMAC_SHA_256"},
     ("KMSInvalidMacException", "R-KMS-ASYM-14")),
])
def test_dry_run_answers_a_late_check_first(w: World, op: str, args, expected) -> None:
    r = w.call(f"kms:{op}", {**args(w), "DryRun": True})
    assert (r.err, r.rule) == expected, r.event.out.get("msg")


def test_ignore_ciphertext_checks_authorization_only(w: World) -> None:
    ignore = {"DryRun": True, "DryRunModifiers": ["IGNORE_CIPHERTEXT"]}
    r = w.call("kms:ReEncrypt", {"SourceKeyId": w.rsa, "SourceEncryptionAlgorithm":
                                 "RSAES_OAEP_SHA_1", "DestinationKeyId": w.sym, **ignore})
    assert (r.err, r.rule) == ("DryRunOperationException", "R-KMS-ASYM-26")
    r = w.call("kms:ReEncrypt", {"DestinationKeyId": w.sym, **ignore})
    assert (r.err, r.rule) == ("ValidationException", "R-KMS-REENC-12")
    r = w.call("kms:ReEncrypt", {"SourceKeyId": w.sym, "DestinationKeyId": w.sym,
                                 "DryRun": True})  # no modifier: the ciphertext is needed
    assert (r.err, r.rule) == ("ValidationException", "R-KMS-REENC-12")
    r = w.call("kms:Decrypt", {"KeyId": w.sym, **ignore})
    assert (r.err, r.rule) == ("DryRunOperationException", "R-KMS-ASYM-26")
    w.s.principal("nobody", policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:ReEncryptTo", "Resource": "*"}]})
    r = w.s.call("kms:ReEncrypt", {"SourceKeyId": w.sym, "DestinationKeyId": w.other,
                                   **ignore}, at="+1s", as_="nobody")
    assert (r.err, r.rule) == ("AccessDeniedException", "R-KMS-19")

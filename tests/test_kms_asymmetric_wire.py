"""Asymmetric and HMAC KMS on the wire (issue 13, K2): boto3 against ``kmsim serve`` and
in-process (``sim.testing.simulated_aws``) gets real cryptography: a signature verifies with
the public key outside kmsim, an RSA ciphertext made outside decrypts, and the errors have
the model's codes."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from server_support import client, error_of, running

from sim.testing import simulated_aws


@pytest.fixture(scope="module")
def kms():
    with running() as srv:
        yield client(srv, "kms")


def test_sign_over_the_wire_verifies_outside_with_get_public_key(kms) -> None:
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
    signed = kms.sign(KeyId=key, Message=b"wire message", SigningAlgorithm="ECDSA_SHA_256")
    public = kms.get_public_key(KeyId=key)
    assert (public["KeySpec"], public["KeyUsage"], public["SigningAlgorithms"]) == \
        ("ECC_NIST_P256", "SIGN_VERIFY", ["ECDSA_SHA_256"])
    serialization.load_der_public_key(public["PublicKey"]).verify(
        signed["Signature"], b"wire message", ec.ECDSA(hashes.SHA256()))
    assert kms.verify(KeyId=key, Message=b"wire message", Signature=signed["Signature"],
                      SigningAlgorithm="ECDSA_SHA_256")["SignatureValid"] is True
    with pytest.raises(ClientError) as exc:
        kms.verify(KeyId=key, Message=b"other message", Signature=signed["Signature"],
                   SigningAlgorithm="ECDSA_SHA_256")
    code, status, headers = error_of(exc)
    assert (code, status, headers["x-kmsim-rule"]) == \
        ("KMSInvalidSignatureException", 400, "R-KMS-ASYM-08")


def test_rsa_encryption_over_the_wire(kms) -> None:
    key = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["Arn"]
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key)["PublicKey"])
    h = hashes.SHA256()
    blob = public.encrypt(b"\x00\xffbinary", padding.OAEP(padding.MGF1(h), h, None))
    out = kms.decrypt(KeyId=key, CiphertextBlob=blob, EncryptionAlgorithm="RSAES_OAEP_SHA_256")
    assert out["Plaintext"] == b"\x00\xffbinary"
    with pytest.raises(ClientError) as exc:
        kms.encrypt(KeyId=key, Plaintext=b"p")  # no EncryptionAlgorithm for an RSA key
    assert error_of(exc)[0] == "InvalidKeyUsageException"
    assert exc.value.response["Error"]["Message"] == \
        "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048."


def test_macs_and_data_key_pairs_over_the_wire(kms) -> None:
    key = kms.create_key(KeySpec="HMAC_384", KeyUsage="GENERATE_VERIFY_MAC"
                         )["KeyMetadata"]["Arn"]
    mac = kms.generate_mac(KeyId=key, Message=b"m", MacAlgorithm="HMAC_SHA_384")["Mac"]
    assert len(mac) == 48
    assert kms.verify_mac(KeyId=key, Message=b"m", Mac=mac,
                          MacAlgorithm="HMAC_SHA_384")["MacValid"] is True
    with pytest.raises(ClientError) as exc:
        kms.verify_mac(KeyId=key, Message=b"n", Mac=mac, MacAlgorithm="HMAC_SHA_384")
    assert error_of(exc)[0] == "KMSInvalidMacException"
    symmetric = kms.create_key()["KeyMetadata"]["Arn"]
    pair = kms.generate_data_key_pair(KeyId=symmetric, KeyPairSpec="ECC_NIST_P384")
    private = serialization.load_der_private_key(pair["PrivateKeyPlaintext"], None)
    assert private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == \
        pair["PublicKey"]
    assert kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])["Plaintext"] == \
        pair["PrivateKeyPlaintext"]


def test_in_process_clients_get_the_same_cryptography() -> None:
    import boto3

    with simulated_aws():
        kms = boto3.client("kms")
        key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
        signature = kms.sign(KeyId=key, Message=b"m",
                             SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
        public = serialization.load_der_public_key(kms.get_public_key(KeyId=key)["PublicKey"])
        h = hashes.SHA256()
        public.verify(signature, b"m", padding.PSS(padding.MGF1(h), h.digest_size), h)

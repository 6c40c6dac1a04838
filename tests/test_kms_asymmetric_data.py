"""KMS asymmetric encryption and shared secrets (issue 13, K2): Encrypt/Decrypt with RSA
keys, GenerateDataKeyPair(WithoutPlaintext), DeriveSharedSecret, Encapsulate/Decapsulate,
and kmsim's own RSA encodings (PSS, OAEP with drawn randomness) against ``cryptography``.

Each answer is checked outside kmsim: a ciphertext made with the public key decrypts in
kmsim, a data key pair's halves belong together, an ECDH secret is the peer's, an ML-KEM
secret encapsulated outside decapsulates inside.
"""

from __future__ import annotations

import hashlib
import os

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from kms_support import b64, call, ok, unb64
from support import ACCT, ALLOW_ALL, START

from sim import CallResult, Simulator
from sim.services.kms import rsa_padding


@pytest.fixture
def s() -> Simulator:
    sim = Simulator(start=START, account=ACCT)
    sim.principal("admin", policy=ALLOW_ALL)
    return sim



def refused(s: Simulator, op: str, args: dict, err: str, rule: str | None = None) -> CallResult:
    r = call(s, op, args)
    assert r.err == err, (r.err, r.event.out.get("msg"))
    if rule is not None:
        assert r.rule == rule, (r.rule, r.event.out.get("msg"))
    return r


def new_key(s: Simulator, spec: str = "SYMMETRIC_DEFAULT", usage: str = "ENCRYPT_DECRYPT"
            ) -> str:
    args = {} if spec == "SYMMETRIC_DEFAULT" else {"KeySpec": spec, "KeyUsage": usage}
    return ok(s, "kms:CreateKey", args).get("KeyMetadata.Arn")


def public_key(s: Simulator, key: str):
    return serialization.load_der_public_key(
        unb64(ok(s, "kms:GetPublicKey", {"KeyId": key}).get("PublicKey")))


OAEP = {"RSAES_OAEP_SHA_1": hashes.SHA1(), "RSAES_OAEP_SHA_256": hashes.SHA256()}


# -- RSA encryption ----------------------------------------------------------------------

@pytest.mark.parametrize("algorithm", sorted(OAEP))
def test_rsa_ciphertexts_cross_the_kmsim_boundary_both_ways(s, algorithm) -> None:
    key = new_key(s, "RSA_2048")
    h = OAEP[algorithm]
    outside = public_key(s, key).encrypt(b"made outside", padding.OAEP(padding.MGF1(h), h, None))
    r = ok(s, "kms:Decrypt", {"KeyId": key, "CiphertextBlob": b64(outside),
                              "EncryptionAlgorithm": algorithm})
    assert (unb64(r.get("Plaintext")), r.get("EncryptionAlgorithm"), r.get("KeyId")) == \
        (b"made outside", algorithm, key)
    inside = ok(s, "kms:Encrypt", {"KeyId": key, "Plaintext": b64(b"made inside"),
                                   "EncryptionAlgorithm": algorithm})
    assert inside.get("EncryptionAlgorithm") == algorithm
    blob = unb64(inside.get("CiphertextBlob"))
    assert len(blob) == 256  # a standard RSA-2048 ciphertext, not a kmsim envelope
    assert unb64(ok(s, "kms:Decrypt", {"KeyId": key, "CiphertextBlob": b64(blob),
                                       "EncryptionAlgorithm": algorithm}).get("Plaintext")) \
        == b"made inside"


def test_rsa_plaintext_limits_are_the_documented_ones(s) -> None:
    """R-KMS-ASYM-19: RSA_2048 takes 214 bytes with SHA_1 and 190 with SHA_256; the other
    sizes by the same formula as the documented table."""
    key = new_key(s, "RSA_2048")
    for algorithm, limit in (("RSAES_OAEP_SHA_1", 214), ("RSAES_OAEP_SHA_256", 190)):
        ok(s, "kms:Encrypt", {"KeyId": key, "Plaintext": b64(b"x" * limit),
                              "EncryptionAlgorithm": algorithm})
        refused(s, "kms:Encrypt", {"KeyId": key, "Plaintext": b64(b"x" * (limit + 1)),
                                   "EncryptionAlgorithm": algorithm},
                "ValidationException", "R-KMS-ASYM-19")
    documented = {(3072, "sha1"): 342, (3072, "sha256"): 318, (4096, "sha1"): 470,
                  (4096, "sha256"): 446}
    assert {k: rsa_padding.oaep_capacity(*k) for k in documented} == documented


def test_rsa_encryption_needs_an_rsa_algorithm_and_no_context(s) -> None:
    key = new_key(s, "RSA_2048")
    r = refused(s, "kms:Encrypt", {"KeyId": key, "Plaintext": "p"},
                "InvalidKeyUsageException", "R-KMS-ASYM-02")
    assert r.event.out["msg"] == "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec " \
        "RSA_2048."  # the observed answer (R-KMS-ASYM-03)
    refused(s, "kms:Encrypt", {"KeyId": key, "Plaintext": "p", "EncryptionContext": {"a": "b"},
                               "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"},
            "ValidationException", "R-KMS-ASYM-21")
    symmetric = new_key(s)
    refused(s, "kms:Encrypt", {"KeyId": symmetric, "Plaintext": "p",
                               "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"},
            "InvalidKeyUsageException", "R-KMS-ASYM-02")
    signing = new_key(s, "RSA_2048", "SIGN_VERIFY")
    refused(s, "kms:Encrypt", {"KeyId": signing, "Plaintext": "p",
                               "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"},
            "InvalidKeyUsageException")


def test_an_rsa_ciphertext_decrypts_only_with_its_key_and_algorithm(s) -> None:
    key = new_key(s, "RSA_2048")
    blob = ok(s, "kms:Encrypt", {"KeyId": key, "Plaintext": "p",
                                 "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}
              ).get("CiphertextBlob")
    refused(s, "kms:Decrypt", {"KeyId": key, "CiphertextBlob": blob,
                               "EncryptionAlgorithm": "RSAES_OAEP_SHA_1"},
            "InvalidCiphertextException", "R-KMS-ASYM-20")
    other = new_key(s, "RSA_2048")
    refused(s, "kms:Decrypt", {"KeyId": other, "CiphertextBlob": blob,
                               "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"},
            "InvalidCiphertextException", "R-KMS-ASYM-20")
    # without the KeyId the blob is no kmsim envelope: KMS cannot tell its key
    refused(s, "kms:Decrypt", {"CiphertextBlob": blob,
                               "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"},
            "InvalidCiphertextException")


def test_a_disabled_rsa_key_does_not_decrypt(s) -> None:
    key = new_key(s, "RSA_2048")
    blob = ok(s, "kms:Encrypt", {"KeyId": key, "Plaintext": "p",
                                 "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}
              ).get("CiphertextBlob")
    ok(s, "kms:DisableKey", {"KeyId": key})
    refused(s, "kms:Decrypt", {"KeyId": key, "CiphertextBlob": blob,
                               "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}, "DisabledException")


# -- kmsim's RSA encodings against cryptography's ------------------------------------------

@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, 2048)


@pytest.mark.parametrize("name", ["sha256", "sha384", "sha512"])
def test_pss_encoding_verifies_with_cryptography(rsa_key, name) -> None:
    h = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[name]
    for _ in range(5):
        message = os.urandom(50)
        signature = rsa_padding.pss_sign(rsa_key, hashlib.new(name, message).digest(), name,
                                         os.urandom(h.digest_size))
        rsa_key.public_key().verify(signature, message,
                                    padding.PSS(padding.MGF1(h), h.digest_size), h)


@pytest.mark.parametrize("name", ["sha1", "sha256"])
def test_oaep_encoding_decrypts_with_cryptography(rsa_key, name) -> None:
    h = {"sha1": hashes.SHA1(), "sha256": hashes.SHA256()}[name]
    for size in (0, 1, rsa_padding.oaep_capacity(2048, name)):
        message = os.urandom(size)
        blob = rsa_padding.oaep_encrypt(rsa_key.public_key(), message, name,
                                        os.urandom(h.digest_size))
        assert rsa_key.decrypt(blob, padding.OAEP(padding.MGF1(h), h, None)) == message
    with pytest.raises(ValueError):
        rsa_padding.oaep_encrypt(rsa_key.public_key(), b"x" * 300, name,
                                 os.urandom(h.digest_size))


# -- data key pairs ------------------------------------------------------------------------

@pytest.mark.parametrize("spec", ["ECC_NIST_P256", "ECC_SECG_P256K1", "RSA_2048",
                                  "ECC_NIST_EDWARDS25519", "ML_KEM_768"])
def test_a_data_key_pair_is_a_pair_and_its_private_half_is_sealed(s, spec) -> None:
    key = new_key(s)
    r = ok(s, "kms:GenerateDataKeyPair", {"KeyId": key, "KeyPairSpec": spec,
                                          "EncryptionContext": {"purpose": "test"}})
    assert (r.get("KeyId"), r.get("KeyPairSpec")) == (key, spec)
    private = serialization.load_der_private_key(unb64(r.get("PrivateKeyPlaintext")), None)
    public_der = unb64(r.get("PublicKey"))
    assert private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == \
        public_der  # R-KMS-ASYM-16: DER SPKI and PKCS #8 of one pair
    opened = ok(s, "kms:Decrypt", {"CiphertextBlob": r.get("PrivateKeyCiphertextBlob"),
                                   "EncryptionContext": {"purpose": "test"}})
    assert opened.get("Plaintext") == r.get("PrivateKeyPlaintext")
    refused(s, "kms:Decrypt", {"CiphertextBlob": r.get("PrivateKeyCiphertextBlob")},
            "InvalidCiphertextException")  # the context is part of the envelope


def test_pairs_differ_per_call_and_without_plaintext_has_no_private_key(s) -> None:
    key = new_key(s)
    one = ok(s, "kms:GenerateDataKeyPair", {"KeyId": key, "KeyPairSpec": "ECC_NIST_P256"})
    two = ok(s, "kms:GenerateDataKeyPairWithoutPlaintext",
             {"KeyId": key, "KeyPairSpec": "ECC_NIST_P256"})
    assert "PrivateKeyPlaintext" not in two.res
    assert set(two.res) >= {"PrivateKeyCiphertextBlob", "PublicKey", "KeyId", "KeyPairSpec"}
    assert one.get("PublicKey") != two.get("PublicKey")
    private = ok(s, "kms:Decrypt", {"CiphertextBlob": two.get("PrivateKeyCiphertextBlob")}
                 ).get("Plaintext")
    loaded = serialization.load_der_private_key(unb64(private), None)
    assert b64(loaded.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)) == \
        two.get("PublicKey")


def test_a_data_key_pair_needs_a_symmetric_key_and_a_spec_of_this_partition(s) -> None:
    rsa_key = new_key(s, "RSA_2048")
    refused(s, "kms:GenerateDataKeyPair", {"KeyId": rsa_key, "KeyPairSpec": "ECC_NIST_P256"},
            "InvalidKeyUsageException", "R-KMS-ASYM-15")
    signing = new_key(s, "ECC_NIST_P256", "SIGN_VERIFY")
    refused(s, "kms:GenerateDataKeyPair", {"KeyId": signing, "KeyPairSpec": "ECC_NIST_P256"},
            "InvalidKeyUsageException")
    key = new_key(s)
    refused(s, "kms:GenerateDataKeyPair", {"KeyId": key, "KeyPairSpec": "SM2"},
            "UnsupportedOperationException", "R-KMS-ASYM-17")
    refused(s, "kms:GenerateDataKeyPair", {"KeyId": key, "KeyPairSpec": "ECC_NIST_P256",
                                           "DryRun": True},
            "DryRunOperationException", "R-KMS-ASYM-26")


# -- DeriveSharedSecret --------------------------------------------------------------------

@pytest.mark.parametrize(("spec", "curve"), [("ECC_NIST_P256", ec.SECP256R1()),
                                             ("ECC_NIST_P521", ec.SECP521R1())])
def test_the_shared_secret_is_the_one_the_peer_derives(s, spec, curve) -> None:
    key = new_key(s, spec, "KEY_AGREEMENT")
    peer = ec.generate_private_key(curve)
    peer_public = peer.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    r = ok(s, "kms:DeriveSharedSecret", {"KeyId": key, "KeyAgreementAlgorithm": "ECDH",
                                         "PublicKey": b64(peer_public)})
    assert unb64(r.get("SharedSecret")) == peer.exchange(ec.ECDH(), public_key(s, key))
    assert (r.get("KeyAgreementAlgorithm"), r.get("KeyOrigin")) == ("ECDH", "AWS_KMS")


def test_a_peer_key_on_another_curve_or_not_a_key_is_refused(s) -> None:
    key = new_key(s, "ECC_NIST_P256", "KEY_AGREEMENT")
    other_curve = ec.generate_private_key(ec.SECP384R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    for public in (other_curve, b"not a key"):
        refused(s, "kms:DeriveSharedSecret", {"KeyId": key, "KeyAgreementAlgorithm": "ECDH",
                                              "PublicKey": b64(public)},
                "ValidationException", "R-KMS-ASYM-18")
    signing = new_key(s, "ECC_NIST_P256", "SIGN_VERIFY")
    refused(s, "kms:DeriveSharedSecret", {"KeyId": signing, "KeyAgreementAlgorithm": "ECDH",
                                          "PublicKey": b64(other_curve)},
            "InvalidKeyUsageException", "R-KMS-ASYM-01")


# -- Encapsulate / Decapsulate -------------------------------------------------------------

@pytest.mark.parametrize(("spec", "size"), [("ML_KEM_768", 1088), ("ML_KEM_1024", 1568)])
def test_ml_kem_secrets_round_trip_and_cross_the_boundary(s, spec, size) -> None:
    key = new_key(s, spec, "ENCAPSULATE_DECAPSULATE")
    e = ok(s, "kms:Encapsulate", {"KeyId": key, "EncapsulationAlgorithm": "ML_KEM"})
    secret, blob = unb64(e.get("SharedSecret")), unb64(e.get("SharedSecretCiphertextBlob"))
    assert (len(secret), len(blob)) == (32, size)  # R-KMS-ASYM-22
    d = ok(s, "kms:Decapsulate", {"KeyId": key, "EncapsulationAlgorithm": "ML_KEM",
                                  "SharedSecretCiphertextBlob": b64(blob)})
    assert unb64(d.get("SharedSecret")) == secret
    outside_secret, outside_blob = public_key(s, key).encapsulate()
    d = ok(s, "kms:Decapsulate", {"KeyId": key, "EncapsulationAlgorithm": "ML_KEM",
                                  "SharedSecretCiphertextBlob": b64(outside_blob)})
    assert unb64(d.get("SharedSecret")) == outside_secret


def test_decapsulate_refuses_only_a_wrong_length(s) -> None:
    """R-KMS-ASYM-23: an altered encapsulation still answers 32 bytes (implicit rejection)."""
    key = new_key(s, "ML_KEM_768", "ENCAPSULATE_DECAPSULATE")
    e = ok(s, "kms:Encapsulate", {"KeyId": key, "EncapsulationAlgorithm": "ML_KEM"})
    blob = bytearray(unb64(e.get("SharedSecretCiphertextBlob")))
    refused(s, "kms:Decapsulate", {"KeyId": key, "EncapsulationAlgorithm": "ML_KEM",
                                   "SharedSecretCiphertextBlob": b64(bytes(blob[:-1]))},
            "InvalidCiphertextException", "R-KMS-ASYM-23")
    blob[0] ^= 1
    d = ok(s, "kms:Decapsulate", {"KeyId": key, "EncapsulationAlgorithm": "ML_KEM",
                                  "SharedSecretCiphertextBlob": b64(bytes(blob))})
    assert len(unb64(d.get("SharedSecret"))) == 32
    assert d.get("SharedSecret") != e.get("SharedSecret")


def test_ml_kem_512_is_refused_as_the_assumption_says() -> None:
    """The installed cryptography has no ML-KEM-512 (A-ASYM-UNCOMPUTABLE)."""
    for value, err in (("unsupported-operation", "UnsupportedOperationException"),
                       ("internal", "KMSInternalException")):
        sim = Simulator(start=START, account=ACCT,
                        assumptions={"asym_uncomputable": value})
        sim.principal("admin", policy=ALLOW_ALL)
        key = new_key(sim, "ML_KEM_512", "ENCAPSULATE_DECAPSULATE")
        r = refused(sim, "kms:Encapsulate", {"KeyId": key, "EncapsulationAlgorithm": "ML_KEM"},
                    err, "R-KMS-ASYM-25")
        assert "ML_KEM_512" in r.event.out["msg"]

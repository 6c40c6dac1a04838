"""KMS asymmetric keys through the Simulator API (issue 13, K2): Sign, Verify, GetPublicKey,
DeriveSharedSecret, Encapsulate/Decapsulate, Encrypt/Decrypt with RSA keys.

What kmsim answers is checked OUTSIDE kmsim with ``cryptography``: a signature verifies
with the public key GetPublicKey gave, an RSA ciphertext made outside decrypts inside, an
ECDH secret equals the peer's own computation. Expected limits and codes come from botocore's
kms model (the rules R-KMS-ASYM-NN quote it).
"""

from __future__ import annotations

import hashlib

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils
from kms_support import b64, call, ok, simulation, unb64
from support import ACCT, ALLOW_ALL, START

from sim import CallResult, Simulator
from sim.replay import replay

HASH = {"SHA_256": hashes.SHA256(), "SHA_384": hashes.SHA384(), "SHA_512": hashes.SHA512()}




@pytest.fixture
def s() -> Simulator:
    return simulation()




def refused(s: Simulator, op: str, args: dict, err: str, rule: str | None = None) -> CallResult:
    """The call fails with ``err`` (and ``rule``) and changes no key."""
    before = {k: (v.state, v.key_seed) for k, v in s.world.keys.items()}
    r = call(s, op, args)
    assert r.err == err, (r.err, r.event.out.get("msg"))
    if rule is not None:
        assert r.rule == rule, (r.rule, r.event.out.get("msg"))
    assert {k: (v.state, v.key_seed) for k, v in s.world.keys.items()} == before
    return r


def new_key(s: Simulator, spec: str, usage: str) -> str:
    return ok(s, "kms:CreateKey", {"KeySpec": spec, "KeyUsage": usage}).get("KeyMetadata.Arn")


def public_key(s: Simulator, key: str):
    return serialization.load_der_public_key(unb64(ok(s, "kms:GetPublicKey",
                                                      {"KeyId": key}).get("PublicKey")))


def outside_verify(pub, algorithm: str, message: bytes, signature: bytes) -> None:
    """Verify with cryptography alone, as a client holding the public key would."""
    h = HASH[algorithm[-7:]]
    if algorithm.startswith("RSASSA_PSS"):
        pub.verify(signature, message, padding.PSS(padding.MGF1(h), h.digest_size), h)
    elif algorithm.startswith("RSASSA_PKCS1"):
        pub.verify(signature, message, padding.PKCS1v15(), h)
    else:
        pub.verify(signature, message, ec.ECDSA(h))


# -- Sign: verifies outside kmsim --------------------------------------------------------

SIGNING = [("ECC_NIST_P256", "ECDSA_SHA_256"), ("ECC_NIST_P384", "ECDSA_SHA_384"),
           ("ECC_NIST_P521", "ECDSA_SHA_512"), ("ECC_SECG_P256K1", "ECDSA_SHA_256"),
           *[("RSA_2048", f"RSASSA_{p}_SHA_{n}") for p in ("PKCS1_V1_5", "PSS")
             for n in (256, 384, 512)]]


@pytest.mark.parametrize(("spec", "algorithm"), SIGNING)
def test_a_signature_verifies_outside_kmsim_with_the_public_key(s, spec, algorithm) -> None:
    key = new_key(s, spec, "SIGN_VERIFY")
    message = b"the message to sign"
    r = ok(s, "kms:Sign", {"KeyId": key, "Message": b64(message),
                           "SigningAlgorithm": algorithm})
    assert (r.get("KeyId"), r.get("SigningAlgorithm")) == (key, algorithm)
    pub = public_key(s, key)
    outside_verify(pub, algorithm, message, unb64(r.get("Signature")))
    with pytest.raises(InvalidSignature):  # and only for that message
        outside_verify(pub, algorithm, b"another message", unb64(r.get("Signature")))


@pytest.mark.parametrize(("spec", "algorithm"), [("RSA_3072", "RSASSA_PSS_SHA_384"),
                                                 ("RSA_4096", "RSASSA_PKCS1_V1_5_SHA_512")])
def test_large_rsa_keys_sign_as_well(s, spec, algorithm) -> None:
    key = new_key(s, spec, "SIGN_VERIFY")
    r = ok(s, "kms:Sign", {"KeyId": key, "Message": b64(b"m"), "SigningAlgorithm": algorithm})
    pub = public_key(s, key)
    assert pub.key_size == int(spec.removeprefix("RSA_"))
    outside_verify(pub, algorithm, b"m", unb64(r.get("Signature")))


@pytest.mark.parametrize("algorithm", ["ECDSA_SHA_256", "RSASSA_PSS_SHA_256"])
def test_a_digest_is_signed_as_the_message_it_stands_for(s, algorithm) -> None:
    """MessageType DIGEST skips the hash (R-KMS-ASYM-05): a signature of the digest verifies
    as a signature of the message, inside and outside kmsim."""
    key = new_key(s, "ECC_NIST_P256" if algorithm.startswith("ECDSA") else "RSA_2048",
                  "SIGN_VERIFY")
    message = b"a long document"
    digest = hashlib.sha256(message).digest()
    r = ok(s, "kms:Sign", {"KeyId": key, "Message": b64(digest), "MessageType": "DIGEST",
                           "SigningAlgorithm": algorithm})
    outside_verify(public_key(s, key), algorithm, message, unb64(r.get("Signature")))
    assert ok(s, "kms:Verify", {"KeyId": key, "Message": b64(message),
                                "Signature": r.get("Signature"),
                                "SigningAlgorithm": algorithm}).get("SignatureValid") is True


def test_a_digest_of_the_wrong_length_is_refused(s) -> None:
    key = new_key(s, "ECC_NIST_P384", "SIGN_VERIFY")
    refused(s, "kms:Sign", {"KeyId": key, "Message": b64(b"\x01" * 32), "MessageType": "DIGEST",
                            "SigningAlgorithm": "ECDSA_SHA_384"},
            "ValidationException", "R-KMS-ASYM-06")


def test_a_message_over_4096_bytes_is_refused(s) -> None:
    key = new_key(s, "ECC_NIST_P256", "SIGN_VERIFY")
    refused(s, "kms:Sign", {"KeyId": key, "Message": b64(b"x" * 4097),
                            "SigningAlgorithm": "ECDSA_SHA_256"}, "ValidationException")
    assert ok(s, "kms:Sign", {"KeyId": key, "Message": b64(b"x" * 4096),
                              "SigningAlgorithm": "ECDSA_SHA_256"}).ok


def test_ed25519_signs_raw_messages(s) -> None:
    key = new_key(s, "ECC_NIST_EDWARDS25519", "SIGN_VERIFY")
    r = ok(s, "kms:Sign", {"KeyId": key, "Message": b64(b"m"),
                           "SigningAlgorithm": "ED25519_SHA_512"})
    public_key(s, key).verify(unb64(r.get("Signature")), b"m")
    refused(s, "kms:Sign", {"KeyId": key, "Message": b64(b"m"), "MessageType": "DIGEST",
                            "SigningAlgorithm": "ED25519_SHA_512"},
            "ValidationException", "R-KMS-ASYM-10")


def test_ml_dsa_signs_and_verifies(s) -> None:
    key = new_key(s, "ML_DSA_44", "SIGN_VERIFY")
    r = ok(s, "kms:Sign", {"KeyId": key, "Message": b64(b"m"),
                           "SigningAlgorithm": "ML_DSA_SHAKE_256"})
    public_key(s, key).verify(unb64(r.get("Signature")), b"m")
    assert r.event.draws["Signature"] == unb64(r.get("Signature"))  # recorded, for replay


# -- Verify --------------------------------------------------------------------------------

def test_verify_answers_signature_valid_or_kms_invalid_signature(s) -> None:
    key = new_key(s, "RSA_2048", "SIGN_VERIFY")
    args = {"KeyId": key, "Message": b64(b"m"), "SigningAlgorithm": "RSASSA_PSS_SHA_256"}
    signature = ok(s, "kms:Sign", args).get("Signature")
    r = ok(s, "kms:Verify", {**args, "Signature": signature})
    assert (r.get("SignatureValid"), r.get("KeyId"), r.get("SigningAlgorithm")) == \
        (True, key, "RSASSA_PSS_SHA_256")
    bad = bytearray(unb64(signature))
    bad[-1] ^= 1
    refused(s, "kms:Verify", {**args, "Signature": b64(bytes(bad))},
            "KMSInvalidSignatureException", "R-KMS-ASYM-08")
    refused(s, "kms:Verify", {**args, "Message": b64(b"n"), "Signature": signature},
            "KMSInvalidSignatureException", "R-KMS-ASYM-08")
    other = new_key(s, "RSA_2048", "SIGN_VERIFY")  # another key's public key: not valid
    refused(s, "kms:Verify", {**args, "KeyId": other, "Signature": signature},
            "KMSInvalidSignatureException")


def test_a_signature_made_outside_verifies_inside(s) -> None:
    """Verify accepts any valid signature, not only kmsim's: ECDSA signatures are random
    outside kmsim, so this is a signature kmsim never made."""
    key = new_key(s, "ECC_NIST_P256", "SIGN_VERIFY")
    made = ok(s, "kms:Sign", {"KeyId": key, "Message": b64(b"m"),
                              "SigningAlgorithm": "ECDSA_SHA_256"}).get("Signature")
    r, sig = utils.decode_dss_signature(unb64(made))
    order = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)
    flipped = utils.encode_dss_signature(r, order - sig)  # the other valid (r, s) of ECDSA
    assert flipped != unb64(made)
    assert ok(s, "kms:Verify", {"KeyId": key, "Message": b64(b"m"), "Signature": b64(flipped),
                                "SigningAlgorithm": "ECDSA_SHA_256"}).get("SignatureValid")


# -- what each key can do -------------------------------------------------------------------

def test_a_key_of_another_usage_or_an_algorithm_of_another_spec_is_refused(s) -> None:
    symmetric = ok(s, "kms:CreateKey", {}).get("KeyMetadata.Arn")
    refused(s, "kms:Sign", {"KeyId": symmetric, "Message": "m",
                            "SigningAlgorithm": "ECDSA_SHA_256"},
            "InvalidKeyUsageException", "R-KMS-ASYM-01")
    ecc = new_key(s, "ECC_NIST_P256", "SIGN_VERIFY")
    r = refused(s, "kms:Sign", {"KeyId": ecc, "Message": "m",
                                "SigningAlgorithm": "RSASSA_PSS_SHA_256"},
                "InvalidKeyUsageException", "R-KMS-ASYM-02")
    # KMS's own words (R-KMS-ASYM-03)
    assert r.event.out["msg"] == ("Algorithm RSASSA_PSS_SHA_256 is incompatible with key spec "
                                  "ECC_NIST_P256.")
    refused(s, "kms:Sign", {"KeyId": ecc, "Message": "m",
                            "SigningAlgorithm": "ECDSA_SHA_384"},
            "InvalidKeyUsageException", "R-KMS-ASYM-02")


def test_a_disabled_key_neither_signs_nor_verifies(s) -> None:
    key = new_key(s, "ECC_NIST_P256", "SIGN_VERIFY")
    args = {"KeyId": key, "Message": "m", "SigningAlgorithm": "ECDSA_SHA_256"}
    signature = ok(s, "kms:Sign", args).get("Signature")
    ok(s, "kms:DisableKey", {"KeyId": key})
    refused(s, "kms:Sign", args, "DisabledException")
    refused(s, "kms:Verify", {**args, "Signature": signature}, "DisabledException")


def test_signing_needs_kms_sign(s) -> None:
    key = new_key(s, "ECC_NIST_P256", "SIGN_VERIFY")
    r = s.call("kms:Sign", {"KeyId": key, "Message": "m", "SigningAlgorithm": "ECDSA_SHA_256"},
               at="+1s", as_="nobody")
    assert r.err == "AccessDeniedException"


# -- GetPublicKey --------------------------------------------------------------------------

@pytest.mark.parametrize(("spec", "usage", "member"), [
    ("ECC_NIST_P256", "SIGN_VERIFY", "SigningAlgorithms"),
    ("ECC_NIST_P384", "KEY_AGREEMENT", "KeyAgreementAlgorithms"),
    ("RSA_2048", "ENCRYPT_DECRYPT", "EncryptionAlgorithms"),
    ("ML_KEM_768", "ENCAPSULATE_DECAPSULATE", "EncapsulationAlgorithms")])
def test_get_public_key_answers_der_spki_with_the_usage_and_its_algorithms(
        s, spec, usage, member) -> None:
    key = new_key(s, spec, usage)
    r = ok(s, "kms:GetPublicKey", {"KeyId": key})
    described = ok(s, "kms:DescribeKey", {"KeyId": key}).get("KeyMetadata")
    assert set(r.res) == {"KeyId", "PublicKey", "CustomerMasterKeySpec", "KeySpec", "KeyUsage",
                          member}
    assert (r.get("KeySpec"), r.get("KeyUsage"), r.get(member)) == \
        (spec, usage, described[member])
    der = unb64(r.get("PublicKey"))
    assert serialization.load_der_public_key(der).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == der


@pytest.mark.parametrize(("spec", "usage"), [("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),
                                             ("HMAC_256", "GENERATE_VERIFY_MAC")])
def test_a_key_without_a_public_key_has_none_to_get(s, spec, usage) -> None:
    key = new_key(s, spec, usage)
    refused(s, "kms:GetPublicKey", {"KeyId": key}, "UnsupportedOperationException",
            "R-KMS-ASYM-12")


# -- determinism: key material and randomness come from the log ---------------------------

def test_key_material_is_the_seed_drawn_at_create_key(s) -> None:
    """R-KMS-ASYM-24: the seed is in the CreateKey event, so the log decides the key pair."""
    r = ok(s, "kms:CreateKey", {"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"})
    seed = r.event.draws["KeySeed"]
    assert len(seed) == 32 and s.world.keys[r.get("KeyMetadata.KeyId")].key_seed == seed
    first = ok(s, "kms:GetPublicKey", {"KeyId": r.get("KeyMetadata.Arn")}).get("PublicKey")
    other = new_key(s, "ECC_NIST_P256", "SIGN_VERIFY")
    assert ok(s, "kms:GetPublicKey", {"KeyId": other}).get("PublicKey") != first


def test_the_key_id_alternative_derives_the_material_from_the_key_id() -> None:
    """A-ASYM-MATERIAL: the same key, the other source, another key pair."""
    def public(material: str) -> tuple[str, str]:
        sim = Simulator(start=START, account=ACCT, assumptions={"asym_material": material})
        sim.principal("admin", policy=ALLOW_ALL)
        key = new_key(sim, "ECC_NIST_P256", "SIGN_VERIFY")
        return key, ok(sim, "kms:GetPublicKey", {"KeyId": key}).get("PublicKey")

    seeded_key, seeded = public("seeded")
    same_key, by_id = public("key-id")
    assert seeded_key == same_key and seeded != by_id
    assert public("key-id") == (same_key, by_id)


def test_a_replay_answers_the_same_signatures_and_ciphertexts(s) -> None:
    """PSS salts and OAEP seeds are draws: replaying the log re-signs the same bytes."""
    signer = new_key(s, "RSA_2048", "SIGN_VERIFY")
    encrypter = new_key(s, "RSA_2048", "ENCRYPT_DECRYPT")
    first = ok(s, "kms:Sign", {"KeyId": signer, "Message": "m",
                               "SigningAlgorithm": "RSASSA_PSS_SHA_256"})
    again = ok(s, "kms:Sign", {"KeyId": signer, "Message": "m",
                               "SigningAlgorithm": "RSASSA_PSS_SHA_256"})
    assert first.get("Signature") != again.get("Signature")  # a fresh salt each call
    ok(s, "kms:Encrypt", {"KeyId": encrypter, "Plaintext": "p",
                          "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"})
    _, differences = replay(list(s.events), s.profile, dict(s.settings), s.start, seed=99)
    assert differences == []


def test_a_multi_region_replica_has_its_primarys_key_pair(s) -> None:
    """Related multi-Region keys share key material: a replica's public key is the
    primary's, and a signature by one verifies with the other."""
    primary = ok(s, "kms:CreateKey", {"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY",
                                      "MultiRegion": True}).get("KeyMetadata.Arn")
    replica = ok(s, "kms:ReplicateKey", {"KeyId": primary, "ReplicaRegion": "eu-west-1"}
                 ).get("ReplicaKeyMetadata.Arn")

    def later(op: str, args: dict, region: str) -> CallResult:
        # a replica is Creating for a while (A-MRK-TRANSIENT): ask well after
        r = s.call(op, args, at="+1h", as_="admin", region=region)
        assert r.ok, (op, r.err, r.event.out.get("msg"))
        return r

    signed = later("kms:Sign", {"KeyId": primary, "Message": "m",
                                "SigningAlgorithm": "ECDSA_SHA_256"}, "us-east-1")
    assert later("kms:GetPublicKey", {"KeyId": replica}, "eu-west-1").get("PublicKey") == \
        later("kms:GetPublicKey", {"KeyId": primary}, "us-east-1").get("PublicKey")
    assert later("kms:Verify", {"KeyId": replica, "Message": "m",
                                "Signature": signed.get("Signature"),
                                "SigningAlgorithm": "ECDSA_SHA_256"}, "eu-west-1"
                 ).get("SignatureValid") is True

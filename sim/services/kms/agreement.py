"""KMS shared secrets: DeriveSharedSecret (ECDH) and Encapsulate/Decapsulate (ML-KEM)
(issue 13, K2; R-KMS-ASYM-18, -22, -23)."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from sim.errors import AwsError
from sim.params import Param
from sim.services.kms.asymmetric import (
    DRY_RUN,
    GRANT_TOKENS,
    RECIPIENT,
    b64,
    blob,
    dry_run,
    no_recipient,
    private_key,
    usable_key,
)
from sim.services.kms.common import KEY_ID, check
from sim.services.registry import CallContext, operation

ENCAPSULATION = Param("EncapsulationAlgorithm", str, required=True, enum=("ML_KEM",))
#: The encapsulated shared secret's length of each ML-KEM spec (R-KMS-ASYM-22).
CIPHERTEXT_BYTES = {"ML_KEM_512": 768, "ML_KEM_768": 1088, "ML_KEM_1024": 1568}


def _peer(der: bytes, curve: ec.EllipticCurve) -> ec.EllipticCurvePublicKey:
    """The peer's DER SubjectPublicKeyInfo key, on ``curve`` (R-KMS-ASYM-18)."""
    try:
        peer = serialization.load_der_public_key(der)
    except ValueError:
        raise AwsError("ValidationException", "PublicKey is not a DER-encoded X.509 "
                       "SubjectPublicKeyInfo public key", "R-KMS-ASYM-18") from None
    if not isinstance(peer, ec.EllipticCurvePublicKey) or peer.curve.name != curve.name:
        raise AwsError("ValidationException", f"PublicKey must be on the key's curve "
                       f"({curve.name}): both key pairs must be on the same elliptic curve",
                       "R-KMS-ASYM-18")
    return peer


@operation("kms:DeriveSharedSecret")
def derive_shared_secret(ctx: CallContext, req: dict) -> dict:
    """ECDH of a KEY_AGREEMENT key's private key and the peer's public key
    (R-KMS-ASYM-18)."""
    check(req, KEY_ID, Param("KeyAgreementAlgorithm", str, required=True, enum=("ECDH",)),
          Param("PublicKey", str, required=True, min=1, max=8192, blob=True), GRANT_TOKENS,
          DRY_RUN, RECIPIENT)
    key = usable_key(ctx, req, "kms:DeriveSharedSecret", "KEY_AGREEMENT")
    no_recipient(req)
    priv = private_key(ctx, key)
    peer = _peer(blob(req["PublicKey"]), priv.curve)
    dry_run(req)
    return {"KeyId": key.arn, "SharedSecret": b64(priv.exchange(ec.ECDH(), peer)),
            "KeyAgreementAlgorithm": "ECDH", "KeyOrigin": key.origin}


@operation("kms:Encapsulate")
def encapsulate(ctx: CallContext, req: dict) -> dict:
    """A 32-byte shared secret and its ML-KEM encapsulation under the key's public key
    (R-KMS-ASYM-22)."""
    check(req, KEY_ID, ENCAPSULATION, GRANT_TOKENS, DRY_RUN)
    key = usable_key(ctx, req, "kms:Encapsulate", "ENCAPSULATE_DECAPSULATE")
    public = private_key(ctx, key).public_key()
    dry_run(req)
    # the library draws ML-KEM's randomness itself: its answer is recorded as drawn, so a
    # replay answers the recorded secret (R-KMS-ASYM-24)
    secret, ciphertext = ctx.draws.record("Encapsulation", list(public.encapsulate()))
    return {"KeyId": key.arn, "SharedSecret": b64(bytes(secret)),
            "SharedSecretCiphertextBlob": b64(bytes(ciphertext)),
            "EncapsulationAlgorithm": "ML_KEM"}


@operation("kms:Decapsulate")
def decapsulate(ctx: CallContext, req: dict) -> dict:
    """The shared secret of an encapsulation: a ciphertext of the wrong length fails, any
    other answers 32 bytes (ML-KEM's implicit rejection, R-KMS-ASYM-23)."""
    check(req, KEY_ID, Param("SharedSecretCiphertextBlob", str, required=True, min=1,
                             max=6144, blob=True), ENCAPSULATION, GRANT_TOKENS, DRY_RUN)
    key = usable_key(ctx, req, "kms:Decapsulate", "ENCAPSULATE_DECAPSULATE")
    ciphertext = blob(req["SharedSecretCiphertextBlob"])
    if len(ciphertext) != CIPHERTEXT_BYTES.get(key.spec):
        raise AwsError("InvalidCiphertextException", f"SharedSecretCiphertextBlob is "
                       f"{len(ciphertext)} bytes; a {key.spec} encapsulation is "
                       f"{CIPHERTEXT_BYTES.get(key.spec)}", "R-KMS-ASYM-23")
    priv = private_key(ctx, key)
    dry_run(req)
    return {"KeyId": key.arn, "SharedSecret": b64(priv.decapsulate(ciphertext)),
            "EncapsulationAlgorithm": "ML_KEM"}

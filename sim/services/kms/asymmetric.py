"""KMS asymmetric keys: Sign, Verify, GetPublicKey, and what the other asymmetric and HMAC
handlers share (issue 13, K2; rules R-KMS-ASYM-NN).

Real cryptography with ``cryptography``: a signature kmsim makes verifies outside kmsim
with the key from GetPublicKey (R-KMS-ASYM-07). Key material comes from the key's seed
(``keymaterial``); randomness from the call's draws, so a replay answers the same bytes
(R-KMS-ASYM-24): ECDSA signs deterministically (RFC 6979), PSS salts are drawn, and an
ML-DSA signature (randomized inside the library) is recorded as drawn.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

from projections.model import Key
from sim.errors import AwsError
from sim.params import Param
from sim.services.kms import keymaterial
from sim.services.kms.common import (
    KEY_ID,
    algorithms,
    authorize,
    check,
    require_state,
    resolve,
)
from sim.services.kms.rsa_padding import pss_sign
from sim.services.registry import CallContext, operation

GRANT_TOKENS = Param("GrantTokens", list, min=0, max=10,
                     items=Param("GrantToken", str, min=1, max=8192))
DRY_RUN = Param("DryRun", bool)
RECIPIENT = Param("Recipient", dict)
#: Sign's and Verify's Message: 1..4096 bytes (R-KMS-ASYM-04).
MESSAGE = Param("Message", str, required=True, min=1, max=4096, blob=True, sensitive=True)
MESSAGE_TYPE = Param("MessageType", str, enum=("RAW", "DIGEST", "EXTERNAL_MU"))
SIGNING_ALGORITHM = Param("SigningAlgorithm", str, required=True, enum=(
    "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
    "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
    "ECDSA_SHA_256", "ECDSA_SHA_384", "ECDSA_SHA_512", "SM2DSA", "ML_DSA_SHAKE_256",
    "ED25519_SHA_512", "ED25519_PH_SHA_512"))
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "SHA_256": hashes.SHA256, "SHA_384": hashes.SHA384, "SHA_512": hashes.SHA512}
#: The KeyMetadata member that lists each KeyUsage's algorithms (as DescribeKey shows them).
ALGORITHM_MEMBER = {"ENCRYPT_DECRYPT": "EncryptionAlgorithms",
                    "SIGN_VERIFY": "SigningAlgorithms",
                    "KEY_AGREEMENT": "KeyAgreementAlgorithms",
                    "ENCAPSULATE_DECAPSULATE": "EncapsulationAlgorithms",
                    "GENERATE_VERIFY_MAC": "MacAlgorithms"}


# -- shared by the asymmetric and HMAC handlers -----------------------------------------

def blob(value: str) -> bytes:
    """A blob member's bytes: base64 text as the wire carries it; text that is not base64
    (as scenarios write it) is its UTF-8 bytes, as sim.params counts it."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value.encode()


def b64(data: bytes) -> str:
    """A blob of the response (base64 text, as every handler answers blobs)."""
    return base64.b64encode(data).decode()


def usable_key(ctx: CallContext, req: dict, op: str, usage: str,
               context: dict | None = None) -> Key:
    """The key of ``req["KeyId"]``, if the caller may ``op`` it (R-KMS-19), its state allows
    ``op`` (the key state table) and its KeyUsage is ``usage`` (R-KMS-ASYM-01)."""
    key = resolve(ctx, req["KeyId"])
    authorize(ctx, key, op, context)
    require_state(key, op, ctx)
    if key.usage != usage:
        raise AwsError("InvalidKeyUsageException",
                       f"{key.arn} key usage is {key.usage} which is not valid for "
                       f"{op.removeprefix('kms:')}; it needs {usage}", "R-KMS-ASYM-01")
    return key


def incompatible(algorithm: str, spec: str) -> AwsError:
    """An algorithm the key's spec does not support (R-KMS-ASYM-02, in KMS's words,
    R-KMS-ASYM-03)."""
    return AwsError("InvalidKeyUsageException",
                    f"Algorithm {algorithm} is incompatible with key spec {spec}.",
                    "R-KMS-ASYM-02")


def require_algorithm(key: Key, algorithm: str) -> None:
    """``algorithm`` must be one the key lists (DescribeKey's algorithms, R-KMS-ASYM-02)."""
    if algorithm not in algorithms(key.spec, key.usage):
        raise incompatible(algorithm, key.spec)


def unsupported(ctx: CallContext, what: str) -> AwsError:
    """A spec or algorithm the installed library cannot compute (R-KMS-ASYM-25,
    A-ASYM-UNCOMPUTABLE)."""
    message = (f"kmsim cannot compute {what}: the installed cryptography library does not "
               "implement it")
    if ctx.setting("asym_uncomputable") == "internal":
        return AwsError("KMSInternalException", message, "R-KMS-ASYM-25")
    return AwsError("UnsupportedOperationException", message, "R-KMS-ASYM-25")


def seed_of(ctx: CallContext, key: Key) -> bytes:
    """The seed the key's material comes from (R-KMS-ASYM-24, A-ASYM-MATERIAL)."""
    if ctx.setting("asym_material") == "key-id":
        return keymaterial.identity_seed(key)
    return keymaterial.key_seed(key)


def private_key(ctx: CallContext, key: Key, spec: str | None = None, seed: bytes | None = None):
    """The key's private key (a ``cryptography`` object), or the pair of ``spec``/``seed``."""
    spec = spec or key.spec
    try:
        return keymaterial.private_key(spec, seed if seed is not None else seed_of(ctx, key))
    except keymaterial.NoMaterial:
        raise unsupported(ctx, spec) from None


def dry_run(req: dict) -> None:
    """DryRun: the checks passed, so the call fails as KMS's DryRun does (R-KMS-ASYM-26)."""
    if req.get("DryRun"):
        raise AwsError("DryRunOperationException", "The request would have succeeded, but "
                       "the DryRun parameter was specified.", "R-KMS-ASYM-26")


def no_recipient(req: dict) -> None:
    """Nitro Enclaves attestation is not simulated (R-KMS-ASYM-27)."""
    if req.get("Recipient"):
        raise AwsError("UnsupportedOperationException", "kmsim does not simulate Nitro "
                       "Enclaves or NitroTPM attestation (Recipient)", "R-KMS-ASYM-27")


# -- Sign and Verify --------------------------------------------------------------------

def _hash(algorithm: str) -> hashes.HashAlgorithm:
    return _HASHES[algorithm[-7:]]()


def _message(req: dict, algorithm: str) -> tuple[bytes, str]:
    """The message and its type, checked against the algorithm (R-KMS-ASYM-06, -09, -10)."""
    message, kind = blob(req["Message"]), req.get("MessageType") or "RAW"
    if kind == "EXTERNAL_MU":
        if algorithm != "ML_DSA_SHAKE_256":
            raise AwsError("InvalidKeyUsageException", f"MessageType EXTERNAL_MU is for "
                           f"ML_DSA_SHAKE_256, not {algorithm}", "R-KMS-ASYM-09")
        if len(message) != 64:
            raise AwsError("ValidationException", "Message must be 64 bytes when MessageType "
                           "is EXTERNAL_MU", "R-KMS-ASYM-09")
    if algorithm.startswith("ED25519"):
        needed = "RAW" if algorithm == "ED25519_SHA_512" else "DIGEST"
        if kind != needed:
            raise AwsError("ValidationException", f"{algorithm} signing algorithm requires "
                           f"MessageType {needed}", "R-KMS-ASYM-10")
    if kind == "DIGEST" and algorithm[-7:] in _HASHES and \
            len(message) != _hash(algorithm).digest_size:
        raise AwsError("ValidationException",
                       f"Digest is invalid length for algorithm {algorithm}.", "R-KMS-ASYM-06")
    return message, kind


def _prehash(algorithm: str, kind: str):
    """The hash argument ``cryptography`` takes: the hash, or Prehashed for a digest
    (R-KMS-ASYM-05)."""
    h = _hash(algorithm)
    return utils.Prehashed(h) if kind == "DIGEST" else h


def sign_message(ctx: CallContext, key: Key, algorithm: str, message: bytes,
                 kind: str) -> bytes:
    """The signature of ``message`` by ``key`` (R-KMS-ASYM-07)."""
    priv = private_key(ctx, key)
    if algorithm.startswith("RSASSA_PKCS1"):  # deterministic
        return priv.sign(message, padding.PKCS1v15(), _prehash(algorithm, kind))
    if algorithm.startswith("RSASSA_PSS"):
        h = _hash(algorithm)
        digest = message if kind == "DIGEST" else hashlib.new(h.name, message).digest()
        # KMS's PSS salt is as long as the digest; drawn, so a replay signs the same
        return pss_sign(priv, digest, h.name, ctx.draws.bytes("PssSalt", h.digest_size))
    if algorithm.startswith("ECDSA"):
        return priv.sign(message, ec.ECDSA(_prehash(algorithm, kind),
                                           deterministic_signing=True))
    if algorithm == "ED25519_SHA_512":
        return priv.sign(message)
    if algorithm == "ML_DSA_SHAKE_256" and kind in ("RAW", "EXTERNAL_MU"):
        # the library draws ML-DSA's randomness itself: the signature is recorded instead
        made = priv.sign_mu(message) if kind == "EXTERNAL_MU" else priv.sign(message)
        return bytes(ctx.draws.record("Signature", made))  # type: ignore[arg-type]
    raise unsupported(ctx, f"{algorithm} with MessageType {kind}")


def signature_valid(ctx: CallContext, key: Key, algorithm: str, message: bytes, kind: str,
                    signature: bytes) -> bool:
    """Whether ``signature`` is ``key``'s signature of ``message`` (R-KMS-ASYM-08)."""
    pub = private_key(ctx, key).public_key()
    try:
        if algorithm.startswith("RSASSA_PKCS1"):
            pub.verify(signature, message, padding.PKCS1v15(), _prehash(algorithm, kind))
        elif algorithm.startswith("RSASSA_PSS"):
            h = _hash(algorithm)
            pub.verify(signature, message, padding.PSS(padding.MGF1(h), h.digest_size),
                       _prehash(algorithm, kind))
        elif algorithm.startswith("ECDSA"):
            pub.verify(signature, message, ec.ECDSA(_prehash(algorithm, kind)))
        elif algorithm == "ED25519_SHA_512":
            pub.verify(signature, message)
        elif algorithm == "ML_DSA_SHAKE_256" and kind == "EXTERNAL_MU":
            pub.verify_mu(signature, message)
        elif algorithm == "ML_DSA_SHAKE_256" and kind == "RAW":
            pub.verify(signature, message)
        else:
            raise unsupported(ctx, f"{algorithm} with MessageType {kind}")
    except (InvalidSignature, ValueError):
        return False
    return True


@operation("kms:Sign")
def sign(ctx: CallContext, req: dict) -> dict:
    """Sign a message or digest with an asymmetric SIGN_VERIFY key (R-KMS-ASYM-01..07)."""
    check(req, KEY_ID, MESSAGE, MESSAGE_TYPE, SIGNING_ALGORITHM, GRANT_TOKENS, DRY_RUN)
    key = usable_key(ctx, req, "kms:Sign", "SIGN_VERIFY")
    algorithm = req["SigningAlgorithm"]
    require_algorithm(key, algorithm)
    message, kind = _message(req, algorithm)
    dry_run(req)
    signature = sign_message(ctx, key, algorithm, message, kind)
    return {"KeyId": key.arn, "Signature": b64(signature), "SigningAlgorithm": algorithm}


@operation("kms:Verify")
def verify(ctx: CallContext, req: dict) -> dict:
    """Verify a signature with the key's public key: SignatureValid true, else
    KMSInvalidSignatureException (R-KMS-ASYM-08)."""
    check(req, KEY_ID, MESSAGE, MESSAGE_TYPE,
          Param("Signature", str, required=True, min=1, max=6144, blob=True),
          SIGNING_ALGORITHM, GRANT_TOKENS, DRY_RUN)
    key = usable_key(ctx, req, "kms:Verify", "SIGN_VERIFY")
    algorithm = req["SigningAlgorithm"]
    require_algorithm(key, algorithm)
    message, kind = _message(req, algorithm)
    if not signature_valid(ctx, key, algorithm, message, kind, blob(req["Signature"])):
        raise AwsError("KMSInvalidSignatureException",
                       "The request was rejected because the signature verification failed.",
                       "R-KMS-ASYM-08")
    dry_run(req)  # only a call that would have succeeded answers DryRun (R-KMS-ASYM-26)
    return {"KeyId": key.arn, "SignatureValid": True, "SigningAlgorithm": algorithm}


@operation("kms:GetPublicKey")
def get_public_key(ctx: CallContext, req: dict) -> dict:
    """The public key of an asymmetric key as DER SubjectPublicKeyInfo, with its spec,
    usage and algorithms (R-KMS-ASYM-11); a key with none fails (R-KMS-ASYM-12)."""
    check(req, KEY_ID, GRANT_TOKENS)
    key = resolve(ctx, req["KeyId"])
    authorize(ctx, key, "kms:GetPublicKey")
    require_state(key, "kms:GetPublicKey", ctx)
    if key.spec == "SYMMETRIC_DEFAULT" or key.spec.startswith("HMAC_"):
        raise AwsError("UnsupportedOperationException",
                       f"{key.arn} has KeySpec {key.spec}, which has no public key",
                       "R-KMS-ASYM-12")
    try:
        public = keymaterial.public_der(key.spec, seed_of(ctx, key))
    except keymaterial.NoMaterial:
        raise unsupported(ctx, key.spec) from None
    return {"KeyId": key.arn, "PublicKey": b64(public), "CustomerMasterKeySpec": key.spec,
            "KeySpec": key.spec, "KeyUsage": key.usage,
            ALGORITHM_MEMBER[key.usage]: algorithms(key.spec, key.usage)}

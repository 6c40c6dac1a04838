"""Encrypt and Decrypt with RSA ENCRYPT_DECRYPT keys (RSAES-OAEP; issue 13, K2;
R-KMS-ASYM-19..21). ``crypto.py``'s handlers route here for a key that is not symmetric or
an algorithm that is not SYMMETRIC_DEFAULT; this module does not import them back.

The ciphertext is the standard RSAES-OAEP ciphertext (empty label, MGF1 with the same
hash), so a caller that encrypts with the public key from GetPublicKey can Decrypt in
kmsim, and the reverse. The OAEP seed is drawn (R-KMS-ASYM-24).
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from projections.model import Key
from sim.errors import AwsError
from sim.services.kms.asymmetric import b64, blob, dry_run, private_key, require_algorithm
from sim.services.kms.common import authorize, require_state
from sim.services.kms.rsa_padding import HASHES, oaep_capacity, oaep_encrypt
from sim.services.registry import CallContext

_OAEP_HASH = {"RSAES_OAEP_SHA_1": hashes.SHA1, "RSAES_OAEP_SHA_256": hashes.SHA256}


def _checked(key: Key, req: dict) -> str:
    """The request's algorithm, compatible with the key (R-KMS-ASYM-02, -03), and no
    encryption context with an asymmetric key (R-KMS-ASYM-21)."""
    algorithm = req.get("EncryptionAlgorithm") or "SYMMETRIC_DEFAULT"
    require_algorithm(key, algorithm)
    if algorithm not in _OAEP_HASH:  # SM2PKE: SM2 keys are refused at CreateKey (R-KMS-30)
        raise AwsError("UnsupportedOperationException",
                       f"EncryptionAlgorithm {algorithm} is not supported in this Region",
                       "R-KMS-ASYM-02")
    if req.get("EncryptionContext"):
        raise AwsError("ValidationException", "EncryptionContext is not supported with "
                       f"asymmetric KMS keys ({key.spec})", "R-KMS-ASYM-21")
    return algorithm


def encrypt_asymmetric(ctx: CallContext, key: Key, req: dict) -> dict:
    """Encrypt's answer for ``key`` (resolved, authorized, usable) when the key is RSA or
    the algorithm is not SYMMETRIC_DEFAULT (R-KMS-ASYM-19)."""
    algorithm = _checked(key, req)
    hash_name = HASHES[algorithm.removeprefix("RSAES_OAEP_")]
    plaintext = blob(req["Plaintext"])
    capacity = oaep_capacity(int(key.spec.removeprefix("RSA_")), hash_name)
    if len(plaintext) > capacity:
        raise AwsError("ValidationException", f"Plaintext is {len(plaintext)} bytes; "
                       f"{key.spec} with {algorithm} encrypts at most {capacity} bytes",
                       "R-KMS-ASYM-19")
    public = private_key(ctx, key).public_key()
    dry_run(req)  # every check passed; nothing drawn yet (R-KMS-ASYM-26)
    seed = ctx.draws.bytes("OaepSeed", _OAEP_HASH[algorithm].digest_size)
    return {"CiphertextBlob": b64(oaep_encrypt(public, plaintext, hash_name, seed)),
            "KeyId": key.arn, "EncryptionAlgorithm": algorithm}


def decrypt_asymmetric(ctx: CallContext, req: dict, context_keys: dict,
                       action: str = "kms:Decrypt", op: str = "kms:Decrypt") -> dict | None:
    """Decrypt's answer when its KeyId names an asymmetric key or its algorithm is not
    SYMMETRIC_DEFAULT (R-KMS-ASYM-20); None for the symmetric path (crypto.py's). ReEncrypt
    passes its source as such a request, with ``action`` kms:ReEncryptFrom and ``op`` the
    key state table's kms:ReEncrypt."""
    key = ctx.world.find_key(str(req["KeyId"]), ctx.account, ctx.region)
    if key is None or key.state == "Deleted" or (
            key.symmetric and req.get("EncryptionAlgorithm") in (None, "SYMMETRIC_DEFAULT")):
        return None  # unknown keys and symmetric ones: the symmetric path answers
    authorize(ctx, key, action, context_keys)
    require_state(key, op, ctx)
    if key.usage != "ENCRYPT_DECRYPT":
        raise AwsError("InvalidKeyUsageException",
                       f"{key.arn} has KeyUsage {key.usage}; {action} needs ENCRYPT_DECRYPT",
                       "R-KMS-21")
    algorithm = _checked(key, req)
    h = _OAEP_HASH[algorithm]()
    try:
        plaintext = private_key(ctx, key).decrypt(
            blob(req["CiphertextBlob"]), padding.OAEP(padding.MGF1(h), h, None))
    except ValueError:
        raise AwsError("InvalidCiphertextException", f"The ciphertext is not an {algorithm} "
                       f"ciphertext of {key.arn}", "R-KMS-ASYM-20") from None
    return {"KeyId": key.arn, "Plaintext": b64(plaintext), "EncryptionAlgorithm": algorithm}

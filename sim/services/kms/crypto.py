"""KMS cryptographic operations as permission-and-state checks (SPEC 3.1, R-KMS-04, R-KMS-21).

No real cryptography: a ciphertext is an envelope naming its key and encryption
context, so Decrypt can find the key and check the context the way KMS does.
"""

from __future__ import annotations

import base64
import json

from projections.kms.multiregion import local_key_arn
from projections.kms.rotation import decrypting_material, rotated_material
from projections.model import Key
from sim.errors import AwsError
from sim.params import MISSING, Param, Violation, fail
from sim.services.kms.asymmetric import DRY_RUN, GRANT_TOKENS, dry_run
from sim.services.kms.common import KEY_ID, authorize, check, require_state, resolve
from sim.services.kms.rsa_encryption import decrypt_asymmetric, encrypt_asymmetric
from sim.services.registry import CallContext, operation

_MAGIC = b"KMSIM1"
CONTEXT = Param("EncryptionContext", dict)
#: A blob of 1..4096 bytes (R-KMS-37): counted in decoded bytes, base64 as the wire carries
#: it (text that is not base64, as scenarios write it, counts its UTF-8 bytes).
PLAINTEXT = Param("Plaintext", str, required=True, min=1, max=4096, blob=True, sensitive=True)
CIPHERTEXT = Param("CiphertextBlob", str, min=1, max=6144, blob=True)
ENCRYPTION_ALGORITHMS = ("SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256",
                         "SM2PKE")
ALGORITHM = Param("EncryptionAlgorithm", str, enum=ENCRYPTION_ALGORITHMS)
#: Decrypt's and ReEncrypt's DryRunModifiers (R-KMS-REENC-12).
DRY_RUN_MODIFIERS = Param("DryRunModifiers", list,
                          items=Param("DryRunModifier", str, enum=("IGNORE_CIPHERTEXT",)))


def seal(key: Key, context: dict, plaintext: str, material: str | None = None) -> str:
    """The simulated CiphertextBlob (base64) for ``plaintext`` under ``key``; ``material``
    (``rotation.rotated_material``) names the key material once the key has rotated."""
    fields = {"k": key.arn, "c": context or {}}
    if material is not None:  # "m" only then: envelopes made before rotation stay the same
        fields["m"] = material
    head = json.dumps(fields, sort_keys=True).encode()
    return base64.b64encode(_MAGIC + len(head).to_bytes(4, "big") + head +
                            plaintext.encode()).decode()


def unseal(blob: str) -> tuple[str, dict, str]:
    """(key ARN, encryption context, plaintext) of a simulated blob; InvalidCiphertext else."""
    try:
        raw = base64.b64decode(blob, validate=True)
        if not raw.startswith(_MAGIC):
            raise ValueError
        n = int.from_bytes(raw[6:10], "big")
        head = json.loads(raw[10:10 + n])
        return head["k"], head["c"], raw[10 + n:].decode()
    except (ValueError, KeyError, json.JSONDecodeError, UnicodeDecodeError):
        raise AwsError("InvalidCiphertextException",
                       "The ciphertext was not produced by kmsim", "R-KMS-53") from None


def sealed_material(blob: str) -> str | None:
    """The key material a blob :func:`unseal` accepted names (None: the key's first)."""
    raw = base64.b64decode(blob, validate=True)
    found = json.loads(raw[10:10 + int.from_bytes(raw[6:10], "big")]).get("m")
    return found if isinstance(found, str) else None


def material_used(ctx: CallContext, key: Key, blob: str) -> str | None:
    """The material that encrypted ``blob``, which Decrypt and ReEncrypt use (R-KMS-ROT-15)."""
    known, material = decrypting_material(ctx.world, key, sealed_material(blob))
    if not known:
        raise AwsError("InvalidCiphertextException", f"The ciphertext names key material "
                       f"{material} that {key.arn} does not have", "R-KMS-ROT-15")
    return material


def usable_for_encryption(ctx: CallContext, ref: str, action: str, context: dict,
                          op: str | None = None) -> Key:
    """The key ``ref`` names, if the caller may ``action`` it (R-KMS-19), its state allows
    ``op`` (default ``action``: the key state table) and it is ENCRYPT_DECRYPT (R-KMS-21)."""
    key = resolve(ctx, ref)
    authorize(ctx, key, action, context_keys(context))
    require_state(key, op or action, ctx)  # the key state table's row of the operation
    if key.usage != "ENCRYPT_DECRYPT":
        raise AwsError("InvalidKeyUsageException",
                       f"{key.arn} has KeyUsage {key.usage}; {action} needs ENCRYPT_DECRYPT",
                       "R-KMS-21")
    return key


def context_keys(context: dict | None) -> dict:
    """The kms:EncryptionContext:KEY condition keys of an encryption context."""
    return {f"kms:EncryptionContext:{k}": str(v) for k, v in (context or {}).items()}


@operation("kms:Encrypt")
def encrypt(ctx: CallContext, req: dict) -> dict:
    """Needs an Enabled ENCRYPT_DECRYPT key and kms:Encrypt (R-KMS-04, R-KMS-19); at most
    4096 bytes of plaintext (R-KMS-37)."""
    too_long = isinstance(req.get("Plaintext"), str) and PLAINTEXT.check(req["Plaintext"])
    check(req, KEY_ID, PLAINTEXT, CONTEXT, ALGORITHM, GRANT_TOKENS, DRY_RUN,
          rule="R-KMS-37" if too_long else "R-KMS-17")
    key = usable_for_encryption(ctx, req["KeyId"], "kms:Encrypt", req.get("EncryptionContext"))
    if not key.symmetric or req.get("EncryptionAlgorithm", "SYMMETRIC_DEFAULT") != \
            "SYMMETRIC_DEFAULT":
        return encrypt_asymmetric(ctx, key, req)  # RSAES-OAEP (R-KMS-ASYM-19); DryRun there
    dry_run(req)
    return {"CiphertextBlob": seal(key, req.get("EncryptionContext") or {}, req["Plaintext"],
                                   rotated_material(ctx.world, key)),
            "KeyId": key.arn, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}


@operation("kms:GenerateDataKey")
def generate_data_key(ctx: CallContext, req: dict) -> dict:
    """A data key under an Enabled key; needs kms:GenerateDataKey."""
    check(req, KEY_ID, CONTEXT, Param("KeySpec", str, enum=("AES_256", "AES_128")),
          Param("NumberOfBytes", int, min=1, max=1024), GRANT_TOKENS, DRY_RUN)
    key = usable_for_encryption(ctx, req["KeyId"], "kms:GenerateDataKey",
                                req.get("EncryptionContext"))
    dry_run(req)  # before the data key is drawn
    size = req.get("NumberOfBytes") or (16 if req.get("KeySpec") == "AES_128" else 32)
    data_key = ctx.draws.bytes("DataKey", size)
    plaintext = base64.b64encode(data_key).decode()
    res = {"CiphertextBlob": seal(key, req.get("EncryptionContext") or {}, plaintext,
                                  rotated_material(ctx.world, key)),
           "Plaintext": plaintext, "KeyId": key.arn}
    if key.material_id is not None:  # the current material encrypts (R-KMS-ROT-14)
        res["KeyMaterialId"] = key.material_id
    return res


@operation("kms:Decrypt")
def decrypt(ctx: CallContext, req: dict) -> dict:
    """Decrypt a kmsim ciphertext, or (KeyId, no blob) check that Decrypt would be allowed."""
    check(req, CIPHERTEXT, Param("KeyId", str, min=1, max=2048),
          CONTEXT, ALGORITHM, GRANT_TOKENS, DRY_RUN, DRY_RUN_MODIFIERS)
    if not req.get("CiphertextBlob"):
        if not req.get("KeyId"):
            # a blob, or a KeyId alone (R-SRV-22's form, lowerCamelCase)
            raise fail("ValidationException", "R-KMS-17",
                       Violation("ciphertextBlob", MISSING, "required", None))
        key = usable_for_encryption(ctx, req["KeyId"], "kms:Decrypt",
                                    req.get("EncryptionContext"))
        dry_run(req)  # DryRun with IGNORE_CIPHERTEXT: authorization only (R-KMS-REENC-12)
        return {"KeyId": key.arn, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}
    if req.get("KeyId") and (asymmetric := decrypt_asymmetric(
            ctx, req, context_keys(req.get("EncryptionContext")))) is not None:
        dry_run(req)
        return asymmetric  # an RSA key's ciphertext (R-KMS-ASYM-20)
    arn, context, plaintext = unseal(req["CiphertextBlob"])
    arn = local_key_arn(ctx.world, arn, ctx.region)  # a related key decrypts (R-KMS-MRK-11)
    if req.get("KeyId"):
        named = resolve(ctx, req["KeyId"])
        if named.arn != arn:
            raise AwsError("IncorrectKeyException",
                           "The key ID in the request does not identify the key that was used "
                           "to encrypt the ciphertext", "R-KMS-54")
    key = usable_for_encryption(ctx, arn, "kms:Decrypt", context)
    if (req.get("EncryptionContext") or {}) != context:
        raise AwsError("InvalidCiphertextException",
                       "The encryption context does not match the one used to encrypt",
                       "R-KMS-53")
    res = {"KeyId": key.arn, "Plaintext": plaintext, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}
    material = material_used(ctx, key, req["CiphertextBlob"])
    dry_run(req)
    if material is not None:
        res["KeyMaterialId"] = material
    return res

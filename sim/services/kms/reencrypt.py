"""KMS ReEncrypt (R-KMS-REENC-NN): decrypt a ciphertext under its source key and encrypt the
plaintext under the destination key, in one call.

The source is a kmsim symmetric envelope (``crypto.seal``; SourceKeyId optional) or an
RSAES-OAEP ciphertext of an RSA key (SourceKeyId and SourceEncryptionAlgorithm required),
decrypted as Decrypt routes it (``rsa_encryption.decrypt_asymmetric``). The destination is
a symmetric key (an envelope) or an RSA key (``rsa_encryption.encrypt_asymmetric``, with its
plaintext limits). Authorization is kms:ReEncryptFrom on the source and kms:ReEncryptTo on
the destination; both keys' states are the key state table's kms:ReEncrypt row.
"""

from __future__ import annotations

from projections.kms.multiregion import local_key_arn
from projections.kms.rotation import rotated_material
from projections.model import Key
from sim.errors import AwsError
from sim.params import MISSING, Param, Violation, fail
from sim.services.kms.asymmetric import DRY_RUN, GRANT_TOKENS, dry_run, require_algorithm
from sim.services.kms.common import check, resolve
from sim.services.kms.crypto import (
    DRY_RUN_MODIFIERS,
    ENCRYPTION_ALGORITHMS,
    context_keys,
    material_used,
    seal,
    unseal,
    usable_for_encryption,
)
from sim.services.kms.rsa_encryption import decrypt_asymmetric, encrypt_asymmetric
from sim.services.registry import CallContext, operation

_DEFAULT = "SYMMETRIC_DEFAULT"
PARAMS = (Param("CiphertextBlob", str, min=1, max=6144, blob=True),
          Param("SourceEncryptionContext", dict),
          Param("SourceKeyId", str, min=1, max=2048),
          Param("DestinationKeyId", str, required=True, min=1, max=2048),
          Param("DestinationEncryptionContext", dict),
          Param("SourceEncryptionAlgorithm", str, enum=ENCRYPTION_ALGORITHMS),
          Param("DestinationEncryptionAlgorithm", str, enum=ENCRYPTION_ALGORITHMS),
          GRANT_TOKENS, DRY_RUN, DRY_RUN_MODIFIERS)


def _missing(member: str) -> AwsError:
    """A member ReEncrypt needs here (R-KMS-REENC-12; R-SRV-22's form, lowerCamelCase)."""
    return fail("ValidationException", "R-KMS-REENC-12",
                Violation(member[0].lower() + member[1:], MISSING, "required", None))


def _source_only(ctx: CallContext, req: dict) -> tuple[Key, str]:
    """DryRun with IGNORE_CIPHERTEXT: the source key's authorization only (R-KMS-REENC-12)."""
    if not req.get("SourceKeyId"):
        raise _missing("SourceKeyId")
    algorithm = req.get("SourceEncryptionAlgorithm") or _DEFAULT
    key = usable_for_encryption(ctx, req["SourceKeyId"], "kms:ReEncryptFrom",
                                req.get("SourceEncryptionContext") or {}, "kms:ReEncrypt")
    require_algorithm(key, algorithm)  # R-KMS-REENC-05
    return key, algorithm


def _decrypted(ctx: CallContext, req: dict) -> tuple[Key, str, str, str | None]:
    """(source key, plaintext as the handlers carry it, source algorithm, source material)."""
    blob = req["CiphertextBlob"]
    wanted = req.get("SourceEncryptionContext") or {}
    algorithm = req.get("SourceEncryptionAlgorithm") or _DEFAULT
    named = None
    if req.get("SourceKeyId"):
        as_decrypt = {"KeyId": req["SourceKeyId"], "CiphertextBlob": blob,
                      "EncryptionAlgorithm": req.get("SourceEncryptionAlgorithm"),
                      "EncryptionContext": req.get("SourceEncryptionContext")}
        out = decrypt_asymmetric(ctx, as_decrypt, context_keys(wanted), "kms:ReEncryptFrom",
                                 "kms:ReEncrypt")
        if out is not None:  # an RSA ciphertext, kmsim's or made outside (R-KMS-REENC-08)
            return resolve(ctx, out["KeyId"]), out["Plaintext"], out["EncryptionAlgorithm"], None
        named = resolve(ctx, req["SourceKeyId"])  # NotFound before reading the blob
    try:
        arn, context, plaintext = unseal(blob)
    except AwsError:
        if named is not None:
            raise
        raise AwsError("InvalidCiphertextException", "The ciphertext is not a kmsim symmetric "
                       "ciphertext; a ciphertext of an asymmetric key needs SourceKeyId and "
                       "SourceEncryptionAlgorithm", "R-KMS-REENC-02") from None
    arn = local_key_arn(ctx.world, arn, ctx.region)  # a related key decrypts (R-KMS-MRK-11)
    if named is not None and named.arn != arn:
        raise AwsError("IncorrectKeyException", "The key ID in the request does not identify "
                       "the key that was used to encrypt the ciphertext", "R-KMS-REENC-04")
    source = usable_for_encryption(ctx, arn, "kms:ReEncryptFrom", context, "kms:ReEncrypt")
    require_algorithm(source, algorithm)  # R-KMS-REENC-05
    if wanted != context:
        raise AwsError("InvalidCiphertextException",
                       "The encryption context does not match the one used to encrypt",
                       "R-KMS-53")
    return source, plaintext, _DEFAULT, material_used(ctx, source, blob)


@operation("kms:ReEncrypt")
def re_encrypt(ctx: CallContext, req: dict) -> dict:
    """Decrypt under the source key and encrypt under the destination (R-KMS-REENC-01..12);
    DryRun answers DryRunOperationException once every check passed (R-KMS-ASYM-26)."""
    check(req, *PARAMS)
    ignore = bool(req.get("DryRun")) and "IGNORE_CIPHERTEXT" in (req.get("DryRunModifiers")
                                                                or ())
    source_material = None
    if ignore:
        source, source_algorithm = _source_only(ctx, req)
        plaintext = ""  # no ciphertext read: Encrypt's checks see an empty plaintext
    elif not req.get("CiphertextBlob"):
        raise _missing("CiphertextBlob")
    else:
        source, plaintext, source_algorithm, source_material = _decrypted(ctx, req)
    dest_ctx = req.get("DestinationEncryptionContext") or {}
    dest = usable_for_encryption(ctx, req["DestinationKeyId"], "kms:ReEncryptTo", dest_ctx,
                                 "kms:ReEncrypt")
    algorithm = req.get("DestinationEncryptionAlgorithm") or _DEFAULT
    if dest.symmetric and algorithm == _DEFAULT:
        dry_run(req)
        blob = seal(dest, dest_ctx, plaintext, rotated_material(ctx.world, dest))
    else:
        if dest_ctx and not dest.symmetric:
            raise AwsError("ValidationException", "DestinationEncryptionContext is valid only "
                           f"with a symmetric destination key, not {dest.spec}",
                           "R-KMS-REENC-07")
        # Encrypt's RSA path: the algorithm (R-KMS-REENC-06), the size limits, DryRun
        blob = encrypt_asymmetric(ctx, dest, {
            "Plaintext": plaintext, "EncryptionAlgorithm": algorithm,
            "EncryptionContext": dest_ctx, "DryRun": req.get("DryRun")})["CiphertextBlob"]
    res = {"CiphertextBlob": blob, "SourceKeyId": source.arn, "KeyId": dest.arn,
           "SourceEncryptionAlgorithm": source_algorithm,
           "DestinationEncryptionAlgorithm": algorithm}  # R-KMS-REENC-09
    if source_material is not None:  # a symmetric source only (R-KMS-REENC-10)
        res["SourceKeyMaterialId"] = source_material
    if dest.symmetric and dest.material_id is not None:  # R-KMS-REENC-11
        res["DestinationKeyMaterialId"] = dest.material_id
    return res

"""GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext (issue 13, K2;
R-KMS-ASYM-15..17).

The pair is made from 32 drawn bytes (``draws["KeyPairSeed"]``) like a key's own material,
so a replay answers the same pair; the private key (DER PKCS #8) is sealed under the
symmetric key as a kmsim envelope, as GenerateDataKey seals its data key, so Decrypt of
PrivateKeyCiphertextBlob answers it.
"""

from __future__ import annotations

from projections.kms.rotation import rotated_material
from sim.errors import AwsError
from sim.params import Param
from sim.services.kms import keymaterial
from sim.services.kms.asymmetric import (
    DRY_RUN,
    GRANT_TOKENS,
    RECIPIENT,
    b64,
    dry_run,
    no_recipient,
    unsupported,
    usable_key,
)
from sim.services.kms.common import KEY_ID, check
from sim.services.kms.crypto import CONTEXT, seal
from sim.services.registry import CallContext, operation

KEY_PAIR_SPEC = Param("KeyPairSpec", str, required=True, enum=(
    "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
    "ECC_SECG_P256K1", "SM2", "ECC_NIST_EDWARDS25519", "ML_KEM_512", "ML_KEM_768",
    "ML_KEM_1024"))


def _pair(ctx: CallContext, req: dict, op: str) -> dict:
    """The pair's members of both answers, once every check of ``op`` passed."""
    plaintext = op == "kms:GenerateDataKeyPair"  # only it has a Recipient
    check(req, CONTEXT, KEY_ID, KEY_PAIR_SPEC, GRANT_TOKENS, *([RECIPIENT] if plaintext else []),
          DRY_RUN)
    context = req.get("EncryptionContext") or {}
    key = usable_key(ctx, req, op, "ENCRYPT_DECRYPT",
                     {f"kms:EncryptionContext:{k}": str(v) for k, v in context.items()})
    if not key.symmetric:
        raise AwsError("InvalidKeyUsageException", f"{key.arn} is an asymmetric key "
                       f"({key.spec}); a data key pair is encrypted under a symmetric "
                       "encryption key", "R-KMS-ASYM-15")
    no_recipient(req)
    spec = req["KeyPairSpec"]
    if spec == "SM2":
        raise AwsError("UnsupportedOperationException",
                       "KeyPairSpec SM2 is not supported in this Region", "R-KMS-ASYM-17")
    if not keymaterial.supported(spec):
        raise unsupported(ctx, spec)
    dry_run(req)
    seed = ctx.draws.bytes("KeyPairSeed", 32)
    private = b64(keymaterial.private_der(spec, seed))  # R-KMS-ASYM-16
    out = {"PrivateKeyCiphertextBlob": seal(key, context, private,
                                                    rotated_material(ctx.world, key)),
           "PrivateKeyPlaintext": private,
           "PublicKey": b64(keymaterial.public_der(spec, seed)),
           "KeyId": key.arn, "KeyPairSpec": spec}
    if key.material_id is not None:
        out["KeyMaterialId"] = key.material_id
    return out


@operation("kms:GenerateDataKeyPair")
def generate_data_key_pair(ctx: CallContext, req: dict) -> dict:
    """A key pair for use outside KMS: public key, private key, and the private key sealed
    under a symmetric key (R-KMS-ASYM-15, -16)."""
    return _pair(ctx, req, "kms:GenerateDataKeyPair")


@operation("kms:GenerateDataKeyPairWithoutPlaintext")
def generate_data_key_pair_without_plaintext(ctx: CallContext, req: dict) -> dict:
    """GenerateDataKeyPair without the plaintext private key (R-KMS-ASYM-15, -16)."""
    out = _pair(ctx, req, "kms:GenerateDataKeyPairWithoutPlaintext")
    del out["PrivateKeyPlaintext"]
    return out

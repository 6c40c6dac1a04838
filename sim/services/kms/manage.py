"""KMS key management operations (issue 13): tags, UpdateKeyDescription, ListKeyPolicies,
GetParametersForImport and the import token, GenerateDataKeyWithoutPlaintext,
GenerateRandom, GetKeyLastUsage (rules R-KMS-MGMT-NN; state checks: the key state table)."""

from __future__ import annotations

import base64
import functools

from cryptography.hazmat.primitives import hashes, keywrap
from cryptography.hazmat.primitives.asymmetric import padding

from events.timefmt import format_time
from projections.kms import keystores, manage
from projections.kms.rotation import rotated_material
from projections.model import Key
from sim.errors import AwsError
from sim.params import Param
from sim.services.kms.asymmetric import DRY_RUN, GRANT_TOKENS, dry_run
from sim.services.kms.common import (
    KEY_ID,
    authorize,
    authorize_identity,
    check,
    epoch_seconds,
    kms_list,
    require_state,
    resolve,
)
from sim.services.kms.crypto import CONTEXT, seal
from sim.services.kms.keymaterial import private_key, public_der
from sim.services.registry import CallContext, operation

TAG_KEY = Param("TagKey", str, required=True, min=1, max=128)
TAG_VALUE = Param("TagValue", str, required=True, min=0, max=256)
TAGS = Param("Tags", list, required=True, items=(TAG_KEY, TAG_VALUE))
MARKER = Param("Marker", str, min=1, max=1024, pattern=r"[\u0020-\u00FF]*")
#: At most 50 tags on a key (R-KMS-MGMT-04).
MAX_TAGS = 50
WRAPPING_ALGORITHMS = ("RSAES_PKCS1_V1_5", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256",
                       "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256", "SM2PKE")
#: The one wrapping key pair of each WrappingKeySpec comes from this seed (A-MGMT-KEY-MATERIAL):
#: RSA pairs take seconds to derive, so they are made once per process, and every run and
#: replay answers the same PublicKey.
_WRAPPING_SEED = b"kmsim wrapping key pairs of GetParametersForImport"
_TOKEN_MAGIC = b"KMSIMIT1"




def _key(ctx: CallContext, req: dict, action: str) -> Key:
    """The key of a management call: resolved, authorized, its state allowing ``action``."""
    key = resolve(ctx, req["KeyId"])
    authorize(ctx, key, action)
    require_state(key, action, ctx)
    return key


# -- tags -----------------------------------------------------------------------------------

def check_new_tags(ctx: CallContext, existing: dict[str, str], tags: list[dict]) -> None:
    """Tags to add: no reserved aws: keys (R-KMS-MGMT-05), at most 50 in all (R-KMS-MGMT-04).
    CreateKey calls this too, with no existing tags."""
    for tag in tags:
        if tag["TagKey"].lower().startswith("aws:"):
            raise AwsError("TagException", f"Tag key {tag['TagKey']!r} begins with aws:, which "
                           "is reserved for AWS use", "R-KMS-MGMT-05")
    total = len({**existing, **{t["TagKey"]: t["TagValue"] for t in tags}})
    if total > MAX_TAGS:
        raise AwsError("LimitExceededException", f"A KMS key can have at most {MAX_TAGS} tags; "
                       f"this request would leave {total}", "R-KMS-MGMT-04")


def check_create_tags(ctx: CallContext, req: dict) -> None:
    """CreateKey's Tags: their form, kms:TagResource in an IAM policy, the tag rules
    (R-KMS-MGMT-06)."""
    if not req.get("Tags"):
        return
    check(req, Param("Tags", list, items=(TAG_KEY, TAG_VALUE)))
    authorize_identity(ctx, "kms:TagResource", "*")
    check_new_tags(ctx, {}, req["Tags"])


@operation("kms:TagResource")
def tag_resource(ctx: CallContext, req: dict) -> dict:
    """Add or replace tags on a key (R-KMS-MGMT-01); not while it is pending deletion."""
    check(req, KEY_ID, TAGS)
    key = _key(ctx, req, "kms:TagResource")
    check_new_tags(ctx, manage.tags_of(ctx.world, key.arn), req["Tags"])
    return {}


@operation("kms:UntagResource")
def untag_resource(ctx: CallContext, req: dict) -> dict:
    """Remove tag keys from a key; an absent one is no error (R-KMS-MGMT-02)."""
    check(req, KEY_ID, Param("TagKeys", list, required=True, items=TAG_KEY))
    _key(ctx, req, "kms:UntagResource")
    return {}


@operation("kms:ListResourceTags")
def list_resource_tags(ctx: CallContext, req: dict) -> dict:
    """The key's tags, paged (R-KMS-MGMT-03)."""
    check(req, KEY_ID, Param("Limit", int, min=1, max=1000), MARKER)
    if req.get("Limit") is not None and req["Limit"] > 50:
        raise AwsError("ValidationException", "Limit must be between 1 and 50", "R-KMS-MGMT-03")
    key = _key(ctx, req, "kms:ListResourceTags")
    tags = [{"TagKey": k, "TagValue": v}  # in tag key order, the order pages follow
            for k, v in sorted(manage.tags_of(ctx.world, key.arn).items())]
    return kms_list("Tags", tags, lambda t: t["TagKey"], req, 50, "kms:ListResourceTags")


# -- description, key policies ------------------------------------------------------------------

@operation("kms:UpdateKeyDescription")
def update_key_description(ctx: CallContext, req: dict) -> dict:
    """Replace the key's description (R-KMS-MGMT-07)."""
    check(req, KEY_ID, Param("Description", str, required=True, min=0, max=8192))
    _key(ctx, req, "kms:UpdateKeyDescription")
    return {}


@operation("kms:ListKeyPolicies")
def list_key_policies(ctx: CallContext, req: dict) -> dict:
    """The names of the key's policies: ["default"] (R-KMS-MGMT-08, R-KMS-MGMT-09)."""
    check(req, KEY_ID, Param("Limit", int, min=1, max=1000), MARKER)
    _key(ctx, req, "kms:ListKeyPolicies")
    return kms_list("PolicyNames", ["default"], lambda n: n, req, 100, "kms:ListKeyPolicies")


# -- imported key material ---------------------------------------------------------------------

@functools.lru_cache(maxsize=4)
def wrapping_public_key(spec: str) -> bytes:
    """The DER public key of the wrapping key pair of ``spec`` (A-MGMT-KEY-MATERIAL)."""
    return public_der(spec, _WRAPPING_SEED)


@operation("kms:GetParametersForImport")
def get_parameters_for_import(ctx: CallContext, req: dict) -> dict:
    """A wrapping public key and an import token for an EXTERNAL key, valid 24 hours
    (R-KMS-MGMT-11, R-KMS-MGMT-12)."""
    check(req, KEY_ID, Param("WrappingAlgorithm", str, required=True, enum=WRAPPING_ALGORITHMS),
          Param("WrappingKeySpec", str, required=True,
                enum=("RSA_2048", "RSA_3072", "RSA_4096", "SM2")))
    key = _key(ctx, req, "kms:GetParametersForImport")
    if key.origin != "EXTERNAL":
        raise AwsError("UnsupportedOperationException",
                       f"{key.arn} has Origin {key.origin}; only EXTERNAL keys import material",
                       "R-KMS-MGMT-12")
    if req["WrappingKeySpec"] == "SM2" or req["WrappingAlgorithm"] == "SM2PKE":
        # SM2 exists only in China Regions; kmsim's keys are in the aws partition (R-KMS-30)
        raise AwsError("UnsupportedOperationException",
                       "SM2 wrapping is not supported in this Region", "R-KMS-30")
    token = base64.b64encode(_TOKEN_MAGIC + ctx.draws.bytes("ImportToken", 32)).decode()
    return {"KeyId": key.arn, "ImportToken": token,
            "PublicKey": base64.b64encode(wrapping_public_key(req["WrappingKeySpec"])).decode(),
            "ParametersValidTo": epoch_seconds(ctx.t + manage.IMPORT_PARAMETERS_VALID_MS)}


def check_import(ctx: CallContext, key: Key, req: dict) -> None:
    """ImportKeyMaterial's token (R-KMS-MGMT-13..15) and, as A-MGMT-KEY-MATERIAL says, its
    wrapped material (R-KMS-MGMT-16..18). ImportKeyMaterial calls this last."""
    if ctx.setting("mgmt_import_token") == "unchecked":
        return
    issued = manage.import_parameters(ctx.world, req["ImportToken"])
    if issued is None or issued.key_arn != key.arn:
        raise AwsError("InvalidImportTokenException", "The request was rejected because the "
                       "provided import token is invalid or is associated with a different "
                       "KMS key.", "R-KMS-MGMT-13")
    if ctx.t >= issued.valid_to:
        raise AwsError("ExpiredImportTokenException", "The request was rejected because the "
                       f"specified import token expired at {format_time(issued.valid_to)}. Use "
                       "GetParametersForImport to get a new import token and public key.",
                       "R-KMS-MGMT-14")
    if ctx.setting("mgmt_key_material") == "unwrap":
        material = _unwrap(issued.algorithm, issued.spec, req["EncryptedKeyMaterial"])
        if key.symmetric and len(material) != 32:
            raise AwsError("IncorrectKeyMaterialException", f"The key material is "
                           f"{len(material)} bytes; a symmetric encryption key takes 32",
                           "R-KMS-MGMT-18")


def _unwrap(algorithm: str, spec: str, blob: str) -> bytes:
    """The key material ``blob`` wraps under the token's wrapping key (R-KMS-MGMT-17)."""
    try:
        wrapped = base64.b64decode(blob, validate=True)
        private = private_key(spec, _WRAPPING_SEED)
        digest = hashes.SHA1() if algorithm.endswith("SHA_1") else hashes.SHA256()
        oaep = padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)
        if algorithm.startswith("RSA_AES_KEY_WRAP"):
            size = private.key_size // 8  # the RSA-wrapped AES key comes first
            aes_key = private.decrypt(wrapped[:size], oaep)
            return keywrap.aes_key_unwrap_with_padding(aes_key, wrapped[size:])
        if algorithm == "RSAES_PKCS1_V1_5":
            return private.decrypt(wrapped, padding.PKCS1v15())
        return private.decrypt(wrapped, oaep)
    except (ValueError, TypeError, keywrap.InvalidUnwrap):
        raise AwsError("InvalidCiphertextException", "The EncryptedKeyMaterial does not unwrap "
                       f"under the wrapping key of the import token ({algorithm})",
                       "R-KMS-MGMT-17") from None


# -- data keys, random bytes, last usage --------------------------------------------------------

@operation("kms:GenerateDataKeyWithoutPlaintext")
def generate_data_key_without_plaintext(ctx: CallContext, req: dict) -> dict:
    """GenerateDataKey without the plaintext copy (R-KMS-MGMT-19)."""
    check(req, KEY_ID, CONTEXT, Param("KeySpec", str, enum=("AES_256", "AES_128")),
          Param("NumberOfBytes", int, min=1, max=1024), GRANT_TOKENS, DRY_RUN)
    key = resolve(ctx, req["KeyId"])
    context = req.get("EncryptionContext") or {}
    authorize(ctx, key, "kms:GenerateDataKeyWithoutPlaintext",
              {f"kms:EncryptionContext:{k}": str(v) for k, v in context.items()})
    require_state(key, "kms:GenerateDataKeyWithoutPlaintext", ctx)
    if not key.symmetric:
        raise AwsError("InvalidKeyUsageException", f"{key.arn} is not a symmetric encryption "
                       "key; GenerateDataKeyWithoutPlaintext needs one", "R-KMS-21")
    dry_run(req)  # before the data key is drawn (R-KMS-ASYM-26)
    size = req.get("NumberOfBytes") or (16 if req.get("KeySpec") == "AES_128" else 32)
    plaintext = base64.b64encode(ctx.draws.bytes("DataKey", size)).decode()
    res = {"CiphertextBlob": seal(key, context, plaintext, rotated_material(ctx.world, key)),
           "KeyId": key.arn}
    if key.material_id is not None:
        res["KeyMaterialId"] = key.material_id
    return res


@operation("kms:GenerateRandom")
def generate_random(ctx: CallContext, req: dict) -> dict:
    """NumberOfBytes random bytes from the event's draws (R-KMS-MGMT-20, R-KMS-MGMT-21)."""
    check(req, Param("NumberOfBytes", int, min=1, max=1024),
          Param("CustomKeyStoreId", str, min=1, max=64))
    if req.get("NumberOfBytes") is None:  # the docs require it; the model does not mark it
        raise AwsError("ValidationException", "NumberOfBytes is required: GenerateRandom has "
                       "no default length", "R-KMS-MGMT-20")
    authorize_identity(ctx, "kms:GenerateRandom", "*")
    if req.get("CustomKeyStoreId"):
        _random_store(ctx, req["CustomKeyStoreId"])
    return {"Plaintext": base64.b64encode(
        ctx.draws.bytes("Random", req["NumberOfBytes"])).decode()}


def _random_store(ctx: CallContext, store_id: str) -> None:
    """A CustomKeyStoreId GenerateRandom can use: a connected CloudHSM key store."""
    state = ctx.world.peek(keystores.KeyStoresState)
    store = keystores.find_store(ctx.world, store_id, ctx.account, ctx.region) \
        if state is not None else None
    if store is None:
        raise AwsError("CustomKeyStoreNotFoundException", f"Custom key store {store_id} does "
                       "not exist", "R-KMS-MGMT-21")
    if store.store_type == "EXTERNAL_KEY_STORE":
        raise AwsError("UnsupportedOperationException", f"{store_id} is an external key store; "
                       "GenerateRandom needs an AWS CloudHSM key store", "R-KMS-MGMT-25")
    if store.connection != "CONNECTED":
        raise AwsError("CustomKeyStoreInvalidStateException", f"Custom key store {store_id} is "
                       f"{store.connection}", "R-KMS-MGMT-26")


@operation("kms:GetKeyLastUsage")
def get_key_last_usage(ctx: CallContext, req: dict) -> dict:
    """The key's last successful cryptographic operation (R-KMS-MGMT-22..24)."""
    check(req, KEY_ID)
    if req["KeyId"].startswith("alias/") or ":alias/" in req["KeyId"]:
        raise AwsError("NotFoundException", f"Key '{req['KeyId']}' does not exist: "
                       "GetKeyLastUsage takes a key ID or key ARN", "R-KMS-MGMT-24")
    key = _key(ctx, req, "kms:GetKeyLastUsage")
    usage: dict = {}
    used = manage.last_use(ctx.world, key.arn)
    if used is not None:
        op, t, seq = used
        usage = {"Operation": op, "Timestamp": epoch_seconds(t)}
        if ctx.setting("mgmt_usage_ids") == "event-number":
            usage.update(CloudTrailEventId=f"kmsim-event-{seq}", KmsRequestId=f"kmsim-event-{seq}")
    created = epoch_seconds(key.created.t)
    return {"KeyId": key.key_id, "KeyLastUsage": usage, "TrackingStartDate": created,
            "KeyCreationDate": created}

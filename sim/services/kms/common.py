"""Shared KMS command-side checks: resolving KeyId, authorizing, state errors, metadata."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from projections.arns import KEY_ARN, account_of_arn, key_arn_mismatch, root_arn
from projections.iam.policy import Decision, Request, evaluate
from projections.kms import key_states
from projections.kms.grants import grant_decisions, settle, token_problem
from projections.machines import KEY_TRANSITIONS, allowed_sources
from projections.model import Key
from projections.rulebook import setting
from sim.errors import AwsError
from sim.params import Param, validate
from sim.services.paging import BadToken, page
from sim.services.registry import CallContext

KEY_ID = Param("KeyId", str, required=True, min=1, max=2048)


def check(req: dict, *params: Param, rule: str = "R-KMS-17") -> None:
    """KMS parameter validation (R-KMS-17, or ``rule`` for the constraint that failed);
    members in lowerCamelCase (R-SRV-21)."""
    validate(req, params, "ValidationException", rule, lower_first=True)


def resolve(ctx: CallContext, ref: str, allow_deleted: bool = False) -> Key:
    """The key ``ref`` names (R-KMS-16); unknown or Deleted is NotFoundException (R-KMS-13),
    and so is a key ARN that is not the key's own ARN (R-KMS-34)."""
    key = ctx.world.find_key(ref, ctx.account, ctx.region)
    if key is None:
        near = ctx.world.keys.get(m.group(3)) if (m := KEY_ARN.fullmatch(ref)) else None
        if near is not None and (why := key_arn_mismatch(ref, near.arn)):
            raise AwsError("NotFoundException", f"Key '{ref}' does not exist: {why}",
                           "R-KMS-34")
        raise AwsError("NotFoundException", f"Key '{ref}' does not exist", "R-KMS-13")
    if key.state == "Deleted" and not allow_deleted:
        raise AwsError("NotFoundException", f"Key '{key.arn}' does not exist", "R-KMS-13")
    return key


def authorize(ctx: CallContext, key: Key, action: str, context: dict | None = None
              ) -> Decision:
    """The caller must be allowed ``action`` on ``key`` (R-KMS-19): by the key policy and IAM,
    or by a grant in effect (R-KMS-GRANT-10; the request's GrantTokens make a new grant count
    at once, R-KMS-GRANT-09); an explicit Deny wins (R-KMS-GRANT-11). GrantTokens that are
    not valid are refused first with InvalidGrantTokenException (R-KMS-GRANT-30..32).
    Returns the decision (a ``GrantDecision`` when a grant allowed it)."""
    tokens = [str(t) for t in (ctx.request or {}).get("GrantTokens") or ()]
    bad = token_problem(ctx.world, tokens, action)  # R-KMS-GRANT-30..32
    if bad is not None:
        raise AwsError("InvalidGrantTokenException", bad[1], bad[0])
    decision = evaluate(Request(ctx.actor, action, key.arn, context or {}), key.policy,
                        ctx.world.identity_policies(ctx.actor))
    decision = settle(grant_decisions(ctx.world, key, ctx.actor, action, context or {},
                                      decision, tokens),
                      ctx.setting("grant_undecided"))
    if not decision.allowed:
        raise AwsError("AccessDeniedException", denied_message(ctx.actor, action, key.arn,
                                                               decision), "R-KMS-19")
    return decision


def denied_message(actor: str, action: str, resource: str, decision: Decision) -> str:
    """AccessDeniedException's text in AWS's words, with kmsim's reason appended."""
    st = decision.statement
    if st is not None and st.effect == "Deny":
        kind = "a resource-based" if st.policy == "key policy" else "an identity-based"
        why = f"with an explicit deny in {kind} policy"
    elif any("allows account" in n for n in decision.notes):
        why = f"because no identity-based policy allows the {action} action"
    else:
        why = f"because no resource-based policy allows the {action} action"
    detail = "; ".join((decision.reason, *decision.notes))
    return (f"User: {actor} is not authorized to perform: {action} on resource: {resource} "
            f"{why} [kmsim: {detail}]")


def authorize_identity(ctx: CallContext, action: str, resource: str) -> None:
    """Actions with no key (CreateKey, ListKeys) need an identity policy (R-KMS-20)."""
    if ctx.actor == root_arn(ctx.account):
        return  # the account root user has full access (R-IAM-08)
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": root_arn(ctx.account)}, "Action": "kms:*",
         "Resource": "*"}]}
    decision = evaluate(Request(ctx.actor, action, resource, {}), policy,
                        ctx.world.identity_policies(ctx.actor))
    if not decision.allowed or account_of_arn(ctx.actor) != ctx.account:
        raise AwsError("AccessDeniedException",
                       f"User: {ctx.actor} is not authorized to perform: {action} "
                       f"({decision.reason})", "R-KMS-20")


def require_transition(key: Key, trigger: str, op: str) -> None:
    """KMSInvalidStateException when the lifecycle table has no such move (R-KMS-12)."""
    if key.state not in allowed_sources(KEY_TRANSITIONS, trigger):
        raise AwsError("KMSInvalidStateException",
                       f"{key.arn} is {key.state} and cannot be used for {op}", "R-KMS-12")


#: How KMS's key state table words a key that cannot do cryptography (R-KMS-45, R-KMS-46).
_NOT_USABLE = {"Disabled": "disabled", "PendingImport": "pending import",
               "PendingDeletion": "pending deletion", "Unavailable": "unavailable"}


def require_enabled(key: Key, pending_deletion: str = "invalid-state") -> None:
    """Only Enabled keys do cryptography (R-KMS-04), refused with the key state table's code
    and words (R-KMS-45); a PendingDeletion key's code is A-PENDING-DELETION-CRYPTO's
    ``pending_deletion`` (R-KMS-47)."""
    if key.state == "Enabled":
        return
    words = f"{key.arn} is {_NOT_USABLE.get(key.state, key.state)}."
    if key.state == "PendingDeletion":
        code = "DisabledException" if pending_deletion == "disabled" else \
            "KMSInvalidStateException"
        raise AwsError(code, words, "R-KMS-47")
    code = "DisabledException" if key.state == "Disabled" else "KMSInvalidStateException"
    raise AwsError(code, words, "R-KMS-45")


def require_state(key: Key, op: str, ctx: CallContext | None = None) -> None:
    """KMS's key state table (projections/kms/key_states.py: R-KMS-STATE-NN, R-KMS-45..47):
    whether ``op`` (``"kms:Sign"``) may run on ``key`` in its state, else the table's
    exception. Every KMS handler that takes a key calls this once it has resolved the key;
    pass ``ctx`` so that the call's assumptions apply (A-PENDING-DELETION-CRYPTO,
    A-STATE-UNLISTED, A-STATE-NOT-APPLICABLE; without it, their declared defaults)."""
    settings = ctx.world.settings if ctx is not None else {}
    found = key_states.cell(op, key.state, setting(settings, "state_unlisted"),
                            setting(settings, "state_not_applicable"))
    if found.allowed:
        return
    if found.unless_external is not None and key.origin != "EXTERNAL":
        found = found.unless_external
    code = found.code
    if found.alt_code is not None and \
            setting(settings, "pending_deletion_crypto") == "disabled":
        code = found.alt_code
    raise AwsError(code, found.message(key.arn, key.state), found.rule)


def epoch_seconds(ms: int) -> float:
    """AWS JSON timestamps are epoch seconds."""
    return ms / 1000


# -- key specs --------------------------------------------------------------------------

_RSA = ("RSA_2048", "RSA_3072", "RSA_4096")
_NIST = ("ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521")
_HMAC = ("HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512")
_ML_DSA = ("ML_DSA_44", "ML_DSA_65", "ML_DSA_87")
_ML_KEM = ("ML_KEM_512", "ML_KEM_768", "ML_KEM_1024")
#: The KeySpec enumeration of the kms model; CustomerMasterKeySpec's is the older subset.
KEY_SPECS = ("SYMMETRIC_DEFAULT", *_RSA, *_NIST, "ECC_SECG_P256K1", *_HMAC, "SM2", *_ML_DSA,
             "ECC_NIST_EDWARDS25519", *_ML_KEM)
CMK_SPECS = ("SYMMETRIC_DEFAULT", *_RSA, *_NIST, "ECC_SECG_P256K1", *_HMAC, "SM2")
USAGES = ("ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT",
          "ENCAPSULATE_DECAPSULATE")
#: R-KMS-26, R-KMS-27: the KeyUsage values each KeySpec allows (SM2 is refused first, R-KMS-30).
USAGES_OF_SPEC: dict[str, tuple[str, ...]] = {
    "SYMMETRIC_DEFAULT": ("ENCRYPT_DECRYPT",),
    **dict.fromkeys(_HMAC, ("GENERATE_VERIFY_MAC",)),
    **dict.fromkeys(_RSA, ("ENCRYPT_DECRYPT", "SIGN_VERIFY")),
    **dict.fromkeys(_NIST, ("SIGN_VERIFY", "KEY_AGREEMENT")),
    **dict.fromkeys(("ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519", *_ML_DSA), ("SIGN_VERIFY",)),
    **dict.fromkeys(_ML_KEM, ("ENCAPSULATE_DECAPSULATE",)),
    "SM2": ("ENCRYPT_DECRYPT", "SIGN_VERIFY", "KEY_AGREEMENT"),
}
_RSA_SIGNING = ("RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384",
                "RSASSA_PKCS1_V1_5_SHA_512", "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384",
                "RSASSA_PSS_SHA_512")
_SIGNING: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(_RSA, _RSA_SIGNING), "ECC_NIST_P256": ("ECDSA_SHA_256",),
    "ECC_NIST_P384": ("ECDSA_SHA_384",), "ECC_NIST_P521": ("ECDSA_SHA_512",),
    "ECC_SECG_P256K1": ("ECDSA_SHA_256",),
    "ECC_NIST_EDWARDS25519": ("ED25519_SHA_512", "ED25519_PH_SHA_512"),
    **dict.fromkeys(_ML_DSA, ("ML_DSA_SHAKE_256",)), "SM2": ("SM2DSA",)}
#: Which KeyMetadata member lists the algorithms of each KeyUsage (R-KMS-32).
_ALGORITHM_MEMBER = {"ENCRYPT_DECRYPT": "EncryptionAlgorithms",
                     "SIGN_VERIFY": "SigningAlgorithms",
                     "KEY_AGREEMENT": "KeyAgreementAlgorithms",
                     "ENCAPSULATE_DECAPSULATE": "EncapsulationAlgorithms",
                     "GENERATE_VERIFY_MAC": "MacAlgorithms"}


def algorithms(spec: str, usage: str) -> list[str]:
    """The algorithms a key of this spec and usage supports (R-KMS-32)."""
    if usage == "ENCRYPT_DECRYPT":
        return {"SYMMETRIC_DEFAULT": ["SYMMETRIC_DEFAULT"], "SM2": ["SM2PKE"]}.get(
            spec, ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
    if usage == "SIGN_VERIFY":
        return list(_SIGNING[spec])
    if usage == "GENERATE_VERIFY_MAC":
        return [f"HMAC_SHA_{spec.removeprefix('HMAC_')}"]
    return ["ECDH"] if usage == "KEY_AGREEMENT" else ["ML_KEM"]


@dataclass(frozen=True)
class KeyFacts:
    """What KeyMetadata is made of, for a key being created or one in the world."""

    account: str
    key_id: str
    arn: str
    created: int
    state: str
    description: str
    spec: str
    usage: str
    origin: str
    deletion_date: int | None = None
    valid_to: int | None = None
    has_material: bool = True
    material_id: str | None = None
    #: MultiRegionConfiguration (R-KMS-MRK-02); None for a single-Region key.
    multi_region: dict | None = None
    #: PendingDeletionWindowInDays of a PendingReplicaDeletion primary (R-KMS-MRK-08).
    pending_window_days: int | None = None
    #: CustomKeyStoreId, CloudHsmClusterId / XksKeyConfiguration (R-KMS-CKS-08).
    key_store: dict | None = None

    @classmethod
    def of(cls, key: Key) -> KeyFacts:
        """The facts of a key in the world."""
        return cls(key.account, key.key_id, key.arn, key.created.t, key.state,
                   key.description, key.spec, key.usage, key.origin, key.deletion_date,
                   key.valid_to, key.has_material, key.material_id,
                   multi_region=key.multi_region, pending_window_days=key.pending_window_days,
                   key_store=key.key_store)


def key_metadata(k: KeyFacts) -> dict:
    """KeyMetadata as CreateKey and DescribeKey answer it, members in the model's order and
    only those that apply (R-KMS-31..33, R-KMS-38, R-KMS-39)."""
    meta: dict = {
        "AWSAccountId": k.account, "KeyId": k.key_id, "Arn": k.arn,
        "CreationDate": epoch_seconds(k.created), "Enabled": k.state == "Enabled",
        "Description": k.description, "KeyUsage": k.usage, "KeyState": k.state,
    }
    if k.state == "PendingDeletion" and k.deletion_date is not None:
        meta["DeletionDate"] = epoch_seconds(k.deletion_date)
    if k.valid_to is not None:
        meta["ValidTo"] = epoch_seconds(k.valid_to)
    meta["Origin"] = k.origin
    for member in ("CustomKeyStoreId", "CloudHsmClusterId"):  # R-KMS-CKS-08
        if k.key_store and member in k.key_store:
            meta[member] = k.key_store[member]
    if k.origin == "EXTERNAL" and k.has_material:
        # botocore's CreateKey example of an EXTERNAL key has no ExpirationModel: it comes
        # with imported material
        meta["ExpirationModel"] = ("KEY_MATERIAL_EXPIRES" if k.valid_to is not None
                                   else "KEY_MATERIAL_DOES_NOT_EXPIRE")
    meta.update({"KeyManager": "CUSTOMER", "CustomerMasterKeySpec": k.spec, "KeySpec": k.spec})
    meta[_ALGORITHM_MEMBER[k.usage]] = algorithms(k.spec, k.usage)
    meta["MultiRegion"] = k.multi_region is not None  # R-KMS-MRK-02
    if k.multi_region is not None:
        meta["MultiRegionConfiguration"] = k.multi_region
    if k.state == "PendingReplicaDeletion" and k.pending_window_days is not None:
        meta["PendingDeletionWindowInDays"] = k.pending_window_days  # R-KMS-MRK-08
    if k.key_store and "XksKeyConfiguration" in k.key_store:
        meta["XksKeyConfiguration"] = k.key_store["XksKeyConfiguration"]
    if k.material_id is not None:
        meta["CurrentKeyMaterialId"] = k.material_id
    return meta


def metadata(key: Key) -> dict:
    """DescribeKey's KeyMetadata."""
    return key_metadata(KeyFacts.of(key))


def kms_list(member: str, items: list, sort_key: Callable, req: dict, default: int,
             op: str) -> dict:
    """A KMS list response: a page of ``items`` under ``member`` (Limit, default
    ``default``; R-KMS-24), ``Truncated`` and ``NextMarker``; a marker KMS did not issue
    fails (R-KMS-25)."""
    try:
        shown, marker = page(items, sort_key, req.get("Limit", default), req.get("Marker"), op)
    except BadToken:
        raise AwsError("InvalidMarkerException", "The request was rejected because the marker "
                       "that specifies where pagination should next begin is not valid.",
                       "R-KMS-25") from None
    res: dict = {member: shown, "Truncated": marker is not None}
    if marker is not None:
        res["NextMarker"] = marker
    return res

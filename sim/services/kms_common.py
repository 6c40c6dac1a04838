"""Shared KMS command-side checks: resolving KeyId, authorizing, state errors, metadata."""

from __future__ import annotations

from projections.arns import account_of_arn, root_arn
from projections.machines import KEY_TRANSITIONS, allowed_sources
from projections.model import Key
from projections.policy import Decision, Request, evaluate
from sim.errors import AwsError
from sim.params import Param, validate
from sim.services.registry import CallContext

KEY_ID = Param("KeyId", str, required=True, min=1, max=2048)


def check(req: dict, *params: Param) -> None:
    """KMS parameter validation (R-KMS-17)."""
    validate(req, params, "ValidationException", "R-KMS-17")


def resolve(ctx: CallContext, ref: str, allow_deleted: bool = False) -> Key:
    """The key ``ref`` names (R-KMS-16); unknown or Deleted is NotFoundException (R-KMS-13)."""
    key = ctx.world.find_key(ref, ctx.account, ctx.region)
    if key is None:
        shown = ref if ref.startswith("arn:") else f"{ref}"
        raise AwsError("NotFoundException", f"Key '{shown}' does not exist", "R-KMS-13")
    if key.state == "Deleted" and not allow_deleted:
        raise AwsError("NotFoundException", f"Key '{key.arn}' does not exist", "R-KMS-13")
    return key


def authorize(ctx: CallContext, key: Key, action: str, context: dict | None = None) -> None:
    """The caller must be allowed ``action`` on ``key`` (R-KMS-19)."""
    decision = evaluate(Request(ctx.actor, action, key.arn, context or {}), key.policy,
                        ctx.world.identity_policies(ctx.actor))
    if not decision.allowed:
        raise AwsError("AccessDeniedException", denied_message(ctx.actor, action, key.arn,
                                                               decision), "R-KMS-19")


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
        return
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


def require_enabled(key: Key) -> None:
    """Only Enabled keys do cryptography (R-KMS-04)."""
    if key.state == "Disabled":
        raise AwsError("DisabledException", f"{key.arn} is disabled.", "R-KMS-04")
    if key.state != "Enabled":
        raise AwsError("KMSInvalidStateException", f"{key.arn} is {key.state}", "R-KMS-04")


def epoch_seconds(ms: int) -> float:
    """AWS JSON timestamps are epoch seconds."""
    return ms / 1000


def metadata(key: Key) -> dict:
    """DescribeKey's KeyMetadata."""
    meta = {
        "AWSAccountId": key.account, "KeyId": key.key_id, "Arn": key.arn,
        "CreationDate": epoch_seconds(key.created.t), "Enabled": key.state == "Enabled",
        "Description": key.description, "KeyUsage": key.usage, "KeyState": key.state,
        "Origin": key.origin, "KeyManager": "CUSTOMER", "CustomerMasterKeySpec": key.spec,
        "KeySpec": key.spec, "MultiRegion": False,
    }
    if key.usage == "ENCRYPT_DECRYPT":
        meta["EncryptionAlgorithms"] = (["SYMMETRIC_DEFAULT"] if key.spec == "SYMMETRIC_DEFAULT"
                                        else ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
    if key.deletion_date is not None:
        meta["DeletionDate"] = epoch_seconds(key.deletion_date)
    if key.valid_to is not None:
        meta["ValidTo"] = epoch_seconds(key.valid_to)
    if key.origin == "EXTERNAL":
        meta["ExpirationModel"] = ("KEY_MATERIAL_EXPIRES" if key.valid_to is not None
                                   else "KEY_MATERIAL_DOES_NOT_EXPIRE")
    return meta

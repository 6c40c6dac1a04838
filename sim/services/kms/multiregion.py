"""Multi-Region keys: ReplicateKey, UpdatePrimaryRegion, and what CreateKey, ScheduleKeyDeletion
and Decrypt do for them (R-KMS-MRK-NN). The folds are projections/kms/multiregion.py."""

from __future__ import annotations

from projections.arns import key_arn
from projections.kms.default_policy import default_key_policy_text
from projections.kms.multiregion import configuration, related, related_in_region
from projections.model import Key
from sim.errors import AwsError
from sim.params import Param
from sim.services.kms.common import (
    KEY_ID,
    KeyFacts,
    authorize,
    authorize_identity,
    check,
    key_metadata,
    require_state,
    resolve,
)
from sim.services.kms.operations import POLICY, _lockout_check, _parse_policy
from sim.services.registry import CallContext, operation

REGION = Param("ReplicaRegion", str, required=True, min=1, max=32, pattern=r"^([a-z]+-){2,3}\d+$")
PRIMARY_REGION = Param("PrimaryRegion", str, required=True, min=1, max=32,
                       pattern=r"^([a-z]+-){2,3}\d+$")
TAGS = Param("Tags", list, items=(Param("TagKey", str, required=True, min=1, max=128),
                                  Param("TagValue", str, required=True, min=0, max=256)))


def _primary(ctx: CallContext, ref: str, op: str) -> Key:
    """The multi-Region primary key ``ref`` names (R-KMS-MRK-12)."""
    key = resolve(ctx, ref)
    conf = key.multi_region
    if conf is None or conf["MultiRegionKeyType"] != "PRIMARY":
        what = "a single-Region key" if conf is None else "a multi-Region replica key"
        raise AwsError("UnsupportedOperationException",
                       f"{key.arn} is {what}; {op} needs a multi-Region primary key",
                       "R-KMS-MRK-12")
    return key


@operation("kms:ReplicateKey")
def replicate_key(ctx: CallContext, req: dict) -> dict:
    """A replica of a multi-Region primary key in ReplicaRegion (R-KMS-MRK-04): same key id,
    material, spec, usage and origin (R-KMS-MRK-03), its own policy, description and tags;
    Creating for A-MRK-TRANSIENT's time, then Enabled (R-KMS-MRK-05), or PendingImport when
    the primary's material is imported (R-KMS-MRK-16)."""
    check(req, KEY_ID, REGION, POLICY, Param("BypassPolicyLockoutSafetyCheck", bool),
          Param("Description", str, min=0, max=8192), TAGS)
    primary = _primary(ctx, req["KeyId"], "ReplicateKey")
    authorize(ctx, primary, "kms:ReplicateKey")  # R-KMS-MRK-14
    authorize_identity(ctx, "kms:CreateKey", "*")
    if req.get("Tags"):
        authorize_identity(ctx, "kms:TagResource", "*")
    require_state(primary, "kms:ReplicateKey", ctx)
    if primary.state == "PendingReplicaDeletion":  # "cannot be replicated" (R-KMS-MRK-08)
        raise AwsError("KMSInvalidStateException",
                       f"{primary.arn} is pending replica deletion.", "R-KMS-MRK-08")
    region = req["ReplicaRegion"]
    arn = key_arn(region, ctx.account, primary.key_id)
    if region == primary.region:
        code = ("ValidationException" if ctx.setting("mrk_same_region") == "validation"
                else "AlreadyExistsException")
        raise AwsError(code, f"ReplicaRegion {region} is the Region of the primary key "
                       f"{primary.arn}", "R-KMS-MRK-13")
    if related_in_region(ctx.world, primary.key_id, ctx.account, region) is not None:
        raise AwsError("AlreadyExistsException",
                       f"A replica of {primary.arn} already exists in {region}: {arn}",
                       "R-KMS-MRK-04")
    text = req.get("Policy") or default_key_policy_text(ctx.account)
    if req.get("Policy"):  # checked as CreateKey checks one (R-KMS-55, R-KMS-22)
        _lockout_check(ctx, _parse_policy(req["Policy"]), arn, req)
    members = [(k.arn, k.region) for k in related(ctx.world, primary)] + [(arn, region)]
    material = primary.origin != "EXTERNAL"  # imported material is not replicated
    if ctx.setting("mrk_transient") != "instant":
        state = "Creating"
    else:
        state = "Enabled" if material else "PendingImport"
    meta = key_metadata(KeyFacts(
        ctx.account, primary.key_id, arn, ctx.t, state, req.get("Description", ""),
        primary.spec, primary.usage, primary.origin, has_material=material,
        material_id=primary.material_id,
        multi_region=configuration((primary.arn, primary.region), members, arn)))
    return {"ReplicaKeyMetadata": meta, "ReplicaPolicy": text,
            "ReplicaTags": list(req.get("Tags") or [])}


@operation("kms:UpdatePrimaryRegion")
def update_primary_region(ctx: CallContext, req: dict) -> dict:
    """The replica in PrimaryRegion becomes the primary key, the primary a replica
    (R-KMS-MRK-06); Updating for A-MRK-TRANSIENT's time (R-KMS-MRK-07)."""
    check(req, KEY_ID, PRIMARY_REGION)
    primary = _primary(ctx, req["KeyId"], "UpdatePrimaryRegion")
    authorize(ctx, primary, "kms:UpdatePrimaryRegion")  # R-KMS-MRK-15
    require_state(primary, "kms:UpdatePrimaryRegion", ctx)
    region = req["PrimaryRegion"]
    replica = None if region == primary.region else related_in_region(
        ctx.world, primary.key_id, ctx.account, region)
    if replica is None:
        raise AwsError("NotFoundException", f"{primary.arn} has no replica key in {region}",
                       "R-KMS-MRK-17")
    authorize(ctx, replica, "kms:UpdatePrimaryRegion")
    require_state(replica, "kms:UpdatePrimaryRegion", ctx)
    return {}

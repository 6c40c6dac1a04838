"""KMS key rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus,
RotateKeyOnDemand and ListKeyRotations (R-KMS-ROT-01..18); imported key material that
rotates (R-KMS-ROT-19..31) is checked in imported.py.

The handlers decide and answer; the folds and the ``key-rotation`` timer
(projections/kms/rotation.py) apply. Each takes a key: resolved, authorized, then the key
state table (``require_state``), then what the rotation rules ask of the key itself.
"""

from __future__ import annotations

from projections.kms.imported import lists_pending_import, pending
from projections.kms.rotation import (
    CONFLICT_WINDOW,
    ON_DEMAND_LIMIT,
    PERIOD_DAYS,
    materials,
    record_of,
)
from projections.model import Key
from sim.errors import AwsError
from sim.params import Param
from sim.services.kms.common import (
    KEY_ID,
    authorize,
    check,
    epoch_seconds,
    kms_list,
    require_state,
    resolve,
)
from sim.services.kms.imported import pending_entry, rotation_entry
from sim.services.registry import CallContext, operation

PERIOD = Param("RotationPeriodInDays", int, min=PERIOD_DAYS[0], max=PERIOD_DAYS[1])
MARKER = Param("Marker", str, min=1, max=1024, pattern=r"[\u0020-\u00FF]*")
#: Origins whose keys are in a custom key store (R-KMS-ROT-03, R-KMS-ROT-10).
_KEY_STORE_ORIGINS = ("AWS_CLOUDHSM", "EXTERNAL_KEY_STORE")


def _rotation_key(ctx: CallContext, req: dict, action: str) -> Key:
    """The key ``req`` names, which the caller may ``action`` in its current state."""
    key = resolve(ctx, req["KeyId"])
    authorize(ctx, key, action)
    require_state(key, action, ctx)
    return key


def _not_a_replica(key: Key, what: str) -> None:
    """Rotation of a multi-Region set is set on its primary key (R-KMS-ROT-18)."""
    if key.multi_region is not None and key.multi_region.get("MultiRegionKeyType") == "REPLICA":
        raise AwsError("UnsupportedOperationException",
                       f"{key.arn} is a multi-Region replica key: {what} is set on its primary "
                       f"key {key.multi_region['PrimaryKey']['Arn']}", "R-KMS-ROT-18")


def _not_rotatable(key: Key, what: str, rule: str) -> AwsError:
    kind = ("an asymmetric or HMAC key" if not key.symmetric
            else f"a key in a custom key store (Origin {key.origin})")
    return AwsError("UnsupportedOperationException",
                    f"{key.arn} is {kind}: {what} is supported only on symmetric encryption "
                    "KMS keys", rule)


def _automatic_capable(key: Key, what: str) -> None:
    """Automatic rotation: symmetric encryption keys, not imported, not in a custom key
    store (R-KMS-ROT-03)."""
    if not key.symmetric or key.origin in _KEY_STORE_ORIGINS:
        raise _not_rotatable(key, what, "R-KMS-ROT-03")
    if key.origin == "EXTERNAL":
        raise AwsError("UnsupportedOperationException",
                       f"{key.arn} has imported key material (Origin EXTERNAL): {what} is not "
                       "supported on it", "R-KMS-ROT-03")


@operation("kms:EnableKeyRotation")
def enable_key_rotation(ctx: CallContext, req: dict) -> dict:
    """Turn on automatic rotation every RotationPeriodInDays, 90..2560, default 365
    (R-KMS-ROT-01, R-KMS-ROT-02); symmetric AWS_KMS keys only (R-KMS-ROT-03)."""
    check(req, KEY_ID, PERIOD)
    key = _rotation_key(ctx, req, "kms:EnableKeyRotation")
    _automatic_capable(key, "automatic key rotation")
    _not_a_replica(key, "automatic key rotation")
    return {}


@operation("kms:DisableKeyRotation")
def disable_key_rotation(ctx: CallContext, req: dict) -> dict:
    """Turn automatic rotation off (R-KMS-ROT-04)."""
    check(req, KEY_ID)
    key = _rotation_key(ctx, req, "kms:DisableKeyRotation")
    _automatic_capable(key, "automatic key rotation")
    _not_a_replica(key, "automatic key rotation")
    return {}


@operation("kms:GetKeyRotationStatus")
def get_key_rotation_status(ctx: CallContext, req: dict) -> dict:
    """Whether automatic rotation is on, its period and next date (R-KMS-ROT-05); false while
    PendingDeletion (R-KMS-ROT-07); an on-demand rotation in progress (R-KMS-ROT-17)."""
    check(req, KEY_ID)
    key = _rotation_key(ctx, req, "kms:GetKeyRotationStatus")
    if not key.symmetric or key.origin in _KEY_STORE_ORIGINS:
        raise _not_rotatable(key, "key rotation", "R-KMS-ROT-03")
    rec = record_of(ctx.world, key)
    enabled = rec is not None and rec.enabled and key.state != "PendingDeletion"
    res: dict = {"KeyRotationEnabled": enabled, "KeyId": key.arn}
    if enabled and rec is not None:
        res["RotationPeriodInDays"] = rec.period_days
        if rec.next_date is not None:
            res["NextRotationDate"] = epoch_seconds(rec.next_date)
    if rec is not None and rec.on_demand_started is not None:
        res["OnDemandRotationStartDate"] = epoch_seconds(rec.on_demand_started)
    return res


def _imported_rotatable(ctx: CallContext, key: Key) -> None:
    """A key with imported key material rotates on demand to new material already imported
    and PENDING_ROTATION (R-KMS-ROT-24), never as a multi-Region key (R-KMS-ROT-25)."""
    if key.multi_region is not None:
        raise AwsError("UnsupportedOperationException", f"{key.arn} is a multi-Region key "
                       "with imported key material: on-demand rotation is not supported on it",
                       "R-KMS-ROT-25")
    if pending(ctx.world, key) is None:
        code = ("KMSInvalidStateException" if ctx.setting("rot_imported_on_demand") ==
                "invalid-state" else "UnsupportedOperationException")
        raise AwsError(code, f"{key.arn} has imported key material and no new key material "
                       "in PENDING_ROTATION state to rotate to", "R-KMS-ROT-11")


@operation("kms:RotateKeyOnDemand")
def rotate_key_on_demand(ctx: CallContext, req: dict) -> dict:
    """New key material now, automatic schedule unchanged (R-KMS-ROT-08), at most 25 times
    (R-KMS-ROT-09); not near an automatic rotation (R-KMS-ROT-12)."""
    check(req, KEY_ID)
    key = _rotation_key(ctx, req, "kms:RotateKeyOnDemand")
    if not key.symmetric or key.origin in _KEY_STORE_ORIGINS:
        raise _not_rotatable(key, "on-demand key rotation", "R-KMS-ROT-10")
    if key.origin == "EXTERNAL":
        _imported_rotatable(ctx, key)
    _not_a_replica(key, "on-demand key rotation")
    rec = record_of(ctx.world, key)
    if rec is not None and rec.on_demand_started is not None:
        raise AwsError("ConflictException", f"An on-demand rotation of {key.arn} is in "
                       "progress", "R-KMS-ROT-17")
    if rec is not None and rec.enabled and rec.next_date is not None and \
            key.state == "Enabled" and rec.next_date - CONFLICT_WINDOW <= ctx.t:
        raise AwsError("ConflictException", "The request was rejected because an automatic "
                       "rotation of this key is currently in progress or scheduled to begin "
                       "within the next 20 minutes.", "R-KMS-ROT-12")
    if rec is not None and rec.on_demand >= ON_DEMAND_LIMIT:
        raise AwsError("LimitExceededException", f"{key.arn} has been rotated on demand "
                       f"{rec.on_demand} times, the most a KMS key allows", "R-KMS-ROT-09")
    return {"KeyId": key.arn}


@operation("kms:ListKeyRotations")
def list_key_rotations(ctx: CallContext, req: dict) -> dict:
    """The key materials rotations made, oldest first; ALL_KEY_MATERIAL adds the first
    (R-KMS-ROT-13)."""
    check(req, KEY_ID, Param("IncludeKeyMaterial", str,
                             enum=("ALL_KEY_MATERIAL", "ROTATIONS_ONLY")),
          Param("Limit", int, min=1, max=1000), MARKER)
    key = resolve(ctx, req["KeyId"])
    authorize(ctx, key, "kms:ListKeyRotations")
    if not (key.state == "PendingImport" and lists_pending_import(key)):  # R-KMS-ROT-26
        require_state(key, "kms:ListKeyRotations", ctx)
    if not key.symmetric or key.origin in _KEY_STORE_ORIGINS:
        raise _not_rotatable(key, "key rotation", "R-KMS-ROT-13")
    found = materials(ctx.world, key)
    every = req.get("IncludeKeyMaterial") == "ALL_KEY_MATERIAL"
    entries = [(i, rotation_entry(ctx, key, m, i == len(found) - 1))
               for i, m in enumerate(found) if m.kind is not None or every]
    if every and (waiting := pending_entry(ctx, key)) is not None:  # R-KMS-ROT-26
        entries.append((len(found), waiting))
    res = kms_list("Rotations", entries, lambda e: e[0], req, 100, "kms:ListKeyRotations")
    res["Rotations"] = [e for _, e in res["Rotations"]]
    return res

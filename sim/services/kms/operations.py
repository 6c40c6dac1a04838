"""KMS key management operations (SPEC 3.1): create, describe, enable, disable, delete, policy,
aliases and imported key material."""

from __future__ import annotations

import json
import re

from events.timefmt import DAY, format_time, parse_aws_timestamp
from projections.arns import alias_arn, key_arn
from projections.iam.policy import PolicyError, Request, evaluate, parse_policy
from projections.kms.decisions import deletion_date, material_expires, pending_window_days
from projections.kms.manage import alias_dates
from projections.kms.multiregion import configuration, live_replicas, mrk_key_id
from sim.errors import AwsError
from sim.params import Param
from sim.services.kms.common import (
    CMK_SPECS,
    KEY_ID,
    KEY_SPECS,
    USAGES,
    USAGES_OF_SPEC,
    KeyFacts,
    authorize,
    authorize_identity,
    check,
    epoch_seconds,
    key_metadata,
    kms_list,
    metadata,
    require_state,
    require_transition,
    resolve,
)
from sim.services.kms.imported import (
    IMPORT_PARAMS,
    MATERIAL_ID,
    deleted_material,
    import_material_id,
)
from sim.services.kms.imported import check_import as check_imported
from sim.services.kms.keystores import new_key_in_store
from sim.services.kms.manage import check_create_tags, check_import
from sim.services.registry import CallContext, operation

ALIAS_NAME = Param("AliasName", str, required=True, min=1, max=256,
                   pattern=r"^[a-zA-Z0-9:/_-]+$")
#: What KMS itself requires of an alias name after the model's pattern (R-SRV-23).
ALIAS_FORM = re.compile(r"alias/[a-zA-Z0-9/_-]+")
POLICY_PATTERN = r"[\u0009\u000A\u000D\u0020-\u00FF]+"
POLICY = Param("Policy", str, min=1, max=131072, pattern=POLICY_PATTERN)
POLICY_NAME = Param("PolicyName", str, min=1, max=128, pattern=r"[\w]+")
MARKER = Param("Marker", str, min=1, max=1024, pattern=r"[\u0020-\u00FF]*")
#: ValidTo is at most 365 days from the request date (R-KMS-51).
VALID_TO_MAX = 365 * DAY


def _parse_policy(text: str) -> dict:
    try:
        return parse_policy(text)
    except PolicyError as exc:
        raise AwsError("MalformedPolicyDocumentException", str(exc), "R-KMS-55") from None


def _alias_name(req: dict) -> str:
    """The alias name, refused in KMS's own words when the model's pattern let it through
    but KMS does not (R-SRV-23; R-KMS-17 decides, as for the pattern)."""
    name = req["AliasName"]
    if not name.startswith("alias/"):
        raise AwsError("ValidationException", 'Alias must start with the prefix "alias/". '
                       "Please see https://docs.aws.amazon.com/kms/latest/developerguide/"
                       "kms-alias.html", "R-KMS-17")
    if not ALIAS_FORM.fullmatch(name):
        raise AwsError("ValidationException", f"{name} contains invalid characters for an "
                       "alias", "R-KMS-17")
    return name


def _lockout_check(ctx: CallContext, policy: dict, key_arn: str, req: dict) -> None:
    """R-KMS-22 (A-POLICY-LOCKOUT): the caller must still be able to PutKeyPolicy."""
    if ctx.setting("policy_lockout") == "off" or req.get("BypassPolicyLockoutSafetyCheck"):
        return
    decision = evaluate(Request(ctx.actor, "kms:PutKeyPolicy", key_arn, {}), policy,
                        ctx.world.identity_policies(ctx.actor))
    if not decision.allowed:
        raise AwsError(
            "MalformedPolicyDocumentException",
            "The new key policy will not allow you to update the key policy in the future.",
            "R-KMS-22")


def _spec_and_usage(req: dict) -> tuple[str, str]:
    """The KeySpec and KeyUsage of a new key, refused as KMS refuses them (R-KMS-26..30)."""
    spec = req.get("KeySpec") or req.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
    if spec == "SM2":  # kmsim's keys are in the aws partition: no China Regions
        raise AwsError("UnsupportedOperationException",
                       "KeySpec SM2 is not supported in this Region", "R-KMS-30")
    usage = req.get("KeyUsage")
    if usage is None:
        if spec != "SYMMETRIC_DEFAULT":
            raise AwsError("ValidationException",
                           f"You must specify a KeyUsage value when KeySpec is {spec}",
                           "R-KMS-29")
        usage = "ENCRYPT_DECRYPT"
    if usage not in USAGES_OF_SPEC[spec]:
        # the wording is kmsim's (AWS's own is not in the sources); the code is observed
        raise AwsError("ValidationException",
                       f"KeyUsage {usage} is not compatible with KeySpec {spec}", "R-KMS-28")
    return spec, usage


@operation("kms:CreateKey")
def create_key(ctx: CallContext, req: dict) -> dict:
    """Create a key: Enabled for AWS_KMS, PendingImport for EXTERNAL (R-KMS-01, R-KMS-02),
    answering the complete KeyMetadata (R-KMS-31..33, R-KMS-38, R-KMS-39)."""
    check(req, POLICY, Param("Description", str, min=0, max=8192),
          Param("KeySpec", str, enum=KEY_SPECS),
          Param("CustomerMasterKeySpec", str, enum=CMK_SPECS),
          Param("KeyUsage", str, enum=USAGES),
          Param("Origin", str, enum=("AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE")),
          Param("BypassPolicyLockoutSafetyCheck", bool), Param("MultiRegion", bool))
    authorize_identity(ctx, "kms:CreateKey", "*")
    check_create_tags(ctx, req)  # R-KMS-MGMT-06
    spec, usage = _spec_and_usage(req)
    origin = req.get("Origin") or "AWS_KMS"
    key_store = new_key_in_store(ctx, req, spec, origin)  # R-KMS-CKS-08
    multi = bool(req.get("MultiRegion"))  # a multi-Region primary key (R-KMS-MRK-01)
    key_id = ctx.draws.uuid("KeyId")
    key_id = mrk_key_id(key_id) if multi else key_id
    arn = key_arn(ctx.region, ctx.account, key_id)
    if req.get("Policy"):
        _lockout_check(ctx, _parse_policy(req["Policy"]), arn, req)
    material = None
    if spec == "SYMMETRIC_DEFAULT" and origin == "AWS_KMS":  # R-KMS-38
        material = ctx.draws.bytes("KeyMaterialId", 32).hex()
    if spec != "SYMMETRIC_DEFAULT":  # the key pair's or HMAC secret's seed (R-KMS-ASYM-24)
        ctx.draws.bytes("KeySeed", 32)
    external = origin == "EXTERNAL"
    return {"KeyMetadata": key_metadata(KeyFacts(
        ctx.account, key_id, arn, ctx.t, "PendingImport" if external else "Enabled",
        req.get("Description", ""), spec, usage, origin, has_material=not external,
        material_id=material, key_store=key_store,
        multi_region=configuration((arn, ctx.region), [(arn, ctx.region)], arn) if multi
        else None))}


@operation("kms:DescribeKey")
def describe_key(ctx: CallContext, req: dict) -> dict:
    """KeyMetadata of a key in any state but Deleted."""
    check(req, KEY_ID, Param("GrantTokens", list, min=0, max=10,  # GrantTokenList's form
                             items=Param("member", str, min=1, max=8192)))
    key = resolve(ctx, req["KeyId"])
    authorize(ctx, key, "kms:DescribeKey")
    require_state(key, "kms:DescribeKey", ctx)
    return {"KeyMetadata": metadata(key)}


@operation("kms:ListKeys")
def list_keys(ctx: CallContext, req: dict) -> dict:
    """Keys of the caller's account and region, Deleted keys excluded."""
    check(req, Param("Limit", int, min=1, max=1000), MARKER)
    authorize_identity(ctx, "kms:ListKeys", "*")
    keys = [k for k in ctx.world.keys.values()
            if k.account == ctx.account and k.region == ctx.region and k.state != "Deleted"]
    res = kms_list("Keys", keys, lambda k: k.created.seq or 0, req, 100, "kms:ListKeys")
    res["Keys"] = [{"KeyId": k.key_id, "KeyArn": k.arn} for k in res["Keys"]]
    return res




def _state_change(ctx: CallContext, req: dict, trigger: str, action: str) -> dict:
    check(req, KEY_ID)
    key = resolve(ctx, req["KeyId"])
    authorize(ctx, key, action)
    require_state(key, action, ctx)
    require_transition(key, trigger, action)
    return {}


@operation("kms:EnableKey")
def enable_key(ctx: CallContext, req: dict) -> dict:
    """Disabled -> Enabled; Enabled stays Enabled (R-KMS-06)."""
    return _state_change(ctx, req, "enable", "kms:EnableKey")


@operation("kms:DisableKey")
def disable_key(ctx: CallContext, req: dict) -> dict:
    """Enabled -> Disabled; Disabled stays Disabled (R-KMS-05)."""
    return _state_change(ctx, req, "disable", "kms:DisableKey")


@operation("kms:ScheduleKeyDeletion")
def schedule_key_deletion(ctx: CallContext, req: dict) -> dict:
    """-> PendingDeletion with DeletionDate = now + window, 7..30 days (R-KMS-07, R-KMS-08)."""
    check(req, KEY_ID, Param("PendingWindowInDays", int, min=1, max=365))
    days = pending_window_days(req)  # the documented default (R-KMS-49)
    if not 7 <= days <= 30:
        raise AwsError("ValidationException",
                       "PendingWindowInDays must be between 7 and 30", "R-KMS-08")  # R-SRV-23
    key = resolve(ctx, req["KeyId"])
    authorize(ctx, key, "kms:ScheduleKeyDeletion")
    require_state(key, "kms:ScheduleKeyDeletion", ctx)
    require_transition(key, "schedule_deletion", "kms:ScheduleKeyDeletion")
    if live_replicas(ctx.world, key):  # the waiting period begins later (R-KMS-MRK-08)
        return {"KeyId": key.arn, "KeyState": "PendingReplicaDeletion",
                "PendingWindowInDays": days}
    return {"KeyId": key.arn, "DeletionDate": epoch_seconds(deletion_date(ctx.t, req)),
            "KeyState": "PendingDeletion", "PendingWindowInDays": days}


@operation("kms:CancelKeyDeletion")
def cancel_key_deletion(ctx: CallContext, req: dict) -> dict:
    """PendingDeletion -> Disabled, or PendingImport without material (R-KMS-09)."""
    check(req, KEY_ID)
    key = resolve(ctx, req["KeyId"])
    authorize(ctx, key, "kms:CancelKeyDeletion")
    require_state(key, "kms:CancelKeyDeletion", ctx)
    require_transition(key, "cancel_deletion", "kms:CancelKeyDeletion")
    return {"KeyId": key.arn}


@operation("kms:PutKeyPolicy")
def put_key_policy(ctx: CallContext, req: dict) -> dict:
    """Replace the key policy (validated; lockout check per A-POLICY-LOCKOUT)."""
    check(req, KEY_ID, Param("Policy", str, required=True, min=1, max=131072,
                             pattern=POLICY_PATTERN),
          POLICY_NAME, Param("BypassPolicyLockoutSafetyCheck", bool))
    if req.get("PolicyName") == "AWS_RAM":
        raise AwsError("ValidationException",
                       "The AWS_RAM policy can only be managed by the RAM service.", "R-KMS-56")
    if req.get("PolicyName", "default") != "default":  # valid values: default and AWS_RAM
        raise AwsError("ValidationException", "PolicyName must be default", "R-KMS-17")
    key = resolve(ctx, req["KeyId"])
    authorize(ctx, key, "kms:PutKeyPolicy")
    require_state(key, "kms:PutKeyPolicy", ctx)
    _lockout_check(ctx, _parse_policy(req["Policy"]), key.arn, req)
    return {}


@operation("kms:GetKeyPolicy")
def get_key_policy(ctx: CallContext, req: dict) -> dict:
    """The key policy as a JSON string."""
    check(req, KEY_ID, POLICY_NAME)
    key = resolve(ctx, req["KeyId"])
    authorize(ctx, key, "kms:GetKeyPolicy")
    require_state(key, "kms:GetKeyPolicy", ctx)
    # KMS returns the document as it was put, not a normalized form
    return {"Policy": key.policy_text or json.dumps(key.policy), "PolicyName": "default"}


def _alias_target(ctx: CallContext, req: dict, action: str) -> None:
    """The key an alias is to point at: it exists, the caller may ``action`` it, and its
    state allows it (the key state table: not pending deletion, R-KMS-STATE-03, -09)."""
    key = resolve(ctx, req["TargetKeyId"])
    authorize(ctx, key, action)
    require_state(key, action, ctx)


@operation("kms:CreateAlias")
def create_alias(ctx: CallContext, req: dict) -> dict:
    """Point a new alias at a key (R-KMS-18)."""
    check(req, ALIAS_NAME, Param("TargetKeyId", str, required=True, min=1, max=2048))
    name = _alias_name(req)
    if name.startswith("alias/aws/"):
        code = ("InvalidAliasNameException" if ctx.setting("reserved_alias") ==
                "invalid-alias-name" else "NotAuthorizedException")
        raise AwsError(code, "alias/aws/ is reserved for AWS managed keys", "R-KMS-52")
    if (ctx.account, ctx.region, name) in ctx.world.aliases:
        raise AwsError("AlreadyExistsException",
                       f"An alias with the name {alias_arn(ctx.region, ctx.account, name)} "
                       "already exists", "R-KMS-18")
    if req["TargetKeyId"].startswith("alias/") or ":alias/" in req["TargetKeyId"]:
        raise AwsError("ValidationException", "TargetKeyId must be a key id or key ARN",
                       "R-KMS-17")  # its documented form: "the key ID or key ARN"
    _alias_target(ctx, req, "kms:CreateAlias")
    return {}


@operation("kms:UpdateAlias")
def update_alias(ctx: CallContext, req: dict) -> dict:
    """Point an existing alias at another key."""
    check(req, ALIAS_NAME, Param("TargetKeyId", str, required=True, min=1, max=2048))
    _alias_name(req)
    if (ctx.account, ctx.region, req["AliasName"]) not in ctx.world.aliases:
        raise AwsError("NotFoundException", f"Alias {req['AliasName']} does not exist",
                       "R-KMS-13")
    _alias_target(ctx, req, "kms:UpdateAlias")
    return {}


@operation("kms:DeleteAlias")
def delete_alias(ctx: CallContext, req: dict) -> dict:
    """Remove an alias (the key is untouched)."""
    check(req, ALIAS_NAME)
    _alias_name(req)
    key_id = ctx.world.aliases.get((ctx.account, ctx.region, req["AliasName"]))
    if key_id is None:
        raise AwsError("NotFoundException", f"Alias {req['AliasName']} does not exist",
                       "R-KMS-13")
    key = ctx.world.keys[key_id]
    authorize(ctx, key, "kms:DeleteAlias")
    require_state(key, "kms:DeleteAlias", ctx)
    return {}


@operation("kms:ListAliases")
def list_aliases(ctx: CallContext, req: dict) -> dict:
    """Aliases of the account and region, optionally of one key."""
    check(req, Param("KeyId", str, min=1, max=2048), Param("Limit", int, min=1, max=100),
          MARKER)
    authorize_identity(ctx, "kms:ListAliases", "*")
    only = resolve(ctx, req["KeyId"]).key_id if req.get("KeyId") else None
    out = []
    for (account, region, name), key_id in sorted(ctx.world.aliases.items()):
        if account == ctx.account and region == ctx.region and only in (None, key_id):
            entry = {"AliasName": name, "AliasArn": alias_arn(region, account, name),
                     "TargetKeyId": key_id}
            if (dates := alias_dates(ctx.world, account, region, name)) is not None:
                entry.update(CreationDate=epoch_seconds(dates[0]),  # R-KMS-MGMT-10
                             LastUpdatedDate=epoch_seconds(dates[1]))
            out.append(entry)
    return kms_list("Aliases", out, lambda a: a["AliasName"], req, 50, "kms:ListAliases")


@operation("kms:ImportKeyMaterial")
def import_key_material(ctx: CallContext, req: dict) -> dict:
    """Import material into an EXTERNAL key: PendingImport -> Enabled (R-KMS-03)."""
    check(req, KEY_ID, Param("ImportToken", str, required=True, min=1, max=6144, blob=True),
          Param("EncryptedKeyMaterial", str, required=True, min=1, max=6144, blob=True),
          Param("ExpirationModel", str,
                enum=("KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE")),
          Param("ValidTo", (str, int, float)), *IMPORT_PARAMS)
    key = resolve(ctx, req["KeyId"])
    authorize(ctx, key, "kms:ImportKeyMaterial")
    require_state(key, "kms:ImportKeyMaterial", ctx)
    if key.origin != "EXTERNAL":
        raise AwsError("UnsupportedOperationException",
                       f"{key.arn} has Origin {key.origin}; only EXTERNAL keys import material",
                       "R-KMS-48")
    expires = material_expires(req)
    try:
        valid_to = parse_aws_timestamp(req.get("ValidTo"))
    except ValueError as exc:
        raise AwsError("ValidationException", f"ValidTo: {exc}", "R-KMS-17") from None
    if expires and valid_to is None:
        raise AwsError("ValidationException",
                       "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES",
                       "R-KMS-51")
    if not expires and valid_to is not None:
        raise AwsError("ValidationException",
                       "ValidTo is not valid when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE",
                       "R-KMS-51")
    if expires and valid_to is not None and valid_to <= ctx.t:
        raise AwsError("ValidationException",
                       f"ValidTo {format_time(valid_to)} is not in the future", "R-KMS-51")
    if expires and valid_to is not None and valid_to > ctx.t + VALID_TO_MAX:
        raise AwsError("ValidationException",
                       f"ValidTo {format_time(valid_to)} is more than 365 days from the request "
                       "date", "R-KMS-51")
    check_imported(ctx, key, req)  # which material (R-KMS-ROT-21..23, R-KMS-ROT-30)
    check_import(ctx, key, req)  # the import token, last (R-KMS-MGMT-13..18)
    res = {"KeyId": key.arn}
    if (material := import_material_id(ctx, key, req)) is not None:  # R-KMS-ROT-20
        res["KeyMaterialId"] = material
    return res


@operation("kms:DeleteImportedKeyMaterial")
def delete_imported_key_material(ctx: CallContext, req: dict) -> dict:
    """Remove imported material: the key becomes PendingImport, a PendingDeletion key keeps
    its state (R-KMS-15); KeyMaterialId deletes one material (R-KMS-ROT-27)."""
    check(req, KEY_ID, MATERIAL_ID)
    key = resolve(ctx, req["KeyId"])
    authorize(ctx, key, "kms:DeleteImportedKeyMaterial")
    require_state(key, "kms:DeleteImportedKeyMaterial", ctx)
    if key.origin != "EXTERNAL":
        raise AwsError("UnsupportedOperationException",
                       f"{key.arn} has Origin {key.origin}; it has no imported material",
                       "R-KMS-48")
    res = {"KeyId": key.arn}
    if (material := deleted_material(ctx, key, req)) is not None:
        res["KeyMaterialId"] = material
    return res

"""Folds and timers of KMS events: the key lifecycle projection (SPEC 3.1)."""

from __future__ import annotations

from events.record import Event
from projections.iam.policy import default_key_policy_text, parse_policy
from projections.kms import imported, keystores, manage, multiregion, rotation
from projections.kms.decisions import deletion_date, material_valid_to
from projections.model import Cause, Key
from projections.world import Timer, World, folds, on_timer


def _key(world: World, event: Event) -> Key:
    key = world.find_key(str(event.req.get("KeyId", "")), event.account, event.region)
    if key is None:  # the command side accepted it, so the world must know the key
        raise LookupError(f"event #{event.seq}: key {event.req.get('KeyId')!r} not in the world")
    return key


def _cause(event: Event, rule: str) -> Cause:
    return Cause(event.t, event.seq, rule, event.op)


@folds("kms:CreateKey")
def _create_key(world: World, event: Event) -> None:
    meta = event.res["KeyMetadata"]
    policy_text = event.req.get("Policy")
    # the default key policy is kept as KMS writes it, so GetKeyPolicy answers AWS's text
    # (R-KMS-35)
    text = policy_text or default_key_policy_text(event.account)
    external = meta["Origin"] == "EXTERNAL"
    rule = "R-KMS-02" if external else "R-KMS-01"
    key = Key(
        key_id=meta["KeyId"], arn=meta["Arn"],  # the ARN the handler answered
        account=event.account, region=event.region, spec=meta["KeySpec"],
        usage=meta["KeyUsage"], origin=meta["Origin"], description=meta.get("Description", ""),
        policy=parse_policy(text), created=_cause(event, rule), has_material=not external,
        material_id=meta.get("CurrentKeyMaterialId"),  # absent in logs made before R-KMS-38
        key_seed=(event.draws or {}).get("KeySeed"),  # asymmetric and HMAC keys (R-KMS-ASYM-24)
    )
    key.policy_since = _cause(event, "R-KMS-23" if policy_text else "R-IAM-07")
    key.policy_text = text
    multiregion.adopt(key, meta)  # MultiRegionConfiguration (R-KMS-MRK-02)
    keystores.adopt(key, meta)  # CustomKeyStoreId and its members (R-KMS-CKS-08)
    world.add_key(key, "PendingImport" if external else "Enabled")
    manage.set_tags(world, key.arn, event.req.get("Tags") or [])  # R-KMS-MGMT-06


@folds("kms:EnableKey")
def _enable(world: World, event: Event) -> None:
    key = _key(world, event)
    if key.state == "Unavailable":  # R-KMS-STATE-10: it becomes Enabled once available
        key.was_enabled = True
    world.key_event(key, "enable", event.t, event.seq, event.op)
    rotation.key_enabled(world, key, event)  # an overdue automatic rotation (R-KMS-ROT-06)


@folds("kms:DisableKey")
def _disable(world: World, event: Event) -> None:
    key = _key(world, event)
    if key.state == "Unavailable":  # R-KMS-STATE-10: it becomes Disabled once available
        key.was_enabled = False
    world.key_event(key, "disable", event.t, event.seq, event.op)


@folds("kms:ScheduleKeyDeletion")
def _schedule(world: World, event: Event) -> None:
    key = _key(world, event)
    if multiregion.schedule_primary(world, key, event):  # replicas first (R-KMS-MRK-08)
        return
    key.deletion_date = deletion_date(event.t, event.req)
    world.key_event(key, "schedule_deletion", event.t, event.seq, event.op)
    world.schedule(key.deletion_date, "key-deletion", key.world_id, key.deletion_date, event.seq)


@folds("kms:CancelKeyDeletion")
def _cancel(world: World, event: Event) -> None:
    key = _key(world, event)
    key.deletion_date = None
    # the table's guard picks Disabled (R-KMS-09) or, without material, PendingImport (R-KMS-50)
    world.key_event(key, "cancel_deletion", event.t, event.seq, event.op)


@on_timer("key-deletion", priority=0)
def _delete_key(world: World, timer: Timer) -> None:
    key = world.keys.get(timer.target)
    if key is None or key.state != "PendingDeletion" or key.deletion_date != timer.token:
        return  # cancelled, or re-scheduled with another date
    world.key_event(key, "delete", timer.due, None, f"DeletionDate set by event #{timer.seq}")
    for alias_key in [a for a, k in world.aliases.items() if k == key.world_id]:
        del world.aliases[alias_key]
    multiregion.key_deleted(world, key, timer.due, timer.seq)


@folds("kms:ImportKeyMaterial")
def _import(world: World, event: Event) -> None:
    key = _key(world, event)
    current = imported.fold_import(world, key, event)  # which material (R-KMS-ROT-19..20)
    if current:
        key.has_material = True
        key.valid_to = material_valid_to(event.req)
    if key.state == "PendingImport" and imported.all_imported(world, key):  # R-KMS-ROT-28
        world.key_event(key, "import_material", event.t, event.seq, event.op)
    if current and key.valid_to is not None:
        world.schedule(key.valid_to, "material-expiry", key.world_id, key.valid_to, event.seq)


@on_timer("material-expiry", priority=1)
def _expire(world: World, timer: Timer) -> None:
    key = world.keys.get(timer.target)
    if key is None or key.valid_to != timer.token:
        return
    key.has_material = False
    key.valid_to = None
    if key.state in ("Enabled", "Disabled"):
        world.key_event(key, "expire_material", timer.due, None,
                        f"ValidTo set by event #{timer.seq}")


@folds("kms:DeleteImportedKeyMaterial")
def _delete_material(world: World, event: Event) -> None:
    key = _key(world, event)
    current, changes = imported.fold_delete(world, key, event)  # one material (R-KMS-ROT-27)
    if current:
        key.has_material = False
        key.valid_to = None
    if changes and key.state in ("Enabled", "Disabled"):
        world.key_event(key, "delete_material", event.t, event.seq, event.op)


@folds("kms:PutKeyPolicy")
def _put_policy(world: World, event: Event) -> None:
    key = _key(world, event)
    # The policy in force until now, for answers about a past moment (A-DS-RELEASE asks
    # whether CloudWatch could use a key when a window ended): (replaced at, policy).
    key.replaced_policies.append((event.t, key.policy))
    key.policy = parse_policy(event.req["Policy"])
    key.policy_text = event.req["Policy"]
    key.policy_since = _cause(event, "R-KMS-23")


@folds("kms:CreateAlias")
def _create_alias(world: World, event: Event) -> None:
    key = world.find_key(str(event.req["TargetKeyId"]), event.account, event.region)
    assert key is not None
    world.aliases[(event.account, event.region, event.req["AliasName"])] = key.world_id
    manage.note_alias(world, event, created=True)  # R-KMS-MGMT-10


@folds("kms:DeleteAlias")
def _delete_alias(world: World, event: Event) -> None:
    world.aliases.pop((event.account, event.region, event.req["AliasName"]), None)
    manage.forget_alias(world, event)


@folds("kms:UpdateAlias")
def _update_alias(world: World, event: Event) -> None:
    key = world.find_key(str(event.req["TargetKeyId"]), event.account, event.region)
    assert key is not None
    world.aliases[(event.account, event.region, event.req["AliasName"])] = key.world_id
    manage.note_alias(world, event, created=False)  # R-KMS-MGMT-10

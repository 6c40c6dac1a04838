"""Multi-Region keys: replicas, the primary Region, and the deletion of a primary that still
has replicas (R-KMS-MRK-NN).

A primary and its replicas share one key id (``mrk-`` + 32 hex digits, R-KMS-MRK-01); each
is a :class:`Key` of its own Region, a replica kept in ``World.keys`` under its ARN
(``Key.store_id``). Each related key holds its copy of the MultiRegionConfiguration
(``Key.multi_region``), which :func:`refresh` rebuilds after every change of the set. The
functions the command side also calls (``live_replicas``, ``transient_ms``,
``configuration``) decide once for the handler and the fold.
"""

from __future__ import annotations

from events.record import Event
from events.timefmt import DAY, parse_duration
from projections.arns import KEY_ARN
from projections.iam.policy import parse_policy
from projections.kms import manage
from projections.kms.decisions import pending_window_days
from projections.model import Cause, Key
from projections.world import Timer, World, folds, on_timer

#: The prefix of a multi-Region key id (R-KMS-MRK-01).
MRK_PREFIX = "mrk-"


def mrk_key_id(drawn_uuid: str) -> str:
    """A multi-Region key id from a drawn UUID: ``mrk-`` and its 32 hex digits (R-KMS-MRK-01)."""
    return MRK_PREFIX + drawn_uuid.replace("-", "")


def related(world: World, key: Key) -> list[Key]:
    """The keys of ``key``'s multi-Region set that are not Deleted, ``key`` included, in the
    order they were created."""
    if key.multi_region is None:
        return [key]
    out = [k for k in world.keys.values()
           if k.key_id == key.key_id and k.account == key.account
           and k.multi_region is not None and k.state != "Deleted"]
    return sorted(out, key=lambda k: (k.created.t, k.created.seq or 0))


def primary_of(world: World, key: Key) -> Key | None:
    """The primary key of ``key``'s set (``key`` itself for a primary)."""
    if key.multi_region is None:
        return None
    arn = key.multi_region["PrimaryKey"]["Arn"]
    return next((k for k in related(world, key) if k.arn == arn), None)


def live_replicas(world: World, key: Key) -> list[Key]:
    """The replicas of a primary key that are not yet Deleted (scheduled ones included:
    only a deleted replica counts as gone, R-KMS-MRK-09)."""
    if key.multi_region is None or key.multi_region["MultiRegionKeyType"] != "PRIMARY":
        return []
    return [k for k in related(world, key) if k is not key]


def related_in_region(world: World, key_id: str, account: str, region: str) -> Key | None:
    """The key of a multi-Region set in ``region`` (not Deleted), if the set has one."""
    for k in world.keys.values():
        if (k.key_id == key_id and k.account == account and k.region == region
                and k.multi_region is not None and k.state != "Deleted"):
            return k
    return None


def local_key_arn(world: World, arn: str, region: str) -> str:
    """The key a ciphertext made under ``arn`` is decrypted with by a call in ``region``: the
    related multi-Region key of that Region (R-KMS-MRK-11), else ``arn`` itself."""
    m = KEY_ARN.fullmatch(arn)
    if m is None or not m.group(3).startswith(MRK_PREFIX) or m.group(1) == region:
        return arn
    local = related_in_region(world, m.group(3), m.group(2), region)
    return local.arn if local is not None else arn


def configuration(primary: tuple[str, str], members: list[tuple[str, str]], arn: str) -> dict:
    """MultiRegionConfiguration as the key ``arn`` shows it (R-KMS-MRK-02): ``primary`` and
    ``members`` are (ARN, Region); the replicas are every member but the primary."""
    return {"MultiRegionKeyType": "PRIMARY" if arn == primary[0] else "REPLICA",
            "PrimaryKey": {"Arn": primary[0], "Region": primary[1]},
            "ReplicaKeys": [{"Arn": a, "Region": r} for a, r in members if a != primary[0]]}


def refresh(world: World, members: list[Key], primary_arn: str) -> None:
    """Give every live key of a set its current MultiRegionConfiguration (R-KMS-MRK-02)."""
    primary = next(((k.arn, k.region) for k in members if k.arn == primary_arn), None)
    if primary is None:
        return
    pairs = [(k.arn, k.region) for k in members]
    for k in members:
        k.multi_region = configuration(primary, pairs, k.arn)


def transient_ms(setting: str) -> int | None:
    """How long Creating and Updating last under A-MRK-TRANSIENT (None: instant)."""
    if setting == "instant":
        return None
    return parse_duration(setting.removeprefix("fixed:"))


def _cause(event: Event, rule: str) -> Cause:
    return Cause(event.t, event.seq, rule, event.op)


def adopt(key: Key, meta: dict) -> None:
    """A new key's multi-Region configuration, as CreateKey answered it (R-KMS-MRK-02)."""
    if meta.get("MultiRegion"):
        key.multi_region = meta.get("MultiRegionConfiguration")


@folds("kms:ReplicateKey")
def _replicate(world: World, event: Event) -> None:
    primary = world.find_key(str(event.req["KeyId"]), event.account, event.region)
    if primary is None:
        raise LookupError(f"event #{event.seq}: key {event.req['KeyId']!r} not in the world")
    meta = event.res["ReplicaKeyMetadata"]
    text = event.res["ReplicaPolicy"]
    replica = Key(
        key_id=primary.key_id, arn=meta["Arn"], account=event.account,
        region=event.req["ReplicaRegion"], spec=primary.spec, usage=primary.usage,
        origin=primary.origin, description=meta.get("Description", ""),
        policy=parse_policy(text), created=_cause(event, "R-KMS-MRK-04"),
        # a replica of a primary with imported material has none (R-KMS-MRK-04)
        has_material=primary.origin != "EXTERNAL", material_id=primary.material_id,
        key_seed=primary.key_seed,  # the same key pair or HMAC secret (R-KMS-ASYM-24)
        store_id=meta["Arn"])
    replica.policy_text = text
    replica.policy_since = _cause(event, "R-KMS-23" if event.req.get("Policy") else "R-IAM-07")
    world.add_key(replica, meta["KeyState"])
    manage.set_tags(world, replica.arn, event.req.get("Tags") or [])  # its own (R-KMS-MRK-03)
    refresh(world, [*related(world, primary), replica], primary.multi_region["PrimaryKey"]["Arn"])
    wait = transient_ms(world.setting("mrk_transient"))
    if meta["KeyState"] == "Creating" and wait is not None:
        world.schedule(event.t + wait, "mrk-replica-created", replica.world_id, event.seq,
                       event.seq)


@on_timer("mrk-replica-created", priority=2)
def _created(world: World, timer: Timer) -> None:
    key = world.keys.get(timer.target)
    if key is not None and key.state == "Creating":
        world.key_event(key, "replica_created", timer.due, None,
                        f"ReplicateKey event #{timer.seq}")


@folds("kms:UpdatePrimaryRegion")
def _update_primary(world: World, event: Event) -> None:
    old = world.find_key(str(event.req["KeyId"]), event.account, event.region)
    assert old is not None
    new = related_in_region(world, old.key_id, old.account, event.req["PrimaryRegion"])
    assert new is not None
    refresh(world, related(world, old), new.arn)
    wait = transient_ms(world.setting("mrk_transient"))
    if wait is None:
        return
    for key in (old, new):  # both are Updating until the change completes (R-KMS-MRK-07)
        if key.state in ("Enabled", "Disabled"):
            key.was_enabled = key.state == "Enabled"
            world.key_event(key, "begin_update", event.t, event.seq, event.op)
            world.schedule(event.t + wait, "mrk-update-done", key.world_id, event.seq, event.seq)


@on_timer("mrk-update-done", priority=2)
def _updated(world: World, timer: Timer) -> None:
    key = world.keys.get(timer.target)
    if key is not None and key.state == "Updating":
        world.key_event(key, "end_update", timer.due, None,
                        f"UpdatePrimaryRegion event #{timer.seq}")


def schedule_primary(world: World, key: Key, event: Event) -> bool:
    """ScheduleKeyDeletion of a primary that has replicas: PendingReplicaDeletion, the
    waiting period kept for later (R-KMS-MRK-08). False (nothing done) for any other key."""
    if not live_replicas(world, key):
        return False
    key.deletion_date = None
    key.pending_window_days = pending_window_days(event.req)
    world.key_event(key, "schedule_replica_deletion", event.t, event.seq, event.op)
    return True


def key_deleted(world: World, key: Key, t: int, seq: int | None) -> None:
    """After a multi-Region key is deleted: the set's configurations drop it, and a primary
    in PendingReplicaDeletion whose last replica this was begins its waiting period
    (R-KMS-MRK-09)."""
    if key.multi_region is None:
        return
    members = related(world, key)
    primary_arn = key.multi_region["PrimaryKey"]["Arn"]
    refresh(world, members, primary_arn)
    primary = next((k for k in members if k.arn == primary_arn), None)
    if primary is None or primary.state != "PendingReplicaDeletion" or live_replicas(world,
                                                                                      primary):
        return
    days = primary.pending_window_days or pending_window_days({})
    primary.deletion_date = t + days * DAY
    world.key_event(primary, "replicas_deleted", t, None,
                    f"its last replica {key.arn} was deleted")
    world.schedule(primary.deletion_date, "key-deletion", primary.world_id,
                   primary.deletion_date, seq)

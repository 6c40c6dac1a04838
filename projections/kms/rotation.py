"""Key rotation as a projection: each key's automatic rotation schedule, its on-demand
rotations and the key materials they leave (R-KMS-ROT-01..17).

State lives in :class:`RotationState` (``world.state`` in folds, ``world.peek`` in readers).
A rotation, by a fold (RotateKeyOnDemand, EnableKey of an overdue key) or by the
``key-rotation`` timer, appends a :class:`Material` and makes it the key's current material
(``Key.material_id``, DescribeKey's CurrentKeyMaterialId). Old material is kept: data written
before a rotation stays under the material current when it was written
(:func:`material_of`), found by event number so that no item store column is needed.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from dataclasses import dataclass, field

from events.record import Event
from events.timefmt import DAY, MINUTE, parse_duration
from projections.kms.multiregion import primary_of, related
from projections.model import Key
from projections.world import Timer, World, folds, on_timer

#: RotationPeriodInDays when EnableKeyRotation does not give it (R-KMS-ROT-01).
DEFAULT_PERIOD_DAYS = 365
PERIOD_DAYS = (90, 2560)
#: Most on-demand rotations of one key (R-KMS-ROT-09).
ON_DEMAND_LIMIT = 25
#: RotateKeyOnDemand is a ConflictException this close to an automatic rotation (R-KMS-ROT-12).
CONFLICT_WINDOW = 20 * MINUTE


@dataclass(frozen=True, slots=True)
class Material:
    """One key material of a key: its id, when it became current, and how.

    ``kind`` is None for the first material (made with the key), else ``AUTOMATIC`` or
    ``ON_DEMAND``; ``seq`` the event that made it (None: the automatic rotation timer);
    ``after`` the last event folded before it was current: an item written by event N is
    under it when ``N > after`` (and not under a later one).
    """

    material_id: str | None
    since: int
    seq: int | None
    kind: str | None
    after: int


@dataclass
class Imported:
    """What ListKeyRotations tells of one imported key material of a symmetric EXTERNAL key:
    its ImportState (``imported``), ValidTo (None: KEY_MATERIAL_DOES_NOT_EXPIRE) and
    KeyMaterialDescription (R-KMS-ROT-26)."""

    imported: bool = True
    valid_to: int | None = None
    description: str | None = None


@dataclass
class KeyRotation:
    """The rotation record of one key."""

    materials: list[Material] = field(default_factory=list)
    enabled: bool = False
    period_days: int = DEFAULT_PERIOD_DAYS
    #: The next automatic rotation (None: not enabled); in the past when it found the key
    #: not Enabled (``overdue``), to be done when the key is enabled again (R-KMS-ROT-06).
    next_date: int | None = None
    overdue: bool = False
    #: Bumped by every schedule change: a timer whose token differs is superseded.
    generation: int = 0
    on_demand: int = 0
    #: When the on-demand rotation in progress began (A-ROT-ON-DEMAND fixed:), else None.
    on_demand_started: int | None = None
    on_demand_seq: int | None = None
    #: Imported key material by id (symmetric EXTERNAL keys, projections/kms/imported.py).
    imports: dict[str, Imported] = field(default_factory=dict)
    #: The imported material PENDING_ROTATION, which the next on-demand rotation makes
    #: current (R-KMS-ROT-20, R-KMS-ROT-24).
    pending: str | None = None


@dataclass
class RotationState:
    """Every key's rotation record, by its id in ``World.keys`` (``Key.world_id``: a
    multi-Region replica shares its primary's key id), only keys rotation ever touched."""

    keys: dict[str, KeyRotation] = field(default_factory=dict)


def material_id(key_arn: str, index: int, t: int) -> str:
    """The id of a key's ``index``-th material (1 for the first rotation), made at ``t``.

    A timer has no event to draw from, so the id is derived from the log alone (replay
    gives the same); 64 hex digits as the model's KeyMaterialId pattern has it."""
    return hashlib.sha256(f"kmsim-key-material\n{key_arn}\n{index}\n{t}".encode()).hexdigest()


def next_rotation_date(t: int, period_days: int) -> int:
    """The automatic rotation ``period_days`` after ``t`` (R-KMS-ROT-02)."""
    return t + period_days * DAY


def on_demand_delay(setting: str) -> int:
    """A-ROT-ON-DEMAND's delay between RotateKeyOnDemand and its completion, in ms."""
    return 0 if setting == "instant" else parse_duration(setting.removeprefix("fixed:"))


def holder(world: World, key: Key) -> Key:
    """The key whose record holds ``key``'s rotation: its multi-Region primary (related keys
    share key material and rotation status, R-KMS-MRK-03), else ``key`` itself."""
    primary = primary_of(world, key)
    return key if primary is None else primary


def record_of(world: World, key: Key) -> KeyRotation | None:
    """The key's rotation record, if rotation ever touched it (for readers)."""
    return world.peek(RotationState).keys.get(holder(world, key).world_id)


def materials(world: World, key: Key) -> list[Material]:
    """The key's materials, oldest first (only the first when it never rotated)."""
    found = record_of(world, key)
    if found is not None and found.materials:
        return found.materials
    return [_first(holder(world, key))]


def material_of(world: World, key: Key, seq: int) -> Material:
    """The material data written by event ``seq`` under ``key`` is under (R-KMS-ROT-16)."""
    found = materials(world, key)
    if len(found) == 1:
        return found[0]
    i = bisect_left([m.after for m in found], seq) - 1
    return found[max(i, 0)]


def _first(key: Key) -> Material:
    return Material(key.material_id, key.created.t, key.created.seq, None,
                    key.created.seq or 0)


def _record(world: World, key: Key) -> KeyRotation:
    key = holder(world, key)
    found = world.state(RotationState).keys.get(key.world_id)
    if found is None:
        found = world.state(RotationState).keys[key.world_id] = KeyRotation([_first(key)])
    return found


def writable_record(world: World, key: Key) -> KeyRotation:
    """The key's rotation record, made on first use: for folds only (imported.py's)."""
    return _record(world, key)


def _rotate(world: World, key: Key, rec: KeyRotation, t: int, seq: int | None,
            kind: str, after: int | None = None) -> Material:
    """New current material for ``key`` (R-KMS-ROT-14); the old stays for decryption.
    ``after``: the last event written under the old material (default: ``seq`` for a fold,
    the last event folded for a timer)."""
    if after is None:
        after = seq if seq is not None else world.last_seq
    made_id = rec.pending  # imported material pending rotation becomes current (R-KMS-ROT-24)
    if made_id is None:
        made_id = material_id(key.arn, len(rec.materials), t)
    rec.pending = None
    made = Material(made_id, t, seq, kind, after)
    rec.materials.append(made)
    if (info := rec.imports.get(made_id)) is not None:
        # the key's expiration is now the new current material's (the old one's timer finds
        # another ValidTo and does nothing)
        key.valid_to = info.valid_to
        if info.valid_to is not None:
            world.schedule(info.valid_to, "material-expiry", key.world_id, info.valid_to, seq)
    for shared in related(world, key):  # a multi-Region set shares its material (R-KMS-MRK-03)
        shared.material_id = made.material_id
    return made


def _schedule(world: World, key: Key, rec: KeyRotation, due: int, seq: int | None) -> None:
    rec.generation += 1
    rec.next_date = due
    rec.overdue = False
    world.schedule(due, "key-rotation", key.world_id, rec.generation, seq)


def _key(world: World, event: Event) -> Key:
    key = world.find_key(str(event.req.get("KeyId", "")), event.account, event.region)
    if key is None:  # the command side accepted it, so the world must know the key
        raise LookupError(f"event #{event.seq}: key {event.req.get('KeyId')!r} not in the world")
    return key


@folds("kms:EnableKeyRotation")
def _enable_rotation(world: World, event: Event) -> None:
    key = _key(world, event)
    rec = _record(world, key)
    rec.enabled = True
    rec.period_days = event.req.get("RotationPeriodInDays") or DEFAULT_PERIOD_DAYS
    _schedule(world, key, rec, next_rotation_date(event.t, rec.period_days), event.seq)


@folds("kms:DisableKeyRotation")
def _disable_rotation(world: World, event: Event) -> None:
    rec = _record(world, _key(world, event))
    rec.enabled = False
    rec.next_date = None
    rec.overdue = False
    rec.generation += 1  # the pending timer does nothing now (R-KMS-ROT-04)


@folds("kms:RotateKeyOnDemand")
def _rotate_on_demand(world: World, event: Event) -> None:
    key = _key(world, event)
    rec = _record(world, key)
    rec.on_demand += 1
    delay = on_demand_delay(world.setting("rot_on_demand"))
    if delay == 0:
        _rotate(world, key, rec, event.t, event.seq, "ON_DEMAND")
        return
    rec.on_demand_started, rec.on_demand_seq = event.t, event.seq
    world.schedule(event.t + delay, "key-rotation-on-demand", key.world_id, event.seq, event.seq)


@on_timer("key-rotation", priority=3)
def _automatic(world: World, timer: Timer) -> None:
    rec = world.peek(RotationState).keys.get(timer.target)
    key = world.keys.get(timer.target)
    if rec is None or key is None or not rec.enabled or rec.generation != timer.token:
        return  # disabled, or re-enabled with another date
    if key.state != "Enabled":
        # Disabled, PendingDeletion, Unavailable: not rotated now, at once when enabled
        # again (R-KMS-ROT-06, R-KMS-ROT-07); Deleted: never
        rec.overdue = key.state != "Deleted"
        return
    _rotate(world, key, rec, timer.due, None, "AUTOMATIC")
    _schedule(world, key, rec, next_rotation_date(timer.due, rec.period_days), timer.seq)


@on_timer("key-rotation-on-demand", priority=3)
def _on_demand_done(world: World, timer: Timer) -> None:
    rec = world.peek(RotationState).keys.get(timer.target)
    key = world.keys.get(timer.target)
    if rec is None or key is None or rec.on_demand_seq != timer.token:
        return
    rec.on_demand_started = rec.on_demand_seq = None
    if key.state != "Deleted":
        # current from now (the events before it were written under the old material)
        _rotate(world, key, rec, timer.due, timer.seq, "ON_DEMAND", world.last_seq)


def key_enabled(world: World, key: Key, event: Event) -> None:
    """EnableKey's part in rotation: a key whose automatic rotation came due while it could
    not rotate is rotated at once, then every period (R-KMS-ROT-06). Called by the fold of
    kms:EnableKey (projections/kms/fold.py), which owns the operation."""
    rec = world.peek(RotationState).keys.get(key.world_id)  # a replica's is its primary's
    if rec is None or not rec.enabled or not rec.overdue or key.state != "Enabled":
        return
    rec = _record(world, key)
    _rotate(world, key, rec, event.t, event.seq, "AUTOMATIC")
    _schedule(world, key, rec, next_rotation_date(event.t, rec.period_days), event.seq)


def rotated_material(world: World, key: Key) -> str | None:
    """The material a new ciphertext under ``key`` names in its envelope: the current one once
    the key has rotated, else None (the first material; envelopes then stay as they were
    before rotation existed, so older logs replay to the same ciphertexts)."""
    found = record_of(world, key)
    return key.material_id if found is not None and len(found.materials) > 1 else None


def decrypting_material(world: World, key: Key, named: str | None) -> tuple[bool, str | None]:
    """(known, id) of the material a ciphertext names (None: the first material): Decrypt
    uses the material that encrypted (R-KMS-ROT-15); ``known`` is False for an id that is
    none of the key's materials."""
    found = materials(world, key)
    if named is None:
        return True, found[0].material_id
    return any(m.material_id == named for m in found), named


def rotated(world: World, key: Key) -> bool:
    """Whether ``key`` has more than one key material (answers then say which one)."""
    found = record_of(world, key)
    return found is not None and len(found.materials) > 1


def item_materials(world: World, keys: tuple[str | None, ...], seq: int
                   ) -> dict[str, Material]:
    """Key ARN -> the material the item event ``seq`` wrote is under, for each of ``keys``
    that has rotated (R-KMS-ROT-16): one bisect per key, no item store column."""
    out: dict[str, Material] = {}
    for arn in keys:
        key = world.key_by_arn(arn) if arn else None
        if key is not None and rotated(world, key):
            out[key.arn] = material_of(world, key, seq)
    return out


def short_id(material: str | None) -> str:
    """A key material id as people read it: its first 12 hex digits."""
    return "(none)" if material is None else material[:12]

"""Imported key material that rotates: symmetric EXTERNAL keys (R-KMS-ROT-19..28).

The first ImportKeyMaterial of a symmetric EXTERNAL key gives it its first key material
(``Key.material_id``, answered as KeyMaterialId). A NEW_KEY_MATERIAL import after that puts
material PENDING_ROTATION (``KeyRotation.pending``), which RotateKeyOnDemand makes current
(``rotation._rotate``); an EXISTING_KEY_MATERIAL import re-imports one of the key's materials.
Each material's ImportState, ValidTo and description live in ``KeyRotation.imports``. Readers
here are for handlers (``world.peek``); the ``fold_*`` functions are called by the folds of
projections/kms/fold.py, which owns the two operations.
"""

from __future__ import annotations

from events.record import Event
from projections.kms.decisions import material_valid_to
from projections.kms.rotation import Imported, materials, record_of, writable_record
from projections.model import Key
from projections.world import World

NEW = "NEW_KEY_MATERIAL"
EXISTING = "EXISTING_KEY_MATERIAL"


def rotates_imported(key: Key) -> bool:
    """Whether ``key``'s imported material has ids and can rotate: a symmetric encryption
    key with Origin EXTERNAL (ImportType and KeyMaterialId are only for those)."""
    return key.origin == "EXTERNAL" and key.symmetric


def lists_pending_import(key: Key) -> bool:
    """Whether ListKeyRotations answers for ``key`` while it is PendingImport: a symmetric
    EXTERNAL key that had material, whose materials' ImportState may be PENDING_IMPORT
    (R-KMS-ROT-26)."""
    return rotates_imported(key) and key.material_id is not None


def import_type(key: Key, req: dict) -> str:
    """ImportKeyMaterial's ImportType: as given, else NEW_KEY_MATERIAL when no material was
    ever imported and EXISTING_KEY_MATERIAL after that (R-KMS-ROT-19)."""
    given = req.get("ImportType")
    if given:
        return str(given)
    return NEW if key.material_id is None else EXISTING


def pending(world: World, key: Key) -> str | None:
    """The id of the key's imported material PENDING_ROTATION, if any (R-KMS-ROT-20)."""
    rec = record_of(world, key)
    return rec.pending if rec is not None else None


def info(world: World, key: Key, material: str) -> Imported | None:
    """The import facts of one of the key's materials (None: not imported by id)."""
    rec = record_of(world, key)
    return rec.imports.get(material) if rec is not None else None


def associated(world: World, key: Key) -> list[str]:
    """The ids of the materials permanently associated with the key, oldest first (not the
    one pending rotation)."""
    return [m.material_id for m in materials(world, key) if m.material_id is not None]


def reimported(world: World, key: Key, which: str) -> str | None:
    """The material an EXISTING_KEY_MATERIAL import without KeyMaterialId re-imports, as
    A-ROT-REIMPORT says: the current one, or the oldest one not imported."""
    if which == "oldest-missing":
        for material in associated(world, key):
            found = info(world, key, material)
            if found is not None and not found.imported:
                return material
    return key.material_id


def all_imported(world: World, key: Key) -> bool:
    """Whether every material associated with the key is imported: a symmetric key is
    Enabled again only then (R-KMS-ROT-28)."""
    for material in associated(world, key):
        found = info(world, key, material)
        if found is not None and not found.imported:
            return False
    return key.has_material


def fold_import(world: World, key: Key, event: Event) -> bool:
    """ImportKeyMaterial's part here; True when it imported the key's current material (the
    key's ``has_material``/``valid_to`` then change), False for material pending rotation
    or a non-current one."""
    material = (event.res or {}).get("KeyMaterialId")
    if not rotates_imported(key) or material is None:
        return True  # asymmetric and HMAC keys, and logs made before KeyMaterialId
    kind = import_type(key, event.req)
    first = key.material_id is None
    if first:
        key.material_id = material
    rec = writable_record(world, key)
    before = rec.imports.get(material)
    description = event.req.get("KeyMaterialDescription")
    if description is None and before is not None:  # kept from the last import (R-KMS-ROT-26)
        description = before.description
    rec.imports[material] = Imported(True, material_valid_to(event.req), description)
    if kind == NEW and not first:
        if rec.pending is not None:  # A-ROT-IMPORT-PENDING's replace (R-KMS-ROT-30)
            rec.imports.pop(rec.pending, None)
        rec.pending = material  # PENDING_ROTATION until RotateKeyOnDemand (R-KMS-ROT-20)
        return False
    return material == key.material_id


def fold_delete(world: World, key: Key, event: Event) -> tuple[bool, bool]:
    """DeleteImportedKeyMaterial's part here: (whether the current material was deleted,
    whether the key's state changes). Material pending rotation is forgotten; the key keeps
    its state as A-ROT-DELETE-PENDING says (R-KMS-ROT-27)."""
    material = event.req.get("KeyMaterialId") or key.material_id
    if not rotates_imported(key) or material is None:
        return True, True
    rec = writable_record(world, key)
    if material == rec.pending:
        rec.pending = None
        rec.imports.pop(material, None)
        return False, world.setting("rot_delete_pending") == "pending-import"
    found = rec.imports.setdefault(material, Imported())
    found.imported, found.valid_to = False, None
    return material == key.material_id, True

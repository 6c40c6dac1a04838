"""ImportKeyMaterial, DeleteImportedKeyMaterial and ListKeyRotations for imported key material
that rotates (R-KMS-ROT-19..31): the checks their handlers call and the list entries.

The handlers (operations.py, rotation.py) own the operations; the folds of
projections/kms/fold.py apply them through projections/kms/imported.py.
"""

from __future__ import annotations

from projections.kms import imported
from projections.kms.rotation import Material
from projections.model import Key
from sim.errors import AwsError
from sim.params import Param
from sim.services.kms.common import epoch_seconds
from sim.services.registry import CallContext

#: The model's BackingKeyIdType.
MATERIAL_ID = Param("KeyMaterialId", str, min=64, max=64, pattern=r"^[a-f0-9]+$")
#: ImportKeyMaterial's members for material that rotates (R-KMS-ROT-19).
IMPORT_PARAMS = (Param("ImportType", str, enum=(imported.NEW, imported.EXISTING)), MATERIAL_ID,
                 Param("KeyMaterialDescription", str, min=0, max=256,
                       pattern=r"^[a-zA-Z0-9:/_\s.-]+$"))


def check_import(ctx: CallContext, key: Key, req: dict) -> None:
    """What ImportType, KeyMaterialId and KeyMaterialDescription ask of the key (R-KMS-ROT-21..23,
    R-KMS-ROT-30). ImportKeyMaterial calls this before the token check."""
    given = [n for n in ("ImportType", "KeyMaterialId", "KeyMaterialDescription")
             if req.get(n) is not None]
    if not imported.rotates_imported(key):
        if given:
            raise AwsError("UnsupportedOperationException", f"{given[0]} is only usable with "
                           f"symmetric encryption keys; {key.arn} is {key.spec}", "R-KMS-ROT-23")
        return
    world, named = ctx.world, req.get("KeyMaterialId")
    if imported.import_type(key, req) == imported.NEW:
        if named is not None:
            raise AwsError("ValidationException", "You cannot specify a key material ID with "
                           "ImportType set to NEW_KEY_MATERIAL.", "R-KMS-ROT-21")
        waiting = imported.pending(world, key)
        if key.material_id is not None and waiting is not None and \
                ctx.setting("rot_import_pending") == "refuse":
            raise AwsError("KMSInvalidStateException", f"{key.arn} already has key material "
                           f"{waiting} in PENDING_ROTATION state; delete it to import other new "
                           "key material", "R-KMS-ROT-30")
        return
    if key.material_id is None:
        raise AwsError("IncorrectKeyMaterialException", f"{key.arn} has no key material "
                       "imported yet: use ImportType NEW_KEY_MATERIAL", "R-KMS-ROT-22")
    known = [*imported.associated(world, key), imported.pending(world, key)]
    if named is not None and named not in known:
        raise AwsError("IncorrectKeyMaterialException", f"Key material {named} is not "
                       f"associated with {key.arn}", "R-KMS-ROT-22")


def import_material_id(ctx: CallContext, key: Key, req: dict) -> str | None:
    """The KeyMaterialId ImportKeyMaterial answers (None: not a symmetric key): new material
    gets a drawn id, re-imported material keeps its own (R-KMS-ROT-20, R-KMS-ROT-29). Called
    after every check, so that a refused call draws nothing."""
    if not imported.rotates_imported(key):
        return None
    if imported.import_type(key, req) == imported.NEW:
        return ctx.draws.bytes("KeyMaterialId", 32).hex()
    return req.get("KeyMaterialId") or imported.reimported(ctx.world, key,
                                                           ctx.setting("rot_reimport"))


def deleted_material(ctx: CallContext, key: Key, req: dict) -> str | None:
    """The material DeleteImportedKeyMaterial deletes: KeyMaterialId, else the current one
    (R-KMS-ROT-27); an id that is none of the key's is NotFoundException."""
    named = req.get("KeyMaterialId")
    if named is None:
        return key.material_id
    known = [*imported.associated(ctx.world, key), imported.pending(ctx.world, key)]
    if not imported.rotates_imported(key) or named not in known:
        raise AwsError("NotFoundException", f"Key material {named} is not associated with "
                       f"{key.arn}", "R-KMS-ROT-27")
    return named


def import_fields(ctx: CallContext, key: Key, material: str | None) -> dict:
    """ListKeyRotations' members of an imported material: ImportState, ExpirationModel,
    ValidTo, KeyMaterialDescription (R-KMS-ROT-26); none for other keys."""
    found = imported.info(ctx.world, key, material) if material is not None else None
    if not imported.rotates_imported(key) or found is None:
        return {}
    out: dict = {"ImportState": "IMPORTED" if found.imported else "PENDING_IMPORT"}
    if found.imported:
        out["ExpirationModel"] = ("KEY_MATERIAL_EXPIRES" if found.valid_to is not None
                                  else "KEY_MATERIAL_DOES_NOT_EXPIRE")
        if found.valid_to is not None:
            out["ValidTo"] = epoch_seconds(found.valid_to)
    if found.description is not None:
        out["KeyMaterialDescription"] = found.description
    return out


def pending_entry(ctx: CallContext, key: Key) -> dict | None:
    """ListKeyRotations' entry of the material PENDING_ROTATION, with no RotationDate or
    RotationType (R-KMS-ROT-26), if the key has one."""
    waiting = imported.pending(ctx.world, key)
    if waiting is None:
        return None
    return {"KeyId": key.arn, "KeyMaterialId": waiting, "KeyMaterialState": "PENDING_ROTATION",
            **import_fields(ctx, key, waiting)}


def rotation_entry(ctx: CallContext, key: Key, m: Material, current: bool) -> dict:
    """ListKeyRotations' entry of one of the key's materials (R-KMS-ROT-13, R-KMS-ROT-26)."""
    entry: dict = {"KeyId": key.arn}
    if m.material_id is not None:
        entry["KeyMaterialId"] = m.material_id
    entry["KeyMaterialState"] = "CURRENT" if current else "NON_CURRENT"
    entry.update(import_fields(ctx, key, m.material_id))
    if m.kind is not None:  # not for the first material (the model's words)
        entry.update({"RotationDate": epoch_seconds(m.since), "RotationType": m.kind})
    return entry

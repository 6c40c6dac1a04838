"""Imported key material that rotates (R-KMS-ROT-19..32): a symmetric EXTERNAL key imports
new material (PENDING_ROTATION), RotateKeyOnDemand makes it current, ListKeyRotations shows
each material's state, old data still decrypts, one material is deleted and re-imported, and
the log replays exactly. Simulator API first, then boto3 in-process."""

from __future__ import annotations

import base64
from datetime import datetime

import pytest
from support import REGION
from test_kms_rotation_support import (
    MATERIAL,
    current,
    make,
    new_key,
    ok,
    rejected,
    rotations,
)

from events.timefmt import DAY
from sim import CallResult, Simulator
from sim.replay import replay

HELLO = base64.b64encode(b"hello").decode()


def imports(s: Simulator, arn: str, at: str, **extra: object) -> CallResult:
    """ImportKeyMaterial with a fresh token (``extra``: ImportType, KeyMaterialId, ...)."""
    token = ok(s, "kms:GetParametersForImport", {
        "KeyId": arn, "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
        "WrappingKeySpec": "RSA_2048"}, at=at).res["ImportToken"]
    return s.call("kms:ImportKeyMaterial", {"KeyId": arn, **MATERIAL, "ImportToken": token,
                                            **extra}, at=at, as_="admin")


def imported(s: Simulator, arn: str, at: str, **extra: object) -> str:
    """Import (must succeed); the KeyMaterialId it answers."""
    r = imports(s, arn, at, **extra)
    assert r.ok, (r.err, r.event.out.get("msg"))
    return r.res["KeyMaterialId"]


def external(s: Simulator) -> tuple[str, str]:
    """An EXTERNAL symmetric key with its first material imported: (ARN, material id)."""
    arn = new_key(s, Origin="EXTERNAL")
    return arn, imported(s, arn, "+2m")


def states(s: Simulator, arn: str, at: str) -> list[tuple]:
    """(KeyMaterialId, KeyMaterialState, ImportState) of every material, ALL_KEY_MATERIAL."""
    return [(r["KeyMaterialId"], r["KeyMaterialState"], r.get("ImportState"))
            for r in rotations(s, arn, at, IncludeKeyMaterial="ALL_KEY_MATERIAL")]


def encrypt(s: Simulator, arn: str, at: str) -> str:
    return ok(s, "kms:Encrypt", {"KeyId": arn, "Plaintext": HELLO}, at=at).get("CiphertextBlob")


def test_the_first_import_is_the_current_material() -> None:
    s = make()
    arn, first = external(s)
    assert len(first) == 64 and current(s, arn, "+3m") == first
    assert states(s, arn, "+3m") == [(first, "CURRENT", "IMPORTED")]
    entry = rotations(s, arn, "+3m", IncludeKeyMaterial="ALL_KEY_MATERIAL")[0]
    assert entry["ExpirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE"
    assert "RotationDate" not in entry and "ValidTo" not in entry
    assert rotations(s, arn, "+3m") == []  # ROTATIONS_ONLY: no rotation yet


def test_new_material_is_pending_rotation_until_rotate_key_on_demand() -> None:
    s = make()
    arn, first = external(s)
    new = imported(s, arn, "+1d", ImportType="NEW_KEY_MATERIAL",
                   KeyMaterialDescription="second")
    assert new != first
    assert s.key_state(arn) == "Enabled" and current(s, arn, "+1d1m") == first
    assert states(s, arn, "+1d1m") == [(first, "CURRENT", "IMPORTED"),
                                       (new, "PENDING_ROTATION", "IMPORTED")]
    pending = rotations(s, arn, "+1d1m", IncludeKeyMaterial="ALL_KEY_MATERIAL")[1]
    assert pending["KeyMaterialDescription"] == "second"
    assert "RotationDate" not in pending and "RotationType" not in pending  # R-KMS-ROT-26
    assert rotations(s, arn, "+1d1m") == []

    assert ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at="+2d").res == {"KeyId": arn}
    assert current(s, arn, "+2d1m") == new  # R-KMS-ROT-24
    assert states(s, arn, "+2d1m") == [(first, "NON_CURRENT", "IMPORTED"),
                                       (new, "CURRENT", "IMPORTED")]
    listed = rotations(s, arn, "+2d1m")
    assert [(r["KeyMaterialId"], r["RotationType"], r["RotationDate"]) for r in listed] == [
        (new, "ON_DEMAND", s.when("+2d") / 1000)]
    # the pending material is used up: another rotation needs another import (R-KMS-ROT-11)
    rejected(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, "UnsupportedOperationException",
             at="+3d", rule="R-KMS-ROT-11")


def test_data_under_the_first_material_decrypts_after_the_rotation() -> None:
    s = make()
    arn, first = external(s)
    old = encrypt(s, arn, "+3m")
    new = imported(s, arn, "+4m", ImportType="NEW_KEY_MATERIAL")
    ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at="+5m")
    got = ok(s, "kms:Decrypt", {"CiphertextBlob": old}, at="+6m").res
    assert base64.b64decode(got["Plaintext"]) == b"hello" and got["KeyMaterialId"] == first
    fresh = encrypt(s, arn, "+7m")  # under the current material now (R-KMS-ROT-14)
    assert ok(s, "kms:Decrypt", {"CiphertextBlob": fresh}, at="+8m").res["KeyMaterialId"] == new


def test_import_type_checks() -> None:
    s = make()
    arn, first = external(s)
    r = imports(s, arn, "+3m", ImportType="NEW_KEY_MATERIAL", KeyMaterialId=first)
    assert (r.err, r.rule) == ("ValidationException", "R-KMS-ROT-21")
    r = imports(s, arn, "+3m", ImportType="EXISTING_KEY_MATERIAL", KeyMaterialId="ab" * 32)
    assert (r.err, r.rule) == ("IncorrectKeyMaterialException", "R-KMS-ROT-22")
    fresh = new_key(s, "+4m", Origin="EXTERNAL")
    r = imports(s, fresh, "+5m", ImportType="EXISTING_KEY_MATERIAL")
    assert (r.err, r.rule) == ("IncorrectKeyMaterialException", "R-KMS-ROT-22")
    hmac = new_key(s, "+5m", Origin="EXTERNAL", KeySpec="HMAC_256",
                   KeyUsage="GENERATE_VERIFY_MAC")
    r = imports(s, hmac, "+5m", ImportType="NEW_KEY_MATERIAL")
    assert (r.err, r.rule) == ("UnsupportedOperationException", "R-KMS-ROT-23")
    assert s.key_state(fresh) == s.key_state(hmac) == "PendingImport"
    assert states(s, arn, "+6m") == [(first, "CURRENT", "IMPORTED")]  # nothing changed


def test_omitted_import_type_re_imports_existing_material() -> None:
    s = make()
    arn, first = external(s)
    assert imported(s, arn, "+1d", KeyMaterialDescription="kept") == first  # R-KMS-ROT-19
    assert imported(s, arn, "+2d") == first
    listed = rotations(s, arn, "+2d1m", IncludeKeyMaterial="ALL_KEY_MATERIAL")
    assert [r["KeyMaterialDescription"] for r in listed] == ["kept"]  # R-KMS-ROT-32


@pytest.mark.parametrize(("value", "outcome"), [(None, "refused"), ("replace", "replaced")])
def test_a_second_new_import_while_one_is_pending(value: str | None, outcome: str) -> None:
    s = make(**({"rot_import_pending": value} if value else {}))
    arn, first = external(s)
    new = imported(s, arn, "+3m", ImportType="NEW_KEY_MATERIAL")
    r = imports(s, arn, "+4m", ImportType="NEW_KEY_MATERIAL")
    if outcome == "refused":
        assert (r.err, r.rule) == ("KMSInvalidStateException", "R-KMS-ROT-30")
        assert states(s, arn, "+5m")[1] == (new, "PENDING_ROTATION", "IMPORTED")
    else:
        assert r.ok
        assert states(s, arn, "+5m") == [(first, "CURRENT", "IMPORTED"),
                                         (r.res["KeyMaterialId"], "PENDING_ROTATION",
                                          "IMPORTED")]


@pytest.mark.parametrize(("value", "state"), [(None, "Enabled"),
                                              ("pending-import", "PendingImport")])
def test_deleting_the_pending_material_forgets_it(value: str | None, state: str) -> None:
    s = make(**({"rot_delete_pending": value} if value else {}))
    arn, first = external(s)
    new = imported(s, arn, "+3m", ImportType="NEW_KEY_MATERIAL")
    r = ok(s, "kms:DeleteImportedKeyMaterial", {"KeyId": arn, "KeyMaterialId": new}, at="+4m")
    assert r.res == {"KeyId": arn, "KeyMaterialId": new}
    assert s.key_state(arn) == state  # A-ROT-DELETE-PENDING (R-KMS-ROT-31)
    assert states(s, arn, "+5m") == [(first, "CURRENT", "IMPORTED")]
    assert current(s, arn, "+5m") == first


def test_deleting_one_old_material_needs_it_back_to_enable_the_key() -> None:
    s = make()
    arn, first = external(s)
    old = encrypt(s, arn, "+3m")
    new = imported(s, arn, "+4m", ImportType="NEW_KEY_MATERIAL")
    ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at="+5m")
    r = ok(s, "kms:DeleteImportedKeyMaterial", {"KeyId": arn, "KeyMaterialId": first}, at="+6m")
    assert r.res["KeyMaterialId"] == first
    assert s.key_state(arn) == "PendingImport"  # R-KMS-15
    assert states(s, arn, "+7m") == [(first, "NON_CURRENT", "PENDING_IMPORT"),
                                     (new, "CURRENT", "IMPORTED")]
    assert imported(s, arn, "+8m") == new  # re-imports the current one (A-ROT-REIMPORT)
    assert s.key_state(arn) == "PendingImport"  # not all materials yet (R-KMS-ROT-28)
    assert imported(s, arn, "+9m", ImportType="EXISTING_KEY_MATERIAL",
                    KeyMaterialId=first) == first
    assert s.key_state(arn) == "Enabled"
    assert ok(s, "kms:Decrypt", {"CiphertextBlob": old}, at="+10m").res["KeyMaterialId"] == first
    r = rejected(s, "kms:DeleteImportedKeyMaterial", {"KeyId": arn, "KeyMaterialId": "cd" * 32},
                 "NotFoundException", at="+11m", rule="R-KMS-ROT-27")
    assert "cd" * 32 in r.event.out["msg"]


def test_reimport_oldest_missing_material() -> None:
    s = make(rot_reimport="oldest-missing")
    arn, first = external(s)
    imported(s, arn, "+3m", ImportType="NEW_KEY_MATERIAL")
    ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at="+4m")
    ok(s, "kms:DeleteImportedKeyMaterial", {"KeyId": arn, "KeyMaterialId": first}, at="+5m")
    assert imported(s, arn, "+6m") == first
    assert s.key_state(arn) == "Enabled"


def test_deleting_the_current_material_without_an_id() -> None:
    s = make()
    arn, first = external(s)
    r = ok(s, "kms:DeleteImportedKeyMaterial", {"KeyId": arn}, at="+3m")
    assert r.res == {"KeyId": arn, "KeyMaterialId": first}  # R-KMS-ROT-27
    assert s.key_state(arn) == "PendingImport"
    assert states(s, arn, "+4m") == [(first, "CURRENT", "PENDING_IMPORT")]


def test_the_new_current_material_brings_its_own_expiry() -> None:
    s = make()
    arn, _ = external(s)
    valid_to = s.when("+30d")
    new = imported(s, arn, "+3m", ImportType="NEW_KEY_MATERIAL",
                   ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=valid_to / 1000)
    pending = rotations(s, arn, "+4m", IncludeKeyMaterial="ALL_KEY_MATERIAL")[1]
    assert (pending["ExpirationModel"], pending["ValidTo"]) == ("KEY_MATERIAL_EXPIRES",
                                                                valid_to / 1000)
    assert "ValidTo" not in ok(s, "kms:DescribeKey", {"KeyId": arn}, at="+4m").res["KeyMetadata"]
    ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at="+5m")
    meta = ok(s, "kms:DescribeKey", {"KeyId": arn}, at="+6m").res["KeyMetadata"]
    assert meta["ValidTo"] == valid_to / 1000 and meta["CurrentKeyMaterialId"] == new
    s.advance(31 * DAY)
    assert s.key_state(arn) == "PendingImport"


def test_a_multi_region_key_with_imported_material_is_not_rotated_on_demand() -> None:
    s = make()
    arn = new_key(s, Origin="EXTERNAL", MultiRegion=True)
    imported(s, arn, "+2m")
    imported(s, arn, "+3m", ImportType="NEW_KEY_MATERIAL")
    rejected(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, "UnsupportedOperationException",
             at="+4m", rule="R-KMS-ROT-25")


def test_a_log_with_imported_rotations_replays_exactly() -> None:
    s = make()
    arn, first = external(s)
    blob = encrypt(s, arn, "+3m")
    imported(s, arn, "+4m", ImportType="NEW_KEY_MATERIAL", KeyMaterialDescription="two")
    ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at="+5m")
    ok(s, "kms:DeleteImportedKeyMaterial", {"KeyId": arn, "KeyMaterialId": first}, at="+6m")
    imported(s, arn, "+7m", ImportType="EXISTING_KEY_MATERIAL", KeyMaterialId=first)
    ok(s, "kms:Decrypt", {"CiphertextBlob": blob}, at="+8m")
    ok(s, "kms:ListKeyRotations", {"KeyId": arn, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"},
       at="+9m")
    timeline, diffs = replay(s.events, s.profile, s.settings, s.start)
    assert diffs == []
    key_id = arn.rsplit("/", 1)[1]
    assert timeline.world_at(s.now).keys[key_id].material_id == current(s, arn, "+10m")


def test_imported_rotation_with_boto3_in_process() -> None:
    boto3 = pytest.importorskip("boto3")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    from sim.testing import simulated_aws

    def wrap(public_key: bytes, material: bytes) -> bytes:
        key = serialization.load_der_public_key(public_key)
        return key.encrypt(material, padding.OAEP(padding.MGF1(hashes.SHA256()),  # type: ignore[union-attr]
                                                  hashes.SHA256(), None))

    with simulated_aws():
        kms = boto3.session.Session().client("kms", region_name=REGION,
                                             aws_access_key_id="AKIDTEST",
                                             aws_secret_access_key="secret")
        key_id = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]

        def do_import(material: bytes, **extra: str) -> str:
            p = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                              WrappingKeySpec="RSA_2048")
            return kms.import_key_material(
                KeyId=key_id, ImportToken=p["ImportToken"],
                EncryptedKeyMaterial=wrap(p["PublicKey"], material),
                ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE", **extra)["KeyMaterialId"]

        first = do_import(b"1" * 32)
        old = kms.encrypt(KeyId=key_id, Plaintext=b"before")["CiphertextBlob"]
        new = do_import(b"2" * 32, ImportType="NEW_KEY_MATERIAL")
        listed = kms.list_key_rotations(KeyId=key_id, IncludeKeyMaterial="ALL_KEY_MATERIAL")
        assert [(r["KeyMaterialId"], r["KeyMaterialState"]) for r in listed["Rotations"]] == [
            (first, "CURRENT"), (new, "PENDING_ROTATION")]
        kms.rotate_key_on_demand(KeyId=key_id)
        meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
        assert meta["CurrentKeyMaterialId"] == new
        got = kms.decrypt(CiphertextBlob=old)
        assert got["Plaintext"] == b"before" and got["KeyMaterialId"] == first
        rotation = kms.list_key_rotations(KeyId=key_id)["Rotations"][0]
        assert rotation["RotationType"] == "ON_DEMAND" and rotation["ImportState"] == "IMPORTED"
        assert isinstance(rotation["RotationDate"], datetime)
        assert rotation["RotationDate"].tzinfo is not None
        deleted = kms.delete_imported_key_material(KeyId=key_id, KeyMaterialId=first)
        assert deleted["KeyMaterialId"] == first
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingImport"

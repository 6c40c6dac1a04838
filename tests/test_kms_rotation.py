"""KMS key rotation through the Simulator API (R-KMS-ROT-01..17): the five operations, the
automatic rotation timer, the key state's effect on it, and limits.

Every refusal is checked to change nothing (``rejected``). Materials, Decrypt, answers and
replay are in test_kms_rotation_materials.py; boto3 in test_kms_rotation_wire.py.
"""

from __future__ import annotations

import pytest
from support import START_MS as T0
from test_kms_rotation_support import (
    current,
    import_material,
    make,
    new_key,
    ok,
    rejected,
    rotations,
    status,
)

from events.timefmt import DAY, MINUTE
from sim import Simulator


@pytest.fixture
def s() -> Simulator:
    return make()


def rotation_timers(s: Simulator) -> list:
    return [t for t in s.world.pending_timers() if t.kind == "key-rotation"]


# -- EnableKeyRotation, GetKeyRotationStatus, DisableKeyRotation -------------------------------

def test_rotation_is_off_until_enabled_then_365_days_by_default(s: Simulator) -> None:
    arn = new_key(s)
    assert status(s, arn, "+2m") == {"KeyRotationEnabled": False, "KeyId": arn}
    ok(s, "kms:EnableKeyRotation", {"KeyId": arn}, at="+3m")
    got = status(s, arn, "+4m")
    assert got["KeyRotationEnabled"] is True and got["RotationPeriodInDays"] == 365
    assert got["NextRotationDate"] == (T0 + 3 * MINUTE + 365 * DAY) / 1000  # R-KMS-ROT-02
    assert "OnDemandRotationStartDate" not in got


@pytest.mark.parametrize("days", [89, 2561, 0])
def test_a_period_outside_90_to_2560_is_refused(s: Simulator, days: int) -> None:
    arn = new_key(s)
    r = rejected(s, "kms:EnableKeyRotation", {"KeyId": arn, "RotationPeriodInDays": days},
                 "ValidationException", at="+2m")
    assert "rotationPeriodInDays" in r.event.out["msg"]


@pytest.mark.parametrize("days", [90, 2560])
def test_the_period_bounds_are_accepted(s: Simulator, days: int) -> None:
    arn = new_key(s)
    ok(s, "kms:EnableKeyRotation", {"KeyId": arn, "RotationPeriodInDays": days}, at="+2m")
    assert status(s, arn, "+3m")["RotationPeriodInDays"] == days


def test_the_automatic_rotation_is_a_timer_every_period(s: Simulator) -> None:
    arn = new_key(s)
    first = current(s, arn, "+1m")
    ok(s, "kms:EnableKeyRotation", {"KeyId": arn, "RotationPeriodInDays": 90}, at="+2m")
    assert current(s, arn, "+90d1m") == first  # one minute before the date: not yet
    second = current(s, arn, "+90d2m")
    assert second != first and len(second) == 64
    assert current(s, arn, "+180d2m") not in (first, second)
    listed = rotations(s, arn, "+180d3m")
    assert [(r["RotationType"], r["RotationDate"]) for r in listed] == [
        ("AUTOMATIC", (T0 + 2 * MINUTE + 90 * DAY) / 1000),
        ("AUTOMATIC", (T0 + 2 * MINUTE + 180 * DAY) / 1000)]
    assert [r["KeyMaterialState"] for r in listed] == ["NON_CURRENT", "CURRENT"]
    assert listed[1]["KeyMaterialId"] == current(s, arn, "+180d3m")
    assert status(s, arn, "+180d4m")["NextRotationDate"] == (T0 + 2 * MINUTE + 270 * DAY) / 1000


def test_disabling_rotation_cancels_the_pending_rotation(s: Simulator) -> None:
    arn = new_key(s)
    first = current(s, arn, "+1m")
    ok(s, "kms:EnableKeyRotation", {"KeyId": arn, "RotationPeriodInDays": 90}, at="+2m")
    ok(s, "kms:DisableKeyRotation", {"KeyId": arn}, at="+1d")
    assert current(s, arn, "+200d") == first
    assert rotations(s, arn, "+200d") == []
    assert status(s, arn, "+200d") == {"KeyRotationEnabled": False, "KeyId": arn}


def test_enabling_again_counts_the_new_period_from_that_request(s: Simulator) -> None:
    arn = new_key(s)
    ok(s, "kms:EnableKeyRotation", {"KeyId": arn, "RotationPeriodInDays": 2560}, at="+2m")
    ok(s, "kms:EnableKeyRotation", {"KeyId": arn, "RotationPeriodInDays": 90}, at="+10d")
    got = status(s, arn, "+11d")
    assert got["RotationPeriodInDays"] == 90
    assert got["NextRotationDate"] == (T0 + 100 * DAY) / 1000
    assert [r["RotationDate"] for r in rotations(s, arn, "+191d")] == [
        (T0 + 100 * DAY) / 1000, (T0 + 190 * DAY) / 1000]  # the 2560-day timer did nothing
    assert len(rotation_timers(s)) >= 1


# -- which keys rotate ---------------------------------------------------------------------

@pytest.mark.parametrize("args", [{"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"},
                                  {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"},
                                  {"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}])
def test_asymmetric_and_hmac_keys_do_not_rotate(s: Simulator, args: dict) -> None:
    arn = new_key(s, **args)
    rejected(s, "kms:EnableKeyRotation", {"KeyId": arn}, "UnsupportedOperationException",
             at="+2m", rule="R-KMS-ROT-03")
    rejected(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, "UnsupportedOperationException",
             at="+3m", rule="R-KMS-ROT-10")
    rejected(s, "kms:GetKeyRotationStatus", {"KeyId": arn}, "UnsupportedOperationException",
             at="+4m")
    rejected(s, "kms:ListKeyRotations", {"KeyId": arn}, "UnsupportedOperationException",
             at="+5m")


def test_imported_key_material_has_no_automatic_rotation(s: Simulator) -> None:
    arn = import_material(s, new_key(s, Origin="EXTERNAL"), "+2m")
    rejected(s, "kms:EnableKeyRotation", {"KeyId": arn}, "UnsupportedOperationException",
             at="+3m", rule="R-KMS-ROT-03")
    assert status(s, arn, "+4m") == {"KeyRotationEnabled": False, "KeyId": arn}


@pytest.mark.parametrize(("value", "code"), [(None, "UnsupportedOperationException"),
                                             ("invalid-state", "KMSInvalidStateException")])
def test_imported_material_without_pending_material_is_not_rotated_on_demand(
        value: str | None, code: str) -> None:
    s = make(**({"rot_imported_on_demand": value} if value else {}))
    arn = import_material(s, new_key(s, Origin="EXTERNAL"), "+2m")
    rejected(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, code, at="+3m", rule="R-KMS-ROT-11")


# -- RotateKeyOnDemand ---------------------------------------------------------------------

def test_on_demand_rotation_keeps_the_automatic_schedule(s: Simulator) -> None:
    arn = new_key(s)
    first = current(s, arn, "+1m")
    ok(s, "kms:EnableKeyRotation", {"KeyId": arn, "RotationPeriodInDays": 90}, at="+2m")
    before = status(s, arn, "+3m")["NextRotationDate"]
    assert ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at="+10d").res == {"KeyId": arn}
    now = current(s, arn, "+10d1m")
    assert now != first
    assert status(s, arn, "+10d1m")["NextRotationDate"] == before  # R-KMS-ROT-08
    listed = rotations(s, arn, "+10d1m")
    assert [(r["KeyMaterialId"], r["RotationType"], r["RotationDate"]) for r in listed] == [
        (now, "ON_DEMAND", (T0 + 10 * DAY) / 1000)]


def test_on_demand_rotation_works_without_automatic_rotation(s: Simulator) -> None:
    arn = new_key(s)
    first = current(s, arn, "+1m")
    ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at="+2m")
    assert current(s, arn, "+3m") != first
    assert status(s, arn, "+3m")["KeyRotationEnabled"] is False


def test_at_most_25_on_demand_rotations(s: Simulator) -> None:
    arn = new_key(s)
    for i in range(25):
        ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at=f"+{2 + i}m")
    rejected(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, "LimitExceededException", at="+1h",
             rule="R-KMS-ROT-09")
    assert len({r["KeyMaterialId"] for r in rotations(s, arn, "+2h")}) == 25


def test_on_demand_is_a_conflict_20_minutes_before_an_automatic_rotation(s: Simulator) -> None:
    arn = new_key(s)
    ok(s, "kms:EnableKeyRotation", {"KeyId": arn, "RotationPeriodInDays": 90}, at="+1m")
    ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at="+89d23h40m")  # 21 minutes before
    rejected(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, "ConflictException",
             at="+89d23h41m", rule="R-KMS-ROT-12")
    ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at="+90d2m")  # after it
    assert [r["RotationType"] for r in rotations(s, arn, "+90d3m")] == [
        "ON_DEMAND", "AUTOMATIC", "ON_DEMAND"]


def test_a_delayed_on_demand_rotation_shows_its_start_and_conflicts() -> None:
    s = make(rot_on_demand="fixed:10m")
    arn = new_key(s)
    first = current(s, arn, "+1m")
    ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at="+2m")
    assert status(s, arn, "+3m")["OnDemandRotationStartDate"] == (T0 + 2 * MINUTE) / 1000
    assert current(s, arn, "+3m") == first  # in progress: not yet current
    rejected(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, "ConflictException", at="+5m",
             rule="R-KMS-ROT-17")
    assert current(s, arn, "+12m") != first
    assert "OnDemandRotationStartDate" not in status(s, arn, "+12m")
    assert [r["RotationDate"] for r in rotations(s, arn, "+13m")] == [(T0 + 12 * MINUTE) / 1000]


# -- the key's state -----------------------------------------------------------------------

def test_a_disabled_key_is_not_rotated_and_rotates_when_enabled_again(s: Simulator) -> None:
    arn = new_key(s)
    first = current(s, arn, "+1m")
    ok(s, "kms:EnableKeyRotation", {"KeyId": arn, "RotationPeriodInDays": 90}, at="+2m")
    ok(s, "kms:DisableKey", {"KeyId": arn}, at="+1d")
    s.advance(max(0, s.when("+100d") - s.now))
    assert s.world.keys[arn.rsplit("/", 1)[1]].material_id == first  # not while Disabled
    ok(s, "kms:EnableKey", {"KeyId": arn}, at="+100d")
    listed = rotations(s, arn, "+100d1m")
    assert [(r["RotationType"], r["RotationDate"]) for r in listed] == [
        ("AUTOMATIC", (T0 + 100 * DAY) / 1000)]  # at once (R-KMS-ROT-06)
    assert status(s, arn, "+100d1m")["NextRotationDate"] == (T0 + 190 * DAY) / 1000


def test_a_key_enabled_again_before_its_date_keeps_its_schedule(s: Simulator) -> None:
    arn = new_key(s)
    ok(s, "kms:EnableKeyRotation", {"KeyId": arn, "RotationPeriodInDays": 90}, at="+2m")
    ok(s, "kms:DisableKey", {"KeyId": arn}, at="+1d")
    ok(s, "kms:EnableKey", {"KeyId": arn}, at="+2d")
    assert rotations(s, arn, "+2d1m") == []
    assert [r["RotationDate"] for r in rotations(s, arn, "+90d3m")] == [
        (T0 + 2 * MINUTE + 90 * DAY) / 1000]


def test_pending_deletion_shows_rotation_off_and_cancel_restores_it(s: Simulator) -> None:
    arn = new_key(s)
    ok(s, "kms:EnableKeyRotation", {"KeyId": arn, "RotationPeriodInDays": 90}, at="+2m")
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": arn, "PendingWindowInDays": 30}, at="+3m")
    assert status(s, arn, "+4m") == {"KeyRotationEnabled": False, "KeyId": arn}  # R-KMS-ROT-07
    ok(s, "kms:CancelKeyDeletion", {"KeyId": arn}, at="+5m")
    assert status(s, arn, "+6m")["KeyRotationEnabled"] is True


def test_a_deleted_key_is_never_rotated(s: Simulator) -> None:
    arn = new_key(s)
    ok(s, "kms:EnableKeyRotation", {"KeyId": arn, "RotationPeriodInDays": 90}, at="+2m")
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": arn, "PendingWindowInDays": 7}, at="+3m")
    key = s.world.keys[arn.rsplit("/", 1)[1]]
    before = key.material_id
    s.advance(max(0, s.when("+400d") - s.now))
    assert key.state == "Deleted" and key.material_id == before


@pytest.mark.parametrize("op", ["kms:EnableKeyRotation", "kms:DisableKeyRotation",
                                "kms:RotateKeyOnDemand"])
def test_a_disabled_key_refuses_changes_to_its_rotation(s: Simulator, op: str) -> None:
    arn = new_key(s)
    ok(s, "kms:DisableKey", {"KeyId": arn}, at="+2m")
    rejected(s, op, {"KeyId": arn}, "DisabledException", at="+3m")


def test_unknown_keys_and_refused_callers() -> None:
    s = make()
    s.principal("nobody")
    arn = new_key(s)
    for op in ("kms:EnableKeyRotation", "kms:GetKeyRotationStatus", "kms:RotateKeyOnDemand",
               "kms:ListKeyRotations", "kms:DisableKeyRotation"):
        rejected(s, op, {"KeyId": "alias/none"}, "NotFoundException", at="+2m")
        r = s.call(op, {"KeyId": arn}, at="+2m", as_="nobody")
        assert r.err == "AccessDeniedException", (op, r.err)


# -- ListKeyRotations ----------------------------------------------------------------------

def test_list_key_rotations_pages_and_can_include_the_first_material(s: Simulator) -> None:
    arn = new_key(s)
    first = current(s, arn, "+1m")
    for i in range(3):
        ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at=f"+{2 + i}m")
    all_of = rotations(s, arn, "+10m", IncludeKeyMaterial="ALL_KEY_MATERIAL")
    assert all_of[0] == {"KeyId": arn, "KeyMaterialId": first, "KeyMaterialState": "NON_CURRENT"}
    assert len(all_of) == 4 and [r["KeyMaterialState"] for r in all_of].count("CURRENT") == 1
    page = ok(s, "kms:ListKeyRotations", {"KeyId": arn, "Limit": 2}, at="+11m").res
    assert page["Truncated"] is True and len(page["Rotations"]) == 2
    rest = ok(s, "kms:ListKeyRotations", {"KeyId": arn, "Limit": 2,
                                          "Marker": page["NextMarker"]}, at="+12m").res
    assert rest["Truncated"] is False and "NextMarker" not in rest
    assert [r["KeyMaterialId"] for r in page["Rotations"] + rest["Rotations"]] == [
        r["KeyMaterialId"] for r in all_of[1:]]
    rejected(s, "kms:ListKeyRotations", {"KeyId": arn, "Marker": "bm90LWEtbWFya2Vy"},
             "InvalidMarkerException", at="+13m")


# -- multi-Region keys ---------------------------------------------------------------------

def test_a_multi_region_set_rotates_from_its_primary_and_shares_the_material(
        s: Simulator) -> None:
    primary = ok(s, "kms:CreateKey", {"MultiRegion": True}, at="+1m").get("KeyMetadata.Arn")
    ok(s, "kms:ReplicateKey", {"KeyId": primary, "ReplicaRegion": "us-west-2"}, at="+2m")
    replica = primary.replace("us-east-1", "us-west-2")
    s.advance(max(0, s.when("+1h") - s.now))  # past any transient Creating state
    r = s.call("kms:EnableKeyRotation", {"KeyId": replica}, at="+1h", as_="admin",
               region="us-west-2")
    assert (r.err, r.rule) == ("UnsupportedOperationException", "R-KMS-ROT-18")
    ok(s, "kms:EnableKeyRotation", {"KeyId": primary, "RotationPeriodInDays": 90}, at="+1h")
    ok(s, "kms:RotateKeyOnDemand", {"KeyId": primary}, at="+1h1m")
    shown = s.call("kms:DescribeKey", {"KeyId": replica}, at="+1h2m", as_="admin",
                   region="us-west-2").get("KeyMetadata.CurrentKeyMaterialId")
    assert shown == current(s, primary, "+1h2m")
    got = s.call("kms:GetKeyRotationStatus", {"KeyId": replica}, at="+1h3m", as_="admin",
                 region="us-west-2").res
    assert got["KeyRotationEnabled"] is True and got["RotationPeriodInDays"] == 90

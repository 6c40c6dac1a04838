"""The KMS key lifecycle (SPEC 3.1) and its authorization (SPEC 3.2) through the Simulator API.

Every transition of the SPEC 3.1 table, its timers, the error of every call a state
refuses, and for each rejected call proof that it changed nothing.
"""

from __future__ import annotations

import copy
import json

import pytest
from support import ACCT, ALLOW_ALL, OTHER, START
from support import START_MS as T0

from events.timefmt import DAY, parse_rfc3339
from projections.machines import KEY_TRANSITIONS, rule_of
from sim import CallResult, Simulator

KMS_READ = {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt",
                                                         "kms:GenerateDataKey",
                                                         "kms:ReEncrypt*"],
                           "Resource": "*"}]}
MATERIAL = {"ImportToken": "token", "EncryptedKeyMaterial": "material"}


def material(s: Simulator, key: str, at: str) -> dict:
    """ImportKeyMaterial's token and material, the token from GetParametersForImport at
    ``at`` (R-KMS-MGMT-13)."""
    r = s.call("kms:GetParametersForImport", {"KeyId": key, "WrappingAlgorithm":
                                              "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"},
               at=at, as_="admin")
    assert r.ok, r.event.out
    return {**MATERIAL, "ImportToken": r.get("ImportToken")}
LATER = "2027-01-01T00:00:00Z"


# -- helpers ------------------------------------------------------------------------------

def snapshot(s: Simulator) -> dict:
    """Everything a call could change in the world (keys, aliases, principals, timers)."""
    w = s.world
    keys = {kid: (k.state, json.dumps(k.policy, sort_keys=True), k.deletion_date, k.valid_to,
                  k.has_material, k.was_enabled, len(k.history))
            for kid, k in w.keys.items()}
    return {"keys": keys, "aliases": dict(w.aliases),
            "principals": {a: copy.deepcopy(p.policies) for a, p in w.principals.items()},
            "timers": [(t.due, t.kind, t.target) for t in w.pending_timers()],
            "associations": {r: a.state for r, a in w.associations.items()},
            "items": sorted(w.items)}


def rejected(s: Simulator, op: str, args: dict, err: str, *, at: str, as_: str = "admin",
             rule: str | None = None, region: str | None = None) -> CallResult:
    """Call, assert it fails with ``err`` (and ``rule``), and that the world did not change."""
    s.advance(max(0, s.when(at) - s.now))  # fire timers due by then: not the call's doing
    before = snapshot(s)
    r = s.call(op, args, at=at, as_=as_, region=region)
    assert not r.ok, f"{op} unexpectedly succeeded"
    assert r.err == err, (r.err, r.event.out.get("msg"))
    if rule is not None:
        assert r.rule == rule
    assert snapshot(s) == before, f"rejected {op} changed the world"
    assert r.event.seq == len(s.events)  # still recorded as an event
    return r


def ok(s: Simulator, op: str, args: dict | None = None, *, at: str,
       as_: str = "admin", region: str | None = None) -> CallResult:
    """Call and assert success."""
    r = s.call(op, args or {}, at=at, as_=as_, region=region)
    assert r.ok, (op, r.err, r.event.out.get("msg"))
    return r


@pytest.fixture
def s() -> Simulator:
    """A simulator with an all-powerful admin and a reader without any identity policy."""
    sim = Simulator(start=START, account=ACCT)
    sim.principal("admin", policy=ALLOW_ALL)
    sim.principal("reader")
    sim.principal("user", policy=KMS_READ)
    return sim


def new_key(s: Simulator, at: str = "+1m", **args) -> str:
    """Create a key as admin; return its ARN."""
    return ok(s, "kms:CreateKey", args, at=at).get("KeyMetadata.Arn")


def external_key(s: Simulator, at: str = "+1m") -> str:
    """An EXTERNAL key, still without material."""
    return new_key(s, at, Origin="EXTERNAL")


# -- creation -----------------------------------------------------------------------------

def test_create_aws_kms_key_is_enabled(s: Simulator) -> None:
    r = ok(s, "kms:CreateKey", {"Description": "d"}, at="+1m")
    arn = r.get("KeyMetadata.Arn")
    key_id = r.get("KeyMetadata.KeyId")
    assert arn == f"arn:aws:kms:us-east-1:{ACCT}:key/{key_id}"
    assert r.get("KeyMetadata.KeyState") == "Enabled"
    assert s.key_state(arn) == "Enabled"
    assert s.key_state(arn, at="+0s") is None  # did not exist yet
    assert s.world.keys[key_id].since.rule == "R-KMS-01"


def test_create_external_key_is_pending_import(s: Simulator) -> None:
    r = ok(s, "kms:CreateKey", {"Origin": "EXTERNAL"}, at="+1m")
    assert r.get("KeyMetadata.KeyState") == "PendingImport"
    assert r.get("KeyMetadata.Enabled") is False
    assert s.key_state(r.get("KeyMetadata.Arn")) == "PendingImport"


def test_create_key_ids_are_recorded_draws(s: Simulator) -> None:
    r = ok(s, "kms:CreateKey", at="+1m")
    assert r.event.draws["KeyId"] == r.get("KeyMetadata.KeyId")
    again = Simulator(start=START, account=ACCT)
    again.principal("admin", policy=ALLOW_ALL)
    again.principal("reader")
    again.principal("user", policy=KMS_READ)
    assert ok(again, "kms:CreateKey", at="+1m").get("KeyMetadata.KeyId") == \
        r.get("KeyMetadata.KeyId")


def test_create_key_incompatible_usage_is_rejected(s: Simulator) -> None:
    rejected(s, "kms:CreateKey", {"KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "SIGN_VERIFY"},
             "ValidationException", at="+1m", rule="R-KMS-28")
    rejected(s, "kms:CreateKey", {"KeySpec": "NOPE"}, "ValidationException", at="+1m")
    assert s.world.keys == {}


@pytest.mark.parametrize("args", [{"Origin": "AWS_CLOUDHSM"},
                                  {"Origin": "EXTERNAL_KEY_STORE", "XksKeyId": "ext-1"}])
def test_create_key_in_a_custom_key_store_needs_its_id(s: Simulator, args: dict) -> None:
    rejected(s, "kms:CreateKey", args, "ValidationException", at="+1m", rule="R-KMS-CKS-22")


def test_create_key_multi_region_in_a_custom_key_store_is_unsupported(s: Simulator) -> None:
    rejected(s, "kms:CreateKey", {"Origin": "AWS_CLOUDHSM", "CustomKeyStoreId": "cks-1",
                                  "MultiRegion": True},
             "UnsupportedOperationException", at="+1m", rule="R-KMS-57")


def test_a_principal_policy_must_be_a_policy_document(s: Simulator) -> None:
    r = s.call("sim:PutPrincipal", {"Name": "odd", "Arn": f"arn:aws:iam::{ACCT}:role/Odd",
                                    "Policies": ["not json"]}, at="+1m")
    assert (r.err, r.rule) == ("MalformedPolicyDocumentException", "R-SIM-05")
    r = s.call("sim:PutPrincipal", {"Name": "odd", "Arn": "arn:aws:s3:::bucket"}, at="+1m")
    assert (r.err, r.rule) == ("ValidationException", "R-SIM-01")


def test_create_key_without_identity_policy_is_denied(s: Simulator) -> None:
    rejected(s, "kms:CreateKey", {}, "AccessDeniedException", at="+1m", as_="reader",
             rule="R-KMS-20")


# -- enable / disable ---------------------------------------------------------------------

def test_disable_then_enable(s: Simulator) -> None:
    k = new_key(s)
    ok(s, "kms:DisableKey", {"KeyId": k}, at="+2m")
    assert s.key_state(k) == "Disabled"
    assert s.world.key_by_arn(k).since.rule == "R-KMS-05"
    ok(s, "kms:EnableKey", {"KeyId": k}, at="+3m")
    assert s.key_state(k) == "Enabled"
    assert s.world.key_by_arn(k).since.rule == "R-KMS-06"
    assert [s.key_state(k, at=t) for t in ("+1m", "+2m", "+3m")] == \
        ["Enabled", "Disabled", "Enabled"]


def test_disable_and_enable_are_idempotent(s: Simulator) -> None:
    k = new_key(s)
    history = list(s.world.key_by_arn(k).history)
    ok(s, "kms:EnableKey", {"KeyId": k}, at="+2m")  # Enabled: succeeds, changes nothing
    assert s.key_state(k) == "Enabled"
    assert s.world.key_by_arn(k).history == history
    ok(s, "kms:DisableKey", {"KeyId": k}, at="+3m")
    since = s.world.key_by_arn(k).since
    ok(s, "kms:DisableKey", {"KeyId": k}, at="+4m")  # Disabled: succeeds, changes nothing
    assert s.key_state(k) == "Disabled"
    assert s.world.key_by_arn(k).since == since  # still Disabled since +3m


@pytest.mark.parametrize("op", ["kms:EnableKey", "kms:DisableKey"])
def test_enable_disable_refused_while_pending_deletion(s: Simulator, op: str) -> None:
    k = new_key(s)
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k}, at="+2m")
    rejected(s, op, {"KeyId": k}, "KMSInvalidStateException", at="+3m", rule="R-KMS-STATE-03")


@pytest.mark.parametrize("op", ["kms:EnableKey", "kms:DisableKey"])
def test_enable_disable_refused_while_pending_import(s: Simulator, op: str) -> None:
    k = external_key(s)
    rejected(s, op, {"KeyId": k}, "KMSInvalidStateException", at="+3m", rule="R-KMS-STATE-05")


# -- deletion -----------------------------------------------------------------------------

@pytest.mark.parametrize("days,accepted", [(6, False), (7, True), (30, True), (31, False)])
def test_pending_window_bounds(s: Simulator, days: int, accepted: bool) -> None:
    k = new_key(s)
    args = {"KeyId": k, "PendingWindowInDays": days}
    if accepted:
        r = ok(s, "kms:ScheduleKeyDeletion", args, at="+2m")
        due = T0 + 2 * 60_000 + days * DAY
        assert r.get("DeletionDate") == due / 1000
        assert r.get("PendingWindowInDays") == days
        assert s.world.key_by_arn(k).deletion_date == due
        assert s.key_state(k) == "PendingDeletion"
    else:
        rejected(s, "kms:ScheduleKeyDeletion", args, "ValidationException", at="+2m",
                 rule="R-KMS-08")
        assert s.key_state(k) == "Enabled"


def test_default_pending_window_is_30_days(s: Simulator) -> None:
    k = new_key(s)
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k}, at="+2m")
    assert s.world.key_by_arn(k).deletion_date == T0 + 2 * 60_000 + 30 * DAY


def test_deletion_happens_exactly_at_deletion_date(s: Simulator) -> None:
    k = new_key(s)
    ok(s, "kms:CreateAlias", {"AliasName": "alias/app", "TargetKeyId": k}, at="+1m")
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k, "PendingWindowInDays": 7}, at="+2m")
    due = T0 + 2 * 60_000 + 7 * DAY
    assert s.key_state(k, at=due - 1) == "PendingDeletion"
    assert s.key_state("alias/app", at=due - 1) == "PendingDeletion"
    assert s.key_state(k, at=due) == "Deleted"
    world = s.world_at(due)
    key = world.key_by_arn(k)
    assert key.since.t == due and key.since.seq is None and key.since.rule == "R-KMS-10"
    assert world.aliases == {}  # the aliases are gone with the key
    assert s.key_state("alias/app", at=due) is None
    # every call on it is NotFoundException, by ARN, id or (gone) alias
    for ref in (k, key.key_id, "alias/app"):
        rejected(s, "kms:DescribeKey", {"KeyId": ref}, "NotFoundException", at="+8d",
                 rule="R-KMS-13")
    for op in ("kms:EnableKey", "kms:CancelKeyDeletion", "kms:ScheduleKeyDeletion",
               "kms:GetKeyPolicy", "kms:DisableKey"):
        rejected(s, op, {"KeyId": k}, "NotFoundException", at="+8d")
    rejected(s, "kms:Encrypt", {"KeyId": k, "Plaintext": "x"}, "NotFoundException", at="+8d")
    rejected(s, "kms:CreateAlias", {"AliasName": "alias/again", "TargetKeyId": k},
             "NotFoundException", at="+8d")
    listed = ok(s, "kms:ListKeys", at="+8d").get("Keys")
    assert listed == []
    # the answer in the past still holds
    assert s.key_state(k, at="+2m") == "PendingDeletion"


def test_deleted_key_never_comes_back(s: Simulator) -> None:
    k = new_key(s)
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k, "PendingWindowInDays": 7}, at="+2m")
    s.advance("30d")
    assert s.key_state(k) == "Deleted"
    rejected(s, "sim:SetKeyUnavailable", {"KeyId": k}, "NotFoundException", at="+31d")
    s.advance("400d")
    assert s.key_state(k) == "Deleted"


@pytest.mark.parametrize("prior", ["Enabled", "Disabled", "PendingImport", "Unavailable"])
def test_schedule_deletion_from_each_allowed_state(s: Simulator, prior: str) -> None:
    k = external_key(s) if prior == "PendingImport" else new_key(s)
    if prior == "Disabled":
        ok(s, "kms:DisableKey", {"KeyId": k}, at="+2m")
    if prior == "Unavailable":
        ok(s, "sim:SetKeyUnavailable", {"KeyId": k}, at="+2m")
    assert s.key_state(k) == prior
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k, "PendingWindowInDays": 7}, at="+3m")
    assert s.key_state(k) == "PendingDeletion"
    assert s.key_state(k, at="+7d3m") == "Deleted"


def test_schedule_deletion_twice_is_refused(s: Simulator) -> None:
    k = new_key(s)
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k, "PendingWindowInDays": 7}, at="+2m")
    rejected(s, "kms:ScheduleKeyDeletion", {"KeyId": k, "PendingWindowInDays": 30},
             "KMSInvalidStateException", at="+3m", rule="R-KMS-STATE-03")
    assert s.key_state(k, at="+7d2m") == "Deleted"  # the first date holds


def test_cancel_deletion_lands_in_disabled(s: Simulator) -> None:
    k = new_key(s)  # Enabled before scheduling
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k, "PendingWindowInDays": 7}, at="+2m")
    ok(s, "kms:CancelKeyDeletion", {"KeyId": k}, at="+3m")
    assert s.key_state(k) == "Disabled"
    key = s.world.key_by_arn(k)
    assert key.deletion_date is None and key.since.rule == "R-KMS-09"
    # the old deletion timer does nothing
    assert s.key_state(k, at="+8d") == "Disabled"


def test_cancel_then_reschedule_uses_the_new_date(s: Simulator) -> None:
    k = new_key(s)
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k, "PendingWindowInDays": 7}, at="+2m")
    ok(s, "kms:CancelKeyDeletion", {"KeyId": k}, at="+3m")
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k, "PendingWindowInDays": 10}, at="+4m")
    assert s.key_state(k, at="+7d3m") == "PendingDeletion"
    assert s.key_state(k, at="+10d4m") == "Deleted"


def test_cancel_deletion_of_external_key_without_material(s: Simulator) -> None:
    k = external_key(s)
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k, "PendingWindowInDays": 7}, at="+2m")
    ok(s, "kms:CancelKeyDeletion", {"KeyId": k}, at="+3m")
    assert s.key_state(k) == "PendingImport"
    assert s.world.key_by_arn(k).since.rule == "R-KMS-50"  # not R-KMS-09's Disabled


def test_cancel_deletion_of_external_key_with_material(s: Simulator) -> None:
    k = external_key(s)
    ok(s, "kms:ImportKeyMaterial", {"KeyId": k, **material(s, k, "+2m"),
                                    "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}, at="+2m")
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k, "PendingWindowInDays": 7}, at="+3m")
    ok(s, "kms:CancelKeyDeletion", {"KeyId": k}, at="+4m")
    assert s.key_state(k) == "Disabled"


@pytest.mark.parametrize("prior", ["Enabled", "Disabled", "PendingImport", "Unavailable"])
def test_cancel_deletion_refused_unless_pending_deletion(s: Simulator, prior: str) -> None:
    k = external_key(s) if prior == "PendingImport" else new_key(s)
    if prior == "Disabled":
        ok(s, "kms:DisableKey", {"KeyId": k}, at="+2m")
    if prior == "Unavailable":
        ok(s, "sim:SetKeyUnavailable", {"KeyId": k}, at="+2m")
    rejected(s, "kms:CancelKeyDeletion", {"KeyId": k}, "KMSInvalidStateException", at="+3m",
             rule="R-KMS-STATE-04")


# -- imported key material ------------------------------------------------------------------

def test_import_material_and_expiry_at_valid_to(s: Simulator) -> None:
    k = external_key(s)
    valid_to = "2026-01-03T00:00:00Z"
    ok(s, "kms:ImportKeyMaterial", {"KeyId": k, **material(s, k, "+2m"),
                                    "ValidTo": valid_to}, at="+2m")
    assert s.key_state(k) == "Enabled"
    described = ok(s, "kms:DescribeKey", {"KeyId": k}, at="+3m").get("KeyMetadata")
    assert described["ValidTo"] == parse_rfc3339(valid_to) / 1000
    assert described["ExpirationModel"] == "KEY_MATERIAL_EXPIRES"
    end = parse_rfc3339(valid_to)
    assert s.key_state(k, at=end - 1) == "Enabled"
    assert s.key_state(k, at=end) == "PendingImport"
    key = s.world_at(end).key_by_arn(k)
    assert key.since.rule == "R-KMS-14" and key.since.t == end
    r = rejected(s, "kms:Encrypt", {"KeyId": k, "Plaintext": "x"}, "KMSInvalidStateException",
                 at="+3d", rule="R-KMS-45")
    assert r.event.out["msg"] == f"{k} is pending import."  # the key state table's words
    # re-import brings it back
    ok(s, "kms:ImportKeyMaterial", {"KeyId": k, **material(s, k, "+4d"),
                                    "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}, at="+4d")
    assert s.key_state(k) == "Enabled"
    assert s.key_state(k, at="+400d") == "Enabled"


def test_import_valid_to_as_epoch_seconds(s: Simulator) -> None:
    k = external_key(s)
    end = T0 + DAY
    ok(s, "kms:ImportKeyMaterial", {"KeyId": k, **material(s, k, "+2m"),
                                    "ValidTo": end // 1000}, at="+2m")
    assert s.key_state(k, at=end - 1000) == "Enabled"
    assert s.key_state(k, at=end) == "PendingImport"


def test_reimport_replaces_the_expiry(s: Simulator) -> None:
    k = external_key(s)
    ok(s, "kms:ImportKeyMaterial", {"KeyId": k, **material(s, k, "+2m"),
                                    "ValidTo": "2026-01-02T00:00:00Z"},
       at="+2m")
    ok(s, "kms:ImportKeyMaterial", {"KeyId": k, **material(s, k, "+3m"),
                                    "ValidTo": "2026-01-05T00:00:00Z"},
       at="+3m")
    assert s.key_state(k, at="2026-01-03T00:00:00Z") == "Enabled"
    assert s.key_state(k, at="2026-01-05T00:00:00Z") == "PendingImport"


def test_disabled_external_key_expires_to_pending_import(s: Simulator) -> None:
    k = external_key(s)
    ok(s, "kms:ImportKeyMaterial", {"KeyId": k, **material(s, k, "+2m"),
                                    "ValidTo": "2026-01-02T00:00:00Z"},
       at="+2m")
    ok(s, "kms:DisableKey", {"KeyId": k}, at="+3m")
    assert s.key_state(k, at="2026-01-02T00:00:00Z") == "PendingImport"


def test_import_material_rejections(s: Simulator) -> None:
    k = external_key(s)
    rejected(s, "kms:ImportKeyMaterial", {"KeyId": k, **MATERIAL}, "ValidationException",
             at="+2m", rule="R-KMS-51")  # expires by default, but no ValidTo
    past = "2025-01-01T00:00:00Z"
    rejected(s, "kms:ImportKeyMaterial", {"KeyId": k, **MATERIAL, "ValidTo": past},
             "ValidationException", at="+2m", rule="R-KMS-51")
    rejected(s, "kms:ImportKeyMaterial", {"KeyId": k, **MATERIAL, "ValidTo": "tomorrow"},
             "ValidationException", at="+2m")
    aws = new_key(s, at="+3m")
    rejected(s, "kms:ImportKeyMaterial", {"KeyId": aws, **MATERIAL, "ValidTo": LATER},
             "UnsupportedOperationException", at="+4m", rule="R-KMS-48")
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k}, at="+5m")
    rejected(s, "kms:ImportKeyMaterial", {"KeyId": k, **MATERIAL, "ValidTo": LATER},
             "KMSInvalidStateException", at="+6m", rule="R-KMS-STATE-08")


def test_valid_to_only_with_expiring_material_and_within_a_year(s: Simulator) -> None:
    """R-KMS-51: ValidTo is 'not valid' without KEY_MATERIAL_EXPIRES, and at most 365 days
    from the request date."""
    k = external_key(s)
    rejected(s, "kms:ImportKeyMaterial", {"KeyId": k, **MATERIAL, "ValidTo": LATER,
                                          "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"},
             "ValidationException", at="+2m", rule="R-KMS-51")
    rejected(s, "kms:ImportKeyMaterial", {"KeyId": k, **MATERIAL,
                                          "ValidTo": "2027-01-01T00:02:00.001Z"},
             "ValidationException", at="+2m", rule="R-KMS-51")
    ok(s, "kms:ImportKeyMaterial", {"KeyId": k, **material(s, k, "+2m"),
                                    "ValidTo": "2027-01-01T00:02:00Z"},
       at="+2m")  # exactly 365 days


def test_delete_imported_material_while_pending_deletion(s: Simulator) -> None:
    """R-KMS-15: in PendingDeletion the material goes and the state stays; cancelling then
    leaves a key without material, so PendingImport (R-KMS-50)."""
    k = external_key(s)
    ok(s, "kms:ImportKeyMaterial", {"KeyId": k, **material(s, k, "+2m"),
                                    "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}, at="+2m")
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k}, at="+3m")
    ok(s, "kms:DeleteImportedKeyMaterial", {"KeyId": k}, at="+4m")
    assert s.key_state(k) == "PendingDeletion"
    ok(s, "kms:CancelKeyDeletion", {"KeyId": k}, at="+5m")
    assert s.key_state(k) == "PendingImport"


def test_delete_imported_material(s: Simulator) -> None:
    k = external_key(s)
    ok(s, "kms:ImportKeyMaterial", {"KeyId": k, **material(s, k, "+2m"),
                                    "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}, at="+2m")
    ok(s, "kms:DeleteImportedKeyMaterial", {"KeyId": k}, at="+3m")
    assert s.key_state(k) == "PendingImport"
    aws = new_key(s, at="+4m")
    rejected(s, "kms:DeleteImportedKeyMaterial", {"KeyId": aws},
             "UnsupportedOperationException", at="+5m", rule="R-KMS-48")


# -- Unavailable (custom key store) ---------------------------------------------------------

@pytest.mark.parametrize("prior", ["Enabled", "Disabled"])
def test_unavailable_returns_to_prior_state(s: Simulator, prior: str) -> None:
    k = new_key(s)
    if prior == "Disabled":
        ok(s, "kms:DisableKey", {"KeyId": k}, at="+2m")
    ok(s, "sim:SetKeyUnavailable", {"KeyId": k}, at="+3m")
    assert s.key_state(k) == "Unavailable"
    assert s.world.key_by_arn(k).since.rule == "R-KMS-11"
    r = rejected(s, "kms:Encrypt", {"KeyId": k, "Plaintext": "x"}, "KMSInvalidStateException",
                 at="+4m", rule="R-KMS-45")
    assert r.event.out["msg"] == f"{k} is unavailable."
    rejected(s, "sim:SetKeyUnavailable", {"KeyId": k}, "KMSInvalidStateException", at="+4m",
             rule="R-KMS-12")  # EnableKey/DisableKey succeed here (R-KMS-STATE-10)
    ok(s, "sim:SetKeyAvailable", {"KeyId": k}, at="+5m")
    assert s.key_state(k) == prior


def test_set_available_refused_unless_unavailable(s: Simulator) -> None:
    k = new_key(s)
    rejected(s, "sim:SetKeyAvailable", {"KeyId": k}, "KMSInvalidStateException", at="+2m")


def test_set_unavailable_refused_while_pending_import_or_deletion(s: Simulator) -> None:
    k = external_key(s)
    rejected(s, "sim:SetKeyUnavailable", {"KeyId": k}, "KMSInvalidStateException", at="+2m")
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k}, at="+3m")
    rejected(s, "sim:SetKeyUnavailable", {"KeyId": k}, "KMSInvalidStateException", at="+4m")


def test_material_expiring_while_unavailable_returns_to_pending_import(s: Simulator) -> None:
    k = external_key(s)
    ok(s, "kms:ImportKeyMaterial", {"KeyId": k, **material(s, k, "+2m"),
                                    "ValidTo": "2026-01-02T00:00:00Z"},
       at="+2m")
    ok(s, "sim:SetKeyUnavailable", {"KeyId": k}, at="+3m")
    assert s.key_state(k, at="+1d1m") == "Unavailable"
    ok(s, "sim:SetKeyAvailable", {"KeyId": k}, at="+2d")
    assert s.key_state(k) == "PendingImport"  # the material expired meanwhile


def test_a_state_change_records_the_rule_its_table_row_cites(
        s: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    # Unavailable -> PendingImport (the material expired meanwhile): the table's row, not
    # the fold, names the rule; re-labelling the row shows where the id comes from
    k = external_key(s)
    ok(s, "kms:ImportKeyMaterial", {"KeyId": k, **material(s, k, "+2m"),
                                    "ValidTo": "2026-01-02T00:00:00Z"},
       at="+2m")
    ok(s, "sim:SetKeyUnavailable", {"KeyId": k}, at="+3m")
    assert s.key_state(k, at="+1d1m") == "Unavailable"
    assert rule_of(KEY_TRANSITIONS, "set_available", "Unavailable", "PendingImport") == "R-KMS-14"
    row = next(r for r in KEY_TRANSITIONS
               if r["trigger"] == "set_available" and r["dest"] == "PendingImport")
    monkeypatch.setitem(row, "rule", "R-KMS-TABLE")
    ok(s, "sim:SetKeyAvailable", {"KeyId": k}, at="+2d")
    key = s.world.key_by_arn(k)
    assert (key.state, key.since.rule, key.history[-1][3]) == (
        "PendingImport", "R-KMS-TABLE", "R-KMS-TABLE")


def test_every_recorded_state_change_is_a_row_of_the_table(s: Simulator) -> None:
    k, ext = new_key(s), external_key(s)
    ok(s, "kms:DisableKey", {"KeyId": k}, at="+2m")
    ok(s, "sim:SetKeyUnavailable", {"KeyId": k}, at="+3m")
    ok(s, "sim:SetKeyAvailable", {"KeyId": k}, at="+4m")
    ok(s, "kms:EnableKey", {"KeyId": k}, at="+5m")
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k, "PendingWindowInDays": 7}, at="+6m")
    ok(s, "kms:CancelKeyDeletion", {"KeyId": k}, at="+7m")
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": ext, "PendingWindowInDays": 7}, at="+8m")
    ok(s, "kms:CancelKeyDeletion", {"KeyId": ext}, at="+9m")
    ok(s, "kms:ImportKeyMaterial", {"KeyId": ext, **material(s, ext, "+10m"),
                                    "ValidTo": "2026-01-02T00:00:00Z"},
       at="+10m")
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k, "PendingWindowInDays": 7}, at="+11m")
    ok(s, "sim:SetKeyUnavailable", {"KeyId": ext}, at="+12m")
    ok(s, "sim:SetKeyAvailable", {"KeyId": ext}, at="+2d")  # its material expired meanwhile
    s.advance(s.when("+9d") - s.now)  # k's deletion happens
    assert (s.key_state(k), s.key_state(ext)) == ("Deleted", "PendingImport")
    for key in (s.world.key_by_arn(k), s.world.key_by_arn(ext)):
        changes = list(zip(key.history, key.history[1:], strict=False))
        assert len(changes) >= 4
        for (_, _, before, _), (_, _, after, rule) in changes:
            rules = {r["rule"] for r in KEY_TRANSITIONS if r["dest"] == after
                     and before in ([r["source"]] if isinstance(r["source"], str)
                                    else r["source"])}
            assert rule in rules, (before, after, rule)


def test_unavailable_key_scheduled_and_cancelled(s: Simulator) -> None:
    k = new_key(s)
    ok(s, "sim:SetKeyUnavailable", {"KeyId": k}, at="+2m")
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k, "PendingWindowInDays": 7}, at="+3m")
    ok(s, "kms:CancelKeyDeletion", {"KeyId": k}, at="+4m")
    assert s.key_state(k) == "Disabled"


# -- identifiers ------------------------------------------------------------------------------

def test_key_id_forms(s: Simulator) -> None:
    r = ok(s, "kms:CreateKey", at="+1m")
    arn, key_id = r.get("KeyMetadata.Arn"), r.get("KeyMetadata.KeyId")
    ok(s, "kms:CreateAlias", {"AliasName": "alias/app", "TargetKeyId": key_id}, at="+2m")
    alias_arn = f"arn:aws:kms:us-east-1:{ACCT}:alias/app"
    for ref in (key_id, arn, "alias/app", alias_arn):
        got = ok(s, "kms:DescribeKey", {"KeyId": ref}, at="+3m").get("KeyMetadata.Arn")
        assert got == arn
    ok(s, "kms:DisableKey", {"KeyId": alias_arn}, at="+4m")
    assert s.key_state(arn) == "Disabled"


def test_unknown_keys_are_not_found(s: Simulator) -> None:
    new_key(s)
    for ref in ("1234abcd-12ab-34cd-56ef-1234567890ab",
                f"arn:aws:kms:us-east-1:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                "alias/nope", f"arn:aws:kms:us-east-1:{ACCT}:alias/nope"):
        rejected(s, "kms:DescribeKey", {"KeyId": ref}, "NotFoundException", at="+2m",
                 rule="R-KMS-13")


def test_a_key_arn_must_be_the_keys_own(s: Simulator) -> None:
    """R-KMS-34: partition, Region and account of a key ARN must be the key's, and a refused
    call changes nothing."""
    arn = new_key(s)
    key_id = arn.rsplit("/", 1)[1]
    for other in (arn.replace("arn:aws:", "arn:aws-cn:"),
                  arn.replace("arn:aws:", "arn:aws-us-gov:"),
                  f"arn:aws:kms:us-east-1:{OTHER}:key/{key_id}"):
        r = rejected(s, "kms:ScheduleKeyDeletion", {"KeyId": other}, "NotFoundException",
                     at="+2m", rule="R-KMS-34")
        assert "is not the key's own" in r.event.out["msg"]
    ok(s, "kms:CreateAlias", {"AliasName": "alias/app", "TargetKeyId": arn}, at="+3m")
    rejected(s, "kms:DisableKey", {"KeyId": f"arn:aws-cn:kms:us-east-1:{ACCT}:alias/app"},
             "NotFoundException", at="+4m")
    assert s.key_state(arn) == "Enabled"


def test_keys_in_another_region_do_not_resolve(s: Simulator) -> None:
    r = ok(s, "kms:CreateKey", at="+1m")
    arn, key_id = r.get("KeyMetadata.Arn"), r.get("KeyMetadata.KeyId")
    ok(s, "kms:CreateAlias", {"AliasName": "alias/app", "TargetKeyId": key_id}, at="+2m")
    alias_arn = f"arn:aws:kms:us-east-1:{ACCT}:alias/app"
    for ref in (key_id, arn, "alias/app", alias_arn):
        rejected(s, "kms:DescribeKey", {"KeyId": ref}, "NotFoundException", at="+3m",
                 region="eu-west-1")
    rejected(s, "kms:DisableKey", {"KeyId": arn}, "NotFoundException", at="+3m",
             region="eu-west-1")
    assert s.key_state(arn) == "Enabled"
    assert ok(s, "kms:ListKeys", at="+3m", region="eu-west-1").get("Keys") == []


def test_keys_in_another_account_do_not_resolve_by_id_or_alias(s: Simulator) -> None:
    r = ok(s, "kms:CreateKey", at="+1m")
    arn, key_id = r.get("KeyMetadata.Arn"), r.get("KeyMetadata.KeyId")
    ok(s, "kms:CreateAlias", {"AliasName": "alias/app", "TargetKeyId": key_id}, at="+2m")
    s.principal("stranger", arn=f"arn:aws:iam::{OTHER}:role/Admin", policy=ALLOW_ALL)
    for ref in (key_id, "alias/app"):
        rejected(s, "kms:DescribeKey", {"KeyId": ref}, "NotFoundException", at="+3m",
                 as_="stranger")
    # by ARN the key is found, and its (default) key policy does not trust the other account
    rejected(s, "kms:DisableKey", {"KeyId": arn}, "AccessDeniedException", at="+3m",
             as_="stranger", rule="R-KMS-19")
    rejected(s, "kms:Encrypt", {"KeyId": arn, "Plaintext": "x"}, "AccessDeniedException",
             at="+3m", as_="stranger")


def test_alias_rules(s: Simulator) -> None:
    k = new_key(s)
    k2 = new_key(s, at="+2m")
    ok(s, "kms:CreateAlias", {"AliasName": "alias/app", "TargetKeyId": k}, at="+3m")
    rejected(s, "kms:CreateAlias", {"AliasName": "alias/app", "TargetKeyId": k2},
             "AlreadyExistsException", at="+4m", rule="R-KMS-18")
    rejected(s, "kms:CreateAlias", {"AliasName": "alias/aws/x", "TargetKeyId": k},
             "NotAuthorizedException", at="+4m", rule="R-KMS-52")
    rejected(s, "kms:CreateAlias", {"AliasName": "app", "TargetKeyId": k},
             "ValidationException", at="+4m")
    rejected(s, "kms:CreateAlias", {"AliasName": "alias/b", "TargetKeyId": "alias/app"},
             "ValidationException", at="+4m", rule="R-KMS-17")  # "the key ID or key ARN"
    k3 = new_key(s, at="+4m")
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k3}, at="+4m")
    rejected(s, "kms:UpdateAlias", {"AliasName": "alias/app", "TargetKeyId": k3},
             "KMSInvalidStateException", at="+4m", rule="R-KMS-STATE-09")
    rejected(s, "kms:CreateAlias", {"AliasName": "alias/c", "TargetKeyId": k3},
             "KMSInvalidStateException", at="+4m", rule="R-KMS-STATE-03")
    ok(s, "kms:UpdateAlias", {"AliasName": "alias/app", "TargetKeyId": k2}, at="+5m")
    assert s.key_state("alias/app") == "Enabled"
    ok(s, "kms:DisableKey", {"KeyId": "alias/app"}, at="+6m")
    assert s.key_state(k2) == "Disabled" and s.key_state(k) == "Enabled"
    aliases = ok(s, "kms:ListAliases", {"KeyId": k2}, at="+7m").get("Aliases")
    assert [a["AliasName"] for a in aliases] == ["alias/app"]
    ok(s, "kms:DeleteAlias", {"AliasName": "alias/app"}, at="+8m")
    rejected(s, "kms:DeleteAlias", {"AliasName": "alias/app"}, "NotFoundException", at="+9m")
    assert s.key_state(k2) == "Disabled"


# -- cryptographic operations ---------------------------------------------------------------

def test_crypto_roundtrip_on_enabled_key(s: Simulator) -> None:
    k = new_key(s)
    ctx = {"purpose": "test"}
    blob = ok(s, "kms:Encrypt", {"KeyId": k, "Plaintext": "secret", "EncryptionContext": ctx},
              at="+2m").get("CiphertextBlob")
    out = ok(s, "kms:Decrypt", {"CiphertextBlob": blob, "EncryptionContext": ctx}, at="+3m")
    assert out.get("Plaintext") == "secret" and out.get("KeyId") == k
    rejected(s, "kms:Decrypt", {"CiphertextBlob": blob}, "InvalidCiphertextException", at="+3m")
    k2 = new_key(s, at="+4m")
    re = ok(s, "kms:ReEncrypt", {"CiphertextBlob": blob, "SourceEncryptionContext": ctx,
                                 "DestinationKeyId": k2}, at="+5m")
    assert re.get("KeyId") == k2 and re.get("SourceKeyId") == k
    assert ok(s, "kms:Decrypt", {"CiphertextBlob": re.get("CiphertextBlob")},
              at="+6m").get("Plaintext") == "secret"
    dk = ok(s, "kms:GenerateDataKey", {"KeyId": k, "KeySpec": "AES_256"}, at="+7m")
    assert ok(s, "kms:Decrypt", {"CiphertextBlob": dk.get("CiphertextBlob")},
              at="+8m").get("Plaintext") == dk.get("Plaintext")
    rejected(s, "kms:Decrypt", {"CiphertextBlob": blob, "KeyId": k2,
                                "EncryptionContext": ctx}, "IncorrectKeyException", at="+9m",
             rule="R-KMS-54")
    rejected(s, "kms:Decrypt", {"CiphertextBlob": "bm90IGttc2lt"},
             "InvalidCiphertextException", at="+9m", rule="R-KMS-53")
    rejected(s, "kms:Decrypt", {"CiphertextBlob": blob, "EncryptionContext": {"other": "x"}},
             "InvalidCiphertextException", at="+9m", rule="R-KMS-53")


def test_crypto_disabled_vs_invalid_state(s: Simulator) -> None:
    k = new_key(s)
    blob = ok(s, "kms:Encrypt", {"KeyId": k, "Plaintext": "p"}, at="+2m").get("CiphertextBlob")
    ok(s, "kms:DisableKey", {"KeyId": k}, at="+3m")
    for op, args in (("kms:Encrypt", {"KeyId": k, "Plaintext": "p"}),
                     ("kms:GenerateDataKey", {"KeyId": k}),
                     ("kms:Decrypt", {"CiphertextBlob": blob})):
        r = rejected(s, op, args, "DisabledException", at="+4m", rule="R-KMS-45")
        assert r.event.out["msg"] == f"{k} is disabled."
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k}, at="+5m")
    for op, args in (("kms:Encrypt", {"KeyId": k, "Plaintext": "p"}),
                     ("kms:GenerateDataKey", {"KeyId": k}),
                     ("kms:Decrypt", {"CiphertextBlob": blob})):
        r = rejected(s, op, args, "KMSInvalidStateException", at="+6m", rule="R-KMS-47")
        assert r.event.out["msg"] == f"{k} is pending deletion."
    k2 = new_key(s, at="+7m")
    rejected(s, "kms:ReEncrypt", {"CiphertextBlob": blob, "DestinationKeyId": k2},
             "KMSInvalidStateException", at="+8m")
    s.advance("31d")
    rejected(s, "kms:Decrypt", {"CiphertextBlob": blob}, "NotFoundException", at="+32d")


def test_pending_deletion_crypto_error_is_an_assumption() -> None:
    """R-KMS-46: the key state table allows DisabledException too; A-PENDING-DELETION-CRYPTO
    picks it (R-KMS-47)."""
    s = Simulator(start=START, account=ACCT,
                  assumptions={"pending_deletion_crypto": "disabled"})
    s.principal("admin", policy=ALLOW_ALL)
    k = new_key(s)
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k}, at="+2m")
    r = rejected(s, "kms:GenerateDataKey", {"KeyId": k}, "DisabledException", at="+3m",
                 rule="R-KMS-47")
    assert r.event.out["msg"] == f"{k} is pending deletion."


def test_reserved_alias_error_is_an_assumption() -> None:
    s = Simulator(start=START, account=ACCT, assumptions={"reserved_alias": "invalid-alias-name"})
    s.principal("admin", policy=ALLOW_ALL)
    k = new_key(s)
    rejected(s, "kms:CreateAlias", {"AliasName": "alias/aws/x", "TargetKeyId": k},
             "InvalidAliasNameException", at="+2m", rule="R-KMS-52")


def test_sign_verify_key_cannot_encrypt(s: Simulator) -> None:
    k = new_key(s, KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    for op, args in (("kms:Encrypt", {"KeyId": k, "Plaintext": "p"}),
                     ("kms:GenerateDataKey", {"KeyId": k}),
                     ("kms:Decrypt", {"KeyId": k})):
        rejected(s, op, args, "InvalidKeyUsageException", at="+2m", rule="R-KMS-21")


# -- authorization ----------------------------------------------------------------------------

def test_default_policy_needs_an_identity_policy(s: Simulator) -> None:
    k = new_key(s)  # default key policy: account root kms:*
    r = rejected(s, "kms:Encrypt", {"KeyId": k, "Plaintext": "p"}, "AccessDeniedException",
                 at="+2m", as_="reader", rule="R-KMS-19")
    assert "no identity-based policy allows the kms:Encrypt action" in r.event.out["msg"]
    rejected(s, "kms:Decrypt", {"KeyId": k}, "AccessDeniedException", at="+2m", as_="reader")
    rejected(s, "kms:DisableKey", {"KeyId": k}, "AccessDeniedException", at="+2m",
             as_="reader")
    # with an identity policy allowing it, the same default key policy lets it through
    blob = ok(s, "kms:Encrypt", {"KeyId": k, "Plaintext": "p"}, at="+3m", as_="user") \
        .get("CiphertextBlob")
    assert ok(s, "kms:Decrypt", {"CiphertextBlob": blob}, at="+3m", as_="user").ok
    # ...but only for what it allows
    rejected(s, "kms:DisableKey", {"KeyId": k}, "AccessDeniedException", at="+4m", as_="user")
    # the account root needs no identity policy
    assert ok(s, "kms:DescribeKey", {"KeyId": k}, at="+5m", as_=f"arn:aws:iam::{ACCT}:root").ok


def test_key_policy_naming_the_principal_allows_directly(s: Simulator) -> None:
    reader = s.principal_arn("reader")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": reader}, "Action": "kms:Decrypt",
         "Resource": "*"}]}
    k = new_key(s, Policy=json.dumps(policy))
    assert ok(s, "kms:Decrypt", {"KeyId": k}, at="+2m", as_="reader").ok
    rejected(s, "kms:Encrypt", {"KeyId": k, "Plaintext": "p"}, "AccessDeniedException",
             at="+2m", as_="reader")


def test_explicit_deny_wins(s: Simulator) -> None:
    user = s.principal_arn("user")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Effect": "Deny", "Principal": {"AWS": user}, "Action": "kms:Decrypt",
         "Resource": "*"}]}
    k = new_key(s, Policy=json.dumps(policy))
    r = rejected(s, "kms:Decrypt", {"KeyId": k}, "AccessDeniedException", at="+2m", as_="user")
    assert "explicit deny in a resource-based policy" in r.event.out["msg"]
    assert ok(s, "kms:Encrypt", {"KeyId": k, "Plaintext": "p"}, at="+2m", as_="user").ok
    # an explicit deny in the identity policy wins over the admin's allow-all
    deny = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "kms:Disable*", "Resource": "*"}]}
    s.principal("careful", policy=deny)
    r = rejected(s, "kms:DisableKey", {"KeyId": k}, "AccessDeniedException", at="+3m",
                 as_="careful")
    assert "with an explicit deny in an identity-based policy" in r.event.out["msg"]
    assert s.key_state(k) == "Enabled"


def test_put_and_get_key_policy(s: Simulator) -> None:
    k = new_key(s)
    got = json.loads(ok(s, "kms:GetKeyPolicy", {"KeyId": k}, at="+2m").get("Policy"))
    assert got["Statement"] == [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                                 "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                                 "Action": "kms:*", "Resource": "*"}]
    reader = s.principal_arn("reader")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"}, "Action": "kms:*",
         "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": reader}, "Action": "kms:Encrypt",
         "Resource": "*"}]}
    rejected(s, "kms:Encrypt", {"KeyId": k, "Plaintext": "p"}, "AccessDeniedException",
             at="+3m", as_="reader")
    ok(s, "kms:PutKeyPolicy", {"KeyId": k, "Policy": json.dumps(policy)}, at="+4m")
    assert json.loads(ok(s, "kms:GetKeyPolicy", {"KeyId": k}, at="+5m").get("Policy")) == policy
    assert ok(s, "kms:Encrypt", {"KeyId": k, "Plaintext": "p"}, at="+5m", as_="reader").ok
    # only the admin may change the policy: the reader is not allowed PutKeyPolicy
    rejected(s, "kms:PutKeyPolicy", {"KeyId": k, "Policy": json.dumps(policy)},
             "AccessDeniedException", at="+6m", as_="reader")
    rejected(s, "kms:PutKeyPolicy", {"KeyId": k, "Policy": json.dumps(policy),
                                     "PolicyName": "other"}, "ValidationException", at="+6m")
    r = rejected(s, "kms:PutKeyPolicy", {"KeyId": k, "Policy": json.dumps(policy),
                                         "PolicyName": "AWS_RAM"}, "ValidationException",
                 at="+6m", rule="R-KMS-56")
    assert r.event.out["msg"] == "The AWS_RAM policy can only be managed by the RAM service."


def test_policy_lockout_check(s: Simulator) -> None:
    k = new_key(s)
    lockout = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": s.principal_arn("reader")},
         "Action": "kms:Decrypt", "Resource": "*"}]})
    rejected(s, "kms:PutKeyPolicy", {"KeyId": k, "Policy": lockout},
             "MalformedPolicyDocumentException", at="+2m", rule="R-KMS-22")
    rejected(s, "kms:CreateKey", {"Policy": lockout}, "MalformedPolicyDocumentException",
             at="+2m", rule="R-KMS-22")
    ok(s, "kms:PutKeyPolicy", {"KeyId": k, "Policy": lockout,
                               "BypassPolicyLockoutSafetyCheck": True}, at="+3m")
    # now even the admin is locked out
    rejected(s, "kms:PutKeyPolicy", {"KeyId": k, "Policy": lockout}, "AccessDeniedException",
             at="+4m")


def test_policy_lockout_off() -> None:
    s = Simulator(start=START, account=ACCT, assumptions={"policy_lockout": "off"})
    s.principal("admin", policy=ALLOW_ALL)
    s.principal("reader")
    k = new_key(s)
    lockout = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": s.principal_arn("reader")},
         "Action": "kms:Decrypt", "Resource": "*"}]})
    ok(s, "kms:PutKeyPolicy", {"KeyId": k, "Policy": lockout}, at="+2m")
    assert ok(s, "kms:CreateKey", {"Policy": lockout}, at="+3m").ok
    assert s.world.settings["policy_lockout"] == "off"


@pytest.mark.parametrize("doc", ["not json", "[]", '{"Statement": []}',
                                 '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe",'
                                 '"Action":"kms:*","Resource":"*"}]}'])
def test_malformed_policy(s: Simulator, doc: str) -> None:
    k = new_key(s)
    rejected(s, "kms:PutKeyPolicy", {"KeyId": k, "Policy": doc},
             "MalformedPolicyDocumentException", at="+2m", rule="R-KMS-55")
    rejected(s, "kms:CreateKey", {"Policy": doc}, "MalformedPolicyDocumentException", at="+2m")
    assert len(s.world.keys) == 1


def test_missing_and_mistyped_parameters(s: Simulator) -> None:
    k = new_key(s)
    rejected(s, "kms:DisableKey", {}, "ValidationException", at="+2m", rule="R-KMS-17")
    rejected(s, "kms:DisableKey", {"KeyId": 5}, "ValidationException", at="+2m")
    rejected(s, "kms:ScheduleKeyDeletion", {"KeyId": k, "PendingWindowInDays": "7"},
             "ValidationException", at="+2m")
    rejected(s, "kms:NoSuchCall", {}, "UnknownOperationException", at="+2m", rule="R-SIM-03")


# -- the simulator's time -----------------------------------------------------------------

def test_reading_the_future_does_not_move_the_clock(s: Simulator) -> None:
    k = new_key(s)
    ok(s, "kms:ScheduleKeyDeletion", {"KeyId": k, "PendingWindowInDays": 7}, at="+2m")
    assert s.key_state(k, at="+8d") == "Deleted"
    # a read is not a step: the timeline can still go on from where the calls left it
    ok(s, "kms:CancelKeyDeletion", {"KeyId": k}, at="+1d")
    assert s.key_state(k, at="+8d") == "Disabled"


def test_time_only_moves_forward(s: Simulator) -> None:
    new_key(s, at="+5m")
    with pytest.raises(ValueError):
        s.call("kms:ListKeys", {}, at="+1m", as_="admin")

"""Timer kinds are registered with their priority (``@on_timer(kind, priority=...)``).

Scheduling a kind nothing registered is refused, and every timer a fold schedules
carries the priority its kind was registered with, so timers due at the same instant
fire in a declared order (replay is deterministic).
"""

from __future__ import annotations

import pytest
from logs_support import ACCT, call_ok, make_key, new_sim, put

import projections  # noqa: F401  (registers every area's folds and timers)
from events.timefmt import parse_rfc3339
from projections import world as world_mod
from projections.world import World, on_timer

START = "2026-01-01T00:00:00Z"
QR_ARN = f"arn:aws:logs:us-east-1:{ACCT}:query-result:*"


def test_scheduling_an_unknown_kind_is_refused() -> None:
    w = World(start=parse_rfc3339(START))
    with pytest.raises(ValueError, match="unknown timer kind 'expiry'"):
        w.schedule(w.now + 1, "expiry", "target")
    assert w.pending_timers() == []  # the refused timer was not added


def test_the_kinds_the_folds_schedule_are_registered() -> None:
    # every kind a fold schedules today, with the order they were given
    assert world_mod.TIMER_PRIORITY == {"key-deletion": 0, "material-expiry": 1,
                                        "association": 2, "retention": 3, "query-expiry": 4,
                                        "key-rotation": 3, "key-rotation-on-demand": 3,
                                        "mrk-replica-created": 2, "mrk-update-done": 2,
                                        "cks-connected": 2}
    assert set(world_mod._TIMERS) == set(world_mod.TIMER_PRIORITY)


@pytest.mark.parametrize("kind", sorted(world_mod.TIMER_PRIORITY))
def test_a_scheduled_timer_has_its_kinds_registered_priority(kind: str) -> None:
    w = World(start=0)
    timer = w.schedule(10, kind, "target")
    assert timer.priority == world_mod.TIMER_PRIORITY[kind]


def test_timers_the_folds_schedule_carry_their_registered_priority() -> None:
    # one timer of every kind: a propagation window, retention, a query, material, deletion
    sim = new_sim("max", rot_on_demand="fixed:1m", mrk_transient="fixed:5s",
                  cks_connecting="fixed:1m")
    k1, k2 = make_key(sim), make_key(sim)
    call_ok(sim, "kms:EnableKeyRotation", {"KeyId": k1}, "+0s")  # R-KMS-ROT-02
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": k1}, "+1m")
    call_ok(sim, "logs:PutRetentionPolicy", {"logGroupName": "app", "retentionInDays": 1},
            "+1m")
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+1m")
    put(sim, "+2m", "e1", message="GET /index 200")
    call_ok(sim, "logs:AssociateKmsKey", {"resourceIdentifier": QR_ARN, "kmsKeyId": k2}, "+2m")
    call_ok(sim, "logs:StartQuery", {"logGroupName": "app", "queryString": "fields @message",
                                     "startTime": 1_767_225_600, "endTime": 1_767_312_000},
            "+3m")
    ext = call_ok(sim, "kms:CreateKey", {"Origin": "EXTERNAL"}, "+3m")["KeyMetadata"]["Arn"]
    token = call_ok(sim, "kms:GetParametersForImport", {  # R-KMS-MGMT-13
        "KeyId": ext, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"},
        "+3m")["ImportToken"]
    call_ok(sim, "kms:ImportKeyMaterial", {"KeyId": ext, "ImportToken": token,
                                           "EncryptedKeyMaterial": "material",
                                           "ValidTo": "2026-01-05T00:00:00Z"}, "+3m")
    call_ok(sim, "kms:ScheduleKeyDeletion", {"KeyId": ext, "PendingWindowInDays": 7}, "+3m")
    call_ok(sim, "kms:RotateKeyOnDemand", {"KeyId": k2}, "+3m")  # A-ROT-ON-DEMAND fixed:
    # A-MRK-TRANSIENT and A-CKS-CONNECTING fixed: Creating, Updating, CONNECTING
    mrk = call_ok(sim, "kms:CreateKey", {"MultiRegion": True}, "+3m")["KeyMetadata"]["KeyId"]
    call_ok(sim, "kms:ReplicateKey", {"KeyId": mrk, "ReplicaRegion": "us-west-2"}, "+3m")
    call_ok(sim, "kms:UpdatePrimaryRegion", {"KeyId": mrk, "PrimaryRegion": "us-west-2"},
            "+3m5s")  # the replica is Enabled by now
    mrk2 = call_ok(sim, "kms:CreateKey", {"MultiRegion": True}, "+3m5s")["KeyMetadata"]["KeyId"]
    call_ok(sim, "kms:ReplicateKey", {"KeyId": mrk2, "ReplicaRegion": "eu-west-1"}, "+3m5s")
    store = call_ok(sim, "kms:CreateCustomKeyStore", {
        "CustomKeyStoreName": "s", "CloudHsmClusterId": "cluster-aaaaaaaaaaaa",
        "KeyStorePassword": "kmsuser-pw", "TrustAnchorCertificate": "CERT"}, "+3m5s")
    call_ok(sim, "kms:ConnectCustomKeyStore", {"CustomKeyStoreId": store["CustomKeyStoreId"]},
            "+3m5s")
    timers = sim.world.pending_timers()
    assert {t.kind for t in timers} == set(world_mod.TIMER_PRIORITY)
    for timer in timers:
        assert timer.priority == world_mod.TIMER_PRIORITY[timer.kind], timer


def test_same_instant_timers_fire_in_priority_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(world_mod, "_TIMERS", dict(world_mod._TIMERS))
    monkeypatch.setattr(world_mod, "TIMER_PRIORITY", dict(world_mod.TIMER_PRIORITY))
    fired: list[str] = []
    on_timer("test-late", priority=7)(lambda w, t: fired.append(t.kind))
    on_timer("test-early", priority=-1)(lambda w, t: fired.append(t.kind))
    w = World(start=0)
    w.schedule(5, "test-late", "a")  # scheduled first, yet fires last
    w.schedule(5, "test-early", "b")
    w.advance_to(5)
    assert fired == ["test-early", "test-late"]

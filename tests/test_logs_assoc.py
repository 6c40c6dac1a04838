"""logs:AssociateKmsKey / DisassociateKmsKey: every SPEC 3.4 check in order, the 5-minute
window under each A-PROPAGATION model, replace and disassociate, through the Simulator."""

from __future__ import annotations

import pytest
from logs_support import (
    ACCT,
    OTHER,
    call_ok,
    logs_policy,
    make_key,
    new_sim,
    put,
    snapshot,
)

from projections.windows import draw_delay
from sim.replay import replay

GROUP_ARN = f"arn:aws:logs:us-east-1:{ACCT}:log-group:app"
QR_ARN = f"arn:aws:logs:us-east-1:{ACCT}:query-result:*"


@pytest.fixture
def world():
    """A simulator with key k1 (logs allowed) and log group ``app``."""
    sim = new_sim("instant")
    k1 = make_key(sim)
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app"}, "+1m")
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+1m")
    return sim, k1


def assoc(sim, args, at, expect, rule=None):
    """Call AssociateKmsKey; a failure must name ``rule`` and change nothing."""
    before = snapshot(sim)
    r = sim.call("logs:AssociateKmsKey", args, at=at)
    assert r.outcome == expect, r.event.out
    if expect != "ok":
        assert r.rule == rule, r.event.out
        assert snapshot(sim) == before
    return r


# -- the checks, in order ------------------------------------------------------------------

@pytest.mark.parametrize("args,rule", [
    ({}, "R-LOGS-02"),
    ({"logGroupName": "app", "resourceIdentifier": GROUP_ARN}, "R-LOGS-02"),
    ({"logGroupName": "app!"}, "R-LOGS-19"),                     # pattern: whole value
    ({"logGroupName": "a" * 513}, "R-LOGS-19"),
    ({"resourceIdentifier": "arn with spaces"}, "R-LOGS-19"),
    ({"resourceIdentifier": f"arn:aws:logs:us-east-1:{ACCT}:destination:x"}, "R-LOGS-21"),
    ({"resourceIdentifier": f"arn:aws:logs:us-east-1:{OTHER}:query-result:*"}, "R-LOGS-21"),
])
def test_target_checks_are_invalid_parameter(world, args, rule):
    sim, k1 = world
    assoc(sim, {"kmsKeyId": k1, **args}, "+2m", "InvalidParameterException", rule)


def test_missing_kms_key_id_is_invalid_parameter(world):
    sim, _ = world
    assoc(sim, {"logGroupName": "app"}, "+2m", "InvalidParameterException", "R-LOGS-19")


@pytest.mark.parametrize("args,rule", [
    ({"logGroupName": "nope"}, "R-LOGS-17"),
    ({"resourceIdentifier": f"arn:aws:logs:us-east-1:{ACCT}:log-group:nope"}, "R-LOGS-17"),
    ({"resourceIdentifier": f"arn:aws:logs:us-east-1:{OTHER}:log-group:app"}, "R-LOGS-81"),
    ({"resourceIdentifier": f"arn:aws:logs:eu-west-1:{ACCT}:log-group:app"}, "R-LOGS-81"),
])
def test_missing_group_is_resource_not_found_before_key_checks(world, args, rule):
    sim, _ = world
    # the key is bad too: the group is checked first
    assoc(sim, {"kmsKeyId": "alias/nope", **args}, "+2m", "ResourceNotFoundException", rule)


def test_foreign_group_arn_error_is_an_assumption():
    """R-LOGS-81: another account's or Region's log group ARN is A-LOGS-FOREIGN-ARN's."""
    sim = new_sim("instant", logs_foreign_arn="invalid")
    k1 = make_key(sim)
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app"}, "+1m")
    for arn in (GROUP_ARN.replace(ACCT, OTHER), GROUP_ARN.replace("us-east-1", "eu-west-1")):
        assoc(sim, {"resourceIdentifier": arn, "kmsKeyId": k1}, "+2m",
              "InvalidParameterException", "R-LOGS-81")


@pytest.mark.parametrize("ref", ["KEYID", "alias/app", f"arn:aws:kms:us-east-1:{ACCT}:alias/x"])
def test_kms_key_id_must_be_a_key_arn(world, ref):
    sim, k1 = world
    ref = k1.rsplit("/", 1)[1] if ref == "KEYID" else ref
    assoc(sim, {"logGroupName": "app", "kmsKeyId": ref}, "+2m", "InvalidParameterException",
          "R-LOGS-82")


def test_key_id_or_alias_is_resolved_under_the_resolve_alternative():
    """R-LOGS-82's alternative: a key id, alias name or alias ARN names its key."""
    sim = new_sim("instant", logs_key_ref="resolve")
    k1 = make_key(sim)
    call_ok(sim, "kms:CreateAlias", {"AliasName": "alias/app", "TargetKeyId": k1}, "+1m")
    key_id = k1.rsplit("/", 1)[1]
    refs = [key_id, "alias/app", f"arn:aws:kms:us-east-1:{ACCT}:alias/app"]
    for i, _ in enumerate(refs):
        call_ok(sim, "logs:CreateLogGroup", {"logGroupName": f"g{i}"}, "+1m")
    for i, ref in enumerate(refs):
        name = f"g{i}"
        call_ok(sim, "logs:AssociateKmsKey", {"logGroupName": name, "kmsKeyId": ref}, "+2m")
        shown = sim.call("logs:DescribeLogGroups", {"logGroupNamePrefix": name}, at="+2m")
        assert shown.res["logGroups"][0]["kmsKeyId"] == k1
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "g9", "kmsKeyId": "alias/app"}, "+3m")
    assert sim.association("logs:g9") == "associated"
    assoc(sim, {"logGroupName": "g0", "kmsKeyId": "alias/nope"}, "+4m",
          "InvalidParameterException", "R-LOGS-82")


def test_unknown_disabled_pending_deletion_and_other_region_keys(world):
    sim, k1 = world
    ghost = k1[:-12] + "000000000000"
    assoc(sim, {"logGroupName": "app", "kmsKeyId": ghost}, "+2m", "InvalidParameterException",
          "R-LOGS-15")
    west = sim.call("kms:CreateKey", {"Policy": logs_policy(region="us-west-2")}, at="+2m",
                    region="us-west-2").get("KeyMetadata.Arn")
    r = assoc(sim, {"logGroupName": "app", "kmsKeyId": west}, "+2m",
              "InvalidParameterException", "R-LOGS-77")
    assert "does not exist" in r.event.out["msg"]
    call_ok(sim, "kms:DisableKey", {"KeyId": k1}, "+3m")
    r = assoc(sim, {"logGroupName": "app", "kmsKeyId": k1}, "+3m",
              "InvalidParameterException", "R-LOGS-15")
    assert "Disabled" in r.event.out["msg"]
    call_ok(sim, "kms:ScheduleKeyDeletion", {"KeyId": k1, "PendingWindowInDays": 7}, "+4m")
    r = assoc(sim, {"logGroupName": "app", "kmsKeyId": k1}, "+4m",
              "InvalidParameterException", "R-LOGS-76")
    assert "PendingDeletion" in r.event.out["msg"]


def test_key_policy_without_logs_is_access_denied_with_the_observed_message(world):
    sim, _ = world
    bare = make_key(sim, "+2m", Policy=logs_policy(logs=False))
    other = make_key(sim, "+2m", Policy=logs_policy(resource=GROUP_ARN.replace("app", "db")))
    for key in (bare, other):
        r = assoc(sim, {"logGroupName": "app", "kmsKeyId": key}, "+3m", "AccessDeniedException",
                  "R-LOGS-24")
        assert r.event.out["msg"] == ("The specified KMS key does not exist or is not allowed "
                                      f"to be used with Arn '{GROUP_ARN}'")
    r = assoc(sim, {"resourceIdentifier": QR_ARN, "kmsKeyId": other}, "+3m",
              "AccessDeniedException", "R-LOGS-24")
    assert r.event.out["msg"].endswith(f"with Arn '{QR_ARN}'")


def test_key_policy_check_can_be_skipped():
    sim = new_sim("instant", logs_policy="skip")
    bare = make_key(sim, Policy=logs_policy(logs=False))
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app"}, "+1m")
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+1m")
    call_ok(sim, "logs:AssociateKmsKey", {"logGroupName": "app", "kmsKeyId": bare}, "+2m")
    # ... but ingestion still needs the key to be usable (R-LOGS-32)
    put(sim, "+3m", "e1", expect="InvalidParameterException")


def test_state_is_checked_before_policy_and_policy_before_symmetry(world):
    sim, _ = world
    bare = make_key(sim, "+2m", Policy=logs_policy(logs=False))
    call_ok(sim, "kms:DisableKey", {"KeyId": bare}, "+2m")
    assoc(sim, {"logGroupName": "app", "kmsKeyId": bare}, "+3m", "InvalidParameterException",
          "R-LOGS-15")
    rsa = make_key(sim, "+3m", Policy=logs_policy(logs=False), KeySpec="RSA_2048",
                   KeyUsage="ENCRYPT_DECRYPT")
    assoc(sim, {"logGroupName": "app", "kmsKeyId": rsa}, "+4m", "AccessDeniedException",
          "R-LOGS-24")


def test_asymmetric_key_refused_by_default_accepted_as_alternative(world):
    sim, _ = world
    rsa = make_key(sim, "+2m", KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")
    assoc(sim, {"logGroupName": "app", "kmsKeyId": rsa}, "+3m", "InvalidParameterException",
          "R-LOGS-75")
    lax = new_sim("instant", logs_asymmetric="accept")
    rsa = make_key(lax, KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")
    call_ok(lax, "logs:CreateLogGroup", {"logGroupName": "app"}, "+1m")
    call_ok(lax, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+1m")
    call_ok(lax, "logs:AssociateKmsKey", {"logGroupName": "app", "kmsKeyId": rsa}, "+2m")
    assert lax.association("logs:app") == "associated"


def test_same_instant_change_is_operation_aborted(world):
    sim, k1 = world
    k2 = make_key(sim, "+1m")
    assert assoc(sim, {"logGroupName": "app", "kmsKeyId": k1}, "+2m", "ok").res == {}
    assoc(sim, {"resourceIdentifier": GROUP_ARN, "kmsKeyId": k2}, "+2m",
          "OperationAbortedException", "R-LOGS-78")
    r = sim.call("logs:DisassociateKmsKey", {"logGroupName": "app"}, at="+2m")
    assert (r.err, r.rule) == ("OperationAbortedException", "R-LOGS-78")
    # another resource at the same instant is no conflict; a later instant is none either
    assoc(sim, {"resourceIdentifier": QR_ARN, "kmsKeyId": k2}, "+2m", "ok")
    assoc(sim, {"logGroupName": "app", "kmsKeyId": k2}, "+2m1ms", "ok")


def test_injected_fault_window_answers_service_unavailable(world):
    sim, k1 = world
    call_ok(sim, "sim:InjectFault", {"Operation": "logs:AssociateKmsKey", "Duration": "2m"},
            "+5m")
    assoc(sim, {"logGroupName": "app", "kmsKeyId": k1}, "+5m", "ServiceUnavailableException",
          "R-LOGS-79")
    # a client error is still reported as such inside the window
    assoc(sim, {"logGroupName": "nope", "kmsKeyId": k1}, "+6m", "ResourceNotFoundException",
          "R-LOGS-17")
    put(sim, "+6m", "e1")                                   # another operation: unaffected
    other_region = sim.call("logs:CreateLogGroup", {"logGroupName": "app"}, at="+6m",
                            region="us-west-2")
    assert other_region.ok
    assoc(sim, {"logGroupName": "app", "kmsKeyId": k1}, "+7m", "ok")  # [5m, 7m) is over
    call_ok(sim, "sim:InjectFault", {"Operation": "*", "Duration": "1m"}, "+8m")
    put(sim, "+8m30s", "e2", expect="ServiceUnavailableException")
    bad = sim.call("sim:InjectFault", {"Operation": "kms:Decrypt", "Duration": "1m"}, at="+9m")
    assert bad.rule == "R-LOGS-38"


# -- the window ----------------------------------------------------------------------------

def _timeline(propagation: str):
    sim = new_sim(propagation)
    k1 = make_key(sim)
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app"}, "+1m")
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+1m")
    call_ok(sim, "logs:AssociateKmsKey", {"logGroupName": "app", "kmsKeyId": k1}, "+2m")
    for label, at in (("before", "+1m30s"), ("at1", "+3m"), ("at4", "+6m"), ("after", "+7m")):
        if label == "before":
            continue
        put(sim, at, label)
    call_ok(sim, "kms:DisableKey", {"KeyId": k1}, "+8m")
    return sim, k1


@pytest.mark.parametrize("propagation,expected", [
    ("uncertain", {"at1": "maybe", "at4": "maybe", "after": "no"}),
    ("instant", {"at1": "no", "at4": "no", "after": "no"}),
    ("max", {"at1": "yes", "at4": "yes", "after": "no"}),
    ("fixed:2m", {"at1": "yes", "at4": "no", "after": "no"}),
])
def test_window_models_decide_which_key_a_batch_is_under(propagation, expected):
    sim, _ = _timeline(propagation)
    got = {label: sim.decryptable(label, at="+9m").status for label in expected}
    assert got == expected
    states = [sim.association("logs:app", at=t) for t in ("+2m", "+6m59s", "+7m")]
    if propagation == "instant":
        assert states == ["associated"] * 3
    elif propagation == "fixed:2m":
        assert states == ["associating", "associated", "associated"]
        assert sim.association("logs:app", at="+3m59s") == "associating"
    else:
        assert states == ["associating", "associating", "associated"]


def test_random_window_draw_is_recorded_and_replays_identically():
    sim, _ = _timeline("random:7")
    event = next(e for e in sim.events if e.op == "logs:AssociateKmsKey")
    delay = event.draws["delay"]
    assert delay == draw_delay("random:7", 5 * 60_000, event.seq)
    effective = event.t + delay
    assert sim.world.associations[GROUP_ARN].history[-1][0] == effective
    _, differences = replay(sim.events, sim.profile, sim.settings, sim.start)
    assert differences == []


def test_replace_keeps_old_batches_under_the_old_key():
    sim = new_sim("instant")
    k1, k2 = make_key(sim), make_key(sim)
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": k1}, "+1m")
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+1m")
    assert sim.association("logs:app", at="+1m") == "associated"   # at creation: no window
    put(sim, "+2m", "old")
    call_ok(sim, "logs:AssociateKmsKey", {"logGroupName": "app", "kmsKeyId": k2}, "+3m")
    put(sim, "+4m", "new")
    call_ok(sim, "kms:DisableKey", {"KeyId": k1}, "+5m")
    assert sim.decryptable("old").status == "no"
    assert sim.decryptable("new").status == "yes"
    assert sim.decryptable("old").keys == (k1,)
    groups = call_ok(sim, "logs:DescribeLogGroups", {}, "+6m")["logGroups"]
    assert groups[0]["kmsKeyId"] == k2


def test_create_log_group_with_bad_key_creates_nothing():
    sim = new_sim()
    bare = make_key(sim, Policy=logs_policy(logs=False))
    before = snapshot(sim)
    r = sim.call("logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": bare}, at="+1m")
    assert (r.err, r.rule) == ("AccessDeniedException", "R-LOGS-24")
    assert snapshot(sim) == before


def test_disassociate_keeps_old_data_under_the_old_key():
    sim = new_sim("uncertain")
    k1 = make_key(sim)
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": k1}, "+1m")
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+1m")
    put(sim, "+2m", "old")
    assert call_ok(sim, "logs:DisassociateKmsKey", {"logGroupName": "app"}, "+3m") == {}
    assert sim.association("logs:app", at="+4m") == "disassociating"
    put(sim, "+4m", "during")
    assert sim.association("logs:app", at="+8m") == "none"
    put(sim, "+9m", "after")
    call_ok(sim, "kms:ScheduleKeyDeletion", {"KeyId": k1, "PendingWindowInDays": 7}, "+10m")
    answers = {x: sim.decryptable(x, at="+8d").status for x in ("old", "during", "after")}
    assert answers == {"old": "no", "during": "maybe", "after": "yes"}
    assert sim.decryptable("old", at="+8d").permanent


def test_disassociate_without_a_key():
    sim = new_sim()
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app"}, "+1m")
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+1m")
    before = snapshot(sim)
    r = sim.call("logs:DisassociateKmsKey", {"logGroupName": "app"}, at="+2m")
    assert (r.err, r.rule) == ("ResourceNotFoundException", "R-LOGS-26")
    assert snapshot(sim) == before
    lax = new_sim(logs_no_key="noop")
    call_ok(lax, "logs:CreateLogGroup", {"logGroupName": "app"}, "+1m")
    call_ok(lax, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+1m")
    call_ok(lax, "logs:DisassociateKmsKey", {"logGroupName": "app"}, "+2m")
    assert lax.association("logs:app") == "none"


def test_query_result_association_by_resource_identifier():
    sim = new_sim("uncertain")
    k1 = make_key(sim)
    call_ok(sim, "logs:AssociateKmsKey", {"resourceIdentifier": QR_ARN, "kmsKeyId": k1}, "+1m")
    assert sim.association("logs:query-result", at="+2m") == "associating"
    assert sim.association("logs:query-result", at="+6m") == "associated"
    call_ok(sim, "logs:DisassociateKmsKey", {"resourceIdentifier": QR_ARN}, "+7m")
    assert sim.association("logs:query-result", at="+12m") == "none"


def test_create_log_group_association_timing_is_an_assumption():
    # R-LOGS-63 (A-LOGS-CREATE-WINDOW): at once by default; 'window' borrows the 5 minutes.
    for setting, during in (("immediate", "associated"), ("window", "associating")):
        sim = new_sim("uncertain", logs_create_window=setting)
        k1 = make_key(sim)
        call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": k1}, "+1m")
        call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"},
                "+1m")
        assert sim.association("logs:app", at="+2m") == during, setting
        put(sim, "+2m", "early")
        assert sim.world.item("early").keys == ((k1,) if setting == "immediate" else (None, k1))
        assert sim.association("logs:app", at="+6m") == "associated"
    sim = new_sim("random:3", logs_create_window="window")
    k1 = make_key(sim)
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": k1}, "+1m")
    assert "delay" in sim.events[-1].draws
    _, differences = replay(sim.events, sim.profile, sim.settings, sim.start)
    assert differences == []


def test_disassociate_answers_an_empty_response(world):
    # R-LOGS-62: DisassociateKmsKey has no output shape (R-LOGS-22 is AssociateKmsKey's page).
    sim, k1 = world
    assert call_ok(sim, "logs:AssociateKmsKey", {"logGroupName": "app", "kmsKeyId": k1},
                   "+2m") == {}
    assert call_ok(sim, "logs:DisassociateKmsKey", {"logGroupName": "app"}, "+8m") == {}

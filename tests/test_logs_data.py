"""Log groups, streams and events: ingestion under the right key, reading, the key's
lifecycle, retention and deletion (SPEC 3.4, 7), through the Simulator API."""

from __future__ import annotations

import pytest
from logs_support import ACCT, call_ok, logs_policy, make_key, new_sim, put, snapshot

GROUP_ARN = f"arn:aws:logs:us-east-1:{ACCT}:log-group:app"


@pytest.fixture
def world():
    """Key k1 associated with log group ``app`` at creation."""
    sim = new_sim("instant")
    k1 = make_key(sim)
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": k1}, "+1m")
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+1m")
    return sim, k1


def read(sim, at, **args):
    """GetLogEvents of app/s."""
    return sim.call("logs:GetLogEvents", {"logGroupName": "app", "logStreamName": "s", **args},
                    at=at)


# -- groups and streams --------------------------------------------------------------------

def test_group_and_stream_errors_change_nothing(world):
    sim, _ = world
    cases = [
        ("logs:CreateLogGroup", {"logGroupName": "app"}, "ResourceAlreadyExistsException",
         "R-LOGS-65"),
        ("logs:CreateLogGroup", {"logGroupName": "aws/lambda"}, "InvalidParameterException",
         "R-LOGS-27"),
        ("logs:CreateLogGroup", {"logGroupName": "bad name"}, "InvalidParameterException",
         "R-LOGS-19"),
        ("logs:DeleteLogGroup", {"logGroupName": "nope"}, "ResourceNotFoundException",
         "R-LOGS-17"),
        ("logs:PutRetentionPolicy", {"logGroupName": "app", "retentionInDays": 2},
         "InvalidParameterException", "R-LOGS-19"),
        ("logs:CreateLogStream", {"logGroupName": "nope", "logStreamName": "s"},
         "ResourceNotFoundException", "R-LOGS-17"),
        ("logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "a:b"},
         "InvalidParameterException", "R-LOGS-19"),
        ("logs:PutLogEvents", {"logGroupName": "app", "logStreamName": "s", "logEvents": []},
         "InvalidParameterException", "R-LOGS-19"),
        ("logs:PutLogEvents", {"logGroupName": "app", "logStreamName": "s",
                               "logEvents": [{"timestamp": 5}]}, "InvalidParameterException",
         "R-LOGS-19"),
        ("logs:PutLogEvents", {"logGroupName": "nope", "logStreamName": "s",
                               "logEvents": [{"message": "x"}]}, "ResourceNotFoundException",
         "R-LOGS-17"),
    ]
    for op, args, code, rule in cases:
        before = snapshot(sim)
        r = sim.call(op, args, at="+2m")
        assert (r.err, r.rule) == (code, rule), (op, args, r.event.out)
        assert snapshot(sim) == before
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s2"}, "+2m")
    r = sim.call("logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s2"}, at="+2m")
    assert (r.err, r.rule) == ("ResourceAlreadyExistsException", "R-LOGS-65")
    assert r.event.out["msg"] == "The specified log stream already exists"  # as AWS words it
    r = sim.call("logs:CreateLogGroup", {"logGroupName": "app"}, at="+2m")
    assert r.event.out["msg"] == "The specified log group already exists"


def test_messages_come_back_with_their_timestamps(world):
    sim, _ = world
    call_ok(sim, "logs:PutLogEvents", {"logGroupName": "app", "logStreamName": "s", "logEvents": [
        {"timestamp": 1_767_225_000_000, "message": "early"}, {"message": "now"}]}, "+2m")
    events = call_ok(sim, "logs:GetLogEvents",
                     {"logGroupName": "app", "logStreamName": "s"}, "+3m")["events"]
    t2 = sim.start + 120_000
    assert [(e["timestamp"], e["message"], e["ingestionTime"]) for e in events] == [
        (1_767_225_000_000, "early", t2), (t2, "now", t2)]           # R-LOGS-41
    only = call_ok(sim, "logs:GetLogEvents", {"logGroupIdentifier": GROUP_ARN,
                                              "logStreamName": "s", "startTime": t2}, "+3m")
    assert [e["message"] for e in only["events"]] == ["now"]
    assert read(sim, "+3m", logStreamName="nope").rule == "R-LOGS-17"


# -- ingestion under an unusable key (A-INGEST-UNUSABLE-KEY) -------------------------------

def test_ingest_into_a_group_whose_key_is_disabled_fails_and_stores_nothing(world):
    sim, k1 = world
    call_ok(sim, "kms:DisableKey", {"KeyId": k1}, "+2m")
    before = snapshot(sim)
    r = sim.call("logs:PutLogEvents", {"logGroupName": "app", "logStreamName": "s",
                                       "logEvents": [{"message": "x"}]}, at="+3m")
    assert (r.err, r.rule) == ("InvalidParameterException", "R-LOGS-32")
    assert "Disabled" in r.event.out["msg"]
    assert snapshot(sim) == before


def test_ingest_store_alternative_keeps_the_batch_unreadable():
    sim = new_sim("instant", ingest_unusable_key="store")
    k1 = make_key(sim)
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": k1}, "+1m")
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+1m")
    call_ok(sim, "kms:DisableKey", {"KeyId": k1}, "+2m")
    put(sim, "+3m", "e1")
    assert sim.decryptable("e1").status == "no"
    call_ok(sim, "kms:EnableKey", {"KeyId": k1}, "+4m")
    assert sim.decryptable("e1").status == "yes"


def test_in_an_uncertain_window_only_usable_keys_can_have_stored_a_batch():
    sim = new_sim("uncertain")
    k1 = make_key(sim)
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app"}, "+1m")
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+1m")
    call_ok(sim, "logs:AssociateKmsKey", {"logGroupName": "app", "kmsKeyId": k1}, "+2m")
    call_ok(sim, "kms:DisableKey", {"KeyId": k1}, "+3m")
    put(sim, "+4m", "e1")                       # had k1 been in force, the write would fail
    assert sim.decryptable("e1").keys == (None,)
    assert sim.decryptable("e1").status == "yes"
    put(sim, "+8m", "e2", expect="InvalidParameterException")      # now k1 certainly is


# -- reading and the key's life ------------------------------------------------------------

def test_get_log_events_fails_while_the_key_is_unusable(world):
    sim, k1 = world
    put(sim, "+2m", "e1")
    call_ok(sim, "kms:DisableKey", {"KeyId": k1}, "+3m")
    r = read(sim, "+4m")
    assert (r.err, r.rule) == ("InvalidParameterException", "R-LOGS-34")
    assert "Disabled" in r.event.out["msg"]
    call_ok(sim, "kms:EnableKey", {"KeyId": k1}, "+5m")
    assert [e["message"] for e in call_ok(sim, "logs:GetLogEvents", {
        "logGroupName": "app", "logStreamName": "s"}, "+6m")["events"]] == ["hello"]


def test_read_error_code_is_an_assumption():
    sim = new_sim("instant", logs_read_error="AccessDeniedException")
    k1 = make_key(sim)
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": k1}, "+1m")
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+1m")
    put(sim, "+2m", "e1")
    call_ok(sim, "kms:DisableKey", {"KeyId": k1}, "+3m")
    assert read(sim, "+4m").err == "AccessDeniedException"


def test_key_lifecycle_disable_enable_schedule_cancel_delete(world):
    sim, k1 = world
    put(sim, "+2m", "e1")
    steps = [("+3m", "kms:DisableKey", {}, "no"), ("+4m", "kms:EnableKey", {}, "yes"),
             ("+5m", "kms:ScheduleKeyDeletion", {"PendingWindowInDays": 7}, "no"),
             ("+6m", "kms:CancelKeyDeletion", {}, "no"),            # cancel leaves it Disabled
             ("+7m", "kms:EnableKey", {}, "yes"),
             ("+8m", "kms:ScheduleKeyDeletion", {"PendingWindowInDays": 7}, "no")]
    for at, op, args, want in steps:
        call_ok(sim, op, {"KeyId": k1, **args}, at)
        answer = sim.decryptable("e1", at=at)
        assert answer.status == want, (op, answer)
        assert not answer.permanent
    gone = sim.decryptable("e1", at="+7d8m")
    assert (gone.status, gone.permanent) == ("no", True)
    assert "R-LOGS-12" in gone.rules and "R-KMS-10" in gone.rules
    assert sim.decryptable("e1", at="+400d").status == "no"         # forever
    assert sim.decryptable("e1", at="+7d7m").status == "no"
    assert not sim.decryptable("e1", at="+7d7m").permanent


def test_a_key_policy_that_drops_the_logs_principal(world):
    sim, k1 = world
    put(sim, "+2m", "e1")
    call_ok(sim, "kms:PutKeyPolicy", {"KeyId": k1, "PolicyName": "default",
                                      "Policy": logs_policy(logs=False)}, "+3m")
    answer = sim.decryptable("e1")
    assert answer.status == "no" and "R-IAM-04" in answer.rules
    call_ok(sim, "kms:PutKeyPolicy", {"KeyId": k1, "PolicyName": "default",
                                      "Policy": logs_policy()}, "+4m")
    assert sim.decryptable("e1").status == "yes"
    assert sim.decryptable("e1", at="+3m30s").status == "no"        # the past is unchanged


# -- retention and deletion ----------------------------------------------------------------

def test_retention_makes_batches_gone_in_ingestion_order(world):
    sim, k1 = world
    put(sim, "+2m", "e1")
    put(sim, "+1d", "e2")
    call_ok(sim, "logs:PutRetentionPolicy", {"logGroupName": "app", "retentionInDays": 1},
            "+1d1m")
    assert sim.decryptable("e1").status == "yes"
    assert sim.decryptable("e1", at="+1d2m").status == "gone"
    assert sim.decryptable("e1", at="+1d2m").rules == ("R-LOGS-83",)
    assert sim.decryptable("e2", at="+1d2m").status == "yes"
    assert sim.decryptable("e2", at="+2d").status == "gone"
    groups = call_ok(sim, "logs:DescribeLogGroups", {"logGroupNamePrefix": "ap"}, "+2d")
    assert groups["logGroups"][0]["retentionInDays"] == 1
    assert call_ok(sim, "logs:GetLogEvents", {"logGroupName": "app", "logStreamName": "s"},
                   "+2d")["events"] == []
    # the key is no longer needed: deleting it does not touch anything readable
    call_ok(sim, "logs:DisassociateKmsKey", {"logGroupName": "app"}, "+2d")
    call_ok(sim, "kms:ScheduleKeyDeletion", {"KeyId": k1, "PendingWindowInDays": 7}, "+2d10m")
    assert sim.decryptable("e2", at="+10d").status == "gone"


def test_a_longer_retention_before_expiry_supersedes_the_shorter(world):
    sim, _ = world
    put(sim, "+2m", "e1")
    call_ok(sim, "logs:PutRetentionPolicy", {"logGroupName": "app", "retentionInDays": 1}, "+3m")
    call_ok(sim, "logs:PutRetentionPolicy", {"logGroupName": "app", "retentionInDays": 3}, "+4m")
    assert sim.decryptable("e1", at="+2d").status == "yes"
    assert sim.decryptable("e1", at="+3d2m").status == "gone"


def test_delete_log_group_makes_its_events_gone_and_drops_the_association(world):
    sim, k1 = world
    put(sim, "+2m", "e1")
    call_ok(sim, "logs:DeleteLogGroup", {"logGroupName": "app"}, "+3m")
    answer = sim.decryptable("e1")
    assert (answer.status, answer.rules, answer.permanent) == ("gone", ("R-LOGS-29",), True)
    assert sim.association("logs:app") == "none"
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app"}, "+4m")
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+4m")
    put(sim, "+5m", "e2")
    call_ok(sim, "kms:DisableKey", {"KeyId": k1}, "+6m")
    assert sim.decryptable("e2").status == "yes"                   # the new group has no key
    assert sim.decryptable("e1").status == "gone"
    assert sim.decryptable("e1", at="+2m30s").status == "yes"


def test_answers_at_t_do_not_change_when_events_are_appended(world):
    sim, k1 = world
    put(sim, "+2m", "e1")
    first = sim.decryptable("e1", at="+3m")
    call_ok(sim, "kms:DisableKey", {"KeyId": k1}, "+4m")
    call_ok(sim, "logs:DeleteLogGroup", {"logGroupName": "app"}, "+5m")
    assert sim.decryptable("e1", at="+3m") == first


def test_retention_sweeps_groups_with_different_policies():
    sim = new_sim("instant")
    for name, days in (("a", 1), ("b", 3), ("c", None)):
        call_ok(sim, "logs:CreateLogGroup", {"logGroupName": name}, "+0s")
        call_ok(sim, "logs:CreateLogStream", {"logGroupName": name, "logStreamName": "s"}, "+0s")
        if days:
            call_ok(sim, "logs:PutRetentionPolicy", {"logGroupName": name,
                                                     "retentionInDays": days}, "+0s")
    for i, at in enumerate(("+1m", "+2d")):
        for name in "abc":
            put(sim, at, f"{name}{i}", group=name)
    # c gets a 1-day policy when both its batches are already older than that
    call_ok(sim, "logs:PutRetentionPolicy", {"logGroupName": "c", "retentionInDays": 1},
            "+3d30s")

    def status(at: str, labels: str) -> dict:
        return {x: sim.decryptable(x, at=at).status for x in labels.split()}

    assert status("+1d1m", "a0 b0 c0") == {"a0": "gone", "b0": "yes", "c0": "yes"}
    assert status("+3d29s", "a1 b1 c0 c1") == {"a1": "gone", "b1": "yes", "c0": "yes",
                                               "c1": "yes"}
    assert status("+3d30s", "b0 c0 c1") == {"b0": "yes", "c0": "gone", "c1": "gone"}
    assert status("+3d1m", "b0 b1") == {"b0": "gone", "b1": "yes"}
    assert set(status("+5d1m", "a0 b0 c0 a1 b1 c1").values()) == {"gone"}


def test_when_retention_makes_a_batch_gone_is_an_assumption():
    """R-LOGS-83: gone retentionInDays after ingestion (ingestion) or 72 hours later (lag)."""
    sim = new_sim("instant", logs_retention="lag")
    k1 = make_key(sim)
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": k1}, "+1m")
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+1m")
    put(sim, "+2m", "e1")
    call_ok(sim, "logs:PutRetentionPolicy", {"logGroupName": "app", "retentionInDays": 1},
            "+1d1m")
    assert sim.decryptable("e1", at="+1d2m").status == "yes"          # the default: gone
    assert sim.decryptable("e1", at="+4d1m").status == "yes"
    assert sim.decryptable("e1", at="+4d2m").status == "gone"
    assert sim.decryptable("e1", at="+4d2m").rules == ("R-LOGS-83",)
    put(sim, "+4d3m", "e2")                                           # retention already set
    assert sim.decryptable("e2", at="+8d2m").status == "yes"
    assert sim.decryptable("e2", at="+8d3m").status == "gone"


def test_describe_shows_the_latest_or_the_effective_key_while_propagating():
    """R-LOGS-88: inside the window, latest shows the new key, effective the old one."""
    for shown, expected in (("latest", 1), ("effective", 0)):
        sim = new_sim("uncertain", logs_shown_key=shown)
        keys = [make_key(sim), make_key(sim)]
        call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": keys[0]}, "+1m")
        call_ok(sim, "logs:AssociateKmsKey", {"logGroupName": "app", "kmsKeyId": keys[1]},
                "+10m")
        inside = call_ok(sim, "logs:DescribeLogGroups", {}, "+12m")["logGroups"][0]
        assert inside["kmsKeyId"] == keys[expected], shown
        after = call_ok(sim, "logs:DescribeLogGroups", {}, "+16m")["logGroups"][0]
        assert after["kmsKeyId"] == keys[1], shown


@pytest.mark.parametrize("reader", ["service-only", "caller"])
def test_whether_a_reader_needs_their_own_decrypt_is_an_assumption(reader):
    """A-LOGS-READER: by default only the logs service principal uses the key (R-LOGS-84);
    under ``caller`` a reader without kms:Decrypt can neither read nor be told ``yes``."""
    sim = new_sim("instant", logs_reader=reader)
    k1 = make_key(sim)
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": k1}, "+1m")
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+1m")
    put(sim, "+2m", "e1")
    sim.principal("bob", policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}, at="+2m")
    r = sim.call("logs:GetLogEvents", {"logGroupName": "app", "logStreamName": "s"},
                 at="+3m", as_="bob")
    answer = sim.decryptable("e1", as_="bob", at="+3m")
    if reader == "service-only":
        assert r.ok and answer.status == "yes"
    else:
        assert (r.err, answer.status) == ("InvalidParameterException", "no")
        assert "R-LOGS-84" in answer.rules
    assert sim.decryptable("e1", as_="admin", at="+3m").status == "yes"   # allowed kms:*

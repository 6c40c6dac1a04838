"""DescribeLogStreams, DeleteLogStream, DeleteRetentionPolicy, ListLogGroups and what
DescribeLogGroups shows (issue 13, part L1), through the Simulator API; boto3 in-process and
against the server in test_logs_streams_wire.py."""

from __future__ import annotations

import pytest
from logs_support import ACCT, OTHER, call_ok, make_key, new_sim, snapshot

from events.timefmt import MINUTE

IPE, RNF = "InvalidParameterException", "ResourceNotFoundException"
GROUP_ARN = f"arn:aws:logs:us-east-1:{ACCT}:log-group:app"


def put(sim, at, stream, *events):
    """One PutLogEvents batch of ``(timestamp offset from the call, message)``."""
    t = sim.when(at)
    return call_ok(sim, "logs:PutLogEvents", {
        "logGroupName": "app", "logStreamName": stream,
        "logEvents": [{"timestamp": t + dt, "message": m} for dt, m in events]}, at)


@pytest.fixture
def sim():
    """Group ``app`` with streams b (two batches), a (one), c (none), made in that order."""
    s = new_sim("instant")
    call_ok(s, "logs:CreateLogGroup", {"logGroupName": "app"}, "+0s")
    for name in ("b", "a", "c"):
        call_ok(s, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": name},
                "+1s")
    put(s, "+1m", "b", (0, "b1"), (500, "b2"))
    put(s, "+2m", "a", (-30_000, "a1"))
    put(s, "+3m", "b", (0, "b3"))
    return s


def streams(sim, at="+10m", **args):
    return call_ok(sim, "logs:DescribeLogStreams", {"logGroupName": "app", **args}, at)


def names(sim, **args):
    return [s["logStreamName"] for s in streams(sim, **args)["logStreams"]]


def test_streams_show_their_times_as_the_model_names_them(sim):
    by_name = {s["logStreamName"]: s for s in streams(sim)["logStreams"]}
    start = sim.when("+0s")
    b = by_name["b"]
    assert b["creationTime"] == start + 1000
    assert (b["firstEventTimestamp"], b["lastEventTimestamp"], b["lastIngestionTime"]) == (
        start + MINUTE, start + 3 * MINUTE, start + 3 * MINUTE)
    assert b["arn"] == f"{GROUP_ARN}:log-stream:b" and b["storedBytes"] == 0
    last_put = [e for e in sim.events if e.op == "logs:PutLogEvents"][-1]  # b's, at +3m
    assert b["uploadSequenceToken"] == last_put.out["res"]["nextSequenceToken"]
    assert by_name["a"]["firstEventTimestamp"] == start + 2 * MINUTE - 30_000
    # a stream without events has none of the event members
    assert set(by_name["c"]) == {"logStreamName", "creationTime", "arn", "storedBytes"}


def test_order_by_name_or_last_event_time_and_descending(sim):
    assert names(sim) == ["a", "b", "c"]
    assert names(sim, descending=True) == ["c", "b", "a"]
    # c has no events: it sorts at its creation time (A-LOGS-API-EMPTY-ORDER creation)
    assert names(sim, orderBy="LastEventTime") == ["c", "a", "b"]
    assert names(sim, orderBy="LastEventTime", descending=True) == ["b", "a", "c"]
    assert names(sim, logStreamNamePrefix="b") == ["b"]


def test_prefix_with_last_event_time_order_is_refused(sim):
    r = sim.call("logs:DescribeLogStreams", {"logGroupName": "app", "orderBy": "LastEventTime",
                                             "logStreamNamePrefix": "a"}, at="+10m")
    assert (r.err, r.rule) == (IPE, "R-LOGS-API-02")


@pytest.mark.parametrize("args", [{}, {"logGroupName": "app", "logGroupIdentifier": "app"}])
def test_exactly_one_log_group_reference(sim, args):
    r = sim.call("logs:DescribeLogStreams", args, at="+10m")
    assert (r.err, r.rule) == (IPE, "R-LOGS-API-01")


def test_a_group_arn_names_the_group_and_a_missing_group_is_not_found(sim):
    assert names(sim) == [s["logStreamName"] for s in call_ok(
        sim, "logs:DescribeLogStreams", {"logGroupIdentifier": GROUP_ARN}, "+10m")["logStreams"]]
    r = sim.call("logs:DescribeLogStreams", {"logGroupName": "nope"}, at="+10m")
    assert (r.err, r.event.out["msg"]) == (RNF, "The specified log group does not exist.")


@pytest.mark.parametrize("order", [{}, {"orderBy": "LastEventTime", "descending": True}])
def test_pages_follow_the_token_in_the_same_order(sim, order):
    whole = names(sim, **order)
    seen, token = [], None
    while True:
        page = streams(sim, limit=1, **order, **({"nextToken": token} if token else {}))
        seen += [s["logStreamName"] for s in page["logStreams"]]
        token = page.get("nextToken")
        if token is None:
            break
    assert seen == whole
    first = streams(sim, limit=1, **order)["nextToken"]
    r = sim.call("logs:DescribeLogStreams", {"logGroupName": "app", "nextToken": first,
                                             "orderBy": "LogStreamName", "descending": True},
                 at="+10m")
    assert (r.err, r.rule) == (IPE, "R-LOGS-API-29")  # issued for another order
    r = sim.call("logs:DescribeLogStreams", {"logGroupName": "app", "nextToken": "bogus"},
                 at="+10m")
    assert (r.err, r.event.out["msg"]) == (IPE, "The specified nextToken is invalid.")


def test_stream_times_under_the_hour_alternative():
    s = new_sim("instant", logs_api_stream_times="hour")
    call_ok(s, "logs:CreateLogGroup", {"logGroupName": "app"}, "+0s")
    call_ok(s, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+0s")
    put(s, "+1m", "s", (0, "x"))
    early = streams(s, at="+30m")["logStreams"][0]
    assert "firstEventTimestamp" in early and "lastEventTimestamp" not in early
    late = streams(s, at="+1h1m")["logStreams"][0]
    assert late["lastEventTimestamp"] == late["lastIngestionTime"] == s.when("+1m")


def _late_empty_stream(**assumptions):
    """Stream a with an event at +1m, stream z made empty at +2m."""
    s = new_sim("instant", **assumptions)
    call_ok(s, "logs:CreateLogGroup", {"logGroupName": "app"}, "+0s")
    call_ok(s, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "a"}, "+0s")
    put(s, "+1m", "a", (0, "x"))
    call_ok(s, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "z"}, "+2m")
    return s


def test_where_an_empty_stream_sorts_is_the_assumptions():
    assert names(_late_empty_stream(), orderBy="LastEventTime") == ["a", "z"]
    assert names(_late_empty_stream(logs_api_empty_order="first"),
                 orderBy="LastEventTime") == ["z", "a"]


def test_retention_deleted_batches_still_count_for_the_stream_times():
    s = new_sim("instant")
    call_ok(s, "logs:CreateLogGroup", {"logGroupName": "app"}, "+0s")
    call_ok(s, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+0s")
    call_ok(s, "logs:PutRetentionPolicy", {"logGroupName": "app", "retentionInDays": 1}, "+0s")
    put(s, "+1m", "s", (0, "x"))
    assert s.call("logs:GetLogEvents", {"logGroupName": "app", "logStreamName": "s"},
                  at="+2d").res["events"] == []
    listed = streams(s, at="+2d")["logStreams"][0]
    assert listed["lastEventTimestamp"] == s.when("+1m")


# -- DeleteLogStream -------------------------------------------------------------------------

def test_delete_log_stream_deletes_its_events_and_a_namesake_starts_empty(sim):
    call_ok(sim, "logs:DeleteLogStream", {"logGroupName": "app", "logStreamName": "b"}, "+5m")
    assert names(sim) == ["a", "c"]  # at +10m
    got = sim.call("logs:GetLogEvents", {"logGroupName": "app", "logStreamName": "b"},
                   at="+11m")
    assert (got.err, got.rule) == (RNF, "R-LOGS-17")
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "b"}, "+12m")
    again = call_ok(sim, "logs:GetLogEvents", {"logGroupName": "app", "logStreamName": "b"},
                    "+13m")
    assert again["events"] == []
    assert "lastEventTimestamp" not in streams(sim, at="+13m",
                                               logStreamNamePrefix="b")["logStreams"][0]
    filtered = call_ok(sim, "logs:FilterLogEvents", {"logGroupName": "app"}, "+13m")
    assert [e["message"] for e in filtered["events"]] == ["a1"]


def test_deleting_a_missing_stream_changes_nothing(sim):
    before = snapshot(sim)
    r = sim.call("logs:DeleteLogStream", {"logGroupName": "app", "logStreamName": "zz"},
                 at="+5m")
    assert (r.err, r.event.out["msg"]) == (RNF, "The specified log stream does not exist.")
    r = sim.call("logs:DeleteLogStream", {"logGroupName": "nope", "logStreamName": "a"},
                 at="+5m")
    assert r.err == RNF
    assert snapshot(sim) == before


# -- DeleteRetentionPolicy -------------------------------------------------------------------

def test_delete_retention_policy_keeps_the_events_not_yet_deleted():
    s = new_sim("instant")
    call_ok(s, "logs:CreateLogGroup", {"logGroupName": "app"}, "+0s")
    call_ok(s, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+0s")
    call_ok(s, "logs:PutRetentionPolicy", {"logGroupName": "app", "retentionInDays": 1}, "+0s")
    s.call("logs:PutLogEvents", {"logGroupName": "app", "logStreamName": "s",
                                 "logEvents": [{"message": "old"}]}, at="+1m", label="old")
    s.call("logs:PutLogEvents", {"logGroupName": "app", "logStreamName": "s",
                                 "logEvents": [{"message": "kept"}]}, at="+20h", label="kept")
    assert s.world.item("kept").expires_at is not None
    call_ok(s, "logs:DeleteRetentionPolicy", {"logGroupName": "app"}, "+1d1h")
    got = call_ok(s, "logs:GetLogEvents", {"logGroupName": "app", "logStreamName": "s",
                                           "startFromHead": True}, "+30d")
    assert [e["message"] for e in got["events"]] == ["kept"]  # "old" was gone before
    assert s.world.item("kept").expires_at is None and s.world.item("kept").gone is None
    assert s.world.item("old").gone is not None
    groups = call_ok(s, "logs:DescribeLogGroups", {}, "+30d")["logGroups"]
    assert "retentionInDays" not in groups[0]


def test_delete_retention_policy_of_a_missing_group_is_not_found():
    s = new_sim("instant")
    r = s.call("logs:DeleteRetentionPolicy", {"logGroupName": "nope"}, at="+0s")
    assert (r.err, r.rule) == (RNF, "R-LOGS-17")


# -- ListLogGroups, DescribeLogGroups ---------------------------------------------------------

@pytest.fixture
def groups():
    s = new_sim("instant")
    for name, cls, tags in (("/aws/lambda/fn", "STANDARD", {"team": "a"}),
                            ("app-discovery", "INFREQUENT_ACCESS", {"team": "b"}),
                            ("zeta", None, {})):
        args = {"logGroupName": name, **({"logGroupClass": cls} if cls else {}),
                **({"tags": tags} if tags else {})}
        call_ok(s, "logs:CreateLogGroup", args, "+0s")
    return s


def listed(sim, at="+1m", **args):
    return [g["logGroupName"] for g in
            call_ok(sim, "logs:ListLogGroups", args, at)["logGroups"]]


def test_list_log_groups_answers_names_arns_and_classes(groups):
    out = call_ok(groups, "logs:ListLogGroups", {}, "+1m")["logGroups"]
    assert out[0] == {"logGroupName": "/aws/lambda/fn", "logGroupClass": "STANDARD",
                      "logGroupArn": f"arn:aws:logs:us-east-1:{ACCT}:log-group:/aws/lambda/fn"}
    assert [g["logGroupClass"] for g in out] == ["STANDARD", "INFREQUENT_ACCESS", "STANDARD"]


def test_list_log_groups_filters(groups):
    assert listed(groups, logGroupNamePattern="^/aws/lambda|discovery") == [
        "/aws/lambda/fn", "app-discovery"]
    assert listed(groups, logGroupNamePattern="^discovery") == []
    assert listed(groups, logGroupNamePattern="eta") == ["zeta"]
    assert listed(groups, logGroupClass="INFREQUENT_ACCESS") == ["app-discovery"]
    assert listed(groups, logGroupTags=[{"key": "team"}]) == ["/aws/lambda/fn", "app-discovery"]
    assert listed(groups, logGroupTags=[{"key": "team", "values": ["b"]}]) == ["app-discovery"]
    assert listed(groups, logGroupTags=[{"key": "team"}], logGroupClass="STANDARD") == [
        "/aws/lambda/fn"]
    assert listed(groups, fieldIndexNames=["requestId"]) == []
    r = groups.call("logs:ListLogGroups", {"logGroupNamePattern": "ab"}, at="+1m")
    assert (r.err, r.rule) == (IPE, "R-LOGS-19")  # 3..24 characters a pattern


def test_list_log_groups_pages(groups):
    first = call_ok(groups, "logs:ListLogGroups", {"limit": 2}, "+1m")
    second = call_ok(groups, "logs:ListLogGroups", {"limit": 2,
                                                    "nextToken": first["nextToken"]}, "+1m")
    assert [g["logGroupName"] for g in first["logGroups"] + second["logGroups"]] == \
        listed(groups)
    assert "nextToken" not in second
    r = groups.call("logs:ListLogGroups", {"nextToken": "bogus"}, at="+1m")
    assert (r.err, r.rule) == (IPE, "R-LOGS-API-29")


def test_list_log_groups_of_linked_accounts():
    s = new_sim("instant")
    s.principal("other", arn=f"arn:aws:iam::{OTHER}:role/Admin",
                policy={"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "*", "Resource": "*"}]}, at="+0s")
    call_ok(s, "logs:CreateLogGroup", {"logGroupName": "mine"}, "+0s")
    call_ok(s, "logs:CreateLogGroup", {"logGroupName": "theirs"}, "+0s", as_="other")
    call_ok(s, "sim:Link", {"MonitoringAccount": ACCT, "SourceAccount": OTHER}, "+0s")
    assert listed(s) == ["mine"]
    assert listed(s, includeLinkedAccounts=True) == ["mine", "theirs"]
    assert listed(s, includeLinkedAccounts=True, accountIdentifiers=[OTHER]) == ["theirs"]


def test_describe_log_groups_shows_the_class_and_the_new_key_at_once():
    s = new_sim("uncertain")
    key = make_key(s)
    call_ok(s, "logs:CreateLogGroup", {"logGroupName": "app",
                                       "logGroupClass": "INFREQUENT_ACCESS"}, "+0s")
    call_ok(s, "logs:AssociateKmsKey", {"logGroupName": "app", "kmsKeyId": key}, "+1m")
    shown = call_ok(s, "logs:DescribeLogGroups", {}, "+1m1s")["logGroups"][0]
    assert s.world.associations[GROUP_ARN].state == "associating"
    assert shown["kmsKeyId"] == key and shown["logGroupClass"] == "INFREQUENT_ACCESS"
    assert shown["logGroupArn"] == GROUP_ARN and shown["arn"] == f"{GROUP_ARN}:*"

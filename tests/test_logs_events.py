"""PutLogEvents and GetLogEvents as the service answers them (issue 9): the stream must exist,
chronological batches, per-event rejections, the batch limits, GetLogEvents' tokens and log
group identifiers, through the Simulator API."""

from __future__ import annotations

import pytest
from logs_support import ACCT, ALLOW_ALL, OTHER, call_ok, new_sim, snapshot

from events.timefmt import DAY, HOUR

GROUP_ARN = f"arn:aws:logs:us-east-1:{ACCT}:log-group:app"
IPE, RNF = "InvalidParameterException", "ResourceNotFoundException"


@pytest.fixture
def sim():
    """Log group ``app`` (no key) with stream ``s``."""
    s = new_sim("instant")
    call_ok(s, "logs:CreateLogGroup", {"logGroupName": "app"}, "+0s")
    call_ok(s, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+0s")
    return s


def put(sim, at, events, label=None, stream="s"):
    """One PutLogEvents call of ``events``: ``(timestamp offset from the call, message)``."""
    t = sim.when(at)
    return sim.call("logs:PutLogEvents", {
        "logGroupName": "app", "logStreamName": stream,
        "logEvents": [{"timestamp": t + dt, "message": msg} for dt, msg in events]},
        at=at, label=label)


def messages(sim, at, **args):
    """The messages GetLogEvents returns for app/s."""
    out = call_ok(sim, "logs:GetLogEvents", {"logGroupName": "app", "logStreamName": "s",
                                             "startFromHead": True, **args}, at)
    return [e["message"] for e in out["events"]]


# -- the stream must exist (A-IMPLICIT-STREAM) ---------------------------------------------

def test_a_missing_stream_is_not_found_unless_the_create_alternative(sim):
    before = snapshot(sim)
    r = put(sim, "+1m", [(0, "x")], stream="nope")
    assert (r.err, r.rule, r.event.out["msg"]) == (
        RNF, "R-LOGS-39", "The specified log stream does not exist.")
    assert snapshot(sim) == before
    r = sim.call("logs:PutLogEvents", {"logGroupName": "gone", "logStreamName": "s",
                                       "logEvents": [{"message": "x"}]}, at="+1m")
    assert (r.err, r.event.out["msg"]) == (RNF, "The specified log group does not exist.")
    lax = new_sim("instant", implicit_stream="create")
    call_ok(lax, "logs:CreateLogGroup", {"logGroupName": "app"}, "+0s")
    assert put(lax, "+1m", [(0, "x")], label="e1", stream="new").ok
    assert messages(lax, "+2m", logStreamName="new") == ["x"]


# -- chronological order and the batch limits ----------------------------------------------

def test_a_batch_out_of_chronological_order_fails_and_stores_nothing(sim):
    before = snapshot(sim)
    r = put(sim, "+1m", [(0, "b"), (-1, "a")])
    assert (r.err, r.rule) == (IPE, "R-LOGS-44")
    assert r.event.out["msg"] == ("Log events in a single PutLogEvents request must be in "
                                  "chronological order.")                 # R-LOGS-45
    assert snapshot(sim) == before
    assert put(sim, "+2m", [(-1, "a"), (0, "b"), (0, "c")]).ok            # equal: in order
    assert messages(sim, "+3m") == ["a", "b", "c"]


def test_the_batch_size_counts_utf8_bytes_plus_26_per_event(sim):
    limit = 1_048_576
    assert put(sim, "+1m", [(0, "é" * ((limit - 2 * 26) // 4)),
                            (0, "é" * ((limit - 2 * 26) // 4))]).ok        # exactly the limit
    before = snapshot(sim)
    r = put(sim, "+2m", [(0, "é" * ((limit - 2 * 26) // 4)),
                         (0, "é" * ((limit - 2 * 26) // 4) + "x")])
    assert (r.err, r.rule) == (IPE, "R-LOGS-49")
    assert r.event.out["msg"] == f"Upload too large: {limit + 1} bytes exceeds limit of {limit}"
    assert snapshot(sim) == before


def test_at_most_10000_events_a_batch(sim):
    assert put(sim, "+1m", [(0, "x")] * 10000).ok
    r = put(sim, "+2m", [(0, "x")] * 10001)
    assert (r.err, r.rule) == (IPE, "R-LOGS-19")                           # R-LOGS-51
    assert "at 'logEvents' failed to satisfy constraint" in r.event.out["msg"]
    assert "less than or equal to 10000" in r.event.out["msg"]


def test_the_kept_events_may_span_at_most_24_hours(sim):
    assert put(sim, "+2d", [(-DAY, "a"), (0, "b")]).ok
    before = snapshot(sim)
    r = put(sim, "+2d1m", [(-DAY - 1, "a"), (0, "b")])
    assert (r.err, r.rule) == (IPE, "R-LOGS-52")
    assert r.event.out["msg"] == ("The batch of log events in a single PutLogEvents request "
                                  "cannot span more than 24 hours.")      # R-LOGS-53
    assert snapshot(sim) == before
    # a rejected event does not count: only the events within 14 days / 2 hours do
    r = put(sim, "+20d", [(-15 * DAY, "old"), (-DAY, "a"), (0, "b")])
    assert r.ok and r.res["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1}


# -- per-event rejections ------------------------------------------------------------------

def test_too_old_and_too_new_events_are_rejected_and_the_rest_stored(sim):
    events = [(-14 * DAY - 1, "too old"), (-14 * DAY, "oldest kept"), (0, "now"),
              (2 * HOUR, "newest kept"), (2 * HOUR + 1, "too new")]
    # events within 14 days but more than 24 hours apart fail the span rule: two batches
    r = put(sim, "+20d", events[:2], label="e1")
    assert r.ok and r.res["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1}  # R-LOGS-48
    r = put(sim, "+20d", events[2:], label="e2")
    assert r.ok and r.res["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 2}
    assert messages(sim, "+21d") == ["oldest kept", "now", "newest kept"]
    assert sim.decryptable("e1").status == "yes" and sim.decryptable("e2").status == "yes"
    assert put(sim, "+21d", [(0, "fine")]).res.keys() == {"nextSequenceToken"}  # none rejected


def test_events_before_the_retention_period_are_expired(sim):
    call_ok(sim, "logs:PutRetentionPolicy", {"logGroupName": "app", "retentionInDays": 1},
            "+0s")
    r = put(sim, "+30d", [(-15 * DAY, "both"), (-2 * DAY, "expired"), (0, "kept")])
    assert r.res["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1,
                                              "expiredLogEventEndIndex": 2}
    assert messages(sim, "+30d") == ["kept"]


def test_where_the_end_indexes_point_is_an_assumption():
    sim = new_sim("instant", rejected_index="inclusive")
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app"}, "+0s")
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+0s")
    r = put(sim, "+20d", [(-16 * DAY, "a"), (-15 * DAY, "b"), (0, "c"), (3 * HOUR, "d")])
    assert r.res["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1,
                                              "tooNewLogEventStartIndex": 3}
    assert messages(sim, "+20d") == ["c"]            # the fold reads the indexes back alike


def test_a_batch_whose_events_are_all_rejected_stores_no_item(sim):
    items = len(sim.world.items)
    r = put(sim, "+20d", [(-15 * DAY, "a"), (-15 * DAY, "b")], label="e1")
    assert r.ok and r.res["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 2}
    assert len(sim.world.items) == items
    with pytest.raises(KeyError):
        sim.decryptable("e1")                      # the label names nothing: not attached
    assert messages(sim, "+20d") == []


# -- GetLogEvents: tokens ------------------------------------------------------------------

def test_get_log_events_pages_forward_and_backward(sim):
    assert put(sim, "+1m", [(0, "a"), (0, "b"), (1, "c")]).ok
    assert put(sim, "+2m", [(0, "d"), (0, "e")]).ok
    args = {"logGroupName": "app", "logStreamName": "s", "limit": 2}
    first = call_ok(sim, "logs:GetLogEvents", {**args, "startFromHead": True}, "+3m")
    seen, token, pages = [e["message"] for e in first["events"]], first["nextForwardToken"], 1
    for _ in range(10):
        page = call_ok(sim, "logs:GetLogEvents", {**args, "nextToken": token}, "+3m")
        if page["nextForwardToken"] == token:                        # the end (R-LOGS-54)
            assert page["events"] == []
            break
        seen += [e["message"] for e in page["events"]]
        token, pages = page["nextForwardToken"], pages + 1
    else:
        pytest.fail("the forward token never came back unchanged")
    assert (seen, pages) == (["a", "b", "c", "d", "e"], 3)
    tail = call_ok(sim, "logs:GetLogEvents", args, "+3m")             # latest first
    assert [e["message"] for e in tail["events"]] == ["d", "e"]
    back = call_ok(sim, "logs:GetLogEvents", {**args, "nextToken": tail["nextBackwardToken"]},
                   "+3m")
    assert [e["message"] for e in back["events"]] == ["b", "c"]
    # a forward token sees what is written after it
    assert put(sim, "+4m", [(0, "f")]).ok
    more = call_ok(sim, "logs:GetLogEvents", {**args, "nextToken": token}, "+4m")
    assert [e["message"] for e in more["events"]] == ["f"]


def test_a_forward_token_without_start_from_head_is_an_assumption():
    for setting, want in (("token", "ok"), ("refuse", IPE)):
        sim = new_sim("instant", token_direction=setting)
        call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app"}, "+0s")
        call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"},
                "+0s")
        args = {"logGroupName": "app", "logStreamName": "s"}
        token = call_ok(sim, "logs:GetLogEvents", args, "+1m")["nextForwardToken"]
        r = sim.call("logs:GetLogEvents", {**args, "nextToken": token}, at="+1m")
        assert r.outcome == want, setting
        assert sim.call("logs:GetLogEvents", {**args, "nextToken": token, "startFromHead": True},
                        at="+1m").ok


def test_a_token_kmsim_did_not_issue_for_the_stream_is_invalid(sim):
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "t"}, "+0s")
    assert put(sim, "+1m", [(0, "a")]).ok
    args = {"logGroupName": "app", "logStreamName": "s"}
    good = call_ok(sim, "logs:GetLogEvents", args, "+2m")["nextForwardToken"]
    forged = good[:-1] + str((int(good[-1]) + 1) % 10)
    for token in ("not-a-token", "n/" + "0" * 56, "f/" + "0" * 56, forged):
        r = sim.call("logs:GetLogEvents", {**args, "nextToken": token}, at="+2m")
        assert (r.err, r.rule, r.event.out["msg"]) == (
            IPE, "R-LOGS-55", "The specified nextToken is invalid."), token
    r = sim.call("logs:GetLogEvents", {**args, "logStreamName": "t", "nextToken": good}, at="+2m")
    assert r.rule == "R-LOGS-55"                          # another stream's token


# -- GetLogEvents: logGroupIdentifier ------------------------------------------------------

def test_log_group_identifier_is_a_name_or_an_arn(sim):
    assert put(sim, "+1m", [(0, "a")]).ok
    for ref in ("app", GROUP_ARN):
        assert messages(sim, "+2m", logGroupName=None, logGroupIdentifier=ref) == ["a"]
    cases = [(f"{GROUP_ARN}:*", IPE, "R-LOGS-19"),          # the model's pattern has no '*'
             ("app:x", IPE, "R-LOGS-56"),
             (GROUP_ARN.replace("us-east-1", "eu-west-1"), RNF, "R-LOGS-81"),
             (GROUP_ARN.replace(ACCT, OTHER), RNF, "R-LOGS-81"),
             (GROUP_ARN + "x", RNF, "R-LOGS-17")]
    for ref, code, rule in cases:
        r = sim.call("logs:GetLogEvents", {"logGroupIdentifier": ref, "logStreamName": "s"},
                     at="+2m")
        assert (r.err, r.rule) == (code, rule), ref


def test_a_monitoring_account_reads_a_linked_source_group_by_arn():
    sim = new_sim("instant")
    sim.principal("src", arn=f"arn:aws:iam::{OTHER}:role/Admin", policy=ALLOW_ALL)
    for op, args in (("logs:CreateLogGroup", {"logGroupName": "app"}),
                     ("logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}),
                     ("logs:PutLogEvents", {"logGroupName": "app", "logStreamName": "s",
                                            "logEvents": [{"message": "from source"}]})):
        assert sim.call(op, args, at="+1m", as_="src").ok
    args = {"logGroupIdentifier": f"arn:aws:logs:us-east-1:{OTHER}:log-group:app",
            "logStreamName": "s"}
    assert sim.call("logs:GetLogEvents", args, at="+2m").rule == "R-LOGS-81"   # not linked
    call_ok(sim, "sim:Link", {"MonitoringAccount": ACCT, "SourceAccount": OTHER}, "+3m")
    out = call_ok(sim, "logs:GetLogEvents", args, "+4m")
    assert [e["message"] for e in out["events"]] == ["from source"]


# -- on the wire ---------------------------------------------------------------------------

def test_boto3_sees_the_service_codes_messages_and_shapes():
    from botocore.exceptions import ClientError
    from server_support import client, running

    now = 1767225600000                                  # the server's start (2026-01-01)
    with running(assumptions={"propagation": "instant"}) as srv:
        logs = client(srv, "logs")
        logs.create_log_group(logGroupName="app")
        with pytest.raises(logs.exceptions.ResourceNotFoundException) as exc:
            logs.put_log_events(logGroupName="app", logStreamName="s",
                                logEvents=[{"timestamp": now, "message": "x"}])
        assert exc.value.response["Error"]["Message"] == "The specified log stream does not exist."
        logs.create_log_stream(logGroupName="app", logStreamName="s")
        out = logs.put_log_events(logGroupName="app", logStreamName="s", logEvents=[
            {"timestamp": now - 15 * DAY, "message": "old"}, {"timestamp": now, "message": "a"},
            {"timestamp": now + 3 * HOUR, "message": "new"}])
        assert out["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1,
                                                "tooNewLogEventStartIndex": 2}
        with pytest.raises(logs.exceptions.InvalidParameterException) as exc:
            logs.get_log_events(logGroupName="app", logStreamName="s", nextToken="f/1")
        assert exc.value.response["Error"]["Message"] == "The specified nextToken is invalid."
        page = logs.get_log_events(logGroupIdentifier=GROUP_ARN, logStreamName="s",
                                   startFromHead=True)
        assert [e["message"] for e in page["events"]] == ["a"]
        again = logs.get_log_events(logGroupName="app", logStreamName="s",
                                    nextToken=page["nextForwardToken"])
        assert (again["events"], again["nextForwardToken"]) == ([], page["nextForwardToken"])
        qid = logs.start_query(logGroupName="app", startTime=now // 1000, endTime=now // 1000,
                               queryString="fields @message")["queryId"]
        rows = logs.get_query_results(queryId=qid)["results"]
        assert [[f["field"] for f in row] for row in rows] == [["@message", "@ptr"]]
        with pytest.raises(ClientError) as exc:
            logs.get_log_events(logGroupName="nope", logStreamName="s")
        assert exc.value.response["Error"] == {
            "Code": "ResourceNotFoundException",
            "Message": "The specified log group does not exist."}

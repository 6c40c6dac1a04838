"""StopQuery, DescribeQueries and GetLogGroupFields (R-LOGS-QRY-01..08): kmsim's queries are
never running; the listing's filters and pages; fields found in the searched span, read
through the same decryptability as GetLogEvents."""

from __future__ import annotations

import json

import boto3
import pytest
from logs_support import call_ok, make_key, new_sim, snapshot
from server_support import client, running

from sim.testing import simulated_aws

DAY_START = 1_767_225_600          # 2026-01-01T00:00:00Z, seconds
WHOLE_DAY = {"startTime": DAY_START, "endTime": DAY_START + 86_400}


def _setup(**assumptions):
    sim = new_sim(**assumptions)
    k = make_key(sim)
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": k}, "+1m")
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "web"}, "+1m")
    for g in ("app", "web"):
        call_ok(sim, "logs:CreateLogStream", {"logGroupName": g, "logStreamName": "s"}, "+1m")
    return sim, k


def _put(sim, at, *messages, group="app"):
    call_ok(sim, "logs:PutLogEvents", {"logGroupName": group, "logStreamName": "s",
                                       "logEvents": [{"message": m} for m in messages]}, at)


def _start(sim, at, group="app", query="fields @message"):
    return call_ok(sim, "logs:StartQuery", {"logGroupName": group, "queryString": query,
                                            **WHOLE_DAY}, at)["queryId"]


def test_stop_query_of_an_ended_query():
    sim, _ = _setup()
    qid = _start(sim, "+2m")
    before = snapshot(sim)
    r = sim.call("logs:StopQuery", {"queryId": qid}, at="+3m")
    assert (r.err, r.rule) == ("InvalidParameterException", "R-LOGS-QRY-02")
    assert qid in r.event.out["msg"]
    r = sim.call("logs:StopQuery", {"queryId": "nope"}, at="+3m")
    assert (r.err, r.rule) == ("ResourceNotFoundException", "R-LOGS-QRY-01")
    assert snapshot(sim) == before
    sim2, _ = _setup(logs_qry_stop="false")
    qid2 = _start(sim2, "+2m")
    assert call_ok(sim2, "logs:StopQuery", {"queryId": qid2}, "+3m") == {"success": False}


def test_describe_queries_filters_and_pages():
    sim, _ = _setup()
    q1 = _start(sim, "+2m")
    q2 = _start(sim, "+3m", group="web", query="fields @timestamp")
    out = call_ok(sim, "logs:DescribeQueries", {}, "+4m")["queries"]
    assert [(q["queryId"], q["logGroupName"], q["status"], q["queryString"]) for q in out] == [
        (q1, "app", "Complete", "fields @message"), (q2, "web", "Complete", "fields @timestamp")]
    started = [e for e in sim.events if e.op == "logs:StartQuery"]
    assert [q["createTime"] for q in out] == [e.t for e in started]
    assert out[0]["userIdentity"] == started[0].actor and ":role/" in started[0].actor
    assert [q["queryId"] for q in call_ok(sim, "logs:DescribeQueries",
                                          {"logGroupName": "web"}, "+4m")["queries"]] == [q2]
    assert call_ok(sim, "logs:DescribeQueries", {"status": "Running"}, "+4m")["queries"] == []
    first = call_ok(sim, "logs:DescribeQueries", {"maxResults": 1}, "+4m")
    rest = call_ok(sim, "logs:DescribeQueries", {"nextToken": first["nextToken"]}, "+4m")
    assert [q["queryId"] for q in first["queries"] + rest["queries"]] == [q1, q2]
    # results are kept 7 days; then the query is no longer listed
    assert [q["queryId"] for q in call_ok(sim, "logs:DescribeQueries", {}, "+8d")[
        "queries"]] == []


def test_log_group_fields_with_percentages():
    sim, _ = _setup()
    _put(sim, "+2m", json.dumps({"level": "ERROR", "http": {"status": 500}}),
         json.dumps({"level": "INFO"}), "plain text", "also plain")
    out = call_ok(sim, "logs:GetLogGroupFields", {"logGroupName": "app"}, "+3m")
    fields = {f["name"]: f["percent"] for f in out["logGroupFields"]}
    assert fields == {"@timestamp": 100, "@message": 100, "@logStream": 100, "@log": 100,
                      "@ingestionTime": 100, "level": 50, "http.status": 25}
    percents = [f["percent"] for f in out["logGroupFields"]]
    assert percents == sorted(percents, reverse=True)
    # the last 15 minutes only, or 8 minutes either side of time (R-LOGS-QRY-05)
    assert call_ok(sim, "logs:GetLogGroupFields", {"logGroupName": "app"}, "+30m") == {
        "logGroupFields": []}
    t = (sim.events[-1].t // 1000)
    assert call_ok(sim, "logs:GetLogGroupFields", {"logGroupName": "app", "time": t - 20 * 60},
                   "+31m")["logGroupFields"]
    assert not call_ok(sim, "logs:GetLogGroupFields",
                       {"logGroupName": "app", "time": t - 10 * 60}, "+31m")["logGroupFields"]


def test_log_group_fields_read_only_what_logs_can_decrypt():
    sim, k = _setup()
    _put(sim, "+2m", json.dumps({"level": "ERROR"}))
    call_ok(sim, "kms:DisableKey", {"KeyId": k}, "+3m")
    r = sim.call("logs:GetLogGroupFields", {"logGroupName": "app"}, at="+4m")
    assert (r.err, r.rule) == ("InvalidParameterException", "R-LOGS-34")
    assert "cannot be decrypted" in r.event.out["msg"]
    call_ok(sim, "kms:EnableKey", {"KeyId": k}, "+5m")
    assert call_ok(sim, "logs:GetLogGroupFields", {"logGroupName": "app"}, "+6m")[
        "logGroupFields"]


def test_log_group_fields_takes_exactly_one_group_reference():
    sim, _ = _setup()
    r = sim.call("logs:GetLogGroupFields", {}, at="+2m")
    assert (r.err, r.rule) == ("InvalidParameterException", "R-LOGS-QRY-06")
    r = sim.call("logs:GetLogGroupFields", {"logGroupName": "app", "logGroupIdentifier": "app"},
                 at="+2m")
    assert r.rule == "R-LOGS-QRY-06"
    r = sim.call("logs:GetLogGroupFields", {"logGroupName": "nope"}, at="+2m")
    assert r.err == "ResourceNotFoundException"


def test_boto3_against_the_server_and_in_process():
    with running() as srv:
        logs = client(srv, "logs")
        logs.create_log_group(logGroupName="app")
        logs.create_log_stream(logGroupName="app", logStreamName="s")
        logs.put_log_events(logGroupName="app", logStreamName="s", logEvents=[
            {"timestamp": srv.app.sim.now, "message": json.dumps({"user": "ann"})}])
        fields = logs.get_log_group_fields(logGroupName="app")["logGroupFields"]
        assert {"name": "user", "percent": 100} in fields
        qid = logs.start_query(logGroupName="app", queryString="fields @message",
                               **WHOLE_DAY)["queryId"]
        assert [q["queryId"] for q in logs.describe_queries()["queries"]] == [qid]
        with pytest.raises(logs.exceptions.InvalidParameterException):
            logs.stop_query(queryId=qid)
    with simulated_aws():
        logs = boto3.client("logs", region_name="us-east-1", aws_access_key_id="AKID",
                            aws_secret_access_key="s")
        with pytest.raises(logs.exceptions.ResourceNotFoundException):
            logs.stop_query(queryId="nope")
        assert logs.describe_queries()["queries"] == []

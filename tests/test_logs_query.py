"""StartQuery / GetQueryResults: results stored under the query-result key, kept 7 days,
cross-account queries under the monitoring account's key, unreadable sources."""

from __future__ import annotations

from logs_support import (
    ACCT,
    ALLOW_ALL,
    OTHER,
    call_ok,
    logs_policy,
    make_key,
    new_sim,
    put,
)

QR_ARN = f"arn:aws:logs:us-east-1:{ACCT}:query-result:*"
WHOLE_DAY = {"startTime": 1_767_225_600, "endTime": 1_767_312_000}   # 2026-01-01 (seconds)


def start(sim, at, label=None, expect="ok", **args):
    """StartQuery over ``app`` (unless other groups are given) for the whole first day."""
    req = {"logGroupName": "app", "queryString": "fields @timestamp, @message, @logStream, @log",
           **WHOLE_DAY, **args}
    r = sim.call("logs:StartQuery", req, at=at, label=label)
    assert r.outcome == expect, r.event.out
    return r


def setup(propagation="instant", **assumptions):
    """Group ``app`` under k1, query results under k2, two batches written."""
    sim = new_sim(propagation, **assumptions)
    k1, k2 = make_key(sim), make_key(sim)
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": k1}, "+1m")
    for stream in "st":
        call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": stream},
                "+1m")
    call_ok(sim, "logs:AssociateKmsKey", {"resourceIdentifier": QR_ARN, "kmsKeyId": k2}, "+1m")
    put(sim, "+2m", "e1", message="GET /index 200")
    put(sim, "+3m", "e2", message="GET /admin 500", stream="t")
    return sim, k1, k2


def test_results_are_plaintext_under_the_query_result_key():
    sim, k1, k2 = setup()
    qid = start(sim, "+4m", "q").get("queryId")
    assert sim.events[-2].draws["queryId"] == qid            # a recorded draw (the label is last)
    out = call_ok(sim, "logs:GetQueryResults", {"queryId": qid}, "+5m")
    assert out["status"] == "Complete" and out["encryptionKey"] == k2
    rows = [{f["field"]: f["value"] for f in row} for row in out["results"]]
    assert [(r["@message"], r["@logStream"], r["@log"]) for r in rows] == [
        ("GET /index 200", "s", f"{ACCT}:app"), ("GET /admin 500", "t", f"{ACCT}:app")]
    assert sim.decryptable("q").keys == (k2,)
    # the group's key does not encrypt results (R-LOGS-07): disabling k1 leaves them readable
    call_ok(sim, "kms:DisableKey", {"KeyId": k1}, "+6m")
    assert sim.decryptable("q").status == "yes"
    assert call_ok(sim, "logs:GetQueryResults", {"queryId": qid}, "+6m")["results"]
    call_ok(sim, "kms:DisableKey", {"KeyId": k2}, "+7m")
    r = sim.call("logs:GetQueryResults", {"queryId": qid}, at="+8m")
    assert (r.err, r.rule) == ("InvalidParameterException", "R-LOGS-34")
    assert sim.decryptable("q").status == "no"


def test_filter_and_limit():
    sim, *_ = setup()
    qid = start(sim, "+4m", queryString="fields @message | filter @message like /500/").get(
        "queryId")
    rows = call_ok(sim, "logs:GetQueryResults", {"queryId": qid}, "+5m")["results"]
    assert [r[0]["value"] for r in rows] == ["GET /admin 500"]
    qid = start(sim, "+6m", queryString='filter @message like "GET" | limit 1').get("queryId")
    assert len(call_ok(sim, "logs:GetQueryResults", {"queryId": qid}, "+6m")["results"]) == 1


def test_without_a_query_result_key_results_use_the_service_key():
    sim = new_sim("instant")
    k1 = make_key(sim)
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": k1}, "+1m")
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, "+1m")
    put(sim, "+2m", "e1")
    qid = start(sim, "+3m", "q").get("queryId")
    assert sim.decryptable("q").keys == (None,)
    assert "encryptionKey" not in call_ok(sim, "logs:GetQueryResults", {"queryId": qid}, "+4m")


def test_results_are_kept_seven_days():
    sim, *_ = setup()
    qid = start(sim, "+4m", "q").get("queryId")
    assert sim.decryptable("q", at="+7d3m").status == "yes"
    assert sim.decryptable("q", at="+7d4m").status == "gone"
    r = sim.call("logs:GetQueryResults", {"queryId": qid}, at="+7d4m")
    assert (r.err, r.rule) == ("ResourceNotFoundException", "R-LOGS-85")
    r = sim.call("logs:GetQueryResults", {"queryId": "nope"}, at="+7d4m")
    assert (r.err, r.rule) == ("ResourceNotFoundException", "R-LOGS-17")


def test_deleted_query_result_key():
    # A key scheduled for deletion after the query outlives the results (7 days minimum
    # pending window, 7 days kept): the results are gone before the key is.
    sim, _, k2 = setup()
    start(sim, "+4m", "q")
    call_ok(sim, "kms:ScheduleKeyDeletion", {"KeyId": k2, "PendingWindowInDays": 7}, "+5m")
    assert sim.decryptable("q", at="+7d4m").status == "gone"
    # Only results stored under an already unusable key (ingest_unusable_key=store) can
    # meet its deletion: then they are unreadable, permanently (R-LOGS-12).
    sim, _, k2 = setup(ingest_unusable_key="store")
    call_ok(sim, "kms:ScheduleKeyDeletion", {"KeyId": k2, "PendingWindowInDays": 7}, "+3m")
    start(sim, "+4m", "q")
    answer = sim.decryptable("q", at="+7d3m")
    assert (answer.status, answer.permanent) == ("no", True)
    assert "R-LOGS-12" in answer.rules


def test_results_started_before_a_key_change_keep_their_key():
    sim, _, k2 = setup("uncertain")
    start(sim, "+4m", "during")                  # k2 is still propagating: either key
    start(sim, "+7m", "after")
    assert sim.decryptable("during").keys == (None, k2)
    call_ok(sim, "kms:DisableKey", {"KeyId": k2}, "+8m")
    assert sim.decryptable("during").status == "maybe"
    assert sim.decryptable("after").status == "no"


def test_unreadable_sources_fail_by_default_or_are_skipped_when_partial():
    for setting, expect in (("fail", "InvalidParameterException"), ("partial", "ok")):
        sim, k1, _ = setup(query_unreadable=setting)
        call_ok(sim, "kms:DisableKey", {"KeyId": k1}, "+4m")
        call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "plain"}, "+4m")
        call_ok(sim, "logs:CreateLogStream", {"logGroupName": "plain", "logStreamName": "s"},
                "+4m")
        put(sim, "+4m", "p1", group="plain", message="plain text")
        r = start(sim, "+5m", expect=expect, logGroupNames=["app", "plain"], logGroupName=None)
        if setting == "fail":
            assert r.rule == "R-LOGS-36" and "Disabled" in r.event.out["msg"]
            continue
        out = call_ok(sim, "logs:GetQueryResults", {"queryId": r.get("queryId")}, "+6m")
        assert [row[1]["value"] for row in out["results"]] == ["plain text"]


def test_query_parameter_checks():
    sim, *_ = setup()
    start(sim, "+4m", expect="InvalidParameterException", logGroupNames=["app"])  # two given
    start(sim, "+4m", expect="InvalidParameterException", startTime=5, endTime=4)
    start(sim, "+4m", expect="ResourceNotFoundException", logGroupName="nope")
    r = sim.call("logs:StartQuery", {"logGroupName": "app", "startTime": 0}, at="+4m")
    assert (r.err, r.rule) == ("InvalidParameterException", "R-LOGS-19")


def test_cross_account_query_uses_the_monitoring_account_key():
    sim = new_sim("instant")                       # the scenario's account is the monitor
    source = sim.principal("src", arn=f"arn:aws:iam::{OTHER}:role/Admin", policy=ALLOW_ALL)
    ks = sim.call("kms:CreateKey", {"Policy": logs_policy(account=OTHER)}, at="+1m",
                  as_="src").get("KeyMetadata.Arn")
    ks_results = sim.call("kms:CreateKey", {"Policy": logs_policy(account=OTHER)}, at="+1m",
                          as_="src").get("KeyMetadata.Arn")
    km = make_key(sim, "+1m")
    src_group = f"arn:aws:logs:us-east-1:{OTHER}:log-group:app"
    assert sim.call("logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": ks}, at="+2m",
                    as_="src").ok
    assert sim.call("logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"},
                    at="+2m", as_="src").ok
    assert sim.call("logs:AssociateKmsKey", {
        "resourceIdentifier": f"arn:aws:logs:us-east-1:{OTHER}:query-result:*",
        "kmsKeyId": ks_results}, at="+2m", as_="src").ok
    call_ok(sim, "logs:AssociateKmsKey", {"resourceIdentifier": QR_ARN, "kmsKeyId": km}, "+2m")
    assert sim.call("logs:PutLogEvents", {"logGroupName": "app", "logStreamName": "s",
                                          "logEvents": [{"message": "from source"}]},
                    at="+3m", as_="src").ok
    args = {"logGroupIdentifiers": [src_group], "logGroupName": None}
    r = start(sim, "+4m", expect="ResourceNotFoundException", **args)
    assert r.rule == "R-LOGS-81"
    call_ok(sim, "sim:Link", {"MonitoringAccount": ACCT, "SourceAccount": OTHER}, "+5m")
    qid = start(sim, "+6m", "x", **args).get("queryId")
    assert sim.decryptable("x").keys == (km,)                       # R-LOGS-11
    out = call_ok(sim, "logs:GetQueryResults", {"queryId": qid}, "+7m")
    assert out["results"][0][3]["value"] == f"{OTHER}:app"
    # the source account cannot fetch the monitoring account's results
    r = sim.call("logs:GetQueryResults", {"queryId": qid}, at="+7m", as_=source)
    assert r.err == "ResourceNotFoundException"
    sim.call("kms:DisableKey", {"KeyId": ks_results}, at="+8m", as_="src")
    assert sim.decryptable("x").status == "yes"
    call_ok(sim, "kms:DisableKey", {"KeyId": km}, "+9m")
    assert sim.decryptable("x").status == "no"


# -- the shape of the results (R-LOGS-57, R-LOGS-58, A-QUERY-FIELDS) -----------------------

def fields_of(sim, at, query):
    """The field names of each row of a query over ``setup()``'s two batches."""
    out = call_ok(sim, "logs:GetQueryResults",
                  {"queryId": start(sim, at, queryString=query).get("queryId")}, at)
    return [[f["field"] for f in row] for row in out["results"]], out["results"]


def test_rows_hold_the_fields_asked_for_then_ptr():
    sim, *_ = setup()
    names, rows = fields_of(sim, "+4m", "fields @timestamp, @message")
    assert names == [["@timestamp", "@message", "@ptr"]] * 2
    assert rows[0][0]["value"] == "2026-01-01 00:02:00.000"
    ptrs = [row[2]["value"] for row in rows]
    assert len(set(ptrs)) == 2 and all(ptrs)                          # one per log event
    _, again = fields_of(sim, "+5m", "fields @message | filter @message like /admin/")
    assert again[0][1]["value"] == ptrs[1]                            # the same event, again
    names, rows = fields_of(sim, "+5m", "fields @logStream, `@message` as msg, nosuch, @ptr")
    assert names[0] == ["@logStream", "msg", "@ptr"]                  # no value: left out
    assert rows[0][1]["value"] == "GET /index 200"


def test_without_fields_a_row_is_timestamp_and_message_and_display_decides():
    sim, *_ = setup()
    names, _ = fields_of(sim, "+4m", "filter @message like /GET|PUT/ | limit 5")
    assert names == [["@timestamp", "@message", "@ptr"]] * 2          # R-LOGS-58
    names, _ = fields_of(sim, "+4m", "fields @message | fields @log\n# | display @message\n"
                         "| display @ingestionTime | display @logStream")
    assert names == [["@logStream", "@ptr"]] * 2                      # the last display


def test_json_messages_are_fields_only_under_the_json_alternative():
    for setting, want in (("system", ["@ptr"]), ("json", ["status", "req.path", "@ptr"])):
        sim = new_sim("instant", query_fields=setting)
        call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app"}, "+1m")
        call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"},
                "+1m")
        put(sim, "+2m", "e1", message='{"status": 500, "req": {"path": "/admin"}}')
        names, rows = fields_of(sim, "+3m", "fields status, req.path")
        assert names == [want], setting
        if setting == "json":
            assert [f["value"] for f in rows[0][:2]] == ["500", "/admin"]


def test_rejected_events_are_not_in_query_results():
    sim, *_ = setup()
    t = sim.when("+4m")
    call_ok(sim, "logs:PutLogEvents", {"logGroupName": "app", "logStreamName": "s", "logEvents": [
        {"timestamp": t, "message": "kept"}, {"timestamp": t + 3 * 3600_000, "message": "far"}]},
        "+4m")
    _, rows = fields_of(sim, "+5m", "fields @message")
    assert [row[0]["value"] for row in rows] == ["GET /index 200", "GET /admin 500", "kept"]


def test_query_result_encryption_context_is_an_assumption():
    # R-LOGS-61 (A-LOGS-QUERY-CONTEXT): a key policy conditioned on the query-result ARN lets
    # logs use k2 under the default; with no context the condition does not match.
    pinned = logs_policy(resource=QR_ARN).replace("ArnLike", "ArnEquals")
    for setting, expected in (("query-result-arn", "ok"), ("none", "AccessDeniedException")):
        sim = new_sim("instant", logs_query_context=setting)
        k2 = make_key(sim, Policy=pinned)
        r = sim.call("logs:AssociateKmsKey", {"resourceIdentifier": QR_ARN, "kmsKeyId": k2},
                     at="+1m")
        assert r.outcome == expected, (setting, r.event.out)
    sim, _, k2 = setup()
    start(sim, "+4m", "q")
    answer = sim.decryptable("q", at="+5m")
    assert answer.status == "yes" and "R-LOGS-60" in answer.rules


def test_expired_results_error_is_an_assumption():
    """R-LOGS-85: past 7 days GetQueryResults is A-LOGS-EXPIRED-QUERY's error."""
    sim, *_ = setup(logs_expired_query="invalid-parameter")
    qid = start(sim, "+4m", "q").get("queryId")
    r = sim.call("logs:GetQueryResults", {"queryId": qid}, at="+7d4m")
    assert (r.err, r.rule) == ("InvalidParameterException", "R-LOGS-85")


def test_ptr_form_is_an_assumption():
    """R-LOGS-87: @ptr is opaque by default, kmsim's own text under plain."""
    opaque = [row[-1]["value"] for row in fields_of(setup()[0], "+4m", "fields @message")[1]]
    plain = [row[-1]["value"]
             for row in fields_of(setup(query_ptr="plain")[0], "+4m", "fields @message")[1]]
    assert all(p.startswith("kmsim:") for p in plain) and len(set(plain)) == len(plain)
    assert not any(p.startswith("kmsim:") for p in opaque) and opaque != plain

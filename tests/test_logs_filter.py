"""FilterLogEvents (issue 13, part L1): the filter pattern syntax for text terms, the time
range and stream filters, the documented order and pages, and reading through the same
decryptability as GetLogEvents, through the Simulator API (boto3: test_logs_filter_wire.py)."""

from __future__ import annotations

import pytest
from logs_support import ACCT, call_ok, logs_policy, make_key, new_sim, snapshot

from events.timefmt import parse_rfc3339

IPE, RNF = "InvalidParameterException", "ResourceNotFoundException"
READER = f"arn:aws:iam::{ACCT}:role/Reader"
MESSAGES = ["[ERROR] A fatal exception has occurred", "Exiting with ERRORCODE: -1",
            "ERROR WARN message", "ERROR message", "WARN message", "Failed to process the request"]


def put(sim, at, stream, *events, group="app"):
    """One PutLogEvents batch of ``(timestamp offset from the call, message)``."""
    t = sim.when(at)
    return call_ok(sim, "logs:PutLogEvents", {
        "logGroupName": group, "logStreamName": stream,
        "logEvents": [{"timestamp": t + dt, "message": m} for dt, m in events]}, at)


def group(sim, at="+0s", name="app", streams=("s",), **args):
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": name, **args}, at)
    for s in streams:
        call_ok(sim, "logs:CreateLogStream", {"logGroupName": name, "logStreamName": s}, at)


@pytest.fixture
def text():
    """Group ``app``, stream ``s``: the user guide's example messages, one batch."""
    s = new_sim("instant")
    group(s)
    put(s, "+1m", "s", *[(i, m) for i, m in enumerate(MESSAGES)])
    return s


def matched(sim, pattern, at="+2m"):
    out = call_ok(sim, "logs:FilterLogEvents", {"logGroupName": "app",
                                                "filterPattern": pattern}, at)
    return [MESSAGES.index(e["message"]) for e in out["events"]]


@pytest.mark.parametrize("pattern, expected", [
    ("", [0, 1, 2, 3, 4, 5]),
    ('""', [0, 1, 2, 3, 4, 5]),
    ("ERROR", [0, 1, 2, 3]),                       # ERRORCODE too: a term is a substring
    ("error", []),                                 # case sensitive
    ("ERROR WARN", [2]),                           # every term
    ('"ERROR" - "Exiting"', [0, 2, 3]),            # the guide's example 3
    ("ERROR -WARN", [0, 1, 3]),
    ("?ERROR ?WARN", [0, 1, 2, 3, 4]),
    ('"Failed to process the request"', [5]),      # a quoted phrase
    ('"to process Failed"', []),                   # ... matched as written
    ('"[ERROR]"', [0]),
])
def test_text_terms(text, pattern, expected):
    assert matched(text, pattern) == expected


def test_a_mix_of_or_and_plain_terms_is_the_assumptions(text):
    assert matched(text, "message ?WARN ?fatal") == [2, 4]
    lax = new_sim("instant", logs_api_or_mix="any")
    group(lax)
    put(lax, "+1m", "s", *[(i, m) for i, m in enumerate(MESSAGES)])
    assert matched(lax, "message ?WARN ?fatal") == [0, 2, 3, 4]


@pytest.mark.parametrize("pattern", ["ERROR]", "ERROR:", "foo-bar", 'x"y'])
def test_an_unquoted_term_with_other_characters_is_refused(text, pattern):
    before = snapshot(text)
    r = text.call("logs:FilterLogEvents", {"logGroupName": "app", "filterPattern": pattern},
                  at="+2m")
    assert (r.err, r.rule, r.event.out["msg"]) == (IPE, "R-LOGS-API-24",
                                                   "Invalid character(s) in term")
    assert snapshot(text) == before


@pytest.mark.parametrize("pattern", ['{ $.level = "ERROR" }', "[ip, user, status=404]",
                                     "%ERR.R%"])
def test_json_space_delimited_and_regex_patterns(text, pattern):
    r = text.call("logs:FilterLogEvents", {"logGroupName": "app", "filterPattern": pattern},
                  at="+2m")
    assert (r.err, r.rule) == (IPE, "R-LOGS-API-28")
    other = new_sim("instant", logs_api_filter_syntax="none")
    group(other)
    put(other, "+1m", "s", (0, '{"level": "ERROR"}'))
    assert call_ok(other, "logs:FilterLogEvents", {"logGroupName": "app",
                                                   "filterPattern": pattern},
                   "+2m")["events"] == []


# -- streams, time range, order, pages -----------------------------------------------------

@pytest.fixture
def two():
    """Streams web-1, web-2, db: interleaved events; db's batch ingested later."""
    s = new_sim("instant")
    group(s, streams=("web-1", "web-2", "db"))
    put(s, "+1m", "web-1", (0, "w1a"), (2000, "w1b"))
    put(s, "+1m", "web-2", (1000, "w2a"))
    put(s, "+2m", "db", (-60_000, "db-same-time-later-ingest"), (-59_000, "db2"))
    return s


def filtered(sim, at="+3m", **args):
    out = call_ok(sim, "logs:FilterLogEvents", {"logGroupName": "app", **args}, at)
    return [e["message"] for e in out["events"]]


def test_events_are_interleaved_by_timestamp_then_ingestion_time(two):
    assert filtered(two) == ["w1a", "db-same-time-later-ingest", "w2a", "db2", "w1b"]
    assert filtered(two, interleaved=False) == filtered(two)  # ignored (R-LOGS-API-19)
    out = call_ok(two, "logs:FilterLogEvents", {"logGroupName": "app"}, "+3m")
    assert out["searchedLogStreams"] == []
    first = out["events"][0]
    assert (first["logStreamName"], first["timestamp"], first["ingestionTime"]) == (
        "web-1", two.when("+1m"), two.when("+1m"))


def test_stream_names_and_prefix(two):
    assert filtered(two, logStreamNames=["db", "web-2"]) == [
        "db-same-time-later-ingest", "w2a", "db2"]
    assert filtered(two, logStreamNamePrefix="web") == ["w1a", "w2a", "w1b"]
    r = two.call("logs:FilterLogEvents", {"logGroupName": "app", "logStreamNames": ["db"],
                                          "logStreamNamePrefix": "web"}, at="+3m")
    assert (r.err, r.rule) == (IPE, "R-LOGS-API-12")
    r = two.call("logs:FilterLogEvents", {"logGroupName": "app", "logStreamNames": ["nope"]},
                 at="+3m")
    assert (r.err, r.rule, r.event.out["msg"]) == (
        RNF, "R-LOGS-API-53", "The specified log stream does not exist.")


def test_the_time_range_includes_both_ends(two):
    t = two.when("+1m")
    assert filtered(two, startTime=t + 1000, endTime=t + 2000) == ["w2a", "db2", "w1b"]
    assert filtered(two, startTime=t + 1001) == ["w1b"]
    assert filtered(two, endTime=t - 1) == []


def test_newest_first_and_the_token_keeps_its_direction(two):
    newest = filtered(two, startFromHead=False)
    assert newest == list(reversed(filtered(two)))
    page = call_ok(two, "logs:FilterLogEvents", {"logGroupName": "app", "limit": 2,
                                                 "startFromHead": False}, "+3m")
    rest = call_ok(two, "logs:FilterLogEvents", {"logGroupName": "app", "startFromHead": True,
                                                 "nextToken": page["nextToken"]}, "+3m")
    assert [e["message"] for e in page["events"] + rest["events"]] == newest
    r = two.call("logs:FilterLogEvents", {"logGroupName": "app", "startFromHead": False,
                                          "startTime": parse_rfc3339("2023-12-31T23:59:59Z")},
                 at="+3m")
    assert (r.err, r.rule) == (IPE, "R-LOGS-API-17")


def pages(sim, limit, **args):
    """Every page of a FilterLogEvents of ``app``: its messages, and whether it had a token."""
    out, token = [], None
    while True:
        page = call_ok(sim, "logs:FilterLogEvents", {
            "logGroupName": "app", "limit": limit, **args,
            **({"nextToken": token} if token else {})}, "+3m")
        token = page.get("nextToken")
        out.append(([e["message"] for e in page["events"]], token is not None))
        if not token:
            return out


def test_pages_and_partial_pages(two):
    assert pages(two, 2, filterPattern="w") == [(["w1a", "w2a"], True), (["w1b"], False)]
    # a full page has a token while events remain, though none of them may match
    assert pages(two, 1, filterPattern="w1a") == [(["w1a"], True), ([], False)]
    assert pages(two, 10, filterPattern="w") == [(["w1a", "w2a", "w1b"], False)]
    r = two.call("logs:FilterLogEvents", {"logGroupName": "app", "nextToken": "bogus"},
                 at="+3m")
    assert (r.err, r.event.out["msg"]) == (IPE, "The specified nextToken is invalid.")


def test_a_token_of_another_group_is_refused(two):
    group(two, at="+3m", name="other")
    put(two, "+3m", "s", (0, "x"), (1, "y"), group="other")
    token = call_ok(two, "logs:FilterLogEvents", {"logGroupName": "other", "limit": 1},
                    "+4m")["nextToken"]
    r = two.call("logs:FilterLogEvents", {"logGroupName": "app", "nextToken": token},
                 at="+4m")
    assert (r.err, r.rule) == (IPE, "R-LOGS-API-29")


def test_event_ids_are_stable_and_distinct(two):
    ids = [e["eventId"] for e in call_ok(two, "logs:FilterLogEvents",
                                         {"logGroupName": "app"}, "+3m")["events"]]
    again = [e["eventId"] for e in call_ok(two, "logs:FilterLogEvents",
                                           {"logGroupName": "app"}, "+4m")["events"]]
    assert ids == again and len(set(ids)) == len(ids)
    assert all(len(i) == 56 and i.isdigit() for i in ids)
    opaque = new_sim("instant", logs_api_event_id="opaque")
    group(opaque)
    put(opaque, "+1m", "s", (0, "x"))
    (only,) = call_ok(opaque, "logs:FilterLogEvents", {"logGroupName": "app"}, "+2m")["events"]
    assert not only["eventId"].isdigit()


@pytest.mark.parametrize("args", [{}, {"logGroupName": "app", "logGroupIdentifier": "app"}])
def test_exactly_one_group_reference(two, args):
    r = two.call("logs:FilterLogEvents", args, at="+3m")
    assert (r.err, r.rule) == (IPE, "R-LOGS-API-01")


def test_a_group_named_by_arn_or_missing(two):
    arn = f"arn:aws:logs:us-east-1:{ACCT}:log-group:app"
    assert [e["message"] for e in call_ok(two, "logs:FilterLogEvents", {
        "logGroupIdentifier": arn}, "+3m")["events"]] == filtered(two)
    r = two.call("logs:FilterLogEvents", {"logGroupName": "nope"}, at="+3m")
    assert (r.err, r.rule) == (RNF, "R-LOGS-17")


# -- decryptability: as GetLogEvents -------------------------------------------------------

@pytest.fixture
def keyed():
    """Batch old under key k1 (then replaced), batch new under k2, which is then disabled."""
    s = new_sim("instant")
    k1, k2 = make_key(s), make_key(s)
    group(s, kmsKeyId=k1)
    put(s, "+1m", "s", (0, "old ERROR"))
    call_ok(s, "logs:AssociateKmsKey", {"logGroupName": "app", "kmsKeyId": k2}, "+2m")
    put(s, "+3m", "s", (0, "new ERROR"))
    call_ok(s, "kms:DisableKey", {"KeyId": k2}, "+4m")
    return s, k2


def test_an_unreadable_batch_fails_the_call_as_get_log_events_does(keyed):
    keyed, k2 = keyed
    before = snapshot(keyed)
    r = keyed.call("logs:FilterLogEvents", {"logGroupName": "app"}, at="+5m")
    g = keyed.call("logs:GetLogEvents", {"logGroupName": "app", "logStreamName": "s"},
                   at="+5m")
    assert (r.err, r.rule) == (g.err, g.rule) == (IPE, "R-LOGS-34")
    assert "Disabled" in r.event.out["msg"] and "#" in r.event.out["msg"]
    assert snapshot(keyed) == before
    # only what the key guards: before the new batch, the old one reads fine
    assert filtered(keyed, at="+5m", endTime=keyed.when("+2m")) == ["old ERROR"]
    call_ok(keyed, "kms:EnableKey", {"KeyId": k2}, "+6m")
    assert filtered(keyed, at="+6m") == ["old ERROR", "new ERROR"]


def test_the_read_error_follows_a_logs_read_error():
    s = new_sim("instant", logs_read_error="AccessDeniedException")
    k = make_key(s)
    group(s, kmsKeyId=k)
    put(s, "+1m", "s", (0, "x"))
    call_ok(s, "kms:DisableKey", {"KeyId": k}, "+2m")
    r = s.call("logs:FilterLogEvents", {"logGroupName": "app"}, at="+3m")
    assert (r.err, r.rule) == ("AccessDeniedException", "R-LOGS-34")


def test_a_full_page_stops_before_an_unreadable_batch_unless_all(keyed):
    keyed, _ = keyed
    page = call_ok(keyed, "logs:FilterLogEvents", {"logGroupName": "app", "limit": 1}, "+5m")
    assert [e["message"] for e in page["events"]] == ["old ERROR"] and page["nextToken"]
    r = keyed.call("logs:FilterLogEvents", {"logGroupName": "app",
                                            "nextToken": page["nextToken"]}, at="+5m")
    assert (r.err, r.rule) == (IPE, "R-LOGS-34")
    strict = new_sim("instant", logs_api_filter_read="all")
    k1, k2 = make_key(strict), make_key(strict)
    group(strict, kmsKeyId=k1)
    put(strict, "+1m", "s", (0, "old"))
    call_ok(strict, "logs:AssociateKmsKey", {"logGroupName": "app", "kmsKeyId": k2}, "+2m")
    put(strict, "+3m", "s", (0, "new"))
    call_ok(strict, "kms:DisableKey", {"KeyId": k2}, "+4m")
    r = strict.call("logs:FilterLogEvents", {"logGroupName": "app", "limit": 1}, at="+5m")
    assert (r.err, r.rule) == (IPE, "R-LOGS-34")


def test_a_reader_without_decrypt_is_refused_under_a_logs_reader_caller():
    s = new_sim("instant", logs_reader="caller")
    s.principal("reader", arn=READER, policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}, at="+0s")
    k = make_key(s, Policy=logs_policy())  # the account root only: no IAM Decrypt for reader
    group(s, kmsKeyId=k)
    put(s, "+1m", "s", (0, "secret"))
    assert filtered(s, at="+2m") == ["secret"]  # admin: IAM allows kms:*
    r = s.call("logs:FilterLogEvents", {"logGroupName": "app"}, at="+2m", as_="reader")
    assert (r.err, r.rule) == (IPE, "R-LOGS-34")

"""Log group tags (issue 13, part L1): TagResource, UntagResource, ListTagsForResource by
ARN, the legacy TagLogGroup, UntagLogGroup, ListTagsLogGroup by name, and CreateLogGroup's
tags, through the Simulator API (boto3: test_logs_tags_wire.py)."""

from __future__ import annotations

import pytest
from logs_support import ACCT, OTHER, call_ok, new_sim, snapshot

IPE, RNF = "InvalidParameterException", "ResourceNotFoundException"
ARN = f"arn:aws:logs:us-east-1:{ACCT}:log-group:app"


@pytest.fixture
def sim():
    s = new_sim("instant")
    call_ok(s, "logs:CreateLogGroup", {"logGroupName": "app", "tags": {"team": "a"}}, "+0s")
    return s


def tags(sim, at="+1m"):
    by_arn = call_ok(sim, "logs:ListTagsForResource", {"resourceArn": ARN}, at)["tags"]
    by_name = call_ok(sim, "logs:ListTagsLogGroup", {"logGroupName": "app"}, at)["tags"]
    assert by_arn == by_name
    return by_arn


def test_create_log_group_tags_and_tag_resource_adds_or_replaces(sim):
    assert tags(sim) == {"team": "a"}
    call_ok(sim, "logs:TagResource", {"resourceArn": ARN,
                                      "tags": {"team": "b", "env": "prod"}}, "+1m")
    assert tags(sim) == {"team": "b", "env": "prod"}
    call_ok(sim, "logs:UntagResource", {"resourceArn": ARN, "tagKeys": ["team", "absent"]},
            "+2m")
    assert tags(sim, "+2m") == {"env": "prod"}


def test_the_legacy_operations(sim):
    call_ok(sim, "logs:TagLogGroup", {"logGroupName": "app", "tags": {"cost": "42"}}, "+1m")
    assert tags(sim) == {"team": "a", "cost": "42"}
    call_ok(sim, "logs:UntagLogGroup", {"logGroupName": "app", "tags": ["team"]}, "+2m")
    assert tags(sim, "+2m") == {"cost": "42"}
    for op, args in (("logs:TagLogGroup", {"tags": {"a": "b"}}),
                     ("logs:UntagLogGroup", {"tags": ["a"]}), ("logs:ListTagsLogGroup", {})):
        r = sim.call(op, {"logGroupName": "nope", **args}, at="+3m")
        assert (r.err, r.event.out["msg"]) == (RNF, "The specified log group does not exist.")


def test_no_tags_is_an_empty_map():
    s = new_sim("instant")
    call_ok(s, "logs:CreateLogGroup", {"logGroupName": "app"}, "+0s")
    assert tags(s) == {}


@pytest.mark.parametrize("arn, code, rule", [
    (f"{ARN}:*", IPE, "R-LOGS-19"),                      # the ARN with ':*' fails the pattern
    (f"arn:aws:logs:us-east-1:{ACCT}:destination:d", RNF, "R-LOGS-API-37"),
    (f"arn:aws:logs:us-east-1:{ACCT}:log-group:nope", RNF, "R-LOGS-17"),
    (f"arn:aws:logs:us-east-1:{OTHER}:log-group:app", RNF, "R-LOGS-81"),
    (f"arn:aws:logs:eu-west-1:{ACCT}:log-group:app", RNF, "R-LOGS-81"),
])
def test_the_resource_arn(sim, arn, code, rule):
    before = snapshot(sim)
    for op, args in (("logs:TagResource", {"tags": {"k": "v"}}),
                     ("logs:UntagResource", {"tagKeys": ["team"]}),
                     ("logs:ListTagsForResource", {})):
        r = sim.call(op, {"resourceArn": arn, **args}, at="+1m")
        assert (r.err, r.rule) == (code, rule), op
    assert snapshot(sim) == before


def test_at_most_fifty_tags(sim):
    many = {f"k{i}": "v" for i in range(49)}
    call_ok(sim, "logs:TagResource", {"resourceArn": ARN, "tags": many}, "+1m")
    assert len(tags(sim)) == 50
    before = snapshot(sim)
    r = sim.call("logs:TagResource", {"resourceArn": ARN, "tags": {"one": "more"}}, at="+2m")
    assert (r.err, r.rule) == ("TooManyTagsException", "R-LOGS-API-35")
    r = sim.call("logs:TagLogGroup", {"logGroupName": "app", "tags": {"one": "more"}},
                 at="+2m")
    assert (r.err, r.rule) == (IPE, "R-LOGS-API-36")
    assert snapshot(sim) == before
    call_ok(sim, "logs:TagResource", {"resourceArn": ARN, "tags": {"team": "replaced"}}, "+3m")


@pytest.mark.parametrize("bad", [{"": "v"}, {"k!": "v"}, {"k": "v" * 257}, {"k": "a;b"},
                                 {"k" * 129: "v"}])
def test_tag_keys_and_values_follow_the_model(bad):
    s = new_sim("instant")
    r = s.call("logs:CreateLogGroup", {"logGroupName": "app", "tags": bad}, at="+0s")
    assert (r.err, r.rule) == (IPE, "R-LOGS-19")
    assert "at 'tags' failed to satisfy constraint: Map" in r.event.out["msg"]
    call_ok(s, "logs:CreateLogGroup", {"logGroupName": "app"}, "+0s")
    r = s.call("logs:TagResource", {"resourceArn": ARN, "tags": bad}, at="+1m")
    assert (r.err, r.rule) == (IPE, "R-LOGS-19")


def test_unicode_letters_separators_and_symbols_are_tag_text():
    s = new_sim("instant")
    ok = {"Équipe générale": "café au lait", "a:b/c=d+e-f@g_h.i": ""}
    call_ok(s, "logs:CreateLogGroup", {"logGroupName": "app", "tags": ok}, "+0s")
    assert tags(s) == ok
    r = s.call("logs:UntagResource", {"resourceArn": ARN, "tagKeys": ["bad!"]}, at="+2m")
    assert (r.err, r.rule) == (IPE, "R-LOGS-19")


def test_tags_go_with_the_group(sim):
    call_ok(sim, "logs:DeleteLogGroup", {"logGroupName": "app"}, "+1m")
    r = sim.call("logs:ListTagsForResource", {"resourceArn": ARN}, at="+2m")
    assert (r.err, r.rule) == (RNF, "R-LOGS-17")
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app"}, "+3m")
    assert tags(sim, "+3m") == {}


def test_list_log_groups_filters_by_the_tags_tagging_set(sim):
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "other"}, "+0s")
    call_ok(sim, "logs:TagResource", {"resourceArn": ARN.replace(":app", ":other"),
                                      "tags": {"team": "b"}}, "+1m")
    out = call_ok(sim, "logs:ListLogGroups", {"logGroupTags": [{"key": "team",
                                                                "values": ["b"]}]}, "+2m")
    assert [g["logGroupName"] for g in out["logGroups"]] == ["other"]

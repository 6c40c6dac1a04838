"""PutResourcePolicy / DescribeResourcePolicies / DeleteResourcePolicy (R-LOGS-POL-01..09):
account policies by name with the 10-per-Region limit, resource-scoped policies guarded by
their revision id, the documented 5120-character size, and refusals that change nothing."""

from __future__ import annotations

import json

import boto3
import pytest
from logs_support import ACCT, call_ok, new_sim, snapshot
from server_support import client, running

from projections.arns import log_group_arn
from sim.testing import simulated_aws

DOC = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "route53.amazonaws.com"},
    "Action": "logs:PutLogEvents", "Resource": "*"}]})
GROUP_ARN = log_group_arn("us-east-1", ACCT, "app")


def _names(sim, at, **args):
    out = call_ok(sim, "logs:DescribeResourcePolicies", args, at)
    return [p["policyName"] for p in out["resourcePolicies"]]


def test_put_describe_update_delete_an_account_policy():
    sim = new_sim()
    res = call_ok(sim, "logs:PutResourcePolicy", {"policyName": "r53", "policyDocument": DOC},
                  "+1m")
    assert res["resourcePolicy"]["policyScope"] == "ACCOUNT"
    listed = call_ok(sim, "logs:DescribeResourcePolicies", {}, "+2m")["resourcePolicies"]
    assert [(p["policyName"], p["policyDocument"], p["policyScope"]) for p in listed] == [
        ("r53", DOC, "ACCOUNT")]
    first = listed[0]["lastUpdatedTime"]
    # an update of the same name replaces it (R-LOGS-POL-01)
    other = DOC.replace("route53", "es")
    call_ok(sim, "logs:PutResourcePolicy", {"policyName": "r53", "policyDocument": other}, "+3m")
    listed = call_ok(sim, "logs:DescribeResourcePolicies", {}, "+4m")["resourcePolicies"]
    assert [p["policyDocument"] for p in listed] == [other]
    assert listed[0]["lastUpdatedTime"] == first + 2 * 60_000
    call_ok(sim, "logs:DeleteResourcePolicy", {"policyName": "r53"}, "+5m")
    assert _names(sim, "+6m") == []
    r = sim.call("logs:DeleteResourcePolicy", {"policyName": "r53"}, at="+7m")
    assert (r.err, r.rule) == ("ResourceNotFoundException", "R-LOGS-POL-08")


def test_the_eleventh_policy_is_over_the_limit_but_an_update_is_not():
    sim = new_sim()
    for i in range(10):
        call_ok(sim, "logs:PutResourcePolicy", {"policyName": f"p{i}", "policyDocument": DOC},
                "+1m")
    before = snapshot(sim)
    r = sim.call("logs:PutResourcePolicy", {"policyName": "p10", "policyDocument": DOC},
                 at="+2m")
    assert (r.err, r.rule) == ("LimitExceededException", "R-LOGS-POL-02")
    assert snapshot(sim) == before
    call_ok(sim, "logs:PutResourcePolicy", {"policyName": "p3", "policyDocument": DOC}, "+3m")
    # another Region has its own ten
    call_ok(sim, "logs:PutResourcePolicy", {"policyName": "p10", "policyDocument": DOC}, "+3m",
            region="eu-west-1")
    assert len(_names(sim, "+4m")) == 10
    page1 = call_ok(sim, "logs:DescribeResourcePolicies", {"limit": 4}, "+4m")
    page2 = call_ok(sim, "logs:DescribeResourcePolicies",
                    {"limit": 50, "nextToken": page1["nextToken"]}, "+4m")
    assert [p["policyName"] for p in page1["resourcePolicies"] + page2["resourcePolicies"]] == \
        sorted(f"p{i}" for i in range(10))
    assert "nextToken" not in page2


@pytest.mark.parametrize(("setting", "code"), [("limit-exceeded", "LimitExceededException"),
                                               ("invalid-parameter",
                                                "InvalidParameterException"),
                                               ("model", None)])
def test_a_policy_over_5120_characters(setting, code):
    sim = new_sim(logs_pol_size=setting)
    big = json.dumps({"Version": "2012-10-17", "Statement": [], "Pad": "x" * 5200})
    r = sim.call("logs:PutResourcePolicy", {"policyName": "big", "policyDocument": big},
                 at="+1m")
    if code is None:
        assert r.ok
    else:
        assert (r.err, r.rule) == (code, "R-LOGS-POL-04")
    exact = json.dumps({"Pad": "x" * (5120 - 11)})
    assert len(exact) == 5120
    assert sim.call("logs:PutResourcePolicy", {"policyName": "fits", "policyDocument": exact},
                    at="+2m").ok


@pytest.mark.parametrize("doc", ["not json", "[1, 2]", ""])
def test_a_document_that_is_not_a_json_object_is_refused(doc):
    sim = new_sim()
    r = sim.call("logs:PutResourcePolicy", {"policyName": "p", "policyDocument": doc}, at="+1m")
    assert r.err == "InvalidParameterException"
    assert _names(sim, "+2m") == []


def test_a_resource_policy_is_guarded_by_its_revision():
    sim = new_sim()
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app"}, "+1m")
    args = {"policyName": "g", "policyDocument": DOC, "resourceArn": GROUP_ARN}
    res = call_ok(sim, "logs:PutResourcePolicy", args, "+2m")
    rev = res["revisionId"]
    assert res["resourcePolicy"]["policyScope"] == "RESOURCE"
    assert res["resourcePolicy"]["resourceArn"] == GROUP_ARN
    assert sim.events[-1].draws["revisionId"] == rev
    # not listed among account policies, listed by scope or by its ARN (R-LOGS-POL-07)
    assert _names(sim, "+3m") == []
    assert _names(sim, "+3m", policyScope="RESOURCE") == ["g"]
    assert _names(sim, "+3m", resourceArn=GROUP_ARN) == ["g"]
    before = snapshot(sim)
    for expected in (None, "wrong"):
        r = sim.call("logs:PutResourcePolicy", {**args, **({"expectedRevisionId": expected}
                                                            if expected else {})}, at="+4m")
        assert (r.err, r.rule) == ("OperationAbortedException", "R-LOGS-POL-06")
    assert snapshot(sim) == before
    res2 = call_ok(sim, "logs:PutResourcePolicy", {**args, "expectedRevisionId": rev}, "+5m")
    assert res2["revisionId"] != rev
    r = sim.call("logs:DeleteResourcePolicy", {"resourceArn": GROUP_ARN,
                                               "expectedRevisionId": rev}, at="+6m")
    assert r.err == "OperationAbortedException"
    call_ok(sim, "logs:DeleteResourcePolicy", {"resourceArn": GROUP_ARN,
                                               "expectedRevisionId": res2["revisionId"]}, "+7m")
    assert _names(sim, "+8m", policyScope="RESOURCE") == []


def test_a_resource_policy_needs_the_group_and_goes_with_it():
    sim = new_sim()
    args = {"policyName": "g", "policyDocument": DOC, "resourceArn": GROUP_ARN}
    r = sim.call("logs:PutResourcePolicy", args, at="+1m")
    assert (r.err, r.rule) == ("ResourceNotFoundException", "R-LOGS-POL-05")
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app"}, "+2m")
    call_ok(sim, "logs:PutResourcePolicy", args, "+3m")
    call_ok(sim, "logs:DeleteLogGroup", {"logGroupName": "app"}, "+4m")
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app"}, "+5m")
    # the new group of the same name has no policy, so a first put needs no revision
    assert _names(sim, "+6m", policyScope="RESOURCE") == []
    call_ok(sim, "logs:PutResourcePolicy", args, "+7m")


def test_boto3_against_the_server_and_in_process():
    with running() as srv:
        logs = client(srv, "logs")
        out = logs.put_resource_policy(policyName="r53", policyDocument=DOC)
        assert out["resourcePolicy"]["policyScope"] == "ACCOUNT"
        assert [p["policyName"] for p in logs.describe_resource_policies()[
            "resourcePolicies"]] == ["r53"]
        logs.delete_resource_policy(policyName="r53")
        with pytest.raises(logs.exceptions.ResourceNotFoundException):
            logs.delete_resource_policy(policyName="r53")
    with simulated_aws():
        logs = boto3.client("logs", region_name="us-east-1", aws_access_key_id="AKID",
                            aws_secret_access_key="s")
        logs.create_log_group(logGroupName="app")
        arn = logs.describe_log_groups()["logGroups"][0]["logGroupArn"]
        out = logs.put_resource_policy(policyName="g", policyDocument=DOC, resourceArn=arn)
        assert out["revisionId"] == out["resourcePolicy"]["revisionId"]
        with pytest.raises(logs.exceptions.OperationAbortedException):
            logs.put_resource_policy(policyName="g", policyDocument=DOC, resourceArn=arn)

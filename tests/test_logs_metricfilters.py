"""PutMetricFilter / DescribeMetricFilters / DeleteMetricFilter (R-LOGS-MF-01..09): filters
belong to their log group, 100 per group, three dimensions, the listing's filters and
order, and refusals that change nothing."""

from __future__ import annotations

import boto3
import pytest
from logs_support import call_ok, new_sim, snapshot
from server_support import client, running

from sim.testing import simulated_aws

TRANSFORM = {"metricName": "Errors", "metricNamespace": "App", "metricValue": "1"}


def _filter(sim, at, name, group="app", expect="ok", **transform):
    r = sim.call("logs:PutMetricFilter", {
        "logGroupName": group, "filterName": name, "filterPattern": "ERROR",
        "metricTransformations": [{**TRANSFORM, **transform}]}, at=at)
    assert r.outcome == expect, r.event.out
    return r


def _described(sim, at, **args):
    out = call_ok(sim, "logs:DescribeMetricFilters", args, at)
    return [(f["logGroupName"], f["filterName"]) for f in out["metricFilters"]]


def _setup():
    sim = new_sim()
    for g in ("app", "web"):
        call_ok(sim, "logs:CreateLogGroup", {"logGroupName": g}, "+1m")
    return sim


def test_put_describe_delete():
    sim = _setup()
    _filter(sim, "+2m", "errors", unit="Count", dimensions={"host": "$.host"},
            defaultValue=0.0)
    out = call_ok(sim, "logs:DescribeMetricFilters", {"logGroupName": "app"}, "+3m")
    (f,) = out["metricFilters"]
    assert f["filterName"] == "errors" and f["filterPattern"] == "ERROR"
    assert f["metricTransformations"] == [{**TRANSFORM, "unit": "Count",
                                           "dimensions": {"host": "$.host"},
                                           "defaultValue": 0.0}]
    assert f["logGroupName"] == "app" and f["creationTime"] == sim.events[-2].t
    call_ok(sim, "logs:DeleteMetricFilter", {"logGroupName": "app", "filterName": "errors"},
            "+4m")
    assert _described(sim, "+5m") == []
    r = sim.call("logs:DeleteMetricFilter", {"logGroupName": "app", "filterName": "errors"},
                 at="+6m")
    assert (r.err, r.rule) == ("ResourceNotFoundException", "R-LOGS-MF-07")


def test_a_filter_needs_its_group_and_goes_with_it():
    sim = _setup()
    r = _filter(sim, "+2m", "x", group="nope", expect="ResourceNotFoundException")
    assert r.rule == "R-LOGS-17"
    _filter(sim, "+2m", "x")
    call_ok(sim, "logs:DeleteLogGroup", {"logGroupName": "app"}, "+3m")
    assert _described(sim, "+4m") == []
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app"}, "+5m")
    assert _described(sim, "+6m", logGroupName="app") == []   # a new group has none


def test_the_listing_filters_and_sorts():
    sim = _setup()
    _filter(sim, "+2m", "b-errors")
    _filter(sim, "+2m", "a-latency", metricName="Latency")
    _filter(sim, "+2m", "b-errors", group="web")
    assert _described(sim, "+3m") == [("app", "a-latency"), ("app", "b-errors"),
                                       ("web", "b-errors")]
    assert _described(sim, "+3m", logGroupName="app", filterNamePrefix="b") == [
        ("app", "b-errors")]
    # the prefix is used only with logGroupName (R-LOGS-MF-09)
    assert len(_described(sim, "+3m", filterNamePrefix="zzz")) == 3
    assert _described(sim, "+3m", metricName="Latency", metricNamespace="App") == [
        ("app", "a-latency")]
    r = sim.call("logs:DescribeMetricFilters", {"metricName": "Latency"}, at="+3m")
    assert (r.err, r.rule) == ("InvalidParameterException", "R-LOGS-MF-05")
    first = call_ok(sim, "logs:DescribeMetricFilters", {"limit": 2}, "+3m")
    rest = call_ok(sim, "logs:DescribeMetricFilters", {"nextToken": first["nextToken"]}, "+3m")
    assert [f["filterName"] for f in first["metricFilters"] + rest["metricFilters"]] == [
        "a-latency", "b-errors", "b-errors"]
    r = sim.call("logs:DescribeMetricFilters", {"nextToken": "bogus"}, at="+3m")
    assert r.err == "InvalidParameterException"


def test_limits_and_constraints_change_nothing():
    sim = _setup()
    for i in range(100):
        _filter(sim, "+2m", f"f{i:03d}")
    before = snapshot(sim)
    r = _filter(sim, "+3m", "f100", expect="LimitExceededException")
    assert r.rule == "R-LOGS-MF-02"
    _filter(sim, "+3m", "f007", metricName="Updated")   # an update is not a new filter
    assert snapshot(sim) != before
    before = snapshot(sim)
    r = _filter(sim, "+4m", "d", group="web", expect="InvalidParameterException",
                dimensions={"a": "$.a", "b": "$.b", "c": "$.c", "d": "$.d"})
    assert r.rule == "R-LOGS-MF-03"
    for bad in ({"unit": "Furlongs"}, {"metricName": "a:b"}, {"metricValue": "1" * 101}):
        assert _filter(sim, "+4m", "d", group="web", expect="InvalidParameterException",
                       **bad).rule == "R-LOGS-19"
    assert snapshot(sim) == before


@pytest.mark.parametrize("name", ["", "a:b", "a*b", "x" * 513])
def test_filter_names_follow_the_model(name):
    sim = _setup()
    assert _filter(sim, "+2m", name, expect="InvalidParameterException").rule == "R-LOGS-19"


def test_boto3_against_the_server_and_in_process():
    with running() as srv:
        logs = client(srv, "logs")
        logs.create_log_group(logGroupName="app")
        logs.put_metric_filter(logGroupName="app", filterName="errors", filterPattern="ERROR",
                               metricTransformations=[{**TRANSFORM, "defaultValue": 0.0}])
        (f,) = logs.describe_metric_filters(logGroupName="app")["metricFilters"]
        assert f["metricTransformations"][0]["defaultValue"] == 0.0
        logs.delete_metric_filter(logGroupName="app", filterName="errors")
        with pytest.raises(logs.exceptions.ResourceNotFoundException):
            logs.delete_metric_filter(logGroupName="app", filterName="errors")
    with simulated_aws():
        logs = boto3.client("logs", region_name="us-east-1", aws_access_key_id="AKID",
                            aws_secret_access_key="s")
        with pytest.raises(logs.exceptions.ResourceNotFoundException):
            logs.put_metric_filter(logGroupName="nope", filterName="e", filterPattern="",
                                   metricTransformations=[TRANSFORM])


def test_describe_log_groups_counts_the_filters():
    sim = _setup()
    _filter(sim, "+2m", "a")
    _filter(sim, "+2m", "b")
    groups = call_ok(sim, "logs:DescribeLogGroups", {}, "+3m")["logGroups"]
    assert {g["logGroupName"]: g["metricFilterCount"] for g in groups} == {"app": 2, "web": 0}

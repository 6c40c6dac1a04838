"""cloudwatch:ListMetrics and cloudwatch:GetMetricStatistics (R-CW-01..12): the metrics
PutMetricData wrote, their filters and pages, per-period statistics, and the dataset's key
deciding readability exactly as for GetMetricData (one decision: metrics.readable_points)."""

from __future__ import annotations

import boto3
import botocore.model
import pytest
from dataset_support import associate, make_key, new_sim, put
from server_support import client, running
from support import START_S

from sim.testing import simulated_aws

SHOP = {"Namespace": "Shop", "MetricName": "Orders"}


def stats(sim, as_="admin", at=None, **args):
    req = {**SHOP, "StartTime": START_S, "EndTime": START_S + 6 * 3600, "Period": 60,
           "Statistics": ["Sum", "SampleCount"], **args}
    return sim.call("cloudwatch:GetMetricStatistics", req, at=at, as_=as_)


def listed(sim, at=None, **args):
    r = sim.call("cloudwatch:ListMetrics", args, at=at, as_="admin")
    assert r.ok, r.event.out
    return [(m["Namespace"], m["MetricName"], tuple((d["Name"], d["Value"])
                                                    for d in m["Dimensions"]))
            for m in r.res["Metrics"]]


def test_list_metrics_filters_by_namespace_name_and_dimensions():
    sim = new_sim()
    put(sim, "+1m", "a", 1, Dimensions=[{"Name": "Store", "Value": "north"},
                                        {"Name": "Till", "Value": "2"}])
    put(sim, "+1m", "b", 1, name="Refunds")
    sim.call("cloudwatch:PutMetricData", {"Namespace": "Other", "MetricData": [
        {"MetricName": "Orders", "Value": 1}]}, at="+1m", as_="admin")
    assert listed(sim, "+2m") == [
        ("Other", "Orders", ()), ("Shop", "Orders", (("Store", "north"), ("Till", "2"))),
        ("Shop", "Refunds", ())]
    assert listed(sim, "+2m", Namespace="Shop", MetricName="Orders") == [
        ("Shop", "Orders", (("Store", "north"), ("Till", "2")))]
    # one named dimension matches a metric that also has others (R-CW-02)
    assert len(listed(sim, "+2m", Dimensions=[{"Name": "Store"}])) == 1
    assert len(listed(sim, "+2m", Dimensions=[{"Name": "Store", "Value": "south"}])) == 0


def test_list_metrics_forgets_after_two_weeks_and_recently_active():
    sim = new_sim()
    put(sim, "+1m", "a", 1)
    assert listed(sim, "+2h", RecentlyActive="PT3H") == [("Shop", "Orders", ())]
    assert listed(sim, "+4h", RecentlyActive="PT3H") == []
    assert listed(sim, "+13d") == [("Shop", "Orders", ())]
    assert listed(sim, "+15d") == []


def test_list_metrics_delay_alternative():
    sim = new_sim(cw_list_delay="max")
    put(sim, "+1m", "a", 1)
    assert listed(sim, "+10m") == []
    assert listed(sim, "+16m") == [("Shop", "Orders", ())]


def test_list_metrics_pages_of_500():
    sim = new_sim()
    data = [{"MetricName": f"M{i:04d}", "Value": 1} for i in range(600)]
    for chunk in (data[:300], data[300:]):
        assert sim.call("cloudwatch:PutMetricData", {"Namespace": "Shop", "MetricData": chunk},
                        at="+1m", as_="admin").ok
    first = sim.call("cloudwatch:ListMetrics", {}, at="+2m", as_="admin").res
    assert len(first["Metrics"]) == 500
    rest = sim.call("cloudwatch:ListMetrics", {"NextToken": first["NextToken"]}, at="+2m",
                    as_="admin").res
    assert len(rest["Metrics"]) == 100 and "NextToken" not in rest
    names = [m["MetricName"] for m in first["Metrics"] + rest["Metrics"]]
    assert names == sorted(d["MetricName"] for d in data)
    r = sim.call("cloudwatch:ListMetrics", {"NextToken": "junk"}, at="+2m", as_="admin")
    assert (r.err, r.rule) == ("InvalidParameterValueException", "R-CW-12")


def test_statistics_per_period_with_units():
    sim = new_sim()
    put(sim, "+1m", "a", 2.0, Unit="Count")
    put(sim, "+1m30s", "b", 4.0, Unit="Count")
    put(sim, "+3m", "c", 10.0, Unit="Seconds")
    r = stats(sim, at="+4m", Statistics=["Sum", "Average", "Minimum", "Maximum",
                                         "SampleCount"])
    assert r.ok, r.event.out
    points = sorted(r.res["Datapoints"], key=lambda p: p["Timestamp"])
    assert [(p["Timestamp"], p["Sum"], p["Average"], p["Minimum"], p["Maximum"],
             p["SampleCount"], p["Unit"]) for p in points] == [
        (START_S + 60, 6.0, 3.0, 2.0, 4.0, 2.0, "Count"),
        (START_S + 180, 10.0, 10.0, 10.0, 10.0, 1.0, "Seconds")]
    assert r.res["Label"] == "Orders"
    only = stats(sim, at="+4m", Unit="Seconds").res["Datapoints"]
    assert [(p["Sum"], p["Unit"]) for p in only] == [(10.0, "Seconds")]
    assert set(only[0]) == {"Timestamp", "Sum", "SampleCount", "Unit"}
    assert stats(sim, at="+4m", Unit="Bytes").res["Datapoints"] == []
    five = stats(sim, at="+4m", Period=300).res["Datapoints"]
    assert sorted((p["Sum"], p["Unit"]) for p in five) == [(6.0, "Count"), (10.0, "Seconds")]


def test_statistics_leave_out_what_the_caller_cannot_decrypt_as_get_metric_data_does():
    sim = new_sim()
    put(sim, "+1m", "plain", 1)                       # under the AWS owned key
    k1 = make_key(sim, at="+2m")
    assert associate(sim, k1, at="+2m").ok
    put(sim, "+5m", "secret", 100)
    reader = stats(sim, as_="reader", at="+6m")
    assert [p["Sum"] for p in reader.res["Datapoints"]] == [1.0]
    data = sim.call("cloudwatch:GetMetricData", {
        "StartTime": START_S, "EndTime": START_S + 6 * 3600, "MetricDataQueries": [
            {"Id": "q", "MetricStat": {"Metric": SHOP, "Period": 60, "Stat": "Sum"}}]},
        at="+6m", as_="reader").res["MetricDataResults"][0]
    assert data["Values"] == [p["Sum"] for p in reader.res["Datapoints"]]
    admin = stats(sim, as_="admin", at="+6m")
    assert sorted(p["Sum"] for p in admin.res["Datapoints"]) == [1.0, 100.0]
    sim2 = new_sim(getmetric_unreadable="fail")
    k2 = make_key(sim2)
    assert associate(sim2, k2, at="+1m").ok
    put(sim2, "+2m", "secret", 5)
    r = stats(sim2, as_="reader", at="+3m")
    assert (r.err, r.rule) == ("AccessDeniedException", "R-CW-10")


@pytest.mark.parametrize(("change", "code", "rule"), [
    ({"Statistics": None}, "MissingRequiredParameterException", "R-CW-07"),
    ({"ExtendedStatistics": ["p99"]}, "InvalidParameterCombinationException", "R-CW-07"),
    ({"Statistics": None, "ExtendedStatistics": ["p99"]}, "InvalidParameterValueException",
     "R-CW-07"),
    ({"Statistics": ["Median"]}, "InvalidParameterValueException", "R-CW-12"),
    ({"Period": None}, "MissingRequiredParameterException", "R-CW-11"),
    ({"Namespace": None}, "MissingRequiredParameterException", "R-CW-11"),
    ({"EndTime": START_S}, "InvalidParameterValueException", "R-CW-11"),
    ({"Period": 1}, "InvalidParameterCombinationException", "R-CW-08"),
    ({"Unit": "Furlongs"}, "InvalidParameterValueException", "R-CW-12"),
])
def test_statistics_refusals(change, code, rule):
    sim = new_sim()
    put(sim, "+1m", "a", 1)
    req = {**SHOP, "StartTime": START_S, "EndTime": START_S + 6 * 3600, "Period": 60,
           "Statistics": ["Sum"], **change}
    r = sim.call("cloudwatch:GetMetricStatistics", {k: v for k, v in req.items()
                                                    if v is not None}, at="+2m", as_="admin")
    assert (r.err, r.rule) == (code, rule)


def test_1440_datapoints_are_allowed():
    sim = new_sim()
    put(sim, "+1m", "a", 1)
    assert stats(sim, at="+2m", EndTime=START_S + 1440 * 60).ok
    assert not stats(sim, at="+2m", EndTime=START_S + 1441 * 60).ok


@pytest.fixture(params=["json", "smithy-rpc-v2-cbor"])
def cw_protocol(request, monkeypatch) -> str:
    """Both wire protocols: botocore speaks the first of its priority list the model offers
    (as tests/test_server_services.py does)."""
    if request.param != "json":
        order = botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS
        monkeypatch.setattr(botocore.model, "PRIORITY_ORDERED_SUPPORTED_PROTOCOLS",
                            (request.param, *[p for p in order if p != request.param]))
    return request.param


def test_boto3_against_the_server_and_in_process(cw_protocol):
    def exercise(cw):
        cw.put_metric_data(Namespace="Shop", MetricData=[
            {"MetricName": "Orders", "Value": 3.0, "Unit": "Count",
             "Dimensions": [{"Name": "Store", "Value": "north"}]}])
        metrics = cw.list_metrics(Namespace="Shop")["Metrics"]
        assert metrics == [{"Namespace": "Shop", "MetricName": "Orders",
                            "Dimensions": [{"Name": "Store", "Value": "north"}]}]
        out = cw.get_metric_statistics(
            Namespace="Shop", MetricName="Orders", Dimensions=[{"Name": "Store",
                                                                "Value": "north"}],
            StartTime=START_S, EndTime=START_S + 3600, Period=60, Statistics=["Sum"])
        assert [(p["Sum"], p["Unit"]) for p in out["Datapoints"]] == [(3.0, "Count")]
        assert out["Datapoints"][0]["Timestamp"].timestamp() % 60 == 0
        with pytest.raises(cw.exceptions.InvalidParameterCombinationException):
            cw.get_metric_statistics(Namespace="Shop", MetricName="Orders", StartTime=START_S,
                                     EndTime=START_S + 3600, Period=60, Statistics=["Sum"],
                                     ExtendedStatistics=["p99"])

    with running() as srv:
        cw = client(srv, "cloudwatch")
        assert cw.meta.service_model.resolved_protocol == cw_protocol
        exercise(cw)
    with simulated_aws():
        exercise(boto3.client("cloudwatch", region_name="us-east-1", aws_access_key_id="AKID",
                              aws_secret_access_key="s"))


def test_start_time_is_rounded_down_to_the_minute():
    sim = new_sim()
    put(sim, "+1m", "a", 1, Timestamp=START_S + 70)
    # StartTime 00:01:45 is rounded down to 00:01:00, so the point at 00:01:10 is read
    r = stats(sim, at="+2m", StartTime=START_S + 105)
    assert [p["Sum"] for p in r.res["Datapoints"]] == [1.0]
    assert stats(sim, at="+2m", StartTime=START_S + 120).res["Datapoints"] == []

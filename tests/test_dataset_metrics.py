"""cloudwatch:PutMetricData / GetMetricData over the dataset: one data item per call, values
per point, unreadable points withheld (A-GETMETRIC-UNREADABLE), A-DS-PUT-UNUSABLE."""

from __future__ import annotations

import pytest
from dataset_support import DATASET, associate, make_key, new_sim, put, raises, status_of
from support import START_S


def query(sim, as_: str = "reader", at: str | None = None, stat: str = "Sum",
          period: int = 60, dims: list | None = None, scan: str | None = None,
          start: object = "2026-01-01T00:00:00Z", end: object = "2026-01-01T06:00:00Z"):
    metric = {"Namespace": "Shop", "MetricName": "Orders"}
    if dims is not None:
        metric["Dimensions"] = dims
    req = {"StartTime": start, "EndTime": end, "MetricDataQueries": [
        {"Id": "q1", "MetricStat": {"Metric": metric, "Period": period, "Stat": stat}}]}
    if scan:
        req["ScanBy"] = scan
    return sim.call("cloudwatch:GetMetricData", req, at=at, as_=as_)


def test_one_small_item_per_call_and_values_stay_in_the_event() -> None:
    sim = new_sim()
    k1 = make_key(sim)
    assert associate(sim, k1, at="+1m").ok
    points = [{"MetricName": "Orders", "Value": v, "Timestamp": "2026-01-01T00:01:00Z"}
              for v in (1, 2, 3)]
    result = sim.call("cloudwatch:PutMetricData", {"Namespace": "Shop", "MetricData": points},
                      at="+2m", as_="admin", label="batch")
    assert result.ok
    item = sim.world.item("batch")
    assert (item.kind, item.resource, item.keys, item.extra) == ("metric-data", DATASET,
                                                                 (k1,), None)
    assert len([i for i in sim.world.iter_items()]) == 1
    assert result.event.req["MetricData"][2]["Value"] == 3


def test_values_aggregate_per_period_and_scan_order() -> None:
    sim = new_sim()
    put(sim, "+1m", "a", 1.0)
    put(sim, "+1m30s", "b", 2.0)
    put(sim, "+3m", "c", 10.0, Timestamp=START_S + 180)          # epoch seconds
    res = query(sim, as_="admin", at="+4m").res["MetricDataResults"][0]
    assert res["Timestamps"] == [START_S + 180, START_S + 60]    # TimestampDescending
    assert res["Values"] == [10.0, 3.0]
    assert res["StatusCode"] == "Complete" and res["Messages"] == []
    res = query(sim, as_="admin", stat="Average", period=300,
                scan="TimestampAscending").res["MetricDataResults"][0]
    assert res["Values"] == [13.0 / 3]
    res = query(sim, as_="admin", stat="SampleCount", end="2026-01-01T00:02:00Z"
                ).res["MetricDataResults"][0]
    assert res["Values"] == [2.0]                                # the range excludes c


def test_dimensions_must_match_exactly() -> None:
    sim = new_sim()
    put(sim, "+1m", "north", 5, Dimensions=[{"Name": "Store", "Value": "north"}])
    put(sim, "+1m", "plain", 7)
    res = query(sim, as_="admin", dims=[{"Name": "Store", "Value": "north"}])
    assert res.res["MetricDataResults"][0]["Values"] == [5.0]
    assert query(sim, as_="admin").res["MetricDataResults"][0]["Values"] == [7.0]


def test_unreadable_points_are_withheld_with_a_message_naming_rules() -> None:
    sim = new_sim()
    put(sim, "+1m", "plain", 1)                                   # AWS owned key
    k1 = make_key(sim, at="+2m")
    assert associate(sim, k1, at="+2m").ok
    put(sim, "+5m", "secret", 100)
    reader = query(sim, at="+6m")
    assert reader.ok
    res = reader.res["MetricDataResults"][0]
    assert res["Values"] == [1.0] and res["StatusCode"] == "Forbidden"
    [message] = res["Messages"]
    assert message["Code"] == "Forbidden"
    assert "R-DS-02" in message["Value"] and f"event #{sim.world.labels['secret']}" in \
        message["Value"]
    admin = query(sim, as_="admin").res["MetricDataResults"][0]
    assert sorted(admin["Values"]) == [1.0, 100.0] and admin["StatusCode"] == "Complete"


def test_maybe_points_are_withheld_too() -> None:
    sim = new_sim()
    k1 = make_key(sim)
    assert associate(sim, k1, at="+1m").ok
    put(sim, "+2m", "m1", 4)
    assert sim.call("cloudwatch:DisassociateDatasetKmsKey", {"DatasetIdentifier": "default"},
                    at="+3m", as_="admin").ok
    assert sim.decryptable("m1", as_="reader", at="+1h").status == "maybe"
    res = query(sim, at="+1h").res["MetricDataResults"][0]
    assert res["Values"] == [] and "(maybe;" in res["Messages"][0]["Value"]
    assert query(sim, at="+4h").res["MetricDataResults"][0]["Values"] == [4.0]


def test_getmetric_unreadable_fail_alternative() -> None:
    sim = new_sim(getmetric_unreadable="fail")
    k1 = make_key(sim)
    assert associate(sim, k1, at="+1m").ok
    put(sim, "+2m", "m1")
    result = query(sim, at="+3m")
    assert (result.err, result.rule) == ("AccessDeniedException", "R-DS-33")
    assert query(sim, as_="admin", at="+3m").ok


@pytest.mark.parametrize(("setting", "outcome"), [("accept", "ok"),
                                                  ("reject", "KmsKeyDisabledException")])
def test_put_while_the_key_is_disabled(setting: str, outcome: str) -> None:
    sim = new_sim(ds_put_unusable=setting)
    k1 = make_key(sim)
    assert associate(sim, k1, at="+1m").ok
    sim.call("kms:DisableKey", {"KeyId": k1}, at="+2m", as_="admin")
    result = put(sim, "+3m", "m1")
    assert result.outcome == outcome
    assert (sim.world.item("m1") is not None) == (outcome == "ok")
    if outcome != "ok":
        assert result.rule == "R-DS-34"
    sim.call("kms:EnableKey", {"KeyId": k1}, at="+4m", as_="admin")
    assert put(sim, "+5m", "m2").ok


@pytest.mark.parametrize(("req", "code"), [
    ({"MetricData": [{"MetricName": "a", "Value": 1}]}, "MissingRequiredParameterException"),
    ({"Namespace": "Shop"}, "MissingRequiredParameterException"),
    ({"Namespace": ":bad", "MetricData": [{"MetricName": "a", "Value": 1}]},
     "InvalidParameterValueException"),
    # observed: an empty MetricData is a missing one (R-SRV-24)
    ({"Namespace": "Shop", "MetricData": []}, "MissingRequiredParameterException"),
    ({"Namespace": "Shop", "MetricData": [{"Value": 1}]}, "MissingRequiredParameterException"),
    ({"Namespace": "Shop", "MetricData": [{"MetricName": "a", "Value": "x"}]},
     "InvalidParameterValueException"),
    ({"Namespace": "Shop", "MetricData": [{"MetricName": "a", "Value": 1, "Timestamp": "soon"}]},
     "InvalidParameterValueException"),
    ({"Namespace": "Shop", "MetricData": [{"MetricName": "a", "Value": 1,
                                           "Dimensions": [{"Name": "x"}]}]},
     "MissingRequiredParameterException"),
])
def test_put_metric_data_validation(req: dict, code: str) -> None:
    sim = new_sim()
    err = raises(sim, "cloudwatch:PutMetricData", req)
    assert (err.code, status_of(err), err.rule) == (code, 400, "R-DS-31")


def _stat(stat: str) -> dict:
    return {"MetricDataQueries": [{"Id": "q1", "MetricStat": {
        "Metric": {"Namespace": "Shop", "MetricName": "Orders"}, "Period": 60, "Stat": stat}}]}


# (change, the put-codes alternative's code): the default answers ValidationException to
# all, R-DS-50 where reports show it (an Id off its pattern, a Stat that is no statistic),
# R-DS-51 (A-GETMETRIC-ERRORS) elsewhere; put-codes changes only the R-DS-51 ones.
GET_PROBLEMS = [
    ({"StartTime": None}, "MissingRequiredParameterException", "R-DS-51"),
    ({"EndTime": "2025-01-01T00:00:00Z"}, "InvalidParameterValueException", "R-DS-51"),
    ({"MetricDataQueries": [{"Id": "q1", "Expression": "SUM(METRICS())"}]},
     "InvalidParameterValueException", "R-DS-51"),
    ({"MetricDataQueries": [{"Id": "Q1", "MetricStat": {}}]}, "ValidationException", "R-DS-50"),
    (_stat("p99"), "InvalidParameterValueException", "R-DS-51"),   # valid, not computed
    (_stat("Median"), "ValidationException", "R-DS-50"),           # not a statistic at all
    ({"ScanBy": "Sideways"}, "InvalidParameterValueException", "R-DS-51"),
]


def _get_request(change: dict) -> dict:
    req = {"StartTime": "2026-01-01T00:00:00Z", "EndTime": "2026-01-01T01:00:00Z",
           **_stat("Sum"), **change}
    return {k: v for k, v in req.items() if v is not None}


@pytest.mark.parametrize(("change", "put_code", "rule"), GET_PROBLEMS)
def test_get_metric_data_validation(change: dict, put_code: str, rule: str) -> None:
    err = raises(new_sim(), "cloudwatch:GetMetricData", _get_request(change))
    assert (err.code, status_of(err), err.rule) == ("ValidationException", 400, rule)


@pytest.mark.parametrize(("change", "put_code", "rule"), GET_PROBLEMS)
def test_get_metric_data_codes_follow_the_assumption(change: dict, put_code: str,
                                                     rule: str) -> None:
    err = raises(new_sim(getmetric_errors="put-codes"), "cloudwatch:GetMetricData",
                 _get_request(change))
    expected = put_code if rule == "R-DS-51" else "ValidationException"
    assert (err.code, err.rule) == (expected, rule)


def test_an_invalid_statistic_in_the_services_words() -> None:
    err = raises(new_sim(), "cloudwatch:GetMetricData", _get_request(_stat("Median")))
    assert err.message == ("The value Median for parameter MetricDataQueries.member.1."
                           "MetricStat.Stat is not a valid statistic.")

"""CloudWatch's ListMetrics and GetMetricStatistics over the metrics PutMetricData wrote
(R-CW-01..12).

ListMetrics reads the dataset's series index (names and dimensions, not metric data).
GetMetricStatistics reads points through :func:`sim.services.dataset.metrics.readable_points`,
the one decision GetMetricData reads through too, so the dataset's key decides what either
returns in the same way (R-CW-10, R-DS-33). Errors are the query protocol's codes the model
lists (MissingRequiredParameterException, InvalidParameterValueException,
InvalidParameterCombinationException), in its message form (R-SRV-24).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

from events.timefmt import DAY, HOUR, MINUTE
from projections.arns import dataset_arn
from projections.dataset.fold import SeriesKey, dataset_of, series_key, time_ms
from sim.errors import AwsError
from sim.params import Param, query_part
from sim.services.dataset.metrics import (
    DIM_NAME,
    DIM_VALUE,
    METRIC_NAME,
    NAMESPACE,
    PERIOD,
    STATS,
    readable_points,
)
from sim.services.paging import BadToken, page
from sim.services.registry import CallContext, operation

MISSING = "MissingRequiredParameterException"
INVALID = "InvalidParameterValueException"
COMBINATION = "InvalidParameterCombinationException"
UNITS = ("Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
         "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits",
         "Percent", "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second",
         "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second",
         "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None")
#: R-CW-03, R-CW-04, R-CW-05, R-CW-08.
LISTED_FOR = 14 * DAY
RECENT = 3 * HOUR
LIST_DELAY = 15 * MINUTE
PAGE = 500
MAX_DATAPOINTS = 1440

LIST_DIMENSIONS = Param("Dimensions", list, max=10)
STAT_DIMENSIONS = Param("Dimensions", list, max=30)
FILTER_VALUE = Param("Value", str, min=1, max=1024)
RECENTLY_ACTIVE = Param("RecentlyActive", str, enum=("PT3H",))
STATISTICS = Param("Statistics", list, min=1, max=5, items=Param("member", str, enum=STATS))
EXTENDED = Param("ExtendedStatistics", list, min=1, max=10)
UNIT = Param("Unit", str, enum=UNITS)


def _need(obj: Mapping, name: str, where: str = "") -> object:
    if obj.get(name) is None:
        raise AwsError(MISSING, f"The parameter {where}{name} is required.", "R-CW-11")
    return obj[name]


def _check(param: Param, value: object, where: str = "") -> None:
    """The first constraint ``value`` fails, in the query protocol's words (R-CW-12)."""
    found = param.violations(value, where + param.name)
    if found:
        raise AwsError(INVALID, query_part(found[0]), "R-CW-12")


def _dimensions(dims: object, param: Param, value_required: bool) -> list[Mapping]:
    """A Dimensions member: each needs Name (and Value, unless a ListMetrics filter)."""
    if dims is None:
        return []
    _check(param, dims)
    assert isinstance(dims, list)
    for j, dim in enumerate(dims, 1):
        where = f"Dimensions.member.{j}."
        if not isinstance(dim, Mapping):
            raise AwsError(INVALID, f"{where[:-1]} must be a structure", "R-CW-12")
        _check(DIM_NAME, _need(dim, "Name", where), where)
        if value_required:
            _check(DIM_VALUE, _need(dim, "Value", where), where)
        elif dim.get("Value") is not None:
            _check(FILTER_VALUE, dim["Value"], where)
    return dims


def _matches(key: SeriesKey, namespace: object, name: object, filters: list[Mapping]) -> bool:
    """R-CW-01, R-CW-02: exact namespace and name; each filter dimension present."""
    ns, metric, dims = key
    if namespace is not None and ns != namespace:
        return False
    if name is not None and metric != name:
        return False
    have = dict(dims)
    return all(f["Name"] in have and f.get("Value") in (None, have[f["Name"]])
               for f in filters)


@operation("cloudwatch:ListMetrics")
def list_metrics(ctx: CallContext, req: dict) -> dict:
    """The metrics PutMetricData wrote that reported data in the past two weeks, filtered,
    500 a page (R-CW-01..05)."""
    if req.get("Namespace") is not None:
        _check(NAMESPACE, req["Namespace"])
    if req.get("MetricName") is not None:
        _check(METRIC_NAME, req["MetricName"])
    filters = _dimensions(req.get("Dimensions"), LIST_DIMENSIONS, value_required=False)
    if req.get("RecentlyActive") is not None:
        _check(RECENTLY_ACTIVE, req["RecentlyActive"])
    state = dataset_of(ctx.world, dataset_arn(ctx.region, ctx.account))
    since = ctx.t - (RECENT if req.get("RecentlyActive") else LISTED_FOR)
    delay = LIST_DELAY if ctx.setting("cw_list_delay") == "max" else 0
    found = []
    for key, (stamps, _, seqs) in (state.series.items() if state is not None else ()):
        if not _matches(key, req.get("Namespace"), req.get("MetricName"), filters):
            continue
        if not stamps or max(stamps) < since:
            continue  # R-CW-03
        first = ctx.world.items.get(seqs[0])
        if first is not None and first.written_at + delay > ctx.t:
            continue  # not listed yet (R-CW-05)
        found.append(key)
    found.sort()
    try:
        head, token = page(found, lambda k: json.dumps(k), PAGE, req.get("NextToken"),
                           "cloudwatch:ListMetrics")
    except BadToken:
        raise AwsError(INVALID, f"Invalid NextToken: {req.get('NextToken')}", "R-CW-12") \
            from None
    metrics = [{"Namespace": ns, "MetricName": name,
                "Dimensions": [{"Name": n, "Value": v} for n, v in dims]}
               for ns, name, dims in head]
    return {"Metrics": metrics, **({"NextToken": token} if token else {})}


def _units(ctx: CallContext, seq: int, key: SeriesKey) -> list[tuple[int, float, str]]:
    """``(timestamp, value, Unit)`` of each datum of series ``key`` event ``seq`` wrote."""
    event = ctx.event(seq)
    if event is None:
        return []
    namespace = str(event.req.get("Namespace"))
    return [(time_ms(d.get("Timestamp"), event.t), float(d["Value"]),
             str(d.get("Unit") or "None")) for d in event.req.get("MetricData", ())
            if d.get("Value") is not None
            and series_key(namespace, d["MetricName"], d.get("Dimensions")) == key]


def rounded_start(start: int, now: int) -> int:
    """StartTime rounded down as CloudWatch rounds it, by how long ago it is (R-CW-13)."""
    age = now - start
    unit = MINUTE if age < 15 * DAY else 5 * MINUTE if age < 63 * DAY else HOUR
    return start - start % unit


def _stats(values: list[float], asked: list[str]) -> dict[str, float]:
    every = {"SampleCount": float(len(values)), "Sum": sum(values),
             "Average": sum(values) / len(values), "Minimum": min(values),
             "Maximum": max(values)}
    return {s: every[s] for s in asked}


@operation("cloudwatch:GetMetricStatistics")
def get_metric_statistics(ctx: CallContext, req: dict) -> dict:
    """Per-period statistics of one metric over the points the caller can decrypt
    (R-CW-06..11, R-CW-10: GetMetricData's decision)."""
    namespace = _need(req, "Namespace")
    _check(NAMESPACE, namespace)
    name = _need(req, "MetricName")
    _check(METRIC_NAME, name)
    dims = _dimensions(req.get("Dimensions"), STAT_DIMENSIONS, value_required=True)
    try:
        start = time_ms(_need(req, "StartTime"), -1)
        end = time_ms(_need(req, "EndTime"), -1)
    except ValueError as exc:
        raise AwsError(INVALID, f"StartTime/EndTime: {exc}", "R-CW-12") from None
    period = _need(req, "Period")
    _check(PERIOD, period)
    stats, extended = req.get("Statistics"), req.get("ExtendedStatistics")
    if stats is not None and extended is not None:
        raise AwsError(COMBINATION, "The parameters Statistics and ExtendedStatistics are "
                       "mutually exclusive, choose one.", "R-CW-07")
    if stats is None and extended is None:
        raise AwsError(MISSING, "Either the parameter Statistics or ExtendedStatistics is "
                       "required.", "R-CW-07")
    if extended is not None:
        _check(EXTENDED, extended)
        raise AwsError(INVALID, f"ExtendedStatistics: kmsim computes {', '.join(STATS)}, not "
                       f"{', '.join(map(str, extended))}", "R-CW-07")
    _check(STATISTICS, stats)
    if req.get("Unit") is not None:
        _check(UNIT, req["Unit"])
    if end <= start:
        raise AwsError(INVALID, "The parameter StartTime must be less than the parameter "
                       "EndTime.", "R-CW-11")
    start = rounded_start(start, ctx.t)
    assert isinstance(period, int)
    requested = math.ceil((end - start) / (period * 1000))
    if requested > MAX_DATAPOINTS:
        raise AwsError(COMBINATION, f"You have requested up to {requested} datapoints, which "
                       f"exceeds the limit of {MAX_DATAPOINTS}. You may reduce the datapoints "
                       "requested by increasing Period, or decreasing the time range.",
                       "R-CW-08")
    key = series_key(str(namespace), str(name), dims)
    points, _ = readable_points(ctx, key, start, end, str(name), "R-CW-10")
    units: dict[int, list[tuple[int, float, str]]] = {}
    buckets: dict[tuple[int, str], list[float]] = {}
    for ts, value, seq in points:
        if seq not in units:
            units[seq] = _units(ctx, seq, key)
        # the datum this point came from: the first one left with its time and value
        mine = units[seq]
        i = next((i for i, (t, v, _) in enumerate(mine) if t == ts and v == value), None)
        unit = mine.pop(i)[2] if i is not None else "None"
        if req.get("Unit") is not None and unit != req["Unit"]:
            continue  # R-CW-09
        buckets.setdefault((ts - ts % (period * 1000), unit), []).append(value)
    datapoints = [{"Timestamp": t / 1000, **_stats(values, list(stats)), "Unit": unit}
                  for (t, unit), values in sorted(buckets.items())]
    return {"Label": name, "Datapoints": datapoints}

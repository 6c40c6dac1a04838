"""CloudWatch's data plane over the dataset (SPEC 3.3): PutMetricData and GetMetricData.

PutMetricData is one data item under the key(s) the dataset may use at that moment
(R-DS-30); GetMetricData answers per data point through the same decryptability
evaluator as ``kmsim at`` and leaves out what the caller cannot read (R-DS-33).

A bad parameter gets PutMetricData's modeled errors (R-DS-31); GetMetricData's model lists
none, so it answers ValidationException where reports show it (R-DS-50) and as
A-GETMETRIC-ERRORS says elsewhere (R-DS-51). The checks take ``get``: None for
PutMetricData, the A-GETMETRIC-ERRORS value for GetMetricData.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from events.timefmt import DAY, HOUR
from projections.arns import CLOUDWATCH_PRINCIPAL, dataset_arn
from projections.dataset.fold import (
    SeriesKey,
    current_key,
    series_key,
    series_points,
    service_context,
    time_ms,
)
from projections.decrypt import Answer, decryptability, key_usable
from sim.errors import AwsError
from sim.params import Param, query_part
from sim.services.registry import CallContext, operation

MISSING = "MissingRequiredParameterException"
INVALID = "InvalidParameterValueException"
VALIDATION = "ValidationException"
STATS = ("SampleCount", "Sum", "Average", "Minimum", "Maximum")
#: CloudWatch's extended statistics (percentiles, trimmed and winsorized means, IQM, ...):
#: valid there, not computed by kmsim (R-DS-51).
EXTENDED_STAT = re.compile(r"(?:p|tm|tc|ts|wm)\d{1,2}(?:\.\d{1,10})?|IQM|(?:TM|TC|TS|WM|PR)\(.+\)")
#: How far before and after now a data point's Timestamp may be (R-DS-35).
PAST_LIMIT = 14 * DAY
FUTURE_LIMIT = 2 * HOUR

NAMESPACE = Param("Namespace", str, min=1, max=255, pattern=r"[^:].*")
METRIC_NAME = Param("MetricName", str, min=1, max=255)
DIM_NAME = Param("Name", str, min=1, max=255)
DIM_VALUE = Param("Value", str, min=1, max=1024)
VALUE = Param("Value", (int, float))
PERIOD = Param("Period", int, min=1)
METRIC_ID = Param("Id", str, min=1, max=255, pattern=r"[a-z][a-zA-Z0-9_]*")
SCAN_BY = Param("ScanBy", str, enum=("TimestampDescending", "TimestampAscending"))
METRIC_DATA = Param("MetricData", list, required=True, max=1000)
DIMENSIONS = Param("Dimensions", list, max=30)
QUERIES = Param("MetricDataQueries", list, required=True, max=500)


def _fail(code: str, message: str, get: str | None) -> AwsError:
    """PutMetricData's modeled error (R-DS-31), or GetMetricData's as A-GETMETRIC-ERRORS
    says (R-DS-51)."""
    if get is None:
        return AwsError(code, message, "R-DS-31")
    return AwsError(code if get == "put-codes" else VALIDATION, message, "R-DS-51")


def _need(obj: Mapping, name: str, where: str, get: str | None) -> object:
    if not isinstance(obj, Mapping) or obj.get(name) is None:
        raise _fail(MISSING, f"The parameter {where}{name} is required.", get)
    return obj[name]


def _check(param: Param, value: object, where: str, get: str | None) -> None:
    """The first constraint ``value`` fails, in the query protocol's words (R-SRV-24,
    A-VALIDATION-FORM: one problem, not all); in GetMetricData a query Id off its pattern
    is the observed ValidationError (R-DS-50)."""
    found = param.violations(value, where + param.name)
    if found and get is not None and param is METRIC_ID and found[0].kind == "pattern":
        raise AwsError(VALIDATION, query_part(found[0]), "R-DS-50")
    if found:
        raise _fail(INVALID, query_part(found[0]), get)


def _collection(items: object, param: Param, where: str, get: str | None) -> None:
    """A list member: empty is a missing parameter, as the query protocol cannot send an
    empty list (R-SRV-24); longer than the model allows is 'The collection ...'."""
    if isinstance(items, list) and not items and param.required:
        raise _fail(MISSING, f"The parameter {where}{param.name} is required.", get)
    _check(param, items, where, get)


def _time(value: object, name: str, get: str | None) -> int:
    try:
        return time_ms(value, -1)
    except ValueError as exc:
        raise _fail(INVALID, f"{name}: {exc}", get) from None


def _in_window(t: int, now: int, name: str) -> None:
    """A data point's time is at most two weeks before now and two hours after (R-DS-35)."""
    if t < now - PAST_LIMIT:
        raise AwsError(INVALID, f"The parameter {name} must specify a time no more than two "
                       "weeks in the past.", "R-DS-35")
    if t > now + FUTURE_LIMIT:
        raise AwsError(INVALID, f"The parameter {name} must specify a time no more than two "
                       "hours in the future.", "R-DS-35")


def _dimensions(dims: object, where: str, get: str | None) -> None:
    if dims is None:
        return
    _collection(dims, DIMENSIONS, where, get)
    assert isinstance(dims, list)
    for j, dim in enumerate(dims, 1):
        sub = f"{where}Dimensions.member.{j}."
        _check(DIM_NAME, _need(dim, "Name", sub, get), sub, get)
        _check(DIM_VALUE, _need(dim, "Value", sub, get), sub, get)


@operation("cloudwatch:PutMetricData")
def put_metric_data(ctx: CallContext, req: dict) -> dict:
    """Publish data points: one data item under the dataset's key(s) now (R-DS-30)."""
    _check(NAMESPACE, _need(req, "Namespace", "", None), "", None)
    data = _need(req, "MetricData", "", None)
    _collection(data, METRIC_DATA, "", None)
    assert isinstance(data, list)
    for i, datum in enumerate(data, 1):
        where = f"MetricData.member.{i}."
        _check(METRIC_NAME, _need(datum, "MetricName", where, None), where, None)
        # kmsim stores plain values; Values/StatisticValues are not simulated.
        _check(VALUE, _need(datum, "Value", where, None), where, None)
        if datum.get("Timestamp") is not None:
            _in_window(_time(datum["Timestamp"], where + "Timestamp", None), ctx.t,
                       where + "Timestamp")
        _dimensions(datum.get("Dimensions"), where, None)
    if ctx.setting("ds_put_unusable") == "reject":                        # R-DS-34
        arn = dataset_arn(ctx.region, ctx.account)
        key = current_key(ctx.world.associations.get(arn))
        usable = key_usable(ctx.world, key, CLOUDWATCH_PRINCIPAL,
                            service_context(ctx.account, ctx.region))
        if not usable.readable:
            raise AwsError("KmsKeyDisabledException",
                           f"The dataset's key cannot be used by {CLOUDWATCH_PRINCIPAL}: "
                           f"{usable.reasons[0]}", "R-DS-34")
    return {}


def _aggregate(points: list[tuple[int, float]], period_ms: int, stat: str
               ) -> list[tuple[int, float]]:
    buckets: dict[int, list[float]] = {}
    for ts, value in points:
        buckets.setdefault(ts - ts % period_ms, []).append(value)
    out = []
    for start, values in buckets.items():
        result = {"SampleCount": float(len(values)), "Sum": sum(values),
                  "Average": sum(values) / len(values), "Minimum": min(values),
                  "Maximum": max(values)}[stat]
        out.append((start, result))
    return out


def withheld_message(seq: int, count: int, answer: Answer) -> dict:
    """The message saying which points of event ``seq`` were withheld, and why (R-DS-33)."""
    reason = answer.reasons[0] if answer.reasons else ""
    return {"Code": "Forbidden",
            "Value": f"{count} data point(s) written by event #{seq} withheld ({answer.status}; "
                     f"rules {', '.join(answer.rules)}): {reason}"}


#: Per event, the points withheld from a read and the answer why.
Withheld = dict[int, tuple[int, Answer]]


def readable_points(ctx: CallContext, key: SeriesKey, start: int, end: int, what: str,
                    rule: str) -> tuple[list[tuple[int, float, int]], Withheld]:
    """The points of series ``key`` in [start, end) the caller can decrypt, as ``(timestamp,
    value, event)``, and per event the points withheld and the answer why (R-DS-33: 'no' and
    'maybe' alike). Under A-GETMETRIC-UNREADABLE ``fail`` a withheld point fails the call
    (AccessDeniedException naming ``what``, decided by ``rule``). GetMetricData and
    GetMetricStatistics both read through this one decision."""
    arn = dataset_arn(ctx.region, ctx.account)
    readable: list[tuple[int, float, int]] = []
    withheld: Withheld = {}
    answers: dict[int, Answer] = {}
    for ts, value, seq in series_points(ctx.world, arn, key):
        if not start <= ts < end:
            continue
        if seq not in answers:
            answers[seq] = decryptability(ctx.world, ctx.world.items[seq], ctx.actor)
        if answers[seq].status == "yes":
            readable.append((ts, value, seq))
        else:  # R-DS-33: 'no' and 'maybe' alike; the API must decide
            count = withheld.get(seq, (0, answers[seq]))[0]
            withheld[seq] = (count + 1, answers[seq])
    if withheld and ctx.setting("getmetric_unreadable") == "fail":
        seq, (count, answer) = next(iter(withheld.items()))
        raise AwsError("AccessDeniedException", f"{ctx.actor} cannot read {what}: "
                       + withheld_message(seq, count, answer)["Value"], rule)
    return readable, withheld


def _statistic(stat: object, path: str, get: str) -> None:
    """A statistic kmsim computes; an extended one (p99, tm90, IQM, ...) is valid in
    CloudWatch but not computed (R-DS-51), anything else is not a valid statistic
    (R-DS-50, in the words reports show)."""
    if stat in STATS:
        return
    if isinstance(stat, str) and EXTENDED_STAT.fullmatch(stat):
        raise _fail(INVALID, f"{path}: kmsim computes {', '.join(STATS)}, not {stat}", get)
    raise AwsError(VALIDATION, f"The value {stat} for parameter {path} is not a valid "
                   "statistic.", "R-DS-50")


def _query(ctx: CallContext, q: Mapping, i: int, start: int, end: int, scan: str,
           get: str) -> dict:
    where = f"MetricDataQueries.member.{i}."
    _check(METRIC_ID, _need(q, "Id", where, get), where, get)
    if q.get("Expression") is not None:
        raise _fail(INVALID, f"{where}Expression: kmsim evaluates MetricStat queries only", get)
    stat_q = _need(q, "MetricStat", where, get)
    metric = _need(stat_q, "Metric", where + "MetricStat.", get)
    _check(NAMESPACE, _need(metric, "Namespace", where + "MetricStat.Metric.", get),
           where + "MetricStat.Metric.", get)
    _check(METRIC_NAME, _need(metric, "MetricName", where + "MetricStat.Metric.", get),
           where + "MetricStat.Metric.", get)
    _dimensions(metric.get("Dimensions"), where + "MetricStat.Metric.", get)
    period = _need(stat_q, "Period", where + "MetricStat.", get)
    _check(PERIOD, period, where + "MetricStat.", get)
    stat = _need(stat_q, "Stat", where + "MetricStat.", get)
    _statistic(stat, where + "MetricStat.Stat", get)
    key = series_key(metric["Namespace"], metric["MetricName"], metric.get("Dimensions"))
    points_read, withheld = readable_points(ctx, key, start, end, q["Id"], "R-DS-33")
    readable = [(ts, value) for ts, value, _ in points_read]
    points = sorted(_aggregate(readable, period * 1000, stat),
                    reverse=scan != "TimestampAscending")
    result = {"Id": q["Id"], "Label": q.get("Label") or metric["MetricName"],
              "Timestamps": [ts / 1000 for ts, _ in points],
              "Values": [v for _, v in points],
              "StatusCode": "Forbidden" if withheld else "Complete",
              "Messages": [withheld_message(s, c, a) for s, (c, a) in withheld.items()]}
    return result


@operation("cloudwatch:GetMetricData")
def get_metric_data(ctx: CallContext, req: dict) -> dict:
    """Data points per query; points the caller cannot decrypt are not returned (R-DS-33)."""
    get = ctx.setting("getmetric_errors")                                  # R-DS-51
    queries = _need(req, "MetricDataQueries", "", get)
    start = _time(_need(req, "StartTime", "", get), "StartTime", get)
    end = _time(_need(req, "EndTime", "", get), "EndTime", get)
    _collection(queries, QUERIES, "", get)
    assert isinstance(queries, list)
    if end <= start:
        raise _fail(INVALID, "The parameter StartTime must be less than the parameter EndTime.",
                    get)
    if req.get("ScanBy") is not None:
        _check(SCAN_BY, req["ScanBy"], "", get)
    scan = req.get("ScanBy") or "TimestampDescending"
    results = []
    for i, q in enumerate(queries, 1):
        if not isinstance(q, Mapping):
            raise _fail(INVALID, f"MetricDataQueries.member.{i} must be a structure", get)
        results.append(_query(ctx, q, i, start, end, scan, get))
    return {"MetricDataResults": results, "Messages": []}

"""CloudWatch's data plane over the dataset (SPEC 3.3): PutMetricData and GetMetricData.

PutMetricData is one data item under the key(s) the dataset may use at that moment
(R-DS-30); GetMetricData answers per data point through the same decryptability
evaluator as ``kmsim at`` and leaves out what the caller cannot read (R-DS-33).
"""

from __future__ import annotations

from collections.abc import Mapping

from events.timefmt import DAY, HOUR
from projections.arns import CLOUDWATCH_PRINCIPAL, dataset_arn
from projections.dataset_fold import (
    current_key,
    series_key,
    series_points,
    service_context,
    time_ms,
)
from projections.decrypt import Answer, decryptability, key_usable
from sim.errors import AwsError
from sim.params import Param
from sim.services.registry import CallContext, operation

MISSING = "MissingRequiredParameterException"
INVALID = "InvalidParameterValueException"
STATS = ("SampleCount", "Sum", "Average", "Minimum", "Maximum")
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


def _fail(code: str, message: str) -> AwsError:
    return AwsError(code, message, "R-DS-31")


def _need(obj: Mapping, name: str, where: str) -> object:
    if not isinstance(obj, Mapping) or obj.get(name) is None:
        raise _fail(MISSING, f"The parameter {where}{name} is required.")
    return obj[name]


def _check(param: Param, value: object, where: str) -> None:
    problem = param.check(value)
    if problem:
        raise _fail(INVALID, f"{where}{problem}")


def _time(value: object, name: str) -> int:
    try:
        return time_ms(value, -1)
    except ValueError as exc:
        raise _fail(INVALID, f"{name}: {exc}") from None


def _in_window(t: int, now: int, name: str) -> None:
    """A data point's time is at most two weeks before now and two hours after (R-DS-35)."""
    if t < now - PAST_LIMIT:
        raise AwsError(INVALID, f"The parameter {name} must specify a time no more than two "
                       "weeks in the past.", "R-DS-35")
    if t > now + FUTURE_LIMIT:
        raise AwsError(INVALID, f"The parameter {name} must specify a time no more than two "
                       "hours in the future.", "R-DS-35")


def _dimensions(dims: object, where: str) -> None:
    if dims is None:
        return
    if not isinstance(dims, list) or len(dims) > 30:
        raise _fail(INVALID, f"{where}Dimensions must be a list of at most 30 dimensions")
    for j, dim in enumerate(dims, 1):
        sub = f"{where}Dimensions.member.{j}."
        _check(DIM_NAME, _need(dim, "Name", sub), sub)
        _check(DIM_VALUE, _need(dim, "Value", sub), sub)


@operation("cloudwatch:PutMetricData")
def put_metric_data(ctx: CallContext, req: dict) -> dict:
    """Publish data points: one data item under the dataset's key(s) now (R-DS-30)."""
    _check(NAMESPACE, _need(req, "Namespace", ""), "")
    data = _need(req, "MetricData", "")
    if not isinstance(data, list) or not 1 <= len(data) <= 1000:
        raise _fail(INVALID, "MetricData must be a list of 1 to 1000 data points")
    for i, datum in enumerate(data, 1):
        where = f"MetricData.member.{i}."
        _check(METRIC_NAME, _need(datum, "MetricName", where), where)
        # kmsim stores plain values; Values/StatisticValues are not simulated.
        _check(VALUE, _need(datum, "Value", where), where)
        if datum.get("Timestamp") is not None:
            _in_window(_time(datum["Timestamp"], where + "Timestamp"), ctx.t,
                       where + "Timestamp")
        _dimensions(datum.get("Dimensions"), where)
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


def _withheld_message(seq: int, count: int, answer: Answer) -> dict:
    reason = answer.reasons[0] if answer.reasons else ""
    return {"Code": "Forbidden",
            "Value": f"{count} data point(s) written by event #{seq} withheld ({answer.status}; "
                     f"rules {', '.join(answer.rules)}): {reason}"}


def _query(ctx: CallContext, q: Mapping, i: int, start: int, end: int, scan: str) -> dict:
    where = f"MetricDataQueries.member.{i}."
    _check(METRIC_ID, _need(q, "Id", where), where)
    if q.get("Expression") is not None:
        raise _fail(INVALID, f"{where}Expression: kmsim evaluates MetricStat queries only")
    stat_q = _need(q, "MetricStat", where)
    metric = _need(stat_q, "Metric", where + "MetricStat.")
    _check(NAMESPACE, _need(metric, "Namespace", where + "MetricStat.Metric."), where)
    _check(METRIC_NAME, _need(metric, "MetricName", where + "MetricStat.Metric."), where)
    _dimensions(metric.get("Dimensions"), where + "MetricStat.Metric.")
    period = _need(stat_q, "Period", where + "MetricStat.")
    _check(PERIOD, period, where + "MetricStat.")
    stat = _need(stat_q, "Stat", where + "MetricStat.")
    if stat not in STATS:
        raise _fail(INVALID, f"{where}MetricStat.Stat: kmsim computes {', '.join(STATS)}")
    key = series_key(metric["Namespace"], metric["MetricName"], metric.get("Dimensions"))
    arn = dataset_arn(ctx.region, ctx.account)
    readable: list[tuple[int, float]] = []
    withheld: dict[int, tuple[int, Answer]] = {}
    answers: dict[int, Answer] = {}
    for ts, value, seq in series_points(ctx.world, arn, key):
        if not start <= ts < end:
            continue
        if seq not in answers:
            answers[seq] = decryptability(ctx.world, ctx.world.items[seq], ctx.actor)
        if answers[seq].status == "yes":
            readable.append((ts, value))
        else:  # R-DS-33: 'no' and 'maybe' alike; the API must decide
            count = withheld.get(seq, (0, answers[seq]))[0]
            withheld[seq] = (count + 1, answers[seq])
    if withheld and ctx.setting("getmetric_unreadable") == "fail":
        seq, (count, answer) = next(iter(withheld.items()))
        raise AwsError("AccessDeniedException",
                       f"{ctx.actor} cannot read {q['Id']}: "
                       + _withheld_message(seq, count, answer)["Value"], "R-DS-33")
    points = sorted(_aggregate(readable, period * 1000, stat),
                    reverse=scan != "TimestampAscending")
    result = {"Id": q["Id"], "Label": q.get("Label") or metric["MetricName"],
              "Timestamps": [ts / 1000 for ts, _ in points],
              "Values": [v for _, v in points],
              "StatusCode": "Forbidden" if withheld else "Complete",
              "Messages": [_withheld_message(s, c, a) for s, (c, a) in withheld.items()]}
    return result


@operation("cloudwatch:GetMetricData")
def get_metric_data(ctx: CallContext, req: dict) -> dict:
    """Data points per query; points the caller cannot decrypt are not returned (R-DS-33)."""
    queries = _need(req, "MetricDataQueries", "")
    start = _time(_need(req, "StartTime", ""), "StartTime")
    end = _time(_need(req, "EndTime", ""), "EndTime")
    if not isinstance(queries, list) or not 1 <= len(queries) <= 500:
        raise _fail(INVALID, "MetricDataQueries must be a list of 1 to 500 queries")
    if end <= start:
        raise _fail(INVALID, "The parameter StartTime must be less than the parameter EndTime.")
    if req.get("ScanBy") is not None:
        _check(SCAN_BY, req["ScanBy"], "")
    scan = req.get("ScanBy") or "TimestampDescending"
    results = []
    for i, q in enumerate(queries, 1):
        if not isinstance(q, Mapping):
            raise _fail(INVALID, f"MetricDataQueries.member.{i} must be a structure")
        results.append(_query(ctx, q, i, start, end, scan))
    return {"MetricDataResults": results, "Messages": []}

"""logs:PutMetricFilter, logs:DescribeMetricFilters, logs:DeleteMetricFilter
(R-LOGS-MF-01..09).

A metric filter is kept as configuration of its log group and listed; kmsim does not
extract metric data from log events with it (no metric is published to CloudWatch).
"""

from __future__ import annotations

from projections.arns import log_group_arn
from projections.logs.model import logs_state
from projections.logs.policies import FILTER_EXTRAS, MetricFilter, metric_filters
from sim.errors import AwsError
from sim.params import Param
from sim.services.logs.common import (
    BAD_TOKEN,
    GROUP_NAME,
    GROUP_NAME_REQ,
    IPE,
    RNF,
    check,
    check_fault,
    require_group,
)
from sim.services.paging import BadToken, page
from sim.services.registry import CallContext, operation

#: R-LOGS-MF-02 and R-LOGS-MF-03.
MAX_FILTERS = 100
MAX_DIMENSIONS = 3
UNITS = ("Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
         "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits",
         "Percent", "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second",
         "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second",
         "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None")
FILTER_NAME_PATTERN = r"[^:*]*"
METRIC_PATTERN = r"[^:*$]*"
FILTER_NAME_REQ = Param("filterName", str, required=True, min=1, max=512,
                        pattern=FILTER_NAME_PATTERN)
TRANSFORMATIONS = Param("metricTransformations", list, required=True, min=1, max=1, items=(
    Param("metricName", str, required=True, max=255, pattern=METRIC_PATTERN),
    Param("metricNamespace", str, required=True, max=255, pattern=METRIC_PATTERN),
    Param("metricValue", str, required=True, max=100),
    Param("defaultValue", (int, float)),
    Param("dimensions", dict),
    Param("unit", str, enum=UNITS)))


def _dimensions(transformation: dict) -> None:
    """At most three dimensions, each name and value a string of at most 255 (R-LOGS-MF-03,
    the model's DimensionsKey/DimensionsValue)."""
    dims = transformation.get("dimensions") or {}
    if len(dims) > MAX_DIMENSIONS:
        raise AwsError(IPE, f"A metric filter can have at most {MAX_DIMENSIONS} dimensions, "
                       f"not {len(dims)}", "R-LOGS-MF-03")
    for k, v in dims.items():
        if not isinstance(v, str) or len(k) > 255 or len(v) > 255:
            raise AwsError(IPE, f"Dimension {k!r}: names and values are strings of at most "
                           "255 characters", "R-LOGS-MF-04")


@operation("logs:PutMetricFilter")
def put_metric_filter(ctx: CallContext, req: dict) -> dict:
    """Create or update a metric filter of a log group (R-LOGS-MF-01..04)."""
    check(req, GROUP_NAME_REQ, FILTER_NAME_REQ, Param("filterPattern", str, required=True,
                                                      min=0, max=1024),
          TRANSFORMATIONS, Param("applyOnTransformedLogs", bool),
          Param("fieldSelectionCriteria", str, min=0, max=2000),
          Param("emitSystemFieldDimensions", list, items=Param("member", str)))
    _dimensions(req["metricTransformations"][0])
    g = require_group(ctx, req["logGroupName"])
    filters = metric_filters(ctx.world, g.arn)
    if req["filterName"] not in filters and len(filters) >= MAX_FILTERS:
        raise AwsError("LimitExceededException", f"Log group {g.name} already has "
                       f"{MAX_FILTERS} metric filters", "R-LOGS-MF-02")
    check_fault(ctx, "logs:PutMetricFilter")
    return {}


def _shown(group_name: str, f: MetricFilter) -> dict:
    out = {"filterName": f.name, "filterPattern": f.pattern,
           "metricTransformations": [dict(t) for t in f.transformations],
           "creationTime": f.created, "logGroupName": group_name}
    out.update({k: f.extra[k] for k in FILTER_EXTRAS if k in f.extra})
    return out


@operation("logs:DescribeMetricFilters")
def describe_metric_filters(ctx: CallContext, req: dict) -> dict:
    """Metric filters by log group, name prefix or metric, ASCII-sorted by filter name
    (R-LOGS-MF-05, R-LOGS-MF-06, R-LOGS-MF-09)."""
    check(req, GROUP_NAME, Param("filterNamePrefix", str, min=1, max=512,
                                 pattern=FILTER_NAME_PATTERN),
          Param("nextToken", str, min=1), Param("limit", int, min=1, max=50),
          Param("metricName", str, max=255, pattern=METRIC_PATTERN),
          Param("metricNamespace", str, max=255, pattern=METRIC_PATTERN))
    if (req.get("metricName") is None) != (req.get("metricNamespace") is None):
        raise AwsError(IPE, "metricName and metricNamespace go together: give both or neither",
                       "R-LOGS-MF-05")
    if req.get("logGroupName"):
        groups = [require_group(ctx, req["logGroupName"])]
        prefix = req.get("filterNamePrefix") or ""
    else:
        groups = [g for g in logs_state(ctx.world).groups.values()
                  if g.account == ctx.account and g.region == ctx.region]
        prefix = ""  # used only with logGroupName (R-LOGS-MF-09)
    check_fault(ctx, "logs:DescribeMetricFilters")
    found = []
    for g in groups:
        for f in metric_filters(ctx.world, g.arn).values():
            t = f.transformations[0]
            if not f.name.startswith(prefix):
                continue
            if req.get("metricName") is not None and (
                    t.get("metricName"), t.get("metricNamespace")) != (
                    req["metricName"], req["metricNamespace"]):
                continue
            found.append(_shown(g.name, f))
    # ASCII order of filter name, then the group, so that a token names one place
    try:
        head, token = page(sorted(found, key=_order), _order_key, req.get("limit", 50),
                           req.get("nextToken"), "logs:DescribeMetricFilters")
    except BadToken:
        raise AwsError(IPE, BAD_TOKEN, "R-LOGS-MF-06") from None
    return {"metricFilters": head, **({"nextToken": token} if token else {})}


def _order(f: dict) -> tuple[str, str]:
    return f["filterName"], f["logGroupName"]


def _order_key(f: dict) -> str:
    # one string that sorts as _order does (no filter name holds a NUL)
    return f"{f['filterName']}\x00{f['logGroupName']}"


@operation("logs:DeleteMetricFilter")
def delete_metric_filter(ctx: CallContext, req: dict) -> dict:
    """Delete a metric filter; one the group does not have is ResourceNotFoundException
    (R-LOGS-MF-07)."""
    check(req, GROUP_NAME_REQ, FILTER_NAME_REQ)
    g = require_group(ctx, req["logGroupName"])
    if req["filterName"] not in metric_filters(ctx.world, log_group_arn(
            ctx.region, ctx.account, g.name)):
        raise AwsError(RNF, "The specified metric filter does not exist.", "R-LOGS-MF-07")
    check_fault(ctx, "logs:DeleteMetricFilter")
    return {}

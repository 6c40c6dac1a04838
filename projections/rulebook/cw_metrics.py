"""CloudWatch's metric listing and statistics (issue 13): ListMetrics and GetMetricStatistics
over the metrics PutMetricData wrote, with the dataset's key deciding what is readable
exactly as for GetMetricData (R-DS-33).

Sentences are quoted from botocore's cloudwatch model (``BOTOCORE_MODELS``); what the model
leaves open is ``A-CW-LIST-DELAY``.
"""

from projections.rulebook.registry import (
    BOTOCORE_MODELS,
    Assumption,
    Rule,
    declare,
    declare_assumptions,
)

declare(
    Rule("R-CW-01", "ListMetrics lists the metrics (namespace, name, dimensions) PutMetricData "
         "wrote to the caller's account and Region, filtered by Namespace and MetricName "
         "(exact match)", BOTOCORE_MODELS,
         quote="The metric namespace to filter against. Only the namespace that matches "
         "exactly will be returned."),
    Rule("R-CW-02", "A ListMetrics Dimensions filter matches a metric holding each named "
         "dimension (with the value, when one is given), whatever other dimensions it has",
         BOTOCORE_MODELS,
         quote="If you specify one dimension name and a metric has that dimension and also "
         "other dimensions, it will be returned."),
    Rule("R-CW-03", "ListMetrics leaves out metrics that reported no data point in the past "
         "two weeks; RecentlyActive PT3H keeps only those with a point in the past three hours",
         BOTOCORE_MODELS,
         quote="ListMetrics doesn't return information about metrics if those metrics haven't "
         "reported data in the past two weeks."),
    Rule("R-CW-04", "ListMetrics returns up to 500 metrics per call, and a NextToken for the "
         "rest",
         BOTOCORE_MODELS,
         quote="Up to 500 results are returned for any one call. To retrieve additional "
         "results, use the returned token with subsequent calls."),
    Rule("R-CW-05", "A new metric appears in ListMetrics within 15 minutes; when is "
         "A-CW-LIST-DELAY's", "assumption A-CW-LIST-DELAY", assumption="A-CW-LIST-DELAY"),
    Rule("R-CW-06", "GetMetricStatistics aggregates the metric's points (exact namespace, name "
         "and dimensions) per Period from StartTime (inclusive) to EndTime (exclusive): one "
         "datapoint per period holding data, with the asked Statistics and the Unit",
         BOTOCORE_MODELS,
         quote="CloudWatch aggregates data points based on the length of the period that you "
         "specify."),
    Rule("R-CW-07", "GetMetricStatistics takes Statistics or ExtendedStatistics, not both "
         "(InvalidParameterCombinationException) and not neither "
         "(MissingRequiredParameterException); kmsim computes the five Statistics, and an "
         "ExtendedStatistics percentile is InvalidParameterValueException naming what kmsim "
         "computes", BOTOCORE_MODELS,
         quote="When calling GetMetricStatistics, you must specify either Statistics or "
         "ExtendedStatistics, but not both."),
    Rule("R-CW-08", "More than 1,440 datapoints in one GetMetricStatistics answer is "
         "InvalidParameterCombinationException", BOTOCORE_MODELS,
         quote="The maximum number of data points returned from a single call is 1,440. If "
         "you request more than 1,440 data points, CloudWatch returns an error."),
    Rule("R-CW-09", "With Unit, GetMetricStatistics uses only points published with that unit "
         "(none match: no datapoints); CloudWatch converts no units", BOTOCORE_MODELS,
         quote="If you specify a unit, the operation returns only data that was collected "
         "with that unit specified."),
    Rule("R-CW-10", "GetMetricStatistics reads points as GetMetricData does (R-DS-33): a point "
         "whose data item the caller cannot decrypt (no or maybe) is left out, or fails the "
         "call, as A-GETMETRIC-UNREADABLE says", "assumption A-GETMETRIC-UNREADABLE",
         assumption="A-GETMETRIC-UNREADABLE"),
    Rule("R-CW-11", "GetMetricStatistics needs Namespace, MetricName, StartTime, EndTime and "
         "Period (MissingRequiredParameterException) and StartTime before EndTime "
         "(InvalidParameterValueException), PutMetricData's codes for the query protocol",
         BOTOCORE_MODELS,
         quote="An input parameter that is required is missing."),
    Rule("R-CW-12", "A parameter value off the model (a length, pattern or enumeration, a "
         "NextToken the operation did not issue) is InvalidParameterValueException",
         BOTOCORE_MODELS, quote="The value of an input parameter is bad or out-of-range."),
    Rule("R-CW-13", "GetMetricStatistics rounds StartTime down: to the minute when it is less "
         "than 15 days ago, to 5 minutes between 15 and 63 days ago, to the hour before that",
         BOTOCORE_MODELS,
         quote="Start time less than 15 days ago - Round down to the nearest whole minute. "
         "For example, 12:32:34 is rounded down to 12:32:00. Start time between 15 and 63 "
         "days ago - Round down to the nearest 5-minute clock interval."),
)

declare_assumptions(
    Assumption(
        id="A-CW-LIST-DELAY",
        statement="When a metric PutMetricData created first appears in ListMetrics (the "
        "model: \"allow up to 15 minutes for the metric to appear\"); a listing is one answer, "
        "so the window cannot be an uncertain 'maybe'",
        default="instant",
        alternatives=("max",),
        meaning={"instant": "listed from the call that wrote its first data point",
                 "max": "listed 15 minutes after that call"},
    ),
)

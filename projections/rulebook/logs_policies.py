"""CloudWatch Logs configuration around a log group (issue 13): resource policies, metric
filters, and what the Insights operations besides StartQuery/GetQueryResults answer
(StopQuery, DescribeQueries, GetLogGroupFields).

Sentences are quoted from botocore's logs model (``BOTOCORE_MODELS``); the size limit of a
resource policy is quoted from the AWS page that states it; where the sources are silent
the rule names its assumption (``A-LOGS-POL-SIZE``, ``A-LOGS-QRY-STOP``).
"""

from projections.rulebook.registry import (
    BOTOCORE_MODELS,
    SPEC,
    Assumption,
    Rule,
    declare,
    declare_assumptions,
)

#: The AWS Step Functions developer guide, "Avoiding Amazon CloudWatch Logs resource policy
#: size restrictions" (docs.aws.amazon.com/step-functions/latest/dg/bp-cwl.html).
OBSERVED_SIZE = ("observed behaviour (AWS Step Functions developer guide, bp-cwl.html: "
                 "\"CloudWatch Logs resource policies are limited to 5120 characters\")")

declare(
    # -- resource policies -----------------------------------------------------------------
    Rule("R-LOGS-POL-01", "PutResourcePolicy creates or updates (by policyName) an account "
         "resource policy; DescribeResourcePolicies lists them, DeleteResourcePolicy removes "
         "one", BOTOCORE_MODELS,
         quote="Creates or updates a resource policy allowing other Amazon Web Services "
         "services to put log events to this account"),
    Rule("R-LOGS-POL-02", "An account can have at most 10 resource policies without "
         "resourceArn: an 11th new policyName is LimitExceededException (an update of an "
         "existing name is not a new policy)", BOTOCORE_MODELS,
         quote="An account can have a maximum of 10 policies without resourceARN and one per "
         "LogGroup resourceARN"),
    Rule("R-LOGS-POL-03", "policyDocument is a JSON string (1 to 51200 characters in the "
         "model); text that is not a JSON object is InvalidParameterException", BOTOCORE_MODELS,
         quote="This is formatted as a JSON string. This parameter is required."),
    Rule("R-LOGS-POL-04", "A policyDocument over 5120 characters is refused as "
         "A-LOGS-POL-SIZE says (the model allows 51200)", "assumption A-LOGS-POL-SIZE",
         assumption="A-LOGS-POL-SIZE"),
    Rule("R-LOGS-POL-05", "With resourceArn (a log group ARN of the caller's, which must exist: "
         "ResourceNotFoundException) the policy is resource-scoped, one per log group; its "
         "response and listing carry policyScope RESOURCE, resourceArn and a revisionId",
         BOTOCORE_MODELS,
         quote="The ARN of the CloudWatch Logs resource to which the resource policy needs "
         "to be added or attached. Currently only supports LogGroup ARN."),
    Rule("R-LOGS-POL-06", "Changing or deleting a resource-scoped policy needs "
         "expectedRevisionId equal to its current revisionId (absent when creating it); "
         "otherwise OperationAbortedException", BOTOCORE_MODELS,
         quote="The expected revision ID of the resource policy. Required when resourceArn is "
         "provided to prevent concurrent modifications. Use null when creating a resource "
         "policy for the first time."),
    Rule("R-LOGS-POL-07", "DescribeResourcePolicies lists ACCOUNT-scoped policies unless "
         "policyScope or resourceArn asks for RESOURCE ones; pages of limit 1..50 "
         "(nextToken)", BOTOCORE_MODELS,
         quote="Specifies the scope of the resource policy. Valid values are ACCOUNT or "
         "RESOURCE. When not specified, defaults to ACCOUNT."),
    Rule("R-LOGS-POL-08", "DeleteResourcePolicy of a policy that does not exist is "
         "ResourceNotFoundException", BOTOCORE_MODELS,
         quote="The specified resource does not exist."),
    Rule("R-LOGS-POL-09", "A resource policy is configuration: kmsim keeps and lists it and "
         "enforces nothing with it, as the service enforces it only for AWS service principals "
         "(never for the IAM users and roles whose decryption kmsim answers)", BOTOCORE_MODELS,
         quote="Resource policies with actions invoked by non-Amazon Web Services service "
         "principals (such as IAM users, roles, or other Amazon Web Services accounts) will "
         "not be enforced."),
    # -- metric filters --------------------------------------------------------------------
    Rule("R-LOGS-MF-01", "PutMetricFilter creates or updates (by filterName) a metric filter of "
         "an existing log group (ResourceNotFoundException otherwise); DescribeMetricFilters "
         "lists it, DeleteMetricFilter removes it", BOTOCORE_MODELS,
         quote="Creates or updates a metric filter and associates it with the specified log "
         "group."),
    Rule("R-LOGS-MF-02", "A log group has at most 100 metric filters: a 101st new filterName "
         "is LimitExceededException", BOTOCORE_MODELS,
         quote="The maximum number of metric filters that can be associated with a log group "
         "is 100."),
    Rule("R-LOGS-MF-03", "A metric transformation has at most three dimensions; more is "
         "InvalidParameterException", BOTOCORE_MODELS,
         quote="One metric filter can include as many as three dimensions."),
    Rule("R-LOGS-MF-04", "metricTransformations holds exactly one transformation (metricName, "
         "metricNamespace, metricValue required; defaultValue, dimensions, unit optional); "
         "lengths, patterns and the unit enumeration are the model's (InvalidParameterException)",
         BOTOCORE_MODELS,
         quote="A collection of information that defines how metric data gets emitted."),
    Rule("R-LOGS-MF-05", "DescribeMetricFilters filters by metricName together with "
         "metricNamespace; one without the other is InvalidParameterException",
         BOTOCORE_MODELS,
         quote="If you include this parameter in your request, you must also include the "
         "metricNamespace parameter."),
    Rule("R-LOGS-MF-09", "DescribeMetricFilters filters by logGroupName; filterNamePrefix is "
         "used only together with logGroupName (without it, the prefix is ignored)",
         BOTOCORE_MODELS,
         quote="CloudWatch Logs uses the value that you set here only if you also include the "
         "logGroupName parameter in your request."),
    Rule("R-LOGS-MF-06", "DescribeMetricFilters returns filters ASCII-sorted by filter name, "
         "pages of limit 1..50 (default 50) with nextToken", BOTOCORE_MODELS,
         quote="The results are ASCII-sorted by filter name."),
    Rule("R-LOGS-MF-07", "DeleteMetricFilter of a filter the log group does not have is "
         "ResourceNotFoundException", BOTOCORE_MODELS,
         quote="The specified resource does not exist."),
    Rule("R-LOGS-MF-08", "A metric filter lives with its log group: deleting the group removes "
         "its filters (a group created again under the name has none)", BOTOCORE_MODELS,
         quote="associates it with the specified log group"),
    # -- queries ---------------------------------------------------------------------------
    Rule("R-LOGS-QRY-01", "StopQuery stops a query in progress; kmsim's queries complete when "
         "they start, so a query is never running and StopQuery answers as A-LOGS-QRY-STOP "
         "says; an unknown queryId is ResourceNotFoundException", "assumption A-LOGS-QRY-STOP",
         assumption="A-LOGS-QRY-STOP"),
    Rule("R-LOGS-QRY-02", "StopQuery of a query that already ended returns an error saying the "
         "query is not running", BOTOCORE_MODELS,
         quote="If the query has already ended, the operation returns an error indicating that "
         "the specified query is not running."),
    Rule("R-LOGS-QRY-03", "DescribeQueries lists the account's queries whose results are still "
         "kept (queryId, queryString, status, createTime, logGroupName, queryLanguage), "
         "filtered by logGroupName, status and queryLanguage, newest first, maxResults 1..1000 "
         "per page with nextToken", BOTOCORE_MODELS,
         quote="Returns a list of CloudWatch Logs Insights queries that are scheduled, "
         "running, or have been run recently in this account."),
    Rule("R-LOGS-QRY-04", "GetLogGroupFields lists the fields of the log group's events and the "
         "percentage of events holding each, most frequent first", BOTOCORE_MODELS,
         quote="Includes the percentage of log events that contain each field."),
    Rule("R-LOGS-QRY-05", "GetLogGroupFields searches the 8 minutes before and after time "
         "(epoch seconds), or the last 15 minutes when time is omitted", BOTOCORE_MODELS,
         quote="If you specify time, the 8 minutes before and 8 minutes after this time are "
         "searched. If you omit time, the most recent 15 minutes up to the current time are "
         "searched."),
    Rule("R-LOGS-QRY-06", "GetLogGroupFields takes exactly one of logGroupName and "
         "logGroupIdentifier (InvalidParameterException otherwise)", BOTOCORE_MODELS,
         quote="You must specify one of these parameters, but you can't specify both."),
    Rule("R-LOGS-QRY-07", "GetLogGroupFields reads log events as GetLogEvents does: only while "
         "their key is Enabled and its policy allows the logs service principal; when a batch "
         "in the range cannot certainly be read the call fails with A-LOGS-READ-ERROR's error "
         "(R-LOGS-34)", SPEC,
         quote="Reading events needs the key Enabled and the key policy allowing the logs "
         "service principal."),
    Rule("R-LOGS-QRY-08", "GetLogGroupFields names the fields CloudWatch Logs generates "
         "(@timestamp, @message, @logStream, @log, @ingestionTime: in every event) and the "
         "fields it discovers in messages that are JSON objects (nested keys joined with '.')",
         BOTOCORE_MODELS,
         quote="This operation is used for discovering fields within log group events."),
)

declare_assumptions(
    Assumption(
        id="A-LOGS-POL-SIZE",
        statement="What PutResourcePolicy answers to a policyDocument longer than the "
        "documented 5120 characters (the model's length constraint allows 51200, and no "
        "source names the error)",
        default="limit-exceeded",
        alternatives=("invalid-parameter", "model"),
        meaning={"limit-exceeded": "LimitExceededException (the quota error the operation "
                 "models)",
                 "invalid-parameter": "InvalidParameterException",
                 "model": "accepted up to the model's 51200 characters"},
    ),
    Assumption(
        id="A-LOGS-QRY-STOP",
        statement="What StopQuery answers for a query that already ended (every kmsim query: "
        "queries complete when they start); the model's documentation says an error, the "
        "output member success suggests false",
        default="error",
        alternatives=("false",),
        meaning={"error": "InvalidParameterException naming the query and its status",
                 "false": "success: false, and nothing changes"},
    ),
)

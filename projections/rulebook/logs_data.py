"""CloudWatch Logs data-plane rules as the service answers them on the wire (issue 9):
PutLogEvents' batch constraints and per-event rejections, GetLogEvents' tokens and log
group identifiers, and the shape of Logs Insights results.

The model's sentences are quoted from botocore's logs model (``BOTOCORE_MODELS``) or the
reference file; the exact error messages AWS gives, which the model does not carry, are
cited as observed behaviour from public issue threads.
"""

from projections.rulebook.registry import (
    BOTOCORE_MODELS,
    REFERENCE,
    Assumption,
    Rule,
    declare,
    declare_assumptions,
)

OBSERVED_ORDER = ("observed behaviour: dibog/cloudwatch-logback-appender#17, "
                  "planetarium/NineChronicles.Headless#340, segmentio/ecs-logs#22")
OBSERVED_SIZE = ("observed behaviour: nhs-england-tools/terraform-aws-opennext#27, "
                 "vectordotdev/vector#2394")
OBSERVED_SPAN = ("observed behaviour: aws/amazon-cloudwatch-logs-for-fluent-bit#29, "
                 "maxbanton/cwh#96, moby/moby#41529")
OBSERVED_TOKEN = ("observed behaviour: boto/boto3#1467 (the service's answer to a nextToken "
                  "it did not issue); getmoto/moto tests/test_logs/test_logs.py "
                  "test_get_log_events_errors (the same for GetLogEvents)")
OBSERVED_GROUP = "observed behaviour: osperlabs/logbeam#7 (PutLogEvents on a missing log group)"
USER_GUIDE = ("observed behaviour (AWS user guide): awsdocs/amazon-cloudwatch-logs-user-guide "
              "doc_source/CWL_QuerySyntax.md")

declare(
    Rule("R-LOGS-44", "The events of one PutLogEvents batch must be in chronological order of "
         "their timestamps (equal timestamps are in order); otherwise the call fails and stores "
         "nothing (InvalidParameterException with AWS's message, R-LOGS-45)", BOTOCORE_MODELS,
         quote="A batch of log events in a single request must be in a chronological order. "
         "Otherwise, the operation fails."),
    Rule("R-LOGS-45", "A batch out of chronological order is InvalidParameterException 'Log "
         "events in a single PutLogEvents request must be in chronological order.'",
         OBSERVED_ORDER,
         quote="Log events in a single PutLogEvents request must be in chronological order."),
    Rule("R-LOGS-46", "A log event more than 2 hours after the call's time is rejected (not "
         "stored; tooNewLogEventStartIndex) while the batch's other events are stored",
         BOTOCORE_MODELS,
         quote="Events more than 2 hours in the future are rejected while processing remaining "
         "valid events."),
    Rule("R-LOGS-47", "A log event more than 14 days before the call's time "
         "(tooOldLogEventEndIndex), or before the log group's retention period "
         "(expiredLogEventEndIndex), is rejected (not stored) while the other events are stored",
         BOTOCORE_MODELS,
         quote="Events older than 14 days or preceding the log group's retention period are "
         "rejected while processing remaining valid events."),
    Rule("R-LOGS-48", "Rejected events are reported in rejectedLogEventsInfo (omitted when none "
         "is rejected): tooNewLogEventStartIndex is the first too-new event; where the end "
         "indexes point is A-REJECTED-INDEX", BOTOCORE_MODELS,
         quote="The index of the first log event that is too new. This field is inclusive.",
         assumption="A-REJECTED-INDEX"),
    Rule("R-LOGS-49", "A batch whose messages' UTF-8 bytes plus 26 bytes per event exceed "
         "1,048,576 bytes fails, storing nothing (InvalidParameterException 'Upload too large: "
         "N bytes exceeds limit of 1048576', R-LOGS-50)", BOTOCORE_MODELS,
         quote="The maximum batch size is 1,048,576 bytes. This size is calculated as the sum "
         "of all event messages in UTF-8, plus 26 bytes for each log event."),
    Rule("R-LOGS-50", "A batch over the size limit is InvalidParameterException 'Upload too "
         "large: N bytes exceeds limit of 1048576'", OBSERVED_SIZE,
         quote="Upload too large: 1049882 bytes exceeds limit of 1048576"),
    Rule("R-LOGS-51", "A batch holds 1 to 10,000 log events; more is a validation error of "
         "logEvents (InvalidParameterException, R-LOGS-19)", BOTOCORE_MODELS,
         quote="The maximum number of log events in a batch is 10,000."),
    Rule("R-LOGS-52", "The events of a batch that are not rejected (R-LOGS-46, R-LOGS-47) may "
         "span at most 24 hours from the first to the last; otherwise the call fails, storing "
         "nothing (InvalidParameterException with AWS's message, R-LOGS-53)", BOTOCORE_MODELS,
         quote="For valid events (within 14 days in the past to 2 hours in future), the time "
         "span in a single batch cannot exceed 24 hours. Otherwise, the operation fails."),
    Rule("R-LOGS-53", "A batch spanning more than 24 hours is InvalidParameterException 'The "
         "batch of log events in a single PutLogEvents request cannot span more than 24 "
         "hours.'", OBSERVED_SPAN,
         quote="The batch of log events in a single PutLogEvents request cannot span more "
         "than 24 hours."),
    Rule("R-LOGS-54", "GetLogEvents pages a stream: nextForwardToken continues after the last "
         "event returned, nextBackwardToken before the first; a page at the end of the stream "
         "returns the token passed in; a forward token without startFromHead = true is "
         "A-TOKEN-DIRECTION", BOTOCORE_MODELS,
         quote="If you have reached the end of the stream, it returns the same token you "
         "passed in.", assumption="A-TOKEN-DIRECTION"),
    Rule("R-LOGS-55", "A GetLogEvents nextToken that kmsim did not issue for this log stream is "
         "InvalidParameterException 'The specified nextToken is invalid.'", OBSERVED_TOKEN,
         quote="The specified nextToken is invalid."),
    Rule("R-LOGS-56", "GetLogEvents' logGroupIdentifier is a log group name (the caller's) or a "
         "log group ARN arn:aws:logs:REGION:ACCOUNT_ID:log-group:NAME, which may name a source "
         "account linked to the caller (as for queries, R-LOGS-37); anything else is "
         "InvalidParameterException, and an ARN ending in ':*' fails the model's pattern "
         "(R-LOGS-19)", BOTOCORE_MODELS,
         quote="Specify either the name or ARN of the log group to view events from. If the "
         "log group is in a source account and you are using a monitoring account, you must "
         "use the log group ARN."),
    Rule("R-LOGS-57", "GetQueryResults rows hold only the fields the query asks for that have a "
         "value, then @ptr, the identifier for the log record (its form is R-LOGS-87); which "
         "fields have a value is A-QUERY-FIELDS", REFERENCE,
         quote="Only the fields requested in the query are returned, along with a @ptr field, "
         "which is the identifier for the log record.", assumption="A-QUERY-FIELDS"),
    Rule("R-LOGS-58", "A query asks for the fields of its last display command, else of all its "
         "fields commands; with neither, for @timestamp and @message", USER_GUIDE,
         quote="Instead, the query results display the `@timestamp` field and all log data in "
         "the `@message` field"),
    Rule("R-LOGS-59", "A missing log group is ResourceNotFoundException 'The specified log group "
         "does not exist.' (R-LOGS-17)", OBSERVED_GROUP,
         quote="The specified log group does not exist."),
)

# -- issue 9: what R-LOGS-43 and R-LOGS-57 used to say beyond their sources --------------
declare(
    Rule("R-LOGS-86", "A DescribeLogGroups nextToken the call did not issue is "
         "InvalidParameterException", OBSERVED_TOKEN,
         quote="The specified nextToken is invalid."),
    Rule("R-LOGS-87", "A row's @ptr is an opaque string (opaque: URL-safe base64 of kmsim's "
         "event number and the event's index in its batch) or that text itself (plain); either "
         "way the same for the same log event", "assumption A-QUERY-PTR",
         assumption="A-QUERY-PTR"),
)

declare_assumptions(
    Assumption(
        id="A-QUERY-PTR",
        statement="The form of a result row's @ptr (the sources say only that it is 'the "
        "identifier for the log record'; kmsim has no GetLogRecord)",
        default="opaque", alternatives=("plain",),
        meaning={"opaque": "URL-safe base64 (unpadded) of 'kmsim:SEQ:INDEX'",
                 "plain": "'kmsim:SEQ:INDEX' as it is"},
    ),
    Assumption(
        id="A-TOKEN-DIRECTION",
        statement="What GetLogEvents does with a nextForwardToken when startFromHead is not "
        "true (the model: 'If you are using a previous nextForwardToken value as the "
        "nextToken in this operation, you must specify true for startFromHead.')",
        default="token", alternatives=("refuse",),
        meaning={"token": "the token's direction decides: the page continues forward",
                 "refuse": "InvalidParameterException"},
    ),
    Assumption(
        id="A-REJECTED-INDEX",
        statement="Where rejectedLogEventsInfo's end indexes point: the model says "
        "tooOldLogEventEndIndex is 'The index of the last log event that is too old. This "
        "field is exclusive.' and of expiredLogEventEndIndex only 'The expired log events.'; "
        "kmsim reads both alike, each counting the events of its own condition (so an event "
        "both too old and expired is in both)",
        default="exclusive", alternatives=("inclusive",),
        meaning={"exclusive": "the index just after the last rejected event (how many were "
                 "rejected), as 'This field is exclusive' reads",
                 "inclusive": "the index of the last rejected event, as 'the index of the last "
                 "log event' reads"},
    ),
    Assumption(
        id="A-QUERY-FIELDS",
        statement="Which fields of a log event a Logs Insights query can show (the service "
        "also discovers fields in JSON and known log formats; kmsim reads no formats by "
        "default)",
        default="system", alternatives=("json",),
        meaning={"system": "@timestamp, @message, @ingestionTime, @logStream and @log; any "
                 "other field has no value and is left out of a row",
                 "json": "also the keys of a message that is a JSON object, nested keys joined "
                 "with '.' (list items by their index)"},
    ),
)

"""CloudWatch Logs as automation calls it around a key (issue 13, part L1): log streams,
FilterLogEvents and its filter pattern syntax for text terms, DeleteLogStream,
DeleteRetentionPolicy, tags (TagResource ... and the legacy TagLogGroup ...), ListLogGroups
and what DescribeLogGroups shows.

Quotes come from botocore's logs model (``BOTOCORE_MODELS``), its shapes
(``BOTOCORE_SHAPES``), the CloudWatch Logs user guide (awsdocs, named as observed behaviour)
and public threads; what kmsim adds is an ``A-LOGS-API-*`` assumption.
"""

from projections.rulebook.registry import (
    BOTOCORE_MODELS,
    BOTOCORE_SHAPES,
    Assumption,
    Rule,
    declare,
    declare_assumptions,
)

PATTERN_GUIDE = ("observed behaviour (AWS user guide): awsdocs/amazon-cloudwatch-logs-user-guide "
                 "doc_source/FilterAndPatternSyntax.md")
OBSERVED_TERM = ("observed behaviour: ministryofjustice/modernisation-platform-environments#5137 "
                 "(the service's answer to a term with a character it does not take)")
OBSERVED_TOKEN = "observed behaviour: boto/boto3#1467 (the answer to a nextToken not issued)"
OBSERVED_STREAM_ARN = ("observed behaviour (AWS Firehose developer guide, policy examples): "
                       "arn:aws:logs:region:account-id:log-group:log-group-name:log-stream:"
                       "log-stream-name")
OBSERVED_SHOWN_KEY = ("observed behaviour: aws-cloudformation/"
                      "aws-cloudformation-resource-providers-logs#27")
OBSERVED_EXPIRED_STREAMS = ("observed behaviour: boto/botocore#3507 (DescribeLogStreams lists "
                            "expired streams), cloud-custodian/cloud-custodian#6069 (a stream "
                            "emptied by retention keeps its last ingestion time)")

declare(
    # -- DescribeLogStreams ---------------------------------------------------------------
    Rule("R-LOGS-API-01", "DescribeLogStreams and FilterLogEvents take exactly one of "
         "logGroupName and logGroupIdentifier (a name, or an ARN as R-LOGS-56 says); none or "
         "both is InvalidParameterException", BOTOCORE_MODELS,
         quote="You must include one of these two parameters, but you can't include both."),
    Rule("R-LOGS-API-02", "DescribeLogStreams with orderBy LastEventTime and a "
         "logStreamNamePrefix is InvalidParameterException", BOTOCORE_MODELS,
         quote="If orderBy is LastEventTime, you cannot specify this parameter."),
    Rule("R-LOGS-API-03", "DescribeLogStreams orders the streams by name (default) or by the "
         "time of their last event (orderBy LastEventTime), ascending unless descending is "
         "true; logStreamNamePrefix keeps the streams whose name starts with it",
         BOTOCORE_MODELS,
         quote="If the value is LogStreamName, the results are ordered by log stream name. If "
         "the value is LastEventTime, the results are ordered by the event time. The default "
         "value is LogStreamName."),
    Rule("R-LOGS-API-04", "DescribeLogStreams returns at most limit streams (1..50, default "
         "50); when more remain, nextToken continues after the last one returned; a token the "
         "call did not issue (or issued for another order) is InvalidParameterException "
         "(R-LOGS-API-29)", BOTOCORE_MODELS,
         quote="The maximum number of items returned. If you don't specify a value, the "
         "default is up to 50 items."),
    Rule("R-LOGS-API-05", "A log stream's storedBytes is always 0", BOTOCORE_MODELS,
         quote="As of June 17, 2019, this parameter is no longer supported for log streams, "
         "and is always reported as zero."),
    Rule("R-LOGS-API-06", "A log stream shows creationTime (its CreateLogStream), and once it "
         "holds events firstEventTimestamp, lastEventTimestamp (the earliest and latest event "
         "timestamps it stored) and lastIngestionTime; when they catch up is "
         "A-LOGS-API-STREAM-TIMES (R-LOGS-API-07)", BOTOCORE_MODELS,
         quote="The time of the most recent log event in the log stream in CloudWatch Logs."),
    Rule("R-LOGS-API-07", "lastEventTimestamp and lastIngestionTime count a batch at once "
         "(immediate, default) or one hour after its ingestion (hour: the documented 'less "
         "than an hour')", "assumption A-LOGS-API-STREAM-TIMES",
         assumption="A-LOGS-API-STREAM-TIMES"),
    Rule("R-LOGS-API-08", "Ordered by LastEventTime, a stream without events sorts as if its "
         "last event were at its creation (creation, default) or before every stream with "
         "events (first)", "assumption A-LOGS-API-EMPTY-ORDER",
         assumption="A-LOGS-API-EMPTY-ORDER"),
    Rule("R-LOGS-API-09", "uploadSequenceToken is a sequence token PutLogEvents ignores: the "
         "nextSequenceToken of the stream's latest PutLogEvents", BOTOCORE_MODELS,
         quote="The sequence token is now ignored in PutLogEvents actions."),
    Rule("R-LOGS-API-10", "A log stream's arn is arn:aws:logs:REGION:ACCOUNT:log-group:GROUP:"
         "log-stream:STREAM", OBSERVED_STREAM_ARN),
    Rule("R-LOGS-API-11", "A stream's times keep counting the batches retention has deleted "
         "(the stream stays listed, with its times)", OBSERVED_EXPIRED_STREAMS,
         quote="describe_log_streams also lists the expired log streams"),
    # -- FilterLogEvents ------------------------------------------------------------------
    Rule("R-LOGS-API-12", "FilterLogEvents with both logStreamNames and logStreamNamePrefix is "
         "InvalidParameterException", BOTOCORE_MODELS,
         quote="If you specify a value for both logStreamNames and logStreamNamePrefix, the "
         "action returns an InvalidParameterException error."),
    Rule("R-LOGS-API-13", "FilterLogEvents leaves out events with a timestamp before startTime",
         BOTOCORE_MODELS, quote="Events with a timestamp before this time are not returned."),
    Rule("R-LOGS-API-14", "FilterLogEvents leaves out events with a timestamp after endTime "
         "(an event at endTime is returned)", BOTOCORE_MODELS,
         quote="Events with a timestamp later than this time are not returned."),
    Rule("R-LOGS-API-15", "FilterLogEvents returns events sorted by timestamp, then ingestion "
         "time, then PutLogEvents request (kmsim: its event number, then the event's place "
         "in the batch), oldest first by default", BOTOCORE_MODELS,
         quote="The returned log events are sorted by event timestamp, the timestamp when the "
         "event was ingested by CloudWatch Logs, and the ID of the PutLogEvents request."),
    Rule("R-LOGS-API-16", "FilterLogEvents with startFromHead false returns the latest events "
         "first; its nextToken keeps that direction, which wins over a later startFromHead",
         BOTOCORE_MODELS,
         quote="If the value is false, the latest log events are returned first."),
    Rule("R-LOGS-API-17", "startFromHead false with a startTime before 2024-01-01T00:00:00Z is "
         "InvalidParameterException", BOTOCORE_MODELS,
         quote="A request with startFromHead set to false and a startTime before this date "
         "returns an InvalidParameterException."),
    Rule("R-LOGS-API-18", "FilterLogEvents returns at most limit events (1..10000, default "
         "10000), and a nextToken when the page is full while events it has not looked at "
         "remain: the next page may then hold fewer events, even none",
         BOTOCORE_MODELS,
         quote="A returned page might only be partially full, or even empty."),
    Rule("R-LOGS-API-19", "FilterLogEvents ignores interleaved: events of every stream are "
         "interleaved", BOTOCORE_MODELS,
         quote="As of June 17, 2019, this parameter is ignored and the value is assumed to be "
         "true."),
    Rule("R-LOGS-API-20", "FilterLogEvents answers searchedLogStreams as an empty list",
         BOTOCORE_MODELS, quote="This parameter returns an empty list."),
    Rule("R-LOGS-API-21", "Without a filterPattern (or with an empty one) every event matches",
         BOTOCORE_MODELS, quote="If not provided, all the events are matched."),
    Rule("R-LOGS-API-22", "Every term of a filter pattern must appear in the message (case "
         "sensitive, anywhere in it: ERROR matches ERRORCODE)", PATTERN_GUIDE,
         quote="You can specify multiple terms in a metric filter pattern, but all terms must "
         "appear in a log event for there to be a match."),
    Rule("R-LOGS-API-23", "A term with a character other than a letter, digit or underscore "
         "must be a \"quoted phrase\" (matched as written, spaces included); unquoted it is "
         "InvalidParameterException 'Invalid character(s) in term'", PATTERN_GUIDE,
         quote="Metric filter terms that include characters other than alphanumeric or "
         "underscore must be placed inside double quotes"),
    Rule("R-LOGS-API-24", "The same answer's message, as the service gives it",
         OBSERVED_TERM, quote="Invalid character(s) in term"),
    Rule("R-LOGS-API-25", "A term after a minus sign (-term, or - \"phrase\") must not appear "
         "in the message", PATTERN_GUIDE,
         quote="To exclude a term, use a minus sign (-) before the term."),
    Rule("R-LOGS-API-26", "Terms with a question mark (?term) are alternatives: a message "
         "matches when it holds at least one of them", PATTERN_GUIDE,
         quote="Use a question mark for OR, such as `?term`."),
    Rule("R-LOGS-API-27", "A pattern mixing ?terms with plain terms needs every plain term and "
         "one ?term (and, default) or any one of its terms (any)",
         "assumption A-LOGS-API-OR-MIX", assumption="A-LOGS-API-OR-MIX"),
    Rule("R-LOGS-API-28", "A JSON ({ ... }), space-delimited ([ ... ]) or regex (% ... %) "
         "filter pattern is refused with InvalidParameterException naming the syntax "
         "(refuse, default) or matches no event (none)",
         "assumption A-LOGS-API-FILTER-SYNTAX", assumption="A-LOGS-API-FILTER-SYNTAX"),
    Rule("R-LOGS-API-29", "A FilterLogEvents, DescribeLogStreams or ListLogGroups nextToken the "
         "call did not issue (for this log group) is InvalidParameterException", OBSERVED_TOKEN,
         quote="The specified nextToken is invalid."),
    Rule("R-LOGS-API-30", "FilterLogEvents decrypts what it searches as GetLogEvents does "
         "(R-LOGS-33, R-LOGS-34): the batches it reads to fill the page (scan, default) or "
         "every batch of the streams and time range (all); one not certainly readable fails "
         "the call", "assumption A-LOGS-API-FILTER-READ", assumption="A-LOGS-API-FILTER-READ"),
    Rule("R-LOGS-API-31", "A filtered event's eventId is 56 digits: timestamp, event number, "
         "place in the batch and a check (digits, default), or URL-safe base64 of them "
         "(opaque); the same for the same log event", "assumption A-LOGS-API-EVENT-ID",
         assumption="A-LOGS-API-EVENT-ID"),
    # -- DeleteLogStream, DeleteRetentionPolicy -------------------------------------------
    Rule("R-LOGS-API-32", "DeleteLogStream deletes the stream and every event it stored; a "
         "stream created again with the name starts empty", BOTOCORE_MODELS,
         quote="Deletes the specified log stream and permanently deletes all the archived log "
         "events associated with the log stream."),
    Rule("R-LOGS-API-33", "DeleteRetentionPolicy removes the log group's retention: its events "
         "not yet deleted no longer expire", BOTOCORE_MODELS,
         quote="Log events do not expire if they belong to log groups without a retention "
         "policy."),
    # -- tags -----------------------------------------------------------------------------
    Rule("R-LOGS-API-34", "TagResource adds tags to a log group; a key it already has gets the "
         "new value", BOTOCORE_MODELS,
         quote="If you specify a tag key that is already associated with the alarm, the new "
         "tag value that you specify replaces the previous value for that tag."),
    Rule("R-LOGS-API-35", "A log group holds at most 50 tags: more is TooManyTagsException "
         "from TagResource (InvalidParameterException from TagLogGroup, whose errors have no "
         "TooManyTagsException: R-LOGS-API-36)", BOTOCORE_MODELS,
         quote="You can associate as many as 50 tags with a CloudWatch Logs resource."),
    Rule("R-LOGS-API-36", "TagLogGroup's errors", BOTOCORE_SHAPES,
         quote="logs.TagLogGroup errors: ResourceNotFoundException, InvalidParameterException"),
    Rule("R-LOGS-API-37", "The tagging operations name a log group by its ARN without ':*' "
         "(arn:aws:logs:REGION:ACCOUNT:log-group:NAME); a destination ARN names nothing kmsim "
         "has (ResourceNotFoundException), an ARN with ':*' fails the pattern (R-LOGS-19), one "
         "of another account or Region is R-LOGS-81", BOTOCORE_MODELS,
         quote="The ARN format of a log group is arn:aws:logs:Region:account-id:log-group:"
         "log-group-name"),
    Rule("R-LOGS-API-38", "UntagResource removes the listed keys from the tags (a key the "
         "group lacks removes nothing)", BOTOCORE_MODELS,
         quote="Removes one or more tags from the specified resource."),
    Rule("R-LOGS-API-39", "ListTagsForResource returns the log group's tags ({} when none)",
         BOTOCORE_MODELS,
         quote="Displays the tags associated with a CloudWatch Logs resource."),
    Rule("R-LOGS-API-40", "TagLogGroup adds or updates tags of a log group named by name",
         BOTOCORE_MODELS,
         quote="Adds or updates the specified tags for the specified log group."),
    Rule("R-LOGS-API-41", "UntagLogGroup removes tags (by key) from a log group named by name",
         BOTOCORE_MODELS, quote="Removes the specified tags from the specified log group."),
    Rule("R-LOGS-API-42", "ListTagsLogGroup returns the tags of a log group named by name",
         BOTOCORE_MODELS, quote="Lists the tags for the specified log group."),
    Rule("R-LOGS-API-43", "CreateLogGroup's tags are the new group's tags (keys 1..128, values "
         "0..256 characters of letters, separators, digits and _.:/=+-@; at most 50)",
         BOTOCORE_MODELS, quote="The key-value pairs to use for the tags."),
    # -- ListLogGroups, DescribeLogGroups ------------------------------------------------
    Rule("R-LOGS-API-44", "ListLogGroups returns the log groups of the caller's account and "
         "Region: logGroupName, logGroupArn (no ':*') and logGroupClass of each, sorted by name",
         BOTOCORE_MODELS,
         quote="Returns a list of log groups in the Region in your account."),
    Rule("R-LOGS-API-45", "logGroupNamePattern holds up to five patterns separated by '|'; "
         "^NAME matches names starting with NAME", BOTOCORE_MODELS,
         quote="Use ^ to match log group names by prefix."),
    Rule("R-LOGS-API-46", "A logGroupNamePattern without ^ matches names containing it (case "
         "sensitive)", BOTOCORE_MODELS,
         quote="For a substring match, specify the string to match."),
    Rule("R-LOGS-API-47", "logGroupClass keeps the log groups of that class", BOTOCORE_MODELS,
         quote="Use this parameter to limit the results to only those log groups in the "
         "specified log group class."),
    Rule("R-LOGS-API-48", "includeLinkedAccounts true adds the log groups of the source "
         "accounts linked to the caller (sim:Link), only those in accountIdentifiers when given",
         BOTOCORE_MODELS,
         quote="If you are using a monitoring account, set this to true to have the operation "
         "return log groups in the accounts listed in accountIdentifiers."),
    Rule("R-LOGS-API-49", "ListLogGroups returns at most limit groups (1..1000, default 50) "
         "and a nextToken while more remain", BOTOCORE_MODELS,
         quote="If you omit this parameter, the default is up to 50 log groups."),
    Rule("R-LOGS-API-50", "ListLogGroups' filters all apply: logGroupTags keeps groups with "
         "each tag key (and one of its values when given); kmsim simulates no data sources "
         "or field indexes, so dataSources or fieldIndexNames keep no group", BOTOCORE_MODELS,
         quote="If you specify more than one filter type, the results include log groups "
         "that satisfy all filters."),
    Rule("R-LOGS-API-51", "DescribeLogGroups shows the kmsKeyId of an AssociateKmsKey as soon "
         "as the call returns, while its effect on the data may take up to 5 minutes "
         "(R-LOGS-14): A-LOGS-SHOWN-KEY's default, latest (R-LOGS-88)", OBSERVED_SHOWN_KEY,
         quote="it is immediately present when I do a read call"),
    Rule("R-LOGS-API-53", "FilterLogEvents naming in logStreamNames a stream the group does "
         "not have is ResourceNotFoundException 'The specified log stream does not exist.'",
         "observed behaviour: percona/rds_exporter#81 (FilterLogEvents' answer)",
         quote="The specified log stream does not exist."),
    Rule("R-LOGS-API-52", "A log group's class is the logGroupClass it was created with, "
         "STANDARD when omitted; DescribeLogGroups and ListLogGroups show it", BOTOCORE_MODELS,
         quote="If you omit this parameter, the default of STANDARD is used."),
    # -- a deleted stream's events, for every reader (issue 13, part G2) ------------------
    Rule("R-LOGS-API-54", "After DeleteLogStream the stream's events are gone: a query "
         "started later does not read them, and they are answered gone from then on",
         BOTOCORE_MODELS, quote="permanently deletes all the archived log events associated "
         "with the log stream"),
    Rule("R-LOGS-API-55", "The results a query stored before its events were deleted (a log "
         "stream or log group deleted, retention) keep those events by default "
         "(A-LOGS-API-STORED-RESULTS)", "assumption A-LOGS-API-STORED-RESULTS",
         assumption="A-LOGS-API-STORED-RESULTS"),
)

declare_assumptions(
    Assumption(
        id="A-LOGS-API-STREAM-TIMES",
        statement="When a stream's lastEventTimestamp and lastIngestionTime count a batch "
        "(the model: they update 'on an eventual consistency basis', typically in less than "
        "an hour)",
        default="immediate", alternatives=("hour",),
        meaning={"immediate": "as soon as the batch is stored",
                 "hour": "one hour after its ingestion (the documented bound's worst case)"},
    ),
    Assumption(
        id="A-LOGS-API-EMPTY-ORDER",
        statement="Where DescribeLogStreams orderBy LastEventTime puts a stream without events "
        "(the model is silent; binxio/aws-cloudwatch-log-minder#6 saw such streams come in "
        "no fixed order)",
        default="creation", alternatives=("first",),
        meaning={"creation": "as if its last event were at its creationTime",
                 "first": "before every stream with events (ascending)"},
    ),
    Assumption(
        id="A-LOGS-API-OR-MIX",
        statement="What a filter pattern mixing ?terms with plain terms matches (the user "
        "guide shows them apart only)",
        default="and", alternatives=("any",),
        meaning={"and": "every plain term, and at least one ?term",
                 "any": "any one of its terms, plain or ?"},
    ),
    Assumption(
        id="A-LOGS-API-FILTER-SYNTAX",
        statement="What FilterLogEvents does with a JSON, space-delimited or regex filter "
        "pattern (kmsim matches text terms only)",
        default="refuse", alternatives=("none",),
        meaning={"refuse": "InvalidParameterException naming the syntax kmsim does not match",
                 "none": "the call succeeds and matches no event"},
    ),
    Assumption(
        id="A-LOGS-API-FILTER-READ",
        statement="Which batches FilterLogEvents must decrypt (the sources say only that a page "
        "may be partial)",
        default="scan", alternatives=("all",),
        meaning={"scan": "those it reads, in order, until the page is full",
                 "all": "every batch of the streams and time range asked for"},
    ),
    Assumption(
        id="A-LOGS-API-EVENT-ID",
        statement="The form of a filtered event's eventId (the model: 'The ID of the event.')",
        default="digits", alternatives=("opaque",),
        meaning={"digits": "56 decimal digits, as the service's ids look",
                 "opaque": "URL-safe base64 of the same position"},
    ),
    Assumption(
        id="A-LOGS-API-STORED-RESULTS",
        statement="What GetQueryResults shows of events deleted after the query started (the "
        "sources say a query's results are stored, and that DeleteLogStream permanently "
        "deletes the stream's events; not whether stored results are rewritten)",
        default="kept", alternatives=("dropped",),
        meaning={"kept": "the stored results are as the query found them",
                 "dropped": "events deleted since (stream, group, retention) are left out"},
    ),
)

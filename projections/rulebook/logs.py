"""CloudWatch Logs encryption rules (SPEC 3.4; seeds 002, 003, 004 and the reference).

Every behavioural sentence of the seeds is one rule, quoted exactly; where the seeds are
silent the rule names the assumption that decides (``A-LOGS-*``, ``A-INGEST-UNUSABLE-KEY``,
``A-QUERY-UNREADABLE``, ...).
"""

from projections.rulebook.registry import (
    BOTOCORE_MODELS,
    BOTOCORE_SHAPES,
    REFERENCE,
    SEED_003,
    SEED_004,
    SPEC,
    Assumption,
    Rule,
    declare,
    declare_assumptions,
)

OBSERVED_POLICY = ("observed behaviour: hashicorp/terraform-provider-aws#29282, "
                   "ministryofjustice/modernisation-platform#7870")
OBSERVED_STREAM = "observed behaviour: mentum/lawgs#11, aws/aws-logging-dotnet#134"
#: The messages of CreateLogGroup and CreateLogStream on a name that is taken, as boto3 and
#: the C++ SDK print them (grycap/scar#82, aws-robotics/cloudwatchlogs-ros1#1).
OBSERVED_EXISTS = "observed behaviour: grycap/scar#82, aws-robotics/cloudwatchlogs-ros1#1"

declare(
    Rule("R-LOGS-01", "AssociateKmsKey targets one log group of the account or the account's "
         "query-result resource (all future query results)", SEED_004,
         quote="Associates the specified AWS KMS key with either one log group in the account, "
         "or with all stored CloudWatch Logs query insights results in the account."),
    Rule("R-LOGS-02", "Exactly one of logGroupName and resourceIdentifier: none or both is "
         "InvalidParameterException", SEED_004,
         quote="When you use AssociateKmsKey, you specify either the logGroupName parameter or "
         "the resourceIdentifier parameter. You can't specify both of those parameters in the "
         "same operation."),
    Rule("R-LOGS-03", "Only events ingested after an association takes effect are under its "
         "key; earlier events keep the key they were written under", SEED_004,
         quote="Only the log events ingested after the key is associated are encrypted with "
         "that key."),
    Rule("R-LOGS-04", "Associating a key replaces the log group's previous key for new events "
         "(associated -> associating -> associated)", SEED_004,
         quote="Associating a KMS key with a log group overrides any existing associations "
         "between the log group and a KMS key."),
    Rule("R-LOGS-05", "A PutLogEvents batch is stored under the key(s) the log group's "
         "association may be in force with at ingestion (service-owned key when none)",
         SEED_004,
         quote="After a KMS key is associated with a log group, all newly ingested data for the "
         "log group is encrypted using the KMS key."),
    Rule("R-LOGS-06", "Stored data keeps its key for as long as it is stored (until retention "
         "or deletion makes it gone); CloudWatch Logs decrypts it on request while the key is "
         "usable", SEED_004,
         quote="This association is stored as long as the data encrypted with the KMS key is "
         "still within CloudWatch Logs. This enables CloudWatch Logs to decrypt this data "
         "whenever it is requested."),
    Rule("R-LOGS-07", "A log group's key never encrypts query results of that group; only the "
         "query-result association does", SEED_004,
         quote="Associating a key with a log group does not cause the results of queries of "
         "that log group to be encrypted with that key."),
    Rule("R-LOGS-08", "Results of a StartQuery are stored under the account's query-result "
         "association in force when the query starts", SEED_004,
         quote="Specify the resourceIdentifier parameter with a query-result resource, to use "
         "that key to encrypt the stored results of all future StartQuery operations in the "
         "account."),
    Rule("R-LOGS-09", "GetQueryResults still returns query results in plain text when a "
         "query-result key encrypts them at rest", SEED_004,
         quote="The response from a GetQueryResults operation will still return the query "
         "results in plain text."),
    Rule("R-LOGS-10", "Without a query-result key, results are stored under the service-owned "
         "key and need no customer key", SEED_004,
         quote="Even if you have not associated a key with your query results, the query "
         "results are encrypted when stored, using the default CloudWatch Logs method."),
    Rule("R-LOGS-11", "A cross-account query stores its results under the monitoring account's "
         "query-result key, not the source account's", SEED_004,
         quote="If you run a query from a monitoring account that queries logs in a source "
         "account, the query results key from the monitoring account, if any, is used."),
    Rule("R-LOGS-12", "Log events or query results under a Deleted key are unusable, forever "
         "(permanent)", SEED_004,
         quote="If you delete the key that is used to encrypt log events or log group query "
         "results, then all the associated stored log events or query results that were "
         "encrypted with that key will be unencryptable and unusable."),
    Rule("R-LOGS-13", "CloudWatch Logs supports only symmetric KMS keys (what happens to "
         "another key is R-LOGS-75)", SEED_004,
         quote="CloudWatch Logs supports only symmetric KMS keys."),
    Rule("R-LOGS-14", "AssociateKmsKey and DisassociateKmsKey open a 5-minute window "
         "[t, t+5m); when the change takes effect in it is A-PROPAGATION", SEED_004,
         quote="It can take up to 5 minutes for this operation to take effect.",
         assumption="A-PROPAGATION"),
    Rule("R-LOGS-15", "Associating a KMS key that does not exist or is disabled is "
         "InvalidParameterException", SEED_004,
         quote="If you attempt to associate a KMS key with a log group but the KMS key does not "
         "exist or the KMS key is disabled, you receive an InvalidParameterException error."),
    Rule("R-LOGS-16", "Multiple concurrent requests to update the same resource in conflict: "
         "OperationAbortedException (HTTP 400); what counts as concurrent is R-LOGS-78",
         SEED_004, quote="Multiple concurrent requests to update the same resource were in "
         "conflict. HTTP Status Code: 400"),
    Rule("R-LOGS-17", "A log group, log stream or query that does not exist is "
         "ResourceNotFoundException", BOTOCORE_MODELS,
         quote="The specified resource does not exist."),
    Rule("R-LOGS-18", "ServiceUnavailableException (HTTP 500): the service cannot complete the "
         "request (when kmsim answers it is R-LOGS-79)", SEED_004,
         quote="The service cannot complete the request. HTTP Status Code: 500"),
    Rule("R-LOGS-19", "A parameter outside its documented length, pattern (whole value), type "
         "or enumeration is InvalidParameterException", SEED_004,
         quote="A parameter is specified incorrectly."),
    Rule("R-LOGS-20", "kmsKeyId is the ARN of the KMS key (arn:aws:kms:REGION:ACCOUNT:key/ID); "
         "what a key id or alias gets is R-LOGS-82", SEED_004,
         quote="The Amazon Resource Name (ARN) of the KMS key to use when encrypting log data."),
    Rule("R-LOGS-21", "resourceIdentifier must be the caller's query-result ARN or a log group "
         "ARN (arn:aws:logs:REGION:ACCOUNT_ID:log-group:NAME); anything else is "
         "InvalidParameterException", SEED_004,
         quote="Specify the ARN of a log group to have CloudWatch Logs use the AWS KMS key to "
         "encrypt log events that are ingested and stored by that log group."),
    Rule("R-LOGS-22", "A successful AssociateKmsKey answers HTTP 200 with an empty body",
         SEED_004,
         quote="If the action is successful, the service sends back an HTTP 200 response with "
         "an empty HTTP body."),
    Rule("R-LOGS-23", "Associating never re-encrypts stored events: seed 003's 'all log events "
         "stored' is read together with R-LOGS-03", SEED_003,
         quote="Specify the logGroupName parameter to cause all log events stored in the log "
         "group to be encrypted with that key."),
    Rule("R-LOGS-24", "The key policy must let logs.REGION.amazonaws.com kms:GenerateDataKey "
         "and kms:Decrypt with kms:EncryptionContext:aws:logs:arn = the resource ARN; otherwise "
         "AccessDeniedException with the message users see (A-LOGS-POLICY)", OBSERVED_POLICY,
         quote="The specified KMS key does not exist or is not allowed to be used with Arn "
         "'<log group ARN>'", assumption="A-LOGS-POLICY"),
    Rule("R-LOGS-25", "After DisassociateKmsKey takes effect new events use the service-owned "
         "key; events ingested while the key was associated still need it", REFERENCE,
         quote="The log events that were ingested while the key was associated with the log "
         "group are still encrypted with that key."),
    Rule("R-LOGS-26", "DisassociateKmsKey on a resource with no key (none, or already "
         "disassociating) answers ResourceNotFoundException by default (A-LOGS-NO-KEY)",
         "assumption A-LOGS-NO-KEY", assumption="A-LOGS-NO-KEY"),
    Rule("R-LOGS-27", "Log group names are unique per account and region "
         "(ResourceAlreadyExistsException) and may not start with aws/", REFERENCE,
         quote="Log group names must be unique within a Region for an Amazon Web Services "
         "account."),
    Rule("R-LOGS-28", "CreateLogGroup with kmsKeyId associates that key with the new log "
         "group: ingested data is encrypted under it", REFERENCE,
         quote="If you associate an KMS key with the log group, ingested data is encrypted "
         "using the KMS key."),
    Rule("R-LOGS-29", "DeleteLogGroup makes every event of the group gone and drops its "
         "association", SPEC,
         quote="An association is kept as long as data encrypted under it is within "
         "CloudWatch Logs (retention, deletion)."),
    Rule("R-LOGS-30", "PutRetentionPolicy sets a retention policy: the log group's events "
         "expire and are deleted after a specified time (from when is R-LOGS-83)", REFERENCE,
         quote="To set a retention policy so that events expire and are deleted after a "
         "specified time, use PutRetentionPolicy ."),
    Rule("R-LOGS-31", "Without a retention policy log events never expire", REFERENCE,
         quote="When you create a log group, by default the log events in the log group do not "
         "expire."),
    Rule("R-LOGS-32", "Ingestion when no possible key is usable fails with "
         "InvalidParameterException naming the key state, storing nothing "
         "(A-INGEST-UNUSABLE-KEY); a batch is stored only under the possible keys that are "
         "usable", "assumption A-INGEST-UNUSABLE-KEY", assumption="A-INGEST-UNUSABLE-KEY"),
    Rule("R-LOGS-33", "Reading events needs their key Enabled and the key policy allowing the "
         "logs service principal (logs.REGION.amazonaws.com); the caller's own kms:Decrypt is "
         "R-LOGS-84", SPEC,
         quote="Reading events needs the key Enabled and the key policy allowing the logs "
         "service principal."),
    Rule("R-LOGS-34", "GetLogEvents and GetQueryResults over data that is not certainly "
         "readable fail with InvalidParameterException by default (A-LOGS-READ-ERROR)",
         "assumption A-LOGS-READ-ERROR", assumption="A-LOGS-READ-ERROR"),
    Rule("R-LOGS-35", "Query results are kept for 7 days, then gone (what GetQueryResults "
         "answers then is R-LOGS-85)", SPEC, quote="the query results are kept for 7 days"),
    Rule("R-LOGS-36", "StartQuery over events that are not certainly readable fails with "
         "InvalidParameterException by default (A-QUERY-UNREADABLE)",
         "assumption A-QUERY-UNREADABLE", assumption="A-QUERY-UNREADABLE"),
    Rule("R-LOGS-37", "A monitoring account may start a query in a source account linked to it "
         "(sim:Link, R-LOGS-80); another account's log group is R-LOGS-81", REFERENCE,
         quote="If you are using CloudWatch cross-account observability, you can use this "
         "operation in a monitoring account to start a query in a linked source account."),
    Rule("R-LOGS-38", "sim:InjectFault takes Operation (one logs operation, or '*' for all) and "
         "Duration; the window it opens is [t, t+Duration) in the Region the event is made in "
         "(sim operations are events like any other, SPEC 6)", SPEC,
         quote="(`sim:InjectFault` with args `{ Operation = \"logs:AssociateKmsKey\", Duration "
         "= \"2m\" }`; `Operation` may be `*`)"),
    Rule("R-LOGS-39", "PutLogEvents into a log stream that does not exist is "
         "ResourceNotFoundException 'The specified log stream does not exist.', storing "
         "nothing, as the service answers (A-IMPLICIT-STREAM strict; its alternative create "
         "makes the stream)", OBSERVED_STREAM,
         quote="The specified log stream does not exist.", assumption="A-IMPLICIT-STREAM"),
    Rule("R-LOGS-40", "Log stream names are unique within their log group",
         BOTOCORE_MODELS, quote="Log stream names must be unique within the log group."),
    Rule("R-LOGS-65", "Creating a log group or log stream whose name is taken is "
         "ResourceAlreadyExistsException 'The specified log group already exists' or 'The "
         "specified log stream already exists'", OBSERVED_EXISTS,
         quote="The specified log stream already exists"),
    Rule("R-LOGS-41", "A log event without timestamp gets the call's time", SPEC,
         quote="a log event without `timestamp` gets the step's time"),
    Rule("R-LOGS-42", "DescribeLogGroups returns the caller's log groups, ASCII-sorted by "
         "name, each with its retention in retentionInDays and its kmsKeyId (which key while "
         "a change propagates is R-LOGS-88)", BOTOCORE_MODELS,
         quote="The results are ASCII-sorted by log group name."),
    Rule("R-LOGS-43", "DescribeLogGroups returns at most limit groups (default 50); when more "
         "remain, nextToken continues after the last group returned (a token it did not issue: "
         "R-LOGS-86)", BOTOCORE_MODELS,
         quote="The maximum number of items returned. If you don't specify a value, the "
         "default is up to 50 items."),
)

declare_assumptions(
    Assumption(
        id="A-LOGS-POLICY",
        statement="AssociateKmsKey (and CreateLogGroup with kmsKeyId) dry-run the key policy "
        "for logs.REGION.amazonaws.com with the resource's encryption context (observed, not "
        "in the seeds)",
        default="check", alternatives=("skip",),
        meaning={"check": "AccessDeniedException 'The specified KMS key does not exist or is "
                 "not allowed to be used with Arn ...'",
                 "skip": "accept; the policy only matters when data is written or read"},
    ),
    Assumption(
        id="A-LOGS-ASYMMETRIC",
        statement="Whether AssociateKmsKey refuses an asymmetric key (the seeds say only "
        "symmetric keys are supported but name no error)",
        default="refuse", alternatives=("accept",),
        meaning={"refuse": "InvalidParameterException",
                 "accept": "associate it; it behaves like any key afterwards"},
    ),
    Assumption(
        id="A-INGEST-UNUSABLE-KEY",
        statement="What PutLogEvents does when the log group's key is not usable",
        default="fail", alternatives=("store",),
        meaning={"fail": "InvalidParameterException naming the key state; nothing stored",
                 "store": "store the batch under the key anyway (unreadable until usable)"},
    ),
    Assumption(
        id="A-QUERY-UNREADABLE",
        statement="What StartQuery does over log groups whose events cannot be decrypted",
        default="fail", alternatives=("partial",),
        meaning={"fail": "InvalidParameterException naming the group and key",
                 "partial": "the query runs over the readable events only"},
    ),
    Assumption(
        id="A-LOGS-READ-ERROR",
        statement="The error GetLogEvents and GetQueryResults answer for data that cannot be "
        "decrypted (the sources are silent)",
        default="InvalidParameterException", alternatives=("AccessDeniedException",),
        meaning={"InvalidParameterException": "InvalidParameterException naming the key's "
                 "problem", "AccessDeniedException": "AccessDeniedException naming it"},
    ),
    Assumption(
        id="A-LOGS-NO-KEY",
        statement="What DisassociateKmsKey does when no key is associated (the sources are "
        "silent)",
        default="error", alternatives=("noop",),
        meaning={"error": "ResourceNotFoundException", "noop": "succeed and change nothing"},
    ),
    Assumption(
        id="A-IMPLICIT-STREAM",
        statement="Whether PutLogEvents creates a log stream that does not exist (the service "
        "does not: SPEC 3.4)",
        default="strict", alternatives=("create",),
        meaning={"strict": "ResourceNotFoundException 'The specified log stream does not "
                 "exist.', as AWS does", "create": "create it"},
    ),
)

# -- issue 9: what R-LOGS-09, R-LOGS-22 and R-LOGS-28 used to say beyond their sources ----
declare(
    Rule("R-LOGS-60", "GetQueryResults returns plaintext only while the key the results were "
         "stored under is usable by CloudWatch Logs", SPEC,
         quote="GetQueryResults returns plaintext while that key is usable"),
    Rule("R-LOGS-61", "CloudWatch Logs uses a query-result key with the encryption context "
         "kms:EncryptionContext:aws:logs:arn = the query-result ARN it was associated with "
         "(query-result-arn), or with none (none)", "assumption A-LOGS-QUERY-CONTEXT",
         assumption="A-LOGS-QUERY-CONTEXT"),
    Rule("R-LOGS-62", "DisassociateKmsKey has no output shape: a success answers an empty "
         "response", BOTOCORE_SHAPES, quote="logs.DisassociateKmsKey: no output"),
    Rule("R-LOGS-63", "The association CreateLogGroup makes with kmsKeyId takes effect at once "
         "(immediate), or within AssociateKmsKey's 5-minute window as A-PROPAGATION says "
         "(window)", "assumption A-LOGS-CREATE-WINDOW", assumption="A-LOGS-CREATE-WINDOW"),
)

declare_assumptions(
    Assumption(
        id="A-LOGS-QUERY-CONTEXT",
        statement="The encryption context CloudWatch Logs uses with the account's query-result "
        "key (SPEC 3.4 gives aws:logs:arn = the log group ARN for log groups; for query "
        "results the sources name none)",
        default="query-result-arn", alternatives=("none",),
        meaning={"query-result-arn": "kms:EncryptionContext:aws:logs:arn = "
                 "arn:aws:logs:REGION:ACCOUNT:query-result:*, the ARN the key was associated "
                 "with, for the association's dry run and for every read",
                 "none": "no encryption context: a key policy condition on aws:logs:arn does "
                 "not match (its IfExists form does)"},
    ),
    Assumption(
        id="A-LOGS-CREATE-WINDOW",
        statement="When the association CreateLogGroup makes with kmsKeyId takes effect (the "
        "reference documents no window for CreateLogGroup; 'up to 5 minutes' is "
        "AssociateKmsKey's)",
        default="immediate", alternatives=("window",),
        meaning={"immediate": "at once: the group's first events are under the key",
                 "window": "like AssociateKmsKey: a 5-minute window [t, t+5m), the moment as "
                 "A-PROPAGATION says"},
    ),
)

# -- issue 9: what R-LOGS-13..20, 30, 33, 35, 37, 38 and 42 used to say beyond their sources
declare(
    Rule("R-LOGS-75", "An asymmetric (or non-ENCRYPT_DECRYPT) key given to AssociateKmsKey or "
         "CreateLogGroup is InvalidParameterException (refuse) or associated like any key "
         "(accept)", "assumption A-LOGS-ASYMMETRIC", assumption="A-LOGS-ASYMMETRIC"),
    Rule("R-LOGS-76", "A key that is PendingDeletion, PendingImport or Unavailable is refused "
         "as a disabled one: InvalidParameterException", SPEC,
         quote="key missing or Disabled (or PendingDeletion, PendingImport, Unavailable): "
         "`InvalidParameterException` (seed);"),
    Rule("R-LOGS-77", "A Deleted key, and a key of another Region, count as a key that does not "
         "exist (R-LOGS-15), as SPEC 3.3 groups them for the dataset", SPEC,
         quote="Key missing, deleted, or in another region"),
    Rule("R-LOGS-78", "Two association changes to the same resource at the same simulated "
         "instant are concurrent: the later gets OperationAbortedException (SPEC 3.4); "
         "requests at different instants never are", SPEC,
         quote="sequential requests never count as concurrent: each request happens at its own "
         "instant, after the previous event."),
    Rule("R-LOGS-79", "A logs operation inside an injected fault window (sim:InjectFault, "
         "R-LOGS-38) answers ServiceUnavailableException", SPEC,
         quote="an injected fault window answers `ServiceUnavailableException`"),
    Rule("R-LOGS-80", "sim:Link links a source account to a monitoring account "
         "(cross-account observability)", SPEC,
         quote="cross-account observability links (`sim:Link` with args `{ MonitoringAccount "
         "= \"...\", SourceAccount = \"...\" }`;"),
    Rule("R-LOGS-82", "A kmsKeyId that is not a key ARN (a key id, alias name or alias ARN) is "
         "InvalidParameterException (arn), or resolved to its key as KMS resolves it (resolve)",
         "assumption A-LOGS-KEY-REF", assumption="A-LOGS-KEY-REF"),
    Rule("R-LOGS-83", "A batch under a retention policy is gone retentionInDays after its "
         "ingestion (ingestion), or 72 hours after that (lag)", "assumption A-LOGS-RETENTION",
         assumption="A-LOGS-RETENTION"),
    Rule("R-LOGS-84", "Whether reading log events or query results needs the caller's own "
         "kms:Decrypt on their key (service-only: no, only the logs service principal uses "
         "it; caller: yes)", "assumption A-LOGS-READER",
         assumption="A-LOGS-READER"),
    Rule("R-LOGS-85", "GetQueryResults on results past their 7 days is "
         "ResourceNotFoundException (not-found) or InvalidParameterException "
         "(invalid-parameter)", "assumption A-LOGS-EXPIRED-QUERY",
         assumption="A-LOGS-EXPIRED-QUERY"),
    Rule("R-LOGS-88", "DescribeLogGroups shows as kmsKeyId the key of the latest association "
         "change, even inside its window (latest), or the key in force before the window "
         "(effective)", "assumption A-LOGS-SHOWN-KEY", assumption="A-LOGS-SHOWN-KEY"),
)

declare_assumptions(
    Assumption(
        id="A-LOGS-KEY-REF",
        statement="What AssociateKmsKey and CreateLogGroup do with a kmsKeyId that is a key id, "
        "alias name or alias ARN (the sources ask for 'The Amazon Resource Name (ARN) of the KMS "
        "key' and name no error)",
        default="arn", alternatives=("resolve",),
        meaning={"arn": "InvalidParameterException: kmsKeyId must be a key ARN",
                 "resolve": "resolved in the caller's account and Region as KMS resolves "
                 "KeyId (R-KMS-16); the association holds the key's ARN"},
    ),
    Assumption(
        id="A-LOGS-RETENTION",
        statement="When a batch under a retention policy is gone (the sources say events "
        "'expire and are deleted after a specified time'; botocore's PutRetentionPolicy: "
        "'CloudWatch Logs doesn't immediately delete log events when they reach their "
        "retention setting. It typically takes up to 72 hours after that'). kmsim counts from "
        "ingestion, not from each event's timestamp: a batch is one data item",
        default="ingestion", alternatives=("lag",),
        meaning={"ingestion": "retentionInDays after the batch was ingested",
                 "lag": "72 hours after that, the longest typical delay"},
    ),
    Assumption(
        id="A-LOGS-READER",
        statement="Whether reading log events or query results needs the caller's own "
        "kms:Decrypt on their key (SPEC 3.4 names only the key state and the logs service "
        "principal)",
        default="service-only", alternatives=("caller",),
        meaning={"service-only": "no: CloudWatch Logs decrypts with its own principal; the "
                 "caller's key permissions do not matter",
                 "caller": "yes: a reader also needs kms:Decrypt on the key (key policy and "
                 "identity policies, with the log group's encryption context)"},
    ),
    Assumption(
        id="A-LOGS-EXPIRED-QUERY",
        statement="What GetQueryResults answers for results older than 7 days (the sources "
        "say how long they are kept, not the error)",
        default="not-found", alternatives=("invalid-parameter",),
        meaning={"not-found": "ResourceNotFoundException: the results no longer exist",
                 "invalid-parameter": "InvalidParameterException naming the expired query"},
    ),
    Assumption(
        id="A-LOGS-SHOWN-KEY",
        statement="Which key DescribeLogGroups shows while an association change propagates "
        "(the model documents kmsKeyId only as 'The Amazon Resource Name (ARN) of the KMS key "
        "to use when encrypting log data.')",
        default="latest", alternatives=("effective",),
        meaning={"latest": "the key the latest AssociateKmsKey set (none after a "
                 "DisassociateKmsKey), from the call on",
                 "effective": "the key in force before the change until its window ends"},
    ),
)

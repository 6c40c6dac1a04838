"""CloudWatch Logs encryption rules (SPEC 3.4; seeds 002, 003, 004 and the reference).

Every behavioural sentence of the seeds is one rule, quoted exactly; where the seeds are
silent the rule names the assumption that decides (``A-LOGS-*``, ``A-INGEST-UNUSABLE-KEY``,
``A-QUERY-UNREADABLE``, ...).
"""

from projections.rulebook.registry import (
    BOTOCORE_MODELS,
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
    Rule("R-LOGS-09", "GetQueryResults returns plaintext while the results' key is Enabled and "
         "lets logs.REGION.amazonaws.com kms:Decrypt with kms:EncryptionContext:aws:logs:arn = "
         "the query-result ARN (kmsim's reading: the ARN the key was associated with)",
         SEED_004,
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
    Rule("R-LOGS-13", "An asymmetric (or non-ENCRYPT_DECRYPT) key is refused with "
         "InvalidParameterException by default (A-LOGS-ASYMMETRIC)", SEED_004,
         quote="CloudWatch Logs supports only symmetric KMS keys.",
         assumption="A-LOGS-ASYMMETRIC"),
    Rule("R-LOGS-14", "AssociateKmsKey and DisassociateKmsKey open a 5-minute window "
         "[t, t+5m); when the change takes effect in it is A-PROPAGATION", SEED_004,
         quote="It can take up to 5 minutes for this operation to take effect.",
         assumption="A-PROPAGATION"),
    Rule("R-LOGS-15", "A kmsKeyId that does not exist (or is Deleted, or in another region) or "
         "is not Enabled is InvalidParameterException", SEED_004,
         quote="If you attempt to associate a KMS key with a log group but the KMS key does not "
         "exist or the KMS key is disabled, you receive an InvalidParameterException error."),
    Rule("R-LOGS-16", "A second association change to the same resource at the same simulated "
         "instant is OperationAbortedException", SEED_004,
         quote="Multiple concurrent requests to update the same resource were in conflict."),
    Rule("R-LOGS-17", "A log group, log stream or query that does not exist is "
         "ResourceNotFoundException", SEED_004,
         quote="The specified resource does not exist."),
    Rule("R-LOGS-18", "Inside a window injected with sim:InjectFault the operation answers "
         "ServiceUnavailableException (HTTP 500) and changes nothing", SEED_004,
         quote="The service cannot complete the request."),
    Rule("R-LOGS-19", "A parameter outside its documented length, pattern (whole value), type "
         "or enumeration is InvalidParameterException", SEED_004,
         quote="A parameter is specified incorrectly."),
    Rule("R-LOGS-20", "kmsKeyId must be a key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID); key ids "
         "and aliases are InvalidParameterException", SEED_004,
         quote="The Amazon Resource Name (ARN) of the KMS key to use when encrypting log data."),
    Rule("R-LOGS-21", "resourceIdentifier must be the caller's query-result ARN or a log group "
         "ARN (arn:aws:logs:REGION:ACCOUNT_ID:log-group:NAME); anything else is "
         "InvalidParameterException", SEED_004,
         quote="Specify the ARN of a log group to have CloudWatch Logs use the AWS KMS key to "
         "encrypt log events that are ingested and stored by that log group."),
    Rule("R-LOGS-22", "A successful AssociateKmsKey or DisassociateKmsKey answers an empty "
         "response", SEED_004,
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
    Rule("R-LOGS-28", "CreateLogGroup with kmsKeyId makes the same key checks as "
         "AssociateKmsKey and associates at once (the 5-minute note is AssociateKmsKey's)",
         REFERENCE,
         quote="If you associate an KMS key with the log group, ingested data is encrypted "
         "using the KMS key."),
    Rule("R-LOGS-29", "DeleteLogGroup makes every event of the group gone and drops its "
         "association", SPEC,
         quote="An association is kept as long as data encrypted under it is within "
         "CloudWatch Logs (retention, deletion)."),
    Rule("R-LOGS-30", "With a retention policy a batch is gone retentionInDays after its "
         "ingestion (kmsim counts from ingestion; timestamps default to it)", REFERENCE,
         quote="To set a retention policy so that events expire and are deleted after a "
         "specified time, use PutRetentionPolicy ."),
    Rule("R-LOGS-31", "Without a retention policy log events never expire", REFERENCE,
         quote="When you create a log group, by default the log events in the log group do not "
         "expire."),
    Rule("R-LOGS-32", "Ingestion when no possible key is usable fails with "
         "InvalidParameterException naming the key state, storing nothing "
         "(A-INGEST-UNUSABLE-KEY); a batch is stored only under the possible keys that are "
         "usable", "assumption A-INGEST-UNUSABLE-KEY", assumption="A-INGEST-UNUSABLE-KEY"),
    Rule("R-LOGS-33", "Reading events needs their key Enabled and the key policy letting "
         "logs.REGION.amazonaws.com kms:Decrypt with aws:logs:arn = the log group ARN; the "
         "caller needs no kms:Decrypt of its own", SPEC,
         quote="Reading events needs the key Enabled and the key policy allowing the logs "
         "service principal."),
    Rule("R-LOGS-34", "GetLogEvents and GetQueryResults over data that is not certainly "
         "readable fail with InvalidParameterException by default (A-LOGS-READ-ERROR)",
         "assumption A-LOGS-READ-ERROR", assumption="A-LOGS-READ-ERROR"),
    Rule("R-LOGS-35", "Query results are kept 7 days, then gone (GetQueryResults: "
         "ResourceNotFoundException)", SPEC, quote="the query results are kept for 7 days"),
    Rule("R-LOGS-36", "StartQuery over events that are not certainly readable fails with "
         "InvalidParameterException by default (A-QUERY-UNREADABLE)",
         "assumption A-QUERY-UNREADABLE", assumption="A-QUERY-UNREADABLE"),
    Rule("R-LOGS-37", "A monitoring account may query log groups of a source account linked to "
         "it (sim:Link); an unlinked account's group is ResourceNotFoundException", REFERENCE,
         quote="If you are using CloudWatch cross-account observability, you can use this "
         "operation in a monitoring account to start a query in a linked source account."),
    Rule("R-LOGS-38", "sim:InjectFault opens a fault window [t, t+Duration) for one logs "
         "operation or '*' (all) in its region; sim:Link links a source to a monitoring "
         "account", SPEC,
         quote="an injected fault window answers `ServiceUnavailableException`"),
    Rule("R-LOGS-39", "PutLogEvents into a log stream that does not exist creates it by default "
         "(A-IMPLICIT-STREAM; AWS answers ResourceNotFoundException)",
         "assumption A-IMPLICIT-STREAM", assumption="A-IMPLICIT-STREAM"),
    Rule("R-LOGS-40", "Log stream names are unique per log group "
         "(ResourceAlreadyExistsException)", SPEC, quote="CreateLogStream"),
    Rule("R-LOGS-41", "A log event without timestamp gets the call's time", SPEC,
         quote="a log event without `timestamp` gets the step's time"),
    Rule("R-LOGS-42", "DescribeLogGroups shows each group's retention and the kmsKeyId its "
         "latest association change set", SPEC,
         quote="DescribeLogGroups"),
    Rule("R-LOGS-43", "DescribeLogGroups returns at most limit groups (default 50), by name; "
         "when more remain, nextToken continues after the last group returned (a token it "
         "did not issue is InvalidParameterException, R-LOGS-19)", BOTOCORE_MODELS,
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
        statement="Whether PutLogEvents creates a log stream that does not exist (SPEC 8's "
        "example writes without CreateLogStream)",
        default="create", alternatives=("strict",),
        meaning={"create": "create it", "strict": "ResourceNotFoundException, as AWS does"},
    ),
)

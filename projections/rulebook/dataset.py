"""CloudWatch dataset rules (SPEC 3.3; seeds 000 and 001, the reference's CloudWatch section).

Each behavioural sentence of seed 000 (AssociateDatasetKmsKey) and seed 001
(DisassociateDatasetKmsKey) is one rule quoting it, and its statement says only what the
sentence (or its page's error list) says; the newer reference text adds the ``api-2026``
rules; the data plane follows SPEC 3.3 and 7. What kmsim adds where the sources are silent
(an error code, an order, a reading) is a rule of its own citing the assumption that
decides it, so an explanation names both the documented rule and the choice.
"""

from projections.rulebook.registry import (
    BOTOCORE_MODELS,
    BOTOCORE_SHAPES,
    REFERENCE,
    SEED_000,
    SEED_001,
    SPEC,
    Assumption,
    Rule,
    declare,
    declare_assumptions,
)

OBSERVED_GET_ERRORS = (
    "observed behaviour: GetMetricData's 'ValidationError: The value 5xx_error_FooBar_average for "
    "parameter MetricDataQueries.member.1.Id is not matching the expected pattern "
    "^[a-z][a-zA-Z0-9_]*$.' followed by one such line per query (influxdata/telegraf#5420); "
    "'ValidationError: The value None for parameter MetricDataQueries.member.223.MetricStat.Stat "
    "is not a valid statistic.' (prometheus-community/yet-another-cloudwatch-exporter#385, "
    "#1435); 'ValidationError: MetricDataQueries.member.X.Id Not Matching Expected Pattern' "
    "(aws-solutions/quota-monitor-for-aws#200); botocore's cloudwatch ValidationException shape "
    "has the query code ValidationError")

declare(
    # -- seed 000: AssociateDatasetKmsKey ------------------------------------------------
    Rule("R-DS-01", "From the moment AssociateDatasetKmsKey completes, all data published to "
         "the dataset is encrypted at rest under the specified key", SEED_000,
         quote="After this operation completes, all data published to the dataset is encrypted "
         "at rest using the specified KMS key."),
    Rule("R-DS-02", "Reading a data point needs the caller's kms:Decrypt on the key it was "
         "written under", SEED_000,
         quote="Callers must have kms:Decrypt permission on the key to read the encrypted data."),
    Rule("R-DS-03", "The default dataset is implicit in every account and Region: it need not "
         "be created before use", SEED_000,
         quote="The default dataset is implicit for every account in every Region — you do not "
         "need to create it before calling this operation."),
    Rule("R-DS-04", "AssociateDatasetKmsKey on an associated dataset replaces its key",
         SEED_000, quote="You can call AssociateDatasetKmsKey on a dataset that is already "
         "associated with a KMS key to replace the existing key with a different one."),
    Rule("R-DS-05", "Profile seed: a replace runs the caller's kms:Decrypt dry run on the "
         "current key first, and only then on the new key: KmsAccessDeniedException", SEED_000,
         quote="When you are replacing an existing key, the caller's kms:Decrypt dry-run is run "
         "on the current key first, and only then on the new key.", profiles=("seed",)),
    Rule("R-DS-06", "Only symmetric encryption keys (SYMMETRIC_DEFAULT, usage ENCRYPT_DECRYPT) "
         "can be associated: asymmetric and HMAC keys are not supported", SEED_000,
         quote="Asymmetric keys, HMAC keys, and key material types other thanSYMMETRIC_DEFAULTare "
         "not supported."),
    Rule("R-DS-07", "The key must be enabled and not pending deletion; otherwise "
         "KmsKeyDisabledException (the key 'is disabled or pending deletion')", SEED_000,
         quote="It must be enabled and not pending deletion."),
    Rule("R-DS-08", "Service-principal checks run first: the key policy must grant "
         "cloudwatch.amazonaws.com kms:DescribeKey, kms:GenerateDataKey, kms:Encrypt, "
         "kms:Decrypt and kms:ReEncrypt*; otherwise KmsAccessDeniedException", SEED_000,
         quote="Service-principal checks run first to verify that the key policy grants the "
         "required access to Amazon CloudWatch."),
    Rule("R-DS-09", "After those succeed, a kms:Decrypt dry run with the caller's credentials "
         "on the key: KmsAccessDeniedException when the caller cannot use it", SEED_000,
         quote="After those succeed, a kms:Decrypt dry-run is run with the caller's credentials "
         "to verify that the calling principal can use the key."),
    Rule("R-DS-10", "KmsKeyArn must be a fully qualified key ARN: key IDs, aliases and alias "
         "ARNs are not accepted", SEED_000,
         quote="It must be specified as a fully qualified key ARN. Key IDs, aliases, and alias "
         "ARNs are not accepted."),
    Rule("R-DS-11", "DatasetIdentifier is 1 to 2048 characters matching (default|arn:...:"
         "dataset/default); KmsKeyArn is 20 to 2048 characters matching its key ARN pattern",
         SEED_000, quote="Length Constraints: Minimum length of 1. Maximum length of 2048."),
    Rule("R-DS-12", "A key that does not exist (or no longer does), or is in another Region: "
         "KmsKeyNotFoundException", SEED_000,
         quote="Verify that the key Amazon Resource Name (ARN) is correct, that the key exists, "
         "and that it is in the same AWS Region as the resource."),
    Rule("R-DS-13", "A failed association call changes nothing: the existing association stays",
         SEED_000, quote="If any of these checks fails, the operation fails and the existing key "
         "association (if any) remains unchanged."),
    Rule("R-DS-14", "AssociateDatasetKmsKey lists ConflictException (HTTP 409): the operation "
         "attempted to create a resource that already exists", SEED_000,
         quote="This operation attempted to create a resource that already exists."),
    Rule("R-DS-15", "A DatasetIdentifier ARN naming another account or region: "
         "ResourceNotFoundException (404)", SPEC,
         quote="DatasetIdentifier names another account or region: `ResourceNotFoundException` "
         "(404)."),
    # -- seed 001: DisassociateDatasetKmsKey ---------------------------------------------
    Rule("R-DS-16", "After DisassociateDatasetKmsKey completes, data published to the dataset "
         "is encrypted at rest under an AWS owned key managed by CloudWatch", SEED_001,
         quote="After this operation completes, data that you publish to the dataset is "
         "encrypted at rest using an Amazon Web Services owned key managed by Amazon "
         "CloudWatch."),
    Rule("R-DS-17", "Disassociating a dataset with no customer key: ResourceNotFoundException "
         "(404)", SEED_001, quote="If the dataset has no associated KMS key, the operation "
         "fails with ResourceNotFoundException."),
    Rule("R-DS-18", "Profile seed: disassociating needs the caller's kms:Decrypt on the current "
         "key, and the key must be enabled and accessible", SEED_001,
         quote="The caller must have kms:Decrypt permission on the currently associated key, "
         "and the key must be enabled and accessible.", profiles=("seed",)),
    Rule("R-DS-19", "Profile seed: a current key that has been disabled or scheduled for "
         "deletion must first be re-enabled or restored before it can be disassociated",
         SEED_001, quote="If the key has been disabled or scheduled for deletion, you must first "
         "re-enable or restore it before you can disassociate it from the dataset.",
         profiles=("seed",)),
    Rule("R-DS-20", "Disassociating does not immediately remove the kms:Decrypt requirement on "
         "data plane operations", SEED_001,
         quote="Disassociating a KMS key from a dataset does not immediately remove the "
         "kms:Decrypt requirement on data plane operations."),
    Rule("R-DS-21", "For up to three hours after disassociation, callers must still have "
         "kms:Decrypt on the previously associated key", SEED_001,
         quote="For up to three hours after disassociation, callers must continue to have "
         "kms:Decrypt permission on the previously associated key."),
    Rule("R-DS-22", "During that window some data may still be encrypted with the previously "
         "associated key", SEED_001,
         quote="Some data may still be encrypted with that key during this window."),
    Rule("R-DS-23", "After the enforcement window elapses, the callers' kms:Decrypt requirement "
         "on the previously associated key is lifted", SEED_001,
         quote="After this enforcement window elapses, the kms:Decrypt requirement is lifted."),
    # -- reference (botocore 1.44.5): profile api-2026 -----------------------------------
    Rule("R-DS-24", "Profile api-2026: replacing a current key that is Deleted, PendingDeletion, "
         "PendingImport, Unavailable or Disabled needs no kms:Decrypt on it and proceeds",
         REFERENCE, quote="If the currently associated key has been deleted, is scheduled for "
         "deletion, is pending import, is unavailable, or has been disabled, Amazon CloudWatch "
         "does not require kms:Decrypt permission on the current key and the rotation proceeds.",
         profiles=("api-2026",)),
    Rule("R-DS-25", "Profile api-2026: disassociating such a key needs no kms:Decrypt on it and "
         "proceeds", REFERENCE, quote="If the currently associated key has been deleted, is "
         "scheduled for deletion, is pending import, is unavailable, or has been disabled, "
         "Amazon CloudWatch does not require kms:Decrypt permission on that key and the "
         "disassociation proceeds.", profiles=("api-2026",)),
    Rule("R-DS-26", "Profile api-2026: a caller without kms:Decrypt on an accessible current key "
         "gets AccessDeniedException from Disassociate", REFERENCE,
         quote="If the key is accessible but the caller lacks kms:Decrypt permission, the "
         "operation fails with AccessDeniedException .", profiles=("api-2026",)),
    Rule("R-DS-27", "GetDataset returns DatasetId and Arn, and KmsKeyArn only while a customer "
         "key is associated", REFERENCE,
         quote="If no customer managed KMS key has been associated with the dataset, the "
         "response omits the KmsKeyArn field, indicating that data is encrypted at rest using "
         "an Amazon Web Services owned key managed by Amazon CloudWatch."),
    Rule("R-DS-28", "Re-enabling a key that was only disabled lets CloudWatch resume decrypting "
         "the existing metric data under it (the reference advises it instead of "
         "disassociating)", REFERENCE,
         quote="If the key was only disabled, consider re-enabling it instead of "
         "disassociating, because re-enabling allows Amazon CloudWatch to resume decrypting "
         "your existing metric data."),
    # -- data plane (SPEC 3.3, 7) --------------------------------------------------------
    Rule("R-DS-30", "A PutMetricData call is one data item, with its write time and the key or "
         "keys it may be under", SPEC,
         quote="each data-plane write (a PutLogEvents batch, a PutMetricData call, a query "
         "result) is one item with its resource, write time and the key or keys it may be "
         "under"),
    Rule("R-DS-31", "PutMetricData answers a required parameter that is missing with "
         "MissingRequiredParameterException and a bad or out-of-range value with "
         "InvalidParameterValueException (HTTP 400): the errors its model lists",
         BOTOCORE_SHAPES,
         quote="cloudwatch.PutMetricData errors: InvalidParameterValueException, "
         "MissingRequiredParameterException, InvalidParameterCombinationException, "
         "InternalServiceFault"),
    Rule("R-DS-32", "Reading a point at T needs its key Enabled, the key policy allowing "
         "cloudwatch.amazonaws.com kms:Decrypt, and the caller's kms:Decrypt on it", SPEC,
         quote="Reading metric data (GetMetricData) at time T requires, for each data point, "
         "that the key it was written under is Enabled, that the key policy still allows "
         "`cloudwatch.amazonaws.com` kms:Decrypt, and that the caller has kms:Decrypt on it."),
    Rule("R-DS-33", "GetMetricData does not return points the caller cannot decrypt (answer no "
         "or maybe); how it says so is A-GETMETRIC-UNREADABLE", "assumption "
         "A-GETMETRIC-UNREADABLE", assumption="A-GETMETRIC-UNREADABLE"),
    Rule("R-DS-34", "PutMetricData while the associated key is unusable by CloudWatch: "
         "A-DS-PUT-UNUSABLE", "assumption A-DS-PUT-UNUSABLE", assumption="A-DS-PUT-UNUSABLE"),
    Rule("R-DS-35", "PutMetricData time stamps can be as much as two weeks before the current "
         "date and as much as 2 hours after the current time", BOTOCORE_MODELS,
         quote="You can specify time stamps that are as much as two weeks before the current "
         "date, and as much as 2 hours after the current day and time."),
    # -- what the sources leave open, and kmsim's own design (issue 9) -------------------
    Rule("R-DS-36", "Profile api-2026: a replace also runs the caller's kms:Decrypt dry run on "
         "the current key (the reference names no order): KmsAccessDeniedException",
         REFERENCE, quote="When you are replacing an existing key, the caller's kms:Decrypt "
         "dry-run is also run on the current key.", profiles=("api-2026",)),
    Rule("R-DS-37", "Profile api-2026: the caller's dry run on the current key of a replace "
         "runs before the one on the new key (current-first) or after it (new-first)",
         "assumption A-DS-REPLACE-ORDER", profiles=("api-2026",),
         assumption="A-DS-REPLACE-ORDER"),
    Rule("R-DS-38", "A key that is not SYMMETRIC_DEFAULT/ENCRYPT_DECRYPT fails after the "
         "key-state check: ValidationException (validation) or KmsAccessDeniedException "
         "naming kms:GenerateDataKey (kms-access-denied)", "assumption A-SYMMETRIC",
         assumption="A-SYMMETRIC"),
    Rule("R-DS-39", "The service-principal dry runs go in the order kms:DescribeKey, "
         "GenerateDataKey, Encrypt, Decrypt, ReEncrypt*; the first denied action is named in "
         "the KmsAccessDeniedException message", SPEC,
         quote="Service-principal dry runs, in this order: kms:DescribeKey, "
         "kms:GenerateDataKey, kms:Encrypt, kms:Decrypt, kms:ReEncrypt* for "
         "`cloudwatch.amazonaws.com`; the first denied action is named in the message: "
         "`KmsAccessDeniedException`."),
    Rule("R-DS-40", "A parameter outside its documented length or pattern (R-DS-10, R-DS-11; "
         "the pattern must match the whole value) fails before any other check: "
         "ValidationException (400) by default", "assumption A-DS-VALIDATION-CODE",
         assumption="A-DS-VALIDATION-CODE"),
    Rule("R-DS-41", "A second association change (Associate or Disassociate) to the same "
         "dataset at the same simulated instant: ConflictException (409) (reject), or a no-op "
         "when it repeats the change (idempotent)", "assumption A-CONFLICT",
         assumption="A-CONFLICT"),
    Rule("R-DS-42", "A point published after a disassociation, before it takes effect, is "
         "under the previous key; under an uncertain window it may be under either",
         "assumption A-PROPAGATION", assumption="A-PROPAGATION"),
    Rule("R-DS-43", "Profile seed: a caller without kms:Decrypt on the Enabled current key "
         "gets KmsAccessDeniedException from Disassociate (kms-access-denied) or "
         "AccessDeniedException (access-denied)", "assumption A-DIS-DENIED",
         profiles=("seed",), assumption="A-DIS-DENIED"),
    Rule("R-DS-44", "Profile seed: disassociating or replacing while the current key is "
         "Disabled, PendingDeletion, PendingImport or Unavailable: KmsKeyDisabledException "
         "naming its state (refuse), or the change proceeds without kms:Decrypt on it "
         "(proceed)", "assumption A-DIS-DISABLED", profiles=("seed",),
         assumption="A-DIS-DISABLED"),
    Rule("R-DS-45", "Profile seed: a Deleted current key cannot be re-enabled or restored; "
         "disassociating or replacing proceeds without kms:Decrypt on it (proceed), or is "
         "refused with KmsKeyDisabledException for good (refuse)", "assumption A-DIS-DELETED",
         profiles=("seed",), assumption="A-DIS-DELETED"),
    Rule("R-DS-46", "The window's kms:Decrypt requirement on the previous key applies to every "
         "read of the dataset (all) or only to points that may be under that key (under-key)",
         "assumption A-DS-WINDOW-READERS", assumption="A-DS-WINDOW-READERS"),
    Rule("R-DS-47", "Once a disassociation has taken effect, a point under the previous key is "
         "free of it if CloudWatch could use the key at that moment (caller-lifted) or if the "
         "key was not Deleted by then (lifted); never under kept",
         "assumption A-DS-RELEASE", assumption="A-DS-RELEASE"),
    Rule("R-DS-48", "A point the disassociation did not free still needs the previous key: "
         "usable by CloudWatch (caller-lifted, lifted: readable again once it is, never once "
         "Deleted), and also the caller's kms:Decrypt (kept)", "assumption A-DS-RELEASE",
         assumption="A-DS-RELEASE"),
    Rule("R-DS-49", "After a replace (a rotation), existing metric data stays encrypted with "
         "the key it was written under", REFERENCE,
         quote="If the key was only disabled, consider re-enabling it instead of rotating, "
         "because re-enabling allows Amazon CloudWatch to resume decrypting your existing "
         "metric data encrypted with that key."),
    # -- GetMetricData's errors: its model lists only InvalidNextToken (R-DS-31) ----------
    Rule("R-DS-50", "GetMetricData answers a query Id off its pattern, or a Stat that is not a "
         "valid statistic, with ValidationError (ValidationException, HTTP 400)",
         OBSERVED_GET_ERRORS,
         quote="ValidationError: The value 5xx_error_FooBar_average for parameter "
         "MetricDataQueries.member.1.Id is not matching the expected pattern "
         "^[a-z][a-zA-Z0-9_]*$."),
    Rule("R-DS-51", "Other GetMetricData problems no report shows (a missing parameter, a "
         "length, range or other pattern, StartTime not before EndTime, an Expression or "
         "statistic kmsim does not compute): ValidationException as R-DS-50 (validation), "
         "or PutMetricData's codes, MissingRequiredParameterException and "
         "InvalidParameterValueException (put-codes)", "assumption A-GETMETRIC-ERRORS",
         assumption="A-GETMETRIC-ERRORS"),
)

declare_assumptions(
    Assumption(
        id="A-GETMETRIC-ERRORS",
        statement="The error of a GetMetricData problem that no report shows (botocore's "
        "cloudwatch model lists only InvalidNextToken for it; reports show ValidationError for "
        "a bad Id pattern or statistic, R-DS-50)",
        default="validation",
        alternatives=("put-codes",),
        meaning={"validation": "ValidationException (query code ValidationError), as the "
                 "observed ones",
                 "put-codes": "MissingRequiredParameterException for a missing parameter, "
                 "InvalidParameterValueException otherwise, as PutMetricData (R-DS-31)"},
    ),
    Assumption(
        id="A-SYMMETRIC",
        statement="Which error an asymmetric or HMAC key gets from AssociateDatasetKmsKey (seed "
        "000 requires a symmetric key but names no error)",
        default="validation",
        alternatives=("kms-access-denied",),
        meaning={"validation": "ValidationException, after the key-state check (SPEC 3.3 step 5)",
                 "kms-access-denied": "KmsAccessDeniedException naming kms:GenerateDataKey, as "
                 "the service-principal dry run would fail on such a key"},
    ),
    Assumption(
        id="A-DS-VALIDATION-CODE",
        statement="The error of a dataset request whose parameter breaks its documented length "
        "or pattern (seed 000's error list names none; botocore's cloudwatch model has a "
        "ValidationException shape, code ValidationError, that no operation lists)",
        default="validation",
        alternatives=("invalid-parameter-value",),
        meaning={"validation": "ValidationException (400), before any other check (SPEC 3.3 "
                 "step 1)",
                 "invalid-parameter-value": "InvalidParameterValueException (400), the error "
                 "CloudWatch's PutMetricData lists for a bad parameter value"},
    ),
    Assumption(
        id="A-CONFLICT",
        statement="A second AssociateDatasetKmsKey/DisassociateDatasetKmsKey on the same dataset "
        "at the same simulated instant (checked right after the dataset is resolved; seed 000 "
        "only lists ConflictException, R-DS-14)",
        default="reject",
        alternatives=("idempotent",),
        meaning={"reject": "ConflictException (409), whatever the change",
                 "idempotent": "a change whose result equals the dataset's current key (the "
                 "same KmsKeyArn again, or a second Disassociate) succeeds and changes nothing "
                 "(a Disassociate repeat skips the key checks, an Associate repeat runs them); "
                 "any other change is ConflictException (409)"},
    ),
    Assumption(
        id="A-DS-REPLACE-ORDER",
        statement="Profile api-2026: which caller kms:Decrypt dry run of a replace runs first "
        "(the reference runs both but drops the seed's 'first, and only then')",
        default="current-first",
        alternatives=("new-first",),
        meaning={"current-first": "the current key's, then the new key's (the seed's order)",
                 "new-first": "the new key's, then the current key's"},
    ),
    Assumption(
        id="A-DIS-DISABLED",
        statement="Profile seed: Disassociate (and the current-key check of a replace) when "
        "the current key is Disabled, PendingDeletion, PendingImport or Unavailable (seed 001 "
        "says it must be enabled and accessible and names no error; Deleted: A-DIS-DELETED)",
        default="refuse",
        alternatives=("proceed",),
        meaning={"refuse": "KmsKeyDisabledException naming the key's state",
                 "proceed": "as api-2026: no kms:Decrypt dry run on it, the change proceeds"},
    ),
    Assumption(
        id="A-DIS-DELETED",
        statement="Profile seed: Disassociate (and the current-key check of a replace) when "
        "the current key is Deleted. Seed 001 asks to re-enable or restore a disabled or "
        "scheduled key first, which a Deleted key cannot be (R-KMS-10); the newer reference "
        "lets both proceed without kms:Decrypt on a deleted key (R-DS-24, R-DS-25)",
        default="proceed",
        alternatives=("refuse",),
        meaning={"proceed": "no kms:Decrypt dry run on the Deleted key: the change proceeds, "
                 "as the reference says",
                 "refuse": "KmsKeyDisabledException, as for a disabled key: the dataset can "
                 "never leave the Deleted key (neither replace nor disassociate)"},
    ),
    Assumption(
        id="A-DIS-DENIED",
        statement="Profile seed: the error of Disassociate when the caller lacks kms:Decrypt on "
        "the current key (seed 001 names none)",
        default="kms-access-denied",
        alternatives=("access-denied",),
        meaning={"kms-access-denied": "KmsAccessDeniedException, as AssociateDatasetKmsKey",
                 "access-denied": "AccessDeniedException, as the newer reference says"},
    ),
    Assumption(
        id="A-DS-RELEASE",
        statement="What a point written under the previous key still needs once a "
        "disassociation has taken effect (seed 001: the callers' kms:Decrypt requirement is "
        "lifted; the reference: re-enabling a disabled key 'allows Amazon CloudWatch to resume "
        "decrypting your existing metric data', so such data still depends on the key)",
        default="caller-lifted",
        alternatives=("lifted", "kept"),
        meaning={"caller-lifted": "the caller's kms:Decrypt is no longer needed (R-DS-23). A "
                 "point whose key CloudWatch could use when the change took effect (Enabled, "
                 "key policy allowing cloudwatch.amazonaws.com kms:Decrypt) is free of the key; "
                 "one whose key CloudWatch could not use then (disabled, pending deletion, "
                 "deleted, policy) still needs it usable by CloudWatch: unreadable while it is "
                 "not, readable again once it is (a Deleted key: never). When the window model "
                 "leaves the moment open, every possible moment counts: 'maybe' when they "
                 "disagree",
                 "lifted": "the point no longer depends on the key at all, unless the key was "
                 "Deleted when the change took effect (then it is lost, forever)",
                 "kept": "the point keeps needing the key (usable by CloudWatch and the "
                 "caller's kms:Decrypt) forever; only data written after the change is free of "
                 "it"},
    ),
    Assumption(
        id="A-DS-WINDOW-READERS",
        statement="Which reads the 3-hour kms:Decrypt requirement on the previous key applies "
        "to (seed 001: 'data plane operations')",
        default="all",
        alternatives=("under-key",),
        meaning={"all": "every point of the dataset, whatever key it is under",
                 "under-key": "only points that may be under the previous key"},
    ),
    Assumption(
        id="A-GETMETRIC-UNREADABLE",
        statement="How GetMetricData answers when some points cannot be decrypted by the "
        "caller (a 'maybe' point counts as unreadable: the API must decide)",
        default="withhold",
        alternatives=("fail",),
        meaning={"withhold": "the points are left out; the query's StatusCode is Forbidden and "
                 "its Messages hold one {Code: Forbidden, Value} per write naming the rules",
                 "fail": "the whole call fails with AccessDeniedException naming the first "
                 "unreadable write and its rules"},
    ),
    Assumption(
        id="A-DS-PUT-UNUSABLE",
        statement="PutMetricData while the dataset's associated key is not usable by "
        "cloudwatch.amazonaws.com (not Enabled, or its policy no longer allows it)",
        default="accept",
        alternatives=("reject",),
        meaning={"accept": "stored under that key; readable once the key is usable (R-DS-28)",
                 "reject": "KmsKeyDisabledException (400); nothing is stored"},
    ),
)

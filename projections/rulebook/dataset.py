"""CloudWatch dataset rules (SPEC 3.3; seeds 000 and 001, the reference's CloudWatch section).

Each behavioural sentence of seed 000 (AssociateDatasetKmsKey) and seed 001
(DisassociateDatasetKmsKey) is one rule quoting it; the newer reference text adds the
``api-2026`` rules; the data plane (PutMetricData, GetMetricData) follows SPEC 3.3 and 7.
Where the sources leave a gap the rule names its assumption.
"""

from projections.rulebook.registry import (
    BOTOCORE_MODELS,
    REFERENCE,
    SEED_000,
    SEED_001,
    SPEC,
    Assumption,
    Rule,
    declare,
    declare_assumptions,
)

declare(
    # -- seed 000: AssociateDatasetKmsKey ------------------------------------------------
    Rule("R-DS-01", "AssociateDatasetKmsKey takes effect at once (window 0): data published "
         "from then on is under the new key; earlier data keeps its key", SEED_000,
         quote="After this operation completes, all data published to the dataset is encrypted "
         "at rest using the specified KMS key."),
    Rule("R-DS-02", "Reading a data point needs the caller's kms:Decrypt on the key it was "
         "written under", SEED_000,
         quote="Callers must have kms:Decrypt permission on the key to read the encrypted data."),
    Rule("R-DS-03", "Every account has one implicit dataset per region, 'default'; "
         "DatasetIdentifier is 'default' or its full ARN", SEED_000,
         quote="The default dataset is implicit for every account in every Region — you do not "
         "need to create it before calling this operation."),
    Rule("R-DS-04", "AssociateDatasetKmsKey on an associated dataset replaces its key",
         SEED_000, quote="You can call AssociateDatasetKmsKey on a dataset that is already "
         "associated with a KMS key to replace the existing key with a different one."),
    Rule("R-DS-05", "A replace needs the caller's kms:Decrypt on the current key, checked "
         "first, then on the new key: KmsAccessDeniedException", SEED_000,
         quote="To replace a key, the caller must have kms:Decrypt permission on both the "
         "current key and the new key."),
    Rule("R-DS-06", "The key must be SYMMETRIC_DEFAULT with usage ENCRYPT_DECRYPT; otherwise "
         "ValidationException (A-SYMMETRIC)", SEED_000,
         quote="Asymmetric keys, HMAC keys, and key material types other thanSYMMETRIC_DEFAULTare "
         "not supported.", assumption="A-SYMMETRIC"),
    Rule("R-DS-07", "A key that is Disabled, PendingDeletion, PendingImport or Unavailable "
         "cannot be associated: KmsKeyDisabledException", SEED_000,
         quote="It must be enabled and not pending deletion."),
    Rule("R-DS-08", "The key policy must let cloudwatch.amazonaws.com kms:DescribeKey, "
         "GenerateDataKey, Encrypt, Decrypt, ReEncrypt*, checked in that order; the first "
         "denied is named: KmsAccessDeniedException", SEED_000,
         quote="Service-principal checks run first to verify that the key policy grants the "
         "required access to Amazon CloudWatch."),
    Rule("R-DS-09", "Then the caller's kms:Decrypt dry run on the new key: "
         "KmsAccessDeniedException", SEED_000,
         quote="After those succeed, a kms:Decrypt dry-run is run with the caller's credentials "
         "to verify that the calling principal can use the key."),
    Rule("R-DS-10", "KmsKeyArn must be a full key ARN (key ids, alias names and alias ARNs fail "
         "its pattern): ValidationException", SEED_000,
         quote="It must be specified as a fully qualified key ARN. Key IDs, aliases, and alias "
         "ARNs are not accepted."),
    Rule("R-DS-11", "Parameters outside their documented length or pattern (the whole value "
         "must match) fail first: ValidationException (400)", SEED_000,
         quote="Length Constraints: Minimum length of 1. Maximum length of 2048."),
    Rule("R-DS-12", "A key that does not exist, is Deleted, or is in another region: "
         "KmsKeyNotFoundException", SEED_000,
         quote="Verify that the key Amazon Resource Name (ARN) is correct, that the key exists, "
         "and that it is in the same AWS Region as the resource."),
    Rule("R-DS-13", "A failed association call changes nothing: the existing association stays",
         SEED_000, quote="If any of these checks fails, the operation fails and the existing key "
         "association (if any) remains unchanged."),
    Rule("R-DS-14", "A second association change to the same dataset at the same simulated "
         "instant: ConflictException (409) (A-CONFLICT)", SEED_000,
         quote="This operation attempted to create a resource that already exists.",
         assumption="A-CONFLICT"),
    Rule("R-DS-15", "A DatasetIdentifier ARN naming another account or region: "
         "ResourceNotFoundException (404)", SEED_000,
         quote="The named resource does not exist."),
    # -- seed 001: DisassociateDatasetKmsKey ---------------------------------------------
    Rule("R-DS-16", "After DisassociateDatasetKmsKey the dataset has no customer key: new data "
         "is under the AWS owned key (once the change takes effect, R-DS-20)", SEED_001,
         quote="After this operation completes, data that you publish to the dataset is "
         "encrypted at rest using an Amazon Web Services owned key managed by Amazon "
         "CloudWatch."),
    Rule("R-DS-17", "Disassociating a dataset with no customer key: ResourceNotFoundException "
         "(404)", SEED_001, quote="If the dataset has no associated KMS key, the operation "
         "fails with ResourceNotFoundException."),
    Rule("R-DS-18", "Profile seed: disassociating needs the caller's kms:Decrypt on the current "
         "key: KmsAccessDeniedException (A-DIS-DENIED)", SEED_001,
         quote="The caller must have kms:Decrypt permission on the currently associated key, "
         "and the key must be enabled and accessible.", profiles=("seed",),
         assumption="A-DIS-DENIED"),
    Rule("R-DS-19", "Profile seed: disassociating or replacing while the current key is not "
         "Enabled: KmsKeyDisabledException (A-DIS-DISABLED)", SEED_001,
         quote="If the key has been disabled or scheduled for deletion, you must first "
         "re-enable or restore it before you can disassociate it from the dataset.",
         profiles=("seed",), assumption="A-DIS-DISABLED"),
    Rule("R-DS-20", "Disassociation opens a 3-hour window (state disassociating); when in it "
         "the change takes effect is the window model's (A-PROPAGATION)", SEED_001,
         quote="Disassociating a KMS key from a dataset does not immediately remove the "
         "kms:Decrypt requirement on data plane operations.", assumption="A-PROPAGATION"),
    Rule("R-DS-21", "Until the disassociation takes effect, readers need kms:Decrypt on the "
         "previous key (which reads: A-DS-WINDOW-READERS)", SEED_001,
         quote="For up to three hours after disassociation, callers must continue to have "
         "kms:Decrypt permission on the previously associated key.",
         assumption="A-DS-WINDOW-READERS"),
    Rule("R-DS-22", "Data published in the window may still be under the previous key "
         "(under 'uncertain' it may be under either)", SEED_001,
         quote="Some data may still be encrypted with that key during this window."),
    Rule("R-DS-23", "Once the disassociation takes effect the requirement is lifted; whether "
         "data written under the previous key still needs it is A-DS-RELEASE", SEED_001,
         quote="After this enforcement window elapses, the kms:Decrypt requirement is lifted.",
         assumption="A-DS-RELEASE"),
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
    Rule("R-DS-28", "Data under a Disabled key is unreadable but not lost: re-enabling the key "
         "makes it readable again", REFERENCE,
         quote="If the key was only disabled, consider re-enabling it instead of "
         "disassociating, because re-enabling allows Amazon CloudWatch to resume decrypting "
         "your existing metric data."),
    # -- data plane (SPEC 3.3, 7) --------------------------------------------------------
    Rule("R-DS-30", "PutMetricData writes one data item under the key(s) the dataset may use "
         "at that moment; the caller needs no KMS permission to write", SPEC,
         quote="data published from now on uses the new key"),
    Rule("R-DS-31", "PutMetricData/GetMetricData parameters outside the model: "
         "MissingRequiredParameterException or InvalidParameterValueException (400)", SPEC,
         quote="malformed requests get 4xx errors, never 5xx"),
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
)

declare_assumptions(
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
        id="A-CONFLICT",
        statement="A second AssociateDatasetKmsKey/DisassociateDatasetKmsKey on the same dataset "
        "at the same simulated instant (checked right after the dataset is resolved)",
        default="reject",
        alternatives=("idempotent",),
        meaning={"reject": "ConflictException (409), whatever the change",
                 "idempotent": "a change whose result equals the dataset's current key (the "
                 "same KmsKeyArn again, or a second Disassociate) succeeds and changes nothing "
                 "(a Disassociate repeat skips the key checks, an Associate repeat runs them); "
                 "any other change is ConflictException (409)"},
    ),
    Assumption(
        id="A-DIS-DISABLED",
        statement="Profile seed: Disassociate (and the current-key check of a replace) when "
        "the current key is not Enabled (seed 001 says it must be enabled; no error named)",
        default="refuse",
        alternatives=("proceed",),
        meaning={"refuse": "KmsKeyDisabledException naming the key's state",
                 "proceed": "as api-2026: no kms:Decrypt dry run on it, the change proceeds"},
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
        statement="After a disassociation takes effect, whether points written under the "
        "previous key still need it (seed 001: the requirement is lifted; the reference: "
        "re-enabling lets CloudWatch resume decrypting existing metric data)",
        default="lifted",
        alternatives=("kept",),
        meaning={"lifted": "they no longer depend on it (readable without it, even if it is "
                 "Disabled) unless it was Deleted before the window ended",
                 "kept": "they keep needing it (Enabled, policy, caller kms:Decrypt) forever; "
                 "only data written after the change is free of it"},
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

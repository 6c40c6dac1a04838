"""Multi-Region KMS keys (issue 13): primary and replica keys, the primary Region, deleting a
primary that has replicas, and ciphertext decrypted in another Region.

Every statement rests on botocore's kms model documentation; what it leaves open (how long
Creating and Updating last, the error of a replica in the primary's own Region) is a rule
citing its assumption.
"""

from projections.rulebook.registry import (
    BOTOCORE_MODELS,
    Assumption,
    Rule,
    declare,
    declare_assumptions,
)

declare(
    Rule("R-KMS-MRK-01", "CreateKey with MultiRegion true creates a multi-Region primary key, "
         "whose key id is mrk- followed by 32 hexadecimal digits", BOTOCORE_MODELS,
         quote="Specify the key ID or key ARN of a multi-Region primary key. For example: Key "
         "ID: mrk-1234abcd12ab34cd56ef1234567890ab"),
    Rule("R-KMS-MRK-02", "KeyMetadata of a multi-Region key (primary or replica) says "
         "MultiRegion true and has a MultiRegionConfiguration: MultiRegionKeyType PRIMARY or "
         "REPLICA, PrimaryKey {Arn, Region} and ReplicaKeys [{Arn, Region}]", BOTOCORE_MODELS,
         quote="Lists the primary and replica keys in same multi-Region key. This field is "
         "present only when the value of the MultiRegion field is True."),
    Rule("R-KMS-MRK-03", "Related multi-Region keys share the key id, key material, key spec, "
         "key usage and origin; the key policy, description, tags, aliases and key state are "
         "each key's own", BOTOCORE_MODELS,
         quote="They have the same key ID and key material. They also have the same key spec, "
         "key usage, key material origin, and automatic key rotation status."),
    Rule("R-KMS-MRK-04", "ReplicateKey creates a replica of a multi-Region primary key in "
         "ReplicaRegion (same account, another Region), with its own Policy (default: the "
         "default key policy), Description and Tags; a Region that already has a replica of "
         "the key is refused with AlreadyExistsException", BOTOCORE_MODELS,
         quote="If the Region already includes a replica of the key you're trying to "
         "replicate, ReplicateKey returns an AlreadyExistsException error."),
    Rule("R-KMS-MRK-05", "A new replica is Creating and becomes Enabled (PendingImport without "
         "key material) after a few seconds; how long Creating lasts is A-MRK-TRANSIENT's",
         BOTOCORE_MODELS, assumption="A-MRK-TRANSIENT",
         quote="When this operation completes, the new replica key has a transient key state "
         "of Creating. This key state changes to Enabled (or PendingImport) after a few seconds "
         "when the process of creating the new replica key is complete."),
    Rule("R-KMS-MRK-06", "UpdatePrimaryRegion makes the replica in PrimaryRegion the primary "
         "key and the former primary a replica; every related key's MultiRegionConfiguration "
         "shows the change", BOTOCORE_MODELS,
         quote="This operation changes the replica key in the specified Region to a primary "
         "key and changes the former primary key to a replica key."),
    Rule("R-KMS-MRK-07", "During UpdatePrimaryRegion the old and new primary keys are Updating, "
         "then return to their original state; how long Updating lasts is A-MRK-TRANSIENT's",
         BOTOCORE_MODELS, assumption="A-MRK-TRANSIENT",
         quote="The old and new primary keys have a transient key state of Updating. The "
         "original key state is restored when the update is complete."),
    Rule("R-KMS-MRK-08", "ScheduleKeyDeletion of a primary key with replicas makes it "
         "PendingReplicaDeletion, with no DeletionDate; its PendingWindowInDays is kept and "
         "shown as PendingDeletionWindowInDays", BOTOCORE_MODELS,
         quote="If you schedule the deletion of a primary key with replicas, its key state "
         "changes to PendingReplicaDeletion and it cannot be replicated or used in "
         "cryptographic operations."),
    Rule("R-KMS-MRK-09", "When the last replica of a PendingReplicaDeletion primary is deleted "
         "(not just scheduled), the primary becomes PendingDeletion and its waiting period "
         "begins", BOTOCORE_MODELS,
         quote="When the last of its replicas keys is deleted (not just scheduled), the key "
         "state of the primary key changes to PendingDeletion and its waiting period "
         "(PendingWindowInDays) begins."),
    Rule("R-KMS-MRK-10", "CancelKeyDeletion of a PendingReplicaDeletion primary leaves it "
         "Disabled (PendingImport without key material, as R-KMS-50)", BOTOCORE_MODELS,
         quote="Cancels the deletion of a KMS key. When this operation succeeds, the key state "
         "of the KMS key is Disabled."),
    Rule("R-KMS-MRK-11", "A ciphertext made under one key of a multi-Region set is decrypted "
         "(and re-encrypted) in another Region by the related key of that Region",
         BOTOCORE_MODELS,
         quote="you can use them interchangeably to encrypt data in one Amazon Web Services "
         "Region and decrypt it in a different Amazon Web Services Region without re-encrypting "
         "the data or making a cross-Region call."),
    Rule("R-KMS-MRK-12", "ReplicateKey and UpdatePrimaryRegion on a key that is not a "
         "multi-Region primary key fail with UnsupportedOperationException", BOTOCORE_MODELS,
         quote="The request was rejected because a specified parameter is not supported or a "
         "specified resource is not valid for this operation."),
    Rule("R-KMS-MRK-13", "A ReplicaRegion that is the primary key's own Region is refused as "
         "A-MRK-SAME-REGION says", BOTOCORE_MODELS, assumption="A-MRK-SAME-REGION",
         quote="The replica must be in a different Amazon Web Services Region than its primary "
         "key and other replicas of that primary key"),
    Rule("R-KMS-MRK-14", "ReplicateKey needs kms:ReplicateKey on the primary key and kms:CreateKey "
         "in an IAM policy", BOTOCORE_MODELS,
         quote="kms:ReplicateKey on the primary key (in the primary key's Region). Include this "
         "permission in the primary key's key policy. kms:CreateKey in an IAM policy in the "
         "replica Region."),
    Rule("R-KMS-MRK-15", "UpdatePrimaryRegion needs kms:UpdatePrimaryRegion on the current "
         "primary key and on the replica that becomes primary", BOTOCORE_MODELS,
         quote="kms:UpdatePrimaryRegion on the current replica key (in the replica key's "
         "Region). Include this permission in the replica key's key policy."),
    Rule("R-KMS-MRK-16", "A replica of a primary key with imported key material is created with "
         "no key material (PendingImport)", BOTOCORE_MODELS,
         quote="If you replicate a multi-Region primary key with imported key material, the "
         "replica key is created with no key material."),
    Rule("R-KMS-MRK-17", "UpdatePrimaryRegion's PrimaryRegion must hold a replica of the key, "
         "else NotFoundException", BOTOCORE_MODELS,
         quote="There must be an existing replica key in this Region."),
    Rule("R-KMS-MRK-18", "Data encrypted under a deleted multi-Region key stays decryptable by "
         "its related keys that remain (R-KMS-MRK-11): deletion makes it unrecoverable only "
         "when no related key is left", BOTOCORE_MODELS,
         quote="The only exception is a multi-Region replica key, or an asymmetric or HMAC KMS "
         "key with imported key material."),
)

declare_assumptions(
    Assumption(
        id="A-MRK-TRANSIENT",
        statement="How long a new replica stays Creating (R-KMS-MRK-05) and the keys of an "
        "UpdatePrimaryRegion stay Updating (R-KMS-MRK-07): the documentation says 'a few "
        "seconds' and 'a few more seconds'",
        default="instant",
        alternatives=("fixed:",),
        meaning={"instant": "no transient state: the replica is Enabled (PendingImport) and the "
                 "primary changed as the call returns",
                 "fixed:DURATION": "Creating and Updating last DURATION (e.g. fixed:5s); a "
                 "Creating replica cannot be used in cryptographic operations meanwhile"},
    ),
    Assumption(
        id="A-MRK-SAME-REGION",
        statement="Which error ReplicateKey answers when ReplicaRegion is the primary key's own "
        "Region (the documentation forbids it, R-KMS-MRK-13, and names no error)",
        default="already-exists",
        alternatives=("validation",),
        meaning={"already-exists": "AlreadyExistsException, as for a Region that has a replica "
                 "(the Region already holds a key of the set, R-KMS-MRK-04)",
                 "validation": "ValidationException, as for a parameter constraint"},
    ),
)

"""KMS key state rules (issue 13): the key state table of the KMS Developer Guide, row group
by row group (projections/kms/key_states.py holds the table itself as data).

The cryptographic rows keep R-KMS-45..47 (issue 9). What the table does not say (its N/A
cells, operations added after its revision) is a rule citing its assumption.
"""

from projections.rulebook.registry import Assumption, Rule, declare, declare_assumptions

#: The table read (its last revision in the awsdocs repository, before it was archived).
KEY_STATE_TABLE = ("observed behaviour (documented): AWS KMS Developer Guide, 'Key states of "
                   "AWS KMS keys', key state table and Table Details "
                   "(https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html; "
                   "awsdocs/aws-kms-developer-guide doc_source/key-state.md at 3828191, "
                   "2022-12-05)")

declare(
    Rule("R-KMS-STATE-01", "An operation on an existing key succeeds, fails, or succeeds only "
         "under conditions according to the key's state, as the key state table's row for the "
         "operation says; a conditional cell ('?') is decided by the operation's own rules",
         KEY_STATE_TABLE,
         quote="As a result of its key state, an operation on a KMS key is expected to succeed "
         "(✓), fail (X), or succeed only under certain conditions (?)."),
    Rule("R-KMS-STATE-02", "CreateGrant, EnableKeyRotation, DisableKeyRotation, ReplicateKey "
         "and UpdatePrimaryRegion on a Disabled key fail with DisabledException '<key ARN> is "
         "disabled.'", KEY_STATE_TABLE, quote="[1] DisabledException: <key ARN> is disabled."),
    Rule("R-KMS-STATE-03", "CreateAlias, DisableKey, EnableKey, EnableKeyRotation, "
         "DisableKeyRotation, ScheduleKeyDeletion, TagResource, UntagResource and "
         "UpdateKeyDescription on a key pending deletion (or pending replica deletion) fail "
         "with KMSInvalidStateException '<key ARN> is pending deletion.'", KEY_STATE_TABLE,
         quote="[3] KMSInvalidStateException: <key ARN> is pending deletion (or pending replica "
         "deletion)."),
    Rule("R-KMS-STATE-04", "CancelKeyDeletion on a key that is not pending deletion fails with "
         "KMSInvalidStateException '<key ARN> is not pending deletion.'", KEY_STATE_TABLE,
         quote="[4] KMSInvalidStateException: <key ARN> is not pending deletion (or pending "
         "replica deletion)."),
    Rule("R-KMS-STATE-05", "CreateGrant, DisableKey, EnableKey, ReplicateKey and "
         "UpdatePrimaryRegion on a PendingImport key fail with KMSInvalidStateException '<key "
         "ARN> is pending import.'", KEY_STATE_TABLE,
         quote="[5] KMSInvalidStateException: <key ARN> is pending import."),
    Rule("R-KMS-STATE-06", "EnableKeyRotation, DisableKeyRotation and GetKeyRotationStatus on a "
         "PendingImport key fail with UnsupportedOperationException '<key ARN> origin is "
         "EXTERNAL which is not valid for this operation.'", KEY_STATE_TABLE,
         quote="[6] UnsupportedOperationException: <key ARN> origin is EXTERNAL which is not "
         "valid for this operation."),
    Rule("R-KMS-STATE-07", "The rotation operations on a key in a custom key store (an "
         "Unavailable key) fail with UnsupportedOperationException, as they do for a key with "
         "imported key material", KEY_STATE_TABLE,
         quote="[7] If the KMS key has imported key material or is in a custom key store: "
         "UnsupportedOperationException."),
    Rule("R-KMS-STATE-08", "GetParametersForImport and ImportKeyMaterial on a key pending "
         "deletion fail with KMSInvalidStateException if the key has imported key material "
         "and UnsupportedOperationException if it cannot; on an Unavailable key with "
         "UnsupportedOperationException", KEY_STATE_TABLE,
         quote="[8] If the KMS key has imported key material: KMSInvalidStateException"),
    Rule("R-KMS-STATE-09", "UpdateAlias fails with KMSInvalidStateException '<key ARN> is "
         "pending deletion.' when the destination key is pending deletion, and succeeds when "
         "only the source key is", KEY_STATE_TABLE,
         quote="[10] If the source KMS key is pending deletion, the command succeeds. If the "
         "destination KMS key is pending deletion, the command fails with error: "
         "KMSInvalidStateException : <key ARN> is pending deletion."),
    Rule("R-KMS-STATE-10", "EnableKey and DisableKey on an Unavailable key succeed, but the key "
         "state does not change until the key becomes available", KEY_STATE_TABLE,
         quote="[12] The operation succeeds, but the key state of the KMS key does not change "
         "until it becomes available."),
    Rule("R-KMS-STATE-11", "An operation the table refuses while a multi-Region replica is "
         "being created fails with KMSInvalidStateException '<key ARN> is creating.'",
         KEY_STATE_TABLE, quote="[14] KMSInvalidStateException: <key ARN> is creating."),
    Rule("R-KMS-STATE-12", "An operation the table refuses while the primary Region of a "
         "multi-Region key is being updated fails with KMSInvalidStateException '<key ARN> "
         "is updating.'", KEY_STATE_TABLE,
         quote="[15] KMSInvalidStateException: <key ARN> is updating."),
    Rule("R-KMS-STATE-13", "A cell the key state table marks N/A (a state that key cannot "
         "be in, such as an Unavailable key with imported material) gets the refusal of its "
         "column (KMSInvalidStateException '<key ARN> is pending import.' or '... is "
         "unavailable.'), or is allowed, as A-STATE-NOT-APPLICABLE says",
         "assumption A-STATE-NOT-APPLICABLE", assumption="A-STATE-NOT-APPLICABLE"),
    Rule("R-KMS-STATE-14", "CreateGrant, ReplicateKey and UpdatePrimaryRegion on a key pending "
         "deletion get the code A-PENDING-DELETION-CRYPTO chooses among the table's two "
         "('[2] or [3]'), as the cryptographic operations do (R-KMS-47)",
         "assumption A-PENDING-DELETION-CRYPTO", assumption="A-PENDING-DELETION-CRYPTO"),
    Rule("R-KMS-STATE-15", "An operation that takes a key and that the table's revision does "
         "not list (DeriveSharedSecret, Encapsulate, Decapsulate, RotateKeyOnDemand, "
         "ListKeyRotations, GetKeyLastUsage) follows the row of the listed operation it "
         "resembles, or is allowed in every state, as A-STATE-UNLISTED says",
         "assumption A-STATE-UNLISTED", assumption="A-STATE-UNLISTED"),
)

declare_assumptions(
    Assumption(
        id="A-STATE-NOT-APPLICABLE",
        statement="What kmsim answers for a cell of KMS's key state table marked N/A (the "
        "table says the key cannot be in that state; kmsim's keys sometimes can, e.g. a "
        "sim:SetKeyUnavailable key)",
        default="column",
        alternatives=("allow",),
        meaning={"column": "the refusal of the cell's column: KMSInvalidStateException '<key "
                 "ARN> is pending import.' or '<key ARN> is unavailable.'",
                 "allow": "the state does not stop the operation"},
    ),
    Assumption(
        id="A-STATE-UNLISTED",
        statement="Which key state rules an operation follows that the key state table's "
        "revision does not list (DeriveSharedSecret: Sign's row; Encapsulate: GetPublicKey's; "
        "Decapsulate: Sign's; RotateKeyOnDemand: EnableKeyRotation's; ListKeyRotations: "
        "GetKeyRotationStatus's; GetKeyLastUsage: DescribeKey's)",
        default="nearest",
        alternatives=("allow",),
        meaning={"nearest": "the row of the listed operation it resembles",
                 "allow": "allowed in every state (only a Deleted or unknown key is refused)"},
    ),
)

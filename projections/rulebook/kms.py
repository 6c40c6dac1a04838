"""KMS key rules (SPEC 3.1): lifecycle, key identifiers, cryptographic use, aliases."""

from projections.rulebook.registry import (
    BOTOCORE_MODELS,
    REFERENCE,
    SPEC,
    Assumption,
    Rule,
    declare,
    declare_assumptions,
)

declare(
    Rule("R-KMS-01", "CreateKey with Origin AWS_KMS makes an Enabled key", SPEC,
         quote="(new) | CreateKey, Origin AWS_KMS | Enabled"),
    Rule("R-KMS-02", "CreateKey with Origin EXTERNAL makes a PendingImport key (no material yet)",
         SPEC, quote="(new) | CreateKey, Origin EXTERNAL | PendingImport"),
    Rule("R-KMS-03",
         "ImportKeyMaterial moves PendingImport to Enabled; ValidTo with "
         "ExpirationModel KEY_MATERIAL_EXPIRES sets an expiry timer", SPEC,
         quote="PendingImport | ImportKeyMaterial | Enabled | ValidTo sets an expiry timer "
         "back to PendingImport"),
    Rule("R-KMS-04",
         "Only Enabled keys perform cryptographic operations: a Disabled key answers "
         "DisabledException, other states KMSInvalidStateException", SPEC,
         quote="Only Enabled keys perform cryptographic operations"),
    Rule("R-KMS-05", "DisableKey moves Enabled to Disabled; on a Disabled key it succeeds and "
         "changes nothing", REFERENCE,
         quote="Sets the state of a KMS key to disabled. This change temporarily prevents use "
         "of the KMS key for cryptographic operations"),
    Rule("R-KMS-06", "EnableKey moves Disabled to Enabled; on an Enabled key it succeeds and "
         "changes nothing", REFERENCE,
         quote="Sets the key state of a KMS key to enabled. This allows you to use the KMS key "
         "for cryptographic operations"),
    Rule("R-KMS-07",
         "ScheduleKeyDeletion moves Enabled, Disabled, PendingImport or Unavailable to "
         "PendingDeletion with DeletionDate = now + PendingWindowInDays (default 30)",
         REFERENCE,
         quote="By default, KMS applies a waiting period of 30 days, but you can specify a "
         "waiting period of 7-30 days. When this operation is successful, the key state of the "
         "KMS key changes to PendingDeletion"),
    Rule("R-KMS-08", "PendingWindowInDays outside 7..30 fails with ValidationException",
         REFERENCE, quote="you can specify a waiting period of 7-30 days"),
    Rule("R-KMS-09",
         "CancelKeyDeletion moves PendingDeletion to Disabled (PendingImport for an EXTERNAL "
         "key without material)", REFERENCE,
         quote="When this operation succeeds, the key state of the KMS key is Disabled"),
    Rule("R-KMS-10",
         "At DeletionDate a PendingDeletion key becomes Deleted: the key and its aliases are "
         "gone and data encrypted under it is unrecoverable, forever", REFERENCE,
         quote="When a KMS key is deleted, all data that was encrypted under the KMS key is "
         "unrecoverable"),
    Rule("R-KMS-11",
         "sim:SetKeyUnavailable moves Enabled or Disabled to Unavailable (a disconnected "
         "custom key store); sim:SetKeyAvailable returns it to its prior state", SPEC,
         quote="models a disconnected custom key store; `sim:SetKeyAvailable` returns to the "
         "prior state"),
    Rule("R-KMS-12", "A call not allowed in the key's current state fails with "
         "KMSInvalidStateException", SPEC,
         quote="A call not allowed in the current state fails with `KMSInvalidStateException`"),
    Rule("R-KMS-13", "A call on a Deleted or unknown key fails with NotFoundException", SPEC,
         quote="a call on a Deleted or unknown key fails with `NotFoundException`"),
    Rule("R-KMS-14", "Imported key material expires at ValidTo: the key returns to "
         "PendingImport", SPEC, quote="ValidTo sets an expiry timer back to PendingImport"),
    Rule("R-KMS-15", "DeleteImportedKeyMaterial moves an EXTERNAL key to PendingImport; other "
         "origins answer UnsupportedOperationException", SPEC,
         quote="Origin (`AWS_KMS`, `EXTERNAL`)"),
    Rule("R-KMS-16", "KeyId accepts a key id, key ARN, alias name or alias ARN; an alias or key "
         "in another region or account does not resolve", SPEC,
         quote="Identifiers follow AWS exactly: 12-digit account ids, regions like "
         "`us-east-1`, key ARNs `arn:aws:kms:REGION:ACCOUNT:key/UUID`, alias names `alias/NAME`"),
    Rule("R-KMS-17", "A parameter outside its documented length, pattern or enumeration fails "
         "with ValidationException", REFERENCE,
         quote="input KeyId: string {'min': 1, 'max': 2048} REQUIRED"),
    Rule("R-KMS-18", "Alias names are alias/NAME, unique per account and region, and may not "
         "start with alias/aws/", SPEC, quote="alias names `alias/NAME`"),
    Rule("R-KMS-19", "A key operation needs the caller to be allowed its kms: action by the key "
         "policy (and identity policy where it delegates); otherwise AccessDeniedException",
         SPEC, quote="Evaluate like IAM"),
    Rule("R-KMS-20", "CreateKey and ListKeys/ListAliases need the action allowed by an identity "
         "policy of the caller (or the caller is the account root)", SPEC,
         quote="an identity policy of the principal allows it"),
    Rule("R-KMS-21", "Symmetric ENCRYPT_DECRYPT keys encrypt and decrypt; a key whose usage does "
         "not support the operation answers InvalidKeyUsageException", SPEC,
         quote="KeySpec (`SYMMETRIC_DEFAULT`, `RSA_2048`, `ECC_NIST_P256`, `HMAC_256`, ...), "
         "KeyUsage"),
    Rule("R-KMS-22", "A key policy that would lock the caller out of PutKeyPolicy is refused "
         "with MalformedPolicyDocumentException unless BypassPolicyLockoutSafetyCheck",
         "assumption A-POLICY-LOCKOUT", assumption="A-POLICY-LOCKOUT"),
    Rule("R-KMS-23", "A policy that is not valid JSON or not a policy document fails with "
         "MalformedPolicyDocumentException", SPEC,
         quote="key policy (a real IAM policy JSON document)"),
    Rule("R-KMS-24", "ListKeys and ListAliases return at most Limit items (default 100 and 50); "
         "when more remain, Truncated is true and NextMarker, passed as Marker, continues after "
         "the last item returned", BOTOCORE_MODELS,
         quote="When Truncated is true, this element is present and contains the value to use "
         "for the Marker parameter in a subsequent request."),
    Rule("R-KMS-25", "A Marker that this list operation did not issue fails with "
         "InvalidMarkerException", BOTOCORE_MODELS,
         quote="The request was rejected because the marker that specifies where pagination "
         "should next begin is not valid."),
)

declare_assumptions(
    Assumption(
        id="A-POLICY-LOCKOUT",
        statement="Whether CreateKey/PutKeyPolicy refuse a policy that does not let the caller "
        "manage the key afterwards (KMS's policy lockout safety check, not in the sources)",
        default="check",
        alternatives=("off",),
        meaning={"check": "refuse it unless BypassPolicyLockoutSafetyCheck is true",
                 "off": "accept any well-formed policy"},
    ),
)

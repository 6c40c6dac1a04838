"""KMS key rules (SPEC 3.1): lifecycle, key identifiers, cryptographic use, aliases.

Each statement says only what its source says: SPEC 3.1's table, the reference's KMS
section, botocore's kms docs, KMS's key state table, or an observed answer. What kmsim
chooses where they are silent is a rule citing its assumption (A-PENDING-DELETION-CRYPTO,
A-RESERVED-ALIAS, A-POLICY-LOCKOUT's off).
"""

from projections.rulebook.registry import (
    BOTOCORE_MODELS,
    REFERENCE,
    SEED_000,
    SPEC,
    Assumption,
    Rule,
    declare,
    declare_assumptions,
)

OBSERVED_PAIRS = ("observed behaviour: floci-io/floci#3004 (CreateKey's KeyUsage/KeySpec "
                  "matrix, ValidationException as real KMS answers), floci-io/floci#544")
OBSERVED_SM2 = ("observed behaviour: floci-io/floci#3026 (real KMS in us-east-1 refuses "
                "KeySpec SM2)")
OBSERVED_KEY_SPECS = ("observed behaviour: AWS KMS Developer Guide, key spec reference "
                      "(https://docs.aws.amazon.com/kms/latest/developerguide/"
                      "symm-asymm-choose-key-spec.html), botocore's kms examples-1.json "
                      "(CreateKey, DescribeKey), floci-io/floci#3025 (ML-DSA), "
                      "floci-io/floci#2924 (Ed25519); presence: botocore's KeyMetadata docs")
OBSERVED_DEFAULT_POLICY = ("observed behaviour: botocore's kms examples-1.json (GetKeyPolicy "
                           "of a key with the default policy) and "
                           "https://docs.aws.amazon.com/kms/latest/developerguide/"
                           "ct-put-key-policy.html; "
                           "https://docs.aws.amazon.com/kms/latest/developerguide/"
                           "key-policy-default.html")

OBSERVED_KEY_STATES = ("observed behaviour (documented): AWS KMS Developer Guide, 'Key states of "
                       "AWS KMS keys' (https://docs.aws.amazon.com/kms/latest/developerguide/"
                       "key-state.html; awsdocs/aws-kms-developer-guide doc_source/key-state.md), "
                       "its key state table and Table Details")
OBSERVED_WINDOW = ("observed behaviour: 'ValidationException: PendingWindowInDays must be between "
                   "7 and 30' for PendingWindowInDays 1 (Skyscanner/kms-issuer#8); the model's "
                   "range is 1-365 'but KMS code separately enforces a limit of 7-30' "
                   "(awsdocs/aws-cloudformation-user-guide#326)")
OBSERVED_VALIDATION = ("observed behaviour: 'KMS.ValidationException: 1 validation error detected: "
                       "Value '' at 'keyId' failed to satisfy constraint: Member must have length "
                       "greater than or equal to 1' (stelligent/mu#382); KMS's ValidationException "
                       "for PendingWindowInDays and alias names (Skyscanner/kms-issuer#8, "
                       "aws-controllers-k8s/community#1878, "
                       "hashicorp/terraform-provider-aws#12891)")
OBSERVED_DENIED = ("observed behaviour: 'AccessDeniedException: User: arn:aws:iam::ACCOUNT:user/"
                   "EC2Cryptomatic is not authorized to perform: kms:DescribeKey on resource: "
                   "arn:aws:kms:REGION:ACCOUNT:key/ID because no resource-based policy allows the "
                   "kms:DescribeKey action' (jbrt/ec2cryptomatic#26; rebuy-de/aws-nuke#247), '... "
                   "because no identity-based policy allows the kms:CreateAlias action' "
                   "(aws-samples/eks-workshop-v2#1177); the permission each operation needs: "
                   "botocore's kms docs ('Required permissions: kms:DisableKey (key policy)')")
OBSERVED_LOCKOUT = ("observed behaviour: 'MalformedPolicyDocumentException: The new key "
                    "policy will not allow you to update the key policy in the future.' from "
                    "CreateKey (trussworks/terraform-aws-cloudtrail#178, terraform-aws-modules/"
                    "terraform-aws-kms#14) and PutKeyPolicy (data-dot-all/dataall#956); the "
                    "criterion and BypassPolicyLockoutSafetyCheck: botocore's CreateKey and "
                    "PutKeyPolicy Policy docs ('The key policy must allow the calling principal to "
                    "make a subsequent PutKeyPolicy request on the KMS key.')")

declare(
    Rule("R-KMS-01", "CreateKey with Origin AWS_KMS makes an Enabled key", SPEC,
         quote="(new) | CreateKey, Origin AWS_KMS | Enabled"),
    Rule("R-KMS-02", "CreateKey with Origin EXTERNAL makes a PendingImport key", SPEC,
         quote="(new) | CreateKey, Origin EXTERNAL | PendingImport"),
    Rule("R-KMS-03",
         "ImportKeyMaterial moves a PendingImport key to Enabled; ValidTo sets an expiry timer "
         "back to PendingImport", SPEC,
         quote="PendingImport | ImportKeyMaterial | Enabled | ValidTo sets an expiry timer "
         "back to PendingImport"),
    Rule("R-KMS-04", "Only Enabled keys perform cryptographic operations", SPEC,
         quote="Only Enabled keys perform cryptographic operations"),
    Rule("R-KMS-05", "DisableKey moves an Enabled key to Disabled; on a Disabled key it succeeds "
         "and changes nothing", SPEC,
         quote="Enabled | DisableKey | Disabled | DisableKey on Disabled succeeds and changes "
         "nothing"),
    Rule("R-KMS-06", "EnableKey moves a Disabled key to Enabled; on an Enabled key it succeeds "
         "and changes nothing", SPEC,
         quote="Disabled | EnableKey | Enabled | EnableKey on Enabled succeeds and changes "
         "nothing"),
    Rule("R-KMS-07",
         "ScheduleKeyDeletion changes the key state to PendingDeletion, where it stays for the "
         "waiting period: 30 days by default, 7 to 30 days when given", REFERENCE,
         quote="By default, KMS applies a waiting period of 30 days, but you can specify a "
         "waiting period of 7-30 days. When this operation is successful, the key state of the "
         "KMS key changes to PendingDeletion and the key can't be used in any cryptographic "
         "operations. It remains in this state for the duration of the waiting period."),
    Rule("R-KMS-08", "A PendingWindowInDays outside 7..30 (the model allows 1 to 365) fails with "
         "ValidationException 'PendingWindowInDays must be between 7 and 30'", OBSERVED_WINDOW,
         quote="ValidationException: PendingWindowInDays must be between 7 and 30"),
    Rule("R-KMS-09", "CancelKeyDeletion moves a PendingDeletion key to Disabled", REFERENCE,
         quote="When this operation succeeds, the key state of the KMS key is Disabled"),
    Rule("R-KMS-10",
         "At the end of the waiting period a PendingDeletion key becomes Deleted: KMS deletes "
         "the key, its key material and the aliases that refer to it, and data encrypted under "
         "it is unrecoverable", REFERENCE,
         quote="After the waiting period ends, KMS deletes the KMS key, its key material, and "
         "all KMS data associated with it, including all aliases that refer to it. Deleting a "
         "KMS key is a destructive and potentially dangerous operation. When a KMS key is "
         "deleted, all data that was encrypted under the KMS key is unrecoverable."),
    Rule("R-KMS-11",
         "sim:SetKeyUnavailable moves an Enabled or Disabled key to Unavailable (a disconnected "
         "custom key store); sim:SetKeyAvailable returns it to its prior state", SPEC,
         quote="Enabled, Disabled | `sim:SetKeyUnavailable` (args `{ KeyId }`) | Unavailable | "
         "models a disconnected custom key store; `sim:SetKeyAvailable` returns to the prior "
         "state"),
    Rule("R-KMS-12", "A call not allowed in the key's current state fails with "
         "KMSInvalidStateException", SPEC,
         quote="A call not allowed in the current state fails with `KMSInvalidStateException`"),
    Rule("R-KMS-13", "A call on a Deleted or unknown key fails with NotFoundException", SPEC,
         quote="a call on a Deleted or unknown key fails with `NotFoundException`"),
    Rule("R-KMS-14", "Imported key material expires at ValidTo: the key returns to "
         "PendingImport", SPEC, quote="ValidTo sets an expiry timer back to PendingImport"),
    Rule("R-KMS-15", "DeleteImportedKeyMaterial changes the key's state to PendingImport; a "
         "PendingDeletion key keeps its state", BOTOCORE_MODELS,
         quote="When the specified KMS key is in the PendingDeletion state, this operation does "
         "not change the KMS key's state. Otherwise, it changes the KMS key's state to "
         "PendingImport."),
    Rule("R-KMS-16", "A KeyId that its operation documents so may name the key by key ID, key "
         "ARN, alias name (alias/NAME) or alias ARN", BOTOCORE_MODELS,
         quote="To specify a KMS key, use its key ID, key ARN, alias name, or alias ARN."),
    Rule("R-KMS-40", "An alias and the key it names are in the same account and Region: an "
         "alias resolves only in its own account and Region", BOTOCORE_MODELS,
         quote="The alias and the KMS key must be in the same Amazon Web Services account and "
         "Region."),
    Rule("R-KMS-41", "A key of another account must be named by its key ARN or alias ARN: a key "
         "ID or alias name names a key of the caller's own account", BOTOCORE_MODELS,
         quote="To specify a KMS key in a different Amazon Web Services account, you must use "
         "the key ARN or alias ARN."),
    Rule("R-KMS-17", "A request member outside its documented constraints (length, value range, "
         "pattern, enumeration, a required member left out) fails with ValidationException",
         OBSERVED_VALIDATION,
         quote="KMS.ValidationException: 1 validation error detected: Value '' at 'keyId' "
         "failed to satisfy constraint: Member must have length greater than or equal to 1"),
    Rule("R-KMS-18", "An alias name begins with alias/ and cannot begin with alias/aws/ "
         "(reserved for AWS managed keys); it is unique in the account and Region, so "
         "CreateAlias with a name that exists there fails with AlreadyExistsException",
         BOTOCORE_MODELS,
         quote="The alias name cannot begin with alias/aws/. The alias/aws/ prefix is reserved "
         "for Amazon Web Services managed keys."),
    Rule("R-KMS-19", "An operation on a key needs its kms: permission from the key policy (or "
         "from an identity policy, where the key policy allows the account); without it the "
         "caller gets AccessDeniedException 'User: ARN is not authorized to perform: ACTION on "
         "resource: KEY ARN because no resource-based (identity-based) policy allows the "
         "ACTION action'", OBSERVED_DENIED,
         quote="is not authorized to perform: kms:DescribeKey on resource: "
         "arn:aws:kms:REGION:ACCOUNT:key/ID because no resource-based policy allows the "
         "kms:DescribeKey action"),
    Rule("R-KMS-20", "CreateKey, ListKeys and ListAliases need their kms: permission in an IAM "
         "policy of the caller: AccessDeniedException otherwise (R-KMS-19's form)",
         BOTOCORE_MODELS, quote="Required permissions: kms:CreateKey (IAM policy)"),
    Rule("R-KMS-21", "Encrypting, decrypting, re-encrypting and generating data keys need a key "
         "whose KeyUsage is ENCRYPT_DECRYPT; another KeyUsage fails with "
         "InvalidKeyUsageException", BOTOCORE_MODELS,
         quote="For encrypting, decrypting, re-encrypting, and generating data keys, the "
         "KeyUsage must be ENCRYPT_DECRYPT."),
    Rule("R-KMS-22", "A key policy (CreateKey's or PutKeyPolicy's) must allow the calling "
         "principal a subsequent PutKeyPolicy, unless BypassPolicyLockoutSafetyCheck is true; "
         "otherwise MalformedPolicyDocumentException 'The new key policy will not allow you to "
         "update the key policy in the future.' (applied as A-POLICY-LOCKOUT says)",
         OBSERVED_LOCKOUT, assumption="A-POLICY-LOCKOUT",
         quote="MalformedPolicyDocumentException: The new key policy will not allow you to "
         "update the key policy in the future."),
    Rule("R-KMS-23", "CreateKey's Policy, or PutKeyPolicy's, is the key policy attached to the "
         "key", BOTOCORE_MODELS, quote="The key policy to attach to the KMS key."),
    Rule("R-KMS-24", "ListKeys and ListAliases return at most Limit items (default 100 and 50); "
         "when more remain, Truncated is true and NextMarker, passed as Marker, continues after "
         "the last item returned", BOTOCORE_MODELS,
         quote="When Truncated is true, this element is present and contains the value to use "
         "for the Marker parameter in a subsequent request."),
    Rule("R-KMS-25", "A Marker that this list operation did not issue fails with "
         "InvalidMarkerException", BOTOCORE_MODELS,
         quote="The request was rejected because the marker that specifies where pagination "
         "should next begin is not valid."),

    # -- CreateKey's KeySpec and KeyUsage -------------------------------------------------
    Rule("R-KMS-26", "CreateKey accepts the KeyUsage values the KeySpec supports: "
         "SYMMETRIC_DEFAULT ENCRYPT_DECRYPT; HMAC_* GENERATE_VERIFY_MAC; RSA_* ENCRYPT_DECRYPT "
         "or SIGN_VERIFY; ECC_NIST_P256/P384/P521 SIGN_VERIFY or KEY_AGREEMENT; ECC_SECG_P256K1 "
         "and ML_DSA_* SIGN_VERIFY; ML_KEM_* ENCAPSULATE_DECAPSULATE", BOTOCORE_MODELS,
         quote="For symmetric encryption KMS keys, omit the parameter or specify ENCRYPT_DECRYPT. "
         "For HMAC KMS keys (symmetric), specify GENERATE_VERIFY_MAC. For asymmetric KMS keys "
         "with RSA key pairs, specify ENCRYPT_DECRYPT or SIGN_VERIFY. For asymmetric KMS keys "
         "with NIST-standard elliptic curve key pairs, specify SIGN_VERIFY or KEY_AGREEMENT. For "
         "asymmetric KMS keys with ECC_SECG_P256K1 key pairs, specify SIGN_VERIFY. For "
         "asymmetric KMS keys with ML-DSA key pairs, specify SIGN_VERIFY. For asymmetric KMS "
         "keys with ML-KEM key pairs, specify ENCAPSULATE_DECAPSULATE."),
    Rule("R-KMS-27", "ECC_NIST_EDWARDS25519 keys are for signing and verification only "
         "(KeyUsage SIGN_VERIFY)", BOTOCORE_MODELS,
         quote="ECC_NIST_EDWARDS25519 (ed25519) - signing and verification only"),
    Rule("R-KMS-28", "CreateKey with a KeyUsage its KeySpec does not support fails with "
         "ValidationException", OBSERVED_PAIRS,
         quote="Real AWS KMS rejects incompatible combinations at CreateKey"),
    Rule("R-KMS-29", "KeyUsage may be left out only for a symmetric encryption key (it is then "
         "ENCRYPT_DECRYPT); for any other KeySpec it is required (ValidationException)",
         BOTOCORE_MODELS, quote="The default value is ENCRYPT_DECRYPT. This parameter is "
         "optional when you are creating a symmetric encryption KMS key; otherwise, it is "
         "required."),
    Rule("R-KMS-30", "SM2 keys exist only in China Regions, so CreateKey with KeySpec SM2 fails "
         "with UnsupportedOperationException 'KeySpec SM2 is not supported in this Region' "
         "(every kmsim key is in the aws partition)", OBSERVED_SM2,
         quote="UnsupportedOperationException: KeySpec SM2 is not supported in this Region"),
    # -- KeyMetadata ----------------------------------------------------------------------
    Rule("R-KMS-31", "KeyMetadata carries CustomerMasterKeySpec, deprecated, with the same value "
         "as KeySpec", BOTOCORE_MODELS,
         quote="The KeySpec and CustomerMasterKeySpec fields have the same value."),
    Rule("R-KMS-32", "KeyMetadata lists the algorithms of the key's usage, and only that list: "
         "EncryptionAlgorithms (SYMMETRIC_DEFAULT; RSA: RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256), "
         "SigningAlgorithms (RSA: RSASSA_PKCS1_V1_5_SHA_256/384/512, RSASSA_PSS_SHA_256/384/512; "
         "ECC_NIST_P256 and ECC_SECG_P256K1 ECDSA_SHA_256, P384 ECDSA_SHA_384, P521 "
         "ECDSA_SHA_512; ECC_NIST_EDWARDS25519 ED25519_SHA_512, ED25519_PH_SHA_512; ML_DSA_* "
         "ML_DSA_SHAKE_256), MacAlgorithms (HMAC_N: HMAC_SHA_N), KeyAgreementAlgorithms (ECDH), "
         "EncapsulationAlgorithms (ML_KEM)", OBSERVED_KEY_SPECS,
         quote="This value is present only when the KeyUsage of the KMS key is "
         "ENCRYPT_DECRYPT."),
    Rule("R-KMS-33", "DeletionDate is in KeyMetadata only while the key is PendingDeletion "
         "(PendingDeletionWindowInDays is for PendingReplicaDeletion, which single-Region keys "
         "never reach); ValidTo only for imported material that expires", BOTOCORE_MODELS,
         quote="This value is present only when the KMS key is scheduled for deletion, that is, "
         "when its KeyState is PendingDeletion."),
    Rule("R-KMS-34", "A key ARN names a key only when its partition, Region, account and key "
         "id are all the key's own (kmsim's partition is aws): any other ARN, even with an "
         "existing key id, is a key that does not exist", SEED_000,
         quote="The ARN must be in the format arn:aws:kms:Region:account-id:key/key-id."),
    Rule("R-KMS-35", "A key created without a Policy gets KMS's default key policy, and "
         "GetKeyPolicy answers it in KMS's own text: Id key-default-1, one statement, Sid "
         "'Enable IAM User Permissions', Principal AWS arn:aws:iam::ACCOUNT:root, Action "
         "'kms:*', Resource '*' (strings, not lists)", OBSERVED_DEFAULT_POLICY,
         quote='"Sid" : "Enable IAM User Permissions"'),
    Rule("R-KMS-36", "ScheduleKeyDeletion answers KeyId (the key ARN), KeyState, DeletionDate "
         "and PendingWindowInDays; CancelKeyDeletion answers KeyId (the key ARN)",
         BOTOCORE_MODELS, quote="The Amazon Resource Name (key ARN) of the KMS key whose "
         "deletion is scheduled."),
    Rule("R-KMS-37", "Encrypt takes 1 to 4096 bytes of Plaintext; more fails with "
         "ValidationException", BOTOCORE_MODELS,
         quote="You can use a symmetric encryption KMS key to encrypt and decrypt data up to "
         "4,096 bytes"),
    Rule("R-KMS-38", "A symmetric encryption key with Origin AWS_KMS has a CurrentKeyMaterialId "
         "(64 hex digits, drawn at CreateKey and recorded)", BOTOCORE_MODELS,
         quote="This value is present for symmetric encryption keys with AWS_KMS or EXTERNAL "
         "origin."),
    Rule("R-KMS-39", "kmsim simulates customer managed keys: KeyMetadata says KeyManager "
         "CUSTOMER (MultiRegion is true only for multi-Region keys, R-KMS-MRK-02)", SPEC,
         quote="kmsim is an event-sourced simulator of customer managed KMS keys"),
    # -- what the key state table, the models and observed answers add (issue 9) ----------
    Rule("R-KMS-45", "A cryptographic operation on a Disabled key fails with DisabledException "
         "'<key ARN> is disabled.', on a PendingImport key with KMSInvalidStateException "
         "'<key ARN> is pending import.', on an Unavailable key with KMSInvalidStateException "
         "'<key ARN> is unavailable.'", OBSERVED_KEY_STATES,
         quote="[1] DisabledException: <CMK ARN> is disabled."),
    Rule("R-KMS-46", "A cryptographic operation on a PendingDeletion key fails with "
         "DisabledException or with KMSInvalidStateException, '<key ARN> is pending deletion.' "
         "(the table gives both: '[2] or [3]')", OBSERVED_KEY_STATES,
         quote="[2] DisabledException: <CMK ARN> is pending deletion."),
    Rule("R-KMS-47", "Of the two, kmsim answers KMSInvalidStateException (invalid-state) or "
         "DisabledException (disabled) for a cryptographic operation on a PendingDeletion key",
         "assumption A-PENDING-DELETION-CRYPTO", assumption="A-PENDING-DELETION-CRYPTO"),
    Rule("R-KMS-48", "ImportKeyMaterial and DeleteImportedKeyMaterial on a key that cannot have "
         "imported key material (Origin other than EXTERNAL) fail with "
         "UnsupportedOperationException", OBSERVED_KEY_STATES,
         quote="[9] If the CMK cannot or does not have imported key material: "
         "UnsupportedOperationException."),
    Rule("R-KMS-49", "PendingWindowInDays is optional: when given it must be between 7 and 30, "
         "inclusive; left out, it is 30", BOTOCORE_MODELS,
         quote="This value is optional. If you include a value, it must be between 7 and 30, "
         "inclusive. If you do not include a value, it defaults to 30."),
    Rule("R-KMS-50", "CancelKeyDeletion of an EXTERNAL key without key material moves it to "
         "PendingImport", SPEC, quote="Disabled (PendingImport for EXTERNAL without material)"),
    Rule("R-KMS-51", "ImportKeyMaterial's ValidTo is required when ExpirationModel is "
         "KEY_MATERIAL_EXPIRES (the default) and not valid otherwise; it must be a future date "
         "and time, at most 365 days from the request date (ValidationException otherwise, "
         "R-KMS-17)", BOTOCORE_MODELS,
         quote="This parameter is required when the value of the ExpirationModel parameter is "
         "KEY_MATERIAL_EXPIRES. Otherwise it is not valid. The value of this parameter must be "
         "a future date and time. The maximum value is 365 days from the request date."),
    Rule("R-KMS-52", "CreateAlias with a name that begins with alias/aws/ (R-KMS-18) fails with "
         "NotAuthorizedException (not-authorized) or InvalidAliasNameException "
         "(invalid-alias-name)", "assumption A-RESERVED-ALIAS", assumption="A-RESERVED-ALIAS"),
    Rule("R-KMS-53", "Decrypt or ReEncrypt of a ciphertext that is corrupted, missing or "
         "otherwise invalid, or with an encryption context other than the one it was encrypted "
         "with, fails with InvalidCiphertextException", BOTOCORE_MODELS,
         quote="From the Decrypt or ReEncrypt operation, the request was rejected because the "
         "specified ciphertext, or additional authenticated data incorporated into the "
         "ciphertext, such as the encryption context, is corrupted, missing, or otherwise "
         "invalid."),
    Rule("R-KMS-54", "A Decrypt whose KeyId does not name the key the ciphertext was encrypted "
         "under fails with IncorrectKeyException", BOTOCORE_MODELS,
         quote="The KeyId in a Decrypt request and the SourceKeyId in a ReEncrypt request must "
         "identify the same KMS key that was used to encrypt the ciphertext."),
    Rule("R-KMS-55", "A key policy that is not syntactically or semantically correct (not JSON, "
         "not a policy document) fails with MalformedPolicyDocumentException", BOTOCORE_MODELS,
         quote="The request was rejected because the specified policy is not syntactically or "
         "semantically correct."),
    Rule("R-KMS-56", "PutKeyPolicy sets only the default key policy: PolicyName AWS_RAM fails "
         "with ValidationException 'The AWS_RAM policy can only be managed by the RAM service.'",
         BOTOCORE_MODELS,
         quote="If you set PolicyName to AWS_RAM, the request fails with a ValidationException "
         "and the message The AWS_RAM policy can only be managed by the RAM service."),
    Rule("R-KMS-57", "A CreateKey parameter combination KMS does not support (a multi-Region "
         "key or a key other than SYMMETRIC_DEFAULT in a custom key store, R-KMS-CKS-08) fails "
         "with UnsupportedOperationException, KMS's error for a parameter that is not supported",
         BOTOCORE_MODELS,
         quote="The request was rejected because a specified parameter is not supported or a "
         "specified resource is not valid for this operation."),
)

declare_assumptions(
    Assumption(
        id="A-POLICY-LOCKOUT",
        statement="Whether kmsim applies KMS's key policy lockout safety check to CreateKey and "
        "PutKeyPolicy (documented, R-KMS-22); off is kmsim's own alternative, for scenarios "
        "that want any well-formed policy accepted",
        default="check",
        alternatives=("off",),
        meaning={"check": "refuse it unless BypassPolicyLockoutSafetyCheck is true, as KMS does",
                 "off": "accept any well-formed policy"},
    ),
    Assumption(
        id="A-PENDING-DELETION-CRYPTO",
        statement="Which error a cryptographic operation (Encrypt, Decrypt, GenerateDataKey, "
        "ReEncrypt) gets on a PendingDeletion key: KMS's key state table admits DisabledException "
        "or KMSInvalidStateException (R-KMS-46)",
        default="invalid-state",
        alternatives=("disabled",),
        meaning={"invalid-state": "KMSInvalidStateException '<key ARN> is pending deletion.'",
                 "disabled": "DisabledException '<key ARN> is pending deletion.'"},
    ),
    Assumption(
        id="A-RESERVED-ALIAS",
        statement="Which error CreateAlias answers for an alias name that begins with alias/aws/ "
        "(botocore's kms docs forbid it, R-KMS-18, and name no error; CreateAlias's error list "
        "has InvalidAliasNameException, other simulators answer NotAuthorizedException)",
        default="not-authorized",
        alternatives=("invalid-alias-name",),
        meaning={"not-authorized": "NotAuthorizedException (moto's answer, and kmsim's so far)",
                 "invalid-alias-name": "InvalidAliasNameException, 'the specified alias name is "
                 "not valid' (the error CreateAlias's model lists)"},
    ),
)

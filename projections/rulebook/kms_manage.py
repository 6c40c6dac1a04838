"""KMS key management rules (issue 13): tags, descriptions, key policy names, alias dates,
import parameters and tokens, data keys without plaintext, random bytes, last usage.

Statements say what botocore's kms docs (BOTOCORE_MODELS, quotes checked verbatim) or the
KMS Developer Guide say; what kmsim adds is a rule citing its assumption
(A-MGMT-IMPORT-TOKEN, A-MGMT-KEY-MATERIAL, A-MGMT-USAGE-IDS).
"""

from projections.rulebook.registry import (
    BOTOCORE_MODELS,
    Assumption,
    Rule,
    declare,
    declare_assumptions,
)

OBSERVED_TAG_LIMIT = ("observed behaviour (documented): AWS KMS Developer Guide, 'Tags in AWS "
                      "KMS' (https://docs.aws.amazon.com/kms/latest/developerguide/"
                      "tagging-keys.html)")
OBSERVED_TAG_RESERVED = ("observed behaviour (documented): AWS Billing User Guide, 'User-defined "
                         "tag restrictions' (https://docs.aws.amazon.com/awsaccountbilling/latest/"
                         "aboutv2/allocation-tag-restrictions.html)")

declare(
    # -- tags -----------------------------------------------------------------------------
    Rule("R-KMS-MGMT-01", "TagResource adds each tag to the key, or replaces the value of a tag "
         "key the key already has (one tag per tag key)", BOTOCORE_MODELS,
         quote="You cannot have more than one tag on a KMS key with the same tag key. If you "
         "specify an existing tag key with a different tag value, KMS replaces the current tag "
         "value with the specified one."),
    Rule("R-KMS-MGMT-02", "UntagResource deletes the named tag keys; a tag key the key does not "
         "have is no error", BOTOCORE_MODELS,
         quote="if the specified tag key isn't found on the KMS key, it doesn't throw an "
         "exception or return a response."),
    Rule("R-KMS-MGMT-03", "ListResourceTags returns the key's tags, at most Limit (1 to 50, "
         "default 50) a page, with Truncated and NextMarker", BOTOCORE_MODELS,
         quote="If you include a value, it must be between 1 and 50, inclusive. If you do not "
         "include a value, it defaults to 50."),
    Rule("R-KMS-MGMT-04", "A key can have up to 50 tags: a TagResource (or CreateKey) that "
         "would leave more fails with LimitExceededException, KMS's error for an exceeded "
         "quota", OBSERVED_TAG_LIMIT,
         quote="Each resource can have up to 50 user-created tags."),
    Rule("R-KMS-MGMT-05", "A tag key that begins with aws: is reserved for AWS: TagResource or "
         "CreateKey with one fails with TagException ('one or more tags are not valid')",
         OBSERVED_TAG_RESERVED,
         quote="The reserved prefix is aws:."),
    Rule("R-KMS-MGMT-06", "CreateKey's Tags tag the new key; using them needs kms:TagResource in "
         "an IAM policy (R-KMS-20's form)", BOTOCORE_MODELS,
         quote="To use this parameter, you must have kms:TagResource permission in an IAM "
         "policy."),
    # -- description, key policies --------------------------------------------------------
    Rule("R-KMS-MGMT-07", "UpdateKeyDescription replaces the key's Description (0 to 8192 "
         "characters), which DescribeKey then shows", BOTOCORE_MODELS,
         quote="Updates the description of a KMS key. To see the description of a KMS key, use "
         "DescribeKey."),
    Rule("R-KMS-MGMT-08", "ListKeyPolicies names the key's key policies: a key not shared "
         "through RAM has only 'default'", BOTOCORE_MODELS,
         quote="A KMS key can have at most two key policies, default and AWS_RAM."),
    Rule("R-KMS-MGMT-09", "ListKeyPolicies returns at most Limit names (1 to 1000, default "
         "100), with Truncated and NextMarker", BOTOCORE_MODELS,
         quote="If you include a value, it must be between 1 and 1000, inclusive. If you do "
         "not include a value, it defaults to 100."),
    # -- aliases ----------------------------------------------------------------------------
    Rule("R-KMS-MGMT-10", "ListAliases shows each alias's CreationDate (when it was created in "
         "the account and Region) and LastUpdatedDate (when it was last associated with a key)",
         BOTOCORE_MODELS,
         quote="Date and time that the alias was most recently associated with a KMS key in "
         "the account and Region. Formatted as Unix time."),
    # -- imports ----------------------------------------------------------------------------
    Rule("R-KMS-MGMT-11", "GetParametersForImport answers a public wrapping key of the "
         "WrappingKeySpec and an import token, linked and valid for 24 hours "
         "(ParametersValidTo)", BOTOCORE_MODELS,
         quote="The public key and its import token are permanently linked and must be used "
         "together. Each public key and import token set is valid for 24 hours."),
    Rule("R-KMS-MGMT-12", "GetParametersForImport needs a key whose Origin is EXTERNAL; "
         "another fails with UnsupportedOperationException", BOTOCORE_MODELS,
         quote="The Origin of the KMS key must be EXTERNAL."),
    Rule("R-KMS-MGMT-13", "ImportKeyMaterial with an import token that is not one "
         "GetParametersForImport answered for this key fails with InvalidImportTokenException",
         BOTOCORE_MODELS,
         quote="The request was rejected because the provided import token is invalid or is "
         "associated with a different KMS key."),
    Rule("R-KMS-MGMT-14", "ImportKeyMaterial with an import token past its ParametersValidTo "
         "fails with ExpiredImportTokenException", BOTOCORE_MODELS,
         quote="The request was rejected because the specified import token is expired."),
    Rule("R-KMS-MGMT-15", "Whether ImportKeyMaterial checks its ImportToken is "
         "A-MGMT-IMPORT-TOKEN's choice (checked, as KMS does, or unchecked for timelines "
         "written before kmsim issued tokens)", "assumption A-MGMT-IMPORT-TOKEN",
         assumption="A-MGMT-IMPORT-TOKEN"),
    Rule("R-KMS-MGMT-16", "Whether ImportKeyMaterial unwraps EncryptedKeyMaterial with the "
         "private half of the wrapping key (and refuses material it cannot unwrap, or of the "
         "wrong size) is A-MGMT-KEY-MATERIAL's choice", "assumption A-MGMT-KEY-MATERIAL",
         assumption="A-MGMT-KEY-MATERIAL"),
    Rule("R-KMS-MGMT-17", "EncryptedKeyMaterial must be encrypted under the public key "
         "GetParametersForImport returned, with the wrapping algorithm of that request; "
         "material that does not unwrap fails with InvalidCiphertextException",
         BOTOCORE_MODELS,
         quote="The key material must be encrypted under the public wrapping key that "
         "GetParametersForImport returned, using the wrapping algorithm that you specified in "
         "the same GetParametersForImport request."),
    Rule("R-KMS-MGMT-18", "Unwrapped key material of a symmetric encryption key that is not 256 "
         "bits fails with IncorrectKeyMaterialException", BOTOCORE_MODELS,
         quote="The request was rejected because the key material in the request is, expired, "
         "invalid, or does not meet expectations."),
    # -- data keys, random bytes, last usage ------------------------------------------------
    Rule("R-KMS-MGMT-19", "GenerateDataKeyWithoutPlaintext is GenerateDataKey without the "
         "plaintext copy of the data key: it needs an Enabled symmetric encryption key and "
         "kms:GenerateDataKeyWithoutPlaintext", BOTOCORE_MODELS,
         quote="GenerateDataKeyWithoutPlaintext is identical to the GenerateDataKey operation "
         "except that it does not return a plaintext copy of the data key."),
    Rule("R-KMS-MGMT-20", "GenerateRandom returns NumberOfBytes (1 to 1024, required) random "
         "bytes; it needs kms:GenerateRandom in an IAM policy", BOTOCORE_MODELS,
         quote="You must use the NumberOfBytes parameter to specify the length of the random "
         "byte string. There is no default value for string length."),
    Rule("R-KMS-MGMT-21", "GenerateRandom with a CustomKeyStoreId of a store kmsim does not "
         "know fails with CustomKeyStoreNotFoundException", BOTOCORE_MODELS,
         quote="The request was rejected because KMS cannot find a custom key store with the "
         "specified key store name or ID."),
    Rule("R-KMS-MGMT-25", "GenerateRandom with the CustomKeyStoreId of an external key store "
         "fails with UnsupportedOperationException", BOTOCORE_MODELS,
         quote="If you specify the ID of an external key store, GenerateRandom throws an "
         "UnsupportedOperationException."),
    Rule("R-KMS-MGMT-26", "GenerateRandom with the CustomKeyStoreId of a CloudHSM key store "
         "that is not connected fails with CustomKeyStoreInvalidStateException",
         BOTOCORE_MODELS,
         quote="You requested the GenerateRandom operation in an CloudHSM key store that is not "
         "connected."),
    Rule("R-KMS-MGMT-22", "GetKeyLastUsage answers the key's last successful cryptographic "
         "operation (Operation, Timestamp) since TrackingStartDate, the later of tracking's "
         "start and the key's creation; KeyLastUsage is empty when it has none", BOTOCORE_MODELS,
         quote="The date from which KMS began recording cryptographic activity for this key, "
         "or the date the KMS key was created, whichever is later."),
    Rule("R-KMS-MGMT-23", "GetKeyLastUsage's CloudTrailEventId and KmsRequestId name kmsim's "
         "event as A-MGMT-USAGE-IDS says", "assumption A-MGMT-USAGE-IDS",
         assumption="A-MGMT-USAGE-IDS"),
    Rule("R-KMS-MGMT-24", "GetKeyLastUsage takes a key ID or key ARN: an alias fails with "
         "NotFoundException", BOTOCORE_MODELS, quote="Alias names are not supported."),
)

declare_assumptions(
    Assumption(
        id="A-MGMT-IMPORT-TOKEN",
        statement="Whether ImportKeyMaterial checks that its ImportToken is one "
        "GetParametersForImport issued for the key and is not expired (KMS does, R-KMS-MGMT-13, "
        "-14); 'unchecked' accepts any token, as kmsim did before issue 13",
        default="checked",
        alternatives=("unchecked",),
        meaning={"checked": "InvalidImportTokenException for a token not issued for this key, "
                 "ExpiredImportTokenException past ParametersValidTo",
                 "unchecked": "any token of the right form is accepted"},
    ),
    Assumption(
        id="A-MGMT-KEY-MATERIAL",
        statement="Whether ImportKeyMaterial unwraps EncryptedKeyMaterial (RSAES_OAEP_SHA_1/256 "
        "and RSA_AES_KEY_WRAP_SHA_1/256 with the wrapping key's private half) or checks only "
        "its form (1 to 6144 bytes): kmsim keeps no imported material, its ciphertexts are "
        "envelopes naming the key",
        default="form",
        alternatives=("unwrap",),
        meaning={"form": "any EncryptedKeyMaterial of 1 to 6144 bytes is accepted",
                 "unwrap": "it must unwrap under the token's wrapping key (else "
                 "InvalidCiphertextException) to 32 bytes for a symmetric encryption key (else "
                 "IncorrectKeyMaterialException)"},
    ),
    Assumption(
        id="A-MGMT-USAGE-IDS",
        statement="What GetKeyLastUsage's CloudTrailEventId and KmsRequestId are in kmsim, "
        "which has no CloudTrail: its event's number",
        default="event-number",
        alternatives=("absent",),
        meaning={"event-number": "'kmsim-event-N' for the event #N that used the key, for both",
                 "absent": "both members are left out"},
    ),
)

"""KMS key rotation rules (issue 13): EnableKeyRotation, DisableKeyRotation,
GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations, the automatic rotation timer and
the key materials a rotation leaves behind.

Statements say only what botocore's kms docs (or the KMS Developer Guide page cited) say;
what kmsim chooses where they are silent is a rule citing its assumption (A-ROT-ON-DEMAND,
A-ROT-IMPORTED-ON-DEMAND).
"""

from projections.rulebook.registry import (
    BOTOCORE_MODELS,
    Assumption,
    Rule,
    declare,
    declare_assumptions,
)

#: The KMS Developer Guide's rotation page (an older revision, in the awsdocs repository):
#: what happens to older key material, which the API reference does not say in one place.
OBSERVED_ROTATE_KEYS = ("observed behaviour (documented): AWS KMS Developer Guide, 'Rotating "
                        "keys' (https://docs.aws.amazon.com/kms/latest/developerguide/"
                        "rotate-keys.html; awsdocs/aws-kms-developer-guide doc_source/"
                        "rotate-keys.md at 094e09443db7): 'AWS KMS retains all backing keys for "
                        "a CMK, even if key rotation is disabled. The backing keys are deleted "
                        "only when the CMK is deleted. When you use a CMK to encrypt, AWS KMS "
                        "uses the current backing key. When you use the CMK to decrypt, AWS KMS "
                        "uses the backing key that was used to encrypt.'")

declare(
    Rule("R-KMS-ROT-01", "EnableKeyRotation sets the period between automatic rotations: "
         "RotationPeriodInDays 90..2560, 365 days when it is not given", BOTOCORE_MODELS,
         quote="Use this parameter to specify a custom period of time between each rotation "
         "date. If no value is specified, the default value is 365 days."),
    Rule("R-KMS-ROT-02", "Automatic rotation happens RotationPeriodInDays after "
         "EnableKeyRotation and every RotationPeriodInDays thereafter (a timer)",
         BOTOCORE_MODELS,
         quote="The rotation period defines the number of days after you enable automatic key "
         "rotation that KMS will rotate your key material, and the number of days between "
         "each automatic rotation thereafter."),
    Rule("R-KMS-ROT-03", "Automatic rotation is only for symmetric encryption keys: asymmetric "
         "keys, HMAC keys, keys with imported key material and keys in a custom key store "
         "cannot have it (UnsupportedOperationException)", BOTOCORE_MODELS,
         quote="Automatic key rotation is supported only on symmetric encryption KMS keys. You "
         "cannot enable automatic rotation of asymmetric KMS keys, HMAC KMS keys, KMS keys "
         "with imported key material, or KMS keys in a custom key store."),
    Rule("R-KMS-ROT-04", "DisableKeyRotation turns automatic rotation off: no automatic "
         "rotation happens until it is enabled again", BOTOCORE_MODELS,
         quote="Disables automatic rotation of the key material of the specified symmetric "
         "encryption KMS key."),
    Rule("R-KMS-ROT-05", "GetKeyRotationStatus answers whether automatic rotation is enabled, "
         "the rotation period and the next scheduled rotation date", BOTOCORE_MODELS,
         quote="Provides detailed information about the rotation status for a KMS key, "
         "including whether automatic rotation of the key material is enabled for the "
         "specified KMS key, the rotation period, and the next scheduled rotation date."),
    Rule("R-KMS-ROT-06", "A Disabled key is not rotated and keeps its rotation status; when it "
         "is enabled again after its rotation date passed, it is rotated at once, else it "
         "keeps its schedule", BOTOCORE_MODELS,
         quote="The key rotation status does not change when you disable a KMS key. However, "
         "while the KMS key is disabled, KMS does not rotate the key material. When you "
         "re-enable the KMS key, rotation resumes. If the key material in the re-enabled KMS "
         "key hasn't been rotated in one year, KMS rotates it immediately, and every year "
         "thereafter. If it's been less than a year since the key material in the re-enabled "
         "KMS key was rotated, the KMS key resumes its prior rotation schedule."),
    Rule("R-KMS-ROT-07", "While a key is PendingDeletion its rotation status is false and it is "
         "not rotated; cancelling the deletion restores the status", BOTOCORE_MODELS,
         quote="While a KMS key is pending deletion, its key rotation status is false and KMS "
         "does not rotate the key material. If you cancel the deletion, the original key "
         "rotation status returns to true."),
    Rule("R-KMS-ROT-08", "RotateKeyOnDemand rotates the key material now, whether or not "
         "automatic rotation is enabled, and does not change the automatic schedule",
         BOTOCORE_MODELS,
         quote="On-demand rotations do not change existing automatic rotation schedules."),
    Rule("R-KMS-ROT-09", "A key can be rotated on demand at most 25 times; the 26th is refused "
         "(LimitExceededException: a quota was exceeded)", BOTOCORE_MODELS,
         quote="You can perform on-demand key rotation a maximum of 25 times per KMS key."),
    Rule("R-KMS-ROT-10", "On-demand rotation is only for symmetric encryption keys: not "
         "asymmetric keys, HMAC keys or keys in a custom key store "
         "(UnsupportedOperationException)", BOTOCORE_MODELS,
         quote="On-demand key rotation is supported only on symmetric encryption KMS keys. You "
         "cannot perform on-demand rotation of asymmetric KMS keys, HMAC KMS keys, or KMS keys "
         "in a custom key store."),
    Rule("R-KMS-ROT-11", "On-demand rotation of a key with imported key material needs new "
         "material already imported and PENDING_ROTATION; kmsim imports no such material, so "
         "it is refused with A-ROT-IMPORTED-ON-DEMAND's error", "assumption "
         "A-ROT-IMPORTED-ON-DEMAND", assumption="A-ROT-IMPORTED-ON-DEMAND"),
    Rule("R-KMS-ROT-12", "RotateKeyOnDemand is refused with ConflictException while an "
         "automatic rotation of the key is scheduled to begin within the next 20 minutes",
         BOTOCORE_MODELS,
         quote="The request was rejected because an automatic rotation of this key is "
         "currently in progress or scheduled to begin within the next 20 minutes."),
    Rule("R-KMS-ROT-13", "ListKeyRotations lists the key materials made by automatic and "
         "on-demand rotations (KeyMaterialId, RotationDate, RotationType); ALL_KEY_MATERIAL "
         "adds the first key material; pages of Limit (default 100) with NextMarker",
         BOTOCORE_MODELS,
         quote="If you omit this parameter, KMS returns information on the key materials "
         "created by automatic or on-demand key rotation. When you specify a value of "
         "ALL_KEY_MATERIAL, KMS adds the first key material and any imported key material "
         "pending rotation to the response."),
    Rule("R-KMS-ROT-14", "Each rotation makes new key material the key's current material "
         "(CurrentKeyMaterialId); older material is kept and used only to decrypt",
         BOTOCORE_MODELS,
         quote="KMS uses the current key material for both encryption and decryption, and the "
         "non-current key material for decryption operations only."),
    Rule("R-KMS-ROT-15", "A ciphertext is decrypted with the key material that encrypted it, "
         "and Decrypt names that material (KeyMaterialId)", BOTOCORE_MODELS,
         quote="The identifier of the key material used to decrypt the ciphertext."),
    Rule("R-KMS-ROT-16", "Data written under a key is under the key material current when it "
         "was written; every material is kept until the key is deleted, and the key's state "
         "(Disabled, PendingDeletion, Deleted) applies to all of its material",
         OBSERVED_ROTATE_KEYS),
    Rule("R-KMS-ROT-17", "An on-demand rotation completes at the request (default) or after "
         "A-ROT-ON-DEMAND's delay; while it is in progress GetKeyRotationStatus shows "
         "OnDemandRotationStartDate and another RotateKeyOnDemand is refused "
         "(ConflictException)", "assumption A-ROT-ON-DEMAND", assumption="A-ROT-ON-DEMAND"),
    Rule("R-KMS-ROT-18", "The rotation of a set of related multi-Region keys is set on the "
         "primary key (a replica is not a valid resource for it: "
         "UnsupportedOperationException); the set shares its key material and rotation status",
         BOTOCORE_MODELS,
         quote="To enable or disable automatic rotation of a set of related multi-Region keys, "
         "set the property on the primary key."),
)

declare_assumptions(
    Assumption(
        id="A-ROT-ON-DEMAND",
        statement="How long an on-demand rotation takes: botocore's kms docs say KMS rotates in "
        "a background process with 'a slight delay' before the rotation completes, and give "
        "no duration",
        default="instant",
        alternatives=("fixed:",),
        meaning={"instant": "the new key material is current at the RotateKeyOnDemand request",
                 "fixed:DURATION": "the rotation completes DURATION after the request; until "
                 "then GetKeyRotationStatus shows OnDemandRotationStartDate and another "
                 "RotateKeyOnDemand is a ConflictException"},
    ),
    Assumption(
        id="A-ROT-IMPORTED-ON-DEMAND",
        statement="Which error RotateKeyOnDemand answers for a key with imported key material "
        "(Origin EXTERNAL) that has no new material PENDING_ROTATION: the docs require such "
        "material and name no error",
        default="unsupported-operation",
        alternatives=("invalid-state",),
        meaning={"unsupported-operation": "UnsupportedOperationException (the resource is not "
                 "valid for this operation)",
                 "invalid-state": "KMSInvalidStateException"},
    ),
)

"""KMS key rotation rules (issue 13): EnableKeyRotation, DisableKeyRotation,
GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations, the automatic rotation timer and
the key materials a rotation leaves behind.

Statements say only what botocore's kms docs (or the KMS Developer Guide page cited) say;
what kmsim chooses where they are silent is a rule citing its assumption (A-ROT-ON-DEMAND,
A-ROT-IMPORTED-ON-DEMAND, A-ROT-REIMPORT, A-ROT-IMPORT-PENDING, A-ROT-DELETE-PENDING).
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
         "material already imported and PENDING_ROTATION (R-KMS-ROT-24); without it the call "
         "is refused with A-ROT-IMPORTED-ON-DEMAND's error", "assumption "
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
    # -- imported key material that rotates (symmetric EXTERNAL keys) ---------------------
    Rule("R-KMS-ROT-19", "ImportKeyMaterial's ImportType defaults to NEW_KEY_MATERIAL when no "
         "key material was ever imported into the key, else to EXISTING_KEY_MATERIAL",
         BOTOCORE_MODELS,
         quote="If no key material has ever been imported into the KMS key, and this parameter "
         "is omitted, the parameter defaults to NEW_KEY_MATERIAL. After the first key material "
         "is imported, if this parameter is omitted then the parameter defaults to "
         "EXISTING_KEY_MATERIAL."),
    Rule("R-KMS-ROT-20", "A NEW_KEY_MATERIAL import into a symmetric key that already has key "
         "material imports material for on-demand rotation: it is PENDING_ROTATION (not yet "
         "current) and ImportKeyMaterial answers its KeyMaterialId", BOTOCORE_MODELS,
         quote="PENDING_ROTATION identifies key material that has been imported for on-demand "
         "key rotation but the rotation hasn't completed."),
    Rule("R-KMS-ROT-21", "ImportKeyMaterial with ImportType NEW_KEY_MATERIAL cannot name a "
         "KeyMaterialId (ValidationException)", BOTOCORE_MODELS,
         quote="You cannot specify a key material ID with ImportType set to NEW_KEY_MATERIAL."),
    Rule("R-KMS-ROT-22", "An EXISTING_KEY_MATERIAL import re-imports key material already "
         "associated with the key: a KeyMaterialId that is not the key's, or a key with no "
         "material imported yet, is refused (IncorrectKeyMaterialException)", BOTOCORE_MODELS,
         quote="Verifies that the key material ID is already associated with the KMS key"),
    Rule("R-KMS-ROT-23", "ImportType, KeyMaterialId and KeyMaterialDescription are only usable "
         "with symmetric encryption keys (UnsupportedOperationException for others)",
         BOTOCORE_MODELS,
         quote="This parameter is optional and only usable with symmetric encryption keys."),
    Rule("R-KMS-ROT-24", "RotateKeyOnDemand of a symmetric key with imported key material makes "
         "the imported material that is PENDING_ROTATION the current material (an ON_DEMAND "
         "rotation)", BOTOCORE_MODELS,
         quote="When you initiate on-demand key rotation on a symmetric encryption KMS key with "
         "imported key material, you must have already imported new key material and that key "
         "material's state should be PENDING_ROTATION."),
    Rule("R-KMS-ROT-25", "A multi-Region key with imported key material cannot be rotated on "
         "demand (UnsupportedOperationException)", BOTOCORE_MODELS,
         quote="You cannot perform on-demand rotation of asymmetric KMS keys, HMAC KMS keys, "
         "multi-Region KMS keys with imported key material, or KMS keys in a custom key "
         "store."),
    Rule("R-KMS-ROT-26", "ListKeyRotations of a symmetric EXTERNAL key gives each material's "
         "ImportState (IMPORTED or PENDING_IMPORT), ExpirationModel, ValidTo (when it expires) "
         "and KeyMaterialDescription (it answers while the key is PendingImport, when a "
         "material may be PENDING_IMPORT); with ALL_KEY_MATERIAL it adds the material "
         "PENDING_ROTATION, without RotationDate and RotationType", BOTOCORE_MODELS,
         quote="This field is not present for the first key material or an imported key "
         "material in PENDING_ROTATION state."),
    Rule("R-KMS-ROT-27", "DeleteImportedKeyMaterial deletes the material KeyMaterialId names "
         "(an id that is not the key's: NotFoundException), else the current material, and "
         "answers the deleted KeyMaterialId", BOTOCORE_MODELS,
         quote="If no KeyMaterialId is specified, KMS deletes the current key material."),
    Rule("R-KMS-ROT-28", "A symmetric key becomes Enabled by ImportKeyMaterial only when every "
         "key material associated with it is imported (deleting a non-current material leaves "
         "it PendingImport until that material is re-imported)", BOTOCORE_MODELS,
         quote="For symmetric encryption keys, you will need to import all of the key "
         "materials associated with the KMS key to change its state to Enabled."),
    Rule("R-KMS-ROT-29", "An EXISTING_KEY_MATERIAL import without KeyMaterialId re-imports the "
         "material A-ROT-REIMPORT picks", "assumption A-ROT-REIMPORT",
         assumption="A-ROT-REIMPORT"),
    Rule("R-KMS-ROT-30", "A NEW_KEY_MATERIAL import while other material is PENDING_ROTATION "
         "is refused (KMSInvalidStateException) or replaces it, as A-ROT-IMPORT-PENDING says",
         "assumption A-ROT-IMPORT-PENDING", assumption="A-ROT-IMPORT-PENDING"),
    Rule("R-KMS-ROT-31", "Deleting the material PENDING_ROTATION forgets it (other material "
         "can be imported in its place); whether the key's state changes is "
         "A-ROT-DELETE-PENDING's", "assumption A-ROT-DELETE-PENDING",
         assumption="A-ROT-DELETE-PENDING"),
    Rule("R-KMS-ROT-32", "An import without KeyMaterialDescription keeps the description the "
         "same key material was last imported with", BOTOCORE_MODELS,
         quote="If you do not specify a key material description, KMS retains the value you "
         "specified when you last imported the same key material into this KMS key."),
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
    Assumption(
        id="A-ROT-REIMPORT",
        statement="Which key material an EXISTING_KEY_MATERIAL import without KeyMaterialId "
        "re-imports: KMS computes the id from the key material itself, which kmsim does not "
        "keep",
        default="current",
        alternatives=("oldest-missing",),
        meaning={"current": "the key's current material",
                 "oldest-missing": "the oldest of the key's materials whose ImportState is "
                 "PENDING_IMPORT (the current one when none is)"},
    ),
    Assumption(
        id="A-ROT-IMPORT-PENDING",
        statement="What a NEW_KEY_MATERIAL import does while other imported material is "
        "PENDING_ROTATION: the docs say pending material can be deleted and different "
        "material imported in its place, not whether a second import may replace it",
        default="refuse",
        alternatives=("replace",),
        meaning={"refuse": "KMSInvalidStateException: delete the pending material first",
                 "replace": "the new material is PENDING_ROTATION in the old one's place"},
    ),
    Assumption(
        id="A-ROT-DELETE-PENDING",
        statement="Whether deleting imported material that is PENDING_ROTATION (not yet "
        "permanently associated with the key) makes the key PendingImport, as "
        "DeleteImportedKeyMaterial says of key material in general",
        default="keep-state",
        alternatives=("pending-import",),
        meaning={"keep-state": "the key keeps its state: its current material is untouched",
                 "pending-import": "an Enabled or Disabled key becomes PendingImport"},
    ),
)

"""KMS's key state table as data: for each operation that takes a key and each key state,
allowed or the exception KMS answers (the KMS Developer Guide's "Key states of AWS KMS
keys", rules R-KMS-STATE-NN, R-KMS-45..47).

A cell is the table's answer for a state alone. What the table conditions on the key
itself ("?": imported key material, a custom key store) stays with the handler: a "?"
cell is allowed here, and the operation then checks its condition (R-KMS-48, the rotation
rules). Operations the table (revision of 2022-12) does not list take the row of the
listed operation they resemble (A-STATE-UNLISTED), and a cell the table marks N/A takes
its column's refusal (A-STATE-NOT-APPLICABLE).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

#: The table's columns, as KeyMetadata's KeyState names them.
STATES = ("Enabled", "Disabled", "PendingDeletion", "PendingReplicaDeletion", "PendingImport",
          "Unavailable", "Creating", "Updating")
_WORDS = {"Disabled": "disabled", "PendingDeletion": "pending deletion",
          "PendingReplicaDeletion": "pending replica deletion", "PendingImport": "pending import",
          "Unavailable": "unavailable", "Creating": "creating", "Updating": "updating"}


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: allowed (``code`` None) or the exception with its words (``{arn}`` and
    ``{state}`` are filled in); ``alt_code`` is the other code A-PENDING-DELETION-CRYPTO may
    choose, ``unless_external`` the cell for a key whose Origin is not EXTERNAL."""

    code: str | None
    words: str
    rule: str
    alt_code: str | None = None
    unless_external: Cell | None = None

    @property
    def allowed(self) -> bool:
        """Whether the state lets the operation run."""
        return self.code is None

    def message(self, arn: str, state: str) -> str:
        """The exception's message for a key."""
        return self.words.format(arn=arn, state=_WORDS.get(state, state))


_OK = Cell(None, "", "R-KMS-STATE-01")
# "?" cells: the state allows it; the operation decides its condition itself.
_COND = Cell(None, "", "R-KMS-STATE-01")
_NA_ALLOW = Cell(None, "", "R-KMS-STATE-13")

# Cryptographic operations (R-KMS-45..47: the rules of issue 9, kept).
_C1 = Cell("DisabledException", "{arn} is disabled.", "R-KMS-45")
_C23 = Cell("KMSInvalidStateException", "{arn} is {state}.", "R-KMS-47",
            alt_code="DisabledException")
_C5 = Cell("KMSInvalidStateException", "{arn} is pending import.", "R-KMS-45")
_C11 = Cell("KMSInvalidStateException", "{arn} is unavailable.", "R-KMS-45")
# Other operations: the same footnotes, under the table's own rules.
_F1 = Cell("DisabledException", "{arn} is disabled.", "R-KMS-STATE-02")
_F23 = Cell("KMSInvalidStateException", "{arn} is {state}.", "R-KMS-STATE-14",
            alt_code="DisabledException")
_F3 = Cell("KMSInvalidStateException", "{arn} is {state}.", "R-KMS-STATE-03")
_F4 = Cell("KMSInvalidStateException", "{arn} is not pending deletion.", "R-KMS-STATE-04")
_F5 = Cell("KMSInvalidStateException", "{arn} is pending import.", "R-KMS-STATE-05")
_F6 = Cell("UnsupportedOperationException",
           "{arn} origin is EXTERNAL which is not valid for this operation.", "R-KMS-STATE-06")
# [7]'s words are kmsim's: the table names only the exception
_F7 = Cell("UnsupportedOperationException",
           "{arn} is in a custom key store, which is not valid for this operation.",
           "R-KMS-STATE-07")
_F9 = Cell("UnsupportedOperationException",
           "{arn} does not have imported key material, which this operation needs.",
           "R-KMS-STATE-08")
_F89 = Cell("KMSInvalidStateException", "{arn} is {state}.", "R-KMS-STATE-08",
            unless_external=_F9)
_F10 = Cell("KMSInvalidStateException", "{arn} is {state}.", "R-KMS-STATE-09")
_F12 = Cell(None, "", "R-KMS-STATE-10")
_F14 = Cell("KMSInvalidStateException", "{arn} is creating.", "R-KMS-STATE-11")
_F15 = Cell("KMSInvalidStateException", "{arn} is updating.", "R-KMS-STATE-12")
# N/A: the column's refusal (A-STATE-NOT-APPLICABLE's "column")
_NA_IMPORT = Cell("KMSInvalidStateException", "{arn} is pending import.", "R-KMS-STATE-13")
_NA_UNAVAILABLE = Cell("KMSInvalidStateException", "{arn} is unavailable.", "R-KMS-STATE-13")


def _row(enabled: Cell, disabled: Cell, pending_deletion: Cell, pending_import: Cell,
         unavailable: Cell, creating: Cell, updating: Cell) -> dict[str, Cell]:
    # one column holds both PendingDeletion and PendingReplicaDeletion
    return {"Enabled": enabled, "Disabled": disabled, "PendingDeletion": pending_deletion,
            "PendingReplicaDeletion": pending_deletion, "PendingImport": pending_import,
            "Unavailable": unavailable, "Creating": creating, "Updating": updating}


_ALL_OK = _row(_OK, _OK, _OK, _OK, _OK, _OK, _OK)
_CRYPTO = _row(_OK, _C1, _C23, _C5, _C11, _F14, _OK)
#: Sign, Verify, GenerateMac, VerifyMac, GetPublicKey: N/A where asymmetric and HMAC keys
#: cannot be (imported material, custom key stores).
_CRYPTO_NO_IMPORT = _row(_OK, _C1, _C23, _NA_IMPORT, _NA_UNAVAILABLE, _F14, _OK)
_MANAGE = _row(_OK, _OK, _F3, _OK, _OK, _OK, _OK)
_ROTATION = _row(_COND, _F1, _F3, _F6, _F7, _F14, _COND)
_IMPORT = _row(_COND, _COND, _F89, _OK, _F9, _F14, _F15)

#: The key state table, row by row (one row per operation, as "kms:Op").
TABLE: dict[str, dict[str, Cell]] = {
    "kms:CancelKeyDeletion": _row(_F4, _F4, _OK, _F4, _F4, _F4, _F4),
    "kms:CreateAlias": _MANAGE,
    "kms:CreateGrant": _row(_OK, _F1, _F23, _F5, _OK, _F14, _OK),
    "kms:Decrypt": _CRYPTO,
    "kms:DeleteAlias": _ALL_OK,
    "kms:DeleteImportedKeyMaterial": _row(_COND, _COND, _COND, _OK, _NA_UNAVAILABLE, _F14,
                                          _F15),
    "kms:DescribeKey": _ALL_OK,
    "kms:DisableKey": _row(_OK, _OK, _F3, _F5, _F12, _F14, _F15),
    "kms:DisableKeyRotation": _ROTATION,
    "kms:EnableKey": _row(_OK, _OK, _F3, _F5, _F12, _F14, _F15),
    "kms:EnableKeyRotation": _ROTATION,
    "kms:Encrypt": _CRYPTO,
    "kms:GenerateDataKey": _CRYPTO,
    "kms:GenerateDataKeyPair": _CRYPTO,
    "kms:GenerateDataKeyPairWithoutPlaintext": _CRYPTO,
    "kms:GenerateDataKeyWithoutPlaintext": _CRYPTO,
    "kms:GenerateMac": _CRYPTO_NO_IMPORT,
    "kms:GetKeyPolicy": _ALL_OK,
    "kms:GetKeyRotationStatus": _row(_COND, _COND, _COND, _F6, _F7, _COND, _COND),
    "kms:GetParametersForImport": _IMPORT,
    "kms:GetPublicKey": _CRYPTO_NO_IMPORT,
    "kms:ImportKeyMaterial": {**_IMPORT, "Updating": _OK},
    "kms:ListAliases": _ALL_OK,
    "kms:ListGrants": _ALL_OK,
    "kms:ListKeyPolicies": _ALL_OK,
    "kms:ListResourceTags": _ALL_OK,
    "kms:PutKeyPolicy": _ALL_OK,
    "kms:ReEncrypt": _CRYPTO,
    "kms:ReplicateKey": _row(_OK, _F1, _F23, _F5, _NA_UNAVAILABLE, _F14, _F15),
    "kms:RetireGrant": _ALL_OK,
    "kms:RevokeGrant": _ALL_OK,
    "kms:ScheduleKeyDeletion": _row(_OK, _OK, _F3, _OK, _OK, _OK, _F15),
    "kms:Sign": _CRYPTO_NO_IMPORT,
    "kms:TagResource": _MANAGE,
    "kms:UntagResource": _MANAGE,
    # [10]: the *destination* key of UpdateAlias; the source key may be pending deletion
    "kms:UpdateAlias": _row(_OK, _OK, _F10, _OK, _OK, _OK, _OK),
    "kms:UpdateKeyDescription": _MANAGE,
    "kms:UpdatePrimaryRegion": _row(_OK, _F1, _F23, _F5, _NA_UNAVAILABLE, _F14, _OK),
    "kms:Verify": _CRYPTO_NO_IMPORT,
    "kms:VerifyMac": _CRYPTO_NO_IMPORT,
}

#: Operations that take a key and that the table does not list, with the listed operation
#: whose row they take (A-STATE-UNLISTED, R-KMS-STATE-15).
UNLISTED: dict[str, str] = {
    "kms:DeriveSharedSecret": "kms:Sign",       # an asymmetric private-key operation
    "kms:Encapsulate": "kms:GetPublicKey",      # uses only the public key of ML-KEM pairs
    "kms:Decapsulate": "kms:Sign",              # uses the private key of ML-KEM pairs
    "kms:RotateKeyOnDemand": "kms:EnableKeyRotation",
    "kms:ListKeyRotations": "kms:GetKeyRotationStatus",
    "kms:GetKeyLastUsage": "kms:DescribeKey",
}

#: N/A cells and where they are (for the tests and ``kmsim rules``' reader).
NOT_APPLICABLE = {(op, state) for op, row in TABLE.items() for state, cell in row.items()
                  if cell.rule == "R-KMS-STATE-13"}


class UnlistedOperation(KeyError):
    """An operation with no row: a handler asked for a state check the table cannot give."""


def row_of(op: str, unlisted: str) -> Mapping[str, Cell]:
    """The row of ``op``: its own, or for an unlisted operation the row A-STATE-UNLISTED's
    value ``unlisted`` gives (``nearest``: the resembling operation's; ``allow``: allowed in
    every state)."""
    row = TABLE.get(op)
    if row is not None:
        return row
    if op not in UNLISTED:
        raise UnlistedOperation(f"{op} has no row in the key state table; add it to "
                                "projections/kms/key_states.py")
    if unlisted == "allow":
        return _ALL_OK_UNLISTED
    return {state: (cell if cell.allowed else Cell(cell.code, cell.words, "R-KMS-STATE-15",
                                                   cell.alt_code, cell.unless_external))
            for state, cell in TABLE[UNLISTED[op]].items()}


_ALL_OK_UNLISTED = {state: Cell(None, "", "R-KMS-STATE-15") for state in STATES}


def cell(op: str, state: str, unlisted: str, not_applicable: str) -> Cell:
    """The table's answer for ``op`` on a key in ``state`` under A-STATE-UNLISTED's value
    ``unlisted`` and A-STATE-NOT-APPLICABLE's ``not_applicable`` (``allow`` lets an N/A
    cell run). A state outside the table (a new machine state) is allowed: the lifecycle
    machine, not this table, knows it."""
    found = row_of(op, unlisted).get(state, _OK)
    if found.rule == "R-KMS-STATE-13" and not_applicable == "allow":
        return _NA_ALLOW
    return found

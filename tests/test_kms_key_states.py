"""The KMS key state table (projections/kms/key_states.py, rules R-KMS-STATE-NN): the data
against a transcription of the Developer Guide's table, ``require_state`` on every cell, and
the real handlers on every state kmsim can reach."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from botocore.loaders import Loader
from support import ACCT, ALLOW_ALL, START

from projections.kms.key_states import STATES, TABLE, UNLISTED
from projections.model import Cause, Key
from sim import Simulator
from sim.errors import AwsError
from sim.services.kms.common import require_state
from sim.services.registry import known_operations

# -- the table, transcribed from key-state.md (columns: Enabled, Disabled, Pending deletion
#    (and replica deletion), Pending import, Unavailable, Creating, Updating) -----------------
_COLUMNS = ("Enabled", "Disabled", "PendingDeletion", "PendingImport", "Unavailable",
            "Creating", "Updating")
_CRYPTO = "ok 1 2|3 5 11 14 ok"
_NO_IMPORT = "ok 1 2|3 na-5 na-11 14 ok"
_ALL = "ok ok ok ok ok ok ok"
_MANAGE = "ok ok 3 ok ok ok ok"
_ROTATION = "ok 1 3 6 7 14 ok"
EXPECTED = {
    "CancelKeyDeletion": "4 4 ok 4 4 4 4", "CreateAlias": _MANAGE,
    "CreateGrant": "ok 1 2|3 5 ok 14 ok", "Decrypt": _CRYPTO, "DeleteAlias": _ALL,
    "DeleteImportedKeyMaterial": "ok ok ok ok na-11 14 15", "DescribeKey": _ALL,
    "DisableKey": "ok ok 3 5 ok 14 15", "DisableKeyRotation": _ROTATION,
    "EnableKey": "ok ok 3 5 ok 14 15", "EnableKeyRotation": _ROTATION, "Encrypt": _CRYPTO,
    "GenerateDataKey": _CRYPTO, "GenerateDataKeyPair": _CRYPTO,
    "GenerateDataKeyPairWithoutPlaintext": _CRYPTO, "GenerateDataKeyWithoutPlaintext": _CRYPTO,
    "GenerateMac": _NO_IMPORT, "GetKeyPolicy": _ALL,
    "GetKeyRotationStatus": "ok ok ok 6 7 ok ok",
    "GetParametersForImport": "ok ok 8|9 ok 9 14 15", "GetPublicKey": _NO_IMPORT,
    "ImportKeyMaterial": "ok ok 8|9 ok 9 14 ok", "ListAliases": _ALL, "ListGrants": _ALL,
    "ListKeyPolicies": _ALL, "ListResourceTags": _ALL, "PutKeyPolicy": _ALL,
    "ReEncrypt": _CRYPTO, "ReplicateKey": "ok 1 2|3 5 na-11 14 15", "RetireGrant": _ALL,
    "RevokeGrant": _ALL, "ScheduleKeyDeletion": "ok ok 3 ok ok ok 15", "Sign": _NO_IMPORT,
    "TagResource": _MANAGE, "UntagResource": _MANAGE, "UpdateAlias": "ok ok 10 ok ok ok ok",
    "UpdateKeyDescription": _MANAGE, "UpdatePrimaryRegion": "ok 1 2|3 5 na-11 14 ok",
    "Verify": _NO_IMPORT, "VerifyMac": _NO_IMPORT,
}
#: The Table Details: each footnote's exception and words (None: the table gives no words).
FOOTNOTES = {
    "1": ("DisabledException", "{arn} is disabled."),
    "2|3": ("KMSInvalidStateException", "{arn} is {state}."),  # A-PENDING-DELETION-CRYPTO
    "3": ("KMSInvalidStateException", "{arn} is {state}."),
    "4": ("KMSInvalidStateException", "{arn} is not pending deletion."),
    "5": ("KMSInvalidStateException", "{arn} is pending import."),
    "6": ("UnsupportedOperationException",
          "{arn} origin is EXTERNAL which is not valid for this operation."),
    "7": ("UnsupportedOperationException", None),
    "8|9": ("KMSInvalidStateException", "{arn} is {state}."),  # a key with imported material
    "9": ("UnsupportedOperationException", None),
    "10": ("KMSInvalidStateException", "{arn} is {state}."),
    "11": ("KMSInvalidStateException", "{arn} is unavailable."),
    "14": ("KMSInvalidStateException", "{arn} is creating."),
    "15": ("KMSInvalidStateException", "{arn} is updating."),
    # N/A: the column's refusal (A-STATE-NOT-APPLICABLE's default)
    "na-5": ("KMSInvalidStateException", "{arn} is pending import."),
    "na-11": ("KMSInvalidStateException", "{arn} is unavailable."),
}
_WORDS = {"PendingDeletion": "pending deletion",
          "PendingReplicaDeletion": "pending replica deletion"}
ARN = f"arn:aws:kms:us-east-1:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
STATE_RULES = ("R-KMS-STATE-", "R-KMS-45", "R-KMS-46", "R-KMS-47")


def _expected(op: str, state: str) -> str:
    # an operation the table does not list takes another's row (A-STATE-UNLISTED)
    op = UNLISTED.get(f"kms:{op}", f"kms:{op}").removeprefix("kms:")
    column = "PendingDeletion" if state == "PendingReplicaDeletion" else state
    return EXPECTED[op].split()[_COLUMNS.index(column)]


def _key(state: str, origin: str = "EXTERNAL") -> Key:
    key = Key(key_id=ARN.rsplit("/", 1)[1], arn=ARN, account=ACCT, region="us-east-1",
              spec="SYMMETRIC_DEFAULT", usage="ENCRYPT_DECRYPT", origin=origin,
              description="", policy={}, created=Cause(0, 1, "R-KMS-01"))
    key.state = state
    return key


def _refusal(op: str, key: Key, ctx=None) -> AwsError | None:
    try:
        require_state(key, op, ctx)
    except AwsError as exc:
        return exc
    return None


def _ctx(**settings: str) -> SimpleNamespace:
    return SimpleNamespace(world=SimpleNamespace(settings=settings))


def test_the_table_has_the_guides_rows_and_every_state() -> None:
    assert sorted(op.removeprefix("kms:") for op in TABLE) == sorted(EXPECTED)
    assert all(set(row) == set(STATES) for row in TABLE.values())


@pytest.mark.parametrize("op", sorted(EXPECTED))
@pytest.mark.parametrize("state", STATES)
def test_each_cell_allows_or_refuses_as_the_guide_says(op: str, state: str) -> None:
    want = _expected(op, state)
    found = _refusal(f"kms:{op}", _key(state))
    if want == "ok":
        assert found is None, (found.code, found.message) if found else None
        return
    code, words = FOOTNOTES[want]
    assert found is not None, f"kms:{op} ran on a {state} key"
    assert found.code == code
    assert found.rule.startswith(STATE_RULES)
    if words is not None:
        assert found.message == words.format(arn=ARN, state=_WORDS.get(state, state))


@pytest.mark.parametrize("op", ["kms:ImportKeyMaterial", "kms:GetParametersForImport"])
def test_a_key_without_imported_material_pending_deletion_is_unsupported(op: str) -> None:
    """[8] or [9]: KMSInvalidStateException with imported material, else unsupported."""
    assert _refusal(op, _key("PendingDeletion")).code == "KMSInvalidStateException"
    found = _refusal(op, _key("PendingDeletion", origin="AWS_KMS"))
    assert (found.code, found.rule) == ("UnsupportedOperationException", "R-KMS-STATE-08")


@pytest.mark.parametrize("op", ["kms:Encrypt", "kms:Sign", "kms:CreateGrant",
                                "kms:ReplicateKey"])
def test_pending_deletion_code_follows_the_assumption(op: str) -> None:
    """'[2] or [3]': A-PENDING-DELETION-CRYPTO picks (R-KMS-47, R-KMS-STATE-14)."""
    key = _key("PendingDeletion")
    assert _refusal(op, key).code == "KMSInvalidStateException"
    assert _refusal(op, key, _ctx(pending_deletion_crypto="disabled")).code == \
        "DisabledException"
    assert _refusal("kms:TagResource", key, _ctx(pending_deletion_crypto="disabled")).code == \
        "KMSInvalidStateException"  # [3] alone: no choice


def test_not_applicable_and_unlisted_cells_follow_their_assumptions() -> None:
    unavailable, importing = _key("Unavailable"), _key("PendingImport")
    assert _refusal("kms:Sign", unavailable).rule == "R-KMS-STATE-13"
    assert _refusal("kms:Sign", unavailable, _ctx(state_not_applicable="allow")) is None
    assert _refusal("kms:RotateKeyOnDemand", importing).code == "UnsupportedOperationException"
    assert _refusal("kms:RotateKeyOnDemand", importing).rule == "R-KMS-STATE-15"
    assert _refusal("kms:RotateKeyOnDemand", importing, _ctx(state_unlisted="allow")) is None
    assert _refusal("kms:GetKeyLastUsage", _key("PendingDeletion")) is None
    with pytest.raises(KeyError):
        require_state(importing, "kms:NoSuchOperation")


def _takes_a_key(op: str) -> bool:
    shape = Loader().load_service_model("kms", "service-2")["operations"].get(op[4:])
    if shape is None or "input" not in shape:
        return False
    members = Loader().load_service_model("kms", "service-2")["shapes"][
        shape["input"]["shape"]]["members"]
    return op in TABLE or bool({"KeyId", "TargetKeyId", "DestinationKeyId"} & set(members))


def test_every_implemented_operation_that_takes_a_key_has_a_row() -> None:
    missing = [op for op in known_operations() if op.startswith("kms:") and _takes_a_key(op)
               and op not in TABLE and op not in UNLISTED]
    assert missing == []


# -- the real handlers, on each state kmsim reaches -------------------------------------------

REACHABLE = ("Enabled", "Disabled", "PendingDeletion", "PendingImport", "Unavailable")
ROOT_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"}, "Action": "kms:*",
     "Resource": "*"}]})
IMPORT = {"WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}


def _token(s: Simulator, k: str) -> str:
    r = s.call("kms:GetParametersForImport", {"KeyId": k, **IMPORT}, as_="admin")
    return r.get("ImportToken") if r.ok else "dG9rZW4="


#: A request of each operation on the key ``k`` (``w``: the world's other names).
REQUESTS = {
    "kms:CancelKeyDeletion": lambda s, k, w: {"KeyId": k},
    "kms:CreateAlias": lambda s, k, w: {"AliasName": "alias/new", "TargetKeyId": k},
    "kms:Decrypt": lambda s, k, w: {"CiphertextBlob": w["blob"]},
    "kms:DeleteAlias": lambda s, k, w: {"AliasName": "alias/mine"},
    "kms:DeleteImportedKeyMaterial": lambda s, k, w: {"KeyId": k},
    "kms:DescribeKey": lambda s, k, w: {"KeyId": k},
    "kms:DisableKey": lambda s, k, w: {"KeyId": k},
    "kms:EnableKey": lambda s, k, w: {"KeyId": k},
    "kms:Encrypt": lambda s, k, w: {"KeyId": k, "Plaintext": "aGk="},
    "kms:GenerateDataKey": lambda s, k, w: {"KeyId": k},
    "kms:GenerateDataKeyWithoutPlaintext": lambda s, k, w: {"KeyId": k},
    "kms:GetKeyLastUsage": lambda s, k, w: {"KeyId": k},
    "kms:GetKeyPolicy": lambda s, k, w: {"KeyId": k},
    "kms:GetParametersForImport": lambda s, k, w: {"KeyId": k, **IMPORT},
    "kms:ImportKeyMaterial": lambda s, k, w: {
        "KeyId": k, "ImportToken": _token(s, k), "EncryptedKeyMaterial": "bQ==",
        "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"},
    "kms:ListAliases": lambda s, k, w: {"KeyId": k},
    "kms:ListKeyPolicies": lambda s, k, w: {"KeyId": k},
    "kms:ListResourceTags": lambda s, k, w: {"KeyId": k},
    "kms:PutKeyPolicy": lambda s, k, w: {"KeyId": k, "Policy": ROOT_POLICY},
    "kms:ReEncrypt": lambda s, k, w: {"CiphertextBlob": w["blob"], "DestinationKeyId": w["spare"]},
    "kms:ScheduleKeyDeletion": lambda s, k, w: {"KeyId": k, "PendingWindowInDays": 7},
    "kms:TagResource": lambda s, k, w: {"KeyId": k, "Tags": [{"TagKey": "t", "TagValue": "v"}]},
    "kms:UntagResource": lambda s, k, w: {"KeyId": k, "TagKeys": ["t"]},
    "kms:UpdateAlias": lambda s, k, w: {"AliasName": "alias/spare", "TargetKeyId": k},
    "kms:UpdateKeyDescription": lambda s, k, w: {"KeyId": k, "Description": "d"},
}


def _world(state: str) -> tuple[Simulator, str, dict]:
    """An EXTERNAL key in ``state`` (with material, unless PendingImport: deleted after use),
    an alias on it, a ciphertext under it, and a spare key with an alias."""
    s = Simulator(start=START, account=ACCT, default_principal="admin")
    s.principal("admin", policy=ALLOW_ALL)
    spare = s.call("kms:CreateKey").get("KeyMetadata.Arn")
    s.call("kms:CreateAlias", {"AliasName": "alias/spare", "TargetKeyId": spare})
    k = s.call("kms:CreateKey", {"Origin": "EXTERNAL"}).get("KeyMetadata.Arn")
    names = {"spare": spare}
    # every key had material once, so that there is a ciphertext to decrypt
    r = s.call("kms:ImportKeyMaterial", {
        "KeyId": k, "ImportToken": _token(s, k), "EncryptedKeyMaterial": "bQ==",
        "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"})
    assert r.ok, r.event.out
    names["blob"] = s.call("kms:Encrypt", {"KeyId": k, "Plaintext": "aGk="}).get(
        "CiphertextBlob")
    s.call("kms:CreateAlias", {"AliasName": "alias/mine", "TargetKeyId": k})
    setup = {"Disabled": "kms:DisableKey", "PendingDeletion": "kms:ScheduleKeyDeletion",
             "Unavailable": "sim:SetKeyUnavailable",
             "PendingImport": "kms:DeleteImportedKeyMaterial"}
    if state in setup:
        assert s.call(setup[state], {"KeyId": k}).ok
    assert s.key_state(k) == state
    return s, k, names


@pytest.mark.parametrize("op", sorted(REQUESTS))
@pytest.mark.parametrize("state", REACHABLE)
def test_handlers_refuse_exactly_what_the_table_refuses(op: str, state: str) -> None:
    s, k, names = _world(state)
    r = s.call(op, REQUESTS[op](s, k, names), as_="admin")
    want = _expected(op.removeprefix("kms:"), state)
    if want == "ok":
        # the state lets it run: it succeeds, or fails for a reason other than the state
        assert r.ok, (r.err, r.rule, r.event.out.get("msg"))
        return
    code, words = FOOTNOTES[want]
    assert not r.ok and r.err == code and r.rule.startswith(STATE_RULES), r.event.out
    if words is not None:
        assert r.event.out["msg"] == words.format(arn=k, state=_WORDS.get(state, state))


@pytest.mark.parametrize("prior,toggle,after", [("Disabled", "kms:EnableKey", "Enabled"),
                                                ("Enabled", "kms:DisableKey", "Disabled")])
def test_enable_or_disable_while_unavailable_changes_the_state_it_returns_to(
        prior: str, toggle: str, after: str) -> None:
    """[12] (R-KMS-STATE-10): the call succeeds, the key stays Unavailable, and becomes
    ``after`` once available."""
    s = Simulator(start=START, account=ACCT, default_principal="admin")
    s.principal("admin", policy=ALLOW_ALL)
    k = s.call("kms:CreateKey").get("KeyMetadata.Arn")
    if prior == "Disabled":
        s.call("kms:DisableKey", {"KeyId": k})
    s.call("sim:SetKeyUnavailable", {"KeyId": k})
    r = s.call(toggle, {"KeyId": k})
    assert r.ok, r.event.out
    assert s.key_state(k) == "Unavailable"
    assert s.call("sim:SetKeyAvailable", {"KeyId": k}).ok
    assert s.key_state(k) == after

"""cloudwatch:AssociateDatasetKmsKey / DisassociateDatasetKmsKey / GetDataset: every SPEC 3.3
check in its order, the identifier forms, the implicit dataset, the profiles and
A-CONFLICT, through the Simulator."""

from __future__ import annotations

import pytest
from dataset_support import (
    ACCT,
    DATASET,
    OTHER,
    REGION,
    associate,
    cw_policy,
    disassociate,
    get_dataset,
    make_key,
    new_sim,
    put,
    raises,
    snapshot,
    status_of,
)

from projections.dataset.fold import dataset_of

ASSOC = "cloudwatch:AssociateDatasetKmsKey"
DISASSOC = "cloudwatch:DisassociateDatasetKmsKey"


# -- the implicit dataset and its identifiers -------------------------------------------
def test_get_dataset_exists_without_creation_and_omits_kms_key_arn() -> None:
    sim = new_sim()
    assert get_dataset(sim) == {"DatasetId": "default", "Arn": DATASET}
    other = sim.call("cloudwatch:GetDataset", {"DatasetIdentifier": "default"},
                     as_="admin", region="eu-west-1")
    assert other.res["Arn"] == f"arn:aws:cloudwatch:eu-west-1:{ACCT}:dataset/default"


def test_get_dataset_reports_the_key_only_while_associated() -> None:
    sim = new_sim()
    k1 = make_key(sim)
    assert associate(sim, k1, at="+1m", ident=DATASET).ok      # the full ARN form
    assert get_dataset(sim) == {"DatasetId": "default", "Arn": DATASET, "KmsKeyArn": k1}
    assert disassociate(sim, at="+2m").ok
    assert "KmsKeyArn" not in get_dataset(sim)                  # R-DS-16, R-DS-27
    assert sim.association("cloudwatch:dataset") == "disassociating"


@pytest.mark.parametrize("ident", [
    f"arn:aws:cloudwatch:eu-west-1:{ACCT}:dataset/default",
    f"arn:aws:cloudwatch:{REGION}:{OTHER}:dataset/default",
    f"arn:aws:cloudwatch::{ACCT}:dataset/default",
])
def test_dataset_of_another_account_or_region_is_404(ident: str) -> None:
    sim = new_sim()
    k1 = make_key(sim)
    err = raises(sim, ASSOC, {"DatasetIdentifier": ident, "KmsKeyArn": k1})
    assert (err.code, status_of(err), err.rule) == ("ResourceNotFoundException", 404, "R-DS-15")
    err = raises(sim, "cloudwatch:GetDataset", {"DatasetIdentifier": ident})
    assert err.code == "ResourceNotFoundException"


@pytest.mark.parametrize("ident", ["", "Default", "default ", "dataset/default",
                                   f"arn:aws:cloudwatch:{REGION}:{ACCT}:dataset/other"])
def test_bad_dataset_identifier_is_validation(ident: str) -> None:
    sim = new_sim()
    err = raises(sim, "cloudwatch:GetDataset", {"DatasetIdentifier": ident})
    assert (err.code, status_of(err), err.rule) == ("ValidationException", 400, "R-DS-40")
    assert "datasetidentifier" in err.message.lower()


def test_validation_error_code_is_an_assumption() -> None:
    sim = new_sim(ds_validation_code="invalid-parameter-value")
    err = raises(sim, "cloudwatch:GetDataset", {"DatasetIdentifier": "Default"})
    assert (err.code, status_of(err), err.rule) == ("InvalidParameterValueException", 400,
                                                    "R-DS-40")
    result = associate(sim, "alias/ds")
    assert (result.err, result.rule) == ("InvalidParameterValueException", "R-DS-40")


# -- AssociateDatasetKmsKey: the order of the checks -------------------------------------
def _keys(sim):
    good = make_key(sim)
    off = make_key(sim, cw_policy([]))                        # disabled AND no CloudWatch
    sim.call("kms:DisableKey", {"KeyId": off}, as_="admin")
    rsa = make_key(sim, cw_policy([]), KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")
    hmac = make_key(sim, cw_policy(), KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    far = sim.call("kms:CreateKey", {"Policy": cw_policy()}, as_="admin",
                   region="eu-west-1").get("KeyMetadata.Arn")
    sim.call("kms:CreateAlias", {"AliasName": "alias/ds", "TargetKeyId": good}, as_="admin")
    return {"good": good, "off": off, "rsa": rsa, "hmac": hmac, "far": far}


@pytest.mark.parametrize(("key", "ident", "as_", "code", "rule"), [
    ("alias/ds", "default", "admin", "ValidationException", "R-DS-40"),
    ("ALIASARN", "default", "admin", "ValidationException", "R-DS-40"),
    ("KEYID", "default", "admin", "ValidationException", "R-DS-40"),
    ("UPPER", "default", "admin", "ValidationException", "R-DS-40"),
    ("good", "arn:aws:cloudwatch:eu-west-1:111122223333:dataset/default", "admin",
     "ResourceNotFoundException", "R-DS-15"),
    ("MISSING", "default", "admin", "KmsKeyNotFoundException", "R-DS-12"),
    ("far", "default", "admin", "KmsKeyNotFoundException", "R-DS-12"),
    ("off", "default", "admin", "KmsKeyDisabledException", "R-DS-07"),
    ("rsa", "default", "admin", "ValidationException", "R-DS-38"),
    ("hmac", "default", "admin", "ValidationException", "R-DS-38"),
    ("good", "default", "reader", "KmsAccessDeniedException", "R-DS-09"),
])
def test_associate_first_failing_check_decides(key, ident, as_, code, rule) -> None:
    sim = new_sim()
    keys = _keys(sim)
    good = keys["good"]
    ref = {"ALIASARN": f"arn:aws:kms:{REGION}:{ACCT}:alias/ds", "KEYID": good.split("/")[-1],
           "UPPER": good.upper().replace("ARN:AWS:KMS", "arn:aws:kms"),
           "MISSING": f"arn:aws:kms:{REGION}:{ACCT}:key/00000000-0000-4000-8000-000000000000",
           }.get(key, keys.get(key, key))
    before = snapshot(sim)
    result = associate(sim, ref, as_=as_, ident=ident)
    assert (result.err, result.rule) == (code, rule)
    assert snapshot(sim) == before                            # R-DS-13: nothing changed
    assert sim.association("cloudwatch:dataset") == "none"


@pytest.mark.parametrize(("missing", "named"), [
    (["kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*"], "kms:DescribeKey"),
    (["kms:DescribeKey", "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*"], "kms:GenerateDataKey"),
    (["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt", "kms:ReEncrypt*"], "kms:Encrypt"),
    (["kms:DescribeKey", "kms:GenerateDataKey", "kms:Encrypt", "kms:ReEncrypt*"], "kms:Decrypt"),
    (["kms:DescribeKey", "kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt",
      "kms:ReEncryptFrom"], "kms:ReEncrypt*"),
    ([], "kms:DescribeKey"),
])
def test_service_principal_dry_runs_name_the_first_denied_action(missing, named) -> None:
    sim = new_sim()
    key = make_key(sim, cw_policy(missing))
    result = associate(sim, key, as_="reader")  # the reader would fail step 7 as well
    assert (result.err, result.rule) == ("KmsAccessDeniedException", "R-DS-08")
    assert f"perform {named} " in result.event.out["msg"]


def test_symmetric_assumption_alternative() -> None:
    sim = new_sim(symmetric="kms-access-denied")
    rsa = make_key(sim, KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")
    result = associate(sim, rsa)
    assert (result.err, result.rule) == ("KmsAccessDeniedException", "R-DS-38")
    assert "kms:GenerateDataKey" in result.event.out["msg"]


# -- replace -----------------------------------------------------------------------------
def test_replace_checks_current_key_first_then_new_key() -> None:
    sim = new_sim()
    operator = sim.principal("operator", policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]})
    k1 = make_key(sim, cw_policy(deny=operator))
    k2 = make_key(sim, cw_policy(deny=operator))
    assert associate(sim, k1, at="+1m").ok
    result = associate(sim, k2, at="+2m", as_="operator")
    assert (result.err, result.rule) == ("KmsAccessDeniedException", "R-DS-05")
    assert k1 in result.event.out["msg"] and k2 not in result.event.out["msg"]
    k3 = make_key(sim, cw_policy(deny=operator), at="+3m")
    sim.call("kms:PutKeyPolicy", {"KeyId": k1, "Policy": cw_policy()}, at="+3m", as_="admin")
    result = associate(sim, k3, at="+4m", as_="operator")     # now only the new key fails
    assert (result.err, result.rule) == ("KmsAccessDeniedException", "R-DS-09")
    assert get_dataset(sim)["KmsKeyArn"] == k1
    assert associate(sim, k2, at="+5m").ok
    assert get_dataset(sim)["KmsKeyArn"] == k2
    assert sim.world.associations[DATASET].history[-1][4] == "R-DS-04"


@pytest.mark.parametrize(("profile", "order", "first", "rule"), [
    ("seed", "new-first", "current", "R-DS-05"),       # the seed's order is documented
    ("api-2026", "current-first", "current", "R-DS-36"),
    ("api-2026", "new-first", "new", "R-DS-09"),       # A-DS-REPLACE-ORDER (R-DS-37)
])
def test_replace_order_under_each_profile(profile, order, first, rule) -> None:
    sim = new_sim(profile, ds_replace_order=order)
    operator = sim.principal("operator", policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]})
    k1 = make_key(sim, cw_policy(deny=operator))
    k2 = make_key(sim, cw_policy(deny=operator))
    assert associate(sim, k1, at="+1m").ok
    result = associate(sim, k2, at="+2m", as_="operator")   # denied on both keys
    assert (result.err, result.rule) == ("KmsAccessDeniedException", rule)
    named, other = (k1, k2) if first == "current" else (k2, k1)
    assert named in result.event.out["msg"] and other not in result.event.out["msg"]


def _current_in_state(sim, key: str, state: str) -> None:
    if state == "Disabled":
        sim.call("kms:DisableKey", {"KeyId": key}, at="+2m", as_="admin")
    elif state == "PendingDeletion":
        sim.call("kms:ScheduleKeyDeletion", {"KeyId": key, "PendingWindowInDays": 7}, at="+2m",
                 as_="admin")
    elif state == "Deleted":
        sim.call("kms:ScheduleKeyDeletion", {"KeyId": key, "PendingWindowInDays": 7}, at="+2m",
                 as_="admin")
        sim.advance("8d")
    elif state == "Unavailable":
        sim.call("sim:SetKeyUnavailable", {"KeyId": key}, at="+2m", as_="admin")
    elif state == "PendingImport":
        sim.call("kms:DeleteImportedKeyMaterial", {"KeyId": key}, at="+2m", as_="admin")
    assert sim.key_state(key) == state


def _external_key(sim) -> str:
    key = make_key(sim, Origin="EXTERNAL")
    token = sim.call("kms:GetParametersForImport", {  # R-KMS-MGMT-13
        "KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"},
        as_="admin").get("ImportToken")
    r = sim.call("kms:ImportKeyMaterial", {"KeyId": key, "ImportToken": token,
                                           "EncryptedKeyMaterial": "m",
                                           "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"},
                 as_="admin")
    assert r.ok, r.event.out
    return key


STATES = ["Disabled", "PendingDeletion", "Deleted", "Unavailable", "PendingImport"]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("profile", ["seed", "api-2026"])
def test_replace_and_disassociate_when_current_key_is_not_enabled(state, profile) -> None:
    for op in ("replace", "disassociate"):
        sim = new_sim(profile)
        k1 = _external_key(sim) if state == "PendingImport" else make_key(sim)
        k2 = make_key(sim)
        assert associate(sim, k1, at="+1m").ok
        _current_in_state(sim, k1, state)
        result = associate(sim, k2, as_="reader") if op == "replace" else disassociate(
            sim, as_="reader")
        if profile == "seed" and state != "Deleted":
            assert (result.err, result.rule) == ("KmsKeyDisabledException", "R-DS-44")
            assert state in result.event.out["msg"]
            assert sim.association("cloudwatch:dataset") == "associated"
        elif op == "replace":  # the reader still needs kms:Decrypt on the NEW key
            assert (result.err, result.rule) == ("KmsAccessDeniedException", "R-DS-09")
            assert associate(sim, k2).ok                    # R-DS-24
            assert get_dataset(sim)["KmsKeyArn"] == k2
        else:
            assert result.ok                    # R-DS-25 (seed, Deleted: R-DS-45 proceed)
            assert sim.association("cloudwatch:dataset") == "disassociating"


@pytest.mark.parametrize("op", ["replace", "disassociate"])
def test_seed_deleted_current_key_refuse_alternative_is_stuck_for_good(op: str) -> None:
    sim = new_sim("seed", dis_deleted="refuse")
    k1, k2 = make_key(sim), make_key(sim)
    assert associate(sim, k1, at="+1m").ok
    _current_in_state(sim, k1, "Deleted")
    before = snapshot(sim)
    for later in ("+9d", "+90d"):                 # nothing a user can do changes it
        result = associate(sim, k2, at=later) if op == "replace" else disassociate(sim, at=later)
        assert (result.err, result.rule) == ("KmsKeyDisabledException", "R-DS-45")
        assert "cannot be re-enabled or restored" in result.event.out["msg"]
    assert snapshot(sim) == before
    assert get_dataset(sim)["KmsKeyArn"] == k1


def test_seed_deleted_current_key_proceeds_by_default_and_ignores_dis_disabled() -> None:
    sim = new_sim("seed", dis_disabled="refuse")
    k1, k2 = make_key(sim), make_key(sim)
    assert associate(sim, k1, at="+1m").ok
    _current_in_state(sim, k1, "Deleted")
    assert associate(sim, k2, at="+9d").ok                 # R-DS-45 proceed: the rotation
    assert get_dataset(sim)["KmsKeyArn"] == k2
    sim.call("kms:DisableKey", {"KeyId": k2}, at="+9d1m", as_="admin")
    result = disassociate(sim, at="+9d2m")                 # Disabled is still A-DIS-DISABLED's
    assert (result.err, result.rule) == ("KmsKeyDisabledException", "R-DS-44")


def test_seed_dis_disabled_proceed_alternative() -> None:
    sim = new_sim("seed", dis_disabled="proceed")
    k1 = make_key(sim)
    assert associate(sim, k1, at="+1m").ok
    sim.call("kms:DisableKey", {"KeyId": k1}, at="+2m", as_="admin")
    assert disassociate(sim, at="+3m").ok


# -- disassociate ------------------------------------------------------------------------
def test_disassociate_without_a_key_is_404() -> None:
    sim = new_sim()
    err = raises(sim, DISASSOC, {"DatasetIdentifier": "default"})
    assert (err.code, status_of(err), err.rule) == ("ResourceNotFoundException", 404, "R-DS-17")
    k1 = make_key(sim)
    assert associate(sim, k1, at="+1m").ok
    assert disassociate(sim, at="+2m").ok
    result = disassociate(sim, at="+3m")                     # the window runs, but no key
    assert (result.err, result.rule) == ("ResourceNotFoundException", "R-DS-17")


@pytest.mark.parametrize(("profile", "setting", "code", "rule"), [
    ("seed", "kms-access-denied", "KmsAccessDeniedException", "R-DS-43"),
    ("seed", "access-denied", "AccessDeniedException", "R-DS-43"),
    ("api-2026", "kms-access-denied", "AccessDeniedException", "R-DS-26"),
])
def test_disassociate_caller_without_decrypt(profile, setting, code, rule) -> None:
    sim = new_sim(profile, dis_denied=setting)
    k1 = make_key(sim)
    assert associate(sim, k1, at="+1m").ok
    before = snapshot(sim)
    result = disassociate(sim, at="+2m", as_="reader")
    assert (result.err, result.rule) == (code, rule)
    assert snapshot(sim) == before
    assert status_of(raises(sim, DISASSOC, {"DatasetIdentifier": "default"}, as_="reader")) == 400


# -- A-CONFLICT --------------------------------------------------------------------------
def test_conflict_reject_is_409_and_changes_nothing() -> None:
    sim = new_sim()
    k1, k2 = make_key(sim), make_key(sim)
    assert associate(sim, k1, at="+1m").ok
    before = snapshot(sim)
    for req_key in (k1, k2):
        err = raises(sim, ASSOC, {"DatasetIdentifier": "default", "KmsKeyArn": req_key})
        assert (err.code, status_of(err), err.rule) == ("ConflictException", 409, "R-DS-41")
    assert disassociate(sim, at="+1m").err == "ConflictException"
    assert snapshot(sim) == before
    assert associate(sim, k2, at="+1m1ms").ok                 # a moment later it is fine


def test_conflict_idempotent_repeats_succeed_without_change() -> None:
    sim = new_sim(conflict="idempotent")
    k1, k2 = make_key(sim), make_key(sim)
    assert associate(sim, k1, at="+1m").ok
    before = snapshot(sim)
    assert associate(sim, k1, at="+1m").ok                    # same change: no-op
    assert snapshot(sim) == before
    assert associate(sim, k1, at="+1m", as_="reader").err == "KmsAccessDeniedException"
    assert associate(sim, k2, at="+1m").err == "ConflictException"
    assert disassociate(sim, at="+2m").ok
    before = snapshot(sim)
    assert disassociate(sim, at="+2m", as_="reader").ok       # repeat: skips key checks
    assert snapshot(sim) == before
    assert len(dataset_of(sim.world, DATASET).releases) == 1


def test_events_record_every_call_and_writes_need_no_kms_permission() -> None:
    sim = new_sim()
    k1 = make_key(sim)
    assert associate(sim, k1, at="+1m").ok
    assert put(sim, "+2m", "m1", as_="reader").ok            # R-DS-30
    assert sim.world.item("m1").keys == (k1,)
    assert [e.op for e in sim.events][-3:] == [ASSOC, "cloudwatch:PutMetricData", "sim:Label"]

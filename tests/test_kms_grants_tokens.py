"""Grant tokens and account grantees (issue 13, R-KMS-GRANT-21, R-KMS-GRANT-28..32): a token
KMS never issued is refused with InvalidGrantTokenException by the operations that list it,
a token of a revoked grant confers nothing (A-GRANT-TOKEN-ENDED), GrantTokens keeps the
model's form, and a grant to an account (``arn:aws:iam::ACCOUNT:root``) lets the account's
principals use it as their IAM policies allow (A-GRANT-ACCOUNT-GRANTEE), on the command side,
in the answers and in ``kmsim at``."""

from __future__ import annotations

import json

import pytest
from support import ACCT, ALLOW_ALL, REGION, START

from projections import decrypt
from sim import Simulator
from sim.cli import main
from sim.testing import simulated_aws

ROOT = f"arn:aws:iam::{ACCT}:root"
#: The key policy lets the admin manage the key and nothing else: every other permission
#: has to come from a grant (the account root is not named, so IAM is not delegated to).
ADMIN = f"arn:aws:iam::{ACCT}:role/admin"
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": ADMIN}, "Action": "kms:*", "Resource": "*"},
    {"Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
     "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*",
                "kms:DescribeKey"], "Resource": "*"}]})
#: An identity policy allowing kms:Decrypt (and CloudWatch reads) on every key.
MAY_DECRYPT = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:Encrypt", "cloudwatch:*"],
     "Resource": "*"}]}


def new_sim(**assumptions: str) -> tuple[Simulator, str]:
    sim = Simulator(start=START, account=ACCT, region=REGION, assumptions=assumptions)
    sim.principal("admin", policy=ALLOW_ALL)
    sim.principal("reader")
    sim.principal("allowed", policy=MAY_DECRYPT)
    sim.principal("plain", policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "cloudwatch:*", "Resource": "*"}]})
    key = sim.call("kms:CreateKey", {"Policy": POLICY}, as_="admin").get("KeyMetadata.Arn")
    return sim, key


def encrypt(sim: Simulator, key: str, as_: str, at: str | None = None, **args: object):
    return sim.call("kms:Encrypt", {"KeyId": key, "Plaintext": "aGVsbG8=", **args}, as_=as_,
                    at=at)


def err(result) -> tuple[str | None, str | None]:
    out = result.event.out
    return out.get("err"), out.get("rule")


def reader_grant(sim: Simulator, key: str, **args: object):
    req = {"KeyId": key, "GranteePrincipal": f"arn:aws:iam::{ACCT}:role/reader",
           "Operations": ["Encrypt", "Decrypt"], **args}
    made = sim.call("kms:CreateGrant", req, as_="admin")
    assert made.ok, made.event.out
    return made


# -- tokens -------------------------------------------------------------------------------


def test_a_token_kms_never_issued_is_refused_and_changes_nothing():
    sim, key = new_sim(propagation="instant")
    reader_grant(sim, key)
    before = len(sim.events)
    result = encrypt(sim, key, "reader", GrantTokens=["bm90LWEtdG9rZW4="])
    assert err(result) == ("InvalidGrantTokenException", "R-KMS-GRANT-30")
    assert "not valid" in result.event.out["msg"]
    assert len(sim.events) == before + 1  # the failed call is recorded, and folds nothing
    # one bad token among good ones still fails the call
    token = reader_grant(sim, key).get("GrantToken")
    assert err(encrypt(sim, key, "reader", GrantTokens=[token, "x"]))[0] == \
        "InvalidGrantTokenException"
    assert encrypt(sim, key, "reader", GrantTokens=[token]).ok
    # CreateGrant, whose model lists the error too, refuses it the same way
    made = sim.call("kms:CreateGrant", {"KeyId": key, "GranteePrincipal": ADMIN,
                                        "Operations": ["Decrypt"], "GrantTokens": ["x"]},
                    as_="admin")
    assert err(made) == ("InvalidGrantTokenException", "R-KMS-GRANT-30")


def test_describe_key_whose_model_lists_no_such_error_ignores_an_unknown_token():
    sim, key = new_sim(propagation="instant")
    ok = sim.call("kms:DescribeKey", {"KeyId": key, "GrantTokens": ["x"]}, as_="admin")
    assert ok.ok, ok.event.out
    sim, key = new_sim(propagation="instant", grant_token_unlisted="invalid")
    refused = sim.call("kms:DescribeKey", {"KeyId": key, "GrantTokens": ["x"]}, as_="admin")
    assert err(refused) == ("InvalidGrantTokenException", "R-KMS-GRANT-31")


def test_a_token_of_a_revoked_grant_confers_nothing_by_default():
    sim, key = new_sim(propagation="instant")
    made = reader_grant(sim, key)
    token, gid = made.get("GrantToken"), made.get("GrantId")
    assert encrypt(sim, key, "reader", GrantTokens=[token]).ok
    assert sim.call("kms:RevokeGrant", {"KeyId": key, "GrantId": gid}, as_="admin").ok
    assert err(encrypt(sim, key, "reader", GrantTokens=[token])) == \
        ("AccessDeniedException", "R-KMS-19")


def test_a_token_of_a_revoked_grant_is_invalid_under_the_alternative():
    sim, key = new_sim(propagation="instant", grant_token_ended="invalid")
    made = reader_grant(sim, key)
    token, gid = made.get("GrantToken"), made.get("GrantId")
    assert sim.call("kms:RevokeGrant", {"KeyId": key, "GrantId": gid}, as_="admin").ok
    assert err(encrypt(sim, key, "reader", GrantTokens=[token])) == \
        ("InvalidGrantTokenException", "R-KMS-GRANT-32")
    # the admin, whom the key policy allows, is refused too: the token itself is invalid
    assert err(encrypt(sim, key, "admin", GrantTokens=[token]))[0] == \
        "InvalidGrantTokenException"


def test_grant_tokens_keep_the_models_form():
    sim, key = new_sim(propagation="instant")
    token = reader_grant(sim, key).get("GrantToken")
    eleven = encrypt(sim, key, "reader", GrantTokens=[token] * 11)
    assert err(eleven)[0] == "ValidationException"
    assert err(encrypt(sim, key, "reader", GrantTokens=[""]))[0] == "ValidationException"
    assert err(encrypt(sim, key, "reader", GrantTokens=["a" * 8193]))[0] == \
        "ValidationException"
    assert encrypt(sim, key, "reader", GrantTokens=[token] * 10).ok
    # DescribeKey takes the same GrantTokenList
    described = sim.call("kms:DescribeKey", {"KeyId": key, "GrantTokens": [token] * 11},
                         as_="admin")
    assert err(described)[0] == "ValidationException"


# -- a grant to an account ----------------------------------------------------------------


def test_a_grant_to_the_account_root_is_used_by_a_role_with_an_iam_allow_only():
    sim, key = new_sim(propagation="instant")
    assert err(encrypt(sim, key, "allowed")) == ("AccessDeniedException", "R-KMS-19")
    made = sim.call("kms:CreateGrant", {"KeyId": key, "GranteePrincipal": ROOT,
                                        "Operations": ["Encrypt", "Decrypt"]}, as_="admin")
    assert made.ok, made.event.out
    through = encrypt(sim, key, "allowed")
    assert through.ok, through.event.out
    refused = encrypt(sim, key, "plain")  # no IAM allow: the account's grant is not its own
    assert err(refused) == ("AccessDeniedException", "R-KMS-19")
    assert sim.call("kms:Encrypt", {"KeyId": key, "Plaintext": "aGk="}, as_=ROOT).ok
    # an operation the grant does not list stays refused, IAM allow or not
    sim.principal("describer", policy=ALLOW_ALL)
    assert not sim.call("kms:DescribeKey", {"KeyId": key}, as_="describer").ok


def test_root_only_keeps_an_account_grant_to_the_root_user():
    sim, key = new_sim(propagation="instant", grant_account_grantee="root-only")
    assert sim.call("kms:CreateGrant", {"KeyId": key, "GranteePrincipal": ROOT,
                                        "Operations": ["Encrypt"]}, as_="admin").ok
    assert err(encrypt(sim, key, "allowed")) == ("AccessDeniedException", "R-KMS-19")
    assert encrypt(sim, key, ROOT).ok


def test_a_role_of_another_account_does_not_use_a_grant_to_this_account():
    sim, key = new_sim(propagation="instant")
    sim.principal("stranger", arn="arn:aws:iam::444455556666:role/stranger", policy=ALLOW_ALL)
    assert sim.call("kms:CreateGrant", {"KeyId": key, "GranteePrincipal": ROOT,
                                        "Operations": ["Encrypt"]}, as_="admin").ok
    assert err(encrypt(sim, key, "arn:aws:iam::444455556666:role/stranger"))[0] == \
        "AccessDeniedException"


def test_an_account_retiring_principal_delegates_retiring_to_its_iam_principals():
    sim, key = new_sim(propagation="instant")
    other = "arn:aws:iam::444455556666:root"
    sim.principal("ops", arn="arn:aws:iam::444455556666:role/ops", policy={
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "kms:RetireGrant", "Resource": "*"}]})
    sim.principal("idle", arn="arn:aws:iam::444455556666:role/idle")
    gid = sim.call("kms:CreateGrant", {"KeyId": key, "GranteePrincipal": ADMIN,
                                       "RetiringPrincipal": other, "Operations": ["Decrypt"]},
                   as_="admin").get("GrantId")
    req = {"KeyId": key, "GrantId": gid}
    assert err(sim.call("kms:RetireGrant", req, as_="arn:aws:iam::444455556666:role/idle")) == \
        ("AccessDeniedException", "R-KMS-GRANT-19")
    retired = sim.call("kms:RetireGrant", req, as_="arn:aws:iam::444455556666:role/ops")
    assert retired.ok, retired.event.out


def test_the_answers_read_through_an_account_grant_per_shape_as_per_item():
    sim, key = new_sim(propagation="instant")
    assert sim.call("cloudwatch:AssociateDatasetKmsKey",
                    {"DatasetIdentifier": "default", "KmsKeyArn": key}, as_="admin").ok
    assert sim.call("cloudwatch:PutMetricData", {"Namespace": "Shop", "MetricData": [
        {"MetricName": "Orders", "Value": 1.0}]}, as_="admin", label="m1").ok
    assert sim.decryptable("m1", as_="allowed").status == "no"
    gid = sim.call("kms:CreateGrant", {"KeyId": key, "GranteePrincipal": ROOT,
                                       "Operations": ["Decrypt"]}, as_="admin").get("GrantId")
    yes = sim.decryptable("m1", as_="allowed")
    assert yes.status == "yes" and "R-KMS-GRANT-28" in yes.rules
    assert any(gid in r for r in yes.reasons)
    assert sim.decryptable("m1", as_="plain").status == "no"
    world = sim.world
    for who in (sim.principal_arn("allowed"), sim.principal_arn("plain")):
        shaped = decrypt.Answers(world, who)
        items = list(world.iter_items())
        assert [shaped(i) for i in items] == [decrypt.decryptability(world, i, who)
                                              for i in items]


def test_kmsim_at_names_the_account_grant(tmp_path, capsys):
    sim, key = new_sim(propagation="instant")
    assert sim.call("cloudwatch:AssociateDatasetKmsKey",
                    {"DatasetIdentifier": "default", "KmsKeyArn": key}, as_="admin").ok
    assert sim.call("cloudwatch:PutMetricData", {"Namespace": "Shop", "MetricData": [
        {"MetricName": "Orders", "Value": 1.0}]}, as_="admin", label="m1").ok
    gid = sim.call("kms:CreateGrant", {"KeyId": key, "GranteePrincipal": ROOT,
                                       "Operations": ["Decrypt"]}, as_="admin").get("GrantId")
    log = sim.save(tmp_path / "account-grant.kmlog")
    assert main(["at", str(log), "+1h", "--as", "allowed", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (item,) = [i for i in doc["items"] if i["label"] == "m1"]
    assert item["status"] == "yes" and "R-KMS-GRANT-28" in item["rules"]
    assert main(["at", str(log), "+1h", "--as", "allowed"]) == 0
    assert gid in capsys.readouterr().out
    assert main(["at", str(log), "+1h", "--as", "plain", "--json"]) == 0
    (item,) = [i for i in json.loads(capsys.readouterr().out)["items"] if i["label"] == "m1"]
    assert item["status"] == "no"


# -- boto3 against the in-process server ------------------------------------------------


def test_boto3_unknown_token_and_account_grant():
    pytest.importorskip("boto3")
    with simulated_aws(account=ACCT, region=REGION,
                       assumptions={"propagation": "instant"}) as aws:
        aws.principal("admin", policy=ALLOW_ALL)
        aws.principal("allowed", policy=MAY_DECRYPT)
        aws.principal("plain")
        admin, user, plain = (aws.client("kms", as_=who) for who in ("admin", "allowed",
                                                                      "plain"))
        key = admin.create_key(Policy=POLICY)["KeyMetadata"]["Arn"]
        with pytest.raises(admin.exceptions.InvalidGrantTokenException):
            admin.encrypt(KeyId=key, Plaintext=b"hi", GrantTokens=["bm90LWEtdG9rZW4="])
        with pytest.raises(user.exceptions.ClientError) as denied:
            user.encrypt(KeyId=key, Plaintext=b"hi")
        assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
        admin.create_grant(KeyId=key, GranteePrincipal=ROOT, Operations=["Encrypt"])
        assert user.encrypt(KeyId=key, Plaintext=b"hi")["CiphertextBlob"]
        with pytest.raises(plain.exceptions.ClientError) as denied:
            plain.encrypt(KeyId=key, Plaintext=b"hi")
        assert denied.value.response["Error"]["Code"] == "AccessDeniedException"

"""KMS grants on the command side (R-KMS-GRANT-*): CreateGrant and its checks, ListGrants,
ListRetirableGrants, RetireGrant, RevokeGrant, and how grants and their tokens authorize
calls inside and after the five-minute window (A-PROPAGATION)."""

from __future__ import annotations

import json

import pytest
from support import ACCT, ALLOW_ALL, REGION, START

from projections.kms.grants import GrantsState
from sim import Simulator

ROOT = f"arn:aws:iam::{ACCT}:root"
READER = f"arn:aws:iam::{ACCT}:role/reader"
RETIRER = f"arn:aws:iam::{ACCT}:role/retirer"


def new_sim(**assumptions: str) -> Simulator:
    """admin may do everything (identity policy); reader and retirer have no policy."""
    sim = Simulator(start=START, account=ACCT, region=REGION, assumptions=assumptions)
    sim.principal("admin", policy=ALLOW_ALL)
    sim.principal("reader")
    sim.principal("retirer")
    return sim


def make_key(sim: Simulator, **args: object) -> str:
    result = sim.call("kms:CreateKey", dict(args), as_="admin")
    assert result.ok, result.event.out
    return result.get("KeyMetadata.Arn")


def grant(sim: Simulator, key: str, as_: str = "admin", at: str | None = None, **args: object):
    req = {"KeyId": key, "GranteePrincipal": READER, "Operations": ["Decrypt", "Encrypt"],
           **args}
    return sim.call("kms:CreateGrant", req, as_=as_, at=at)


def encrypt(sim: Simulator, key: str, as_: str = "reader", at: str | None = None,
            **args: object):
    return sim.call("kms:Encrypt", {"KeyId": key, "Plaintext": "aGVsbG8=", **args}, as_=as_,
                    at=at)


def err(result) -> tuple[str, str]:
    out = result.event.out
    return out.get("err"), out.get("rule")


def test_create_grant_answers_a_drawn_token_and_id():
    sim = new_sim()
    key = make_key(sim)
    result = grant(sim, key)
    assert result.ok, result.event.out
    gid, token = result.get("GrantId"), result.get("GrantToken")
    assert len(gid) == 64 and int(gid, 16) >= 0
    assert token and gid != token
    state = sim.world.peek(GrantsState)
    assert state.grants[gid].grantee == READER and state.tokens[token] == gid
    assert "GrantId" in result.event.draws and "GrantToken" in result.event.draws


def test_a_grant_token_allows_at_once_and_the_grant_alone_after_its_window():
    sim = new_sim()
    key = make_key(sim)
    assert err(encrypt(sim, key)) == ("AccessDeniedException", "R-KMS-19")
    token = grant(sim, key).get("GrantToken")
    # inside the window: without the token the grant is undecided (A-GRANT-UNDECIDED refuse)
    assert err(encrypt(sim, key, at="+1m")) == ("AccessDeniedException", "R-KMS-19")
    assert encrypt(sim, key, at="+1m", GrantTokens=[token]).ok
    assert encrypt(sim, key, at="+5m").ok  # the window has ended: the grant alone allows it
    # an operation the grant does not list stays refused
    assert not sim.call("kms:DescribeKey", {"KeyId": key}, as_="reader", at="+6m").ok


def test_a_context_constraint_does_not_apply_to_describe_key():
    sim = new_sim(propagation="instant")
    key = make_key(sim)
    grant(sim, key, Operations=["DescribeKey", "Decrypt"],
          Constraints={"EncryptionContextEquals": {"a": "b"}})
    assert sim.call("kms:DescribeKey", {"KeyId": key}, as_="reader").ok


def test_undecided_allow_lets_a_grant_inside_its_window_allow():
    sim = new_sim(grant_undecided="allow")
    key = make_key(sim)
    grant(sim, key)
    assert encrypt(sim, key, at="+1m").ok


@pytest.mark.parametrize(("model", "inside", "after"), [
    ("instant", False, False), ("max", True, False), ("fixed:2m", True, False)])
def test_a_revoked_grant_stops_as_the_window_model_says(model, inside, after):
    sim = new_sim(propagation=model)
    key = make_key(sim)
    gid = grant(sim, key).get("GrantId")
    assert encrypt(sim, key, at="+10m").ok
    assert sim.call("kms:RevokeGrant", {"KeyId": key, "GrantId": gid}, as_="admin",
                    at="+11m").ok
    assert encrypt(sim, key, at="+12m").ok is inside
    assert encrypt(sim, key, at="+17m").ok is after


def test_revoked_under_uncertain_refuses_at_once_and_a_token_does_not_bring_it_back():
    sim = new_sim()
    key = make_key(sim)
    created = grant(sim, key)
    sim.call("kms:RevokeGrant", {"KeyId": key, "GrantId": created.get("GrantId")},
             as_="admin", at="+10m")
    assert not encrypt(sim, key, at="+11m", GrantTokens=[created.get("GrantToken")]).ok
    assert sim.call("kms:ListGrants", {"KeyId": key}, as_="admin").get("Grants") == []


def test_an_explicit_deny_wins_over_a_grant():
    sim = new_sim(propagation="instant")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": {"AWS": READER}, "Action": "kms:Encrypt",
         "Resource": "*"}]}
    key = make_key(sim, Policy=json.dumps(policy))
    assert grant(sim, key).ok
    assert err(encrypt(sim, key, at="+1m")) == ("AccessDeniedException", "R-KMS-19")


def test_encryption_context_constraints():
    sim = new_sim(propagation="instant")
    key = make_key(sim)
    grant(sim, key, Constraints={"EncryptionContextSubset": {"Dept": "Finance"}})
    assert not encrypt(sim, key).ok
    assert not encrypt(sim, key, EncryptionContext={"Dept": "finance"}).ok
    assert encrypt(sim, key, EncryptionContext={"Dept": "Finance", "x": "1"}).ok
    other = make_key(sim)
    grant(sim, other, Constraints={"EncryptionContextEquals": {"Dept": "Finance"}})
    assert encrypt(sim, other, EncryptionContext={"Dept": "Finance"}).ok
    assert not encrypt(sim, other, EncryptionContext={"Dept": "Finance", "x": "1"}).ok


def test_create_grant_checks():
    sim = new_sim()
    key = make_key(sim)
    assert err(grant(sim, key, Operations=["Sign"])) == ("ValidationException",
                                                         "R-KMS-GRANT-03")
    assert err(grant(sim, key, Operations=["Fly"]))[0] == "ValidationException"
    assert err(sim.call("kms:CreateGrant", {"KeyId": key, "Operations": ["Decrypt"]},
                        as_="admin")) == ("ValidationException", "R-KMS-GRANT-04")
    signing = make_key(sim, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    assert err(grant(sim, signing, Operations=["Sign"], Constraints={
        "EncryptionContextEquals": {"a": "b"}})) == ("ValidationException", "R-KMS-GRANT-27")
    assert grant(sim, signing, Operations=["Sign", "Verify", "GetPublicKey"]).ok
    assert err(grant(sim, key, as_="reader"))[0] == "AccessDeniedException"
    assert err(grant(sim, "alias/none"))[0] == "NotFoundException"
    before = len(sim.world.peek(GrantsState).grants)
    assert err(grant(sim, key, DryRun=True)) == ("DryRunOperationException", "R-KMS-ASYM-26")
    assert len(sim.world.peek(GrantsState).grants) == before


def test_a_disabled_key_refuses_create_grant():
    sim = new_sim()
    key = make_key(sim)
    sim.call("kms:DisableKey", {"KeyId": key}, as_="admin")
    assert err(grant(sim, key))[0] in ("DisabledException", "KMSInvalidStateException")


def test_a_named_grant_is_idempotent_with_identical_parameters():
    sim = new_sim()
    key = make_key(sim)
    first = grant(sim, key, Name="app")
    again = grant(sim, key, Name="app")
    assert again.get("GrantId") == first.get("GrantId")
    assert again.get("GrantToken") != first.get("GrantToken")
    other = grant(sim, key, Name="app", Operations=["Decrypt"])
    assert other.get("GrantId") != first.get("GrantId")  # A-GRANT-NAME-REUSE new
    listed = sim.call("kms:ListGrants", {"KeyId": key}, as_="admin").get("Grants")
    assert len(listed) == 2


def test_name_reuse_existing_answers_the_named_grant():
    sim = new_sim(grant_name_reuse="existing")
    key = make_key(sim)
    first = grant(sim, key, Name="app")
    assert grant(sim, key, Name="app", Operations=["Decrypt"]).get("GrantId") == \
        first.get("GrantId")


def test_list_grants_filters_and_pages():
    sim = new_sim()
    key = make_key(sim)
    ids = [grant(sim, key, GranteePrincipal=READER if i % 2 else RETIRER).get("GrantId")
           for i in range(5)]
    page1 = sim.call("kms:ListGrants", {"KeyId": key, "Limit": 2}, as_="admin")
    assert page1.get("Truncated") is True and len(page1.get("Grants")) == 2
    seen = [g["GrantId"] for g in page1.get("Grants")]
    marker = page1.get("NextMarker")
    while marker:
        nxt = sim.call("kms:ListGrants", {"KeyId": key, "Limit": 2, "Marker": marker},
                       as_="admin")
        seen += [g["GrantId"] for g in nxt.get("Grants")]
        marker = nxt.res.get("NextMarker")
    assert seen == ids
    mine = sim.call("kms:ListGrants", {"KeyId": key, "GranteePrincipal": READER}, as_="admin")
    assert [g["GrantId"] for g in mine.get("Grants")] == ids[1::2]
    one = sim.call("kms:ListGrants", {"KeyId": key, "GrantId": ids[3]}, as_="admin")
    entry = one.get("Grants")[0]
    assert entry["KeyId"] == key and entry["Operations"] == ["Decrypt", "Encrypt"]
    assert entry["IssuingAccount"] == ROOT and entry["GranteePrincipal"] == READER
    assert err(sim.call("kms:ListGrants", {"KeyId": key, "Limit": 101}, as_="admin")) == (
        "ValidationException", "R-KMS-GRANT-16")
    assert err(sim.call("kms:ListGrants", {"KeyId": key}, as_="reader"))[0] == \
        "AccessDeniedException"


def test_retire_by_token_by_id_and_who_may_retire():
    sim = new_sim(propagation="instant")
    key = make_key(sim)
    a = grant(sim, key, RetiringPrincipal=RETIRER)
    retirable = sim.call("kms:ListRetirableGrants", {"RetiringPrincipal": RETIRER},
                         as_="admin").get("Grants")
    assert [g["GrantId"] for g in retirable] == [a.get("GrantId")]
    # the grantee may not retire it: the grant does not allow RetireGrant
    assert err(sim.call("kms:RetireGrant", {"GrantToken": a.get("GrantToken")},
                        as_="reader")) == ("AccessDeniedException", "R-KMS-GRANT-19")
    assert sim.call("kms:RetireGrant", {"GrantToken": a.get("GrantToken")}, as_="retirer").ok
    assert not encrypt(sim, key).ok
    assert err(sim.call("kms:RetireGrant", {"GrantToken": a.get("GrantToken")},
                        as_="retirer")) == ("InvalidGrantTokenException", "R-KMS-GRANT-21")
    b = grant(sim, key, Operations=["Encrypt", "RetireGrant"])
    assert sim.call("kms:RetireGrant", {"KeyId": key, "GrantId": b.get("GrantId")},
                    as_="reader").ok
    c = grant(sim, key)
    assert sim.call("kms:RetireGrant", {"KeyId": key, "GrantId": c.get("GrantId")},
                    as_="admin").ok  # a principal a policy lets retire it
    assert sim.call("kms:ListGrants", {"KeyId": key}, as_="admin").get("Grants") == []


def test_unknown_grant_ids():
    sim = new_sim()
    key = make_key(sim)
    gone = {"KeyId": key, "GrantId": "0" * 64}
    assert err(sim.call("kms:RevokeGrant", gone, as_="admin")) == ("NotFoundException",
                                                                     "R-KMS-GRANT-22")
    sim2 = new_sim(grant_unknown_id="invalid-grant-id")
    key2 = make_key(sim2)
    assert err(sim2.call("kms:RetireGrant", {"KeyId": key2, "GrantId": "0" * 64},
                         as_="admin")) == ("InvalidGrantIdException", "R-KMS-GRANT-22")
    assert err(sim.call("kms:RevokeGrant", {"KeyId": key}, as_="admin"))[0] == \
        "ValidationException"


def test_revoke_needs_kms_revoke_grant_and_dry_run_changes_nothing():
    sim = new_sim()
    key = make_key(sim)
    gid = grant(sim, key).get("GrantId")
    assert err(sim.call("kms:RevokeGrant", {"KeyId": key, "GrantId": gid},
                        as_="reader"))[0] == "AccessDeniedException"
    assert err(sim.call("kms:RevokeGrant", {"KeyId": key, "GrantId": gid, "DryRun": True},
                        as_="admin"))[0] == "DryRunOperationException"
    assert sim.world.peek(GrantsState).grants[gid].ended is None


def test_a_grant_with_create_grant_allows_only_stricter_children():
    sim = new_sim(propagation="instant")
    key = make_key(sim)
    grant(sim, key, Operations=["Decrypt", "CreateGrant"],
          Constraints={"EncryptionContextSubset": {"app": "a"}})
    child = {"GranteePrincipal": RETIRER}
    assert err(grant(sim, key, as_="reader", Operations=["Encrypt"], **child,
                     Constraints={"EncryptionContextSubset": {"app": "a"}})) == (
        "AccessDeniedException", "R-KMS-GRANT-24")
    assert err(grant(sim, key, as_="reader", Operations=["Decrypt"], **child))[1] == \
        "R-KMS-GRANT-24"
    assert grant(sim, key, as_="reader", Operations=["Decrypt"], **child,
                 Constraints={"EncryptionContextEquals": {"app": "a", "b": "c"}}).ok


def test_random_window_is_drawn_and_replays():
    sim = new_sim(propagation="random:7")
    key = make_key(sim)
    created = grant(sim, key)
    delay = created.event.draws["delay"]
    assert 0 <= delay < 5 * 60_000
    g = sim.world.peek(GrantsState).grants[created.get("GrantId")]
    assert g.effective_at == created.event.t + delay

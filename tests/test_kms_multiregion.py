"""Multi-Region keys (R-KMS-MRK-*): CreateKey MultiRegion, ReplicateKey, UpdatePrimaryRegion,
deleting a primary that has replicas, and ciphertext decrypted in another Region; in-process
through the Simulator, and with boto3 against ``kmsim serve``.

The expected KeyMetadata members come from botocore's own kms examples (``examples-1.json``:
the multi-Region CreateKey, ReplicateKey and DescribeKey outputs of the real service).
"""

from __future__ import annotations

import json
import re

import pytest
from botocore.loaders import Loader
from server_support import client, running
from support import ACCT, ALLOW_ALL, REGION, START
from support import START_MS as T0

from events.timefmt import DAY
from sim import Simulator

WEST = "us-west-2"
EU = "eu-west-1"
BLOB = "c2VjcmV0"  # "secret"


def new_sim(**assumptions: str) -> Simulator:
    sim = Simulator(start=START, account=ACCT, region=REGION, assumptions=assumptions)
    sim.principal("admin", policy=ALLOW_ALL)
    return sim


def ok(sim: Simulator, op: str, args: dict, **kw) -> dict:
    r = sim.call(op, args, as_="admin", **kw)
    assert r.ok, r.event.out
    return r.res


def refused(sim: Simulator, op: str, args: dict, **kw) -> tuple[str, str]:
    keys = {k: (v.state, v.multi_region) for k, v in sim.world.keys.items()}
    r = sim.call(op, args, as_="admin", **kw)
    assert not r.ok, r.event.out
    assert {k: (v.state, v.multi_region) for k, v in sim.world.keys.items()} == keys
    return r.err, r.rule


def primary(sim: Simulator, **args) -> dict:
    return ok(sim, "kms:CreateKey", {"MultiRegion": True, **args})["KeyMetadata"]


def replicate(sim: Simulator, key: str, to: str = WEST, region: str = REGION, **args) -> dict:
    return ok(sim, "kms:ReplicateKey", {"KeyId": key, "ReplicaRegion": to, **args},
              region=region)


def describe(sim: Simulator, key: str, region: str = REGION, **kw) -> dict:
    return ok(sim, "kms:DescribeKey", {"KeyId": key}, region=region, **kw)["KeyMetadata"]


def _example(op: str) -> dict:
    for e in Loader().load_service_model("kms", "examples-1")["examples"][op]:
        meta = e["output"].get("KeyMetadata") or e["output"].get("ReplicaKeyMetadata")
        if meta and meta.get("MultiRegion"):
            return meta
    raise LookupError(op)


# -- CreateKey and ReplicateKey -----------------------------------------------------------

def test_a_multi_region_primary_has_an_mrk_id_and_its_configuration():
    sim = new_sim()
    meta = primary(sim)
    assert re.fullmatch(r"mrk-[0-9a-f]{32}", meta["KeyId"])
    assert meta["Arn"] == f"arn:aws:kms:{REGION}:{ACCT}:key/{meta['KeyId']}"
    assert meta["MultiRegion"] is True
    assert meta["MultiRegionConfiguration"] == {
        "MultiRegionKeyType": "PRIMARY", "PrimaryKey": {"Arn": meta["Arn"], "Region": REGION},
        "ReplicaKeys": []}
    # AWS's example of the same call has these members (CurrentKeyMaterialId is newer)
    assert set(meta) - {"CurrentKeyMaterialId"} == set(_example("CreateKey"))
    single = ok(sim, "kms:CreateKey", {})["KeyMetadata"]
    assert single["MultiRegion"] is False and "MultiRegionConfiguration" not in single


def test_a_replica_shares_the_key_id_and_material_but_not_policy_or_description():
    sim = new_sim()
    meta = primary(sim, Description="the primary")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
         "Action": "kms:*", "Resource": "*"}]})
    res = replicate(sim, meta["KeyId"], Description="the replica", Policy=policy,
                    Tags=[{"TagKey": "team", "TagValue": "a"}])
    rep = res["ReplicaKeyMetadata"]
    assert rep["KeyId"] == meta["KeyId"]
    assert rep["Arn"] == f"arn:aws:kms:{WEST}:{ACCT}:key/{meta['KeyId']}"
    assert (rep["KeyState"], rep["Description"]) == ("Enabled", "the replica")
    assert rep["CurrentKeyMaterialId"] == meta["CurrentKeyMaterialId"]
    assert res["ReplicaPolicy"] == policy
    assert res["ReplicaTags"] == [{"TagKey": "team", "TagValue": "a"}]
    tags = ok(sim, "kms:ListResourceTags", {"KeyId": meta["KeyId"]}, region=WEST)["Tags"]
    assert tags == [{"TagKey": "team", "TagValue": "a"}]
    assert ok(sim, "kms:ListResourceTags", {"KeyId": meta["KeyId"]})["Tags"] == []
    assert rep["MultiRegionConfiguration"] == {
        "MultiRegionKeyType": "REPLICA", "PrimaryKey": {"Arn": meta["Arn"], "Region": REGION},
        "ReplicaKeys": [{"Arn": rep["Arn"], "Region": WEST}]}
    assert set(rep) - {"CurrentKeyMaterialId", "KeySpec"} == set(_example("ReplicateKey"))
    # every related key shows the whole set, and each Region lists its own key
    assert describe(sim, meta["KeyId"])["MultiRegionConfiguration"]["ReplicaKeys"] == [
        {"Arn": rep["Arn"], "Region": WEST}]
    assert describe(sim, meta["KeyId"], region=WEST)["Description"] == "the replica"
    assert describe(sim, meta["KeyId"])["Description"] == "the primary"
    listed = ok(sim, "kms:ListKeys", {}, region=WEST)["Keys"]
    assert listed == [{"KeyId": meta["KeyId"], "KeyArn": rep["Arn"]}]
    assert ok(sim, "kms:GetKeyPolicy", {"KeyId": meta["KeyId"]}, region=WEST)["Policy"] == policy


def test_replicas_in_several_regions_are_listed_in_creation_order():
    sim = new_sim()
    meta = primary(sim)
    west = replicate(sim, meta["Arn"])["ReplicaKeyMetadata"]["Arn"]
    eu = replicate(sim, meta["Arn"], EU)["ReplicaKeyMetadata"]["Arn"]
    for region in (REGION, WEST, EU):
        conf = describe(sim, meta["KeyId"], region=region)["MultiRegionConfiguration"]
        assert conf["ReplicaKeys"] == [{"Arn": west, "Region": WEST}, {"Arn": eu, "Region": EU}]


def test_one_replica_per_region_and_never_in_the_primarys_region():
    sim = new_sim()
    meta = primary(sim)
    replicate(sim, meta["KeyId"])
    assert refused(sim, "kms:ReplicateKey", {"KeyId": meta["KeyId"], "ReplicaRegion": WEST}) == (
        "AlreadyExistsException", "R-KMS-MRK-04")
    assert refused(sim, "kms:ReplicateKey", {"KeyId": meta["KeyId"], "ReplicaRegion": REGION}) \
        == ("AlreadyExistsException", "R-KMS-MRK-13")
    other = new_sim(mrk_same_region="validation")
    key = primary(other)["KeyId"]
    assert refused(other, "kms:ReplicateKey", {"KeyId": key, "ReplicaRegion": REGION}) == (
        "ValidationException", "R-KMS-MRK-13")


def test_only_a_multi_region_primary_can_be_replicated():
    sim = new_sim()
    single = ok(sim, "kms:CreateKey", {})["KeyMetadata"]["KeyId"]
    assert refused(sim, "kms:ReplicateKey", {"KeyId": single, "ReplicaRegion": WEST}) == (
        "UnsupportedOperationException", "R-KMS-MRK-12")
    meta = primary(sim)
    replicate(sim, meta["KeyId"])
    assert refused(sim, "kms:ReplicateKey", {"KeyId": meta["KeyId"], "ReplicaRegion": EU},
                   region=WEST) == ("UnsupportedOperationException", "R-KMS-MRK-12")
    assert refused(sim, "kms:ReplicateKey", {"KeyId": meta["KeyId"],
                                             "ReplicaRegion": "not a region"})[0] == \
        "ValidationException"


def test_replicate_key_needs_the_permission_on_the_primary():
    sim = new_sim()
    sim.principal("operator", policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["kms:CreateKey", "kms:DescribeKey"], "Resource": "*"}]})
    meta = primary(sim)
    r = sim.call("kms:ReplicateKey", {"KeyId": meta["KeyId"], "ReplicaRegion": WEST},
                 as_="operator")
    assert (r.err, r.rule) == ("AccessDeniedException", "R-KMS-19")
    assert "kms:ReplicateKey" in r.event.out["msg"]


def test_a_replica_of_an_imported_material_key_has_no_material():
    sim = new_sim()
    meta = primary(sim, Origin="EXTERNAL")
    token = ok(sim, "kms:GetParametersForImport", {
        "KeyId": meta["KeyId"], "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
        "WrappingKeySpec": "RSA_2048"})["ImportToken"]
    ok(sim, "kms:ImportKeyMaterial", {"KeyId": meta["KeyId"], "ImportToken": token,
                                      "EncryptedKeyMaterial": "material",
                                      "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"})
    rep = replicate(sim, meta["KeyId"])["ReplicaKeyMetadata"]
    assert (rep["Origin"], rep["KeyState"]) == ("EXTERNAL", "PendingImport")


# -- across Regions -----------------------------------------------------------------------

def test_a_ciphertext_decrypts_in_another_region_with_the_related_key():
    sim = new_sim()
    meta = primary(sim)
    rep = replicate(sim, meta["KeyId"])["ReplicaKeyMetadata"]["Arn"]
    blob = ok(sim, "kms:Encrypt", {"KeyId": meta["Arn"], "Plaintext": BLOB,
                                   "EncryptionContext": {"a": "b"}})["CiphertextBlob"]
    res = ok(sim, "kms:Decrypt", {"CiphertextBlob": blob, "EncryptionContext": {"a": "b"}},
             region=WEST)
    assert (res["KeyId"], res["Plaintext"]) == (rep, BLOB)
    # naming the related key of the Region is naming the key that encrypted it
    res = ok(sim, "kms:Decrypt", {"CiphertextBlob": blob, "KeyId": rep,
                                  "EncryptionContext": {"a": "b"}}, region=WEST)
    assert res["KeyId"] == rep
    # and the other way round: made in us-west-2, read in us-east-1
    back = ok(sim, "kms:Encrypt", {"KeyId": meta["KeyId"], "Plaintext": BLOB},
              region=WEST)["CiphertextBlob"]
    assert ok(sim, "kms:Decrypt", {"CiphertextBlob": back})["KeyId"] == meta["Arn"]
    again = ok(sim, "kms:ReEncrypt", {"CiphertextBlob": blob, "DestinationKeyId": rep,
                                      "SourceEncryptionContext": {"a": "b"}}, region=WEST)
    assert again["SourceKeyId"] == rep


def test_a_single_region_ciphertext_does_not_decrypt_elsewhere():
    sim = new_sim()
    key = ok(sim, "kms:CreateKey", {})["KeyMetadata"]["Arn"]
    blob = ok(sim, "kms:Encrypt", {"KeyId": key, "Plaintext": BLOB})["CiphertextBlob"]
    assert refused(sim, "kms:Decrypt", {"CiphertextBlob": blob}, region=WEST)[0] == \
        "NotFoundException"


def test_an_alias_in_the_replicas_region_names_the_replica():
    sim = new_sim()
    meta = primary(sim)
    rep = replicate(sim, meta["KeyId"])["ReplicaKeyMetadata"]["Arn"]
    ok(sim, "kms:CreateAlias", {"AliasName": "alias/app", "TargetKeyId": meta["KeyId"]},
       region=WEST)
    assert describe(sim, "alias/app", region=WEST)["Arn"] == rep
    aliases = ok(sim, "kms:ListAliases", {}, region=WEST)["Aliases"]
    assert [a["AliasName"] for a in aliases] == ["alias/app"]
    assert refused(sim, "kms:DescribeKey", {"KeyId": "alias/app"})[0] == "NotFoundException"


# -- deletion -----------------------------------------------------------------------------

def test_a_primary_with_replicas_waits_for_them_before_its_waiting_period():
    sim = new_sim()
    meta = primary(sim)
    rep = replicate(sim, meta["KeyId"])["ReplicaKeyMetadata"]["Arn"]
    res = ok(sim, "kms:ScheduleKeyDeletion", {"KeyId": meta["KeyId"], "PendingWindowInDays": 9})
    assert res == {"KeyId": meta["Arn"], "KeyState": "PendingReplicaDeletion",
                   "PendingWindowInDays": 9}
    shown = describe(sim, meta["KeyId"], at="+60d")
    assert shown["KeyState"] == "PendingReplicaDeletion" and "DeletionDate" not in shown
    assert shown["PendingDeletionWindowInDays"] == 9
    assert refused(sim, "kms:Encrypt", {"KeyId": meta["KeyId"], "Plaintext": BLOB})[0] == \
        "KMSInvalidStateException"
    assert refused(sim, "kms:ReplicateKey", {"KeyId": meta["KeyId"], "ReplicaRegion": EU})[0] \
        == "KMSInvalidStateException"
    ok(sim, "kms:ScheduleKeyDeletion", {"KeyId": rep, "PendingWindowInDays": 7}, region=WEST)
    assert sim.world.key_by_arn(meta["Arn"]).state == "PendingReplicaDeletion"  # scheduled only
    sim.advance(7 * DAY)
    key = sim.world.key_by_arn(meta["Arn"])
    assert (key.state, key.since.rule) == ("PendingDeletion", "R-KMS-MRK-09")
    replica_deleted = T0 + 60 * DAY + 7 * DAY
    assert key.deletion_date == replica_deleted + 9 * DAY
    shown = describe(sim, meta["KeyId"])
    assert shown["DeletionDate"] == key.deletion_date / 1000
    assert shown["MultiRegionConfiguration"]["ReplicaKeys"] == []
    sim.advance(9 * DAY)
    assert sim.world.key_by_arn(meta["Arn"]).state == "Deleted"


def test_cancelling_a_pending_replica_deletion_leaves_the_primary_disabled():
    sim = new_sim()
    meta = primary(sim)
    replicate(sim, meta["KeyId"])
    ok(sim, "kms:ScheduleKeyDeletion", {"KeyId": meta["KeyId"]})
    ok(sim, "kms:CancelKeyDeletion", {"KeyId": meta["KeyId"]})
    key = sim.world.key_by_arn(meta["Arn"])
    assert (key.state, key.since.rule) == ("Disabled", "R-KMS-MRK-10")


def test_a_primary_without_replicas_is_scheduled_as_any_key():
    sim = new_sim()
    meta = primary(sim)
    res = ok(sim, "kms:ScheduleKeyDeletion", {"KeyId": meta["KeyId"], "PendingWindowInDays": 7})
    assert res["KeyState"] == "PendingDeletion" and "DeletionDate" in res


# -- UpdatePrimaryRegion ------------------------------------------------------------------

def test_update_primary_region_swaps_the_roles():
    sim = new_sim()
    meta = primary(sim)
    rep = replicate(sim, meta["KeyId"])["ReplicaKeyMetadata"]["Arn"]
    assert ok(sim, "kms:UpdatePrimaryRegion", {"KeyId": meta["KeyId"],
                                               "PrimaryRegion": WEST}) == {}
    for region in (REGION, WEST):
        conf = describe(sim, meta["KeyId"], region=region)["MultiRegionConfiguration"]
        assert conf["PrimaryKey"] == {"Arn": rep, "Region": WEST}
        assert conf["ReplicaKeys"] == [{"Arn": meta["Arn"], "Region": REGION}]
    assert describe(sim, meta["KeyId"])["MultiRegionConfiguration"]["MultiRegionKeyType"] == \
        "REPLICA"
    # only the new primary replicates now
    assert refused(sim, "kms:ReplicateKey", {"KeyId": meta["KeyId"], "ReplicaRegion": EU})[1] \
        == "R-KMS-MRK-12"
    replicate(sim, meta["KeyId"], EU, region=WEST)


def test_update_primary_region_needs_a_replica_there():
    sim = new_sim()
    meta = primary(sim)
    assert refused(sim, "kms:UpdatePrimaryRegion", {"KeyId": meta["KeyId"],
                                                    "PrimaryRegion": WEST}) == (
        "NotFoundException", "R-KMS-MRK-17")
    assert refused(sim, "kms:UpdatePrimaryRegion", {"KeyId": meta["KeyId"],
                                                    "PrimaryRegion": REGION})[0] == \
        "NotFoundException"


# -- A-MRK-TRANSIENT ----------------------------------------------------------------------

def test_creating_and_updating_last_the_assumed_time():
    sim = new_sim(mrk_transient="fixed:5s")
    meta = primary(sim)
    rep = replicate(sim, meta["KeyId"])["ReplicaKeyMetadata"]
    assert rep["KeyState"] == "Creating"
    assert refused(sim, "kms:Encrypt", {"KeyId": meta["KeyId"], "Plaintext": BLOB},
                   region=WEST)[0] == "KMSInvalidStateException"
    assert describe(sim, meta["KeyId"], region=WEST, at="+5s")["KeyState"] == "Enabled"
    ok(sim, "kms:UpdatePrimaryRegion", {"KeyId": meta["KeyId"], "PrimaryRegion": WEST},
       at="+20s")
    assert describe(sim, meta["KeyId"], at="+21s")["KeyState"] == "Updating"
    assert describe(sim, meta["KeyId"], region=WEST, at="+22s")["KeyState"] == "Updating"
    # each returns to the state it had (the key state table lets only Enabled keys change
    # their primary Region, R-KMS-STATE-02)
    old = sim.world.key_by_arn(meta["Arn"])
    assert describe(sim, meta["KeyId"], at="+25s")["KeyState"] == "Enabled"
    assert describe(sim, meta["KeyId"], region=WEST, at="+25s")["KeyState"] == "Enabled"
    assert [h[2] for h in old.history] == ["Enabled", "Updating", "Enabled"]
    assert old.history[-1][3] == "R-KMS-MRK-07"


def test_instant_is_the_default():
    sim = new_sim()
    meta = primary(sim)
    assert replicate(sim, meta["KeyId"])["ReplicaKeyMetadata"]["KeyState"] == "Enabled"
    assert sim.world.pending_timers() == []


# -- boto3 against kmsim serve ------------------------------------------------------------

def test_boto3_replicates_and_decrypts_in_the_other_region():
    with running() as srv:
        east, west = client(srv, "kms"), client(srv, "kms", region=WEST)
        meta = east.create_key(MultiRegion=True, Description="p")["KeyMetadata"]
        assert meta["KeyId"].startswith("mrk-") and meta["MultiRegion"] is True
        rep = east.replicate_key(KeyId=meta["KeyId"], ReplicaRegion=WEST)["ReplicaKeyMetadata"]
        assert rep["MultiRegionConfiguration"]["MultiRegionKeyType"] == "REPLICA"
        blob = east.encrypt(KeyId=meta["KeyId"], Plaintext=b"secret")["CiphertextBlob"]
        out = west.decrypt(CiphertextBlob=blob)
        assert (out["KeyId"], out["Plaintext"]) == (rep["Arn"], b"secret")
        res = east.schedule_key_deletion(KeyId=meta["KeyId"], PendingWindowInDays=7)
        assert res["KeyState"] == "PendingReplicaDeletion" and "DeletionDate" not in res
        assert west.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"
        with pytest.raises(east.exceptions.KMSInvalidStateException):
            east.decrypt(CiphertextBlob=blob)
        conf = west.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]
        assert conf["PrimaryKey"]["Region"] == REGION
        east_meta = east.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]
        assert east_meta["PendingDeletionWindowInDays"] == 7

"""Custom key stores (R-KMS-CKS-*): CreateCustomKeyStore ... DeleteCustomKeyStore, keys created
in a store, and a disconnected store making its keys Unavailable; in-process and with boto3
against ``kmsim serve``. Expected members come from botocore's kms examples and model."""

from __future__ import annotations

import re

import pytest
from botocore.loaders import Loader
from server_support import client, running
from support import ACCT, ALLOW_ALL, REGION, START

from projections.kms.keystores import KeyStoresState
from sim import Simulator

CLUSTER = "cluster-234567abcdefg"
HSM = {"CustomKeyStoreName": "hsm", "CloudHsmClusterId": CLUSTER,
       "KeyStorePassword": "kmsuser-pw", "TrustAnchorCertificate": "CERT"}
XKS = {"CustomKeyStoreName": "xks", "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
       "XksProxyConnectivity": "PUBLIC_ENDPOINT", "XksProxyUriEndpoint": "https://xks.example.com",
       "XksProxyUriPath": "/kms/xks/v1",
       "XksProxyAuthenticationCredential": {"AccessKeyId": "ABCDEFGHIJKLMNOPQRSTUV",
                                            "RawSecretAccessKey": "s" * 43}}
BLOB = "c2VjcmV0"


def new_sim(**assumptions: str) -> Simulator:
    sim = Simulator(start=START, account=ACCT, region=REGION, assumptions=assumptions)
    sim.principal("admin", policy=ALLOW_ALL)
    sim.principal("nobody")
    return sim


def ok(sim: Simulator, op: str, args: dict, **kw) -> dict:
    r = sim.call(op, args, as_="admin", **kw)
    assert r.ok, r.event.out
    return r.res


def refused(sim: Simulator, op: str, args: dict, **kw) -> tuple[str, str]:
    before = _state(sim)
    r = sim.call(op, args, as_=kw.pop("as_", "admin"), **kw)
    assert not r.ok, r.event.out
    assert _state(sim) == before, f"a refused {op} changed the world"
    return r.err, r.rule


def _state(sim: Simulator) -> tuple:
    stores = sim.world.peek(KeyStoresState).stores
    return ({k: (s.name, s.connection, s.cluster_id, s.xks) for k, s in stores.items()},
            {k: k2.state for k, k2 in sim.world.keys.items()})


def store(sim: Simulator, args: dict = HSM, connect: bool = True) -> str:
    sid = ok(sim, "kms:CreateCustomKeyStore", dict(args))["CustomKeyStoreId"]
    if connect:
        ok(sim, "kms:ConnectCustomKeyStore", {"CustomKeyStoreId": sid})
    return sid


def entry(sim: Simulator, sid: str, **kw) -> dict:
    return ok(sim, "kms:DescribeCustomKeyStores", {"CustomKeyStoreId": sid},
              **kw)["CustomKeyStores"][0]


def hsm_key(sim: Simulator, sid: str, **kw) -> dict:
    return ok(sim, "kms:CreateKey", {"Origin": "AWS_CLOUDHSM", "CustomKeyStoreId": sid},
              **kw)["KeyMetadata"]


def _example(op: str, title_part: str) -> dict:
    for e in Loader().load_service_model("kms", "examples-1")["examples"][op]:
        if title_part in e["title"]:
            return e["output"]
    raise LookupError(op)


# -- creating and describing ----------------------------------------------------------------

def test_a_new_cloudhsm_store_is_disconnected_and_described_as_aws_does():
    sim = new_sim()
    sid = store(sim, connect=False)
    assert re.fullmatch(r"cks-[0-9a-f]{17}", sid)
    got = entry(sim, sid)
    assert got["ConnectionState"] == "DISCONNECTED"
    assert (got["CloudHsmClusterId"], got["CustomKeyStoreName"]) == (CLUSTER, "hsm")
    example = _example("DescribeCustomKeyStores", "CloudHSM cluster")["CustomKeyStores"][0]
    assert set(got) - {"CustomKeyStoreType"} == set(example)  # the type is a newer member
    assert "KeyStorePassword" not in got


def test_an_external_key_store_shows_its_proxy_without_the_secret():
    sim = new_sim()
    got = entry(sim, store(sim, XKS, connect=False))
    assert got["CustomKeyStoreType"] == "EXTERNAL_KEY_STORE"
    assert got["XksProxyConfiguration"] == {
        "Connectivity": "PUBLIC_ENDPOINT", "AccessKeyId": "ABCDEFGHIJKLMNOPQRSTUV",
        "UriEndpoint": "https://xks.example.com", "UriPath": "/kms/xks/v1"}
    assert "CloudHsmClusterId" not in got


@pytest.mark.parametrize("setting, code", [("validation", "ValidationException"),
                                           ("unsupported", "UnsupportedOperationException")])
def test_each_type_needs_its_parameters(setting, code):
    sim = new_sim(cks_param_error=setting)
    args = {k: v for k, v in HSM.items() if k != "TrustAnchorCertificate"}
    assert refused(sim, "kms:CreateCustomKeyStore", args) == (code, "R-KMS-CKS-01")
    args = {k: v for k, v in XKS.items() if k != "XksProxyUriPath"}
    assert refused(sim, "kms:CreateCustomKeyStore", args) == (code, "R-KMS-CKS-02")
    vpc = {**XKS, "XksProxyConnectivity": "VPC_ENDPOINT_SERVICE"}
    assert refused(sim, "kms:CreateCustomKeyStore", vpc) == (code, "R-KMS-CKS-02")


def test_names_clusters_and_proxy_addresses_are_unique():
    sim = new_sim()
    store(sim, connect=False)
    assert refused(sim, "kms:CreateCustomKeyStore", {**HSM, "CloudHsmClusterId":
                                                     "cluster-abcdefghijkl"}) == (
        "CustomKeyStoreNameInUseException", "R-KMS-CKS-03")
    assert refused(sim, "kms:CreateCustomKeyStore", {**HSM, "CustomKeyStoreName": "b"}) == (
        "CloudHsmClusterInUseException", "R-KMS-CKS-04")
    store(sim, XKS, connect=False)
    assert refused(sim, "kms:CreateCustomKeyStore", {**XKS, "CustomKeyStoreName": "x2"}) == (
        "XksProxyUriInUseException", "R-KMS-CKS-21")
    # the same name in another Region is another store
    ok(sim, "kms:CreateCustomKeyStore", HSM, region="us-west-2")


def test_the_models_constraints_and_iam_apply():
    sim = new_sim()
    assert refused(sim, "kms:CreateCustomKeyStore", {**HSM, "CloudHsmClusterId": "c-1"})[0] == \
        "ValidationException"
    assert refused(sim, "kms:CreateCustomKeyStore", {**HSM, "KeyStorePassword": "short"})[0] == \
        "ValidationException"
    assert refused(sim, "kms:CreateCustomKeyStore", HSM, as_="nobody") == (
        "AccessDeniedException", "R-KMS-20")


def test_describe_finds_by_id_or_name_and_pages():
    sim = new_sim()
    a = store(sim, connect=False)
    b = store(sim, {**HSM, "CustomKeyStoreName": "b", "CloudHsmClusterId":
                    "cluster-bbbbbbbbbbbb"}, connect=False)
    got = ok(sim, "kms:DescribeCustomKeyStores", {"CustomKeyStoreName": "b"})
    assert [s["CustomKeyStoreId"] for s in got["CustomKeyStores"]] == [b]
    first = ok(sim, "kms:DescribeCustomKeyStores", {"Limit": 1})
    assert first["Truncated"] is True and first["CustomKeyStores"][0]["CustomKeyStoreId"] == a
    rest = ok(sim, "kms:DescribeCustomKeyStores", {"Limit": 1, "Marker": first["NextMarker"]})
    assert [s["CustomKeyStoreId"] for s in rest["CustomKeyStores"]] == [b]
    assert refused(sim, "kms:DescribeCustomKeyStores", {"CustomKeyStoreId": "cks-0"}) == (
        "CustomKeyStoreNotFoundException", "R-KMS-CKS-12")
    assert refused(sim, "kms:DescribeCustomKeyStores", {"CustomKeyStoreId": a,
                                                        "CustomKeyStoreName": "b"}) == (
        "ValidationException", "R-KMS-CKS-19")
    assert ok(sim, "kms:DescribeCustomKeyStores", {}, region="us-west-2")["CustomKeyStores"] == []


# -- keys in a store --------------------------------------------------------------------------

def test_create_key_needs_a_connected_store_of_its_type():
    sim = new_sim()
    sid = store(sim, connect=False)
    args = {"Origin": "AWS_CLOUDHSM", "CustomKeyStoreId": sid}
    assert refused(sim, "kms:CreateKey", args) == ("CustomKeyStoreInvalidStateException",
                                                   "R-KMS-CKS-09")
    assert refused(sim, "kms:CreateKey", {**args, "CustomKeyStoreId": "cks-00000000000000000"}) \
        == ("CustomKeyStoreNotFoundException", "R-KMS-CKS-12")
    assert refused(sim, "kms:CreateKey", {**args, "Origin": "EXTERNAL_KEY_STORE",
                                          "XksKeyId": "k"}) == ("ValidationException",
                                                                "R-KMS-CKS-22")
    assert refused(sim, "kms:CreateKey", {"CustomKeyStoreId": sid}) == (
        "ValidationException", "R-KMS-CKS-22")
    assert refused(sim, "kms:CreateKey", {**args, "KeySpec": "RSA_2048",
                                          "KeyUsage": "SIGN_VERIFY"}) == (
        "UnsupportedOperationException", "R-KMS-57")
    assert refused(sim, "kms:CreateKey", {**args, "MultiRegion": True}) == (
        "UnsupportedOperationException", "R-KMS-57")
    assert refused(sim, "kms:CreateKey", {**args, "XksKeyId": "k"}) == (
        "ValidationException", "R-KMS-CKS-17")


def test_a_key_in_a_cloudhsm_store_names_its_store_and_cluster():
    sim = new_sim()
    sid = store(sim)
    meta = hsm_key(sim, sid)
    assert (meta["Origin"], meta["CustomKeyStoreId"], meta["CloudHsmClusterId"],
            meta["KeyState"]) == ("AWS_CLOUDHSM", sid, CLUSTER, "Enabled")
    example = _example("CreateKey", "custom key store")["KeyMetadata"]
    assert set(meta) == set(example)
    again = ok(sim, "kms:DescribeKey", {"KeyId": meta["KeyId"]})["KeyMetadata"]
    assert again == meta


def test_a_key_in_an_external_key_store_names_its_external_key_once():
    sim = new_sim()
    sid = store(sim, XKS)
    args = {"Origin": "EXTERNAL_KEY_STORE", "CustomKeyStoreId": sid}
    assert refused(sim, "kms:CreateKey", args) == ("ValidationException", "R-KMS-CKS-17")
    meta = ok(sim, "kms:CreateKey", {**args, "XksKeyId": "ext-1"})["KeyMetadata"]
    assert meta["XksKeyConfiguration"] == {"Id": "ext-1"}
    assert meta["CustomKeyStoreId"] == sid and "CloudHsmClusterId" not in meta
    assert refused(sim, "kms:CreateKey", {**args, "XksKeyId": "ext-1"}) == (
        "XksKeyAlreadyInUseException", "R-KMS-CKS-18")


# -- connecting and disconnecting ---------------------------------------------------------------

def test_disconnecting_makes_keys_unavailable_and_connecting_restores_them():
    sim = new_sim()
    sid = store(sim)
    on, off = hsm_key(sim, sid)["Arn"], hsm_key(sim, sid)["Arn"]
    ok(sim, "kms:DisableKey", {"KeyId": off})
    ok(sim, "kms:DisconnectCustomKeyStore", {"CustomKeyStoreId": sid}, at="+1m")
    assert entry(sim, sid)["ConnectionState"] == "DISCONNECTED"
    for arn in (on, off):
        key = sim.world.key_by_arn(arn)
        assert (key.state, key.since.rule) == ("Unavailable", "R-KMS-CKS-10")
    assert refused(sim, "kms:Encrypt", {"KeyId": on, "Plaintext": BLOB})[0] == \
        "KMSInvalidStateException"
    # a key of another store, or of no store, is untouched
    plain = ok(sim, "kms:CreateKey", {})["KeyMetadata"]["Arn"]
    ok(sim, "kms:ConnectCustomKeyStore", {"CustomKeyStoreId": sid}, at="+2m")
    states = {arn: (sim.world.key_by_arn(arn).state, sim.world.key_by_arn(arn).since.rule)
              for arn in (on, off)}
    assert states == {on: ("Enabled", "R-KMS-CKS-11"), off: ("Disabled", "R-KMS-CKS-11")}
    assert sim.world.key_by_arn(plain).state == "Enabled"
    ok(sim, "kms:Encrypt", {"KeyId": on, "Plaintext": BLOB}, at="+3m")


def test_connection_state_errors():
    sim = new_sim()
    sid = store(sim, connect=False)
    assert refused(sim, "kms:DisconnectCustomKeyStore", {"CustomKeyStoreId": sid}) == (
        "CustomKeyStoreInvalidStateException", "R-KMS-CKS-13")
    ok(sim, "kms:ConnectCustomKeyStore", {"CustomKeyStoreId": sid})
    ok(sim, "kms:ConnectCustomKeyStore", {"CustomKeyStoreId": sid})  # valid when CONNECTED
    assert entry(sim, sid)["ConnectionState"] == "CONNECTED"
    assert refused(sim, "kms:ConnectCustomKeyStore", {"CustomKeyStoreId": "cks-1"}) == (
        "CustomKeyStoreNotFoundException", "R-KMS-CKS-12")


def test_connecting_takes_the_assumed_time():
    sim = new_sim(cks_connecting="fixed:20m")
    sid = store(sim)
    assert entry(sim, sid)["ConnectionState"] == "CONNECTING"
    args = {"Origin": "AWS_CLOUDHSM", "CustomKeyStoreId": sid}
    assert refused(sim, "kms:CreateKey", args)[1] == "R-KMS-CKS-09"
    assert entry(sim, sid, at="+20m")["ConnectionState"] == "CONNECTED"
    key = hsm_key(sim, sid, at="+21m")["Arn"]
    ok(sim, "kms:DisconnectCustomKeyStore", {"CustomKeyStoreId": sid}, at="+22m")
    ok(sim, "kms:ConnectCustomKeyStore", {"CustomKeyStoreId": sid}, at="+23m")
    assert sim.world.key_by_arn(key).state == "Unavailable"  # until CONNECTED
    # a disconnect while connecting cancels it: the old timer does nothing
    ok(sim, "kms:DisconnectCustomKeyStore", {"CustomKeyStoreId": sid}, at="+30m")
    assert entry(sim, sid, at="+1h")["ConnectionState"] == "DISCONNECTED"
    assert sim.world.key_by_arn(key).state == "Unavailable"


def test_an_unreachable_backing_store_fails_to_connect():
    sim = new_sim(cks_backing="unreachable")
    sid = store(sim)
    got = entry(sim, sid)
    assert (got["ConnectionState"], got["ConnectionErrorCode"]) == ("FAILED", "NETWORK_ERRORS")
    assert refused(sim, "kms:ConnectCustomKeyStore", {"CustomKeyStoreId": sid}) == (
        "CustomKeyStoreInvalidStateException", "R-KMS-CKS-05")
    ok(sim, "kms:DisconnectCustomKeyStore", {"CustomKeyStoreId": sid})  # the documented fix
    assert "ConnectionErrorCode" not in entry(sim, sid)
    assert refused(sim, "kms:CreateCustomKeyStore", XKS) == (
        "XksProxyUriUnreachableException", "R-KMS-CKS-07")


# -- updating and deleting ----------------------------------------------------------------------

def test_update_while_connected_changes_only_the_name():
    sim = new_sim()
    sid = store(sim)
    ok(sim, "kms:UpdateCustomKeyStore", {"CustomKeyStoreId": sid, "NewCustomKeyStoreName": "n"})
    assert entry(sim, sid)["CustomKeyStoreName"] == "n"
    other = "cluster-cccccccccccc"
    assert refused(sim, "kms:UpdateCustomKeyStore", {"CustomKeyStoreId": sid,
                                                     "CloudHsmClusterId": other}) == (
        "CustomKeyStoreInvalidStateException", "R-KMS-CKS-14")
    key = hsm_key(sim, sid)["Arn"]
    ok(sim, "kms:DisconnectCustomKeyStore", {"CustomKeyStoreId": sid})
    ok(sim, "kms:UpdateCustomKeyStore", {"CustomKeyStoreId": sid, "CloudHsmClusterId": other})
    assert entry(sim, sid)["CloudHsmClusterId"] == other
    meta = ok(sim, "kms:DescribeKey", {"KeyId": key})["KeyMetadata"]
    assert meta["CloudHsmClusterId"] == other
    assert refused(sim, "kms:UpdateCustomKeyStore", {"CustomKeyStoreId": sid,
                                                     "XksProxyUriPath": "/kms/xks/v2"})[1] == \
        "R-KMS-CKS-14"


def test_an_external_key_store_may_change_its_path_while_connected():
    sim = new_sim()
    sid = store(sim, XKS)
    ok(sim, "kms:UpdateCustomKeyStore", {"CustomKeyStoreId": sid,
                                         "XksProxyUriPath": "/p/kms/xks/v1"})
    assert entry(sim, sid)["XksProxyConfiguration"]["UriPath"] == "/p/kms/xks/v1"
    assert refused(sim, "kms:UpdateCustomKeyStore", {
        "CustomKeyStoreId": sid, "XksProxyUriEndpoint": "https://other.example.com"})[1] == \
        "R-KMS-CKS-14"


def test_delete_needs_no_keys_and_a_disconnected_store():
    sim = new_sim()
    sid = store(sim)
    key = hsm_key(sim, sid)["Arn"]
    assert refused(sim, "kms:DeleteCustomKeyStore", {"CustomKeyStoreId": sid}) == (
        "CustomKeyStoreHasCMKsException", "R-KMS-CKS-15")
    ok(sim, "kms:ScheduleKeyDeletion", {"KeyId": key, "PendingWindowInDays": 7})
    assert refused(sim, "kms:DeleteCustomKeyStore", {"CustomKeyStoreId": sid}, at="+6d")[0] == \
        "CustomKeyStoreHasCMKsException"  # scheduled is not deleted
    sim.advance(8 * 24 * 3600 * 1000)
    assert refused(sim, "kms:DeleteCustomKeyStore", {"CustomKeyStoreId": sid}) == (
        "CustomKeyStoreInvalidStateException", "R-KMS-CKS-16")
    ok(sim, "kms:DisconnectCustomKeyStore", {"CustomKeyStoreId": sid})
    assert ok(sim, "kms:DeleteCustomKeyStore", {"CustomKeyStoreId": sid}) == {}
    assert refused(sim, "kms:DescribeCustomKeyStores", {"CustomKeyStoreId": sid})[0] == \
        "CustomKeyStoreNotFoundException"


# -- boto3 against kmsim serve --------------------------------------------------------------------

def test_boto3_store_lifecycle():
    with running() as srv:
        kms = client(srv, "kms")
        sid = kms.create_custom_key_store(**HSM)["CustomKeyStoreId"]
        with pytest.raises(kms.exceptions.CustomKeyStoreInvalidStateException):
            kms.create_key(Origin="AWS_CLOUDHSM", CustomKeyStoreId=sid)
        kms.connect_custom_key_store(CustomKeyStoreId=sid)
        meta = kms.create_key(Origin="AWS_CLOUDHSM", CustomKeyStoreId=sid)["KeyMetadata"]
        assert meta["CustomKeyStoreId"] == sid
        listed = kms.describe_custom_key_stores()["CustomKeyStores"]
        assert [(s["CustomKeyStoreId"], s["ConnectionState"]) for s in listed] == [
            (sid, "CONNECTED")]
        kms.disconnect_custom_key_store(CustomKeyStoreId=sid)
        assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["KeyState"] == "Unavailable"
        with pytest.raises(kms.exceptions.CustomKeyStoreHasCMKsException):
            kms.delete_custom_key_store(CustomKeyStoreId=sid)
        with pytest.raises(kms.exceptions.CustomKeyStoreNotFoundException):
            kms.connect_custom_key_store(CustomKeyStoreId="cks-00000000000000000")

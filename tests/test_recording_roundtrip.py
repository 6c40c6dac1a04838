"""Every operation's requests, draws and responses survive the log's codec unchanged, and no
handler fails on a request of its model's shape (a handler error would leave nothing
recorded, not a wrong record; this proves there is none to leave).

Requests are drawn from botocore's input shapes (members present or not, values of the
member's type, some of them names of things that exist), so every operation sees many
shapes of request, valid and not."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support import ALLOW_ALL, START_S

import sim.recording
from events.codec import decode_event, encode_event
from sim import Simulator
from sim.replay import replay
from sim.server.shapes import input_shape
from sim.services import known_operations

#: A key policy that lets every principal, CloudWatch and CloudWatch Logs included, use it.
OPEN_KEY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"},
    {"Effect": "Allow", "Principal": {"Service": ["cloudwatch.amazonaws.com",
                                                 "logs.us-east-1.amazonaws.com"]},
     "Action": "kms:*", "Resource": "*"}]})
AWS_OPS = [op for op in known_operations() if not op.startswith("sim:")]
SIM_OPS = [op for op in known_operations() if op.startswith("sim:")]
#: Operations that refuse every request under the default assumptions.
NEVER_OK = {"logs:StopQuery"}


def world() -> tuple[Simulator, list[str]]:
    """A world with a key, an alias, a log group and stream, and metric data."""
    s = Simulator(default_principal="admin")
    s.principal("admin", policy=ALLOW_ALL)
    key = s.call("kms:CreateKey").get("KeyMetadata")
    s.call("kms:CreateAlias", {"AliasName": "alias/app", "TargetKeyId": key["KeyId"]})
    s.call("logs:CreateLogGroup", {"logGroupName": "app"})
    s.call("logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"})
    s.call("cloudwatch:PutMetricData", {"Namespace": "Shop", "MetricData": [
        {"MetricName": "m", "Value": 1.0}]})
    names = [key["KeyId"], key["Arn"], "alias/app", "app", "s", "Shop", "m",
             "arn:aws:logs:us-east-1:111122223333:log-group:app",
             "arn:aws:logs:us-east-1:111122223333:query-result:*", "default"]
    return s, names


def valid_requests(s: Simulator) -> dict[str, dict]:
    """One request per operation that succeeds in :func:`world` (the variations start here)."""
    key = s.call("kms:CreateKey", {"Policy": OPEN_KEY}).get("KeyMetadata")
    external = s.call("kms:CreateKey", {"Origin": "EXTERNAL"}).get("KeyMetadata.KeyId")
    token = s.call("kms:GetParametersForImport", {  # R-KMS-MGMT-13
        "KeyId": external, "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
        "WrappingKeySpec": "RSA_2048"}).get("ImportToken")
    blob = s.call("kms:Encrypt", {"KeyId": key["KeyId"], "Plaintext": "aGk="}
                  ).get("CiphertextBlob")
    query = s.call("logs:StartQuery", {"logGroupName": "app", "startTime": START_S - 60,
                                       "endTime": START_S + 60, "queryString": "fields @message"}
                   ).get("queryId")
    group = "arn:aws:logs:us-east-1:111122223333:log-group:app"
    doomed = s.call("kms:CreateKey").get("KeyMetadata.KeyId")
    s.call("kms:ScheduleKeyDeletion", {"KeyId": doomed})
    s.call("cloudwatch:AssociateDatasetKmsKey", {"DatasetIdentifier": "default",
                                                 "KmsKeyArn": key["Arn"]})
    s.call("logs:CreateLogGroup", {"logGroupName": "other"})
    s.call("logs:AssociateKmsKey", {"logGroupName": "other", "kmsKeyId": key["Arn"]})
    s.call("logs:PutMetricFilter", {"logGroupName": "app", "filterName": "f",
                                    "filterPattern": "", "metricTransformations": [
                                        {"metricName": "m", "metricNamespace": "Shop",
                                         "metricValue": "1"}]})
    s.call("logs:PutResourcePolicy", {"policyName": "p", "policyDocument": "{}"})
    asym = _asymmetric_requests(s, key["KeyId"])
    regions_and_stores = _multi_region_and_key_store_requests(s)
    grants = _grant_requests(s, key["KeyId"])
    s.advance(600_000)  # past the association's propagation window
    return {
        **asym,
        **regions_and_stores,
        **grants,
        "cloudwatch:GetMetricStatistics": {"Namespace": "Shop", "MetricName": "m",
                                           "StartTime": START_S - 600,
                                           "EndTime": START_S + 3600, "Period": 60,
                                           "Statistics": ["Sum"]},
        "logs:PutMetricFilter": {"logGroupName": "app", "filterName": "g", "filterPattern": "",
                                 "metricTransformations": [{"metricName": "m",
                                                            "metricNamespace": "Shop",
                                                            "metricValue": "1"}]},
        "logs:DeleteMetricFilter": {"logGroupName": "app", "filterName": "f"},
        "logs:PutResourcePolicy": {"policyName": "q", "policyDocument": "{}"},
        "logs:DeleteResourcePolicy": {"policyName": "p"},
        "logs:GetLogGroupFields": {"logGroupName": "app"},
        "logs:DescribeLogStreams": {"logGroupName": "app"},
        "logs:DeleteLogStream": {"logGroupName": "app", "logStreamName": "s"},
        "logs:TagLogGroup": {"logGroupName": "app", "tags": {"a": "b"}},
        "logs:TagResource": {"resourceArn": group, "tags": {"a": "b"}},
        "logs:UntagResource": {"resourceArn": group, "tagKeys": ["a"]},
        "logs:FilterLogEvents": {"logGroupName": "app", "filterPattern": "m"},
        "logs:ListLogGroups": {"logGroupNamePattern": "app"},
        "logs:DeleteRetentionPolicy": {"logGroupName": "app"},
        "logs:ListTagsForResource": {"resourceArn": group},
        "logs:ListTagsLogGroup": {"logGroupName": "app"},
        "logs:UntagLogGroup": {"logGroupName": "app", "tags": ["a"]},
        "logs:StopQuery": {"queryId": query},
        "cloudwatch:AssociateDatasetKmsKey": {"DatasetIdentifier": "default",
                                              "KmsKeyArn": key["Arn"]},
        "cloudwatch:DisassociateDatasetKmsKey": {"DatasetIdentifier": "default"},
        "cloudwatch:GetDataset": {"DatasetIdentifier": "default"},
        "kms:Encrypt": {"KeyId": key["KeyId"], "Plaintext": "aGk="},
        "logs:CreateLogStream": {"logGroupName": "app", "logStreamName": "s2"},
        "cloudwatch:GetMetricData": {
            "MetricDataQueries": [{"Id": "q", "MetricStat": {
                "Metric": {"Namespace": "Shop", "MetricName": "m"}, "Period": 60,
                "Stat": "Sum"}}], "StartTime": START_S - 600, "EndTime": START_S + 86400},
        "cloudwatch:PutMetricData": {"Namespace": "Shop", "MetricData": [
            {"MetricName": "m", "Value": 2.0, "Timestamp": START_S}]},
        "kms:CancelKeyDeletion": {"KeyId": doomed},
        "kms:CreateAlias": {"AliasName": "alias/other", "TargetKeyId": key["KeyId"]},
        "kms:Decrypt": {"CiphertextBlob": blob},
        "kms:DeleteImportedKeyMaterial": {"KeyId": external},
        "kms:GenerateRandom": {"NumberOfBytes": 16},
        "kms:GetParametersForImport": {"KeyId": external, "WrappingAlgorithm": "RSAES_OAEP_SHA_1",
                                       "WrappingKeySpec": "RSA_2048"},
        "kms:TagResource": {"KeyId": key["KeyId"], "Tags": [{"TagKey": "a", "TagValue": "b"}]},
        "kms:UntagResource": {"KeyId": key["KeyId"], "TagKeys": ["a"]},
        "kms:UpdateKeyDescription": {"KeyId": key["KeyId"], "Description": "d"},
        "kms:GenerateDataKeyWithoutPlaintext": {"KeyId": key["KeyId"]},
        "kms:ImportKeyMaterial": {"KeyId": external, "ImportToken": token,
                                  "EncryptedKeyMaterial": "bQ==",
                                  "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"},
        "kms:PutKeyPolicy": {"KeyId": key["KeyId"], "PolicyName": "default",
                             "Policy": OPEN_KEY},
        "kms:ReEncrypt": {"CiphertextBlob": blob, "DestinationKeyId": key["KeyId"]},
        "kms:ScheduleKeyDeletion": {"KeyId": key["KeyId"], "PendingWindowInDays": 7},
        "kms:UpdateAlias": {"AliasName": "alias/app", "TargetKeyId": key["KeyId"]},
        "logs:AssociateKmsKey": {"logGroupName": "app", "kmsKeyId": key["Arn"]},
        "logs:DisassociateKmsKey": {"logGroupName": "other"},
        "logs:GetLogEvents": {"logGroupName": "app", "logStreamName": "s"},
        "logs:GetQueryResults": {"queryId": query},
        "logs:PutLogEvents": {"logGroupName": "app", "logStreamName": "s",
                              "logEvents": [{"timestamp": START_S * 1000, "message": "m"}]},
        "logs:PutRetentionPolicy": {"logGroupName": group.rsplit(":", 1)[1],
                                    "retentionInDays": 7},
        "logs:StartQuery": {"logGroupName": "app", "startTime": START_S - 60,
                            "endTime": START_S + 60, "queryString": "fields @message"},
    }


def _grant_requests(s: Simulator, key_id: str) -> dict[str, dict]:
    """Grants to retire and revoke, and a CreateGrant that succeeds (R-KMS-GRANT-*)."""
    grantee = "arn:aws:iam::111122223333:role/Reader"
    made = [s.call("kms:CreateGrant", {"KeyId": key_id, "GranteePrincipal": grantee,
                                       "Operations": ["Decrypt"]}) for _ in range(2)]
    return {
        "kms:CreateGrant": {"KeyId": key_id, "GranteePrincipal": grantee,
                            "Operations": ["Decrypt", "Encrypt"]},
        "kms:RetireGrant": {"KeyId": key_id, "GrantId": made[0].get("GrantId")},
        "kms:RevokeGrant": {"KeyId": key_id, "GrantId": made[1].get("GrantId")},
    }


def _multi_region_and_key_store_requests(s: Simulator) -> dict[str, dict]:
    """Valid requests of the multi-Region key and custom key store operations (R-KMS-MRK-NN,
    R-KMS-CKS-NN): a primary with a replica in us-west-2, a disconnected and a connected
    store."""
    mrk = s.call("kms:CreateKey", {"MultiRegion": True}).get("KeyMetadata.KeyId")
    s.call("kms:ReplicateKey", {"KeyId": mrk, "ReplicaRegion": "us-west-2"})

    def new_store(name: str, cluster: str) -> str:
        return s.call("kms:CreateCustomKeyStore", {
            "CustomKeyStoreName": name, "CloudHsmClusterId": cluster,
            "KeyStorePassword": "kmsuser-pw", "TrustAnchorCertificate": "CERT"}
        ).get("CustomKeyStoreId")

    idle = new_store("idle", "cluster-aaaaaaaaaaaa")
    gone = new_store("gone", "cluster-bbbbbbbbbbbb")
    live = new_store("live", "cluster-cccccccccccc")
    s.call("kms:ConnectCustomKeyStore", {"CustomKeyStoreId": live})
    return {
        "kms:ReplicateKey": {"KeyId": mrk, "ReplicaRegion": "eu-west-1"},
        "kms:UpdatePrimaryRegion": {"KeyId": mrk, "PrimaryRegion": "us-west-2"},
        "kms:CreateCustomKeyStore": {"CustomKeyStoreName": "new", "CloudHsmClusterId":
                                     "cluster-dddddddddddd", "KeyStorePassword": "kmsuser-pw",
                                     "TrustAnchorCertificate": "CERT"},
        "kms:DescribeCustomKeyStores": {"Limit": 10},
        "kms:ConnectCustomKeyStore": {"CustomKeyStoreId": idle},
        "kms:DisconnectCustomKeyStore": {"CustomKeyStoreId": live},
        "kms:UpdateCustomKeyStore": {"CustomKeyStoreId": idle, "NewCustomKeyStoreName": "n"},
        "kms:DeleteCustomKeyStore": {"CustomKeyStoreId": gone},
    }


def _asymmetric_requests(s: Simulator, symmetric: str) -> dict[str, dict]:
    """Valid requests of the asymmetric and HMAC operations (R-KMS-ASYM-NN), on keys made
    here (elliptic curves and ML-KEM: quick to derive)."""
    def new(spec: str, usage: str) -> str:
        return s.call("kms:CreateKey", {"KeySpec": spec, "KeyUsage": usage}
                      ).get("KeyMetadata.KeyId")

    signer, mac_key = new("ECC_NIST_P256", "SIGN_VERIFY"), new("HMAC_256", "GENERATE_VERIFY_MAC")
    agreement = new("ECC_NIST_P256", "KEY_AGREEMENT")
    kem = new("ML_KEM_768", "ENCAPSULATE_DECAPSULATE")
    sign = {"KeyId": signer, "Message": "bQ==", "SigningAlgorithm": "ECDSA_SHA_256"}
    mac = {"KeyId": mac_key, "Message": "bQ==", "MacAlgorithm": "HMAC_SHA_256"}
    kem_args = {"KeyId": kem, "EncapsulationAlgorithm": "ML_KEM"}
    pair = {"KeyId": symmetric, "KeyPairSpec": "ECC_NIST_P256"}
    return {
        "kms:Sign": sign, "kms:GetPublicKey": {"KeyId": signer},
        "kms:Verify": {**sign, "Signature": s.call("kms:Sign", sign).get("Signature")},
        "kms:GenerateMac": mac,
        "kms:VerifyMac": {**mac, "Mac": s.call("kms:GenerateMac", mac).get("Mac")},
        "kms:DeriveSharedSecret": {"KeyId": agreement, "KeyAgreementAlgorithm": "ECDH",
                                   "PublicKey": s.call("kms:GetPublicKey", {"KeyId": signer}
                                                       ).get("PublicKey")},
        "kms:Encapsulate": kem_args,
        "kms:Decapsulate": {**kem_args, "SharedSecretCiphertextBlob": s.call(
            "kms:Encapsulate", kem_args).get("SharedSecretCiphertextBlob")},
        "kms:GenerateDataKeyPair": pair, "kms:GenerateDataKeyPairWithoutPlaintext": pair,
    }


def variations(valid: dict, shape, names: list[str]) -> st.SearchStrategy:
    """The valid request, or it with one member dropped or given another value."""
    members = list(valid)
    replace = st.sampled_from(members).flatmap(
        lambda m: value_for(shape.members[m], names).map(lambda v: {**valid, m: v})
        if m in shape.members else st.just(valid))
    drop = st.sampled_from(members).map(lambda m: {k: v for k, v in valid.items() if k != m})
    return st.one_of(st.just(valid), replace, drop)


def value_for(shape, names: list[str], depth: int = 0) -> st.SearchStrategy:
    """Values of a botocore shape's type (bounded in size and depth)."""
    kind = shape.type_name
    if kind == "structure":
        if depth > 3:
            return st.just({})
        members = {n: value_for(m, names, depth + 1) for n, m in shape.members.items()}
        required = set(getattr(shape, "required_members", []) or [])
        return st.fixed_dictionaries(
            {n: v for n, v in members.items() if n in required},
            optional={n: v for n, v in members.items() if n not in required})
    if kind == "list":
        return st.lists(value_for(shape.member, names, depth + 1), max_size=3)
    if kind == "map":
        return st.dictionaries(st.text(max_size=8), value_for(shape.value, names, depth + 1),
                               max_size=2)
    if kind == "string":
        enum = getattr(shape, "enum", None) or []
        options = [st.sampled_from(names), st.text(max_size=12)]
        if enum:
            options.insert(0, st.sampled_from(enum))
        return st.one_of(*options)
    if kind in ("integer", "long"):
        return st.integers(-3, 2000)
    if kind in ("double", "float"):
        return st.floats(-1e6, 1e6, allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "blob":
        return st.binary(max_size=32).map(lambda b: base64.b64encode(b).decode())
    if kind == "timestamp":
        return st.floats(START_S - 30 * 86400, START_S + 30 * 86400, allow_nan=False)
    return st.none()


def request_strategy(op: str, names: list[str], valid: dict | None = None
                     ) -> st.SearchStrategy:
    service, _, name = op.partition(":")
    shape = input_shape(service, name)
    if shape is None:
        pytest.skip(f"botocore does not model {op}")
    if valid is None:
        return value_for(shape, names)
    return st.one_of(value_for(shape, names), variations(valid, shape, names))


def check_roundtrip(monkeypatch) -> list:
    """Wrap the codec step so each raw event is compared with what the log gives back."""
    seen: list = []
    real = sim.recording.stored_form

    def checked(event):
        stored, payload = real(event)
        assert decode_event(encode_event(event)) == event, f"{event.op} does not round-trip"
        assert stored == event
        seen.append(event.op)
        return stored, payload

    monkeypatch.setattr(sim.recording, "stored_form", checked)
    return seen


@pytest.mark.parametrize("op", AWS_OPS)
def test_every_operation_records_what_a_replay_reads(op, monkeypatch):
    s, names = world()
    valid = valid_requests(s).get(op)
    seen = check_roundtrip(monkeypatch)
    outcomes: set[str] = set()

    @settings(max_examples=40, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(req=request_strategy(op, names, valid), step=st.integers(0, 600_000))
    @example(req=valid or {}, step=0)
    def call(req: dict, step: int) -> None:
        s.advance(step)
        # as the wire gives it: lists, string keys
        outcomes.add(s.call(op, json.loads(json.dumps(req))).outcome)

    call()
    assert op in seen
    # both paths were exercised (StopQuery never succeeds by default: A-LOGS-QRY-STOP)
    assert ("ok" in outcomes or op in NEVER_OK) and len(outcomes) > 1, outcomes
    _, differences = replay(s.events, s.profile, s.settings, s.start, seed=s.seed)
    assert [d.describe() for d in differences] == []


@pytest.mark.parametrize("op", SIM_OPS)
def test_sim_operations_record_what_a_replay_reads(op, monkeypatch):
    s, names = world()
    seen = check_roundtrip(monkeypatch)
    anything = st.one_of(st.sampled_from(names), st.text(max_size=8), st.integers(-2, 50),
                         st.lists(st.sampled_from([json.dumps(ALLOW_ALL), "{bad"]), max_size=2))
    keys = ["KeyId", "Name", "Arn", "Policies", "Label", "Event", "Operation", "Duration",
            "MonitoringAccount", "SourceAccount"]

    @settings(max_examples=25, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(req=st.dictionaries(st.sampled_from(keys), anything, max_size=4))
    def call(req: dict) -> None:
        s.call(op, req, as_="arn:aws:iam::111122223333:root")

    call()
    assert op in seen
    _, differences = replay(s.events, s.profile, s.settings, s.start, seed=s.seed)
    assert [d.describe() for d in differences] == []

"""``kmsim serve`` for CloudWatch Logs (awsJson1_1) and CloudWatch (awsJson1_0, which
boto3 picks, and smithy-rpc-v2-cbor, which the current model lists first), through
boto3 and through raw CBOR bytes (SPEC 10)."""

from __future__ import annotations

import datetime as dt

import botocore.model
import cbor2
import pytest
from botocore.exceptions import ClientError
from server_support import (
    ACCT,
    REGION,
    SERVICES_POLICY,
    client,
    error_of,
    raw,
    running,
)

CW_PATH = "/service/GraniteServiceVersion20100801/operation/"
CBOR = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor",
        "Accept": "application/cbor"}
DATASET = f"arn:aws:cloudwatch:{REGION}:{ACCT}:dataset/default"


@pytest.fixture(params=["json", "smithy-rpc-v2-cbor"])
def cw_protocol(request, monkeypatch) -> str:
    """Run a CloudWatch test over both wire protocols: botocore picks the first protocol of
    its priority list that the model offers, so putting CBOR first makes boto3 speak it."""
    if request.param != "json":
        order = botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS
        monkeypatch.setattr(botocore.model, "PRIORITY_ORDERED_SUPPORTED_PROTOCOLS",
                            (request.param, *[p for p in order if p != request.param]))
    return request.param


def test_logs_group_key_events() -> None:
    with running(assumptions={"propagation": "instant"}) as srv:
        kms, logs = client(srv, "kms"), client(srv, "logs")
        key = kms.create_key(Policy=SERVICES_POLICY)["KeyMetadata"]["Arn"]
        logs.create_log_group(logGroupName="app")
        logs.associate_kms_key(logGroupName="app", kmsKeyId=key)
        logs.create_log_stream(logGroupName="app", logStreamName="s")
        logs.put_log_events(logGroupName="app", logStreamName="s",
                            logEvents=[{"timestamp": 1767225600000, "message": "hello"}])
        groups = logs.describe_log_groups()["logGroups"]
        assert [(g["logGroupName"], g.get("kmsKeyId")) for g in groups] == [("app", key)]
        events = logs.get_log_events(logGroupName="app", logStreamName="s")["events"]
        assert [e["message"] for e in events] == ["hello"]
        kms.disable_key(KeyId=key)
        with pytest.raises(ClientError):
            logs.get_log_events(logGroupName="app", logStreamName="s")
        with pytest.raises(logs.exceptions.ResourceNotFoundException) as exc:
            logs.associate_kms_key(logGroupName="nope", kmsKeyId=key)
        assert error_of(exc)[2]["x-kmsim-rule"].startswith("R-LOGS-")


def test_logs_policy_without_logs_is_access_denied() -> None:
    with running() as srv:
        key = client(srv, "kms").create_key()["KeyMetadata"]["Arn"]
        logs = client(srv, "logs")
        logs.create_log_group(logGroupName="app")
        with pytest.raises(ClientError) as exc:
            logs.associate_kms_key(logGroupName="app", kmsKeyId=key)
        code, status, _ = error_of(exc)
        assert (code, status) == ("AccessDeniedException", 400)
        assert "is not allowed to be used with Arn" in exc.value.response["Error"]["Message"]


def test_injected_fault_is_the_only_5xx() -> None:
    with running() as srv:
        logs = client(srv, "logs")
        raw_body = '{"Operation": "logs:CreateLogGroup", "Duration": "2m"}'
        status, _, _ = raw(srv, "POST", "/", raw_body, {
            "X-Amz-Target": "KmsimSim.InjectFault",
            "Content-Type": "application/x-amz-json-1.1"})
        assert status == 200
        with pytest.raises(ClientError) as exc:
            logs.create_log_group(logGroupName="app")
        code, status, headers = error_of(exc)
        assert (code, status, headers["x-kmsim-rule"]) == \
            ("ServiceUnavailableException", 500, "R-LOGS-79")


def test_cloudwatch_dataset(cw_protocol: str) -> None:
    with running() as srv:
        kms, cw = client(srv, "kms"), client(srv, "cloudwatch")
        assert cw.meta.service_model.resolved_protocol == cw_protocol
        out = cw.get_dataset(DatasetIdentifier="default")
        assert (out["DatasetId"], out["Arn"], out.get("KmsKeyArn")) == ("default", DATASET, None)
        bare = kms.create_key()["KeyMetadata"]["Arn"]
        with pytest.raises(cw.exceptions.KmsAccessDeniedException) as exc:
            cw.associate_dataset_kms_key(DatasetIdentifier="default", KmsKeyArn=bare)
        assert error_of(exc)[2]["x-kmsim-rule"] == "R-DS-08"
        key = kms.create_key(Policy=SERVICES_POLICY)["KeyMetadata"]["Arn"]
        cw.associate_dataset_kms_key(DatasetIdentifier="default", KmsKeyArn=key)
        assert cw.get_dataset(DatasetIdentifier=DATASET)["KmsKeyArn"] == key
        other = DATASET.replace(ACCT, "444455556666")
        with pytest.raises(cw.exceptions.ResourceNotFoundException) as exc:
            cw.get_dataset(DatasetIdentifier=other)
        assert error_of(exc)[:2] == ("ResourceNotFoundException", 404)
        # awsQueryCompatible: boto3 sees the query code, as with the real service
        with pytest.raises(ClientError) as exc:
            cw.associate_dataset_kms_key(DatasetIdentifier="default",
                                         KmsKeyArn="alias/not-an-arn-but-long")
        assert error_of(exc)[0] == "ValidationError"
        assert exc.value.response["Error"]["QueryErrorCode"] == "ValidationException"


def test_cloudwatch_metrics_timestamps(cw_protocol: str) -> None:
    with running() as srv:
        cw = client(srv, "cloudwatch")
        when = dt.datetime(2026, 1, 1, 0, 0, 30, 500000, tzinfo=dt.UTC)
        cw.put_metric_data(Namespace="App", MetricData=[
            {"MetricName": "latency", "Value": 7.0, "Timestamp": when}])
        assert srv.app.sim.events[-1].req["MetricData"][0]["Timestamp"] == 1767225630.5
        out = cw.get_metric_data(
            MetricDataQueries=[{"Id": "q", "MetricStat": {
                "Metric": {"Namespace": "App", "MetricName": "latency"},
                "Period": 60, "Stat": "Sum"}}],
            StartTime=dt.datetime(2025, 12, 31, tzinfo=dt.UTC),
            EndTime=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
        result = out["MetricDataResults"][0]
        assert result["Values"] == [7.0]
        assert result["Timestamps"] == [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]


def test_cbor_codec_on_the_wire() -> None:
    """The rpc-v2-cbor codec without boto3: bytes in, bytes out."""
    with running() as srv:
        status, headers, body = raw(srv, "POST", CW_PATH + "GetDataset",
                                    cbor2.dumps({"DatasetIdentifier": "default"}), CBOR)
        assert status == 200 and headers["smithy-protocol"] == "rpc-v2-cbor"
        assert headers["content-type"] == "application/cbor"
        assert cbor2.loads(body) == {"DatasetId": "default", "Arn": DATASET}
        # timestamps in: tag 1 with an integer or a float
        put = {"Namespace": "App", "MetricData": [
            {"MetricName": "m", "Value": 1.5, "Timestamp": cbor2.CBORTag(1, 1767225600)},
            {"MetricName": "m", "Value": 2.5, "Timestamp": cbor2.CBORTag(1, 1767225660.25)}]}
        status, _, body = raw(srv, "POST", CW_PATH + "PutMetricData", cbor2.dumps(put), CBOR)
        assert status == 200 and cbor2.loads(body) == {}
        stamps = [d["Timestamp"] for d in srv.app.sim.events[-1].req["MetricData"]]
        assert stamps == [1767225600, 1767225660.25]
        # timestamps out: tag 1 (0xc1) before each epoch-seconds number
        query = {"MetricDataQueries": [{"Id": "q", "MetricStat": {
            "Metric": {"Namespace": "App", "MetricName": "m"}, "Period": 60, "Stat": "Sum"}}],
            "StartTime": cbor2.CBORTag(1, 1767225000), "EndTime": cbor2.CBORTag(1, 1767229000),
            "ScanBy": "TimestampAscending"}
        status, _, body = raw(srv, "POST", CW_PATH + "GetMetricData", cbor2.dumps(query), CBOR)
        assert status == 200
        assert cbor2.dumps(cbor2.CBORTag(1, 1767225600.0)) in body
        result = cbor2.loads(body)["MetricDataResults"][0]
        assert result["Values"] == [1.5, 2.5]
        assert [t.timestamp() for t in result["Timestamps"]] == [1767225600, 1767225660]
        # errors: a CBOR map with __type and message, the query code in a header
        status, headers, body = raw(srv, "POST", CW_PATH + "GetDataset",
                                    cbor2.dumps({"DatasetIdentifier": "nope"}), CBOR)
        error = cbor2.loads(body)
        assert (status, error["__type"], headers["x-amzn-query-error"]) == \
            (400, "ValidationException", "ValidationError;Sender")
        assert error["message"] and headers["x-kmsim-rule"] == "R-DS-40"
        # an operation with no input sends no body
        status, _, body = raw(srv, "POST", CW_PATH + "GetDataset", b"",
                              {"smithy-protocol": "rpc-v2-cbor"})
        assert status == 400 and cbor2.loads(body)["__type"] == "ValidationException"

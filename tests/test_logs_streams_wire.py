"""DescribeLogStreams, DeleteLogStream, DeleteRetentionPolicy, ListLogGroups and
DescribeLogGroups with boto3 (issue 13, part L1): in-process (``simulated_aws``) and against
``kmsim serve`` (``simulated_server``), so the answers parse as botocore's model says and
boto3's paginator follows the tokens."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from server_support import SERVICES_POLICY, client
from support import REGION

from sim.testing import simulated_aws
from sim.testing.server import reset_server, simulated_server


@pytest.fixture(scope="module")
def url():
    with simulated_server() as u:
        yield u


def _scenario(logs, kms) -> None:
    """Streams a..e in group app (keyed), three with events; checks every listed answer."""
    key = kms.create_key(Policy=SERVICES_POLICY)["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName="app", logGroupClass="INFREQUENT_ACCESS",
                          tags={"team": "a"})
    for name in "cbeda":
        logs.create_log_stream(logGroupName="app", logStreamName=name)
    logs.associate_kms_key(logGroupName="app", kmsKeyId=key)
    for name in "abc":
        logs.put_log_events(logGroupName="app", logStreamName=name,
                            logEvents=[{"timestamp": 1767225600000, "message": name}])
    pages = logs.get_paginator("describe_log_streams").paginate(
        logGroupName="app", PaginationConfig={"PageSize": 2})
    listed = [s["logStreamName"] for p in pages for s in p["logStreams"]]
    assert listed == ["a", "b", "c", "d", "e"]
    first = logs.describe_log_streams(logGroupName="app", limit=1)["logStreams"][0]
    assert first["storedBytes"] == 0 and first["lastEventTimestamp"] == 1767225600000
    assert first["arn"].endswith(":log-group:app:log-stream:a")
    with pytest.raises(ClientError) as err:
        logs.describe_log_streams(logGroupName="app", orderBy="LastEventTime",
                                  logStreamNamePrefix="a")
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    logs.delete_log_stream(logGroupName="app", logStreamName="b")
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.delete_log_stream(logGroupName="app", logStreamName="b")
    logs.put_retention_policy(logGroupName="app", retentionInDays=1)
    logs.delete_retention_policy(logGroupName="app")
    (group,) = logs.describe_log_groups()["logGroups"]
    assert group["kmsKeyId"] == key and group["logGroupClass"] == "INFREQUENT_ACCESS"
    assert "retentionInDays" not in group
    assert logs.list_log_groups(logGroupNamePattern="^app")["logGroups"] == [{
        "logGroupName": "app", "logGroupArn": group["logGroupArn"],
        "logGroupClass": "INFREQUENT_ACCESS"}]


def test_in_process():
    with simulated_aws():
        _scenario(boto3.client("logs", region_name=REGION),
                  boto3.client("kms", region_name=REGION))


def test_against_the_server(url):
    reset_server(url)
    _scenario(client(url, "logs"), client(url, "kms"))

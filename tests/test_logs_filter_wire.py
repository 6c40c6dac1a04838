"""FilterLogEvents with boto3 (issue 13, part L1): in-process (``simulated_aws``) and against
``kmsim serve``: boto3's paginator walks the pages, the events parse as the model's
FilteredLogEvent, and an unreadable batch is the same error GetLogEvents gives."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from server_support import SERVICES_POLICY, client
from support import REGION, START_MS

from sim.testing import simulated_aws
from sim.testing.server import reset_server, simulated_server


@pytest.fixture(scope="module")
def url():
    with simulated_server() as u:
        yield u


def _scenario(logs, kms) -> None:
    key = kms.create_key(Policy=SERVICES_POLICY)["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName="app", kmsKeyId=key)
    for name in ("web", "db"):
        logs.create_log_stream(logGroupName="app", logStreamName=name)
    logs.put_log_events(logGroupName="app", logStreamName="web", logEvents=[
        {"timestamp": START_MS + i, "message": f"GET /{i} {'ERROR' if i % 2 else 'OK'}"}
        for i in range(5)])
    logs.put_log_events(logGroupName="app", logStreamName="db", logEvents=[
        {"timestamp": START_MS + 2, "message": "db ERROR timeout"}])
    pages = logs.get_paginator("filter_log_events").paginate(
        logGroupName="app", filterPattern="ERROR -timeout", PaginationConfig={"PageSize": 1})
    events = [e for p in pages for e in p["events"]]
    assert [e["message"] for e in events] == ["GET /1 ERROR", "GET /3 ERROR"]
    assert {e["logStreamName"] for e in events} == {"web"}
    assert all(len(e["eventId"]) == 56 for e in events)
    both = logs.filter_log_events(logGroupName="app", filterPattern='"ERROR"',
                                  startTime=START_MS + 2, endTime=START_MS + 3)
    assert [e["message"] for e in both["events"]] == ["db ERROR timeout", "GET /3 ERROR"]
    assert both["searchedLogStreams"] == []
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.filter_log_events(logGroupName="app", logStreamNames=["nope"])
    kms.disable_key(KeyId=key)
    errors = []
    for call in (lambda: logs.filter_log_events(logGroupName="app"),
                 lambda: logs.get_log_events(logGroupName="app", logStreamName="web")):
        with pytest.raises(ClientError) as err:
            call()
        errors.append(err.value.response["Error"]["Code"])
    assert errors == ["InvalidParameterException"] * 2


def test_in_process():
    with simulated_aws():
        _scenario(boto3.client("logs", region_name=REGION),
                  boto3.client("kms", region_name=REGION))


def test_against_the_server(url):
    reset_server(url)
    _scenario(client(url, "logs"), client(url, "kms"))

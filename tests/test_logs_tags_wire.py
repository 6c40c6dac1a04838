"""Log group tags with boto3 (issue 13, part L1): in-process (``simulated_aws``) and against
``kmsim serve``: the ARN forms, the legacy operations, TooManyTagsException as the model's
error shape."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from server_support import client
from support import REGION

from sim.testing import simulated_aws
from sim.testing.server import reset_server, simulated_server


@pytest.fixture(scope="module")
def url():
    with simulated_server() as u:
        yield u


def _scenario(logs) -> None:
    logs.create_log_group(logGroupName="/app/web", tags={"team": "web"})
    (group,) = logs.describe_log_groups()["logGroups"]
    arn = group["logGroupArn"]
    assert group["arn"] == f"{arn}:*"
    logs.tag_resource(resourceArn=arn, tags={"env": "prod"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "web",
                                                                   "env": "prod"}
    logs.untag_log_group(logGroupName="/app/web", tags=["team"])
    logs.tag_log_group(logGroupName="/app/web", tags={"cost": "7"})
    assert logs.list_tags_log_group(logGroupName="/app/web")["tags"] == {"env": "prod",
                                                                         "cost": "7"}
    logs.untag_resource(resourceArn=arn, tagKeys=["env"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"cost": "7"}
    with pytest.raises(ClientError) as err:  # the ':*' form is not a tagging ARN
        logs.list_tags_for_resource(resourceArn=group["arn"])
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(logs.exceptions.TooManyTagsException):
        logs.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(50)})
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.tag_resource(resourceArn=arn.replace("/app/web", "/nope"), tags={"a": "b"})


def test_in_process():
    with simulated_aws():
        _scenario(boto3.client("logs", region_name=REGION))


def test_against_the_server(url):
    reset_server(url)
    _scenario(client(url, "logs"))

"""moto's mock_aws and kmsim's simulated_aws in one test: moto answers S3, kmsim answers
KMS, CloudWatch Logs and CloudWatch, and moto's handler never acts on what kmsim answered
(botocore calls every before-send handler, kmsim's first)."""

from __future__ import annotations

import pytest
from support import REGION

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")
from moto.core import DEFAULT_ACCOUNT_ID  # noqa: E402
from moto.kms.models import kms_backends  # noqa: E402
from moto.logs.models import logs_backends  # noqa: E402

from sim.testing import simulated_aws  # noqa: E402


def _moto_keys() -> dict:
    return kms_backends[DEFAULT_ACCOUNT_ID][REGION].keys


@pytest.mark.parametrize("kmsim_first", [True, False])
def test_moto_for_s3_and_kmsim_for_kms_in_one_test(kmsim_first):
    outer, inner = ((simulated_aws(), moto.mock_aws()) if kmsim_first
                    else (moto.mock_aws(), simulated_aws()))
    with outer, inner:
        aws = outer if kmsim_first else inner
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="reports")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["reports"]  # moto's
        kms = boto3.client("kms", region_name=REGION)
        made = kms.create_key()
        assert made["ResponseMetadata"]["HTTPHeaders"]["x-kmsim-event"] == "1"  # kmsim's
        logs = boto3.client("logs", region_name=REGION)
        logs.create_log_group(logGroupName="/app")
        # moto's handler ran after kmsim's on the same requests, and did nothing with them
        assert _moto_keys() == {}
        assert logs_backends[DEFAULT_ACCOUNT_ID][REGION].groups == {}
        assert [e.op for e in aws.events] == ["kms:CreateKey", "logs:CreateLogGroup"]
        assert aws.key_state(made["KeyMetadata"]["KeyId"]) == "Enabled"


def test_moto_alone_still_answers_kms_once_kmsim_stops():
    with moto.mock_aws():
        with simulated_aws():
            boto3.client("kms", region_name=REGION).create_key()
        assert _moto_keys() == {}
        boto3.client("kms", region_name=REGION).create_key()
        assert len(_moto_keys()) == 1  # moto's own, now that kmsim is not active

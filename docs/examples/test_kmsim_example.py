"""Testing code that uses KMS, CloudWatch Logs and CloudWatch with kmsim: a complete example
module (CI runs it: tests/test_testing_example.py).

The code under test is `retire` and `rotate_away` below: one schedules a key's deletion,
the other moves a log group to a new key first. The same first test is written with moto's
`mock_aws` and with kmsim's `kmsim` fixture; the others need what only kmsim has:
AssociateKmsKey (moto: NotImplementedError), time that the test moves, keys deleted at
their DeletionDate, and answers with their explanation.

Run it: `python -m pytest docs/examples/test_kmsim_example.py` (the `kmsim` fixture comes
with kmsim's pytest plugin, on by installing kmsim).
"""

from __future__ import annotations

import json
from datetime import timedelta

import boto3
import pytest

from sim.testing import simulated_aws

ACCOUNT = "111122223333"
REGION = "us-east-1"
#: A key policy that lets the account and CloudWatch Logs use the key.
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
     "Action": "kms:*", "Resource": "*"},
    {"Effect": "Allow", "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
     "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                "kms:Describe*"], "Resource": "*"}]})


# -- the code under test ---------------------------------------------------------------
def retire(key: str, days: int = 7) -> None:
    """Schedule ``key``'s deletion, unless it is already scheduled."""
    kms = boto3.client("kms", region_name=REGION)
    if kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] != "PendingDeletion":
        kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=days)


def rotate_away(group: str, old_key: str, days: int = 7) -> str:
    """Encrypt ``group``'s new data with a new key, then schedule ``old_key``'s deletion;
    returns the new key's ARN."""
    kms, logs = boto3.client("kms", region_name=REGION), boto3.client("logs",
                                                                     region_name=REGION)
    new_key = kms.create_key(Policy=POLICY)["KeyMetadata"]["Arn"]
    logs.associate_kms_key(logGroupName=group, kmsKeyId=new_key)
    retire(old_key, days)
    return new_key


def make_group(group: str) -> str:
    """A log group encrypted with a fresh key; returns the key's ARN."""
    kms, logs = boto3.client("kms", region_name=REGION), boto3.client("logs",
                                                                     region_name=REGION)
    key = kms.create_key(Policy=POLICY)["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName=group, kmsKeyId=key)
    logs.create_log_stream(logGroupName=group, logStreamName="app")
    return key


def write(group: str, when_ms: int, message: str) -> None:
    """One log event."""
    boto3.client("logs", region_name=REGION).put_log_events(
        logGroupName=group, logStreamName="app",
        logEvents=[{"timestamp": when_ms, "message": message}])


# -- the same test, with moto and with kmsim ---------------------------------------------
def test_retire_with_moto():
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        kms = boto3.client("kms", region_name=REGION)
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        retire(key)
        retire(key)  # twice: still one deletion
        assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "PendingDeletion"


def test_retire_with_kmsim(kmsim):
    kms = boto3.client("kms", region_name=REGION)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    retire(key)
    retire(key)
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    kmsim.advance("7d")  # what moto cannot do: the DeletionDate comes
    assert kmsim.key_state(key) == "Deleted"


# -- what kmsim adds ------------------------------------------------------------------
def test_old_data_is_lost_when_the_old_key_is_deleted(kmsim):
    old = make_group("/app")
    write("/app", kmsim.now_ms, "before the rotation")
    kmsim.label("before")
    rotate_away("/app", old)
    kmsim.advance("1h")  # past the association's propagation window
    write("/app", kmsim.now_ms, "after the rotation")
    kmsim.label("after")

    # a PendingDeletion key decrypts nothing: the old batch is unreadable at once ...
    kmsim.assert_not_decryptable("before")
    kmsim.assert_decryptable("after")
    kmsim.advance(timedelta(days=7))  # ... and for good at the old key's DeletionDate
    assert kmsim.key_state(old) == "Deleted"
    assert kmsim.decryptable("before").permanent
    # the past stays readable: before the rotation, the old batch could be read
    assert kmsim.decryptable("before", at="+3ms").status == "yes"


def test_cancelling_the_deletion_in_time_keeps_the_data(kmsim):
    old = make_group("/app")
    write("/app", kmsim.now_ms, "kept")
    kmsim.label("kept")
    rotate_away("/app", old)
    kmsim.advance("6d")
    kms = boto3.client("kms", region_name=REGION)
    kms.cancel_key_deletion(KeyId=old)
    kms.enable_key(KeyId=old)  # a cancelled key comes back Disabled
    kmsim.advance("2d")
    kmsim.assert_key_state(old, "Enabled")
    kmsim.assert_decryptable("kept")


def test_batches_found_by_log_group_and_time(kmsim):
    make_group("/app")
    start = kmsim.now_ms
    for minute in range(3):
        write("/app", start + minute * 60_000, f"minute {minute}")
    assert len(kmsim.items(log_group="/app")) == 3
    assert len(kmsim.items(log_group="/app", start=start + 60_000)) == 2
    answers = kmsim.at()  # the `kmsim at --json` document, now
    assert {i["status"] for i in answers["items"]} == {"yes"}


def test_the_timeline_is_a_log_for_every_time_travel_verb(kmsim, tmp_path):
    make_group("/app")
    write("/app", kmsim.now_ms, "m")
    log = kmsim.save(tmp_path / "test.kmlog")  # then: kmsim at/explain/diff/timeline LOG ...
    assert log.stat().st_size > 0


@simulated_aws  # without pytest fixtures: moto's decorator shape
def test_decorated():
    kms = boto3.client("kms", region_name=REGION)
    assert kms.describe_key(KeyId=kms.create_key()["KeyMetadata"]["KeyId"])

"""The handle's answers (SPEC 12): at(TIME) is the `kmsim at` document, decryptable and
key_state at any moment, data written through boto3 named by label or found by log group
and time range, principals by access key id, save(PATH) for the time-travel verbs, and
assertions whose failure message is the `kmsim explain` text."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from support import ACCT, ALLOW_ALL_JSON, REGION

boto3 = pytest.importorskip("boto3")
from server_support import SERVICES_POLICY  # noqa: E402

from sim.cli import main as kmsim_main  # noqa: E402
from sim.testing import simulated_aws  # noqa: E402

T0 = 1767225600000  # 2026-01-01T00:00:00Z, the default start


def _encrypted_group(aws, name: str = "/app") -> tuple[str, object]:
    """A KMS key and a log group encrypted with it, through boto3; (key ARN, logs)."""
    kms, logs = boto3.client("kms", region_name=REGION), boto3.client("logs", region_name=REGION)
    arn = kms.create_key(Policy=SERVICES_POLICY)["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName=name, kmsKeyId=arn)
    logs.create_log_stream(logGroupName=name, logStreamName="s")
    return arn, logs


def _put(logs, group: str, *stamps: int) -> None:
    logs.put_log_events(logGroupName=group, logStreamName="s",
                        logEvents=[{"timestamp": t, "message": "m"} for t in stamps])


def test_label_names_the_last_write_and_answers_follow_the_key():
    with simulated_aws() as aws:
        arn, logs = _encrypted_group(aws)
        _put(logs, "/app", T0)
        assert aws.label("first") == "first"
        assert aws.decryptable("first").status == "yes"
        written = aws.events[-2]  # the write, just before its sim:Label event
        assert written.op == "logs:PutLogEvents"
        assert aws.decryptable("first", at=f"#{written.seq}").status == "yes"
        aws.advance("1m")
        boto3.client("kms", region_name=REGION).disable_key(KeyId=arn)
        assert aws.decryptable("first").status == "no"
        assert aws.decryptable("first", at="+30s").status == "yes"  # the past, still there
        doc = aws.at()
        assert [(i["label"], i["status"]) for i in doc["items"]] == [("first", "no")]
        assert aws.at("+30s")["items"][0]["status"] == "yes"
        assert aws.key_state(arn) == "Disabled" and aws.key_state(arn, at="+30s") == "Enabled"


def test_items_by_log_group_and_time_range():
    with simulated_aws() as aws:
        _, logs = _encrypted_group(aws, "/a")
        logs.create_log_group(logGroupName="/b")
        logs.create_log_stream(logGroupName="/b", logStreamName="s")
        _put(logs, "/a", T0, T0 + 1000)
        _put(logs, "/b", T0 + 500)
        _put(logs, "/a", T0 + 60_000)
        a = aws.items(log_group="/a")
        assert len(a) == 2 and aws.items(log_group="/b") != a
        assert aws.items(log_group="/a", start=T0 + 30_000) == a[1:]
        assert aws.items(log_group="/a", end="2026-01-01T00:00:00.500Z") == a[:1]
        assert aws.items(log_group="/a", start=T0 + 2000, end=T0 + 3000) == []
        assert len(aws.items(kind="log-events")) == 3
        aws.label("late", a[1])
        assert aws.items(log_group="/a")[1] == "late"


def test_assertion_failures_carry_the_explanation():
    with simulated_aws() as aws:
        arn, logs = _encrypted_group(aws)
        _put(logs, "/app", T0)
        aws.label("batch")
        aws.assert_decryptable("batch")
        boto3.client("kms", region_name=REGION).disable_key(KeyId=arn)
        with pytest.raises(AssertionError) as failed:
            aws.assert_decryptable("batch")
        text = str(failed.value)
        assert "expected batch to be 'yes', it is 'no'" in text
        assert text.endswith(aws.explain("batch"))
        assert "kms:DisableKey" in text and "R-" in text  # the cause, with its rule
        aws.assert_not_decryptable("batch")
        with pytest.raises(AssertionError, match="it is Disabled:\nkey "):
            aws.assert_key_state(arn, "Enabled")


def test_principals_by_access_key_id():
    reader = f"arn:aws:iam::{ACCT}:role/reader"
    with simulated_aws(principals={"AKIDREADER": reader}) as aws:
        aws.principal("admin", policy=ALLOW_ALL_JSON, access_key="AKIDADMIN")
        as_reader = boto3.session.Session().client(
            "kms", region_name=REGION, aws_access_key_id="AKIDREADER",
            aws_secret_access_key="x")
        with pytest.raises(as_reader.exceptions.ClientError, match="AccessDenied"):
            as_reader.create_key()
        key = aws.client("kms", as_="admin").create_key()["KeyMetadata"]["KeyId"]
        actors = [e.actor for e in aws.events]
        assert actors[1:] == [reader, f"arn:aws:iam::{ACCT}:role/admin"]
        assert aws.key_state(key) == "Enabled"


def test_saved_log_is_read_by_the_time_travel_verbs(tmp_path):
    with simulated_aws() as aws:
        arn, logs = _encrypted_group(aws)
        _put(logs, "/app", T0)
        aws.label("batch")
        boto3.client("kms", region_name=REGION).disable_key(KeyId=arn)
        expected = aws.at()
        log = aws.save(tmp_path / "test.kmlog")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert kmsim_main(["at", str(log), expected["time"], "--json"]) == 0
    doc = json.loads(out.getvalue())
    assert doc["items"] == expected["items"] and doc["time"] == expected["time"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert kmsim_main(["explain", str(log), "batch"]) == 0
    assert "kms:DisableKey" in out.getvalue()


def test_unknown_items_say_how_to_name_them():
    with simulated_aws() as aws:
        with pytest.raises(KeyError, match=r"label\(NAME\)"):
            aws.decryptable("nothing")
        with pytest.raises(KeyError, match="no data item"):
            aws.label("x")

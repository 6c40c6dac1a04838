"""The AWS CLI (v1, ``pip install awscli==1.46.3``) against ``kmsim serve``: the README's
commands, run with the real ``aws`` command. ``$KMSIM_AWS_CLI`` names the ``aws`` to run
(CI installs the CLI in a virtual environment of its own, see .ci/run); otherwise the one
on PATH. Skipped, saying so, only when there is none."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from server_support import ROOT, events, serve_process, stop_process

from events.logfile import LogReader

AWS = os.environ.get("KMSIM_AWS_CLI") or shutil.which("aws")
pytestmark = pytest.mark.skipif(
    not AWS, reason="the AWS CLI is not installed: pip install awscli==1.46.3, or set "
    "KMSIM_AWS_CLI to the path of its aws command")
POLICY = ROOT / "scenarios" / "policies" / "logs-and-cloudwatch.json"


@pytest.fixture
def server(tmp_path: Path):
    """``kmsim serve --log`` in a child process (the README's server); its log path."""
    log = tmp_path / "demo.kmlog"
    proc, srv = serve_process("--log", str(log))
    srv.log = log  # type: ignore[attr-defined]
    try:
        yield srv
    finally:
        stop_process(proc)


def _version() -> str:
    done = subprocess.run([AWS, "--version"], capture_output=True, text=True, timeout=60)
    return (done.stdout or done.stderr).split(" ")[0]


def aws(srv, tmp_path: Path, *args: str, ok: bool | None = True
        ) -> subprocess.CompletedProcess:
    """``aws --endpoint-url URL ARGS`` with credentials and a region, and no user config;
    ``ok``: whether it must succeed (None: either)."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "AWS_ACCESS_KEY_ID": "AKIDADMIN", "AWS_SECRET_ACCESS_KEY": "x",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_MAX_ATTEMPTS": "1",
           "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    done = subprocess.run([AWS, "--endpoint-url", srv.url, *args], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert ok is None or (done.returncode == 0) == ok, done.stderr or done.stdout
    return done


def test_the_readme_walkthrough(server, tmp_path: Path) -> None:
    shutil.copy(POLICY, tmp_path / "policy.json")
    key = aws(server, tmp_path, "kms", "create-key", "--policy", "file://policy.json",
              "--description", "app logs", "--query", "KeyMetadata.Arn",
              "--output", "text").stdout.strip()
    assert key.startswith("arn:aws:kms:us-east-1:111122223333:key/")
    aws(server, tmp_path, "kms", "create-alias", "--alias-name", "alias/app-logs",
        "--target-key-id", key)
    aws(server, tmp_path, "logs", "create-log-group", "--log-group-name", "app",
        "--kms-key-id", key)
    aws(server, tmp_path, "logs", "create-log-group", "--log-group-name", "audit")
    aws(server, tmp_path, "logs", "associate-kms-key", "--log-group-name", "audit",
        "--kms-key-id", key)
    groups = aws(server, tmp_path, "logs", "describe-log-groups", "--query",
                 "logGroups[].[logGroupName,kmsKeyId]", "--output", "text").stdout
    assert groups.split() == ["app", key, "audit", key]
    aws(server, tmp_path, "kms", "schedule-key-deletion", "--key-id", "alias/app-logs",
        "--pending-window-in-days", "7")
    state = aws(server, tmp_path, "kms", "describe-key", "--key-id", "alias/app-logs",
                "--query", "KeyMetadata.KeyState", "--output", "text").stdout.strip()
    assert state == "PendingDeletion"
    subprocess.run([sys.executable, "-m", "sim.cli", "clock", "advance", "7d", "--url",
                    server.url], check=True, capture_output=True, timeout=60, cwd=ROOT)
    gone = aws(server, tmp_path, "kms", "describe-key", "--key-id", key, ok=False)
    assert "(NotFoundException) when calling the DescribeKey operation" in gone.stderr
    ops = [(e["op"], e["out"]["ok"]) for e in events(server)]
    assert ops == [("kms:CreateKey", True), ("kms:CreateAlias", True),
                   ("logs:CreateLogGroup", True), ("logs:CreateLogGroup", True),
                   ("logs:AssociateKmsKey", True), ("logs:DescribeLogGroups", True),
                   ("kms:ScheduleKeyDeletion", True), ("kms:DescribeKey", True),
                   ("kms:DescribeKey", False)]


def test_the_cloudwatch_dataset_through_the_cli(server, tmp_path: Path) -> None:
    shutil.copy(POLICY, tmp_path / "policy.json")
    key = aws(server, tmp_path, "kms", "create-key", "--policy", "file://policy.json",
              "--query", "KeyMetadata.Arn", "--output", "text").stdout.strip()
    done = aws(server, tmp_path, "cloudwatch", "associate-dataset-kms-key",
               "--dataset-identifier", "default", "--kms-key-arn", key, ok=None)
    if done.returncode == 2 and "Invalid choice" in done.stderr:
        pytest.skip(f"{_version()} has no cloudwatch associate-dataset-kms-key (awscli 1.46.3 "
                    "has it): set KMSIM_AWS_CLI to a newer aws")
    assert done.returncode == 0, done.stderr
    got = aws(server, tmp_path, "cloudwatch", "get-dataset", "--dataset-identifier",
              "default", "--query", "KmsKeyArn", "--output", "text").stdout.strip()
    assert got == key


@pytest.mark.parametrize(("args", "code", "operation"), [
    (("sts", "get-caller-identity"), "InvalidAction", "GetCallerIdentity"),
    (("s3", "ls"), "NotImplemented", "ListBuckets"),
    (("s3api", "list-buckets"), "NotImplemented", "ListBuckets"),
    (("dynamodb", "list-tables"), "UnknownOperationException", "ListTables"),
])
def test_services_kmsim_does_not_simulate(server, tmp_path: Path, args, code,
                                          operation) -> None:
    done = aws(server, tmp_path, *args, ok=False)
    assert f"An error occurred ({code}) when calling the {operation} operation: kmsim does " \
        "not simulate" in done.stderr
    assert "Unable to parse" not in done.stderr and "invalid XML" not in done.stderr
    assert events(server) == []


def test_the_log_holds_the_cli_session(server, tmp_path: Path) -> None:
    aws(server, tmp_path, "kms", "create-key")
    aws(server, tmp_path, "sts", "get-caller-identity", ok=False)
    aws(server, tmp_path, "kms", "list-keys")
    assert [e["op"] for e in events(server)] == ["kms:CreateKey", "kms:ListKeys"]
    with LogReader(str(server.log)) as reader:  # written as it goes
        assert [e.op for e in reader] == ["kms:CreateKey", "kms:ListKeys"]

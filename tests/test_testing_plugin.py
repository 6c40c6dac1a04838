"""The pytest plugin (entry point pytest11 ``kmsim``): the ``kmsim`` fixture gives each test
a fresh timeline, ``kmsim_module`` one per module, a ``kmsim`` marker passes options.
Each case runs pytest in a child process on a module written here, as a user's suite."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("boto3")


def _pytest(tmp_path: Path, source: str, *flags: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_user.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-W", "error::pytest.PytestUnknownMarkWarning", *flags,
                           "test_user.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)


def test_the_plugin_is_registered_by_entry_point():
    found = {e.name: e.value for e in importlib.metadata.entry_points(group="pytest11")}
    assert found.get("kmsim") == "sim.testing.plugin"


FRESH = """
    import boto3

    def test_first(kmsim):
        boto3.client("kms").create_key()
        kmsim.advance("1h")
        assert len(kmsim.events) == 1

    def test_second_is_fresh(kmsim):
        assert len(kmsim.events) == 0
        assert kmsim.now.isoformat() == "2026-01-01T00:00:00+00:00"

    def test_shared_one(kmsim_module):
        boto3.client("kms").create_key()
        assert len(kmsim_module.events) == 1

    def test_shared_two(kmsim_module):
        boto3.client("kms").create_key()
        assert len(kmsim_module.events) == 2  # the module's timeline goes on
"""


def test_without_the_plugin_there_is_no_fixture(tmp_path):
    run = _pytest(tmp_path, FRESH, "-p", "no:kmsim")
    assert run.returncode != 0 and "fixture 'kmsim' not found" in run.stdout


MARKED = """
    import boto3
    import pytest

    READER = "arn:aws:iam::222233334444:role/reader"
    pytestmark = pytest.mark.kmsim(account="222233334444", start="2027-05-01T00:00:00Z")

    @pytest.mark.kmsim(principals={"AKIDREADER": READER})
    def test_options_from_markers(kmsim):
        kms = boto3.session.Session().client("kms", region_name="us-east-1",
                                             aws_access_key_id="AKIDREADER",
                                             aws_secret_access_key="x")
        try:
            kms.create_key()
        except kms.exceptions.ClientError:
            pass
        assert kmsim.events[0].actor == READER
        assert kmsim.now.year == 2027

    def test_module_marker_reaches_the_module_fixture(kmsim_module):
        arn = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
        assert ":222233334444:" in arn
"""


def test_fresh_per_test_shared_per_module_and_options_from_markers(tmp_path):
    (tmp_path / "test_marked.py").write_text(textwrap.dedent(MARKED), encoding="utf-8")
    run = _pytest(tmp_path, FRESH, "test_marked.py")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "6 passed" in run.stdout


FAILING = """
    import boto3

    def test_disabled_key_makes_the_batch_unreadable(kmsim):
        kms, logs = boto3.client("kms"), boto3.client("logs")
        key = kms.create_key()["KeyMetadata"]["Arn"]
        logs.create_log_group(logGroupName="/app")
        logs.create_log_stream(logGroupName="/app", logStreamName="s")
        logs.put_log_events(logGroupName="/app", logStreamName="s",
                            logEvents=[{"timestamp": kmsim.now_ms, "message": "m"}])
        kmsim.label("batch")
        kms.disable_key(KeyId=key)
        kmsim.assert_not_decryptable("batch")  # wrong: the group has no customer key
"""


def test_a_failing_assertion_reports_the_explanation(tmp_path):
    run = _pytest(tmp_path, FAILING)
    assert run.returncode == 1
    assert "expected batch to be 'no', it is 'yes'" in run.stdout
    assert "service-owned key" in run.stdout  # the explain text's reason

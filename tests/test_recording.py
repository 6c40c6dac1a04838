"""One path records every call: a failure before the write changes nothing (world, sequence,
time index, names, log), a failure after it is a crash the next open recovers from."""

from __future__ import annotations

import errno
import json
import os
import pickle

import pytest
from support import ALLOW_ALL

import sim.recording
from events.logfile import LogReader, read_log
from projections.store import snapshot
from sim import Simulator
from sim.recording import NotRecorded, RecorderCrashed
from sim.replay import replay


def state(s: Simulator) -> dict:
    """Everything a call could change: the world (its time too), items, numbering, names."""
    w = s.world
    return {
        "world": snapshot(w),
        "items": pickle.dumps({seq: vars(i) if hasattr(i, "__dict__") else i
                               for seq, i in w.items.items()}),
        "now": s.now,
        "events": [e.to_dict() for e in s.events],
        "times": list(s.timeline.times),
        "names": s.names,
    }


def log_bytes(path: os.PathLike) -> bytes:
    with open(path, "rb") as f:
        return f.read()


@pytest.fixture
def sim_with_log(tmp_path):
    s = Simulator(log=tmp_path / "t.kmlog", default_principal="admin")
    s.principal("admin", policy=ALLOW_ALL)
    key = s.call("kms:CreateKey").get("KeyMetadata.Arn")
    s.call("kms:CreateKey", at="+1m")
    yield s, key, tmp_path / "t.kmlog"
    s.close()


def inject(s: Simulator, stage: str) -> None:
    def fail(name: str) -> None:
        if name == stage:
            raise RuntimeError(f"injected failure at {stage}")
    s.recorder.before_stage = fail


@pytest.mark.parametrize("stage", ["decide", "encode", "write"])
@pytest.mark.parametrize("timers_fire", [False, True], ids=["no-timer", "timer-fires"])
def test_a_failure_before_the_write_changes_nothing(sim_with_log, stage, timers_fire):
    s, key, path = sim_with_log
    if timers_fire:  # a deletion due before the failing call: undoing it means refolding
        s.call("kms:ScheduleKeyDeletion", {"KeyId": key, "PendingWindowInDays": 7}, at="+2m")
    before, on_disk = state(s), log_bytes(path)
    inject(s, stage)
    with pytest.raises(NotRecorded) as info:
        s.call("kms:DisableKey", {"KeyId": key}, at="+8d")
    assert info.value.stage == stage
    assert state(s) == before
    assert log_bytes(path) == on_disk
    assert s.key_state(key) == "PendingDeletion" if timers_fire else "Enabled"
    # The next call goes on from exactly there, and the log stays the memory's copy.
    s.recorder.before_stage = None
    r = s.call("kms:DescribeKey", {"KeyId": key}, at="+3m")
    assert r.event.seq == len(before["events"]) + 1
    s.close()
    _, events = read_log(path)
    assert [e.to_dict() for e in events] == [e.to_dict() for e in s.events]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))


def test_a_failed_write_to_disk_changes_nothing_and_the_writer_goes_on(sim_with_log,
                                                                       monkeypatch):
    s, key, path = sim_with_log
    before, on_disk = state(s), log_bytes(path)
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        real_write(fd, bytes(data)[:5])  # part of a frame reaches the file, then ENOSPC
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("events.logfile.os.write", full)
    with pytest.raises(NotRecorded) as info:
        s.call("kms:DisableKey", {"KeyId": key}, at="+2m")
    assert info.value.stage == "write"
    assert state(s) == before
    assert log_bytes(path) == on_disk  # the part-written frame was cut off
    monkeypatch.setattr("events.logfile.os.write", real_write)
    assert s.call("kms:DisableKey", {"KeyId": key}, at="+2m").ok
    s.close()
    assert [e.to_dict() for e in read_log(path)[1]] == [e.to_dict() for e in s.events]


def test_a_failure_after_the_write_is_a_crash_the_next_open_recovers_from(sim_with_log):
    s, key, path = sim_with_log
    n = len(s.events)
    inject(s, "fold")
    with pytest.raises(RecorderCrashed):
        s.call("kms:DisableKey", {"KeyId": key}, at="+2m")
    s.recorder.before_stage = None
    with pytest.raises(RecorderCrashed):  # memory lacks an event the log has: no more calls
        s.call("kms:DescribeKey", {"KeyId": key}, at="+3m")
    s.close()
    resumed = Simulator.resume(path)
    try:
        assert len(resumed.events) == n + 1
        assert resumed.key_state(key) == "Disabled"
        assert resumed.call("kms:EnableKey", {"KeyId": key}, at="+4m").event.seq == n + 2
    finally:
        resumed.close()


@pytest.mark.parametrize("args", [{"NumberOfBytes": 9}, {"NumberOfBytes": 1024},
                                  {"KeySpec": "AES_128"}, {"KeySpec": "AES_256"}])
def test_generate_data_key_of_any_size_is_recorded_and_replays(sim_with_log, args):
    s, key, path = sim_with_log
    r = s.call("kms:GenerateDataKey", {"KeyId": key, **args}, at="+2m")
    assert r.ok, r.event.out
    s.close()
    resumed = Simulator.resume(path)
    try:
        assert resumed.events[-1].res == r.res
        _, differences = replay(resumed.events, resumed.profile, resumed.settings,
                                resumed.start)
        assert differences == []
        assert resumed.call("kms:DescribeKey", {"KeyId": key}, at="+3m").ok
    finally:
        resumed.close()


@pytest.mark.parametrize("stamp", [10**16, -(10**16), 1e308, "9999-12-31T23:59:59Z"])
def test_a_metric_time_stamp_outside_the_window_is_refused_and_recorded(sim_with_log, stamp):
    s, _, path = sim_with_log
    r = s.call("cloudwatch:PutMetricData", {"Namespace": "Shop", "MetricData": [
        {"MetricName": "m", "Value": 1, "Timestamp": stamp}]}, at="+2m")
    assert (r.err, r.rule) in {("InvalidParameterValueException", "R-DS-35"),
                               ("InvalidParameterValueException", "R-DS-31")}
    assert r.event.seq not in s.world.items
    s.close()
    resumed = Simulator.resume(path)
    try:
        assert resumed.events[-1].to_dict() == r.event.to_dict()
        assert resumed.call("kms:ListKeys", at="+3m").ok
    finally:
        resumed.close()


def test_an_event_over_the_frame_limit_is_not_recorded(sim_with_log, monkeypatch):
    s, _, path = sim_with_log
    before, on_disk = state(s), log_bytes(path)
    monkeypatch.setattr(sim.recording, "MAX_FRAME", 4096)
    with pytest.raises(NotRecorded) as info:
        s.call("logs:CreateLogGroup", {"logGroupName": "x" * 5000}, at="+2m")
    assert info.value.stage == "encode"
    assert isinstance(info.value.__cause__, sim.recording.EventTooLarge)
    assert state(s) == before
    assert log_bytes(path) == on_disk


def test_a_value_the_log_cannot_hold_is_not_recorded(sim_with_log):
    s, _, path = sim_with_log
    before, on_disk = state(s), log_bytes(path)
    with pytest.raises(NotRecorded) as info:
        s.call("cloudwatch:PutMetricData", {"Namespace": "Shop", "MetricData": [
            {"MetricName": "m", "Value": 1, "Timestamp": 10**30}]}, at="+2m")
    assert info.value.stage == "encode"
    assert state(s) == before and log_bytes(path) == on_disk


def test_principal_names_live_in_the_world(tmp_path):
    s = Simulator(log=tmp_path / "p.kmlog")
    r = s.call("sim:PutPrincipal", {"Name": "bob",
                                     "Arn": "arn:aws:iam::111122223333:user/bob",
                                     "Policies": [json.dumps(ALLOW_ALL)]})
    assert r.ok
    assert s.principal_arn("bob") == "arn:aws:iam::111122223333:user/bob"
    assert s.call("kms:CreateKey", as_="bob").event.actor.endswith(":user/bob")
    s.close()
    resumed = Simulator.resume(tmp_path / "p.kmlog")
    try:
        assert resumed.names == {"bob": "arn:aws:iam::111122223333:user/bob"}
    finally:
        resumed.close()


def test_the_server_answers_a_call_it_cannot_record_and_goes_on(tmp_path, monkeypatch):
    boto3 = pytest.importorskip("boto3")
    from sim.server.app import KmsimApp, RunningServer

    s = Simulator(log=tmp_path / "srv.kmlog")
    monkeypatch.setattr(sim.recording, "MAX_FRAME", 4096)
    with RunningServer(KmsimApp(s)) as srv:
        logs = boto3.client("logs", endpoint_url=srv.url, region_name="us-east-1",
                            aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x")
        logs.create_log_group(logGroupName="app")
        logs.create_log_stream(logGroupName="app", logStreamName="s")
        with pytest.raises(logs.exceptions.ClientError) as info:
            logs.put_log_events(logGroupName="app", logStreamName="s", logEvents=[
                {"timestamp": 1767225600000, "message": "x" * 6000}])
        error = info.value.response
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 413
        assert "nothing was recorded" in error["Error"]["Message"]
        logs.put_log_events(logGroupName="app", logStreamName="s", logEvents=[
            {"timestamp": 1767225600000, "message": "small"}])
    with LogReader(tmp_path / "srv.kmlog") as reader:
        ops = [e.op for e in reader]
    assert ops == ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]

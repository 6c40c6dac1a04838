"""``kmsim log verify|repair`` and ``kmsim replay`` on the command line."""

from __future__ import annotations

import dataclasses
import os

import pytest

from events.logfile import LogWriter, read_log
from sim.cli import main
from sim.runner import run_file


@pytest.fixture
def log(tmp_path):
    path = tmp_path / "q.kmlog"
    run_file("scenarios/quickstart.toml", log=path)
    return str(path)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_whole_log(log, capsys):
    code, out, _ = run(capsys, "log", "verify", log)
    assert code == 0 and "10 good events, last seq 10" in out and "OK" in out


def test_torn_tail_verify_then_repair(log, capsys):
    size = os.path.getsize(log)
    with open(log, "ab") as f:
        f.write(b"\x40\x00\x00\x00abc")
    code, out, _ = run(capsys, "log", "verify", log)
    assert code == 1 and f"torn tail: 7 bytes at byte offset {size}" in out
    code, out, _ = run(capsys, "log", "repair", log)
    assert code == 0 and f"cut at byte offset {size}" in out
    assert os.path.getsize(log) == size and os.path.exists(f"{log}.dropped-{size}")
    assert os.path.exists(f"{log}.bak")
    assert run(capsys, "log", "verify", log)[0] == 0
    code, out, _ = run(capsys, "log", "repair", log)
    assert code == 0 and "nothing to repair" in out


def test_corruption_names_its_offset(log, capsys):
    offsets = []
    from events.logfile import LogReader
    with LogReader(log) as r:
        offsets = [off for off, _ in r.iter_with_offsets()]
    with open(log, "rb") as f:
        data = bytearray(f.read())
    data[offsets[4] + 12] ^= 0xFF
    with open(log, "wb") as f:
        f.write(bytes(data))
    code, out, _ = run(capsys, "log", "verify", log)
    assert code == 1 and f"error at byte offset {offsets[4]}" in out and "4 good events" in out
    code, out, _ = run(capsys, "log", "repair", log)
    assert code == 0 and "4 good events" in out


def test_missing_file_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "log", "verify", str(tmp_path / "none"))
    assert code == 2 and "no such file" in err


def test_replay_matches_and_lists_differences(log, capsys, tmp_path):
    code, out, _ = run(capsys, "replay", log)
    assert code == 0 and "every outcome matches" in out
    header, events = read_log(log)
    # Tamper: record event 9 (EnableKey on a key pending deletion) as a success.
    events[8] = dataclasses.replace(events[8], out={"ok": True, "res": {}})
    bad = tmp_path / "tampered.kmlog"
    with LogWriter.create(bad, header, sync="none") as w:
        w.append_many(events)
    code, out, _ = run(capsys, "replay", str(bad))
    assert code == 1 and "1 differ" in out
    assert "#9 kms:EnableKey: recorded ok, replay gives KMSInvalidStateException (R-KMS-12)" \
        in out
    code, _, err = run(capsys, "replay", log, "--profile", "nope")
    assert code == 2 and "unknown profile" in err
    code, _, err = run(capsys, "replay", log, "--set", "propagation=instant")
    assert code == 0


def test_a_log_the_rules_cannot_fold_exits_2(log, capsys, tmp_path):
    header, events = read_log(log)
    events[8] = dataclasses.replace(events[8], out={"ok": True, "res": {}})
    bad = tmp_path / "tampered.kmlog"
    with LogWriter.create(bad, header, sync="none") as w:
        w.append_many(events)
    code, _, err = run(capsys, "at", str(bad), "+1m")
    assert code == 2 and "kmsim replay LOG" in err

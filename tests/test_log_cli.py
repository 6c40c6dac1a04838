"""``kmsim log verify|repair`` and ``kmsim replay`` on the command line."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

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
    # quickstart's 10 events and the values it saved (sim:SaveVariables, A-SAVED-VALUES)
    assert code == 0 and "11 good events, last seq 11" in out and "OK" in out


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
    assert "#9 kms:EnableKey: recorded ok, replay gives KMSInvalidStateException (R-KMS-STATE-03)" \
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


def frames_of(log):
    """(the bytes up to the first event, [each event frame's bytes])."""
    from events.logfile import LogReader
    with LogReader(log) as r:
        offs = [off for off, _ in r.iter_with_offsets()]
    with open(log, "rb") as f:
        data = f.read()
    ends = [*offs[1:], len(data)]
    return data[: offs[0]], [data[a:b] for a, b in zip(offs, ends, strict=True)], offs


def write_frames(path, head, frames):
    with open(path, "wb") as f:
        f.write(head + b"".join(frames))
    return str(path)


VERBS = [("at", "+1m"), ("explain", "k1"), ("diff", "+0s", "+1m"), ("history",),
         ("timeline", "-o", "{tmp}/t.html"), ("whatif", "--at", "+1m", "--step", "sim:Noop"),
         ("debug", "--commands", "{tmp}/cmds"), ("replay",)]


def every_verb(capsys, tmp_path, path):
    (tmp_path / "cmds").write_text("state\n")
    for verb, *rest in VERBS:
        argv = [verb, path, *(a.format(tmp=tmp_path) for a in rest)]
        code, out, err = run(capsys, *argv)
        yield verb, code, out, err


@pytest.mark.parametrize("damage", ["duplicate", "swap", "drop", "drop first", "bad last"])
def test_every_verb_refuses_a_corrupt_log_in_one_line_naming_file_and_offset(
        log, capsys, tmp_path, damage):
    """Frames duplicated, swapped or dropped whole have valid checksums: every reader checks
    seq and time, and every verb says where (``kmsim at`` used to exit 0)."""
    head, frames, offs = frames_of(log)
    bad_at = offs[4] if damage != "drop first" else offs[0]
    if damage == "duplicate":
        frames = [*frames[:4], frames[3], *frames[4:]]
    elif damage == "swap":
        frames = [*frames[:4], frames[5], frames[4], *frames[6:]]
    elif damage == "drop":
        frames = [*frames[:4], *frames[5:]]
    elif damage == "drop first":
        frames = frames[1:]
    else:
        bad_at = offs[-1]
        frames[-1] = frames[-1][:-1] + bytes([frames[-1][-1] ^ 1])  # complete, bad checksum
    path = write_frames(tmp_path / "bad.kmlog", head, frames)
    for verb, code, out, err in every_verb(capsys, tmp_path, path):
        first = err.splitlines()[0]
        assert code == 2, (verb, code, out, err)
        assert first.startswith(f"kmsim: error: {path}: ") and first.endswith(
            f"(byte offset {bad_at})"), (verb, err)
        assert err.count(path) == 1 and err.splitlines()[1].startswith("  hint: "), (verb, err)
    code, out, _ = run(capsys, "log", "verify", path)
    assert code == 1 and f"error at byte offset {bad_at}" in out and "DAMAGED" in out
    assert "torn tail" not in out  # a complete last frame that fails its checksum is damage
    code, out, _ = run(capsys, "log", "repair", path)
    assert code == 0 and f"saved to {path}.dropped-{bad_at}" in out
    assert run(capsys, "log", "verify", path)[0] == 0
    assert run(capsys, "at", path, "+1m")[0] == 0


@pytest.mark.parametrize("content", ["text", "scenario", "empty", "magic only"])
def test_a_file_that_is_not_a_log_is_bad_input_not_a_damaged_log(capsys, tmp_path, content):
    name = {"scenario": "s.toml", "text": "notes.txt"}.get(content, "x.kmlog")
    path = str(tmp_path / name)
    data = {"text": b"hello, not a log\n", "empty": b"", "magic only": b"KMSIMLG",
            "scenario": Path("scenarios/quickstart.toml").read_bytes()}[content]
    with open(path, "wb") as f:
        f.write(data)
    for verb in ("verify", "repair"):
        code, out, err = run(capsys, "log", verb, path)
        assert code == 2 and out == "", (verb, out)
        assert err.startswith(f"kmsim: error: {path}: not a kmsim event log: "), err
        assert err.count(path) == 1 and "DAMAGED" not in err and "log repair" not in err, err
        assert "kmsim run" in err if content == "scenario" else "hint: kmsim log takes" in err
    with open(path, "rb") as f:
        assert f.read() == data  # repair touched nothing
    if content != "scenario":  # a scenario file is run by the verbs: that is what LOG means
        for verb, code, _, err in every_verb(capsys, tmp_path, path):
            assert code == 2 and err.startswith(f"kmsim: error: {path}: not a kmsim event log")
            assert err.count(path) == 1, (verb, err)
            if verb != "replay":  # replay has its own hint (sim/commands/replay.py)
                assert "log repair" not in err, (verb, err)


def test_verify_names_a_missing_header_and_a_missing_first_event(log, capsys, tmp_path):
    head, frames, offs = frames_of(log)
    no_header = write_frames(tmp_path / "a.kmlog", head[:8], frames)
    code, out, _ = run(capsys, "log", "verify", no_header)
    assert code == 1 and "error at byte offset 8 (bad header): the header is missing" in out
    no_first = write_frames(tmp_path / "b.kmlog", head, frames[1:])
    code, out, _ = run(capsys, "log", "verify", no_first)
    assert code == 1 and f"error at byte offset {offs[0]} (out of order): the first event " \
        "has seq 2, not 1" in out


def test_serve_resume_refuses_a_reordered_log_before_serving(log, tmp_path):
    import subprocess
    import sys
    head, frames, offs = frames_of(log)
    path = write_frames(tmp_path / "r.kmlog", head, [*frames[:4], frames[5], frames[4],
                                                     *frames[6:]])
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "serve", "--log", path, "--resume",
                           "--port", "0"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"kmsim: error: {path}: seq 6 where 5 was expected")
    assert f"(byte offset {offs[4]})" in proc.stderr and proc.stderr.count(path) == 1

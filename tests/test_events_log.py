"""The log file of SPEC section 6: format, torn tails, corruption, locking, durability."""

from __future__ import annotations

import errno
import gc
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import tracemalloc
import warnings
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_events_codec import REPO, T0, events, make_event

from events.codec import encode_event
from events.logfile import (
    MAGIC,
    LogCorrupt,
    LogError,
    LogHeader,
    LogLocked,
    LogReader,
    LogWriter,
    NotALog,
    TornTailWarning,
    read_log,
    repair_log,
    verify_log,
)
from events.record import Event, err_out

FRAME_HEAD = 8  # u32 length + u32 crc32


def write_log(path, n: int, sync: str = "none", header: LogHeader | None = None) -> list:
    evs = [make_event(i) for i in range(n)]
    with LogWriter.create(path, header or LogHeader(created=T0, start=T0), sync=sync) as w:
        w.append_many(evs)
    return evs


def count(path) -> int:
    with LogReader(path) as r:
        return sum(1 for _ in r)


def offsets(path) -> list[int]:
    with LogReader(path) as r:
        return [off for off, _ in r.iter_with_offsets()]


def flip(path, offset: int) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([b ^ 0xFF]))


def test_round_trip_and_layout(tmp_path):
    p = tmp_path / "a.kmlog"
    evs = write_log(p, 300)
    assert read_log(p)[1] == evs
    data = p.read_bytes()
    assert data[:8] == MAGIC
    # Frame by frame: u32 LE length | u32 LE crc32 | msgpack, events back to back.
    head_len = int.from_bytes(data[8:12], "little")
    offs = offsets(p)
    assert offs[0] == 8 + FRAME_HEAD + head_len
    for off, e in zip(offs, evs, strict=True):
        payload = encode_event(e)
        assert int.from_bytes(data[off : off + 4], "little") == len(payload)
        assert data[off + FRAME_HEAD : off + FRAME_HEAD + len(payload)] == payload
    assert offs[-1] + FRAME_HEAD + len(encode_event(evs[-1])) == len(data)


def test_header_round_trip(tmp_path):
    p = tmp_path / "a.kmlog"
    h = LogHeader(
        created=T0 + 1,
        profile="api-2026",
        assumptions={"A-CONFLICT": "newer", "A-3H": True},
        start=T0,
        extra={"scenario": "quickstart.toml"},
    )
    write_log(p, 3, header=h)
    with LogReader(p) as r:
        assert r.header == h
    assert LogHeader.from_dict(h.to_dict()) == h
    # Keys a later format adds are kept, not lost.
    future = LogHeader.from_dict({**h.to_dict(), "owner": "sre"})
    assert future.extra == {"scenario": "quickstart.toml", "owner": "sre"}


def test_create_refuses_a_non_empty_file_but_takes_an_empty_one(tmp_path):
    p = tmp_path / "a.kmlog"
    p.write_bytes(b"")
    write_log(p, 1)
    with pytest.raises(FileExistsError):
        LogWriter.create(p, LogHeader())
    assert read_log(p)[1] == [make_event(0)]


def test_not_a_log(tmp_path):
    p = tmp_path / "x.kmlog"
    for content in (b"", b"KMSIM", b"NOTALOG1" + b"\0" * 40):
        p.write_bytes(content)
        with pytest.raises(NotALog):
            LogReader(p)
        report = verify_log(p)
        assert not report.ok and "magic" in report.error


@pytest.mark.parametrize("sync", ["none", "flush", "fsync", "batch"])
def test_sync_policies(tmp_path, sync):
    p = tmp_path / "a.kmlog"
    w = LogWriter.create(p, LogHeader(), sync=sync)
    w.append_many(make_event(i) for i in range(999))
    assert count(p) == {"none": 0, "flush": 999, "fsync": 999, "batch": 0}[sync]
    w.append(make_event(999))
    assert count(p) == {"none": 0, "flush": 1000, "fsync": 1000, "batch": 1000}[sync]
    w.append(make_event(1000))
    w.flush()
    assert count(p) == 1001
    w.append(make_event(1001))
    w.close()
    w.close()  # closing twice is harmless
    assert [e.seq for e in read_log(p)[1]] == list(range(1002))


def test_unbuffered_writes_out_past_one_mib(tmp_path):
    p = tmp_path / "a.kmlog"
    with LogWriter.create(p, LogHeader(), sync="none") as w:
        big = "x" * 4000
        for i in range(300):
            w.append(make_event(i, draws={"pad": big}))
        assert os.path.getsize(p) > 1 << 20  # written out once the buffer passed 1 MiB


def test_unclosed_writer_still_writes_out_its_buffer(tmp_path):
    p = tmp_path / "a.kmlog"
    w = LogWriter.create(p, LogHeader(), sync="none")
    w.append_many(make_event(i) for i in range(10))
    with pytest.warns(ResourceWarning, match="unclosed LogWriter"):
        del w
        gc.collect()
    assert count(p) == 10
    with LogWriter.open(p) as w:  # and the lock went with it
        assert w.count == 10


def test_bad_sync_policy(tmp_path):
    with pytest.raises(ValueError, match="sync"):
        LogWriter.create(tmp_path / "a.kmlog", LogHeader(), sync="sometimes")


def test_reopen_continues_seq(tmp_path):
    p = tmp_path / "a.kmlog"
    h = LogHeader(created=T0, profile="api-2026")
    write_log(p, 10, header=h)
    with LogWriter.open(p) as w:
        assert (w.header, w.count, w.last_seq) == (h, 10, 9)
        w.append_many(make_event(i) for i in range(10, 15))
        with pytest.raises(ValueError, match="does not follow"):
            w.append(make_event(16))
        assert (w.count, w.last_seq) == (15, 14)
    assert [e.seq for e in read_log(p)[1]] == list(range(15))


def test_second_writer_is_locked_out(tmp_path):
    p = tmp_path / "a.kmlog"
    write_log(p, 3)
    w = LogWriter.open(p)
    with pytest.raises(LogLocked):
        LogWriter.open(p)  # a second open file description in this process
    with pytest.raises(LogLocked):
        LogWriter.create(p, LogHeader())
    with pytest.raises(LogLocked):
        repair_log(p)
    # Another process is locked out too; readers are not.
    code = (
        "from events.logfile import LogWriter, LogLocked\n"
        f"try:\n    LogWriter.open({str(p)!r})\nexcept LogLocked:\n    raise SystemExit(7)\n"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 7
    assert len(read_log(p)[1]) == 3
    w.close()
    with LogWriter.open(p) as w2:
        assert w2.count == 3


def test_failed_write_leaves_whole_frames_and_stops_the_writer(tmp_path, monkeypatch):
    p = tmp_path / "a.kmlog"
    w = LogWriter.create(p, LogHeader(), sync="flush")
    w.append_many(make_event(i) for i in range(3))
    size = os.path.getsize(p)
    real_write = os.write

    def disk_full(fd: int, data) -> int:
        real_write(fd, bytes(data[:5]))  # part of a frame lands, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(OSError, match="No space"):
        w.append(make_event(3))
    monkeypatch.setattr(os, "write", real_write)
    assert os.path.getsize(p) == size
    with pytest.raises(LogError, match="earlier write failed"):
        w.append(make_event(3))
    w.close()
    with pytest.raises(LogError, match="closed"):
        w.append(make_event(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [e.seq for e in read_log(p)[1]] == [0, 1, 2]


def last_frame(path) -> tuple[int, int]:
    """(offset of the last frame, file size)."""
    return offsets(path)[-1], os.path.getsize(path)


def test_torn_tail_at_every_cut_point_is_truncated_with_a_warning(tmp_path):
    p = tmp_path / "a.kmlog"
    evs = write_log(p, 5)
    last, size = last_frame(p)
    full = p.read_bytes()
    torn = tmp_path / "torn.kmlog"
    for cut in range(last + 1, size):
        torn.write_bytes(full[:cut])
        with pytest.warns(TornTailWarning, match=f"offset {last}; ignoring {cut - last} bytes"):
            assert read_log(torn)[1] == evs[:4]
        report = verify_log(torn)
        assert (report.ok, report.events, report.last_seq) == (False, 4, 3)
        assert (report.torn_tail, report.error) == ((last, cut - last), None)
        with pytest.warns(TornTailWarning, match=f"offset {last}; truncating {cut - last}"):
            w = LogWriter.open(torn)
        assert (w.count, w.last_seq, os.path.getsize(torn)) == (4, 3, last)
        w.append(make_event(4, out=err_out("E", "again", "R")))
        w.close()
        assert [e.seq for e in read_log(torn)[1]] == [0, 1, 2, 3, 4]
    # Cutting exactly at a frame boundary leaves a clean, shorter log.
    torn.write_bytes(full[:last])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_log(torn)[1] == evs[:4]
        assert verify_log(torn).ok


def test_zero_filled_tail_is_torn(tmp_path):
    # Some filesystems extend a file before its data lands; a crash leaves zeros.
    p = tmp_path / "a.kmlog"
    evs = write_log(p, 5)
    size = os.path.getsize(p)
    with open(p, "ab") as f:
        f.write(b"\0" * 5000)
    assert verify_log(p).torn_tail == (size, 5000)
    with pytest.warns(TornTailWarning, match="zero-filled"):
        assert read_log(p)[1] == evs


def test_bad_last_frame_is_a_torn_tail(tmp_path):
    p = tmp_path / "a.kmlog"
    evs = write_log(p, 5)
    last, size = last_frame(p)
    flip(p, size - 1)
    with pytest.warns(TornTailWarning, match="checksum"):
        assert read_log(p)[1] == evs[:4]
    assert verify_log(p).torn_tail == (last, size - last)


@pytest.mark.parametrize("where", [0, 1, 2, 3, 4, 7, 8, 9, 30, -1])
def test_flipped_byte_in_a_middle_frame_names_its_offset(tmp_path, where):
    """Any damaged byte of frame 3 (length, crc or payload) is corruption at its offset."""
    p = tmp_path / "a.kmlog"
    evs = write_log(p, 10)
    offs = offsets(p)
    bad = offs[3]
    flip(p, bad + where if where >= 0 else offs[4] - 1)
    before = p.read_bytes()
    with LogReader(p) as r:
        got = []
        with pytest.raises(LogCorrupt, match=f"byte offset {bad}:") as exc:
            got.extend(r)
    assert exc.value.offset == bad
    assert got == evs[:3]
    with pytest.raises(LogCorrupt) as exc:
        LogWriter.open(p)
    assert exc.value.offset == bad
    assert p.read_bytes() == before  # a refused open changes nothing
    report = verify_log(p)
    assert (report.ok, report.error_offset, report.events, report.torn_tail) == (
        False,
        bad,
        3,
        None,
    )


def test_damaged_length_running_past_the_end_is_not_mistaken_for_a_torn_tail(tmp_path):
    p = tmp_path / "a.kmlog"
    evs = write_log(p, 10)
    bad = offsets(p)[8]
    with open(p, "r+b") as f:
        f.seek(bad + 1)
        f.write(b"\x7f")  # length now ~32 KiB: past the end of this small file
    with pytest.raises(LogCorrupt, match="valid frame starts at byte offset"):
        read_log(p)
    report = repair_log(p, backup=False)
    assert report.ok and report.events == 8
    assert read_log(p)[1] == evs[:8]


def test_seq_gap_is_reported_at_its_offset(tmp_path):
    p = tmp_path / "a.kmlog"
    write_log(p, 5)
    gap_at = os.path.getsize(p)
    payload = encode_event(make_event(9))
    with open(p, "ab") as f:
        f.write(len(payload).to_bytes(4, "little") + zlib.crc32(payload).to_bytes(4, "little"))
        f.write(payload)
    report = verify_log(p)
    assert not report.ok and report.error_offset == gap_at and "seq gap" in report.error
    assert (report.events, report.last_seq, report.torn_tail) == (6, 9, None)


def test_verify_clean_and_bad_header(tmp_path):
    p = tmp_path / "a.kmlog"
    write_log(p, 7)
    report = verify_log(p)
    assert report == type(report)(str(p), 7, True, None, None, None, 6)
    flip(p, 8 + FRAME_HEAD + 2)
    with pytest.raises(LogCorrupt, match="header"):
        LogReader(p)
    report = verify_log(p)
    assert (report.ok, report.error_offset) == (False, 8)
    assert repair_log(p) == report  # nothing repair can mend: reported, not touched


def test_repair_torn_tail(tmp_path):
    p = tmp_path / "a.kmlog"
    evs = write_log(p, 6)
    last, size = last_frame(p)
    with open(p, "r+b") as f:
        f.truncate(size - 3)
    original = p.read_bytes()
    report = repair_log(p)
    assert (report.ok, report.events, report.last_seq) == (True, 5, 4)
    assert read_log(p)[1] == evs[:5]
    assert (tmp_path / "a.kmlog.bak").read_bytes() == original
    assert (tmp_path / f"a.kmlog.dropped-{last}").read_bytes() == original[last:]


def test_repair_corruption_keeps_what_comes_before_and_saves_the_rest(tmp_path):
    p = tmp_path / "a.kmlog"
    evs = write_log(p, 10)
    bad = offsets(p)[4]
    flip(p, bad + 20)
    original = p.read_bytes()
    report = repair_log(p)
    assert (report.ok, report.events, report.last_seq) == (True, 4, 3)
    assert read_log(p)[1] == evs[:4]
    assert p.read_bytes() == original[:bad]
    assert (tmp_path / f"a.kmlog.dropped-{bad}").read_bytes() == original[bad:]
    assert (tmp_path / "a.kmlog.bak").read_bytes() == original
    with LogWriter.open(p) as w:  # and the log goes on from there
        w.append(make_event(4))
    # A clean log is left alone; backups are never overwritten.
    assert repair_log(p).ok and not (tmp_path / "a.kmlog.bak.1").exists()
    flip(p, bad + 20)
    repair_log(p)
    assert (tmp_path / "a.kmlog.bak.1").exists()
    assert (tmp_path / f"a.kmlog.dropped-{bad}.1").exists()


def test_repair_without_backup(tmp_path):
    p = tmp_path / "a.kmlog"
    write_log(p, 3)
    with open(p, "ab") as f:
        f.write(b"\x05\x00")
    assert repair_log(p, backup=False).ok
    assert sorted(os.listdir(tmp_path)) == ["a.kmlog", f"a.kmlog.dropped-{os.path.getsize(p)}"]


def test_follow_yields_events_of_a_live_writer(tmp_path):
    p = tmp_path / "a.kmlog"
    write_log(p, 2)
    frame = tmp_path / "frame"
    write_log(frame, 3)
    third = frame.read_bytes()[offsets(frame)[2] :]
    with open(p, "ab") as f:
        f.write(third[:5])  # the writer is mid-append: follow waits instead of warning
    calls = []

    def poll() -> bool:
        calls.append(1)
        if len(calls) == 2:
            with open(p, "ab") as f:
                f.write(third[5:])
        return len(calls) < 3

    with LogReader(p) as r, warnings.catch_warnings():
        warnings.simplefilter("error")
        got = [e.seq for e in r.follow(poll=poll, interval=0.001)]
    assert got == [0, 1, 2]


def test_follow_with_a_writer_thread(tmp_path):
    p = tmp_path / "a.kmlog"
    w = LogWriter.create(p, LogHeader(), sync="flush")
    done = threading.Event()

    def write() -> None:
        for i in range(400):
            w.append(make_event(i))
            if i % 50 == 0:
                done.wait(0.002)
        w.close()
        done.set()

    t = threading.Thread(target=write)
    t.start()
    with LogReader(p) as r:
        got = [e.seq for e in r.follow(poll=lambda: not done.is_set(), interval=0.001)]
    t.join()
    assert got == list(range(400))


KILLED_WRITER = textwrap.dedent(
    """
    import sys
    from events.logfile import LogHeader, LogWriter
    from test_events_codec import make_event
    w = LogWriter.create(sys.argv[1], LogHeader(), sync="flush")
    i = 0
    while True:
        w.append(make_event(i, draws={"pad": "p" * (i % 3000)}))
        print(i, flush=True)  # printed only once the append returned: acknowledged
        i += 1
    """
)


def test_killed_writer_loses_no_acknowledged_event(tmp_path):
    p = tmp_path / "a.kmlog"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([REPO, os.path.join(REPO, "tests")])}
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(p)], stdout=subprocess.PIPE, env=env, text=True
    )
    acked = []
    for line in child.stdout:
        acked.append(int(line))
        if len(acked) == 3000:
            child.send_signal(signal.SIGKILL)
            break
    child.wait()
    acked.extend(int(line) for line in child.stdout)  # lines already in the pipe
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TornTailWarning)  # killed mid-append: allowed
        w = LogWriter.open(p)
    w.close()
    seqs = [e.seq for e in read_log(p)[1]]
    assert seqs == list(range(len(seqs)))
    assert set(acked) <= set(seqs)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(events, max_size=12), st.sampled_from(["none", "flush", "batch"]))
def test_any_list_of_events_round_trips(evs, sync):
    evs = [Event.from_dict({**e.to_dict(), "seq": i}) for i, e in enumerate(evs)]
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "a.kmlog")
        with LogWriter.create(p, LogHeader(assumptions={"x": [1, b"2"]}), sync=sync) as w:
            w.append_many(evs)
        header, got = read_log(p)
        assert got == evs and header.assumptions == {"x": [1, b"2"]}
        assert verify_log(p).ok


def test_streaming_keeps_memory_flat(tmp_path):
    p = tmp_path / "big.kmlog"
    n = 200_000
    with LogWriter.create(p, LogHeader(), sync="none") as w:
        for i in range(n):
            w.append(make_event(i))
    assert os.path.getsize(p) > 40 << 20
    tracemalloc.start()
    try:
        seen = 0
        with LogReader(p) as r:
            for e in r:
                assert e.seq == seen
                seen += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        p.unlink()
    assert seen == n
    # The file is over 40 MiB; reading it must cost a few 1 MiB chunks, not the file.
    assert peak < 8 << 20, f"peak traced memory {peak / 2**20:.1f} MiB"

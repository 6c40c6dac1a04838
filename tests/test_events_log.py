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
    LogOutOfOrder,
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
    """A log of events 1..n (a log numbers its events from 1)."""
    evs = [make_event(i) for i in range(1, n + 1)]
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
    assert read_log(p)[1] == [make_event(1)]


def test_not_a_log(tmp_path):
    p = tmp_path / "x.kmlog"
    contents = {b"": "the file is empty", b"KMSIM": "ends 5 bytes into the magic",
                b"NOTALOG1" + b"\0" * 40: "does not start with the 8-byte magic KMSIMLG1",
                b'[scenario]\nname = "x"\n': "magic"}
    for content, why in contents.items():
        p.write_bytes(content)
        with pytest.raises(NotALog, match=why) as exc:
            LogReader(p)
        assert str(exc.value).startswith("not a kmsim event log: ")  # the path is exc.path
        assert exc.value.path == str(p) and str(p) not in str(exc.value)
        report = verify_log(p)
        assert (report.ok, report.problem, report.events) == (False, "not a log", 0)
        assert why in report.error
        assert repair_log(p) == report and p.read_bytes() == content  # not touched


@pytest.mark.parametrize("sync", ["none", "flush", "fsync", "batch"])
def test_sync_policies(tmp_path, sync):
    p = tmp_path / "a.kmlog"
    w = LogWriter.create(p, LogHeader(), sync=sync)
    w.append_many(make_event(i) for i in range(1, 1000))
    assert count(p) == {"none": 0, "flush": 999, "fsync": 999, "batch": 0}[sync]
    w.append(make_event(1000))
    assert count(p) == {"none": 0, "flush": 1000, "fsync": 1000, "batch": 1000}[sync]
    w.append(make_event(1001))
    w.flush()
    assert count(p) == 1001
    w.append(make_event(1002))
    w.close()
    w.close()  # closing twice is harmless
    assert [e.seq for e in read_log(p)[1]] == list(range(1, 1003))


def test_unbuffered_writes_out_past_one_mib(tmp_path):
    p = tmp_path / "a.kmlog"
    with LogWriter.create(p, LogHeader(), sync="none") as w:
        big = "x" * 4000
        for i in range(1, 301):
            w.append(make_event(i, draws={"pad": big}))
        assert os.path.getsize(p) > 1 << 20  # written out once the buffer passed 1 MiB


def test_unclosed_writer_still_writes_out_its_buffer(tmp_path):
    p = tmp_path / "a.kmlog"
    w = LogWriter.create(p, LogHeader(), sync="none")
    w.append_many(make_event(i) for i in range(1, 11))
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
        assert (w.header, w.count, w.last_seq, w.last_t) == (h, 10, 10, make_event(10).t)
        w.append_many(make_event(i) for i in range(11, 16))
        with pytest.raises(ValueError, match="does not follow"):
            w.append(make_event(17))
        with pytest.raises(ValueError, match="does not follow"):
            w.append(make_event(15))
        with pytest.raises(ValueError, match="goes back in time"):
            w.append(make_event(16, t=make_event(14).t))
        assert (w.count, w.last_seq) == (15, 15)
    assert [e.seq for e in read_log(p)[1]] == list(range(1, 16))


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


def _disk_full(real_write):
    def disk_full(fd: int, data) -> int:
        real_write(fd, bytes(data[:5]))  # part of a frame lands, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")
    return disk_full


def test_a_failed_write_of_one_append_is_forgotten_and_the_writer_goes_on(tmp_path,
                                                                          monkeypatch):
    p = tmp_path / "a.kmlog"
    w = LogWriter.create(p, LogHeader(), sync="flush")
    w.append_many(make_event(i) for i in range(1, 4))
    size = os.path.getsize(p)
    real_write = os.write
    monkeypatch.setattr(os, "write", _disk_full(real_write))
    with pytest.raises(OSError, match="No space"):
        w.append(make_event(4))
    monkeypatch.setattr(os, "write", real_write)
    assert os.path.getsize(p) == size  # the part-written frame was cut off
    assert (w.count, w.last_seq) == (3, 3)
    w.append(make_event(4))  # the same event again: nothing of the failed one is left
    w.close()
    with pytest.raises(LogError, match="closed"):
        w.append(make_event(5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [e.seq for e in read_log(p)[1]] == [1, 2, 3, 4]


def test_a_failed_write_of_buffered_events_stops_the_writer(tmp_path, monkeypatch):
    p = tmp_path / "a.kmlog"
    w = LogWriter.create(p, LogHeader(), sync="none")
    w.append_many(make_event(i) for i in range(1, 4))  # acknowledged, still in the buffer
    size = os.path.getsize(p)
    real_write = os.write
    monkeypatch.setattr(os, "write", _disk_full(real_write))
    with pytest.raises(OSError, match="No space"):
        w.flush()
    monkeypatch.setattr(os, "write", real_write)
    assert os.path.getsize(p) == size
    with pytest.raises(LogError, match="earlier write failed"):
        w.append(make_event(4))
    w.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_log(p)[1] == []


def last_frame(path) -> tuple[int, int]:
    """(offset of the last frame, file size)."""
    return offsets(path)[-1], os.path.getsize(path)


def test_torn_tail_at_every_cut_point_is_truncated_with_a_warning(tmp_path):
    p = tmp_path / "a.kmlog"
    evs = write_log(p, 5)
    last, size = last_frame(p)
    full = p.read_bytes()
    torn = tmp_path / "torn.kmlog"
    dropped = tmp_path / f"torn.kmlog.dropped-{last}"
    for cut in range(last + 1, size):
        torn.write_bytes(full[:cut])
        ignoring = rf"offset {last} \(.+\); ignoring its {cut - last} bytes"
        with pytest.warns(TornTailWarning, match=ignoring):
            assert read_log(torn)[1] == evs[:4]
        report = verify_log(torn)
        assert (report.ok, report.events, report.last_seq) == (False, 4, 4)
        assert (report.torn_tail, report.error) == ((last, cut - last), None)
        assert report.problem == "torn tail"
        dropped.unlink(missing_ok=True)
        saved = f"truncated its {cut - last} bytes, saved in {dropped}$"
        with pytest.warns(TornTailWarning, match=saved):
            w = LogWriter.open(torn)
        assert (w.count, w.last_seq, os.path.getsize(torn)) == (4, 4, last)
        assert dropped.read_bytes() == full[last:cut]  # the cut bytes are kept beside the log
        w.append(make_event(5, out=err_out("E", "again", "R")))
        w.close()
        assert [e.seq for e in read_log(torn)[1]] == [1, 2, 3, 4, 5]
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
    with pytest.warns(TornTailWarning, match="zero-filled"):
        LogWriter.open(p).close()
    assert os.path.getsize(p) == size
    assert (tmp_path / f"a.kmlog.dropped-{size}").read_bytes() == b"\0" * 5000


def test_a_frame_complete_only_thanks_to_zeroed_blocks_is_torn(tmp_path):
    # A crash after the file grew but before a block of the last write landed: the frame's
    # header is there, its payload reads as zeros from a block boundary to the end.
    p = tmp_path / "a.kmlog"
    evs = write_log(p, 3)
    with LogWriter.open(p) as w:
        w.append(make_event(4, draws={"pad": "x" * 3000}))
    last, size = last_frame(p)
    block = (last + FRAME_HEAD + 600) // 512 * 512
    full = p.read_bytes()
    data = bytearray(full)
    data[block:] = bytes(size - block)
    p.write_bytes(bytes(data))
    with pytest.warns(TornTailWarning, match=f"zero-filled from byte offset {block}"):
        assert read_log(p)[1] == evs
    # Zeros that start after the frame's last block boundary are no unwritten block: damage.
    data = bytearray(full)
    zeros = max(size - 100, (size - 1) // 512 * 512 + 1)
    data[zeros:] = bytes(size - zeros)
    p.write_bytes(bytes(data))
    with pytest.raises(LogCorrupt, match=f"byte offset {last}\\)"):
        read_log(p)


@pytest.mark.parametrize("where", ["payload", "crc", "shorter length"])
def test_a_complete_last_frame_that_fails_its_checksum_is_corruption(tmp_path, where):
    """Not a torn tail: a writer stopped mid-append leaves a short frame, never a whole one
    with a bad checksum, so the last event is reported at its offset, never cut silently."""
    p = tmp_path / "a.kmlog"
    evs = write_log(p, 5)
    last, size = last_frame(p)
    flip(p, {"payload": size - 1, "crc": last + 5, "shorter length": last}[where])
    before = p.read_bytes()
    with LogReader(p) as r:
        got = []
        with pytest.raises(LogCorrupt, match=f"byte offset {last}\\)") as exc:
            got.extend(r)
    assert got == evs[:4] and exc.value.offset == last
    with pytest.raises(LogCorrupt, match=f"byte offset {last}\\)"):
        LogWriter.open(p)
    assert p.read_bytes() == before  # a refused open changes nothing
    report = verify_log(p)
    assert (report.ok, report.torn_tail, report.error_offset, report.events) == (
        False, None, last, 4)
    assert report.problem == "bad frame"
    report = repair_log(p, backup=False)  # repair keeps the four and saves the fifth
    assert report.ok and report.events == 4
    assert report.dropped == f"{p}.dropped-{last}"
    assert (tmp_path / f"a.kmlog.dropped-{last}").read_bytes() == before[last:]


def test_a_length_enlarged_in_the_last_frame_is_corruption(tmp_path):
    # The frame now runs past the end of the file, like a torn write, but the bytes that
    # are there make a whole payload with the frame's checksum: the length is damaged.
    p = tmp_path / "a.kmlog"
    write_log(p, 5)
    last, _ = last_frame(p)
    with open(p, "r+b") as f:
        f.seek(last + 1)
        f.write(b"\x7f")
    with pytest.raises(LogCorrupt, match="the length is damaged"):
        read_log(p)
    assert verify_log(p).problem == "bad frame"


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
        with pytest.raises(LogCorrupt, match=f"byte offset {bad}\\)") as exc:
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
    evs = write_log(p, 5)
    gap_at = os.path.getsize(p)
    payload = encode_event(make_event(9))
    with open(p, "ab") as f:
        f.write(len(payload).to_bytes(4, "little") + zlib.crc32(payload).to_bytes(4, "little"))
        f.write(payload)
    report = verify_log(p)
    assert not report.ok and report.error_offset == gap_at and report.problem == "out of order"
    assert "seq 9 where 6 was expected: events 6..8 are missing" in report.error
    assert (report.events, report.last_seq, report.torn_tail) == (5, 5, None)
    with pytest.raises(LogOutOfOrder, match=f"byte offset {gap_at}\\)"):
        read_log(p)
    with pytest.raises(LogOutOfOrder, match=f"events 6..8 are missing.*byte offset {gap_at}"):
        LogWriter.open(p)  # the last seq is not the count of events: it finds the first
    assert repair_log(p, backup=False).ok  # cut at the gap, the frame saved beside the log
    assert read_log(p)[1] == evs


def test_verify_clean_and_bad_header(tmp_path):
    p = tmp_path / "a.kmlog"
    write_log(p, 7)
    report = verify_log(p)
    assert report == type(report)(str(p), 7, True, None, None, None, 7)
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
    assert (report.ok, report.events, report.last_seq) == (True, 5, 5)
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
    assert (report.ok, report.events, report.last_seq) == (True, 4, 4)
    assert read_log(p)[1] == evs[:4]
    assert p.read_bytes() == original[:bad]
    assert (tmp_path / f"a.kmlog.dropped-{bad}").read_bytes() == original[bad:]
    assert (tmp_path / "a.kmlog.bak").read_bytes() == original
    with LogWriter.open(p) as w:  # and the log goes on from there
        w.append(make_event(5))
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
    assert got == [1, 2, 3]


def test_follow_with_a_writer_thread(tmp_path):
    p = tmp_path / "a.kmlog"
    w = LogWriter.create(p, LogHeader(), sync="flush")
    done = threading.Event()

    def write() -> None:
        for i in range(1, 401):
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
    assert got == list(range(1, 401))


KILLED_WRITER = textwrap.dedent(
    """
    import sys
    from events.logfile import LogHeader, LogWriter
    from test_events_codec import make_event
    w = LogWriter.create(sys.argv[1], LogHeader(), sync="flush")
    i = 1
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
    assert seqs == list(range(1, len(seqs) + 1))
    assert set(acked) <= set(seqs)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(events, max_size=12), st.sampled_from(["none", "flush", "batch"]))
def test_any_list_of_events_round_trips(evs, sync):
    # A log numbers its events from 1 and its time never goes back.
    times = sorted(e.t for e in evs)
    evs = [Event.from_dict({**e.to_dict(), "seq": i + 1, "t": times[i]})
           for i, e in enumerate(evs)]
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
        for i in range(1, n + 1):
            w.append(make_event(i))
    assert os.path.getsize(p) > 40 << 20
    tracemalloc.start()
    try:
        seen = 0
        with LogReader(p) as r:
            for e in r:
                seen += 1
                assert e.seq == seen
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        p.unlink()
    assert seen == n
    # The file is over 40 MiB; reading it must cost a few 1 MiB chunks, not the file.
    assert peak < 8 << 20, f"peak traced memory {peak / 2**20:.1f} MiB"

"""Logs that are wrong are never read silently: seq and time checks in every reader,
frames that are not events, headers, and the writer refusing what readers would refuse."""

from __future__ import annotations

import re
import warnings
import zlib

import msgpack
import pytest
from test_events_codec import T0, make_event

from events.codec import EventOrder, OutOfOrder, decode_checked, encode_event, encode_map
from events.logfile import (
    LogCorrupt,
    LogHeader,
    LogOutOfOrder,
    LogReader,
    LogWriter,
    read_log,
    verify_log,
)
from events.record import Event
from projections.timetravel.timeline import Timeline
from sim.errors import InputError
from sim.loading import load_timeline


def frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(4, "little") + zlib.crc32(payload).to_bytes(4, "little") + payload


def build(path, payloads: list[bytes], header: LogHeader | None = None) -> list[int]:
    """A log whose event frames hold ``payloads`` (valid checksums); returns their offsets."""
    head = b"KMSIMLG1" + frame(encode_map((header or LogHeader(start=T0)).to_dict()))
    offsets, pos = [], len(head)
    for p in payloads:
        offsets.append(pos)
        pos += 8 + len(p)
    path.write_bytes(head + b"".join(frame(p) for p in payloads))
    return offsets


def events_payloads(seqs, times=None) -> list[bytes]:
    times = times or [T0 + 10 * i for i in range(len(seqs))]
    # An op no projection folds: these tests are about reading, not the rules.
    return [encode_event(make_event(s, op="test:Read", t=t))
            for s, t in zip(seqs, times, strict=True)]


def every_reader(path) -> dict:
    """Run each reader; what it raised (or None)."""
    def reader():
        with LogReader(path) as r:
            list(r)

    def offsets():
        with LogReader(path) as r:
            list(r.iter_with_offsets())

    def follow():
        with LogReader(path) as r:
            list(r.follow(poll=lambda: False))

    def from_log():
        Timeline.from_log(str(path), "seed", {}, T0).events.close()

    outcomes = {}
    for name, fn in [("iter", reader), ("offsets", offsets), ("follow", follow),
                     ("read_log", lambda: read_log(path)), ("from_log", from_log)]:
        try:
            fn()
            outcomes[name] = None
        except LogCorrupt as exc:
            outcomes[name] = exc
    try:
        load_timeline(str(path))
        outcomes["load_timeline"] = None
    except InputError as exc:
        outcomes["load_timeline"] = exc
    return outcomes


@pytest.mark.parametrize(("seqs", "bad", "why"), [
    ([1, 2, 3, 3, 4], 3, "seq 3 where 4 was expected: a frame repeated"),
    ([1, 2, 4, 3, 5], 2, "seq 4 where 3 was expected: event 3 is missing"),
    ([1, 2, 4, 5], 2, "seq 4 where 3 was expected: event 3 is missing"),
    ([1, 2, 7], 2, "events 3..6 are missing"),
    ([2, 3, 4], 0, "the first event has seq 2, not 1"),
    ([0, 1, 2], 0, "the first event has seq 0, not 1"),
])
def test_every_reader_refuses_seq_out_of_order_at_its_offset(tmp_path, seqs, bad, why):
    p = tmp_path / "a.kmlog"
    offs = build(p, events_payloads(seqs))
    for name, exc in every_reader(p).items():
        assert exc is not None, f"{name} read {seqs} silently"
        assert why in str(exc) and f"(byte offset {offs[bad]})" in str(exc), (name, exc)
        if name != "load_timeline":
            assert isinstance(exc, LogOutOfOrder) and exc.offset == offs[bad]
    report = verify_log(p)
    assert (report.problem, report.error_offset, report.events) == ("out of order", offs[bad],
                                                                   bad)


def test_every_reader_refuses_time_going_back(tmp_path):
    p = tmp_path / "a.kmlog"
    offs = build(p, events_payloads([1, 2, 3], [T0, T0 + 5, T0 + 4]))
    for name, exc in every_reader(p).items():
        assert exc is not None and f"(byte offset {offs[2]})" in str(exc), name
        assert "time goes back: event #3 is at 2026-01-01T00:00:00.004Z, before event #2" \
            in str(exc)
    # Equal times are fine; an event before the header's start is not.
    build(p, events_payloads([1, 2, 3], [T0, T0, T0]))
    assert all(exc is None for exc in every_reader(p).values())
    offs = build(p, events_payloads([1, 2], [T0 - 1, T0]))
    with pytest.raises(LogOutOfOrder, match=rf"before the log's start .*\(byte offset {offs[0]}"):
        read_log(p)


NOT_EVENTS = {
    "list": msgpack.packb([1, 2]),
    "int": msgpack.packb(42),
    "map without the event keys": msgpack.packb({"hello": "world"}),
    "event without draws": msgpack.packb({k: v for k, v in make_event(2).to_dict().items()
                                          if k != "draws"}),
    "not msgpack": b"\xc1\xc1",
    "half a map": encode_event(make_event(2))[:-4],
    "two events in one frame": encode_event(make_event(2)) * 2,
    "unhashable key": b"\x81\x91\x01\x01",  # {[1]: 1}
    "v0 event": msgpack.packb({**make_event(2).to_dict(), "v": 0}),
    "seq is a string": msgpack.packb({**make_event(2).to_dict(), "seq": "2"}),
    "t is None": msgpack.packb({**make_event(2).to_dict(), "t": None}),
}


@pytest.mark.parametrize("what", NOT_EVENTS)
@pytest.mark.parametrize("where", ["middle", "last"])
def test_a_valid_frame_that_is_not_an_event_is_an_error_with_its_offset(tmp_path, what, where):
    p = tmp_path / "a.kmlog"
    good = events_payloads([1, 2, 3])
    payloads = [good[0], NOT_EVENTS[what], good[2]] if where == "middle" else [good[0],
                                                                                NOT_EVENTS[what]]
    offs = build(p, payloads)
    for name, exc in every_reader(p).items():
        assert exc is not None and f"(byte offset {offs[1]})" in str(exc), (name, exc)
        assert "not an event" in str(exc) or "seq" in str(exc), (name, exc)
    report = verify_log(p)
    assert not report.ok and report.error_offset == offs[1] and report.events == 1
    if where == "last":  # LogWriter.open decodes the last event (readers check the others)
        with pytest.raises(LogCorrupt, match=rf"\(byte offset {offs[1]}\)"):
            LogWriter.open(p)


def test_a_partly_consumed_batch_does_not_confuse_the_next_one(tmp_path):
    p = tmp_path / "a.kmlog"
    with LogWriter.create(p, LogHeader(start=T0), sync="none") as w:
        w.append_many(make_event(i, draws={"pad": "p" * 3000}) for i in range(1, 1001))
    with LogReader(p) as r:
        seen = 0
        for _, events in r.batches():  # several 1 MiB batches; take one event of each
            seen += next(iter(events)).seq > 0
        assert seen > 1


def test_file_events_notice_a_log_changed_under_them(tmp_path):
    p = tmp_path / "a.kmlog"
    offs = build(p, events_payloads([1, 2, 3, 4]))
    tl = Timeline.from_log(str(p), "seed", {}, T0)
    assert [e.seq for e in tl.events] == [1, 2, 3, 4]
    build(p, events_payloads([1, 2, 4, 3]))  # the same sizes, another order
    with pytest.raises(LogOutOfOrder, match=rf"\(byte offset {offs[2]}\)"):
        list(tl.events)
    data = bytearray(p.read_bytes())
    data[offs[2]] ^= 1  # another length: frames no longer where the timeline has them
    p.write_bytes(bytes(data))
    with pytest.raises(LogCorrupt, match=rf"changed since it was read.*{offs[2]}"):
        tl.events[2]
    p.write_bytes(bytes(data[: offs[3] + 5]))
    with pytest.raises(LogCorrupt, match="changed since it was read"):
        tl.events[3]
    tl.events.close()


@pytest.mark.parametrize(("header", "why"), [
    ({"format": 1, "profile": 7}, "profile is 7, not str"),
    ({"format": 1, "assumptions": [1]}, "assumptions is [1], not dict"),
    ({"format": 1, "start": "soon"}, "start is 'soon', not int"),
    ({"profile": "seed"}, "format is None"),
    ({"format": "1"}, "format is '1'"),
    (make_event(1).to_dict(), "the header is missing: the first frame is event #1"),
])
def test_a_bad_header_is_corruption_at_offset_8(tmp_path, header, why):
    p = tmp_path / "a.kmlog"
    p.write_bytes(b"KMSIMLG1" + frame(msgpack.packb(header)))
    with pytest.raises(LogCorrupt, match=rf"{re.escape(why)}.*\(byte offset 8\)"):
        LogReader(p)
    report = verify_log(p)
    assert (report.problem, report.error_offset) == ("bad header", 8) and why in report.error


def test_the_writer_refuses_what_readers_refuse(tmp_path):
    p = tmp_path / "a.kmlog"
    with LogWriter.create(p, LogHeader(start=T0), sync="none") as w:
        with pytest.raises(ValueError, match="the first event of a log has seq 1"):
            w.append(make_event(0))
        with pytest.raises(ValueError, match="goes back in time"):
            w.append(make_event(1, t=T0 - 1))  # before the header's start
        w.append(make_event(1))
        with pytest.raises(ValueError, match="does not follow"):
            w.append(Event(**{**make_event(2).to_dict(), "seq": True}))
        with pytest.raises(ValueError, match="goes back in time"):
            w.append(make_event(2, t=T0 - 1))
        w.append(make_event(2, t=make_event(1).t))  # the same time is fine
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [e.seq for e in read_log(p)[1]] == [1, 2]
    with LogWriter.open(p) as w:
        assert (w.last_seq, w.last_t) == (2, make_event(1).t)


def test_decode_checked_moves_the_order_on_and_names_the_index():
    order = EventOrder(1, T0)
    got = list(decode_checked(events_payloads([1, 2]), order, lambda i, e: AssertionError(i)))
    assert [e.seq for e in got] == [1, 2] and (order.seq, order.t) == (3, T0 + 10)

    def fail(i, exc):
        assert isinstance(exc, OutOfOrder) and (exc.seq, exc.t) == (4, T0 + 20)
        return KeyError(i)

    with pytest.raises(KeyError, match="1"):  # the second payload of the batch
        list(decode_checked(events_payloads([3, 5], [T0 + 20, T0 + 30]), order, fail))
    assert (order.seq, order.t) == (3, T0 + 10)  # a failed batch does not move it


def test_decode_checked_refuses_a_last_payload_that_is_half_a_map():
    whole, last = events_payloads([1, 2])
    with pytest.raises(KeyError, match="1"):  # the second payload: only part of an event
        list(decode_checked([whole, last[:7]], EventOrder(1, T0),
                            lambda i, e: KeyError(i)))


def test_decode_checked_raw_yields_the_checked_dicts():
    order = EventOrder(1, T0)
    got = list(decode_checked(events_payloads([1, 2]), order, lambda i, e: KeyError(i),
                              raw=True))
    assert [type(d) for d in got] == [dict, dict] and [d["seq"] for d in got] == [1, 2]
    assert (order.seq, order.t) == (3, T0 + 10)

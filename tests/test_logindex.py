"""An indexed log (events/logindex.py): read once, each event's offset and time kept, any
event decoded again from its offset, and a file changed since never read as other events."""

from __future__ import annotations

import pytest
from test_events_codec import T0, make_event

from events import logindex
from events.logfile import LogCorrupt, LogHeader, LogOutOfOrder, LogReader, LogWriter, read_log
from events.logindex import FileEvents, IndexedLog


def write_log(path, n: int, step: int = 7) -> None:
    with LogWriter.create(path, LogHeader(start=T0), sync="none") as w:
        for seq in range(1, n + 1):
            w.append(make_event(seq, op="test:Read", t=T0 + step * (seq // 3)))


def read_all(log: IndexedLog) -> list:
    return list(log.read())


def test_the_index_is_each_events_offset_and_time(tmp_path, monkeypatch) -> None:
    path = tmp_path / "t.kmlog"
    write_log(path, 50)
    _, events = read_log(path)
    with LogReader(path) as r:
        offsets = [off for off, _ in r.iter_with_offsets()]
    log = IndexedLog(path)
    assert read_all(log) == events
    assert list(log.offsets) == offsets
    assert list(log.times) == [e.t for e in events]
    assert log.header is not None and log.header.start == T0
    monkeypatch.setattr(logindex, "SPAN", 8)  # several reads per range
    lazy = log.events
    try:
        assert isinstance(lazy, FileEvents) and len(lazy) == 50
        assert lazy[0] == events[0] and lazy[-1] == events[-1] and lazy[17] == events[17]
        assert lazy[3:30] == events[3:30] and lazy[40:10] == []
        assert lazy[1:20:6] == events[1:20:6]
        assert list(lazy) == events
        with pytest.raises(IndexError):
            lazy[50]
    finally:
        lazy.close()


def test_an_event_out_of_order_is_not_indexed(tmp_path) -> None:
    path = tmp_path / "t.kmlog"
    write_log(path, 5)
    with LogReader(path) as r:
        last = [off for off, _ in r.iter_with_offsets()][-1]
    data = path.read_bytes()
    path.write_bytes(data + data[last:])  # the last frame again: seq 5 where 6 belongs
    log = IndexedLog(path)
    with pytest.raises(LogOutOfOrder) as exc:
        read_all(log)
    assert exc.value.offset == len(data)
    assert len(log.offsets) == len(log.times) == 5  # the events before it, not the bad one
    assert log.offsets[-1] == last


def test_a_log_cut_since_it_was_indexed_raises_rather_than_answer(tmp_path) -> None:
    path = tmp_path / "t.kmlog"
    write_log(path, 20)
    log = IndexedLog(path)
    read_all(log)
    with open(path, "r+b") as f:
        f.truncate(log.offsets[15] + 3)
    try:
        assert log.events[14].seq == 15
        with pytest.raises(LogCorrupt, match="changed since it was read") as exc:
            log.events[15]
        assert exc.value.offset == log.offsets[15]
    finally:
        log.events.close()

"""Reading a log: :class:`LogReader` streams its events, checked, beside a live writer.

The file layout, and what counts as a torn tail or as corruption, is described in
:mod:`events.logfile` (which re-exports these names); writing lives there too.
"""

from __future__ import annotations

import os
import time
from array import array
from collections.abc import Callable, Iterator

from events import verify as checks
from events.codec import EventOrder
from events.frames import FRAME, LogCorrupt, LogHeader, Scan, classify_stop, read_header
from events.record import Event


class LogReader:
    """Read-only view of a log; takes no lock, so it works beside a live writer.

    Iteration streams in constant memory (1 MiB reads). A torn tail ends iteration
    with a :class:`TornTailWarning`; corruption, a frame that is not an event and an event
    out of seq or time order raise :class:`LogCorrupt` naming the byte offset.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        # A file object rather than a bare descriptor, so a reader that is never closed
        # still gets its file closed when it is garbage-collected.
        self._file = open(self.path, "rb", buffering=0)  # noqa: SIM115 - closed in close()
        self._fd = self._file.fileno()
        try:
            self.header, self._start = read_header(self._fd, self.path)
        except BaseException:
            self.close()
            raise

    @property
    def events_start(self) -> int:
        """The byte offset of the first event's frame (just past the header)."""
        return self._start

    def frame_end(self, offset: int) -> int:
        """The byte just past the frame at ``offset`` (read from its length field)."""
        head = os.pread(self._fd, FRAME.size, offset)
        if len(head) < FRAME.size:
            raise LogCorrupt(self.path, offset, "the log changed since it was read: the "
                             "frame is gone")
        return offset + FRAME.size + FRAME.unpack(head)[0]

    def close(self) -> None:
        """Close the file (iterators still running stop working)."""
        self._file.close()
        self._fd = -1

    def __enter__(self) -> LogReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Event]:
        for _, events in self.batches():
            yield from events

    def iter_with_offsets(self) -> Iterator[tuple[int, Event]]:
        """Yield ``(byte offset of the frame, event)`` for every event in the file."""
        for offsets, events in self.batches():
            yield from zip(offsets, events, strict=True)

    def batches(self, start: int | None = None, first_seq: int = 1,
                last_t: int | None = None, times: array | None = None, raw: bool = False
                ) -> Iterator[tuple[list[int], Iterator[Event]]]:
        """Yield ``(frame offsets, their events)`` per read (bulk loads iterate these to save
        a generator step per event). Every event is checked (:func:`events.verify.check_batch`):
        a frame that is not an event, a seq that is not the next one or a time that goes
        back raises :class:`LogCorrupt` naming its byte offset.

        ``start`` (a frame boundary), ``first_seq`` and ``last_t`` (the time of the event
        before it) resume a read where an earlier one ended: only the frames after it are
        read (a log that grew since its index was saved). ``times``, when given, gets each
        event's time as it is decoded; with ``raw`` the events are their checked dicts
        (:func:`events.codec.decode_checked`)."""
        scan = Scan(self._fd, self._start if start is None else start)
        order = EventOrder(first_seq, self.header.start if last_t is None else last_t, times)
        for offsets, payloads in scan:
            events = checks.check_batch(self.path, offsets, payloads, order, raw)
            yield offsets, events
            for _ in events:  # what the consumer left, so that ``order`` moves on right
                pass
        self._check_end(scan.end)

    def _check_end(self, end: int, torn_ok: bool = False) -> None:
        """Warn about a torn tail at ``end`` (or ignore it if ``torn_ok``), raise on corruption."""
        damage = classify_stop(self._fd, self.path, end)
        if damage is not None and not (torn_ok and damage.torn):
            damage.raise_or_warn()

    def follow(
        self, poll: Callable[[], bool] | None = None, interval: float = 0.2
    ) -> Iterator[Event]:
        """Yield every event, then keep yielding events as a live writer appends them.

        ``poll`` is asked before each pass; once it returns False, the events written
        until then are yielded and the generator ends. With no ``poll`` it never ends.
        An incomplete frame at the end is waited for, as the writer may be mid-append.
        Events are checked as :meth:`batches` checks them.
        """
        pos = self._start
        order = EventOrder(1, self.header.start)
        while True:
            going = poll is None or poll()
            scan = Scan(self._fd, pos)
            for offsets, payloads in scan:
                yield from checks.check_batch(self.path, offsets, payloads, order)
            self._check_end(scan.end, torn_ok=going)  # a torn tail may be a live append
            if not going:
                return
            if scan.end == pos:
                time.sleep(interval)  # a pause between polls, not a clock read
            pos = scan.end


def read_log(path: str | os.PathLike[str]) -> tuple[LogHeader, list[Event]]:
    """The header and all events of a log (loads everything: for small logs and tests)."""
    with LogReader(path) as r:
        return r.header, list(r)

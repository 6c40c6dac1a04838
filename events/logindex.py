"""Random access to a log: read it once, keep each event's byte offset and time, and
decode any event again from its offset when it is asked for.

A million-event log is a few hundred megabytes of events once decoded; its index is two
integers per event (16 bytes). :class:`IndexedLog` reads the file once, checked as every
reader checks it (:func:`events.verify.check_batch`), handing each event to the caller
as it goes (the timeline folds it in the same pass) and keeping only its offset and
time. Its :attr:`IndexedLog.events` is then a read-only ``Sequence[Event]``
(:class:`FileEvents`) that decodes events on demand from those offsets, with one read
per span (:func:`read_span`).

The file layout is :mod:`events.logfile`'s (SPEC 6); nothing here writes.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable, Iterator, Sequence
from itertools import pairwise
from typing import overload

from events.codec import EventOrder
from events.frames import FRAME, LogCorrupt, LogHeader
from events.logreader import LogReader
from events.record import Event
from events.verify import check_batch

__all__ = ["FileEvents", "IndexedLog", "read_span"]

#: Events decoded per read when a span of them is asked for.
SPAN = 4096


class IndexedLog:
    """A log file read once: each event's byte ``offsets`` and ``times``, and its events.

    Iterate :meth:`read` once (it yields the events, checked); after that, :attr:`events`
    decodes any of them again on demand. ``header`` is the log's.
    """

    def __init__(self, path: str | os.PathLike[str], offsets: array | None = None,
                 times: array | None = None, end: int | None = None) -> None:
        """``offsets``, ``times`` and ``end`` (the byte just past the last indexed frame):
        an index saved earlier, which :meth:`read` goes on from (it reads only the frames
        after it)."""
        self.path = os.fspath(path)
        self.header: LogHeader | None = None
        self.offsets = array("q") if offsets is None else offsets
        self.times = array("q") if times is None else times
        #: The byte just past the last event indexed (None: nothing read yet).
        self.end = end
        self._events: FileEvents | None = None

    def read(self, on_batch: Callable[[int], None] | None = None, raw: bool = False
             ) -> Iterator[Event]:
        """Read and check every event of the file not indexed yet, yielding each as it is
        read and indexing it (its offset and time). A frame that is not an event, a seq out
        of order or a time going back raises ``LogCorrupt`` naming its byte offset; the
        index then holds the events before it. ``on_batch(offset)`` is called after each
        read with the offset of the last frame read (for progress). With ``raw`` each event
        is its checked dict (a bulk fold makes an Event only of those it needs one for)."""
        offsets, times = self.offsets, self.times
        with LogReader(self.path) as reader:
            self.header = reader.header
            start = self.end if self.end is not None else reader.events_start
            known = len(offsets)
            last_t = times[-1] if times else None
            try:
                for offs, events in reader.batches(start, len(times) + 1, last_t, times,
                                                      raw):
                    offsets.extend(offs)
                    # One event at a time, not lists of them: each is garbage once folded,
                    # so its dicts go back to the interpreter's free lists for the next.
                    # The decoder indexes each event's time as it decodes it.
                    yield from events
                    if on_batch is not None and offs:
                        on_batch(offs[-1])
            finally:
                del offsets[len(times):]  # a read that stopped: the frames not yielded
                self.end = reader.frame_end(offsets[-1]) if len(offsets) > known else start

    @property
    def events(self) -> FileEvents:
        """The events read so far, decoded on demand from their offsets (one open file)."""
        if self._events is None:
            self._events = FileEvents(self.path, self.offsets)
        return self._events


class FileEvents(Sequence[Event]):
    """Events of a log file, decoded on demand from their byte offsets (read-only)."""

    def __init__(self, path: str, offsets: array) -> None:
        self.path = path
        self.offsets = offsets
        #: Called before each read: a live writer's buffered frames reach the file first.
        self.before_read: Callable[[], None] | None = None
        #: The byte just past the last event's frame, when known (a live writer's next).
        self.end: int | None = None
        self._fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)

    def append_offset(self, offset: int) -> None:
        """Index one more event, written (or being written) at ``offset`` by a live writer."""
        self.offsets.append(offset)

    def __len__(self) -> int:
        return len(self.offsets)

    @overload
    def __getitem__(self, i: int) -> Event: ...
    @overload
    def __getitem__(self, i: slice) -> list[Event]: ...

    def __getitem__(self, i: int | slice) -> Event | list[Event]:
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step != 1:
                return [self[j] for j in range(start, stop, step)]
            return list(self._range(start, stop))
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return next(self._range(i, i + 1))

    def _range(self, start: int, stop: int) -> Iterator[Event]:
        """Decode events ``start..stop-1`` with one read per :data:`SPAN` events; their
        frames and seq are checked again (the file may have changed since)."""
        if self.before_read is not None and start < stop:
            self.before_read()
        i = start
        while i < stop:
            j = min(stop, i + SPAN)
            end = self.offsets[j] if j < len(self) else None
            yield from read_span(self._fd, self.path, self.offsets[i:j], i + 1, end)
            i = j

    def __iter__(self) -> Iterator[Event]:
        return self._range(0, len(self))

    def close(self) -> None:
        """Close the file."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def read_span(
    fd: int, path: str, offsets: Sequence[int], first_seq: int, end: int | None = None
) -> Iterator[Event]:
    """Decode the consecutive frames at ``offsets`` of an open log, the first being event
    ``first_seq``; ``end`` is the offset just past the last frame, if known. One read;
    each frame's length and seq are checked again (not its checksum: answers are timed,
    and the log only ever grows or is cut), so a log cut or rewritten since it was read
    raises :class:`LogCorrupt` rather than answering with other events.
    """
    lo = offsets[0]
    if end is None:
        head = os.pread(fd, FRAME.size, offsets[-1])
        end = offsets[-1] + FRAME.size + (FRAME.unpack(head)[0] if len(head) == FRAME.size
                                          else 0)
    buf = os.pread(fd, end - lo, lo)
    bounds = [*offsets, end]
    if len(buf) < end - lo:  # cut short (by a repair?): name the first frame that is gone
        gone = next(off for off, nxt in pairwise(bounds) if nxt - lo > len(buf))
        raise LogCorrupt(path, gone, "the log changed since it was read: the frame is gone")
    payloads = []
    unpack, append = FRAME.unpack_from, payloads.append
    for off, nxt in pairwise(bounds):
        payload = buf[off - lo + FRAME.size : nxt - lo]
        if unpack(buf, off - lo)[0] != len(payload):
            raise LogCorrupt(path, off, "the log changed since it was read: the frame differs")
        append(payload)
    return check_batch(path, offsets, payloads, EventOrder(first_seq))

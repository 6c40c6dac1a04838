"""The append-only event log file (SPEC section 6, a contract).

Layout::

    offset 0   MAGIC                  8 bytes, b"KMSIMLG1"
    offset 8   header frame           the LogHeader map
    then       one frame per event    in seq order, seq rising by 1

    frame  =  u32 little-endian length of payload
           |  u32 little-endian zlib.crc32(payload)
           |  payload (msgpack map)

The header is a frame too, so it gets a checksum like every event.

Events number 1, 2, 3... and their time never goes back (nor before the header's
``start``): :meth:`LogWriter.append` refuses anything else and every reader checks it
(:func:`events.verify.check_batch`), so a frame duplicated, swapped, dropped or rewritten
with a valid checksum, or one that is not an event, raises :class:`LogCorrupt`
(:class:`LogOutOfOrder` for seq and time) naming the frame's byte offset.

Damage is told apart by :func:`events.frames.classify_stop`. A *torn tail* is what a
writer stopped mid-append leaves: a *short* last frame (the file ends before the frame
does) or zeros to the end of the file. Readers ignore it with a :class:`TornTailWarning`;
:meth:`LogWriter.open` truncates it after copying the bytes it cuts to
``<log>.dropped-<offset>`` (the warning names it). Anything else is *corruption*, raised as
:class:`LogCorrupt` with its offset and never truncated on open: a *complete* last frame
failing its checksum, or a short one whose bytes hold a valid frame or a whole payload (a
damaged length). :func:`repair_log` cuts at the first torn or corrupt frame, saving the cut
bytes the same way and the whole file to ``<log>.bak``. The one other cut is a failed
write's own partial frame, removed at once (that event was never acknowledged).

One writer at a time: :class:`LogWriter` holds ``flock(LOCK_EX)`` on the file. Readers
take no lock and may :meth:`LogReader.follow` a log that is being written. Nothing here
reads the wall clock; ``LogHeader.created`` is given by the caller.
"""

from __future__ import annotations

import contextlib
import os
import warnings
import zlib
from collections.abc import Iterable

from events import verify as checks
from events.codec import decode_event, encode_event, encode_map
from events.frames import (
    FORMAT_VERSION,
    FRAME,
    MAGIC,
    MAX_FRAME,
    LogCorrupt,
    LogError,
    LogHeader,
    LogLocked,
    LogOutOfOrder,
    LogVersionError,
    NotALog,
    Scan,
    TornTailWarning,
    classify_stop,
    lock_exclusive,
    read_header,
    save_cut,
)
from events.logindex import read_span
from events.logreader import LogReader, read_log
from events.record import Event
from events.verify import VerifyReport, repair_log, verify_log

__all__ = [
    "FORMAT_VERSION",
    "MAGIC",
    "MAX_FRAME",
    "LogCorrupt",
    "LogError",
    "LogHeader",
    "LogLocked",
    "LogOutOfOrder",
    "LogReader",
    "LogVersionError",
    "LogWriter",
    "NotALog",
    "TornTailWarning",
    "VerifyReport",
    "read_log",
    "read_span",
    "repair_log",
    "verify_log",
]

SYNC_POLICIES = ("none", "flush", "fsync", "batch")
_BUFFER_BYTES = 1 << 20  # "none"/"batch" write out once the buffer passes this
_BATCH_EVENTS = 1000  # "batch" writes out every this many events


def _frame(payload: bytes) -> bytes:
    return FRAME.pack(len(payload), zlib.crc32(payload)) + payload


def _write_all(fd: int, data: bytes | bytearray) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class LogWriter:
    """The one appender of a log. Make it with :meth:`create` or :meth:`open`.

    Sync policies say when an appended event reaches the OS (and so survives a killed
    process) or the disk (survives a power cut): ``"none"`` when the 1 MiB buffer fills
    or on flush/close; ``"flush"`` at every append; ``"fsync"`` at every append, then
    fsync; ``"batch"`` every 1000 events (or 1 MiB), or on flush/close. A failed write
    truncates the file back to its last whole frame and the writer refuses further
    appends: reopen it to go on (unless the failed write held only the event being
    appended: then that append is forgotten and the writer goes on). Not thread-safe:
    one thread appends.
    """

    def __init__(self, path: str, fd: int, header: LogHeader, sync: str, size: int, count: int,
                 last_seq: int | None, last_t: int | None = None) -> None:
        self.path = path
        self.header = header
        self.sync = sync
        self.count = count  # events in the file, including ones still buffered
        self.last_seq = last_seq
        #: The time of the last event (the header's start before any): none may go back.
        self.last_t = header.start if last_t is None else last_t
        self._fd = fd
        self._size = size  # bytes handed to the OS: always a frame boundary
        self._buf = bytearray()
        self._pending = 0
        direct = sync in ("flush", "fsync")
        self._max_events = 1 if direct else _BATCH_EVENTS if sync == "batch" else 1 << 62
        self._fsync = sync == "fsync"
        self._failed: BaseException | None = None
        self._last_seq_before = last_seq
        self._last_t_before = self.last_t

    @classmethod
    def create(
        cls, path: str | os.PathLike[str], header: LogHeader, sync: str = "flush"
    ) -> LogWriter:
        """Start a new log at ``path``; FileExistsError if it exists and is not empty."""
        path, fd = _open_locked(path, sync, os.O_CREAT)
        try:
            if os.fstat(fd).st_size:
                raise FileExistsError(f"{path}: log already exists and is not empty")
            head = MAGIC + _frame(encode_map(header.to_dict()))
            _write_all(fd, head)
            if sync == "fsync":
                os.fsync(fd)
                _fsync_dir(path)
        except BaseException:
            os.close(fd)
            raise
        return cls(path, fd, header, sync, len(head), 0, None)

    @classmethod
    def open(cls, path: str | os.PathLike[str], sync: str = "flush") -> LogWriter:
        """Reopen a log to append to it, after checking every frame's checksum and that the
        last seq is the number of events (a frame duplicated or dropped anywhere breaks it).

        A torn tail is truncated with a :class:`TornTailWarning`, its bytes saved first to
        ``<path>.dropped-<offset>``; corruption raises :class:`LogCorrupt`, changing nothing.
        """
        path, fd = _open_locked(path, sync, 0)
        try:
            header, start = read_header(fd, path)
            scan = Scan(fd, start)
            count, last, last_off = 0, None, start
            for offsets, payloads in scan:
                count += len(offsets)
                last, last_off = payloads[-1], offsets[-1]
            damage = classify_stop(fd, path, scan.end)
            if damage is not None and not damage.torn:
                raise damage.error()
            last_seq, last_t = None, None
            if last is not None:
                event = _decode_at(path, last_off, last)
                last_seq, last_t = event.seq, event.t
                if (type(last_seq) is not int or last_seq != count or type(last_t) is not int
                        or last_t < header.start):
                    checks.check_all(fd, path, header.start, start)  # raises at the first bad one
                    raise LogOutOfOrder(path, last_off, f"the last event has seq {last_seq!r}, "
                                        f"but the log holds {count} events")
            if damage is not None:
                kept = save_cut(fd, path, damage.offset)  # before the cut: nothing is lost
                os.ftruncate(fd, damage.offset)
                os.fsync(fd)
                damage.raise_or_warn(f"truncated its {damage.size} bytes, saved in {kept}")
        except BaseException:
            os.close(fd)
            raise
        return cls(path, fd, header, sync, scan.end, count, last_seq, last_t)

    def append(self, event: Event, payload: bytes | None = None) -> None:
        """Append one event: its seq must be 1 more than the last (1 for the first) and its
        time not before the last event's (nor the header's start), as readers check.
        ``payload``, when given, is ``encode_event(event)`` already made by the caller."""
        if self._fd < 0:
            raise LogError(self.path, "writer is closed")
        if self._failed is not None:
            raise LogError(self.path, f"an earlier write failed ({self._failed!r}); reopen")
        seq, t = event.seq, event.t
        if type(seq) is not int or seq != (self.last_seq or 0) + 1:
            if self.last_seq is None:
                raise ValueError(f"seq {seq!r}: the first event of a log has seq 1")
            raise ValueError(f"seq {seq!r} does not follow {self.last_seq}")
        if type(t) is not int or t < self.last_t:
            raise ValueError(f"event #{seq} at {t!r} goes back in time (before {self.last_t})")
        if payload is None:
            payload = encode_event(event)
        if len(payload) > MAX_FRAME:
            raise ValueError(f"event seq {event.seq} is {len(payload)} bytes, over {MAX_FRAME}")
        buf = self._buf
        buf += FRAME.pack(len(payload), zlib.crc32(payload))
        buf += payload
        self._pending += 1
        self.count += 1
        self._last_seq_before, self.last_seq = self.last_seq, event.seq
        self._last_t_before, self.last_t = self.last_t, t
        if self._pending >= self._max_events or len(buf) >= _BUFFER_BYTES:
            self._write_out(appending=True)

    def append_many(self, events: Iterable[Event]) -> None:
        """Append events in order (same guarantees as :meth:`append` for each)."""
        for e in events:
            self.append(e)

    def flush(self) -> None:
        """Hand buffered events to the OS (and fsync them under ``"fsync"``)."""
        if self._fd >= 0 and self._failed is None:
            self._write_out()

    def _write_out(self, appending: bool = False) -> None:
        if not self._buf:
            return
        try:
            _write_all(self._fd, self._buf)
            if self._fsync:
                os.fsync(self._fd)
        except BaseException as exc:
            # Keep the file a sequence of whole frames: cut any part-written frame off.
            self._failed = exc
            with contextlib.suppress(OSError):  # if this fails too, the next open truncates
                os.ftruncate(self._fd, self._size)
                if appending and self._pending == 1:
                    # Only the event being appended was lost, and the file is whole again:
                    # forget that append (its caller is told) and stay usable. Buffered
                    # events of earlier appends keep the writer failed: they were lost.
                    self._forget_pending()
            raise
        self._size += len(self._buf)
        self._buf.clear()
        self._pending = 0

    def _forget_pending(self) -> None:
        self.count -= 1
        self.last_seq = self._last_seq_before
        self.last_t = self._last_t_before
        self._buf = bytearray()  # not clear(): the failed write's memoryview may still be alive
        self._pending = 0
        self._failed = None

    def close(self) -> None:
        """Write out what is buffered, release the lock and close the file."""
        if self._fd < 0:
            return
        try:
            self.flush()
        finally:
            os.close(self._fd)  # closing the descriptor also drops the flock
            self._fd = -1

    def __enter__(self) -> LogWriter:
        return self

    def __del__(self) -> None:
        # Like an unclosed io file: write out what was appended rather than lose it.
        if getattr(self, "_fd", -1) >= 0:
            msg = f"unclosed LogWriter for {self.path}"
            warnings.warn(msg, ResourceWarning, stacklevel=2, source=self)
            with contextlib.suppress(Exception):
                self.close()

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open_locked(path: str | os.PathLike[str], sync: str, flags: int) -> tuple[str, int]:
    if sync not in SYNC_POLICIES:
        raise ValueError(f"sync must be one of {SYNC_POLICIES}, not {sync!r}")
    path = os.fspath(path)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC | flags, 0o644)
    try:
        lock_exclusive(fd, path)
    except BaseException:
        os.close(fd)
        raise
    return path, fd


def _fsync_dir(path: str) -> None:
    # A new file is only durable once its directory entry is.
    dfd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def _decode_at(path: str, off: int, payload: bytes) -> Event:
    """Decode the frame at ``off``; a whole frame that is not an event is corruption."""
    try:
        return decode_event(payload)
    except (ValueError, TypeError) as exc:  # UnsupportedEventVersion included
        raise checks.not_an_event(path, off, payload, exc) from exc

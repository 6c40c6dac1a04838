"""The append-only event log file (SPEC section 6, a contract).

Layout::

    offset 0   MAGIC                  8 bytes, b"KMSIMLG1"
    offset 8   header frame           the LogHeader map
    then       one frame per event    in seq order, seq rising by 1

    frame  =  u32 little-endian length of payload
           |  u32 little-endian zlib.crc32(payload)
           |  payload (msgpack map)

The header is a frame too, so it gets a checksum like every event.

Damage is told apart as follows. A *torn tail* is what a writer killed mid-append
leaves: the last frame runs past the end of the file, or it is complete but its checksum
fails, or the file ends in zero bytes (a filesystem that extended the file before
writing it). A torn tail is truncated on open with a warning. Any other bad frame is
*corruption*: :class:`LogCorrupt` names its byte offset, and :func:`repair_log` keeps what
comes before it and moves the rest to a ``.dropped-<offset>`` file. A frame running past
the end whose remaining bytes still hold a valid frame is corruption (a damaged length),
not a torn tail, so truncation never eats good events.

One writer at a time: :class:`LogWriter` holds ``flock(LOCK_EX)`` on the file. Readers
take no lock and may :meth:`LogReader.follow` a log that is being written. Nothing here
reads the wall clock; ``LogHeader.created`` is given by the caller.
"""

from __future__ import annotations

import contextlib
import os
import time
import warnings
import zlib
from collections.abc import Callable, Iterable, Iterator

from events.codec import (
    UnsupportedEventVersion,
    decode_event,
    decode_events,
    encode_event,
    encode_map,
)
from events.frames import (
    FORMAT_VERSION,
    FRAME,
    MAGIC,
    MAX_FRAME,
    LogCorrupt,
    LogError,
    LogHeader,
    LogLocked,
    NotALog,
    Scan,
    TornTailWarning,
    classify_stop,
    lock_exclusive,
    read_header,
)
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
    "LogReader",
    "LogWriter",
    "NotALog",
    "TornTailWarning",
    "VerifyReport",
    "read_log",
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
    appends: reopen it to go on. Not thread-safe: one thread appends.
    """

    def __init__(
        self,
        path: str,
        fd: int,
        header: LogHeader,
        sync: str,
        size: int,
        count: int,
        last_seq: int | None,
    ) -> None:
        self.path = path
        self.header = header
        self.sync = sync
        self.count = count  # events in the file, including ones still buffered
        self.last_seq = last_seq
        self._fd = fd
        self._size = size  # bytes handed to the OS: always a frame boundary
        self._buf = bytearray()
        self._pending = 0
        direct = sync in ("flush", "fsync")
        self._max_events = 1 if direct else _BATCH_EVENTS if sync == "batch" else 1 << 62
        self._fsync = sync == "fsync"
        self._failed: BaseException | None = None

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
        """Reopen a log to append to it, after checking every frame's checksum.

        A torn tail is truncated (with a :class:`TornTailWarning`); corruption before
        the end raises :class:`LogCorrupt` and changes nothing.
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
            if damage is not None:
                damage.raise_or_warn("truncating")
                os.ftruncate(fd, scan.end)
                os.fsync(fd)
            last_seq = None if last is None else _decode_at(path, last_off, last).seq
        except BaseException:
            os.close(fd)
            raise
        return cls(path, fd, header, sync, scan.end, count, last_seq)

    def append(self, event: Event) -> None:
        """Append one event; its seq must follow the previous one by exactly 1."""
        if self._fd < 0:
            raise LogError(f"{self.path}: writer is closed")
        if self._failed is not None:
            raise LogError(f"{self.path}: an earlier write failed ({self._failed!r}); reopen")
        if self.last_seq is not None and event.seq != self.last_seq + 1:
            raise ValueError(f"seq {event.seq} does not follow {self.last_seq}")
        payload = encode_event(event)
        if len(payload) > MAX_FRAME:
            raise ValueError(f"event seq {event.seq} is {len(payload)} bytes, over {MAX_FRAME}")
        buf = self._buf
        buf += FRAME.pack(len(payload), zlib.crc32(payload))
        buf += payload
        self._pending += 1
        self.count += 1
        self.last_seq = event.seq
        if self._pending >= self._max_events or len(buf) >= _BUFFER_BYTES:
            self._write_out()

    def append_many(self, events: Iterable[Event]) -> None:
        """Append events in order (same guarantees as :meth:`append` for each)."""
        for e in events:
            self.append(e)

    def flush(self) -> None:
        """Hand buffered events to the OS (and fsync them under ``"fsync"``)."""
        if self._fd >= 0 and self._failed is None:
            self._write_out()

    def _write_out(self) -> None:
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
            raise
        self._size += len(self._buf)
        self._buf.clear()
        self._pending = 0

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


class LogReader:
    """Read-only view of a log; takes no lock, so it works beside a live writer.

    Iteration streams in constant memory (1 MiB reads). A torn tail ends iteration
    with a :class:`TornTailWarning`; corruption raises :class:`LogCorrupt`.
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

    def batches(self) -> Iterator[tuple[list[int], Iterator[Event]]]:
        """Yield ``(frame offsets, their events)`` per read (bulk loads iterate these to save
        a generator step per event). Consume each batch's events before the next batch."""
        scan = Scan(self._fd, self._start)
        for offsets, payloads in scan:
            yield offsets, self._decode(offsets, payloads)
        self._check_end(scan.end)

    def _decode(self, offsets: list[int], payloads: list[bytes]) -> Iterator[Event]:
        """Decode one batch of frames; a whole frame that is not an event is corruption."""
        try:
            yield from decode_events(payloads)
        except UnsupportedEventVersion:
            raise  # an old kmsim reading a newer log: not damage
        except (ValueError, TypeError) as exc:
            # Rare path: decode the batch again one frame at a time to name the culprit.
            for off, payload in zip(offsets, payloads, strict=True):
                _decode_at(self.path, off, payload)
            raise LogCorrupt(self.path, offsets[0], f"undecodable frames: {exc}") from exc

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
        """
        pos = self._start
        while True:
            going = poll is None or poll()
            scan = Scan(self._fd, pos)
            for offsets, payloads in scan:
                yield from self._decode(offsets, payloads)
            self._check_end(scan.end, torn_ok=going)  # a torn tail may be a live append
            if not going:
                return
            if scan.end == pos:
                time.sleep(interval)  # a pause between polls, not a clock read
            pos = scan.end


def _decode_at(path: str, off: int, payload: bytes) -> Event:
    """Decode the frame at ``off``; a whole frame that is not an event is corruption."""
    try:
        return decode_event(payload)
    except UnsupportedEventVersion:
        raise  # an old kmsim reading a newer log: not damage
    except (ValueError, TypeError) as exc:
        raise LogCorrupt(path, off, f"undecodable event: {exc}") from exc


def read_log(path: str | os.PathLike[str]) -> tuple[LogHeader, list[Event]]:
    """The header and all events of a log (loads everything: for small logs and tests)."""
    with LogReader(path) as r:
        return r.header, list(r)

"""The log file's format: magic, header, frames, and telling a torn tail from corruption.

A frame is ``u32 LE length | u32 LE zlib.crc32(payload) | payload`` (SPEC section 6;
the whole file layout is described in :mod:`events.logfile`, which re-exports the
public names defined here). This module works on a raw file descriptor with
``os.pread``, so any number of scans can share one descriptor without a file position.
"""

from __future__ import annotations

import fcntl
import os
import struct
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from events.codec import decode_map

MAGIC = b"KMSIMLG1"
FORMAT_VERSION = 1
#: The 8-byte frame header: payload length, payload crc32, both u32 little-endian.
FRAME = struct.Struct("<II")
#: Largest payload a frame may hold. No API request comes near it (PutLogEvents caps a
#: batch at 1 MiB); the cap lets a damaged length field be recognised as damage.
MAX_FRAME = 16 << 20
#: Bytes read per system call while scanning; memory stays near twice this.
CHUNK = 1 << 20


class LogError(Exception):
    """Base of every error about a log file."""


class LogCorrupt(LogError):
    """A bad frame that is not a torn tail; ``offset`` is the frame's first byte."""

    def __init__(self, path: str, offset: int, reason: str) -> None:
        super().__init__(f"{path}: bad frame at byte offset {offset}: {reason}")
        self.path = path
        self.offset = offset
        self.reason = reason


class LogLocked(LogError):
    """Another writer holds the log's lock."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path}: locked by another writer")
        self.path = path


class NotALog(LogError):
    """The file does not start with :data:`MAGIC`."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path}: not a kmsim log (bad magic)")
        self.path = path


class TornTailWarning(UserWarning):
    """The log ends in a partly written frame, which is being ignored or truncated."""


@dataclass
class LogHeader:
    """The first frame of a log. ``created`` and ``start`` are simulated epoch ms."""

    format: int = FORMAT_VERSION
    created: int = 0
    profile: str = "seed"
    assumptions: dict = field(default_factory=dict)
    start: int = 0
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The header as the map stored in the file."""
        return {
            "format": self.format,
            "created": self.created,
            "profile": self.profile,
            "assumptions": self.assumptions,
            "start": self.start,
            "extra": self.extra,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LogHeader:
        """Read a stored header map; unknown keys are kept in ``extra``, not dropped."""
        known = ("format", "created", "profile", "assumptions", "start", "extra")
        h = cls(**{k: d[k] for k in known if k in d})
        unknown = {k: v for k, v in d.items() if k not in known}
        if unknown:
            h.extra = {**h.extra, **unknown}
        return h


def read_header(fd: int, path: str) -> tuple[LogHeader, int]:
    """Check the magic and read the header frame; returns it and where events start."""
    if os.pread(fd, len(MAGIC), 0) != MAGIC:
        raise NotALog(path)
    off = len(MAGIC)
    payload, reason = read_frame(fd, off)
    if payload is None:
        raise LogCorrupt(path, off, f"bad header frame: {reason}")
    try:
        header = LogHeader.from_dict(decode_map(payload))
    except (ValueError, TypeError) as exc:
        raise LogCorrupt(path, off, f"undecodable header: {exc}") from exc
    if not isinstance(header.format, int) or header.format > FORMAT_VERSION:
        raise LogError(f"{path}: log format {header.format!r} is newer than this code")
    return header, off + FRAME.size + len(payload)


@dataclass(frozen=True)
class Damage:
    """What stopped a scan before the end of the file: where, how much, and why."""

    path: str
    offset: int
    torn: bool  # a torn tail (safe to drop) rather than corruption
    size: int  # bytes from offset to the end of the file
    reason: str

    def error(self) -> LogCorrupt:
        """The exception describing this damage as corruption."""
        return LogCorrupt(self.path, self.offset, self.reason)

    def raise_or_warn(self, action: str = "ignoring") -> None:
        """Warn about a torn tail (``action`` says what is done to it); raise otherwise."""
        if not self.torn:
            raise self.error()
        warnings.warn(
            f"{self.path}: torn last frame at byte offset {self.offset}; {action} "
            f"{self.size} bytes ({self.reason})",
            TornTailWarning,
            stacklevel=3,
        )


class Scan:
    """Iterate over the whole, checksummed frames from ``start``, one batch per read.

    Each item is ``(offsets, payloads)``: the frames found in one ``CHUNK``-sized read
    (batches let the decoder work on many payloads per call). Iteration stops quietly at
    the first frame that is incomplete or bad; ``end`` is then the offset just past the
    last good frame, and :func:`classify_stop` says what, if anything, is wrong there.
    Memory stays near two chunks whatever the file size.
    """

    __slots__ = ("end", "fd")

    def __init__(self, fd: int, start: int) -> None:
        self.fd = fd
        self.end = start

    def __iter__(self) -> Iterator[tuple[list[int], list[bytes]]]:
        fd = self.fd
        unpack = FRAME.unpack_from
        crc32 = zlib.crc32
        base, buf, i = self.end, b"", 0  # buf[i] is the byte at file offset base + i
        while True:
            offsets: list[int] = []
            payloads: list[bytes] = []
            size, bad = len(buf), False
            while size - i >= 8:
                n, crc = unpack(buf, i)
                stop = i + 8 + n
                if stop > size:
                    bad = n > MAX_FRAME
                    break
                payload = buf[i + 8 : stop]
                if n == 0 or crc32(payload) != crc:
                    bad = True
                    break
                offsets.append(base + i)
                payloads.append(payload)
                i = stop
            if offsets:
                yield offsets, payloads
            if bad:
                break
            have = size - i
            need = 8 + unpack(buf, i)[0] - have if have >= 8 else 8 - have
            chunk = os.pread(fd, max(need, CHUNK), base + size)
            if len(chunk) < need:  # the file ends before this frame does (or right here)
                break
            buf = buf[i:] + chunk
            base += i
            i = 0
        self.end = base + i


def read_frame(fd: int, off: int) -> tuple[bytes | None, str]:
    """Read the frame at ``off``: ``(payload, "")`` if whole and valid, else ``(None, why)``."""
    head = os.pread(fd, FRAME.size, off)
    if len(head) < FRAME.size:
        return None, f"the file ends {len(head)} bytes into the frame header"
    n, crc = FRAME.unpack(head)
    if n == 0:
        return None, "zero-length frame"
    if n > MAX_FRAME:
        return None, f"frame length {n} is over the {MAX_FRAME}-byte limit"
    payload = os.pread(fd, n, off + FRAME.size)
    if len(payload) < n:
        return None, f"frame needs {FRAME.size + n} bytes, the file has {FRAME.size + len(payload)}"
    got = zlib.crc32(payload)
    if got != crc:
        return None, f"checksum mismatch (stored {crc:#010x}, computed {got:#010x})"
    return payload, ""


def classify_stop(fd: int, path: str, end: int) -> Damage | None:
    """Say what stopped a :class:`Scan` at ``end``: None (end of file), torn tail, or corruption.

    Torn: the frame runs past the end of the file and no valid frame starts in the bytes
    that are there; or the frame is whole but bad and only zero bytes (if any) follow it;
    or everything from ``end`` on is zero. Anything else is corruption.
    """
    size = os.fstat(fd).st_size
    if end >= size:
        return None
    payload, reason = read_frame(fd, end)
    if payload is not None:
        return None  # a live writer finished this frame after the scan passed it

    def damage(torn: bool, why: str = reason) -> Damage:
        return Damage(path, end, torn, size - end, why)

    head = os.pread(fd, FRAME.size, end)
    if len(head) < FRAME.size:
        return damage(True)
    n = FRAME.unpack(head)[0]
    if n == 0:
        zeros = _all_zero(fd, end, size)
        return damage(zeros, "zero-filled tail" if zeros else reason)
    if n > MAX_FRAME:
        return damage(False)
    stop = end + FRAME.size + n
    if stop > size:
        later = _next_valid_frame(fd, end + 1, size)
        if later is None:
            return damage(True)
        return damage(
            False,
            f"frame length {n} runs past the end of the file, "
            f"but a valid frame starts at byte offset {later}",
        )
    return damage(_all_zero(fd, stop, size))


def _all_zero(fd: int, start: int, end: int) -> bool:
    pos = start
    while pos < end:
        chunk = os.pread(fd, min(CHUNK, end - pos), pos)
        if not chunk or chunk.count(0) != len(chunk):
            return False
        pos += len(chunk)
    return True


def _next_valid_frame(fd: int, start: int, size: int) -> int | None:
    """Offset of the first whole, valid frame in ``[start, size)``, or None.

    Only called on the bytes after a frame that runs past the end of the file, which
    are fewer than ``MAX_FRAME + 8``, so reading them at once is bounded.
    """
    tail = os.pread(fd, size - start, start)
    unpack, crc32, limit = FRAME.unpack_from, zlib.crc32, len(tail) - FRAME.size
    for p in range(limit):
        n, crc = unpack(tail, p)
        if 0 < n <= limit - p and crc32(tail[p + FRAME.size : p + FRAME.size + n]) == crc:
            return start + p
    return None


def lock_exclusive(fd: int, path: str) -> None:
    """Take the one-writer lock on an open log, or raise :class:`LogLocked` at once.

    flock locks belong to the open file description, so a second open of the same file
    conflicts even within one process, and the lock goes away when the process dies.
    """
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise LogLocked(path) from None

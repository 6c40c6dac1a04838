"""The log file's format: magic, header, frames, and telling a torn tail from corruption.

A frame is ``u32 LE length | u32 LE zlib.crc32(payload) | payload`` (SPEC section 6;
the whole file layout is described in :mod:`events.logfile`, which re-exports the
public names defined here). This module works on a raw file descriptor with
``os.pread``, so any number of scans can share one descriptor without a file position.

:func:`classify_stop` draws the line a writer relies on: a *torn tail* (a short last
frame, or zeros to the end) may be cut off, after :func:`save_cut` has kept its bytes;
anything else, a complete last frame failing its checksum included, is corruption.
Errors carry the file in ``path`` and leave it out of their message, so that a caller
names the file once.
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

from events.codec import UnsupportedEventVersion, decode_map
from events.record import EVENT_KEYS

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
    """Base of every error about a log file: ``path`` names it, the message does not.

    The message leaves the path out so that whoever shows the error names the file once
    (``kmsim: error: FILE: message``); ``str(exc)`` is the message alone.
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


class LogCorrupt(LogError):
    """A bad frame that is not a torn tail; ``offset`` is the frame's first byte."""

    def __init__(self, path: str, offset: int, reason: str) -> None:
        super().__init__(path, f"{reason} (byte offset {offset})")
        self.offset = offset
        self.reason = reason


class LogOutOfOrder(LogCorrupt):
    """A whole, valid event whose seq is not the next one or whose time goes back: a
    frame duplicated, swapped, dropped or rewritten. ``offset`` is its frame's."""


class LogVersionError(LogError, UnsupportedEventVersion):
    """A header or an event written by a newer kmsim: not damage, so never cut away.

    Also an :class:`~events.codec.UnsupportedEventVersion`, which callers already catch.
    """

    def __init__(self, path: str, offset: int, reason: str) -> None:
        super().__init__(path, f"{reason} (byte offset {offset})")
        self.offset = offset
        self.reason = reason


class LogLocked(LogError):
    """Another writer holds the log's lock."""

    def __init__(self, path: str) -> None:
        super().__init__(path, "locked by another writer")


class NotALog(LogError):
    """The file does not start with :data:`MAGIC`: it is something else, not a damaged log."""

    def __init__(self, path: str, why: str = "") -> None:
        why = why or f"it does not start with the 8-byte magic {MAGIC.decode()}"
        super().__init__(path, f"not a kmsim event log: {why}")


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


_HEADER_TYPES = {"format": int, "created": int, "profile": str, "assumptions": dict,
                 "start": int, "extra": dict}


def read_header(fd: int, path: str) -> tuple[LogHeader, int]:
    """Check the magic and read the header frame; returns it and where events start.

    Raises :class:`NotALog` for a file that is something else, :class:`LogCorrupt` (at
    byte offset 8) for a missing or bad header, :class:`LogVersionError` for a newer one.
    """
    magic = os.pread(fd, len(MAGIC), 0)
    if magic != MAGIC:
        if not magic:
            raise NotALog(path, "the file is empty")
        if MAGIC.startswith(magic):
            raise NotALog(path, f"the file ends {len(magic)} bytes into the magic")
        raise NotALog(path)
    off = len(MAGIC)
    payload, reason = read_frame(fd, off)
    if payload is None:
        if not os.pread(fd, 1, off):
            raise LogCorrupt(path, off, "the header is missing: the file ends after the magic")
        raise LogCorrupt(path, off, f"bad header frame: {reason}")
    try:
        d = decode_map(payload)
    except (ValueError, TypeError) as exc:
        raise LogCorrupt(path, off, f"undecodable header: {exc}") from exc
    if "format" not in d and d.keys() >= EVENT_KEYS:
        raise LogCorrupt(path, off, f"the header is missing: the first frame is event "
                         f"#{d['seq']!r}")
    fmt = d.get("format")
    if type(fmt) is int and fmt > FORMAT_VERSION:
        raise LogVersionError(path, off, f"log format {fmt} is newer than this code "
                              f"({FORMAT_VERSION}); upgrade kmsim")
    if type(fmt) is not int or fmt < 1:
        raise LogCorrupt(path, off, f"bad header: format is {fmt!r}")
    for key, kind in _HEADER_TYPES.items():
        if key in d and type(d[key]) is not kind:
            raise LogCorrupt(path, off, f"bad header: {key} is {d[key]!r}, not {kind.__name__}")
    return LogHeader.from_dict(d), off + FRAME.size + len(payload)


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

    def raise_or_warn(self, action: str = "") -> None:
        """Warn about a torn tail (``action`` says what is done to its bytes; by default
        they are ignored); raise :class:`LogCorrupt` otherwise."""
        if not self.torn:
            raise self.error()
        action = action or f"ignoring its {self.size} bytes"
        warnings.warn(
            f"{self.path}: torn last frame at byte offset {self.offset} ({self.reason}); "
            f"{action}",
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
        return None, f"checksum mismatch: stored {crc:#010x}, computed {got:#010x}"
    return payload, ""


#: A filesystem that loses a write after extending the file leaves zeros in whole blocks
#: (sectors or pages, multiples of this), so zeros from such a boundary on are unwritten.
ZERO_BLOCK = 512


def classify_stop(fd: int, path: str, end: int) -> Damage | None:
    """Say what stopped a :class:`Scan` at ``end``: None (end of file), torn tail, or corruption.

    Torn, what a writer stopped mid-append leaves: fewer than 8 bytes remain; or the frame
    runs past the end of the file (a *short* frame) and the bytes there neither hold a
    valid frame nor make a whole payload with the stored checksum (either means a damaged
    length); or every byte from ``end`` on is zero; or the frame is only complete thanks
    to zeros that run from a :data:`ZERO_BLOCK` boundary inside it to the end of the file
    (blocks a crash never wrote). Anything else is corruption, a *complete* frame that
    fails its checksum included: truncating it would drop an event that was written.
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
    zeros = _zero_run_start(fd, end, size)
    if zeros <= end:
        return damage(True, "zero-filled tail")
    if len(head) < FRAME.size:
        return damage(True)
    n, crc = FRAME.unpack(head)
    if n == 0 or n > MAX_FRAME:
        return damage(False)
    stop = end + FRAME.size + n
    if stop <= size:
        block = -(-zeros // ZERO_BLOCK) * ZERO_BLOCK
        if block < stop:
            return damage(True, f"zero-filled from byte offset {block}, inside the frame")
        return damage(False, f"a whole frame fails its checksum: {reason}")
    later = _next_valid_frame(fd, end + 1, size)
    if later is not None:
        return damage(False, f"frame length {n} runs past the end of the file, "
                      f"but a valid frame starts at byte offset {later}")
    if zlib.crc32(os.pread(fd, size - end - FRAME.size, end + FRAME.size)) == crc:
        return damage(False, f"frame length {n} runs past the end of the file, but the "
                      f"{size - end - FRAME.size} bytes there are a whole payload with its "
                      "checksum: the length is damaged")
    return damage(True)


def _zero_run_start(fd: int, start: int, end: int) -> int:
    """The first offset in ``[start, end]`` from which every byte up to ``end`` is zero
    (``end`` when the last byte is not zero). Reads backwards, only through the zeros."""
    pos = end
    while pos > start:
        lo = max(start, pos - CHUNK)
        chunk = os.pread(fd, pos - lo, lo)
        kept = len(chunk.rstrip(b"\0"))
        if kept:
            return lo + kept
        pos = lo
    return start


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


def save_cut(fd: int, path: str, offset: int) -> str:
    """Copy the bytes from ``offset`` to the end of the file to ``<path>.dropped-<offset>``
    (``.1``, ``.2``... if taken) and fsync them, before anyone truncates there; returns the
    name. Bytes are only ever cut from a log once they are kept beside it."""
    name = free_name(f"{path}.dropped-{offset}")
    with open(name, "xb") as out:
        pos = offset
        while chunk := os.pread(fd, CHUNK, pos):
            out.write(chunk)
            pos += len(chunk)
        out.flush()
        os.fsync(out.fileno())
    return name


def free_name(name: str) -> str:
    """``name``, or ``name.1``, ``name.2``... so an earlier file is never overwritten."""
    n, candidate = 0, name
    while os.path.exists(candidate):
        n += 1
        candidate = f"{name}.{n}"
    return candidate


def lock_exclusive(fd: int, path: str) -> None:
    """Take the one-writer lock on an open log, or raise :class:`LogLocked` at once.

    flock locks belong to the open file description, so a second open of the same file
    conflicts even within one process, and the lock goes away when the process dies.
    """
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise LogLocked(path) from None

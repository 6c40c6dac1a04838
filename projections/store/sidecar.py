"""The index beside a log (``LOG.kmidx``): its time index and checkpoints, saved so that
the next reader of the same log costs a seek plus the events since a checkpoint.

A sidecar is a cache, never a source: it is used only when it proves it describes the
log as it is now, and rebuilt otherwise. Its file is::

    MAGIC (8 bytes) | u32 length of the stamp | stamp (JSON) | pickle of the state

The *stamp* says which bytes of which log it covers: the format version, the code it was
folded by (:func:`code_fingerprint`), the bytes and events covered, the profile and
settings folded under, the file's identity when written (device, inode, size, mtime and
ctime in ns), the CRC-32 of the first and of the last 64 KiB covered, and the CRC-32 of
*every* byte covered. Checking it (:func:`read_sidecar`):

* the log is shorter than what was covered, or its first/last covered bytes differ:
  stale (a log cut by a repair, or replaced);
* the file's identity is the one recorded: the covered bytes are those it was made from
  (any write to the file moves its ctime, which no user can set back);
* otherwise (the log was appended to, copied, touched, or rewritten to the same length)
  every covered byte is read again and its CRC compared: a rewrite is caught, and a log
  that only grew is *followed* (the caller reads just the frames after the covered end).

The state is a pickle, and unpickling runs code a pickle names: a sidecar is trusted as
the code is. kmsim only reads one it owns (same user, not writable by others), in the
log's directory, that the log's own reader would otherwise rebuild; a foreign, damaged
or older-format sidecar is ignored (with a warning when damaged) and rewritten.
Writes are atomic (a temporary file in the same directory, then a rename), so a sidecar
is never seen half-written, even when the writer is interrupted.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import struct
import sys
import tempfile
import zlib
from array import array
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from projections.store.checkpoints import dump_state, export_state, runtime_classes

__all__ = ["FORMAT", "MIN_EVENTS", "SUFFIX", "SidecarProblem", "Stamp", "code_fingerprint",
           "crc_range", "read_sidecar", "sidecar_path", "write_sidecar"]

MAGIC = b"KMSIMIX1"
#: Bumped whenever the stamp or the pickled state changes shape: another value is rebuilt.
#: 2: checkpoints kept attribute by attribute, parts shared between them.
#: 3: the area states kept one part per area (store.parts.SPLIT).
FORMAT = 3
SUFFIX = ".kmidx"
#: Logs with fewer events are not given a sidecar (reading them costs less than a write).
MIN_EVENTS = 2000
#: Bytes checked at each end of the covered range on every use.
EDGE = 64 << 10
_LEN = struct.Struct("<I")
_CHUNK = 4 << 20


class SidecarProblem(Exception):
    """Why a sidecar is not used. ``warn``: it is damaged or unsafe (say so once);
    otherwise it is just missing or out of date (rebuilt quietly)."""

    def __init__(self, message: str, warn: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.warn = warn


@dataclass(frozen=True)
class Stamp:
    """What a sidecar covers, and how to tell that the log still holds it."""

    format: int
    code: str
    covered: int       # bytes of the log covered (a frame boundary)
    count: int         # events covered
    profile: str
    settings: dict
    dev: int
    ino: int
    size: int
    mtime_ns: int
    ctime_ns: int
    head_crc: int      # CRC-32 of bytes [0, min(EDGE, covered))
    tail_crc: int      # CRC-32 of bytes [max(0, covered - EDGE), covered)
    crc: int           # CRC-32 of bytes [0, covered)


def sidecar_path(log: str | os.PathLike[str]) -> str:
    """Where the sidecar of ``log`` is: beside it, named ``LOG.kmidx``."""
    return os.fspath(log) + SUFFIX


def code_fingerprint() -> str:
    """Which code folds a log: the Python version and the size and mtime of every module
    of ``projections`` and ``events`` (a fold that changed makes other worlds)."""
    root = Path(__file__).resolve().parents[2]
    parts = [f"{sys.version_info[0]}.{sys.version_info[1]}"]
    for pkg in ("projections", "events"):
        for path in sorted((root / pkg).rglob("*.py")):
            st = path.stat()
            parts.append(f"{path.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}")
    return f"{zlib.crc32(chr(10).join(parts).encode()):08x}"


def crc_range(fd: int, lo: int, hi: int, crc: int = 0) -> int:
    """The CRC-32 of bytes ``[lo, hi)`` of an open file, continuing ``crc``."""
    while lo < hi:
        chunk = os.pread(fd, min(_CHUNK, hi - lo), lo)
        if not chunk:
            raise SidecarProblem("the log is shorter than its index says")
        crc = zlib.crc32(chunk, crc)
        lo += len(chunk)
    return crc


def _edges(fd: int, covered: int) -> tuple[int, int]:
    return (crc_range(fd, 0, min(EDGE, covered)),
            crc_range(fd, max(0, covered - EDGE), covered))


def stamp_log(log: str, covered: int, count: int, profile: str, settings: dict,
              crc: int | None = None, crc_upto: int = 0) -> Stamp:
    """The stamp of ``log``'s first ``covered`` bytes (``count`` events). ``crc`` is the
    CRC-32 of its first ``crc_upto`` bytes when known (only the rest is read)."""
    fd = os.open(log, os.O_RDONLY | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        head, tail = _edges(fd, covered)
        full = crc_range(fd, crc_upto, covered, crc if crc is not None else 0) \
            if crc is not None else crc_range(fd, 0, covered)
    finally:
        os.close(fd)
    return Stamp(FORMAT, code_fingerprint(), covered, count, profile, dict(settings),
                 st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                 head, tail, full)


def write_sidecar(log: str, stamp: Stamp, state: Any,
                  dump: Callable[[Any, Any], None] | None = None) -> str:
    """Write ``state`` (pickled by ``dump(state, file)``, by default ``pickle.dump``) with
    its ``stamp`` beside ``log``, atomically. Raises
    ``OSError`` when it cannot (a read-only directory); nothing is left half-written."""
    target = sidecar_path(log)
    head = json.dumps(asdict(stamp), sort_keys=True).encode()
    fd, tmp = tempfile.mkstemp(prefix=".kmidx-", dir=os.path.dirname(target) or ".")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC + _LEN.pack(len(head)) + head)
            if dump is None:
                pickle.dump(state, out, pickle.HIGHEST_PROTOCOL)
            else:
                dump(state, out)
        os.replace(tmp, target)
    except BaseException:  # Ctrl-C included: no temporary file is left behind
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def read_sidecar(log: str, profile: str, settings: dict) -> tuple[Stamp, Any]:
    """The stamp and state of ``log``'s sidecar, once it is shown to describe the log's
    first ``stamp.covered`` bytes as they are now; raises :class:`SidecarProblem` if not.
    The log may have grown past ``stamp.covered``: the caller reads the rest."""
    path = sidecar_path(log)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise SidecarProblem("no index yet") from None
    except OSError as exc:
        raise SidecarProblem(f"cannot read it: {exc.strerror}", warn=True) from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if st.st_uid != os.getuid() or st.st_mode & 0o022:
            # Unpickling runs code: only a file this user wrote and nobody else can change.
            raise SidecarProblem("not owned by this user, or writable by others: not "
                                 "trusted", warn=True)
        stamp = _read_stamp(f)
        _check_stamp(log, stamp, profile, settings)
        try:
            state = pickle.load(f)
        except Exception as exc:  # a cut or damaged pickle: rebuild
            raise SidecarProblem(f"damaged ({type(exc).__name__})", warn=True) from None
    return stamp, state


def _read_stamp(f: Any) -> Stamp:
    magic = f.read(len(MAGIC) + _LEN.size)
    if len(magic) < len(MAGIC) + _LEN.size or magic[:len(MAGIC)] != MAGIC:
        raise SidecarProblem("damaged (not a kmsim index)", warn=True)
    (n,) = _LEN.unpack(magic[len(MAGIC):])
    try:
        fields = json.loads(f.read(n))
        if fields.get("format") != FORMAT:
            raise SidecarProblem(f"index format {fields.get('format')!r}, not {FORMAT}")
        return Stamp(**fields)
    except SidecarProblem:
        raise
    except Exception as exc:
        raise SidecarProblem(f"damaged ({type(exc).__name__})", warn=True) from None


def _check_stamp(log: str, stamp: Stamp, profile: str, settings: dict) -> None:
    if stamp.code != code_fingerprint():
        raise SidecarProblem("written by other code")
    if stamp.profile != profile or stamp.settings != dict(settings):
        raise SidecarProblem("folded under other settings")
    fd = os.open(log, os.O_RDONLY | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if st.st_size < stamp.covered:
            raise SidecarProblem("the log is shorter than its index (cut or replaced)")
        if _edges(fd, stamp.covered) != (stamp.head_crc, stamp.tail_crc):
            raise SidecarProblem("the log's bytes differ from its index's (replaced)")
        same = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns) == (
            stamp.dev, stamp.ino, stamp.size, stamp.mtime_ns, stamp.ctime_ns)
        if not same and crc_range(fd, 0, stamp.covered) != stamp.crc:
            raise SidecarProblem("the log's bytes differ from its index's (rewritten)")
    finally:
        os.close(fd)


def save_index(path: str, end: int, stamp: Stamp | None, notes: list[str], profile: str,
               settings: dict[str, str], times: array, offsets: array, checkpoints: Any,
               live: Any) -> None:
    """Write the index beside the log after a load that read events (``times`` and
    ``offsets`` of its events, the first ``end`` bytes; the timeline's ``checkpoints`` and
    ``live`` world). A directory that cannot take it only costs speed: said once, in
    ``notes``."""
    try:
        new = stamp_log(path, end, len(times), profile, settings,
                        *((stamp.crc, stamp.covered) if stamp else ()))
        state = {"times": times, "offsets": offsets, "store": export_state(checkpoints, live)}
        runtime = runtime_classes(checkpoints)
        write_sidecar(path, new, state, lambda obj, file: dump_state(obj, file, runtime))
    except OSError as exc:
        notes.append(f"cannot write the index {sidecar_path(path)} "
                     f"({exc.strerror or exc}): every load reads the whole log")

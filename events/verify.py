"""Checking a log file and cutting it back to its last good frame.

Used by ``kmsim log verify`` and ``kmsim log repair``; re-exported by
:mod:`events.logfile`. Verification never raises on damage: it reports what it found
and where. Repair only ever removes bytes after saving them to a ``.dropped-<offset>``
file beside the log.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

from events.codec import UnsupportedEventVersion, decode_event
from events.frames import (
    Damage,
    LogCorrupt,
    LogError,
    Scan,
    classify_stop,
    lock_exclusive,
    read_header,
)

__all__ = ["VerifyReport", "repair_log", "verify_log"]


@dataclass
class VerifyReport:
    """What :func:`verify_log` found.

    ``ok`` means neither a torn tail nor an error. ``torn_tail`` is ``(offset, bytes)`` of
    a partly written last frame (the next writer truncates it). ``error`` is the first
    problem found (a bad frame, an undecodable event, a seq gap), ``error_offset`` the
    byte offset of its frame; ``events`` and ``last_seq`` count the frames before
    the damage.
    """

    path: str
    events: int
    ok: bool
    torn_tail: tuple[int, int] | None
    error: str | None
    error_offset: int | None
    last_seq: int | None


def _verify(path: str) -> tuple[VerifyReport, Damage | None]:
    """Check a log without raising; also return the frame damage repair would cut at."""
    report = VerifyReport(path, 0, True, None, None, None, None)

    def fail(offset: int, msg: str) -> None:
        if report.error is None:  # keep the first error: later ones may be its echo
            report.ok, report.error, report.error_offset = False, msg, offset

    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        try:
            start = read_header(fd, path)[1]
        except LogCorrupt as exc:
            fail(exc.offset, str(exc))
            return report, None
        except LogError as exc:  # not a log, or a newer format
            fail(0, str(exc))
            return report, None
        scan = Scan(fd, start)
        damage = None
        frames = (f for batch in scan for f in zip(*batch, strict=True))
        for off, payload in frames:
            seq: int | None = None
            try:
                seq = decode_event(payload).seq
            except UnsupportedEventVersion as exc:
                fail(off, f"{path}: event at byte offset {off}: {exc}")  # not damage
            except (ValueError, TypeError) as exc:
                size = os.fstat(fd).st_size - off
                damage = Damage(path, off, False, size, f"undecodable event: {exc}")
                break
            last = report.last_seq
            if seq is not None and last is not None and seq != last + 1:
                fail(off, f"{path}: seq gap at byte offset {off}: {last} is followed by {seq}")
            report.events += 1
            report.last_seq = seq
        else:
            damage = classify_stop(fd, path, scan.end)
    finally:
        os.close(fd)
    if damage is not None and damage.torn:
        report.ok, report.torn_tail = False, (damage.offset, damage.size)
    elif damage is not None:
        report.ok, report.error, report.error_offset = False, str(damage.error()), damage.offset
    return report, damage


def verify_log(path: str | os.PathLike[str]) -> VerifyReport:
    """Check magic, header, every frame and seq continuity; report, never raise on damage."""
    return _verify(os.fspath(path))[0]


def repair_log(path: str | os.PathLike[str], backup: bool = True) -> VerifyReport:
    """Cut a log back to its last good frame and return the report after repair.

    The bytes cut off (a torn tail, or a bad frame and everything after it) are saved to
    ``<path>.dropped-<offset>`` first, and with ``backup`` the whole file to
    ``<path>.bak`` (``.bak.1``... if taken), so nothing is silently lost. Holds the
    writer lock throughout.
    """
    path = os.fspath(path)
    fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    try:
        # Lock before looking, so no writer appends between the check and the cut.
        lock_exclusive(fd, path)
        report, damage = _verify(path)
        if damage is None:
            return report  # clean, or damage repair cannot mend (header, seq gap)
        if backup:
            shutil.copyfile(path, _free_name(path + ".bak"))
        with open(_free_name(f"{path}.dropped-{damage.offset}"), "wb") as out:
            pos = damage.offset
            while chunk := os.pread(fd, 1 << 20, pos):
                out.write(chunk)
                pos += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.ftruncate(fd, damage.offset)
        os.fsync(fd)
    finally:
        os.close(fd)
    return verify_log(path)


def _free_name(name: str) -> str:
    """``name``, or ``name.1``, ``name.2``... so an earlier backup is never overwritten."""
    n, candidate = 0, name
    while os.path.exists(candidate):
        n += 1
        candidate = f"{name}.{n}"
    return candidate

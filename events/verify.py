"""The checks every reader of a log applies to its events, and checking and mending a file.

Every event read from a log (:class:`~events.logfile.LogReader`, and so every CLI verb,
``Simulator.resume`` and :class:`~events.logindex.IndexedLog`; an event decoded again from
its offset too, :func:`~events.logindex.read_span`) passes :func:`check_batch`: it must be a
whole event map, its seq must be the next one (1, 2, 3...: a writer appends seq + 1) and
its time must not go back (nor before the header's start). A frame duplicated, swapped,
dropped or rewritten with a valid checksum is so an error naming its byte offset, never a
silently different timeline.

``kmsim log verify`` and ``kmsim log repair`` use :func:`verify_log` and :func:`repair_log`
(re-exported by :mod:`events.logfile`). Verification never raises on damage: it reports
what it found and where. Repair only ever removes bytes after saving them to a
``.dropped-<offset>`` file beside the log.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from events.codec import (
    EventOrder,
    NewerEventVersion,
    OutOfOrder,
    UnsupportedEventVersion,
    decode_checked,
    decode_event,
)
from events.frames import (
    LogCorrupt,
    LogError,
    LogOutOfOrder,
    LogVersionError,
    NotALog,
    Scan,
    classify_stop,
    free_name,
    lock_exclusive,
    read_header,
    save_cut,
)
from events.record import Event

__all__ = ["VerifyReport", "check_all", "check_batch", "repair_log", "verify_log"]


def check_batch(
    path: str, offsets: Sequence[int], payloads: Sequence[bytes], order: EventOrder,
    raw: bool = False,
) -> Iterator[Event]:
    """Decode one batch of frames, holding every event to ``order`` (see the module doc).

    Raises :class:`LogOutOfOrder` or :class:`LogCorrupt` naming the frame's byte offset,
    or :class:`LogVersionError` for an event of a newer kmsim. With ``raw``, each event
    is yielded as its checked dict (:func:`events.codec.decode_checked`).
    """
    return decode_checked(payloads, order, _failure(path, offsets, payloads), raw)


def _failure(
    path: str, offsets: Sequence[int], payloads: Sequence[bytes]
) -> Callable[[int, Exception], LogError]:
    def fail(i: int, exc: Exception) -> LogError:
        i = min(i, len(offsets) - 1)
        if isinstance(exc, OutOfOrder):
            return LogOutOfOrder(path, offsets[i], str(exc))
        return not_an_event(path, offsets[i], payloads[i], exc)

    return fail


def not_an_event(path: str, offset: int, payload: bytes, exc: Exception) -> LogError:
    """The error for a whole frame that does not decode to an event (decoded again alone,
    to say exactly why); an event of a newer version is :class:`LogVersionError`."""
    try:
        decode_event(payload)
        why = str(exc)
    except NewerEventVersion as again:
        return LogVersionError(path, offset, str(again))
    except UnsupportedEventVersion as again:
        why = str(again)
    except (ValueError, TypeError) as again:
        why = str(again) or type(again).__name__
    return LogCorrupt(path, offset, f"not an event: {why}")


def check_all(fd: int, path: str, start_t: int, start: int) -> None:
    """Check every event from byte offset ``start`` as a reader would (the first at or
    after time ``start_t``), raising at the first that is not an event or not in order."""
    order = EventOrder(1, start_t)
    for offsets, payloads in Scan(fd, start):
        for _ in check_batch(path, offsets, payloads, order):
            pass


@dataclass
class VerifyReport:
    """What :func:`verify_log` found.

    ``ok`` means neither a torn tail nor an error. ``torn_tail`` is ``(offset, bytes)`` of
    a partly written last frame (the next writer cuts it off and keeps its bytes).
    ``error`` is the first problem found and ``error_offset`` the byte offset of its frame;
    ``problem`` names its kind: ``"not a log"``, ``"newer version"``, ``"bad header"``,
    ``"bad frame"``, ``"not an event"``, ``"out of order"`` or ``"torn tail"``.
    ``events`` and ``last_seq`` count the good events before the damage. After
    :func:`repair_log`, ``dropped`` and ``backup`` name the files it wrote.
    """

    path: str
    events: int
    ok: bool
    torn_tail: tuple[int, int] | None
    error: str | None
    error_offset: int | None
    last_seq: int | None
    problem: str | None = None
    dropped: str | None = None
    backup: str | None = None


#: Problems that cutting the log at their offset mends (the others are not damage after
#: the header, or leave nothing to keep).
_CUTTABLE = ("bad frame", "not an event", "out of order", "torn tail")


def _verify(path: str, on_batch: Callable[[int], None] | None = None
            ) -> tuple[VerifyReport, int | None]:
    """Check a log without raising; also return the offset repair would cut at.
    ``on_batch(offset)``: called after each batch of frames with its last frame's offset."""
    report = VerifyReport(path, 0, True, None, None, None, None)

    def fail(problem: str, offset: int, why: str) -> None:
        report.ok, report.problem, report.error, report.error_offset = False, problem, why, offset

    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        try:
            header, start = read_header(fd, path)
        except NotALog as exc:
            fail("not a log", 0, exc.message)
            return report, None
        except LogVersionError as exc:
            fail("newer version", exc.offset, exc.reason)
            return report, None
        except LogCorrupt as exc:
            fail("bad header", exc.offset, exc.reason)
            return report, None
        scan, order = Scan(fd, start), EventOrder(1, header.start)
        try:
            for offsets, payloads in scan:
                for _ in check_batch(path, offsets, payloads, order):
                    report.events += 1
                if on_batch is not None and offsets:
                    on_batch(offsets[-1])
        except LogVersionError as exc:
            fail("newer version", exc.offset, exc.reason)
        except LogCorrupt as exc:
            kind = "out of order" if isinstance(exc, LogOutOfOrder) else "not an event"
            fail(kind, exc.offset, exc.reason)
        else:
            damage = classify_stop(fd, path, scan.end)
            if damage is not None and damage.torn:
                fail("torn tail", damage.offset, damage.reason)
                report.error, report.torn_tail = None, (damage.offset, damage.size)
            elif damage is not None:
                fail("bad frame", damage.offset, damage.reason)
    finally:
        os.close(fd)
    report.last_seq = report.events or None  # seq numbers are positions (checked above)
    cut = report.error_offset if report.problem in _CUTTABLE else None
    return report, cut


def verify_log(path: str | os.PathLike[str],
               on_batch: Callable[[int], None] | None = None) -> VerifyReport:
    """Check magic, header, every frame and every event's seq and time; report, never
    raise on damage. ``on_batch(offset)`` is called after each batch of frames checked,
    with the byte offset of its last frame (for progress)."""
    return _verify(os.fspath(path), on_batch)[0]


def repair_log(path: str | os.PathLike[str], backup: bool = True) -> VerifyReport:
    """Cut a log back to its last good event and return the report after repair.

    Cuts at a torn tail or at the first frame readers refuse (bad, not an event, out of
    order), which leaves a log every reader reads. The bytes cut off are saved to
    ``<path>.dropped-<offset>`` first, and with ``backup`` the whole file to
    ``<path>.bak`` (``.bak.1``... if taken), so nothing is lost; the report's ``dropped``
    and ``backup`` name them. A file that is not a log, a bad header or a newer version
    is reported and left alone. Holds the writer lock throughout.
    """
    path = os.fspath(path)
    fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    try:
        # Lock before looking, so no writer appends between the check and the cut.
        lock_exclusive(fd, path)
        report, cut = _verify(path)
        if cut is None:
            return report  # clean, or nothing repair can mend
        bak = None
        if backup:
            bak = free_name(path + ".bak")
            shutil.copyfile(path, bak)
        dropped = save_cut(fd, path, cut)
        os.ftruncate(fd, cut)
        os.fsync(fd)
    finally:
        os.close(fd)
    after = verify_log(path)
    after.dropped, after.backup = dropped, bak
    return after

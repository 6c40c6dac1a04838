"""``kmsim log verify LOG`` and ``kmsim log repair LOG``.

verify: exit 0 when every frame is whole and every event follows the one before (seq + 1,
time not going back), 1 when something is wrong (a torn tail, a bad frame, a frame that is
not an event or out of order, each with its byte offset), 2 when the file is not a log.
repair: cut the log back to its last good event (the bytes cut are saved beside it);
exit 0 when the log is whole afterwards, 1 when damage remains that repair cannot mend
(a bad header).
"""

from __future__ import annotations

import argparse
import os

from events.logfile import LogLocked, VerifyReport, repair_log, verify_log
from sim import console
from sim.errors import InputError
from sim.progress import file_progress


def register(sub: argparse._SubParsersAction) -> None:
    """Add the verb."""
    p = sub.add_parser("log", help="verify or repair an event log file",
                       description="Check an event log file, or cut it back to its last good "
                       "frame.")
    verbs = p.add_subparsers(dest="log_verb", metavar="ACTION")
    v = verbs.add_parser("verify", help="check every frame; exit 1 on damage",
                         description="Check magic, header, every frame's checksum, and that "
                         "each event's seq is the next and its time does not go back. Exit 0: "
                         "whole; 1: damaged (the offset is shown); 2: not a log.")
    v.add_argument("log", metavar="LOG", help="a .kmlog file")
    v.set_defaults(func=verify)
    r = verbs.add_parser("repair", help="cut the log back to its last good frame",
                         description="Truncate a torn tail or everything from the first bad "
                         "frame (or event out of order) on. The bytes cut go to "
                         "LOG.dropped-OFFSET, the whole file to LOG.bak first. Exit 0: whole "
                         "afterwards; 1: damage repair cannot mend (a bad header).")
    r.add_argument("log", metavar="LOG", help="a .kmlog file")
    r.add_argument("--no-backup", action="store_true", help="do not write LOG.bak")
    r.set_defaults(func=repair)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _check_file(path: str) -> None:
    if not os.path.exists(path):
        raise InputError("no such file", path, None, "give a .kmlog event log")
    if os.path.isdir(path):
        raise InputError("is a directory", path, None, "give a .kmlog event log")


def _refuse(report: VerifyReport) -> None:
    """A file that is not a log, or a log of a newer kmsim, is bad input (exit 2), not a
    damaged log: neither verdict nor repair applies."""
    if report.problem == "not a log":
        scenario = os.path.splitext(report.path)[1] in (".toml", ".py")
        raise InputError(str(report.error), report.path, None,
                         "this is a scenario: kmsim run FILE --log OUT.kmlog records its log"
                         if scenario else "kmsim log takes a .kmlog event log, as kmsim run --log "
                         "and kmsim serve --log write them")
    if report.problem == "newer version":
        raise InputError(f"{report.error} (byte offset {report.error_offset})", report.path,
                         None, "a newer kmsim wrote this log: upgrade kmsim to check it")


def describe(report: VerifyReport) -> list[str]:
    """A verify report for people."""
    last = f", last seq {report.last_seq}" if report.last_seq is not None else ""
    lines = [f"{report.path}: {report.events} good events{last}"]
    if report.torn_tail is not None:
        off, size = report.torn_tail
        lines.append(f"  torn tail: {size} bytes at byte offset {off} (a writer stopped "
                     "mid-append; the next writer or `kmsim log repair` cuts it off and keeps "
                     f"its bytes in {report.path}.dropped-{off})")
    if report.error is not None:
        lines.append(f"  error at byte offset {report.error_offset} ({report.problem}): "
                     f"{report.error}")
    lines.append("  OK" if report.ok else "  DAMAGED")
    return lines


def show(lines: list[str]) -> None:
    """Print a report's lines, its verdict (``OK`` / ``DAMAGED``) coloured on a terminal."""
    for line in lines:
        word = line.strip()
        console.echo(f"  {console.status_word(word)}" if word in ("OK", "DAMAGED") else line)


def _hint(report: VerifyReport) -> str:
    if report.problem == "torn tail":
        return "kmsim log repair LOG cuts off the torn tail (its bytes are kept beside the log)"
    if report.problem == "bad header":
        return "the header is damaged: nothing after it can be trusted, and repair cannot mend it"
    return (f"kmsim log repair LOG keeps the {report.events} events before byte offset "
            f"{report.error_offset} and saves the rest beside the log")


def checked(path: str) -> VerifyReport:
    """:func:`verify_log`, with a progress bar on stderr (a terminal, not ``--quiet``)."""
    with file_progress(path, f"verifying {os.path.basename(path)}") as advance:
        return verify_log(path, advance)


def verify(args: argparse.Namespace) -> int:
    """Verify and report."""
    _check_file(args.log)
    report = checked(args.log)
    _refuse(report)
    show(describe(report))
    if not report.ok:
        print(f"  hint: {_hint(report)}")
    return 0 if report.ok else 1


def repair(args: argparse.Namespace) -> int:
    """Repair and report what was cut."""
    _check_file(args.log)
    before = checked(args.log)
    _refuse(before)
    if before.ok:
        show(describe(before))
        print("  nothing to repair")
        return 0
    try:
        after = repair_log(args.log, backup=not args.no_backup)
    except LogLocked as exc:
        raise InputError(exc.message, args.log, None, "stop the writer first") from None
    except OSError as exc:  # the cut bytes could not be saved: nothing was cut
        raise InputError(f"cannot save the bytes to cut beside the log, so nothing was cut: "
                         f"{exc.strerror or exc}", args.log, None,
                         "make its folder writable, or copy the log elsewhere") from None
    if after.dropped is None:
        show(describe(after))
        print(f"  repair cannot mend this ({after.problem}): nothing was cut")
        return 1
    kept = "" if after.backup is None else f", the whole file to {after.backup}"
    print(f"{args.log}: cut at byte offset {before.error_offset}; the bytes cut were saved to "
          f"{after.dropped}{kept}")
    show(describe(after))
    return 0 if after.ok else 1

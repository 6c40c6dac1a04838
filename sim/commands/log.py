"""``kmsim log verify LOG`` and ``kmsim log repair LOG`` (SPEC 6).

verify: exit 0 when every frame is whole and the seq numbers follow each other, 1 when
something is wrong (a torn tail, a bad frame with its byte offset, a seq gap).
repair: cut the log back to its last good frame (the bytes cut are saved beside it);
exit 0 when the log is whole afterwards, 1 when damage remains that repair cannot mend.
"""

from __future__ import annotations

import argparse
import os

from events.logfile import LogLocked, VerifyReport, repair_log, verify_log
from sim.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the verb."""
    p = sub.add_parser("log", help="verify or repair an event log file",
                       description="Check an event log file, or cut it back to its last good "
                       "frame.")
    verbs = p.add_subparsers(dest="log_verb", metavar="ACTION")
    v = verbs.add_parser("verify", help="check every frame; exit 1 on damage",
                         description="Check magic, header, every frame's checksum and the seq "
                         "numbers. Exit 0: whole; 1: damaged (the offset is shown).")
    v.add_argument("log", metavar="LOG", help="a .kmlog file")
    v.set_defaults(func=verify)
    r = verbs.add_parser("repair", help="cut the log back to its last good frame",
                         description="Truncate a torn tail or everything from the first bad "
                         "frame on. The bytes cut go to LOG.dropped-OFFSET, the whole file to "
                         "LOG.bak first. Exit 0: whole afterwards; 1: damage repair cannot "
                         "mend (a bad header, a seq gap).")
    r.add_argument("log", metavar="LOG", help="a .kmlog file")
    r.add_argument("--no-backup", action="store_true", help="do not write LOG.bak")
    r.set_defaults(func=repair)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _check_file(path: str) -> None:
    if not os.path.exists(path):
        raise InputError("no such file", path, None, "give a .kmlog event log")
    if os.path.isdir(path):
        raise InputError("is a directory", path, None, "give a .kmlog event log")


def describe(report: VerifyReport) -> list[str]:
    """A verify report for people."""
    last = f", last seq {report.last_seq}" if report.last_seq is not None else ""
    lines = [f"{report.path}: {report.events} good events{last}"]
    if report.torn_tail is not None:
        off, size = report.torn_tail
        lines.append(f"  torn tail: {size} bytes at byte offset {off} (a writer stopped "
                     "mid-append; the next writer or `kmsim log repair` truncates it)")
    if report.error is not None:
        lines.append(f"  error at byte offset {report.error_offset}: {report.error}")
    lines.append("  OK" if report.ok else "  DAMAGED")
    return lines


def verify(args: argparse.Namespace) -> int:
    """Verify and report."""
    _check_file(args.log)
    report = verify_log(args.log)
    print("\n".join(describe(report)))
    if not report.ok and report.error is None:
        print("  hint: kmsim log repair LOG truncates the torn tail")
    elif not report.ok:
        print("  hint: kmsim log repair LOG keeps the events before the damage")
    return 0 if report.ok else 1


def repair(args: argparse.Namespace) -> int:
    """Repair and report what was cut."""
    _check_file(args.log)
    before = verify_log(args.log)
    if before.ok:
        print("\n".join(describe(before)))
        print("  nothing to repair")
        return 0
    try:
        after = repair_log(args.log, backup=not args.no_backup)
    except LogLocked as exc:
        raise InputError(str(exc), args.log, None, "stop the writer first") from None
    cut = before.torn_tail[0] if before.torn_tail else before.error_offset
    if after.events == before.events and not after.ok:
        print("\n".join(describe(after)))
        print("  repair cannot mend this (a bad header or a seq gap): nothing was cut")
        return 1
    print(f"{args.log}: cut at byte offset {cut}; the bytes cut were saved to "
          f"{args.log}.dropped-{cut}" + ("" if args.no_backup else f", the whole file to "
                                         f"{args.log}.bak"))
    print("\n".join(describe(after)))
    return 0 if after.ok else 1

"""``kmsim run FILE...``: run scenarios, print each step and check (SPEC 9, a contract).

Exit 0 when every expectation and check passed, 1 when one failed, 2 on bad input. With
``--json`` each step also carries its time, event number, caller and rule, and a file that
cannot be run is in the document too (``"error"``), not only on stderr. The events a run
records besides its steps (principals, labels, the saved values) are shown as such, so
every event number in the output is accounted for.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import textwrap
from pathlib import Path

from events.frames import MAGIC, LogLocked, lock_exclusive
from events.timefmt import format_time
from projections.names import time_name
from projections.rulebook import SettingsError, resolve_settings
from sim.errors import InputError
from sim.flags import parse_set
from sim.runner import ScenarioReport, run_file


def register(sub: argparse._SubParsersAction) -> None:
    """Add the verb."""
    p = sub.add_parser(
        "run", help="run scenario files (.toml) or scripts (.py)",
        description="Run scenarios and print each step and check. Exit 0: all passed; "
        "1: an expectation or check failed; 2: bad input; 70: an internal error.")
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario .toml or script .py")
    p.add_argument("--log", metavar="OUT",
                   help="write the event log here (a directory when several files are run)")
    p.add_argument("--json", action="store_true",
                   help="print a JSON document: each scenario, its steps (time, event number, "
                   "caller, rule) and checks; a file that cannot be run has an error member")
    p.add_argument("--profile", help="rule profile: seed (the default: AWS pages as the "
                   "rules were first written) or api-2026 (the newer API documentation); "
                   "kmsim rules lists both")
    p.add_argument("--set", action="append", default=[], metavar="A=V",
                   help="set an assumption, e.g. --set propagation=instant (repeatable)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the summary lines")
    p.add_argument("--allow-outside-files", action="store_true",
                   help="let @file references name files outside the scenario's folder "
                   "(absolute paths, .., symlinks out)")
    p.set_defaults(func=run)


def _log_path(out: str | None, file: str, many: bool) -> Path | None:
    if out is None:
        return None
    if not many:
        return Path(out)
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot make the --log directory: {exc.strerror or exc}", out, None,
                         "with several files, --log names a directory for their logs"
                         ) from None
    return folder / (Path(file).stem + ".kmlog")


class LogTarget:
    """Where one run writes its log: a new file beside ``out``, renamed over it when the run
    is over, so that bad input leaves an old log as it was. An existing ``out`` is replaced
    only when it is a kmsim log (or empty) that no process holds the writer lock on; the
    lock is held from the check to the rename, so no writer can start on it in between."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.temp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        self._fd: int | None = None

    def _refuse(self, why: str, hint: str) -> InputError:
        return InputError(f"--log: {why}", str(self.out), None, hint)

    def prepare(self) -> Path:
        """Check ``out`` and make the new file; the path the run writes its log to."""
        other = "give --log another path"
        try:
            st = os.stat(self.out)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            raise self._refuse(exc.strerror or str(exc), other) from None
        if st is not None:
            if not stat.S_ISREG(st.st_mode):
                raise self._refuse("not a regular file; not replaced", other)
            self._lock_old(st.st_size)
        try:
            if os.path.lexists(self.temp):
                os.unlink(self.temp)  # left by a killed run of this pid; never followed
            os.close(os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        except OSError as exc:
            self.release()
            raise self._refuse(f"cannot write beside it: {exc.strerror or exc}", other
                               ) from None
        return self.temp

    def _lock_old(self, size: int) -> None:
        try:
            fd = os.open(self.out, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            raise self._refuse(exc.strerror or str(exc), "give --log another path") from None
        try:
            if size and os.pread(fd, len(MAGIC), 0) != MAGIC:
                raise self._refuse("not a kmsim log; not replaced",
                                   "give --log another path, or remove the file first")
            lock_exclusive(fd, str(self.out))
        except LogLocked:
            os.close(fd)
            raise self._refuse("another process is writing this log (it holds the writer "
                               "lock); not replaced",
                               "stop that process (kmsim serve --log?), or give --log "
                               "another path") from None
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def commit(self) -> None:
        """Put the new log in place of ``out``."""
        os.replace(self.temp, self.out)
        self.release()

    def abort(self) -> None:
        """Drop the new file; ``out`` stays as it was."""
        if os.path.lexists(self.temp):
            os.unlink(self.temp)
        self.release()

    def release(self) -> None:
        """Let go of the old log's lock."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _run_one(file: str, args: argparse.Namespace, overrides: dict[str, str],
             log: Path | None) -> ScenarioReport:
    if log is None:
        return run_file(file, args.profile, overrides, None, args.allow_outside_files)
    target = LogTarget(log)
    temp = target.prepare()
    try:
        report = run_file(file, args.profile, overrides, temp, args.allow_outside_files)
    except BaseException:
        target.abort()
        raise
    target.commit()
    return report


def run(args: argparse.Namespace) -> int:
    """Run every file; bad input in one file does not stop the others."""
    overrides = parse_set(args.set)
    try:
        resolve_settings(args.profile or "seed", overrides.items())
    except SettingsError as exc:
        flag = "--profile" if "profile" in str(exc) else "--set"
        raise InputError(f"{flag}: {exc}", None, None,
                         "kmsim rules lists the profiles, every assumption and its values"
                         ) from None
    reports: list[ScenarioReport] = []
    docs: list[dict] = []  # each file's --json entry, bad input included, in file order
    bad = 0
    many = len(args.files) > 1
    for file in args.files:
        try:
            # --log names the output: a rerun replaces it (LogTarget says when it may)
            report = _run_one(file, args, overrides, _log_path(args.log, file, many))
        except InputError as exc:
            bad += 1
            print(f"kmsim: error: {exc}", file=sys.stderr)
            docs.append(error_json(file, exc))
            continue
        reports.append(report)
        docs.append(report.to_json())
        if not args.json:
            print_report(report, quiet=args.quiet)
    if args.json:
        print(json.dumps({"scenarios": docs}, indent=2, default=str))
    elif many:
        passed = sum(r.passed for r in reports)
        print(f"{passed} passed, {len(reports) - passed} failed"
              + (f", {bad} with bad input" if bad else ""))
    if bad:
        return 2
    return 0 if all(r.passed for r in reports) else 1


def error_json(file: str, exc: InputError) -> dict:
    """The ``--json`` entry of a file that could not be run: the contract members (not
    passed, no steps or checks) and ``error`` with what the message on stderr says."""
    return {"file": file, "name": None, "passed": False, "steps": [], "checks": [],
            "error": {"message": exc.message, "file": exc.file, "line": exc.line,
                      "hint": exc.hint}}


def _who(report: ScenarioReport, arn: str) -> str:
    if report.sim is not None:
        for name, value in report.sim.names.items():
            if value == arn:
                return name
    return arn.rsplit(":", 1)[-1] if arn.endswith(":root") else arn


def print_report(report: ScenarioReport, quiet: bool = False, out=None) -> None:
    """The human-readable timeline of one scenario run."""
    out = out or sys.stdout
    status = "PASSED" if report.passed else "FAILED"
    if not quiet:
        print(f"== {report.name}  ({report.file})", file=out)
        start = report.sim.start if report.sim else 0
        print(f"   start {format_time(start)}, profile {report.sim.profile if report.sim else '?'}",
              file=out)
        rows = [(s.t or 0, 0, s.seq or 0, _step_line(report, s)) for s in report.steps]
        rows += [(e.t, 0, e.seq, _internal_line(report, e)) for e in _internal(report)]
        rows += [(c.t or 0, 1, c.line or 0, _check_line(report, c)) for c in report.checks]
        for _, _, _, text in sorted(rows, key=lambda r: r[:3]):
            print(text, file=out)
    steps_bad = sum(not s.ok for s in report.steps)
    checks_bad = sum(not c.passed for c in report.checks)
    print(f"{status}: {report.name}: {_count(len(report.steps), 'step')} ({steps_bad} "
          f"unexpected), {_count(len(report.checks), 'check')} ({checks_bad} failed)", file=out)


def _internal(report: ScenarioReport) -> list:
    """The events the run recorded that are not steps: principals declared, labels, the
    saved values (A-SAVED-VALUES). They have numbers like any event, so they are shown."""
    if report.sim is None:
        return []
    steps = {s.seq for s in report.steps}
    return [e for e in report.sim.events if e.seq not in steps]


def _internal_line(report: ScenarioReport, e) -> str:
    if e.op == "sim:PutPrincipal":
        what = f"{e.req.get('Name')} = {e.req.get('Arn')}"
    elif e.op == "sim:Label":
        what = f"{e.req.get('Label')} names #{e.req.get('Event')}"
    elif e.op == "sim:SaveVariables":
        what = "for readers of the log: " + ", ".join(sorted(e.req.get("Variables", {})))
    else:
        what = ""
    sim = report.sim
    at = time_name(e.t, sim.start, str(sim.extra.get("times", "offset"))) if sim else ""
    outcome = "ok" if e.ok else f"{e.err} ({e.rule})"
    return f"   {at:>8}  #{e.seq:<4} {'(kmsim)':<10} {e.op:<30} {outcome}  {what}".rstrip()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _named(report: ScenarioReport, text: str) -> str:
    """Long saved values (ARNs) shown by the names the scenario saved them under."""
    for name, value in report.variables.items():
        if isinstance(value, str) and len(value) > 20:
            text = text.replace(value, name)
    return text


def _wrapped(text: str, indent: int = 14) -> str:
    return textwrap.fill(text, width=110, initial_indent=" " * indent,
                         subsequent_indent=" " * (indent + 2), break_long_words=False,
                         break_on_hyphens=False)


def _step_line(report: ScenarioReport, s) -> str:
    mark = "  " if s.ok else "✗ "
    outcome = s.outcome if s.outcome == "ok" else f"{s.outcome} ({s.rule})"
    line = (f" {mark}{s.at:>8}  #{s.seq or '-':<4} {_who(report, s.actor):<10} {s.call:<30} "
            f"{outcome}")
    for var, value in s.saved.items():
        line += f"  {var} = {value}"
    if s.label:
        line += f"  [{s.label}]"
    if not s.ok:
        msg = f"expected {s.expected}, line {s.line}" + (f": {s.message}" if s.message else "")
        line += "\n" + _wrapped(_named(report, msg))
    elif s.outcome != "ok" and s.message:
        line += "\n" + _wrapped(_named(report, s.message))
    return line


def _check_line(report: ScenarioReport, c) -> str:
    mark = "✓ " if c.passed else "✗ "
    parts = []
    for kind, table in c.expected.items():
        parts += [f"{kind} {name} = {value}" for name, value in table.items()]
    text = f" {mark}{c.at:>8}  check as {_who(report, c.principal)}: " + ", ".join(parts)
    for failure in c.failures:
        text += "\n" + _wrapped(_named(report, f"line {c.line}: {failure}"))
    return text

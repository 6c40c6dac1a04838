"""Running scenarios: steps in time order, checks at their moments, a report of each.

TOML files and ``.py`` scenario scripts run through the same :class:`ScenarioRun`:
``step`` calls an operation and compares the outcome with ``expect``; ``check``
answers at a moment (travelling back through the timeline when needed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from events.frames import MAX_FRAME
from events.timefmt import format_offset, format_time
from projections.arns import account_of_arn, root_arn
from projections.rulebook import SettingsError, setting
from sim.errors import InputError
from sim.recording import NotRecorded
from sim.scenario.args import arg_problem
from sim.scenario.checks import CHECKS, CheckContext
from sim.scenario.files import MAX_SCENARIO_BYTES, RefusedFile, read_regular
from sim.scenario.load import load_scenario
from sim.scenario.validate import VAR, Scenario
from sim.simulator import CallResult, Simulator


@dataclass
class StepReport:
    """The outcome of one step (SPEC 9's ``steps`` entries, plus detail for people)."""

    line: int | None
    call: str
    outcome: str
    expected: str
    ok: bool
    seq: int | None = None
    t: int | None = None
    at: str = ""
    actor: str = ""
    rule: str | None = None
    message: str = ""
    saved: dict[str, Any] = field(default_factory=dict)
    label: str | None = None

    def to_json(self) -> dict:
        """The contract fields, then what a script needs to follow the step: its time (RFC
        3339, and as the scenario wrote it), the event's number, the caller, the rule that
        decided a failure and its message, and the values it saved."""
        return {"line": self.line, "call": self.call, "outcome": self.outcome,
                "expected": self.expected, "ok": self.ok,
                "time": None if self.t is None else format_time(self.t), "at": self.at,
                "event": self.seq, "caller": self.actor or None, "rule": self.rule,
                "message": self.message, "saved": self.saved, "label": self.label}


@dataclass
class CheckReport:
    """The outcome of one check."""

    line: int | None
    at: str
    passed: bool
    failures: list[str]
    t: int | None = None
    principal: str = ""
    expected: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_json(self) -> dict:
        """The contract fields, then the check's time (RFC 3339) and principal."""
        return {"line": self.line, "at": self.at, "passed": self.passed,
                "failures": self.failures,
                "time": None if self.t is None else format_time(self.t),
                "principal": self.principal or None}


@dataclass
class ScenarioReport:
    """Everything a run of one scenario produced."""

    file: str
    name: str
    steps: list[StepReport] = field(default_factory=list)
    checks: list[CheckReport] = field(default_factory=list)
    sim: Simulator | None = None
    variables: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """All steps as expected and all checks passed."""
        return all(s.ok for s in self.steps) and all(c.passed for c in self.checks)

    def to_json(self) -> dict:
        """SPEC 9's ``kmsim run --json`` scenario document."""
        return {"file": self.file, "name": self.name, "passed": self.passed,
                "steps": [s.to_json() for s in self.steps],
                "checks": [c.to_json() for c in self.checks]}


class ScenarioRun:
    """Drives a Simulator from scenario steps and checks and records their reports."""

    def __init__(self, sim: Simulator, file: str = "", name: str = "") -> None:
        self.sim = sim
        self.report = ScenarioReport(file, name or sim.name, sim=sim)
        self.variables: dict[str, Any] = self.report.variables
        #: Where the saved values go in the log (A-SAVED-VALUES: end, step or none).
        self.saved_values = setting(sim.settings, "saved_values")
        self._unrecorded: dict[str, Any] = {}  # saved, not yet in a sim:SaveVariables event

    def substitute(self, value: Any) -> Any:
        """Replace ``${name}`` with saved values anywhere in ``value``."""
        if isinstance(value, str):
            whole = VAR.fullmatch(value)
            if whole:
                return self._var(whole.group(1))
            return VAR.sub(lambda m: str(self._var(m.group(1))), value)
        if isinstance(value, dict):
            return {k: self.substitute(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.substitute(v) for v in value]
        return value

    def _var(self, name: str) -> Any:
        if name not in self.variables:
            raise LookupError(f"${{{name}}} has no value (the step that saves it failed)")
        return self.variables[name]

    def step(self, call: str, args: dict | None = None, *, at: str | int | None = None,
             as_: str | None = None, region: str | None = None,
             save: dict[str, str] | None = None, label: str | None = None,
             expect: str = "ok", line: int | None = None) -> CallResult | None:
        """Run one step and record whether its outcome is the expected one."""
        t = self.sim.when(at)
        shown = at if isinstance(at, str) else format_offset(t, self.sim.start)
        try:
            real_args = self.substitute(args or {})
        except LookupError as exc:
            self.report.steps.append(StepReport(line, call, "not run", expect, False, t=t,
                                                at=shown, message=str(exc)))
            return None
        problem = arg_problem(call, real_args)  # a TOML file's were checked when loaded
        if problem is not None:
            raise InputError(problem.message, self.report.file, line, problem.hint)
        try:
            result = self.sim.call(call, real_args, at=t, as_=as_, region=region, label=label)
        except NotRecorded as exc:
            if exc.stage == "decide":
                raise  # the handler itself failed: a kmsim bug, not the scenario's
            raise InputError(f"{call} cannot be recorded: {exc.reason}", self.report.file,
                             line, f"an event holds at most {MAX_FRAME >> 20} MiB (large "
                             "@file contents?)" if exc.stage == "encode" else
                             "the log could not be written") from None
        rep = StepReport(line, call, result.outcome, expect, result.outcome == expect,
                         result.event.seq, t, shown, result.event.actor, result.rule,
                         result.event.out.get("msg", ""), label=label)
        for var, path in (save or {}).items():
            try:
                self.variables[var] = rep.saved[var] = result.get(path)
            except KeyError as exc:
                rep.ok = False
                rep.message = (rep.message + "; " if rep.message else "") + str(exc).strip("'\"")
        self._unrecorded.update(rep.saved)
        self.report.steps.append(rep)
        if self.saved_values == "step":
            self.record_saved()
        return result

    def record_saved(self) -> int | None:
        """Record the values saved since the last time as one ``sim:SaveVariables`` event
        (R-SIM-06), at the simulator's now; its number, or None when there was nothing to
        record or A-SAVED-VALUES is ``none``."""
        values, self._unrecorded = self._unrecorded, {}
        if not values or self.saved_values == "none":
            return None
        sim = self.sim
        result = sim.call("sim:SaveVariables", {"Variables": values}, at=sim.now,
                          as_=root_arn(account_of_arn(sim.principal_arn(None)) or sim.account))
        return result.event.seq

    def finish(self) -> None:
        """The end of the steps: record what they saved (A-SAVED-VALUES ``end``)."""
        if self.saved_values == "end":
            self.record_saved()

    def check(self, at: str | int | None = None, *, as_: str | None = None,
              through_seq: int | None = None, line: int | None = None,
              **expected: dict[str, str]) -> CheckReport:
        """Answer a check at a moment; ``expected`` maps check kinds to name -> value."""
        unknown = set(expected) - set(CHECKS)
        if unknown:
            raise InputError(f"unknown check kind {sorted(unknown)[0]!r}", self.report.file,
                             line, f"allowed: {', '.join(sorted(CHECKS))}")
        if through_seq is not None:
            if not 0 < through_seq <= len(self.sim.events):
                raise InputError(f"no event #{through_seq}: the timeline has "
                                 f"{len(self.sim.events)} events", self.report.file, line,
                                 "#N names an event by its number, as kmsim run prints it")
            t = self.sim.timeline.times[through_seq - 1]
            world = self.sim.timeline.world_at(t, through_seq=through_seq)
            shown = f"#{through_seq}"
        else:
            t = self.sim.when(at)
            world = self.sim.world_at(t)
            shown = at if isinstance(at, str) else format_offset(t, self.sim.start)
        try:
            principal = self.sim.principal_arn(as_)
        except KeyError as exc:  # declared only by a step that failed (sim:PutPrincipal)
            rep = CheckReport(line, shown, False, [str(exc.args[0])], t, str(as_),
                              dict(expected))
            self.report.checks.append(rep)
            return rep
        ctx = CheckContext(world, principal, {k: str(v) for k, v in self.variables.items()},
                           self.sim.account, self.sim.region)
        failures: list[str] = []
        for kind, table in expected.items():
            failures += CHECKS[kind](ctx, table)
        rep = CheckReport(line, shown, not failures, failures, t, ctx.principal, dict(expected))
        self.report.checks.append(rep)
        return rep


def run_scenario(sc: Scenario, profile: str | None = None,
                 overrides: dict[str, str] | None = None, log: str | Path | None = None
                 ) -> ScenarioReport:
    """Run a loaded scenario: principals, then steps in time order, then the checks."""
    assumptions = {**sc.assumptions, **(overrides or {})}
    try:
        sim = Simulator(sc.start, sc.account, sc.region, profile or sc.profile, assumptions,
                        seed=sc.seed, log=log, name=sc.name, default_principal=sc.principal,
                        extra={"times": time_style(sc)})
    except SettingsError as exc:  # --profile or --set against the file's assumptions
        raise InputError(str(exc), sc.file, None,
                         "kmsim rules lists the profiles, every assumption and its values"
                         ) from None
    try:
        run = ScenarioRun(sim, sc.file, sc.name)
        for name, (arn, policy) in sc.principals.items():
            sim.principal(name, arn, policy)
        for step in sorted(sc.steps, key=lambda s: (s.t, s.index)):
            run.step(step.call, step.args, at=step.at, as_=step.as_, region=step.region,
                     save=step.save, label=step.label, expect=step.expect, line=step.line)
        run.finish()
        # Checks run after the steps: an answer at T never depends on what comes later,
        # and "#N" checks need the numbered events to exist.
        for chk in sc.checks:
            run.check(chk.at, as_=chk.as_, through_seq=chk.through_seq, line=chk.line,
                      **chk.expected)
        run.report.checks.sort(key=lambda c: (c.t or 0, c.line or 0))
        return run.report
    finally:
        sim.close()


def time_style(sc: Scenario) -> str:
    """How a scenario writes its times, so that views show them alike: ``clock`` when a
    step or check is at an RFC 3339 time, else ``offset`` (``+5m``)."""
    written = [s.at for s in sc.steps] + [c.at for c in sc.checks]
    return "clock" if any(not a.strip().startswith(("+", "#")) for a in written) else "offset"


def run_script(path: str | Path, profile: str | None = None,
               overrides: dict[str, str] | None = None, log: str | Path | None = None
               ) -> ScenarioReport:
    """Run a ``.py`` scenario script: it defines ``SCENARIO = {...}`` (optional: name, start,
    account, region, profile, principal, assumptions, seed) and ``run(scenario)``, where
    ``scenario`` is a :class:`ScenarioRun` (``scenario.sim`` is the Simulator)."""
    import runpy

    p = Path(path)
    try:
        read_regular(p, MAX_SCENARIO_BYTES)  # a FIFO or a device would hang runpy
    except RefusedFile as exc:
        raise InputError(f"cannot read scenario script: {exc}", str(p), None, exc.hint) from None
    try:
        module = runpy.run_path(str(p), run_name="kmsim_scenario")
    except FileNotFoundError:
        raise InputError("cannot read scenario script", str(p)) from None
    except SyntaxError as exc:
        raise InputError(f"Python syntax error: {exc.msg}", str(p), exc.lineno) from None
    head = dict(module.get("SCENARIO", {}))
    if "run" not in module or not callable(module["run"]):
        raise InputError("a scenario script defines run(scenario)", str(p), None,
                         "def run(scenario):\n      scenario.step('kms:CreateKey', ...)")
    allowed = {"name", "start", "account", "region", "profile", "principal", "assumptions",
               "seed"}
    for key in head:
        if key not in allowed:
            raise InputError(f"unknown SCENARIO key {key!r}", str(p), None,
                             f"allowed: {', '.join(sorted(allowed))}")
    kwargs = {k: head[k] for k in ("start", "account", "region", "seed") if k in head}
    try:
        sim = Simulator(profile=profile or head.get("profile", "seed"),
                        assumptions={**head.get("assumptions", {}), **(overrides or {})},
                        log=log, name=head.get("name", p.stem),
                        default_principal=head.get("principal"), **kwargs)
    except (ValueError, TypeError, AttributeError) as exc:  # SettingsError, a bad start
        raise InputError(f"bad SCENARIO: {exc}", str(p), None,
                         "kmsim rules lists profiles and assumptions; start is RFC 3339 UTC"
                         ) from None
    try:
        run = ScenarioRun(sim, str(p), head.get("name", p.stem))
        try:
            module["run"](run)
            run.finish()
        except InputError as exc:
            if exc.file == str(p) and exc.line is None:
                exc.line = _script_line(exc, p)  # the script line of the bad step
            raise
        except Exception as exc:  # the script's own mistake: bad input, with its line
            raise InputError(f"{type(exc).__name__}: {exc}", str(p), _script_line(exc, p),
                             "the scenario script raised this") from None
        return run.report
    finally:
        sim.close()


def _script_line(exc: BaseException, path: Path) -> int | None:
    """The line of ``path`` deepest in the traceback of ``exc``."""
    import traceback

    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename).resolve() == path.resolve():
            line = frame.lineno
    return line


def run_file(path: str | Path, profile: str | None = None,
             overrides: dict[str, str] | None = None, log: str | Path | None = None,
             allow_outside_files: bool = False) -> ScenarioReport:
    """Run a ``.toml`` scenario or a ``.py`` scenario script. ``allow_outside_files`` lets
    a TOML file's ``@file`` references leave its folder."""
    if str(path).endswith(".py"):
        return run_script(path, profile, overrides, log)
    return run_scenario(load_scenario(path, allow_outside_files), profile, overrides, log)

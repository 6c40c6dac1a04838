"""Open what a LOG argument names: a log file, or a scenario file run in memory (SPEC 9)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from events.codec import UnsupportedEventVersion
from events.logfile import (
    MAGIC,
    LogCorrupt,
    LogError,
    LogHeader,
    LogLocked,
    LogReader,
    LogVersionError,
    NotALog,
)
from events.record import Event
from projections.simops.fold import saved_values
from projections.timetravel.timeline import FoldFailed, Timeline
from sim.errors import InputError
from sim.progress import file_progress


@dataclass
class LoadedTimeline:
    """A recorded timeline with what the CLI needs to show it."""

    source: str
    header: LogHeader
    timeline: Timeline
    names: dict[str, str] = field(default_factory=dict)
    #: A scenario's saved values (``k1`` -> key ARN), so views can use the scenario's names.
    variables: dict[str, str] = field(default_factory=dict)
    #: The scenario's default caller (its ``principal``), when LOG was a scenario.
    default_principal: str | None = None

    def __post_init__(self) -> None:
        # A log answers like the scenario it came from (issue 11): the values its
        # sim:SaveVariables events hold and the default principal its header names.
        if not self.variables:
            self.variables = {k: str(v) for k, v in saved_values(self.timeline.live).items()}
        named = self.header.extra.get("principal")
        if self.default_principal is None and isinstance(named, str) and \
                self.timeline.live.principal_arn(named) is not None:  # declared in the log
            self.default_principal = named

    @property
    def time_style(self) -> str:
        """``clock`` when the scenario wrote RFC 3339 times, else ``offset`` (``+5m``)."""
        return "clock" if self.header.extra.get("times") == "clock" else "offset"

    @property
    def account(self) -> str:
        """The timeline's default account."""
        return str(self.header.extra.get("account", "111122223333"))

    @property
    def region(self) -> str:
        """The timeline's default region."""
        return str(self.header.extra.get("region", "us-east-1"))

    @property
    def seed(self) -> int:
        """The seed its random draws came from."""
        return int(self.header.extra.get("seed", 0))


def note_principal(names: dict[str, str], event: Event) -> None:
    """Record the name -> ARN that a successful ``sim:PutPrincipal`` event declared."""
    if event.op == "sim:PutPrincipal" and event.ok:
        names[event.req.get("Name", event.req["Arn"])] = event.req["Arn"]


def log_input_error(exc: LogError) -> InputError:
    """The one-line CLI error for a log that cannot be read: ``FILE: what (byte offset N)``
    and a hint that fits (a file that is not a log is not sent to ``kmsim log repair``)."""
    if isinstance(exc, NotALog):
        hint = "give a .kmlog event log or a scenario file (.toml, .py)"
    elif isinstance(exc, LogVersionError):
        hint = "a newer kmsim wrote this log: upgrade kmsim to read it"
    elif isinstance(exc, LogLocked):
        hint = "stop the other writer first, or give another file"
    elif isinstance(exc, LogCorrupt) and exc.offset == len(MAGIC):
        hint = "the log's header is damaged, so nothing in it can be read (kmsim log verify LOG)"
    else:
        hint = ("kmsim log verify LOG shows the damage; kmsim log repair LOG keeps the events "
                "before it")
    return InputError(exc.message, exc.path, None, hint)


def load_timeline(path: str, profile: str | None = None,
                  overrides: dict[str, str] | None = None) -> LoadedTimeline:
    """A log file (``KMSIMLG1``) or a scenario ``.toml``/``.py`` (run in memory first)."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", path, None, "give a .kmlog log or a scenario file")
    if p.suffix in (".toml", ".py"):
        # Only a scenario needs the runner (and every service): a log's readers start faster.
        from sim.runner import run_file

        report = run_file(path, profile, overrides)
        sim = report.sim
        assert sim is not None
        saved = {k: str(v) for step in report.steps for k, v in step.saved.items()}
        return LoadedTimeline(path, sim.header(), sim.timeline, dict(sim.names), saved,
                              sim.default_principal)
    if p.is_dir():
        raise InputError("is a directory", path, None, "give a .kmlog log or a scenario file")
    try:
        with LogReader(path) as reader:
            header = reader.header
        timeline = read_timeline(path, header)
    except LogError as exc:
        raise log_input_error(exc) from None
    except UnsupportedEventVersion as exc:
        raise InputError(str(exc), path, None, "upgrade kmsim to read this log") from None
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), path, None,
                         "give a .kmlog log or a scenario file") from None
    except FoldFailed as exc:  # a recorded outcome the rules cannot fold: not a kmsim bug
        where = f" at event #{exc.seq}" + (f" (byte offset {exc.offset})"
                                           if exc.offset is not None else "")
        raise InputError(f"the log cannot be folded{where}: {type(exc.error).__name__}: "
                         f"{exc.error}", path, None, "kmsim replay LOG lists the events "
                         "whose recorded outcome the rules do not give") from None
    return LoadedTimeline(path, header, timeline, timeline.live.principal_names())


#: Notes already shown in this process (an unwritable directory is said once).
_SAID: set[str] = set()


def read_timeline(path: str, header: LogHeader) -> Timeline:
    """The one way a log file is loaded (every verb, ``serve --resume``, the debugger,
    :func:`load_timeline`): :meth:`Timeline.from_log` with the index beside the log
    (``LOG.kmidx``), with progress on stderr and its notes said once each."""
    notes: list[str] = []
    with file_progress(path, f"reading {Path(path).name}") as advance:
        timeline = Timeline.from_log(path, header.profile, header.assumptions, header.start,
                                     sidecar=True, on_batch=advance, notes=notes)
    for note in notes:
        if note not in _SAID:
            _SAID.add(note)
            print(f"kmsim: note: {note}", file=sys.stderr)
    return timeline

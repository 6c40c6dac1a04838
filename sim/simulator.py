"""The Simulator: the Python API, equal in power to the scenario format.

    sim = Simulator(start="2026-01-01T00:00:00Z", account="111122223333")
    sim.principal("admin", policy=ALLOW_ALL)
    key = sim.call("kms:CreateKey", at="+0s", as_="admin").get("KeyMetadata.Arn")
    sim.call("kms:DisableKey", {"KeyId": key}, at="+5m")
    sim.key_state(key)                      # 'Disabled'
    sim.key_state(key, at="+1m")            # 'Enabled': answers at any moment
    sim.save("timeline.kmlog")

Every call becomes an event (accepted or rejected) and only folding events changes
state. Time only moves forward; reading the past goes through the timeline.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from events.logfile import LogHeader, LogReader, LogWriter
from events.record import Event
from events.timefmt import format_time, parse_duration, parse_rfc3339
from projections.arns import account_of_arn, resource_from_name, root_arn
from projections.decrypt import Answer, decryptability
from projections.rulebook import resolve_settings
from projections.timetravel.timeline import Timeline
from projections.world import World
from sim.clock import parse_when
from sim.errors import AwsError
from sim.recording import Recorder, Request

DEFAULT_START = "2026-01-01T00:00:00Z"


class SidecarNote(UserWarning):
    """Something to know about a log's index (``LOG.kmidx``): damaged, or not writable."""


DEFAULT_ACCOUNT = "111122223333"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class CallResult:
    """The event a call became, with convenient accessors."""

    event: Event

    @property
    def ok(self) -> bool:
        """Whether the call succeeded."""
        return self.event.ok

    @property
    def res(self) -> dict:
        """The response (empty when the call failed)."""
        return self.event.res

    @property
    def err(self) -> str | None:
        """The error code, or None."""
        return self.event.err

    @property
    def rule(self) -> str | None:
        """The rule that decided a failure."""
        return self.event.rule

    @property
    def outcome(self) -> str:
        """``ok`` or the error code (what a scenario's ``expect`` compares)."""
        return "ok" if self.ok else str(self.err)

    def get(self, path: str) -> Any:
        """A response field by dotted path (``KeyMetadata.Arn``, ``Keys.0.KeyId``)."""
        value: Any = self.res
        for part in path.split("."):
            if isinstance(value, list) and part.isdecimal() and int(part) < len(value):
                value = value[int(part)]
            elif isinstance(value, dict) and part in value:
                value = value[part]
            else:
                raise KeyError(f"response of {self.event.op} has no field {path!r}")
        return value


class Simulator:
    """A simulated AWS world of KMS keys, CloudWatch and CloudWatch Logs, driven by calls."""

    def __init__(self, start: str | int = DEFAULT_START, account: str = DEFAULT_ACCOUNT,
                 region: str = DEFAULT_REGION, profile: str = "seed",
                 assumptions: dict[str, str] | None = None, seed: int = 0,
                 log: str | Path | None = None, name: str = "",
                 default_principal: str | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        self.start = start if isinstance(start, int) else parse_rfc3339(start)
        #: More for the log header (a scenario's time style, issue 11): see :meth:`header`.
        self.extra = dict(extra or {})
        self.account = account
        self.region = region
        self.seed = seed
        self.name = name
        self.settings = resolve_settings(profile, (assumptions or {}).items())
        self.profile = profile
        self.default_principal = default_principal
        writer = None if log is None else LogWriter.create(str(log), self.header())
        self._recorder = Recorder(Timeline(profile, self.settings, self.start), seed, writer)
        if writer is not None:
            # Memory stays bounded as the log grows: the events are the file's (16 bytes
            # each in memory, not the event), read back on demand.
            with LogReader(str(log)) as reader:
                first = reader.events_start
            self.timeline.keep_in_file(str(log), first, writer.flush)

    @classmethod
    def resume(cls, log: str | Path) -> Simulator:
        """Continue the timeline of an existing log: fold its events, then append every new
        call to it. The log's header decides start, profile, assumptions, seed, account and
        region; time resumes at the last event. A torn tail is truncated with a warning
        (the writer's rule); corruption before the end raises ``LogCorrupt``."""
        writer = LogWriter.open(str(log))
        try:
            header = writer.header
            extra = header.extra
            sim = cls(start=header.start, account=str(extra.get("account", DEFAULT_ACCOUNT)),
                      region=str(extra.get("region", DEFAULT_REGION)), profile=header.profile,
                      assumptions=header.assumptions, seed=int(extra.get("seed", 0)),
                      name=str(extra.get("name", "")),
                      default_principal=extra.get("principal"), extra=extra)
            # The one load path (the index beside the log when it still fits, then only
            # the frames after it); the events stay in the file.
            notes: list[str] = []
            timeline = Timeline.from_log(str(log), sim.profile, sim.settings, sim.start,
                                         sidecar=True, notes=notes)
            timeline.keep_in_file(str(log), timeline.events.end, writer.flush)
        except BaseException:
            writer.close()
            raise
        for note in notes:
            warnings.warn(note, SidecarNote, stacklevel=2)
        sim._recorder.timeline = timeline
        sim._recorder.writer = writer
        return sim

    # -- identity ----------------------------------------------------------------------
    def header(self) -> LogHeader:
        """The log header describing this timeline."""
        return LogHeader(created=self.start, profile=self.profile,
                         assumptions=dict(self.settings), start=self.start,
                         extra={**self.extra, "seed": self.seed, "account": self.account,
                                "region": self.region, "name": self.name,
                                **({"principal": self.default_principal}
                                   if self.default_principal else {})})

    @property
    def timeline(self) -> Timeline:
        """The recorded timeline (its ``live`` world is now)."""
        return self._recorder.timeline

    @property
    def names(self) -> dict[str, str]:
        """Principal names declared so far (``sim:PutPrincipal``) -> ARN, from the world."""
        return self.timeline.live.principal_names()

    @property
    def now(self) -> int:
        """Simulated time of the world (ms since the epoch)."""
        return self.timeline.live.now

    @property
    def world(self) -> World:
        """The current world (read it; never change it)."""
        return self.timeline.live

    @property
    def events(self) -> Sequence[Event]:
        """Every event so far (with a log: read back from it on demand)."""
        return self.timeline.events

    def principal(self, name: str, arn: str | None = None, policy: str | dict | None = None,
                  at: str | int | None = None) -> str:
        """Declare a principal (a ``sim:PutPrincipal`` event); returns its ARN."""
        arn = arn or f"arn:aws:iam::{self.account}:role/{name}"
        policies = [] if policy is None else [policy if isinstance(policy, str)
                                              else json.dumps(policy)]
        result = self.call("sim:PutPrincipal", {"Name": name, "Arn": arn, "Policies": policies},
                           at=at, as_=root_arn(account_of_arn(arn) or self.account))
        if not result.ok:
            raise AwsError(str(result.err), result.event.out.get("msg", ""), str(result.rule))
        return arn

    def principal_arn(self, who: str | None) -> str:
        """The ARN of a principal name (or an ARN as given); default: the default principal
        or the account root."""
        if who is None:
            who = self.default_principal
        if who is None:
            return root_arn(self.account)
        arn = self.timeline.live.principal_arn(who)
        if arn is not None:
            return arn
        if who.startswith("arn:") or who.endswith(".amazonaws.com"):
            return who
        raise KeyError(f"unknown principal {who!r}: declare it with principal() first")

    # -- time --------------------------------------------------------------------------
    def when(self, at: str | int | None) -> int:
        """Resolve ``at`` (None: now; RFC 3339, ``+OFFSET``, ``#N`` or ms)."""
        if at is None:
            return self.now
        return parse_when(at, self.start, self.timeline.times)

    def advance(self, duration: str | int) -> int:
        """Move simulated time forward, firing timers on the way."""
        ms = parse_duration(duration) if isinstance(duration, str) else int(duration)
        self.timeline.live.advance_to(self.now + ms)
        return self.now

    # -- calls -------------------------------------------------------------------------
    def call(self, op: str, args: dict | None = None, *, at: str | int | None = None,
             as_: str | None = None, region: str | None = None,
             label: str | None = None) -> CallResult:
        """Call an operation at ``at`` as ``as_``; the call becomes an event either way."""
        t = self.when(at)
        if t < self.now:
            raise ValueError(f"time goes only forward: {format_time(t)} is before "
                             f"{format_time(self.now)}")
        actor = self.principal_arn(as_)
        account = account_of_arn(actor) or self.account
        event = self._recorder.record(Request(op, dict(args or {}), t, actor, account,
                                              region or self.region))
        if label is not None and event.ok and event.seq in self.world.items:
            self.call("sim:Label", {"Label": label, "Event": event.seq}, at=t, as_=actor)
        return CallResult(event)

    # -- answers -----------------------------------------------------------------------
    def world_at(self, at: str | int | None = None) -> World:
        """The world at a moment: the live world now, a copy of it run forward for the
        future (a read never moves the simulated clock), the timeline's for the past."""
        t = self.when(at)
        if t == self.now:
            return self.timeline.live
        if t > self.now:
            world = self.timeline.live.clone()
            world.advance_to(t)
            return world
        return self.timeline.world_at(t)

    def key_state(self, ref: str, at: str | int | None = None) -> str | None:
        """A key's state at a moment (None when the key did not exist)."""
        world = self.world_at(at)
        key = world.find_key(ref, self.account, self.region) or world.key_by_arn(ref)
        return key.state if key else None

    def association(self, resource: str, at: str | int | None = None) -> str:
        """An association's state: resource as ``logs:NAME``, ``logs:query-result``,
        ``cloudwatch:dataset`` or an ARN."""
        world = self.world_at(at)
        assoc = world.associations.get(resource_from_name(resource, self.region, self.account))
        return assoc.state if assoc else "none"

    def decryptable(self, item: str | int, as_: str | None = None,
                    at: str | int | None = None) -> Answer:
        """Whether ``as_`` can decrypt a data item (label or event number) at a moment."""
        world = self.world_at(at)
        found = world.item(item)
        if found is None:
            raise KeyError(f"no data item {item!r} at {format_time(world.now)}")
        return decryptability(world, found, self.principal_arn(as_))

    # -- the log -----------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the whole timeline to a new log file."""
        with LogWriter.create(str(path), self.header(), sync="none") as writer:
            writer.append_many(self.events)
        return Path(path)

    @property
    def recorder(self) -> Recorder:
        """The one path calls are recorded through (its ``crashed`` says if it stopped)."""
        return self._recorder

    @property
    def log_path(self) -> str | None:
        """The file every event is appended to, or None (in memory, or closed)."""
        writer = self._recorder.writer
        return None if writer is None else str(writer.path)

    def close(self) -> None:
        """Flush and release the live log file, if any."""
        writer, self._recorder.writer = self._recorder.writer, None
        if writer is not None:
            writer.close()

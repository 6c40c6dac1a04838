"""The handle a test drives (SPEC 12): the clock, the answers at any moment, the log, and
assertions whose failure message is the ``kmsim explain`` text.

Times (``TIME``) are RFC 3339 text, ``+OFFSET`` from the start, ``#N`` (just after event
N), epoch milliseconds or an aware ``datetime``; durations are ``5m``/``1h30m``,
milliseconds or a ``timedelta``. Data written through boto3 has no scenario label: name
it with :meth:`Handle.label` (the last data item written, or event ``#N``'s), or find it
with :meth:`Handle.items` (by log group and the log events' time range).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from events.record import Event
from events.timefmt import format_time, parse_duration
from projections.arns import resource_from_name
from projections.decrypt import Answer, decryptability
from projections.model import DataItem
from projections.timetravel.answers import answers_at
from projections.timetravel.explain import (
    Explanation,
    explain_association,
    explain_item,
    explain_key,
)
from projections.world import World
from sim.server.app import KmsimApp
from sim.simulator import Simulator

Time = str | int | datetime
Duration = str | int | timedelta


def to_datetime(ms: int) -> datetime:
    """Epoch milliseconds as an aware UTC datetime (boto3 returns aware datetimes)."""
    return datetime.fromtimestamp(ms / 1000, UTC)


def duration_ms(duration: Duration) -> int:
    """A duration in milliseconds."""
    if isinstance(duration, timedelta):
        return round(duration.total_seconds() * 1000)
    if isinstance(duration, int) and not isinstance(duration, bool):
        return duration
    return parse_duration(str(duration))


class Handle:
    """What a test reads and moves; :class:`~sim.testing.SimulatedAws` is one."""

    app: KmsimApp

    @property
    def sim(self) -> Simulator:
        """The Simulator behind the requests (its Python API)."""
        return self.app.sim

    # -- time --------------------------------------------------------------------------
    def time_ms(self, when: Time | None) -> int:
        """A TIME in epoch milliseconds (None: now)."""
        if when is None:
            return self.now_ms
        if isinstance(when, datetime):
            if when.tzinfo is None:
                raise ValueError(f"{when!r} has no time zone: give an aware datetime (UTC)")
            return round(when.timestamp() * 1000)
        return self.sim.when(when)

    @property
    def now_ms(self) -> int:
        """Simulated now in epoch milliseconds (timers due by then have fired)."""
        with self.app.lock:
            return self.app.clock.sync()

    @property
    def now(self) -> datetime:
        """Simulated now, an aware UTC datetime."""
        return to_datetime(self.now_ms)

    def advance(self, duration: Duration) -> datetime:
        """Move simulated time forward (timers due on the way fire, as the clock endpoint
        does); returns the new now."""
        with self.app.lock:
            return to_datetime(self.app.clock.advance(duration_ms(duration)))

    def set_time(self, when: Time) -> datetime:
        """Move simulated time forward to ``when`` (never back: read the past with
        :meth:`at`); returns the new now."""
        t = self.time_ms(when)
        with self.app.lock:
            return to_datetime(self.app.clock.set(t))

    # -- answers -----------------------------------------------------------------------
    def world_at(self, when: Time | None = None) -> World:
        """The world at a moment (read it; never change it). ``#N``: just after event N."""
        t = self.time_ms(when)
        with self.app.lock:
            self.app.clock.sync()
            if isinstance(when, str) and when.strip().startswith("#"):
                return self.sim.timeline.world_at(t, int(when.strip()[1:]))
            return self.sim.world_at(t)

    def at(self, when: Time | None = None, as_: str | None = None) -> dict:
        """The ``kmsim at --json`` document at ``when`` for ``as_`` (default: now, the
        account root)."""
        world = self.world_at(when)
        return answers_at(world, self.sim.principal_arn(as_))

    def decryptable(self, item: str | int, as_: str | None = None,
                    at: Time | None = None) -> Answer:
        """Whether ``as_`` can decrypt a data item (label, ``#N`` or N) at a moment; the
        answer's ``status`` is ``yes``, ``no``, ``maybe`` or ``gone``."""
        world = self.world_at(at)
        found = world.item(self._seq(item))
        if found is None:
            raise KeyError(self._no_item(world, item))
        return decryptability(world, found, self.sim.principal_arn(as_))

    def key_state(self, key: str, at: Time | None = None) -> str | None:
        """A key's state (alias, ARN or id) at a moment; None when it did not exist."""
        world = self.world_at(at)
        found = world.find_key(key, self.sim.account, self.sim.region) or world.key_by_arn(key)
        return found.state if found else None

    def association(self, resource: str, at: Time | None = None) -> str:
        """An association's state: ``logs:NAME``, ``logs:query-result``,
        ``cloudwatch:dataset`` or an ARN ('none' when there is none)."""
        world = self.world_at(at)
        arn = resource_from_name(resource, self.sim.region, self.sim.account)
        assoc = world.associations.get(arn)
        return assoc.state if assoc else "none"

    def explain(self, ref: str | int, at: Time | None = None, as_: str | None = None
                ) -> str:
        """The ``kmsim explain`` text for a data item, a key or an association."""
        return "\n".join(self.explanation(ref, at, as_).lines())

    def explanation(self, ref: str | int, at: Time | None = None, as_: str | None = None
                    ) -> Explanation:
        """The ``kmsim explain`` chain (see :meth:`explain`)."""
        world = self.world_at(at)
        tl = self.sim.timeline
        item = world.item(self._seq(ref))
        if item is not None:
            return explain_item(world, item, self.sim.principal_arn(as_), tl.event, tl.start)
        text = str(ref)
        key = world.find_key(text, self.sim.account, self.sim.region) or \
            world.key_by_arn(text)
        if key is not None:
            return explain_key(world, key, tl.event, tl.start)
        try:
            arn = resource_from_name(text, self.sim.region, self.sim.account)
        except ValueError:
            arn = ""
        if arn in world.associations:
            return explain_association(world, world.associations[arn], tl.event, tl.start)
        raise KeyError(self._no_item(world, ref) + "; nor a key or an association")

    # -- naming data written through boto3 ---------------------------------------------
    def label(self, name: str, item: str | int | None = None) -> str:
        """Name a data item (default: the last one written) for answers; records a
        ``sim:Label`` event (R-SIM-02). Returns the name."""
        with self.app.lock:
            world = self.sim.world
            seq = None
            if item is not None:
                found = world.item(item)
                seq = found.seq if found is not None else None
            else:
                seq = next((e.seq for e in reversed(self.sim.events) if e.seq in world.items),
                           None)
            if seq is None:
                raise KeyError(self._no_item(world, item if item is not None else "(last)"))
            result = self.sim.call("sim:Label", {"Label": name, "Event": seq},
                                   at=self.app.clock.request_time())
        if not result.ok:
            raise ValueError(f"cannot label #{seq} {name!r}: {result.err}: "
                             f"{result.event.out.get('msg', '')}")
        return name

    def items(self, log_group: str | None = None, *, start: Time | None = None,
              end: Time | None = None, kind: str | None = None,
              at: Time | None = None) -> list[str]:
        """The data items (``#N``, or the label) in write order: those of a log group
        whose log events' timestamps meet [``start``, ``end``], or of a ``kind``
        (``log-events``, ``metric-data``, ``query-result``)."""
        world = self.world_at(at)
        arn = None if log_group is None else resource_from_name(
            f"logs:{log_group}" if not log_group.startswith(("arn:", "logs:")) else log_group,
            self.sim.region, self.sim.account)
        lo = None if start is None else self.time_ms(start)
        hi = None if end is None else self.time_ms(end)
        out = []
        for item in world.iter_items():
            if arn is not None and item.resource != arn:
                continue
            if kind is not None and item.kind != kind:
                continue
            t0, t1 = _event_times(item)
            if (lo is not None and t1 < lo) or (hi is not None and t0 > hi):
                continue
            out.append(item.label or f"#{item.seq}")
        return out

    # -- the log -----------------------------------------------------------------------
    @property
    def events(self) -> Sequence[Event]:
        """Every event so far, accepted or refused, in order."""
        return self.sim.events

    def save(self, path: str | Path) -> Path:
        """Write the timeline as a log every time-travel verb reads (``kmsim at LOG``,
        ``explain``, ``diff``, ``history``, ``timeline``, ``replay``)."""
        with self.app.lock:
            return self.sim.save(path)

    # -- assertions --------------------------------------------------------------------
    def assert_answer(self, item: str | int, status: str, as_: str | None = None,
                      at: Time | None = None) -> Answer:
        """Fail unless the answer's status is ``status``; the message is the explanation."""
        answer = self.decryptable(item, as_, at)
        if answer.status != status:
            raise AssertionError(f"expected {item} to be {status!r}, it is "
                                 f"{answer.status!r}:\n{self.explain(item, at, as_)}")
        return answer

    def assert_decryptable(self, item: str | int, as_: str | None = None,
                           at: Time | None = None) -> Answer:
        """Fail (with the explanation) unless ``as_`` can decrypt ``item`` (status yes)."""
        return self.assert_answer(item, "yes", as_, at)

    def assert_not_decryptable(self, item: str | int, as_: str | None = None,
                               at: Time | None = None) -> Answer:
        """Fail (with the explanation) unless ``as_`` cannot decrypt ``item`` (no)."""
        return self.assert_answer(item, "no", as_, at)

    def assert_key_state(self, key: str, state: str, at: Time | None = None) -> None:
        """Fail unless the key is in ``state``; the message is the key's history."""
        found = self.key_state(key, at)
        if found != state:
            detail = self.explain(key, at) if found is not None else "no such key then"
            raise AssertionError(f"expected key {key} to be {state}, it is {found}:\n"
                                 f"{detail}")

    def _seq(self, ref: str | int) -> str | int:
        """A label named now as the item's number, so that it names the item at moments
        before the label's ``sim:Label`` event too."""
        seq = self.sim.world.labels.get(ref) if isinstance(ref, str) else None
        return ref if seq is None else seq

    def _no_item(self, world: World, ref: object) -> str:
        labels = sorted(world.labels)[:10]
        return (f"no data item {ref!r} at {format_time(world.now)} (labels: "
                f"{', '.join(labels) or 'none'}; items: {len(world.items)}; name one with "
                "label(NAME) or find them with items(log_group=...))")


def _event_times(item: DataItem) -> tuple[int, int]:
    """The first and last timestamps an item holds (its write time when it has none)."""
    extra = item.extra or {}
    return int(extra.get("t0", item.written_at)), int(extra.get("t1", item.written_at))

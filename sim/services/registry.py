"""The operation registry: :class:`Draws`, :class:`CallContext`, :func:`operation`,
:func:`lookup` and :func:`known_operations`.

It is apart from the service modules (``kms``, ``logs``, ...) so that they import it and
it imports none of them: nothing imports back. :mod:`sim.services` imports every service
module and this one, and re-exports the names; since a package's ``__init__`` runs before
any of its submodules, :func:`lookup` always sees every registered operation.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from events.record import Event
from projections.world import World
from sim.errors import AwsError
from sim.services.modeled import is_modeled, not_simulated


class Draws:
    """Values chosen at random for one call, recorded in the event's ``draws``.

    When recording, values come from a generator seeded by (log seed, event seq), so a
    run is reproducible; when replaying, the recorded values are returned instead.
    """

    def __init__(self, seed: int, seq: int, recorded: dict | None = None) -> None:
        self._seed = f"{seed}:{seq}"
        self._random: random.Random | None = None
        self._recorded = recorded
        self.values: dict = {}

    @property
    def _rng(self) -> random.Random:
        # Seeded on first use: most calls draw nothing, and seeding costs more than the call.
        if self._random is None:
            self._random = random.Random(self._seed)
        return self._random

    def uuid(self, name: str) -> str:
        """A UUID4-shaped id."""
        if self._recorded is not None and name in self._recorded:
            value = self._recorded[name]
        else:
            value = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        self.values[name] = value
        return value

    def record(self, name: str, value: object) -> object:
        """Record a value chosen elsewhere (e.g. a window delay); replay returns the recorded
        one so that a replay is deterministic."""
        if self._recorded is not None and name in self._recorded:
            value = self._recorded[name]
        self.values[name] = value
        return value

    def bytes(self, name: str, size: int) -> bytes:
        """``size`` random bytes (stored in the log as msgpack bin; logs that stored an
        integer are upcast on read, events.schemas)."""
        if self._recorded is not None and name in self._recorded:
            value = bytes(self._recorded[name])
        else:
            value = self._rng.getrandbits(8 * size).to_bytes(size, "big")
        self.values[name] = value
        return value



@dataclass
class CallContext:
    """What a handler may read: the world at ``t``, the caller, settings and draws."""

    world: World
    t: int
    actor: str
    account: str
    region: str
    draws: Draws
    seq: int
    #: The events recorded before this call (seq N at index N-1): data-plane payloads
    #: such as log messages stay in their event's ``req``, not in the world.
    events: Sequence[Event] = ()
    #: The request as recorded (read-only): what every handler's shared checks may need
    #: from it, such as the GrantTokens of any KMS call (R-KMS-GRANT-09).
    request: Mapping | None = None

    def event(self, seq: int) -> Event | None:
        """An earlier event by number (None when this context has no events)."""
        if 0 < seq <= len(self.events) and self.events[seq - 1].seq == seq:
            return self.events[seq - 1]
        return next((e for e in self.events if e.seq == seq), None)

    @property
    def profile(self) -> str:
        """The rule profile in force (``seed`` or ``api-2026``)."""
        return self.world.profile

    def setting(self, name: str) -> str:
        """An assumption's value in force by name (``propagation``); see :meth:`World.setting`."""
        return self.world.setting(name)


Handler = Callable[[CallContext, dict], dict]


@dataclass(frozen=True)
class Operation:
    """A simulated API operation: ``service:Name`` and its handler."""

    op: str
    handler: Handler
    doc: str = ""


OPERATIONS: dict[str, Operation] = {}


def operation(op: str) -> Callable[[Handler], Handler]:
    """Register a handler for ``service:Operation``."""

    def register(fn: Handler) -> Handler:
        OPERATIONS[op] = Operation(op, fn, (fn.__doc__ or "").strip().splitlines()[0]
                                   if fn.__doc__ else "")
        return fn

    return register


def lookup(op: str) -> Operation:
    """The registered operation; for an operation of a botocore model that kmsim does not
    simulate, one that refuses every call (R-SRV-OOS-01); else UnknownOperationException
    (R-SIM-03)."""
    try:
        return OPERATIONS[op]
    except KeyError:
        if is_modeled(op):
            return Operation(op, not_simulated(op), f"{op}: not simulated")
        raise AwsError("UnknownOperationException", f"kmsim does not simulate {op}",
                       "R-SIM-03") from None


def known_operations() -> list[str]:
    """Every simulated operation name."""
    return sorted(OPERATIONS)

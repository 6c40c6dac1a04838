"""The event record: one API call, accepted or rejected (SPEC section 6).

An :class:`Event` is a plain immutable record. Turning it into bytes is the job of
:mod:`events.codec`, storing it the job of :mod:`events.logfile`; this module knows
nothing about either, so projections can fold events without ever seeing bytes.

Times are integer milliseconds since the Unix epoch on the *simulated* clock; nothing
here reads the wall clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The on-disk key order. Fixed, so the same event always encodes to the same bytes.
_KEYS = ("v", "seq", "t", "op", "actor", "account", "region", "req", "out", "draws")


@dataclass(frozen=True)
class Event:
    """One API call (read or write, accepted or rejected) as recorded in the log.

    ``op`` is ``service:Operation``; ``req`` holds the request parameters as AWS names
    them; ``out`` is :func:`ok_out` or :func:`err_out`; ``draws`` holds every value
    chosen at random when the call was recorded, so replay can re-use them.

    The nested dicts are shared, not copied (copying would double the cost of the hot
    encode/decode paths): treat them as read-only.
    """

    v: int
    seq: int
    t: int
    op: str
    actor: str
    account: str
    region: str
    req: dict
    out: dict
    draws: dict

    @property
    def ok(self) -> bool:
        """True when the call was accepted."""
        return self.out.get("ok") is True

    @property
    def service(self) -> str:
        """The service part of ``op`` (``logs`` in ``logs:PutLogEvents``)."""
        return self.op.partition(":")[0]

    @property
    def name(self) -> str:
        """The operation part of ``op`` (``PutLogEvents`` in ``logs:PutLogEvents``)."""
        return self.op.partition(":")[2]

    @property
    def err(self) -> str | None:
        """The AWS error code of a rejected call, None when it was accepted."""
        return None if self.ok else self.out.get("err")

    @property
    def rule(self) -> str | None:
        """The id of the rule that rejected the call, None when it was accepted."""
        return None if self.ok else self.out.get("rule")

    @property
    def res(self) -> dict:
        """The response of an accepted call; an empty dict when the call failed."""
        if not self.ok:
            return {}
        res = self.out.get("res")
        return {} if res is None else res

    def to_dict(self) -> dict[str, Any]:
        """The event as a dict with exactly the keys of SPEC section 6, in log order."""
        return {
            "v": self.v,
            "seq": self.seq,
            "t": self.t,
            "op": self.op,
            "actor": self.actor,
            "account": self.account,
            "region": self.region,
            "req": self.req,
            "out": self.out,
            "draws": self.draws,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Event:
        """Build an event from :meth:`to_dict` output; missing or extra keys are an error.

        Extra keys are refused rather than dropped: silently losing a field of a newer
        schema would be worse than failing (newer versions are refused by the codec).
        """
        return adopt(dict(d), cls)


# Building an event runs once per event on every replay (SPEC 11 allows replay 3x the
# time of a bare msgpack decode). A frozen dataclass's __init__ sets each field through
# object.__setattr__; adopting the decoded map as the instance's __dict__ is one step
# instead of ten (and the dataclass has no __post_init__ to skip).
_new = object.__new__
_setattr = object.__setattr__
#: The keys of an event map, as a set.
EVENT_KEYS = frozenset(_KEYS)


def adopt(d: dict[str, Any], cls: type[Event] = Event) -> Event:
    """An event whose fields are the dict ``d`` itself (a fresh dict nobody else changes,
    such as one just decoded); ValueError unless it has exactly the keys of SPEC 6."""
    if type(d) is dict and d.keys() == EVENT_KEYS:
        e = _new(cls)
        _setattr(e, "__dict__", d)
        return e
    raise ValueError(f"event must have exactly the keys {_KEYS}, got {tuple(d)}")


def ok_out(res: dict | None = None) -> dict:
    """The ``out`` of an accepted call: ``{"ok": True, "res": res}``."""
    return {"ok": True, "res": {} if res is None else res}


def err_out(code: str, msg: str, rule: str) -> dict:
    """The ``out`` of a rejected call: AWS error code, message and the deciding rule id."""
    return {"ok": False, "err": code, "msg": msg, "rule": rule}

"""What the KMS cryptography tests share: base64 both ways and a simulation with an
allowed ``admin`` (and an unprivileged ``nobody``) that calls one second in."""

from __future__ import annotations

import base64

from support import ACCT, ALLOW_ALL, START

from sim import CallResult, Simulator


def b64(data: bytes) -> str:
    """Bytes as the JSON protocol carries a blob."""
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    """A blob of a response as bytes."""
    return base64.b64decode(text)


def simulation() -> Simulator:
    """A simulation with ``admin`` allowed everything and ``nobody`` allowed nothing."""
    sim = Simulator(start=START, account=ACCT)
    sim.principal("admin", policy=ALLOW_ALL)
    sim.principal("nobody")
    return sim


def call(s: Simulator, op: str, args: dict, as_: str = "admin") -> CallResult:
    """``op`` as ``as_`` at +1s."""
    return s.call(op, args, at="+1s", as_=as_)


def ok(s: Simulator, op: str, args: dict) -> CallResult:
    """``op`` as admin, which must succeed."""
    r = call(s, op, args)
    assert r.ok, (op, r.err, r.event.out.get("msg"))
    return r

"""Helpers of the key rotation tests (no tests here): a simulator with an admin, calls that
must succeed, refusals that must change nothing, and the rotation reads."""

from __future__ import annotations

from support import ACCT, ALLOW_ALL, START

from sim import CallResult, Simulator

#: ImportKeyMaterial's members, as tests/test_kms.py imports material.
MATERIAL = {"ImportToken": "dG9rZW4=", "EncryptedKeyMaterial": "bWF0ZXJpYWw=",
            "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}


def make(**settings: str) -> Simulator:
    """A simulator (``settings``: assumption values) with the all-powerful ``admin``."""
    s = Simulator(start=START, account=ACCT, assumptions=settings or None)
    s.principal("admin", policy=ALLOW_ALL)
    return s


def snapshot(s: Simulator) -> dict:
    """What a rotation call could change: keys' states and materials, rotation records,
    timers."""
    from projections.kms.rotation import RotationState

    w = s.world
    records = w.peek(RotationState).keys
    return {"keys": {kid: (k.state, k.material_id) for kid, k in w.keys.items()},
            "rotation": {kid: (r.enabled, r.period_days, r.next_date, r.on_demand,
                               len(r.materials), r.generation, r.on_demand_started)
                         for kid, r in records.items()},
            "timers": [(t.due, t.kind, t.target) for t in w.pending_timers()]}


def ok(s: Simulator, op: str, args: dict | None = None, *, at: str,
       as_: str = "admin") -> CallResult:
    """Call and assert success."""
    r = s.call(op, args or {}, at=at, as_=as_)
    assert r.ok, (op, r.err, r.event.out.get("msg"))
    return r


def rejected(s: Simulator, op: str, args: dict, err: str, *, at: str,
             rule: str | None = None) -> CallResult:
    """Call as admin, assert it fails with ``err`` (and ``rule``) and changed nothing."""
    s.advance(max(0, s.when(at) - s.now))  # timers due by then are not the call's doing
    before = snapshot(s)
    r = s.call(op, args, at=at, as_="admin")
    assert not r.ok, f"{op} unexpectedly succeeded"
    assert r.err == err, (r.err, r.event.out.get("msg"))
    if rule is not None:
        assert r.rule == rule, (r.rule, r.event.out.get("msg"))
    assert snapshot(s) == before, f"rejected {op} changed the world"
    return r


def new_key(s: Simulator, at: str = "+1m", **args) -> str:
    """A new key's ARN."""
    return ok(s, "kms:CreateKey", args, at=at).get("KeyMetadata.Arn")


def import_material(s: Simulator, arn: str, at: str) -> str:
    """Import material into an EXTERNAL key (with GetParametersForImport's token when kmsim
    has the operation); returns the ARN."""
    from sim.services.registry import known_operations

    args = {"KeyId": arn, **MATERIAL}
    if "kms:GetParametersForImport" in known_operations():
        params = ok(s, "kms:GetParametersForImport", {
            "KeyId": arn, "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
            "WrappingKeySpec": "RSA_2048"}, at=at).res
        args["ImportToken"] = params["ImportToken"]
    ok(s, "kms:ImportKeyMaterial", args, at=at)
    assert s.key_state(arn) == "Enabled"
    return arn


def status(s: Simulator, arn: str, at: str) -> dict:
    """GetKeyRotationStatus's answer."""
    return ok(s, "kms:GetKeyRotationStatus", {"KeyId": arn}, at=at).res


def current(s: Simulator, arn: str, at: str) -> str:
    """DescribeKey's CurrentKeyMaterialId."""
    return ok(s, "kms:DescribeKey", {"KeyId": arn}, at=at).get("KeyMetadata.CurrentKeyMaterialId")


def rotations(s: Simulator, arn: str, at: str, **args) -> list[dict]:
    """ListKeyRotations' Rotations (one page of up to 100)."""
    return ok(s, "kms:ListKeyRotations", {"KeyId": arn, **args}, at=at).res["Rotations"]

"""A tiny fake data item kind for the time-travel tests (no tests here).

``sim:TestAssociate {Resource, KeyId}`` associates a resource with a key at once;
``sim:TestWrite {Resource}`` writes one item under the key the resource is associated
with (the service-owned key when none); ``sim:TestDrop {Resource}`` marks every item of
the resource gone, changing items written long before (what checkpoints must survive).
The ``test_kind`` fixture registers them and removes them afterwards.
"""

from __future__ import annotations

import pytest
from support import ACCT, REGION, declare_test_association_kind
from support import ALLOW_ALL_JSON as ALLOW_ALL

from events.record import Event
from projections import decrypt
from projections import world as world_mod
from projections.arns import log_group_arn
from projections.decrypt import Verdict, caller_can_decrypt, state_verdict
from projections.model import Cause, DataItem
from projections.windows import begin_change
from projections.world import World
from sim import services
from sim.errors import AwsError
from sim.simulator import Simulator

TEST_KIND = declare_test_association_kind()

GROUP = log_group_arn(REGION, ACCT, "app")
OTHER = log_group_arn(REGION, ACCT, "other")
OPS = ("sim:TestAssociate", "sim:TestWrite", "sim:TestDrop")


def _assoc_op(ctx: services.CallContext, req: dict) -> dict:
    key = ctx.world.find_key(str(req.get("KeyId", "")), ctx.account, ctx.region)
    if key is None:
        raise AwsError("NotFoundException", "no such key", "R-KMS-13")
    return {"KeyArn": key.arn}


def _write_op(ctx: services.CallContext, req: dict) -> dict:
    return {"Seq": ctx.seq}


def _drop_op(ctx: services.CallContext, req: dict) -> dict:
    return {}


def _fold_assoc(world: World, event: Event) -> None:
    assoc = world.association(event.req["Resource"], TEST_KIND, event.account, event.region)
    begin_change(world, assoc, event.res["KeyArn"], 0, event, "associate")


def _fold_write(world: World, event: Event) -> None:
    resource = event.req["Resource"]
    assoc = world.associations.get(resource)
    keys = assoc.candidates() if assoc else (None,)
    world.add_item(DataItem(event.seq, "test-kind", resource, event.account, event.region,
                            event.t, keys, Cause(event.t, event.seq, "R-SIM-02", event.op)))


def _fold_drop(world: World, event: Event) -> None:
    for item in world.items.values():
        if item.resource == event.req["Resource"] and item.gone is None:
            item.gone = Cause(event.t, event.seq, "R-SIM-02", "dropped by the test")


def _evaluate(world: World, item: DataItem, principal: str) -> list[Verdict]:
    out = []
    for arn in item.keys:
        key = world.key_by_arn(arn) if arn else None
        if arn is None:
            out.append(Verdict(True, None, ("service-owned key",)))
        elif key is None or key.state != "Enabled":
            out.append(state_verdict(key) if key else Verdict(False, arn, ("gone",),
                                                              ("R-KMS-13",), (), True))
        elif not caller_can_decrypt(world, key, principal, {}).allowed:
            out.append(Verdict(False, arn, (f"R-IAM-06: {principal} may not decrypt",),
                               ("R-IAM-06",)))
        else:
            seq = key.since.seq if key.since and key.since.seq else None
            out.append(Verdict(True, arn, ("key is Enabled",), ("R-KMS-04",),
                               (seq,) if seq else ()))
    return out


@pytest.fixture
def test_kind():
    """Register the fake kind (ops, folds, evaluator) for one test, then remove it."""
    handlers = {"sim:TestAssociate": _assoc_op, "sim:TestWrite": _write_op,
                "sim:TestDrop": _drop_op}
    folds = {"sim:TestAssociate": _fold_assoc, "sim:TestWrite": _fold_write,
             "sim:TestDrop": _fold_drop}
    for op, fn in handlers.items():
        services.operation(op)(fn)
        world_mod.folds(op)(folds[op])
    decrypt.evaluates("test-kind")(_evaluate)
    yield
    for op in OPS:
        services.OPERATIONS.pop(op, None)
        world_mod._FOLDS.pop(op, None)
    decrypt._EVALUATORS.pop("test-kind", None)


def build(sim: Simulator | None = None) -> tuple[Simulator, str]:
    """A small timeline: key k1 associated with logs:app, items e1..e3, k1 disabled at +9m,
    re-enabled at +20m, the items of logs:app dropped at +30m; returns (sim, k1 ARN)."""
    sim = sim or Simulator(default_principal="admin")
    sim.principal("admin", f"arn:aws:iam::{ACCT}:role/Admin", ALLOW_ALL, at="+0s")
    sim.principal("reader", f"arn:aws:iam::{ACCT}:role/Reader", at="+0s")
    k1 = sim.call("kms:CreateKey", {"Description": "k1"}, at="+0s").get("KeyMetadata.Arn")
    sim.call("kms:CreateAlias", {"AliasName": "alias/app", "TargetKeyId": k1}, at="+1m")
    sim.call("sim:TestWrite", {"Resource": GROUP}, at="+2m", label="e0")
    sim.call("sim:TestAssociate", {"Resource": GROUP, "KeyId": k1}, at="+3m")
    sim.call("sim:TestWrite", {"Resource": GROUP}, at="+5m", label="e1")
    sim.call("sim:TestWrite", {"Resource": GROUP}, at="+6m", label="e2")
    sim.call("sim:TestWrite", {"Resource": OTHER}, at="+7m", label="e3")
    sim.call("kms:DisableKey", {"KeyId": "alias/app"}, at="+9m")
    sim.call("sim:TestWrite", {"Resource": GROUP}, at="+10m")
    sim.call("kms:EnableKey", {"KeyId": k1}, at="+20m")
    sim.call("sim:TestDrop", {"Resource": GROUP}, at="+30m")
    return sim, k1

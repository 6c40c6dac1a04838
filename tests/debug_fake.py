"""A tiny fake data-item kind ("test-blob") for the debugger and timeline tests.

It lives here, not in the simulator, so the tests of ``kmsim debug`` and ``kmsim
timeline`` exercise associations, propagation windows and data items before (and
independently of) the real CloudWatch and CloudWatch Logs areas. Operations are named
``test:*`` so they cannot collide with real ones.
"""

from __future__ import annotations

from pathlib import Path

from support import ALLOW_ALL_JSON as ALLOW_ALL
from support import declare_test_association_kind

from events.record import Event
from events.timefmt import MINUTE
from projections.arns import log_group_arn
from projections.decrypt import Verdict, evaluates, state_verdict
from projections.model import Cause, DataItem
from projections.windows import begin_change
from projections.world import World, folds
from sim.errors import AwsError
from sim.services import CallContext, operation
from sim.simulator import Simulator

TEST_KIND = declare_test_association_kind()


def _arn(req: dict, account: str, region: str) -> str:
    return log_group_arn(region, account, str(req["Name"]))


@operation("test:Associate")
def _associate(ctx: CallContext, req: dict) -> dict:
    """Associate a fake resource with a key (5-minute window)."""
    key = ctx.world.find_key(str(req.get("KeyId", "")), ctx.account, ctx.region)
    if key is None or key.state != "Enabled":
        raise AwsError("InvalidParameterException", "key not usable", "R-KMS-04")
    return {"KeyArn": key.arn}


@operation("test:Disassociate")
def _disassociate(ctx: CallContext, req: dict) -> dict:
    """Disassociate (5-minute window)."""
    return {}


@operation("test:Put")
def _put(ctx: CallContext, req: dict) -> dict:
    """Write one data item."""
    return {}


@folds("test:Associate")
def _fold_associate(world: World, event: Event) -> None:
    assoc = world.association(_arn(event.req, event.account, event.region), "test",
                              event.account, event.region)
    begin_change(world, assoc, event.res["KeyArn"], 5 * MINUTE, event, "associate")


@folds("test:Disassociate")
def _fold_disassociate(world: World, event: Event) -> None:
    assoc = world.association(_arn(event.req, event.account, event.region), "test",
                              event.account, event.region)
    begin_change(world, assoc, None, 5 * MINUTE, event, "disassociate")


@folds("test:Put")
def _fold_put(world: World, event: Event) -> None:
    arn = _arn(event.req, event.account, event.region)
    assoc = world.associations.get(arn)
    keys = assoc.candidates() if assoc else (None,)
    world.add_item(DataItem(event.seq, "test-blob", arn, event.account, event.region, event.t,
                            keys, Cause(event.t, event.seq, "R-WIN-01", event.op)))


@evaluates("test-blob")
def _evaluate(world: World, item: DataItem, principal: str) -> list[Verdict]:
    out = []
    for arn in item.keys:
        key = world.key_by_arn(arn)
        if arn is None:
            out.append(Verdict(True, None, ("under the service-owned key",)))
        elif key is None or key.state != "Enabled":
            out.append(state_verdict(key) if key else Verdict(False, arn, ("no key",)))
        else:
            out.append(Verdict(True, arn, (f"key {arn} is Enabled",), ("R-KMS-04",)))
    return out


def build_fake_log(path: Path) -> Path:
    """A timeline with a key, a 5-minute association window, items written before, inside
    and after it, a disable and a deletion: the statuses change as time moves."""
    sim = Simulator(name="fake blobs: a window and a disable", default_principal="admin")
    sim.principal("admin", policy=ALLOW_ALL)
    sim.principal("reader")
    k1 = sim.call("kms:CreateKey", {"Description": "blobs"}, at="+0s").get("KeyMetadata.Arn")
    sim.call("kms:CreateAlias", {"AliasName": "alias/blobs", "TargetKeyId": k1}, at="+0s")
    sim.call("test:Put", {"Name": "app"}, at="+1m", label="before")
    sim.call("test:Associate", {"Name": "app", "KeyId": k1}, at="+2m")
    sim.call("test:Put", {"Name": "app"}, at="+3m", label="inside")
    sim.call("test:Put", {"Name": "app"}, at="+8m", label="after")
    sim.call("kms:DisableKey", {"KeyId": k1}, at="+10m")
    sim.call("kms:EnableKey", {"KeyId": k1}, at="+12m")
    sim.call("kms:ScheduleKeyDeletion", {"KeyId": k1, "PendingWindowInDays": 7}, at="+15m")
    sim.call("test:Put", {"Name": "other"}, at="+16m", label="plain")
    sim.save(path)
    sim.close()
    return path

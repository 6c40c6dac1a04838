"""Folds of the simulator's own operations (service ``sim``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from events.record import Event
from projections.iam.policy import parse_policy
from projections.model import Principal
from projections.world import World, folds


@folds("sim:PutPrincipal")
def _principal(world: World, event: Event) -> None:
    req = event.req
    policies = [parse_policy(p) for p in req.get("Policies", [])]
    world.principals[req["Arn"]] = Principal(req.get("Name", req["Arn"]), req["Arn"], policies)


@folds("sim:Label")
def _label(world: World, event: Event) -> None:
    seq = int(event.req["Event"])
    world.labels[event.req["Label"]] = seq
    item = world.items.get(seq)
    if item is not None:
        item.label = event.req["Label"]


@dataclass
class SavedValues:
    """The values a scenario saved (``save = { k1 = "KeyMetadata.Arn" }``), as its log's
    ``sim:SaveVariables`` events recorded them (A-SAVED-VALUES): name -> value, and the
    number of the event that recorded each."""

    values: dict[str, Any] = field(default_factory=dict)
    recorded_by: dict[str, int] = field(default_factory=dict)


def saved_values(world: World) -> dict[str, Any]:
    """The saved values ``world`` knows (name -> value); empty when none were recorded."""
    return dict(world.peek(SavedValues).values)


@folds("sim:SaveVariables")
def _save_variables(world: World, event: Event) -> None:
    state = world.state(SavedValues)
    for name, value in event.req["Variables"].items():
        state.values[name] = value
        state.recorded_by[name] = event.seq


@folds("sim:SetKeyUnavailable")
def _unavailable(world: World, event: Event) -> None:
    key = world.find_key(str(event.req["KeyId"]), event.account, event.region)
    assert key is not None
    key.was_enabled = key.state == "Enabled"
    world.key_event(key, "set_unavailable", event.t, event.seq, event.op)


@folds("sim:SetKeyAvailable")
def _available(world: World, event: Event) -> None:
    key = world.find_key(str(event.req["KeyId"]), event.account, event.region)
    assert key is not None
    world.key_event(key, "set_available", event.t, event.seq, event.op)

"""State machine tables for keys and associations, as data, each transition citing its rule.

One :class:`transitions.Machine` per table serves every key (or association) of every
world, through its public API only: :func:`fire` calls ``machine.events[trigger].trigger``
on a model that was never added (one Machine per object costs ~100 µs and tens of KB
each, transitions issues #146, #434, and ``add_model`` binds methods that a pickled copy
would have to rebuild). Only folding an event or firing a timer calls a trigger.
``kmsim rules --diagram`` draws these tables, and the rule a state change records is its
table row's (:func:`rule_of`, used by ``World.key_event`` and ``World.association_event``),
never one a fold names.
"""

from __future__ import annotations

from typing import Any

from transitions import Machine, MachineError

KEY_STATES = ["Enabled", "Disabled", "PendingImport", "PendingDeletion", "Unavailable", "Deleted",
              "Creating", "Updating", "PendingReplicaDeletion"]  # the last 3: multi-Region keys

#: The SPEC 3.1 table. ``conditions`` names a boolean attribute of the key model.
KEY_TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "import_material", "source": "PendingImport", "dest": "Enabled",
     "rule": "R-KMS-03"},
    {"trigger": "disable", "source": ["Enabled", "Disabled"], "dest": "Disabled",
     "rule": "R-KMS-05"},
    {"trigger": "enable", "source": ["Disabled", "Enabled"], "dest": "Enabled",
     "rule": "R-KMS-06"},
    {"trigger": "schedule_deletion",
     "source": ["Enabled", "Disabled", "PendingImport", "Unavailable"],
     "dest": "PendingDeletion", "rule": "R-KMS-07"},
    {"trigger": "cancel_deletion", "source": "PendingDeletion", "dest": "Disabled",
     "conditions": "has_material", "rule": "R-KMS-09"},
    {"trigger": "cancel_deletion", "source": "PendingDeletion", "dest": "PendingImport",
     "unless": "has_material", "rule": "R-KMS-50"},
    {"trigger": "delete", "source": "PendingDeletion", "dest": "Deleted", "rule": "R-KMS-10"},
    {"trigger": "set_unavailable", "source": ["Enabled", "Disabled"], "dest": "Unavailable",
     "rule": "R-KMS-11"},
    {"trigger": "set_available", "source": "Unavailable", "dest": "PendingImport",
     "unless": "has_material", "rule": "R-KMS-14"},
    {"trigger": "set_available", "source": "Unavailable", "dest": "Enabled",
     "conditions": "was_enabled", "rule": "R-KMS-11"},
    {"trigger": "set_available", "source": "Unavailable", "dest": "Disabled",
     "unless": "was_enabled", "rule": "R-KMS-11"},
    {"trigger": "expire_material", "source": ["Enabled", "Disabled"], "dest": "PendingImport",
     "rule": "R-KMS-14"},
    {"trigger": "delete_material", "source": ["Enabled", "Disabled"], "dest": "PendingImport",
     "rule": "R-KMS-15"},
    # EnableKey/DisableKey on an Unavailable key succeed and change no state (the fold
    # records which state it returns to)
    {"trigger": "enable", "source": "Unavailable", "dest": None, "rule": "R-KMS-STATE-10"},
    {"trigger": "disable", "source": "Unavailable", "dest": None, "rule": "R-KMS-STATE-10"},
    # multi-Region keys (projections/kms/multiregion.py)
    {"trigger": "replica_created", "source": "Creating", "dest": "Enabled",
     "conditions": "has_material", "rule": "R-KMS-MRK-05"},
    {"trigger": "replica_created", "source": "Creating", "dest": "PendingImport",
     "unless": "has_material", "rule": "R-KMS-MRK-05"},
    {"trigger": "begin_update", "source": ["Enabled", "Disabled"], "dest": "Updating",
     "rule": "R-KMS-MRK-07"},
    {"trigger": "end_update", "source": "Updating", "dest": "Enabled", "conditions": "was_enabled",
     "rule": "R-KMS-MRK-07"},
    {"trigger": "end_update", "source": "Updating", "dest": "Disabled", "unless": "was_enabled",
     "rule": "R-KMS-MRK-07"},
    {"trigger": "schedule_replica_deletion",
     "source": ["Enabled", "Disabled", "PendingImport", "Unavailable"],
     "dest": "PendingReplicaDeletion", "rule": "R-KMS-MRK-08"},
    {"trigger": "replicas_deleted", "source": "PendingReplicaDeletion", "dest": "PendingDeletion",
     "rule": "R-KMS-MRK-09"},
    {"trigger": "cancel_deletion", "source": "PendingReplicaDeletion", "dest": "Disabled",
     "conditions": "has_material", "rule": "R-KMS-MRK-10"},
    {"trigger": "cancel_deletion", "source": "PendingReplicaDeletion", "dest": "PendingImport",
     "unless": "has_material", "rule": "R-KMS-MRK-10"},
    # custom key stores (projections/kms/keystores.py)
    {"trigger": "store_disconnected", "source": ["Enabled", "Disabled"], "dest": "Unavailable",
     "rule": "R-KMS-CKS-10"},
    {"trigger": "store_connected", "source": "Unavailable", "dest": "Enabled",
     "conditions": "was_enabled", "rule": "R-KMS-CKS-11"},
    {"trigger": "store_connected", "source": "Unavailable", "dest": "Disabled",
     "unless": "was_enabled", "rule": "R-KMS-CKS-11"},
]

ASSOCIATION_STATES = ["none", "associating", "associated", "disassociating"]

#: Every association, of any kind, ends its window this way: R-WIN-01 (a timer fires it
#: when the window model's moment comes, or at once when that moment is the change's own).
_TAKE_EFFECT = [
    {"trigger": "take_effect", "source": "associating", "dest": "associated", "rule": "R-WIN-01"},
    {"trigger": "take_effect", "source": "disassociating", "dest": "none", "rule": "R-WIN-01"},
]
_ANY = ASSOCIATION_STATES
_CHANGING = ["associated", "associating", "disassociating"]

#: SPEC 5, one table per kind of association, each row citing the rule of the call that
#: makes the change. A change with no window (the dataset's associate, CreateLogGroup's
#: kmsKeyId by default) goes straight to ``associated``; one with a window passes through
#: ``associating``/``disassociating`` until ``take_effect``. A replace is another associate.
ASSOCIATION_TRANSITIONS: dict[str, list[dict[str, Any]]] = {
    "dataset": [
        {"trigger": "associate", "source": _ANY, "dest": "associated", "rule": "R-DS-01"},
        {"trigger": "replace", "source": _ANY, "dest": "associated", "rule": "R-DS-04"},
        {"trigger": "disassociate", "source": _CHANGING, "dest": "disassociating",
         "rule": "R-DS-20"},
        *_TAKE_EFFECT,
    ],
    "log-group": [
        {"trigger": "create", "source": "none", "dest": "associated", "rule": "R-LOGS-28"},
        {"trigger": "create_in_window", "source": "none", "dest": "associating",
         "rule": "R-LOGS-63"},
        {"trigger": "associate", "source": _ANY, "dest": "associating", "rule": "R-LOGS-14"},
        {"trigger": "disassociate", "source": _CHANGING, "dest": "disassociating",
         "rule": "R-LOGS-14"},
        *_TAKE_EFFECT,
        {"trigger": "drop", "source": _ANY, "dest": "none", "rule": "R-LOGS-29"},
    ],
    "query-result": [
        {"trigger": "associate", "source": _ANY, "dest": "associating", "rule": "R-LOGS-14"},
        {"trigger": "disassociate", "source": _CHANGING, "dest": "disassociating",
         "rule": "R-LOGS-14"},
        *_TAKE_EFFECT,
    ],
}


def _machine_transitions(table: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k != "rule"} for row in table]


def _machine(states: list[str], table: list[dict[str, Any]]) -> Machine:
    # model=None: no model is ever added. Triggers run through the public Event.trigger
    # (``fire``), so models stay plain data that pickle and copy without any binding.
    return Machine(model=None, states=states, transitions=_machine_transitions(table),
                   initial=None, auto_transitions=False, ignore_invalid_triggers=False)


#: One Machine per table, shared by every key (association) of every world: it holds no
#: model, so worlds, checkpoints and forks never build or re-bind one.
KEY_MACHINE = _machine(KEY_STATES, KEY_TRANSITIONS)
ASSOCIATION_MACHINES = {kind: _machine(ASSOCIATION_STATES, table)
                        for kind, table in ASSOCIATION_TRANSITIONS.items()}


def declare_association_kind(kind: str, table: list[dict[str, Any]]) -> None:
    """Add a kind of association with its table (an area outside this module, such as a
    test's fake one); the rows cite rules like the built-in tables do."""
    if kind in ASSOCIATION_TRANSITIONS:
        raise ValueError(f"association kind {kind!r} is already declared")
    ASSOCIATION_TRANSITIONS[kind] = table
    ASSOCIATION_MACHINES[kind] = _machine(ASSOCIATION_STATES, table)


def fire(machine: Machine, model: Any, trigger: str) -> str:
    """Fire ``trigger`` on ``model`` (its ``state`` attribute) and return the state before.

    ``MachineError`` when the trigger is not defined from the model's state.
    """
    before = model.state
    event = machine.events.get(trigger)
    if event is None:
        raise MachineError(f"{trigger!r} is not a trigger of this table")
    event.trigger(model)
    return before


def allowed_sources(table: list[dict[str, Any]], trigger: str) -> set[str]:
    """The states from which ``trigger`` is defined (the command side checks this)."""
    out: set[str] = set()
    for row in table:
        if row["trigger"] == trigger:
            src = row["source"]
            out.update([src] if isinstance(src, str) else src)
    return out


def rule_of(table: list[dict[str, Any]], trigger: str, source: str, dest: str) -> str:
    """The rule id of the transition ``source --trigger--> dest``."""
    for row in table:
        src = row["source"]
        srcs = [src] if isinstance(src, str) else src
        if row["trigger"] == trigger and source in srcs and row["dest"] == dest:
            return row["rule"]
    raise KeyError(f"no transition {source} --{trigger}--> {dest}")


def mermaid(table: list[dict[str, Any]], title: str) -> str:
    """A Mermaid state diagram of a table, each edge labelled with trigger and rule."""
    lines = ["stateDiagram-v2", f"    %% {title}"]
    for row in table:
        src = row["source"]
        for s in [src] if isinstance(src, str) else src:
            if s == row["dest"] and row["trigger"] not in ("disable", "enable"):
                continue
            guard = ""
            if "conditions" in row:
                guard = f" [{row['conditions']}]"
            elif "unless" in row:
                guard = f" [not {row['unless']}]"
            lines.append(f"    {s} --> {row['dest']}: {row['trigger']}{guard} ({row['rule']})")
    return "\n".join(lines)

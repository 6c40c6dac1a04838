"""State machine tables for keys and associations, as data, each transition citing its rule.

One :class:`transitions.Machine` per table serves every key (or association) of a
world: models are added with ``add_model`` because one Machine per object costs
~100 µs and tens of KB each (transitions issues #146, #434). Only folding an event
or firing a timer calls a trigger. ``kmsim rules --diagram`` draws these tables, and
the rule a key's state change records is the table's (:func:`rule_of`, used by
``World.key_event``), never one a fold names.
"""

from __future__ import annotations

from typing import Any

from transitions import Machine

KEY_STATES = ["Enabled", "Disabled", "PendingImport", "PendingDeletion", "Unavailable", "Deleted"]

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
]

ASSOCIATION_STATES = ["none", "associating", "associated", "disassociating"]

#: SPEC 5. A replace is associated -> associating -> associated.
ASSOCIATION_TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "begin_associate", "source": ASSOCIATION_STATES, "dest": "associating",
     "rule": "R-WIN-01"},
    {"trigger": "take_effect", "source": "associating", "dest": "associated", "rule": "R-WIN-01"},
    {"trigger": "begin_disassociate", "source": ["associated", "associating", "disassociating"],
     "dest": "disassociating", "rule": "R-WIN-01"},
    {"trigger": "take_effect", "source": "disassociating", "dest": "none", "rule": "R-WIN-01"},
    {"trigger": "drop", "source": ASSOCIATION_STATES, "dest": "none", "rule": "R-WIN-01"},
]


def _machine_transitions(table: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k != "rule"} for row in table]


def key_machine() -> Machine:
    """The Machine shared by every key of one world."""
    return Machine(model=None, states=KEY_STATES, transitions=_machine_transitions(KEY_TRANSITIONS),
                   initial=None, auto_transitions=False, ignore_invalid_triggers=False)


def association_machine() -> Machine:
    """The Machine shared by every association of one world."""
    return Machine(model=None, states=ASSOCIATION_STATES,
                   transitions=_machine_transitions(ASSOCIATION_TRANSITIONS), initial=None,
                   auto_transitions=False, ignore_invalid_triggers=False)


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

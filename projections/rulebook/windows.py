"""The window model shared by every "up to" window (A-PROPAGATION, SPEC 3.4)."""

from projections.rulebook.registry import SPEC, Assumption, Rule, declare, declare_assumptions

declare_assumptions(
    Assumption(
        id="A-PROPAGATION",
        statement=(
            "When, inside an 'up to' window (logs associate/disassociate 5m, dataset "
            "disassociation 3h), a change takes effect"
        ),
        default="uncertain",
        alternatives=("instant", "max", "fixed:", "random:"),
        meaning={
            "uncertain": "at any moment in the window: answers that depend on it are 'maybe'",
            "instant": "at the start of the window",
            "max": "at the end of the window",
            "fixed:DURATION": "DURATION after the start (capped at the window's end)",
            "random:SEED": "after a delay drawn within the window, recorded in the event",
        },
    ),
)

declare(
    Rule(
        "R-WIN-01",
        "A change inside an 'up to' window takes effect as the window model "
        "(A-PROPAGATION) says; under 'uncertain' both the old and the new state are possible "
        "until the window ends",
        "assumption A-PROPAGATION",
        assumption="A-PROPAGATION",
    ),
    Rule(
        "R-WIN-02",
        "An answer that depends on an uncertain change is 'maybe' unless every possibility "
        "gives the same answer",
        SPEC,
        quote="every answer that depends on it is `maybe` unless all possibilities give the "
        "same answer",
    ),
)

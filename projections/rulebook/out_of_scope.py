"""What kmsim answers for an operation of the KMS, CloudWatch Logs or CloudWatch models that it
does not simulate (deliveries, live tail, anomaly detection, transformers, ...).

AWS answers these operations normally, so the answer is kmsim's choice: A-OOS-ANSWER. An
operation no model has is R-SIM-03 (AWS's own answer to an operation a service lacks).
"""

from projections.rulebook.registry import Assumption, Rule, declare, declare_assumptions

declare(
    Rule("R-SRV-OOS-01", "An operation of botocore's kms, logs or cloudwatch model that kmsim "
         "does not simulate is refused with a message naming it and saying kmsim does not "
         "simulate it, with the code A-OOS-ANSWER gives; it is an event like any other and "
         "changes nothing", "assumption A-OOS-ANSWER", assumption="A-OOS-ANSWER"),
)

declare_assumptions(
    Assumption(
        id="A-OOS-ANSWER",
        statement="The error of an operation AWS has and kmsim does not simulate (AWS would "
        "answer it; kmsim must not pretend with an empty success)",
        default="unknown-operation",
        alternatives=("access-denied",),
        meaning={"unknown-operation": "UnknownOperationException (HTTP 400), the code AWS "
                 "gives an operation a service does not have (R-SIM-03)",
                 "access-denied": "AccessDeniedException, as if the caller were not allowed "
                 "the action: automation that tolerates a missing permission goes on"},
    ),
)

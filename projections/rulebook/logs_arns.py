"""CloudWatch Logs rules about the ARNs a request names (SPEC 3, seed 004).

Apart from ``logs.py`` so that the ARN rules can grow without touching the association
rules; registered in ``areas.py`` like every area.
"""

from projections.rulebook.registry import (
    SEED_004,
    Assumption,
    Rule,
    declare,
    declare_assumptions,
)

declare(
    Rule("R-LOGS-70", "A log group ARN in resourceIdentifier names a log group only when its "
         "partition (aws, as the documented format arn:aws:logs:REGION:ACCOUNT_ID:log-group:"
         "LOG_GROUP_NAME writes it), Region and account are the log group's own; an ARN of "
         "another partition names no resource, even with an existing log group's name: "
         "ResourceNotFoundException ('The specified resource does not exist.')", SEED_004,
         quote="The log group ARN must be in the following format. Replace REGION and "
         "ACCOUNT_ID with your Region and account ID. "
         "arn:aws:logs:REGION:ACCOUNT_ID:log-group:LOG_GROUP_NAME"),
)

# -- issue 9: what R-LOGS-17 and R-LOGS-37 used to say beyond their sources --------------
declare(
    Rule("R-LOGS-81", "A log group ARN of another Region, or of an account that is neither the "
         "caller's nor (for reads and queries) a source account linked to it, names no log "
         "group the caller may use: ResourceNotFoundException (not-found) or "
         "InvalidParameterException (invalid)", "assumption A-LOGS-FOREIGN-ARN",
         assumption="A-LOGS-FOREIGN-ARN"),
)

declare_assumptions(
    Assumption(
        id="A-LOGS-FOREIGN-ARN",
        statement="The error of a log group ARN of another Region or of an account the caller "
        "may not reach (seed 004 asks for 'your Region and account ID' and names no error; "
        "the reference's cross-account observability reaches linked source accounts only)",
        default="not-found", alternatives=("invalid",),
        meaning={"not-found": "ResourceNotFoundException: no log group the caller may use "
                 "has that ARN",
                 "invalid": "InvalidParameterException: the ARN is not one the caller may "
                 "give"},
    ),
)

"""The in-process testing mode's decisions, as rules (SPEC 12): ``sim.testing`` answers
botocore's requests with the server's own path (R-TEST-01), the pytest fixture starts a
fresh timeline per test (R-TEST-02), and what it does with the services it does not
simulate (R-TEST-03) and where a wall-clock timeline starts (R-TEST-04) are assumptions.

Declared here with every other area so that ``kmsim rules`` lists them.
"""

from projections.rulebook.registry import SPEC, Assumption, Rule, declare, declare_assumptions

declare(
    Rule("R-TEST-01", "simulated_aws routes the botocore clients of kms, logs and cloudwatch "
         "to an in-process simulator through the server's own codecs and handlers", SPEC,
         quote="routes the botocore clients of `kms`, `logs` and `cloudwatch` to an "
         "in-process simulator through the server's own codecs and handlers"),
    Rule("R-TEST-02", "The pytest plugin's fixture kmsim gives each test a fresh timeline",
         SPEC, quote="the pytest plugin's fixture `kmsim` gives each test a fresh timeline"),
    Rule("R-TEST-03", "While simulated_aws is active, a botocore call to a service kmsim does "
         "not simulate is refused with NotSimulated naming the service, or let through "
         "(A-TEST-OTHER-SERVICES, or simulated_aws's passthrough=)",
         "assumption A-TEST-OTHER-SERVICES", assumption="A-TEST-OTHER-SERVICES"),
    Rule("R-TEST-04", "simulated_aws(clock=\"wall\") without a start begins its timeline at "
         "the wall clock's time (A-TEST-WALL-START)", "assumption A-TEST-WALL-START",
         assumption="A-TEST-WALL-START"),
)

declare_assumptions(
    Assumption(
        id="A-TEST-OTHER-SERVICES",
        statement="What an in-process simulation does with a botocore call to a service it "
        "does not simulate (AWS has no such case: it is the test harness's choice)",
        default="refuse",
        alternatives=("passthrough",),
        meaning={"refuse": "raise sim.testing.NotSimulated naming the service, unless moto's "
                 "mock_aws is active (moto answers the other services) or simulated_aws's "
                 "passthrough= names it",
                 "passthrough": "let botocore send it on (to the network, or to whatever "
                 "else answers at before-send)"},
    ),
    Assumption(
        id="A-TEST-WALL-START",
        statement="Where a simulated_aws(clock=\"wall\") timeline starts when no start is "
        "given (the server's --clock wall starts at --start)",
        default="wall-now",
        alternatives=("default-start",),
        meaning={"wall-now": "at the wall clock's time (time.time, so a frozen freezegun "
                 "clock's): simulated now equals the wall clock until the test moves it",
                 "default-start": "at kmsim's default start, 2026-01-01T00:00:00Z, then "
                 "moving with the wall clock"},
    ),
)

"""Constants the tests share (no tests here): the account, Region and start time of every
simulated run, and the identity policy that allows everything.

One place, so that a test's account or start time cannot drift from its helpers'. The
area helpers (``logs_support``, ``dataset_support``, ``server_support``, ...) import these
and add their own key policies.
"""

from __future__ import annotations

import json

from events.timefmt import parse_rfc3339
from projections.machines import ASSOCIATION_TRANSITIONS, declare_association_kind

#: The account every test simulates, and a second one for cross-account cases.
ACCT = "111122223333"
OTHER = "444455556666"
REGION = "us-east-1"
#: The Simulator's default start; as milliseconds and as epoch seconds (CloudWatch's
#: data plane takes seconds).
START = "2026-01-01T00:00:00Z"
START_MS = parse_rfc3339(START)
START_S = START_MS // 1000
#: An identity policy allowing every action on every resource (the test admin's).
ALLOW_ALL = {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
#: The same policy as JSON text, for APIs that take a policy document as a string.
ALLOW_ALL_JSON = json.dumps(ALLOW_ALL)


def declare_test_association_kind() -> str:
    """Declare the association kind ``test`` of the tests' fake areas (once), with the
    query-result kind's changes each citing the window rule; returns the kind."""
    if "test" not in ASSOCIATION_TRANSITIONS:
        declare_association_kind("test", [
            {**row, "rule": "R-WIN-01"} for row in ASSOCIATION_TRANSITIONS["query-result"]])
    return "test"

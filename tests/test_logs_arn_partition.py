"""A log group ARN names a log group only when its partition, Region and account are the
log group's own (R-LOGS-70): the documented format is arn:aws:logs:REGION:ACCOUNT_ID:
log-group:LOG_GROUP_NAME, and kmsim's partition is aws. An ARN of another partition with
an existing log group's name names no resource of this one: ResourceNotFoundException,
as for another account or Region (R-LOGS-17), and the call changes nothing."""

from __future__ import annotations

import pytest
from logs_support import ACCT, call_ok, make_key, new_sim, snapshot

GROUP_ARN = f"arn:aws:logs:us-east-1:{ACCT}:log-group:app"


@pytest.fixture
def sim():
    s = new_sim()
    s.key = make_key(s)
    call_ok(s, "logs:CreateLogGroup", {"logGroupName": "app"}, "+0s")
    return s


@pytest.mark.parametrize("partition", ["aws-cn", "aws-us-gov", "aws-iso"])
@pytest.mark.parametrize("op", ["logs:AssociateKmsKey", "logs:DisassociateKmsKey"])
def test_another_partition_names_no_log_group(sim, op: str, partition: str) -> None:
    if op == "logs:DisassociateKmsKey":  # something to disassociate, through the right ARN
        call_ok(sim, "logs:AssociateKmsKey", {"resourceIdentifier": GROUP_ARN,
                                              "kmsKeyId": sim.key}, "+1m")
    before = snapshot(sim)
    rid = GROUP_ARN.replace("arn:aws:", f"arn:{partition}:", 1)
    args = {"resourceIdentifier": rid}
    if op == "logs:AssociateKmsKey":
        args["kmsKeyId"] = sim.key
    r = sim.call(op, args, at="+10m")
    assert (r.err, r.rule) == ("ResourceNotFoundException", "R-LOGS-70")
    assert partition in r.event.out["msg"]
    assert snapshot(sim) == before


def test_the_own_partition_still_names_it(sim) -> None:
    call_ok(sim, "logs:AssociateKmsKey", {"resourceIdentifier": GROUP_ARN,
                                          "kmsKeyId": sim.key}, "+1m")
    assert sim.world.associations[GROUP_ARN].key == sim.key
    call_ok(sim, "logs:DisassociateKmsKey", {"resourceIdentifier": GROUP_ARN}, "+10m")

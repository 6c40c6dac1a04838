"""Shared helpers of the CloudWatch Logs tests (no tests here): a simulator with an admin,
key policies that do or do not let CloudWatch Logs use a key, and a snapshot of the
logs state to prove that a rejected call changed nothing."""

from __future__ import annotations

import copy
import json

from support import ACCT, ALLOW_ALL, REGION, START
from support import OTHER as OTHER  # re-exported to the logs tests

from sim import Simulator


def logs_policy(account: str = ACCT, region: str = REGION, logs: bool = True,
                resource: str | None = None) -> str:
    """A key policy: the account root may do everything; with ``logs`` the logs principal
    may use the key for ``resource`` (default: every logs resource of the account)."""
    statements = [{"Sid": "root", "Effect": "Allow",
                   "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*",
                   "Resource": "*"}]
    if logs:
        statements.append({
            "Sid": "logs", "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.amazonaws.com"},
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                       "kms:Describe*"], "Resource": "*",
            "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                      resource or f"arn:aws:logs:{region}:{account}:*"}}})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def new_sim(propagation: str = "instant", **assumptions: str) -> Simulator:
    """A simulator with principal ``admin`` (allowed everything) as the default caller."""
    sim = Simulator(start=START, account=ACCT, region=REGION,
                    assumptions={"propagation": propagation, **assumptions},
                    default_principal="admin")
    sim.principal("admin", policy=ALLOW_ALL, at="+0s")
    return sim


def make_key(sim: Simulator, at: str = "+0s", **kwargs: object) -> str:
    """Create a key (logs allowed unless a Policy is given); returns its ARN."""
    args = {"Policy": logs_policy(), **kwargs}
    return sim.call("kms:CreateKey", args, at=at).get("KeyMetadata.Arn")


def put(sim: Simulator, at: str, label: str, group: str = "app", stream: str = "s",
        message: str = "hello", expect: str = "ok") -> None:
    """One PutLogEvents batch, labelled."""
    r = sim.call("logs:PutLogEvents", {"logGroupName": group, "logStreamName": stream,
                                       "logEvents": [{"message": message}]}, at=at, label=label)
    assert r.outcome == expect, r.event.out


def snapshot(sim: Simulator) -> tuple:
    """Everything a logs call could change: associations, items, logs state, faults."""
    w = sim.world
    assocs = {a: (x.state, x.key, x.pending, x.window, x.effective_at, len(x.history))
              for a, x in w.associations.items()}
    items = {s: (i.keys, i.gone, i.expires_at) for s, i in w.items.items()}
    return (assocs, items, copy.deepcopy(w.area_states), len(w.timers))


def call_ok(sim: Simulator, op: str, args: dict, at: str, **kw: object) -> dict:
    """Call and insist on success; returns the response."""
    r = sim.call(op, args, at=at, **kw)
    assert r.ok, r.event.out
    return r.res

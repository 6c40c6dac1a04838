"""Shared helpers of the CloudWatch dataset tests (no tests here): a simulator with an admin
and a reader, key policies that do or do not let CloudWatch use a key, direct handler
calls (to see HTTP statuses), and a snapshot proving a rejected call changed nothing."""

from __future__ import annotations

import copy
import json

import pytest
from support import ACCT, ALLOW_ALL, REGION, START
from support import OTHER as OTHER  # re-exported to the dataset tests

from projections.dataset.fold import dataset_of
from sim import Simulator
from sim.errors import AwsError
from sim.server.status import http_status
from sim.services import CallContext, Draws, lookup

DATASET = f"arn:aws:cloudwatch:{REGION}:{ACCT}:dataset/default"
CW_ACTIONS = ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt",
              "kms:ReEncrypt*"]


def cw_policy(actions: list[str] | None = None, deny: str | None = None) -> str:
    """A key policy: the account root may do everything; CloudWatch may do ``actions``
    (default: all five the seed lists); ``deny`` names a principal denied kms:Decrypt."""
    statements = [{"Sid": "root", "Effect": "Allow",
                   "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"}, "Action": "kms:*",
                   "Resource": "*"}]
    if actions is None:
        actions = CW_ACTIONS
    if actions:
        statements.append({"Sid": "cw", "Effect": "Allow",
                           "Principal": {"Service": "cloudwatch.amazonaws.com"},
                           "Action": actions, "Resource": "*"})
    if deny:
        statements.append({"Sid": "deny", "Effect": "Deny", "Principal": {"AWS": deny},
                           "Action": "kms:Decrypt", "Resource": "*"})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def new_sim(profile: str = "seed", **assumptions: str) -> Simulator:
    """A simulator with ``admin`` (may do everything) and ``reader`` (no identity policy)."""
    sim = Simulator(start=START, account=ACCT, region=REGION, profile=profile,
                    assumptions=assumptions)
    sim.principal("admin", policy=ALLOW_ALL)
    sim.principal("reader")
    return sim


def make_key(sim: Simulator, policy: str | None = None, at: str | None = None,
             **args: object) -> str:
    """Create a key as admin; returns its ARN."""
    req = dict(args)
    req["Policy"] = policy if policy is not None else cw_policy()
    result = sim.call("kms:CreateKey", req, at=at, as_="admin")
    assert result.ok, result.event.out
    return result.get("KeyMetadata.Arn")


def associate(sim: Simulator, key: str, at: str | None = None, as_: str = "admin",
              ident: str = "default"):
    """AssociateDatasetKmsKey."""
    return sim.call("cloudwatch:AssociateDatasetKmsKey",
                    {"DatasetIdentifier": ident, "KmsKeyArn": key}, at=at, as_=as_)


def disassociate(sim: Simulator, at: str | None = None, as_: str = "admin"):
    """DisassociateDatasetKmsKey."""
    return sim.call("cloudwatch:DisassociateDatasetKmsKey", {"DatasetIdentifier": "default"},
                    at=at, as_=as_)


def put(sim: Simulator, at: str, label: str, value: float = 1.0, name: str = "Orders",
        as_: str = "admin", **datum: object):
    """PutMetricData of one point, labelled."""
    point = {"MetricName": name, "Value": value, **datum}
    return sim.call("cloudwatch:PutMetricData", {"Namespace": "Shop", "MetricData": [point]},
                    at=at, as_=as_, label=label)


def get_dataset(sim: Simulator, at: str | None = None) -> dict:
    """GetDataset's response."""
    result = sim.call("cloudwatch:GetDataset", {"DatasetIdentifier": "default"}, at=at,
                      as_="admin")
    assert result.ok, result.event.out
    return result.res


def raises(sim: Simulator, op: str, req: dict, as_: str = "admin") -> AwsError:
    """Call a handler directly on the live world (nothing is recorded) and return its error,
    to see the HTTP status the event does not carry."""
    ctx = CallContext(sim.world, sim.now, sim.principal_arn(as_), ACCT, REGION,
                      Draws(0, 10_000), 10_000)
    with pytest.raises(AwsError) as info:
        lookup(op).handler(ctx, req)
    return info.value


def status_of(err: AwsError) -> int:
    """The HTTP status kmsim serve answers ``err`` with in CloudWatch (the one decision,
    sim/server/status.py; the error itself carries no status)."""
    return http_status("cloudwatch", err.code, {})


def snapshot(sim: Simulator) -> tuple:
    """Everything a dataset call could change."""
    w = sim.world
    assoc = w.associations.get(DATASET)
    state = None if assoc is None else (assoc.state, assoc.key, assoc.pending,
                                        list(assoc.history))
    return state, copy.deepcopy(dataset_of(w, DATASET)), sorted(w.items)

"""Decisions are made once: the handler that answers and the fold that applies an event call
the same function (projections/kms/decisions.py, projections/logs/decisions.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import logs_support as lg
from test_logs_query import QR_ARN, WHOLE_DAY

from events.timefmt import DAY

ROOT = Path(__file__).resolve().parent.parent
#: Facts the folds must take from a decision function, never recompute themselves.
DECIDED = {"ingest_keys", "query_sources", "query_groups", "parse_aws_timestamp",
           "PendingWindowInDays", "ExpirationModel", "key_arn"}


def test_the_deletion_date_answered_is_the_one_the_key_gets() -> None:
    sim = lg.new_sim()
    for at, args, days in (("+1m", {}, 30), ("+2m", {"PendingWindowInDays": 7}, 7)):
        key = lg.make_key(sim, at=at)
        r = sim.call("kms:ScheduleKeyDeletion", {"KeyId": key, **args}, at=at)
        deletion = sim.world.key_by_arn(key).deletion_date
        assert deletion == r.event.t + days * DAY
        assert round(r.get("DeletionDate") * 1000) == deletion


def test_a_group_named_twice_is_read_once_by_the_answer_and_the_results() -> None:
    sim = lg.new_sim()
    k1, k2 = lg.make_key(sim), lg.make_key(sim)
    lg.call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": k1}, "+1m")
    lg.call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"},
               "+1m")
    lg.call_ok(sim, "logs:AssociateKmsKey", {"resourceIdentifier": QR_ARN, "kmsKeyId": k2},
               "+1m")
    lg.put(sim, "+2m", "e1", message="one")
    r = sim.call("logs:StartQuery", {"logGroupNames": ["app", "app"], "queryString":
                                     "fields @message", **WHOLE_DAY}, at="+3m", label="q")
    assert r.ok, r.event.out
    out = lg.call_ok(sim, "logs:GetQueryResults", {"queryId": r.get("queryId")}, "+4m")
    assert [f["value"] for row in out["results"] for f in row if f["field"] == "@message"] \
        == ["one"]
    assert sim.world.item("q").extra["sources"] == [sim.world.item("e1").seq]


def test_folds_recompute_no_decided_fact() -> None:
    for area in ("kms", "logs"):
        path = ROOT / "projections" / area / "fold.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        used |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
        assert used & DECIDED == set(), path.name

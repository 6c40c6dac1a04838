"""A deleted log stream's events are gone for every reader (issue 13, part G2): Insights
queries started after DeleteLogStream do not read them (results stored before keep them,
A-LOGS-API-STORED-RESULTS), ``kmsim at`` answers them gone and ``kmsim explain`` names the
deleting event, a stream made again with the name is unaffected, a replay of the log
matches, and per-shape answers still equal per-item answers (tests/test_rollup.py)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, settings
from hypothesis.stateful import rule
from hypothesis.strategies import sampled_from
from logs_support import call_ok, new_sim
from scenario_support import run_cli
from test_rollup import GROUPS, SHORT, ShapedAnswers

from projections.logs.model import LogsState

WHOLE_DAY = {"startTime": 1_767_225_600, "endTime": 1_767_312_000}   # 2026-01-01 (seconds)


def put(sim, at, stream, message, label):
    """One PutLogEvents batch of one event, labelled."""
    r = sim.call("logs:PutLogEvents", {"logGroupName": "app", "logStreamName": stream,
                                       "logEvents": [{"message": message}]}, at=at, label=label)
    assert r.ok, r.event.out


def make_sim(**assumptions):
    """Group ``app`` with streams a and b, one batch each (a1, b1), then b2 in b."""
    sim = new_sim("instant", **assumptions)
    call_ok(sim, "logs:CreateLogGroup", {"logGroupName": "app"}, "+0s")
    for name in ("a", "b"):
        call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": name},
                "+1s")
    put(sim, "+1m", "a", "msg-a1", "a1")
    put(sim, "+2m", "b", "msg-b1", "b1")
    put(sim, "+3m", "b", "msg-b2", "b2")
    return sim


def query(sim, at):
    """StartQuery over app for the whole day; the queryId."""
    return call_ok(sim, "logs:StartQuery", {"logGroupName": "app", "queryString":
                                            "fields @message", **WHOLE_DAY}, at)["queryId"]


def messages(sim, qid, at):
    got = call_ok(sim, "logs:GetQueryResults", {"queryId": qid}, at)
    return sorted(f["value"] for r in got["results"] for f in r if f["field"] == "@message")


def delete_b(sim, at="+5m"):
    call_ok(sim, "logs:DeleteLogStream", {"logGroupName": "app", "logStreamName": "b"}, at)


def test_a_query_after_the_deletion_does_not_read_the_stream():
    sim = make_sim()
    before = query(sim, "+4m")
    delete_b(sim)
    after = query(sim, "+6m")
    assert messages(sim, after, "+7m") == ["msg-a1"]
    # the results stored before keep what the query found (A-LOGS-API-STORED-RESULTS kept)
    assert messages(sim, before, "+7m") == ["msg-a1", "msg-b1", "msg-b2"]
    world = sim.world
    stored = world.items[world.peek(LogsState).queries[after]]
    assert stored.extra["sources"] == [world.labels["a1"]]  # what the fold decided too


def test_stored_results_drop_deleted_events_under_the_alternative():
    sim = make_sim(logs_api_stored_results="dropped")
    before = query(sim, "+4m")
    delete_b(sim)
    assert messages(sim, before, "+7m") == ["msg-a1"]


def test_the_deleted_streams_items_are_gone_and_a_namesake_is_not():
    sim = make_sim()
    delete_b(sim)
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "b"}, "+6m")
    put(sim, "+7m", "b", "msg-b3", "b3")
    assert sim.decryptable("b1", at="+8m").status == "gone"
    assert sim.decryptable("b2", at="+8m").status == "gone"
    assert sim.decryptable("a1", at="+8m").status == "yes"
    assert sim.decryptable("b3", at="+8m").status == "yes"
    assert sim.decryptable("b1", at="+4m").status == "yes"  # before the deletion
    assert messages(sim, query(sim, "+9m"), "+9m") == ["msg-a1", "msg-b3"]


def test_kmsim_at_explain_and_replay_of_the_log(tmp_path):
    sim = make_sim()
    delete_b(sim)
    call_ok(sim, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "b"}, "+6m")
    put(sim, "+7m", "b", "msg-b3", "b3")
    deleting = next(e.seq for e in sim.events if e.op == "logs:DeleteLogStream")
    log = str(sim.save(tmp_path / "deleted.kmlog"))
    code, out, err = run_cli("at", log, "+8m", "--json")
    assert code == 0, err
    status = {i["label"]: i["status"] for i in json.loads(out)["items"] if i.get("label")}
    assert (status["a1"], status["b1"], status["b2"], status["b3"]) == (
        "yes", "gone", "gone", "yes")
    code, out, err = run_cli("explain", log, "b2", "--at", "+8m")
    assert code == 0, err
    assert "gone" in out.splitlines()[0]
    assert "R-LOGS-API-54" in out and f"#{deleting}" in out and "log stream b" in out
    code, out, err = run_cli("at", log, "+4m", "--json")  # before the deletion
    status = {i["label"]: i["status"] for i in json.loads(out)["items"] if i.get("label")}
    assert status["b1"] == "yes"
    code, out, err = run_cli("replay", log)
    assert code == 0 and "every outcome matches" in out, out + err


class ShapedAnswersDeletedStreams(ShapedAnswers):
    """tests/test_rollup.py's random timelines, with streams deleted and made again: per
    shape still equals per item (a deleted stream's batches are gone one by one)."""

    @rule(step=SHORT, group=GROUPS)
    def delete_stream(self, step: int, group: str) -> None:
        self.call(step, "logs:DeleteLogStream", {"logGroupName": group, "logStreamName": "s"})

    @rule(step=SHORT, group=GROUPS, stream=sampled_from(["s", "t"]))
    def create_stream(self, step: int, group: str, stream: str) -> None:
        self.call(step, "logs:CreateLogStream", {"logGroupName": group, "logStreamName": stream})

    @rule(step=SHORT, group=GROUPS)
    def put_other_stream(self, step: int, group: str) -> None:
        self.call(step, "logs:PutLogEvents", {"logGroupName": group, "logStreamName": "t",
                                              "logEvents": [{"message": "t"}]})


ShapedAnswersDeletedStreams.TestCase.settings = settings(
    max_examples=12, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TestShapedAnswersDeletedStreams = ShapedAnswersDeletedStreams.TestCase

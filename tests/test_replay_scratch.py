"""``kmsim replay`` keeps its recording on a scratch log (16 bytes per event in memory, no
checkpoints, nothing left behind), and what the handlers read back from earlier events
(GetLogEvents, query rows) comes from it; a policy decision is made once per policy object."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from events.logfile import read_log
from events.logindex import FileEvents
from projections.iam.policy import Request, evaluate
from sim.cli import main
from sim.replay import Replaying, replay
from sim.runner import run_file

#: Scenarios whose later calls read earlier events back (log messages, query results).
READERS = ["logs-propagation-window.toml", "logs-query-results-key.toml",
           "logs-cross-account-query.toml", "sre-rollup.toml"]


@pytest.mark.parametrize("name", READERS)
def test_a_replay_on_a_scratch_log_gives_what_one_in_memory_gives(name, tmp_path):
    """Same differences (none: the scenario replays clean), same final answers, and the
    replayed events are the scratch file's, not objects in memory."""
    log = tmp_path / "run.kmlog"
    sim = run_file(f"scenarios/{name}", log=str(log)).sim
    sim.close()
    header, events = read_log(str(log))
    _, in_memory = replay(events, header.profile, header.assumptions, header.start,
                          int(header.extra.get("seed", 0)))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with Replaying(iter(events), header.profile, header.assumptions, header.start,
                   int(header.extra.get("seed", 0)), scratch=str(scratch)) as run:
        differences = list(run)
        timeline = run.timeline
        assert isinstance(timeline.events, FileEvents)
        assert [e.seq for e in timeline.events] == [e.seq for e in events]
        assert [e.out for e in timeline.events] == [e.out for e in events]
        assert timeline.checkpoints == [(0, timeline.checkpoints[0][1])]  # the empty one
    assert differences == in_memory == []
    assert list(scratch.iterdir()) == []  # unlinked as soon as it was open


def test_the_replay_verb_records_on_a_scratch_log_and_leaves_nothing(tmp_path, monkeypatch):
    log = tmp_path / "run.kmlog"
    run_file("scenarios/logs-query-results-key.toml", log=str(log)).sim.close()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    seen: list[Replaying] = []

    class Watched(Replaying):
        def __iter__(self):
            seen.append(self)
            yield from super().__iter__()
            seen.append(type(self.timeline.events))  # what held the events at the end

    monkeypatch.setattr("sim.commands.replay.Replaying", Watched)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["replay", str(log)])
    assert code == 0 and "every outcome matches" in out.getvalue()
    assert seen[-1] is FileEvents  # offsets in memory, the events in the file
    assert list(scratch.iterdir()) == []


def test_a_policy_decision_is_made_once_per_policy_object():
    """A replay asks the same question a million times: the second time is remembered; a
    replaced policy (another object, even with equal text) is decided again."""
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
         "Action": "kms:GenerateDataKey", "Resource": "*"}]}
    req = Request("logs.us-east-1.amazonaws.com", "kms:GenerateDataKey", "arn:k",
                  {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:g"})
    first = evaluate(req, doc)
    assert first.allowed and evaluate(req, doc) is first
    other = Request(req.principal, "kms:Decrypt", req.resource, req.context)
    assert not evaluate(other, doc).allowed
    replaced = {**doc, "Statement": [{**doc["Statement"][0], "Effect": "Deny"}]}
    assert not evaluate(req, replaced).allowed
    again = evaluate(req, dict(doc))  # equal, but a new object: decided again
    assert again == first and again is not first
    assert evaluate(req, doc) is first
    text = evaluate(req, json.dumps(doc))  # text is parsed and decided each time
    assert text == first and evaluate(req, json.dumps(doc)) is not text


def test_scratch_replay_keeps_reporting_differences(tmp_path: Path):
    """A log whose recorded outcome the rules do not give still differs on a scratch log
    (and its replayed outcome, not the recorded one, is what later events see)."""
    sim = run_file("scenarios/quickstart.toml").sim
    events = list(sim.timeline.events)
    events[1] = replace(events[1], out={"ok": False, "err": "X", "msg": "m", "rule": "R-X"})
    with Replaying(iter(events), sim.profile, sim.settings, sim.start, sim.seed,
                   scratch=str(tmp_path)) as run:
        diffs = list(run)
        assert run.timeline.events[1].ok  # the replayed outcome is what was recorded
    assert [d.seq for d in diffs] == [events[1].seq]
    assert diffs[0].path == "outcome"

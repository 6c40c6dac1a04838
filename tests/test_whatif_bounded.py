"""``kmsim whatif`` in bounded memory: the fork and the comparison are made in one pass
(:func:`sim.whatif.fork_compared`), the fork's events on a scratch log, the answers kept as
numbers per item; it gives what forking and then comparing gives."""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

import pytest
from timetravel_support import test_kind  # noqa: F401

from events.logindex import FileEvents
from sim.cli import main
from sim.loading import load_timeline
from sim.runner import run_file
from sim.whatif import Recorded, compare, fork, fork_compared, parse_step, report_lines
from sim.whatif_answers import Side

pytestmark = pytest.mark.usefixtures("test_kind")

STEPS = ["kms:DisableKey KeyId=k1", "kms:ScheduleKeyDeletion KeyId=k1 PendingWindowInDays=7",
         "kms:CancelKeyDeletion KeyId=k1"]
SCENARIOS = ["quickstart.toml", "logs-propagation-window.toml", "sre-rollup.toml",
             "logs-query-results-key.toml"]


def _as_rows(changes):
    return [(c.t, c.seq, c.op, sorted(c.differences), dict(c.more)) for c in changes]


@pytest.mark.parametrize("name", SCENARIOS)
def test_one_pass_gives_what_fork_then_compare_gives(name, tmp_path):
    """On a log file (the scratch path) and in memory, at several moments and steps."""
    log = tmp_path / "run.kmlog"
    report = run_file(f"scenarios/{name}", log=str(log))
    report.sim.close()
    saved = {k: str(v) for s in report.steps for k, v in s.saved.items()}
    if "k1" not in saved:
        pytest.skip("no k1 to change")
    from_file = load_timeline(str(log)).timeline
    in_memory = run_file(f"scenarios/{name}").sim.timeline
    principal = f"arn:aws:iam::{report.sim.account}:root"
    for text in STEPS:
        steps = [parse_step(text, saved)]
        for at in sorted({from_file.start, *from_file.times[:: max(1, len(from_file.times)
                                                                   // 3)]}):
            old = fork(in_memory, at, steps, principal)
            want = _as_rows(compare(old, principal, saved))
            for timeline in (from_file, in_memory):
                f = fork_compared(Recorded.of(timeline), at, steps, principal, principal,
                                  saved, scratch=str(tmp_path))
                assert _as_rows(compare(f, principal, saved)) == want, (text, at)
                assert [(a.seq, b.seq, b.out) for a, b in f.changed_outcomes] == \
                    [(a.seq, b.seq, b.out) for a, b in old.changed_outcomes]
                assert report_lines(f, f.changes, saved) == report_lines(old, compare(
                    old, principal, saved), saved)
                if timeline is from_file:
                    assert isinstance(f.fork.events, FileEvents)
                    assert [e.seq for e in f.fork.events] == [e.seq for e in old.fork.events]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("kmsim-whatif-")]


def test_the_verb_forks_a_log_in_one_pass_and_leaves_nothing(tmp_path, monkeypatch):
    from bench_support import bench_log

    log = tmp_path / "bench.kmlog"
    bench_log().generate(str(log), 800, groups=5)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    made = []
    monkeypatch.setattr("sim.commands.whatif.fork_compared",
                        lambda *a, **k: made.append(fork_compared(*a, **k)) or made[-1])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["whatif", str(log), "--at", "+2s", "--step", "kms:DisableKey KeyId=k1"])
    assert code == 0 and "key k1: Enabled -> Disabled" in out.getvalue()
    assert isinstance(made[0].fork.events, FileEvents)
    assert list(scratch.iterdir()) == []


def test_a_side_keeps_numbers_per_item_not_objects(tmp_path: Path):
    """The answers of a world with many items cost a few bytes each (no dict per item)."""
    from bench_support import bench_log

    log = tmp_path / "bench.kmlog"
    bench_log().generate(str(log), 3000, groups=10)
    world = load_timeline(str(log)).timeline.live
    side = Side(world, "arn:aws:iam::111122223333:root", None, None)
    items = len(side.seqs)
    assert items > 2500
    assert len(side.entries) < 50  # keys and associations only
    assert len(side.resources) == 10 and len(side.keysets) < 5
    assert side.get(int(side.seqs[-1])) in ("yes", "no", "maybe", "gone")

"""The time-travel verbs on logs read from disk (issue 11): ``history`` and ``diff`` decode
only the events they need (counted at the one place a log's events are decoded again,
``events.logindex.check_batch``), and give what decoding every event gives; ``log verify``
shows progress on a terminal only; ``explain`` and ``timeline`` show times as the scenario
wrote them."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from bench_support import bench_log
from scenario_support import run_cli

import events.logindex as logindex
import events.verify as verify
from events.logfile import LogReader
from events.opscan import containing, outcomes
from events.timefmt import format_offset
from projections.timetravel.diff import briefs_between, count_events
from projections.timetravel.history import Target, entries
from sim import progress
from sim.commands.timetravel import open_log

ROOT = Path(__file__).resolve().parent.parent




@pytest.fixture(scope="module")
def bench(tmp_path_factory) -> Path:
    """A 3000-event benchmark log: 99% PutLogEvents over 10 log groups."""
    path = tmp_path_factory.mktemp("big") / "bench.kmlog"
    bench_log().generate(str(path), 3000, groups=10)
    return path


@pytest.fixture(scope="module")
def aliased(tmp_path_factory) -> Path:
    """The quickstart's log: a key with an alias, used by its alias."""
    path = tmp_path_factory.mktemp("quick") / "quick.kmlog"
    code, _, err = run_cli("run", str(ROOT / "scenarios" / "quickstart.toml"), "--log",
                           str(path))
    assert code == 0, err
    return path


class Decodes:
    """Counts the events decoded from a log's frames after it was read."""

    def __init__(self, monkeypatch) -> None:
        self.n = 0
        real = logindex.check_batch

        def counting(path, offsets, payloads, order):
            self.n += len(payloads)
            return real(path, offsets, payloads, order)

        monkeypatch.setattr(logindex, "check_batch", counting)


def _target(opened, ref: str) -> Target:
    tl = opened.timeline
    ref = opened.variables.get(ref, ref)
    return Target(ref, tl.live, opened.loaded.account, opened.loaded.region, tl.events)


@pytest.mark.parametrize("ref", ["logs:group-003", "k1", "cloudwatch:dataset",
                                 "arn:aws:iam::111122223333:root"])
def test_history_from_a_file_is_what_every_event_gives(bench: Path, ref: str) -> None:
    opened = open_log(str(bench))
    tl = opened.timeline
    every = entries(list(tl.events), tl.live, _target(opened, ref))
    assert entries(tl.events, tl.live, _target(opened, ref)) == every


@pytest.mark.parametrize("ref", ["alias/app", "k1", "arn:aws:iam::111122223333:role/Reader"])
def test_history_follows_aliases_in_a_file(aliased: Path, ref: str) -> None:
    opened = open_log(str(aliased))
    tl = opened.timeline
    every = entries(list(tl.events), tl.live, _target(opened, ref))
    assert every and entries(tl.events, tl.live, _target(opened, ref)) == every


def test_history_of_a_log_group_decodes_only_its_events(bench: Path, monkeypatch) -> None:
    opened = open_log(str(bench))
    tl = opened.timeline
    decodes = Decodes(monkeypatch)
    found = entries(tl.events, tl.live, _target(opened, "logs:group-003"))
    touching = [e for e in found if e.seq is not None]
    assert 20 < len(touching) < len(tl.times) // 5  # one group of ten
    # The versioned operations (kms:GenerateDataKey) are read too: none in this log.
    assert decodes.n == len(touching)


def test_history_cli_prints_the_group_and_decodes_little(bench: Path, monkeypatch) -> None:
    run_cli("at", str(bench), "#100")  # the sidecar is written: the second load reads no event
    decodes = Decodes(monkeypatch)
    code, out, _ = run_cli("history", str(bench), "--resource", "logs:group-003", "--json")
    assert code == 0
    rows = json.loads(out)
    assert rows and decodes.n <= len(rows)
    assert all(r["op"].startswith("logs:") for r in rows)


def test_containing_finds_every_event_naming_a_string(bench: Path) -> None:
    opened = open_log(str(bench))
    events = opened.timeline.events
    group = "group-007"
    named = [i for i, e in enumerate(events) if group in json.dumps(e.req)]
    assert named and containing(events, [group.encode()]) == named


def test_outcomes_read_without_decoding_match_the_events(bench: Path, monkeypatch) -> None:
    opened = open_log(str(bench))
    events = opened.timeline.events
    want = [(i, e.op, e.err, e.rule) for i, e in enumerate(events)]
    decodes = Decodes(monkeypatch)
    got = list(outcomes(events, 0, len(events)))
    assert got == want
    rejected = sum(1 for _, _, err, _ in want if err is not None)
    assert decodes.n == rejected < len(want) // 10  # only rejected calls are decoded


def test_diff_counts_without_decoding_accepted_events(bench: Path, monkeypatch) -> None:
    opened = open_log(str(bench))
    tl = opened.timeline
    lo, hi = 500, 2500
    every = count_events(tl.events[lo:hi], keep=5)
    decodes = Decodes(monkeypatch)
    assert count_events(briefs_between(tl.events, tl.times, lo, hi), keep=5) == every
    failed = sum(c["events"] for c in every[0] if c["outcome"] != "ok")
    assert decodes.n == failed


def test_diff_cli_decodes_only_rejected_events_in_between(bench: Path, monkeypatch) -> None:
    tl = open_log(str(bench)).timeline  # the sidecar is written
    t1, t2 = (format_offset(tl.times[n - 1], tl.start) for n in (500, 2500))
    between = tl.count_at(tl.times[2499]) - tl.count_at(tl.times[499])
    decodes = Decodes(monkeypatch)
    for when in (t1, t2):  # what the two answers decode (from their checkpoints)
        assert run_cli("at", str(bench), when)[0] == 0
    answers, decodes.n = decodes.n, 0
    code, out, _ = run_cli("diff", str(bench), t1, t2, "--json")
    assert code == 0
    doc = json.loads(out)
    assert len(doc["events"]) == between == sum(c["events"] for c in doc["event_counts"])
    failed = sum(c["events"] for c in doc["event_counts"] if c["outcome"] != "ok")
    assert decodes.n == answers + failed < 500


class Tty(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def _progress_env(monkeypatch):
    monkeypatch.delenv(progress.FORCE_ENV, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    progress.quiet(False)
    yield
    progress.quiet(False)


@pytest.mark.usefixtures("_progress_env")
def test_log_verify_shows_progress_on_a_terminal_only(bench: Path) -> None:
    code, out, err = run_cli("log", "verify", str(bench), err=Tty())
    assert code == 0 and "OK" in out
    assert "verifying bench.kmlog" in err
    code, out, err = run_cli("log", "verify", str(bench))  # not a terminal
    assert code == 0 and err == ""
    code, out, err = run_cli("--quiet", "log", "verify", str(bench), err=Tty())
    assert code == 0 and err == ""


@pytest.mark.usefixtures("_progress_env")
def test_log_verify_interrupted_exits_130(bench: Path, monkeypatch) -> None:
    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(verify, "check_batch", interrupted)
    code, out, err = run_cli("log", "verify", str(bench))
    assert code == 130 and "interrupted" in err and "OK" not in out


# -- times as the scenario wrote them -------------------------------------------------

CLOCK_SCENARIO = ROOT / "scenarios" / "lifecycle-imported-material.toml"


@pytest.fixture(scope="module")
def clock_log(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("clock") / "clock.kmlog"
    code, _, err = run_cli("run", str(CLOCK_SCENARIO), "--log", str(path))
    assert code == 0, err
    with LogReader(path) as reader:
        assert reader.header.extra["times"] == "clock"
    return path


OFFSET = re.compile(r"\+\d+[dhms]")
CLOCK = re.compile(r"2026-01-0\dT\d\d:\d\d:\d\d")


def test_explain_shows_clock_times_for_a_clock_scenario(clock_log: Path) -> None:
    code, out, _ = run_cli("explain", str(clock_log), "k1")
    assert code == 0
    head, *links = out.splitlines()
    # The headline: the clock time first, the offset after it in brackets.
    assert re.search(r"at 2026-01-04T00:00:00Z \(\+3d\)$", head)
    chain = "\n".join(links)
    assert CLOCK.search(chain) and not OFFSET.search(chain)


def test_explain_keeps_offsets_for_an_offset_scenario(aliased: Path) -> None:
    code, out, _ = run_cli("explain", str(aliased), "k1")
    assert code == 0
    head, *links = out.splitlines()
    assert re.search(r"at \+\d+\w* \(2026-01-\d\dT[\d:.]+Z\)$", head)
    assert OFFSET.search("\n".join(links)) and not CLOCK.search("\n".join(links))


def _page_data(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r"const D = (\{.*?\});\n", text, re.S).group(1))


def test_timeline_page_shows_clock_times_for_a_clock_scenario(clock_log: Path,
                                                             tmp_path: Path) -> None:
    page = tmp_path / "clock.html"
    code, out, _ = run_cli("timeline", str(clock_log), "-o", str(page))
    assert code == 0 and "opens at 2026-01-04T00:00:00Z" in out
    data = _page_data(page)
    assert data["timeHeads"] == ["time (UTC)", "offset"]
    for _t, _n, _x, label, other, where in data["moments"]:
        assert CLOCK.match(label) and OFFSET.match(other) and where.startswith(label)
    assert all(CLOCK.match(e[1]) and OFFSET.match(e[2]) for e in data["events"])
    text = page.read_text(encoding="utf-8")
    tips = re.findall(r'data-tip="([^"]*(?:from|Enabled|PendingImport)[^"]*)"', text)
    assert tips and all(not OFFSET.search(tip) for tip in tips)


def test_timeline_page_keeps_offsets_for_an_offset_scenario(aliased: Path,
                                                           tmp_path: Path) -> None:
    page = tmp_path / "offset.html"
    assert run_cli("timeline", str(aliased), "-o", str(page))[0] == 0
    data = _page_data(page)
    assert data["timeHeads"] == ["offset", "time (UTC)"]
    assert all(OFFSET.match(m[3]) and CLOCK.match(m[4]) for m in data["moments"])

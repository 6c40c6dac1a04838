"""``kmsim debug``: the time-travel prompt, driven through ``--commands`` (and once through
a real terminal with tmux, arrow keys and history included)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bench_support import bench_log as load_bench_log
from debug_fake import build_fake_log

from sim.cli import main
from sim.commands.debug import DebugShell, parse_call
from sim.debugger import Cursor, Session
from sim.loading import load_timeline

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = str(ROOT / "scenarios" / "quickstart.toml")


def _script(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "commands.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_commands_step_goto_back_show_the_cursor_and_the_changes(tmp_path, capsys) -> None:
    code = main(["debug", QUICKSTART, "--commands", _script(
        tmp_path, "# comments and blank lines are skipped", "", "step 3", "goto +5m", "state",
        "goto end", "back 2", "events")])
    out = capsys.readouterr().out
    assert code == 0
    assert "kmsim [#0 +0s 2026-01-01T00:00:00Z]> step 3" in out
    assert "kmsim [#3 +0s 2026-01-01T00:00:00Z]> goto +5m" in out
    assert "key k1: (new) -> Enabled  (R-KMS-01, #3)" in out or \
        "key alias/app: (new) -> Enabled  (R-KMS-01, #3)" in out
    assert "Disabled -> PendingDeletion  (R-KMS-07, #8)" in out
    assert "PendingDeletion    since #8" in out or "PendingDeletion   since #8" in out
    # the deletion is a timer, not an event, and the debugger says so
    assert "PendingDeletion -> Deleted  (R-KMS-10, timer +7d5m)" in out
    # the end is the values the scenario saved (A-SAVED-VALUES), an event like any other
    assert "kmsim [#11 +7d5m 2026-01-08T00:05:00Z]> back 2" in out
    assert "#11      +7d5m  root       sim:SaveVariables              ok" in out
    assert "undone:" in out
    assert "---- cursor #9 +6m 2026-01-01T00:06:00Z ----" in out


def test_bad_commands_are_one_line_errors_and_the_session_goes_on(tmp_path, capsys) -> None:
    bad = ["bogus", "stpe", "step x", "step -1", "goto", "goto +banana", "goto #99",
           "at --as nobody", "at --wat", "explain", "explain nothing", "diff",
           "diff +1m +2m +3m", "fork", "fork notacall", "fork 'kms:CreateKey {bad'",
           'fork "unclosed', "help nosuch", "as nobody", "back 1"]
    code = main(["debug", QUICKSTART, "--commands", _script(tmp_path, *bad, "goto end",
                                                             "step", "state")])
    out = capsys.readouterr().out.splitlines()
    assert code == 1  # a script with a failed command says so
    errors = [line for line in out if line.startswith("error: ")]
    assert len(errors) == len(bad) + 1  # + the step at the end of the timeline
    assert all("(hint: " in line for line in errors)
    assert "error: unknown command 'stpe'  (hint: did you mean step?)" in out
    assert not any("Traceback" in line or "internal error" in line for line in out)
    assert any(line.startswith("  k1 ") or line.startswith("  alias/app ") for line in out)


def test_commands_from_stdin(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "sim.cli", "debug", QUICKSTART,
                             "--commands", "-"], input="goto #8\nat --json\n", text=True,
                            capture_output=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout.split("at --json\n", 1)[1])
    assert doc["time"] == "2026-01-01T00:05:00Z"
    assert [k["state"] for k in doc["keys"]] == ["PendingDeletion"]


@pytest.fixture
def fake(tmp_path: Path) -> Session:
    return Session(load_timeline(str(build_fake_log(tmp_path / "fake.kmlog"))))


def test_items_and_windows_through_a_fake_item_kind(fake: Session) -> None:
    fake.move(fake.moment("+3m"))
    assert fake.cursor == Cursor(fake.start + 3 * 60_000, 9)
    state = "\n".join(fake.state_lines())
    assert "associating" in state and "takes effect: uncertain" in state
    # stepping over the window's end: the timer makes the association take effect
    lines = fake.move(fake.step())
    assert any("associating -> associated" in line and "timer +7m" in line for line in lines)
    assert any(line.startswith("  item after written to logs:app") for line in lines)
    lines = fake.move(fake.moment("+10m"))
    assert "  item inside: yes -> maybe  (R-KMS-04, R-KMS-05, R-WIN-02)" in lines
    assert "  item after: yes -> no  (R-KMS-04, R-KMS-05)" in lines
    doc = fake.answers_document(fake.cursor, fake.principal)
    assert {i["label"]: i["status"] for i in doc["items"]} == {
        "before": "yes", "inside": "maybe", "after": "no"}
    explained = "\n".join(fake.explain_lines("after"))
    assert "R-KMS-04" in explained and "#12" in explained


def test_fork_shows_what_changes(fake: Session) -> None:
    fake.cursor = fake.moment("+10m")
    shell = DebugShell(fake)
    op, args = parse_call("'kms:EnableKey KeyId=alias/blobs'",
                          {n: a for a, n in fake.keys.items()})
    assert op == "kms:EnableKey" and args["KeyId"].startswith("arn:aws:kms:")
    lines = fake.fork(op, args)
    text = "\n".join(lines)
    assert "-> ok" in text
    assert "item after: no -> yes" in text
    assert shell.run_script(["fork kms:EnableKey KeyId=alias/blobs", "state"]) == 0


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=20).stdout


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_real_terminal_arrow_keys_and_history(tmp_path: Path) -> None:
    session = f"kmsim-debug-{os.getpid()}"
    home = tmp_path / "home"
    home.mkdir()
    command = (f"cd {ROOT} && HOME={home} TERM=xterm {sys.executable} -m sim.cli debug "
               f"{QUICKSTART}")
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "50",
                    command], check=True, timeout=20)

    def wait_for(text: str) -> str:
        deadline = time.monotonic() + 30
        screen = ""
        while time.monotonic() < deadline:
            # scrollback included and trailing padding dropped, so no line is missed
            raw = _tmux("capture-pane", "-p", "-J", "-S", "-300", "-t", session)
            screen = "\n".join(line.rstrip() for line in raw.splitlines())
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared:\n{screen}")

    try:
        wait_for("kmsim [#0 +0s 2026-01-01T00:00:00Z]>")
        _tmux("send-keys", "-t", session, "goto +5m", "Enter")
        wait_for("kmsim [#8 +5m 2026-01-01T00:05:00Z]>")
        _tmux("send-keys", "-t", session, "step", "Enter")
        wait_for("kmsim [#9 +6m 2026-01-01T00:06:00Z]>")
        _tmux("send-keys", "-t", session, "bogus", "Enter")
        wait_for("error: unknown command 'bogus'")
        # Up three times recalls "goto +5m" from the history; Enter runs it again
        _tmux("send-keys", "-t", session, "Up", "Up", "Up", "Enter")
        screen = wait_for("]> goto +5m\nundone:")
        # the prompt after it may still be printing: wait until the screen ends with it
        deadline = time.monotonic() + 30
        while not screen.rstrip().endswith("kmsim [#8 +5m 2026-01-01T00:05:00Z]>"):
            assert time.monotonic() < deadline, f"the prompt never came back:\n{screen}"
            time.sleep(0.2)
            screen = wait_for("]> goto +5m\nundone:")
        _tmux("send-keys", "-t", session, "quit", "Enter")
        history = home / ".kmsim_history"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not history.exists():
            time.sleep(0.2)
        assert "goto +5m" in history.read_text(encoding="utf-8")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True,
                       timeout=20)


def test_fake_log_loads_with_items_and_a_window(tmp_path: Path) -> None:
    loaded = load_timeline(str(build_fake_log(tmp_path / "fake.kmlog")))
    world = loaded.timeline.world_at(loaded.timeline.end)
    assert [i.label for i in world.iter_items()] == ["before", "inside", "after", "plain"]
    inside = world.item("inside")
    assert inside is not None and len(inside.keys) == 2  # under either key: uncertain window


def test_history_is_replaced_whole_and_kept_when_the_write_fails(tmp_path: Path) -> None:
    from sim.commands.debug import _save_history

    history = tmp_path / ".kmsim_history"
    history.write_text("old\n", encoding="utf-8")

    class Failing:
        def write_history_file(self, path: str) -> None:
            Path(path).write_text("half", encoding="utf-8")
            raise OSError("disk full")

    class Working:
        def write_history_file(self, path: str) -> None:
            Path(path).write_text("goto +5m\n", encoding="utf-8")

    _save_history(Failing(), history)
    assert history.read_text(encoding="utf-8") == "old\n"
    assert list(tmp_path.iterdir()) == [history]  # the partial file is cleaned up
    _save_history(Working(), history)
    assert history.read_text(encoding="utf-8") == "goto +5m\n"


# -- long answers (issue 11): summaries and pages -----------------------------------------

@pytest.fixture(scope="module")
def bench_log(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("bench") / "bench.kmlog"
    load_bench_log().generate(str(path), 1500, groups=10)
    return str(path)


def test_goto_over_many_events_summarises_them(bench_log: str, tmp_path: Path, capsys) -> None:
    code = main(["debug", bench_log, "--commands", _script(tmp_path, "goto end", "state")])
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert code == 0
    assert len(lines) < 120  # not one line per event or item
    passed = next(line for line in lines if line.startswith("passed "))
    assert passed.startswith("passed 1,500 events (logs:PutLogEvents 1,")
    at = lines.index(passed)
    assert lines[at + 1] == "  the last 5:"
    assert lines[at + 6].startswith("#1500 ") and "sim:SaveVariables" in lines[at + 6]
    # the second key flips state often: one line with the count of each change
    assert any(line.startswith("  key k2: ") and "changes (Enabled -> Disabled " in line
               for line in lines)
    assert any(line.startswith("  items written: 1,") and "in 10 resources" in line
               for line in lines)
    # state: the first items, then the count per resource
    assert any("more; 1," in line and "items in 10 resources (--all lists every one)" in line
               for line in lines)


def test_long_answers_stop_at_a_page_and_more_goes_on(bench_log: str, tmp_path: Path,
                                                      capsys) -> None:
    code = main(["debug", bench_log, "--page", "5", "--commands", _script(
        tmp_path, "goto #3", "events all", "more 2", "more all", "more")])
    out = capsys.readouterr().out.splitlines()
    assert code == 1  # the last "more" had nothing left
    start = out.index("kmsim [#3 +0s 2026-01-01T00:00:00Z]> events all")
    page = out[start + 1:start + 7]
    assert page[0].startswith("  #1 ") and page[3] == "  ---- cursor #3 +0s " \
        "2026-01-01T00:00:00Z ----"
    assert page[5] == "-- 1,496 more lines: type more (the next page), more all (the rest), " \
        "or start kmsim debug with --all --"
    assert out[start + 7].endswith("> more 2")
    assert out[start + 8].startswith("  #5 ") and out[start + 9].startswith("  #6 ")
    assert out[start + 10].startswith("-- 1,494 more lines")
    rest_at = start + 11
    assert out[rest_at].endswith("> more all")
    end = out.index(next(line for line in out if line.endswith("> more")))
    assert end - rest_at - 1 == 1494 and out[end - 1].startswith("  #1500 ")
    assert out[end + 1].startswith("error: nothing more to show")


def test_all_never_cuts(bench_log: str, tmp_path: Path, capsys) -> None:
    code = main(["debug", bench_log, "--all", "--page", "5", "--commands",
                 _script(tmp_path, "events all")])
    out = capsys.readouterr().out.splitlines()
    assert code == 0 and len(out) == 1 + 1501 and not any(x.startswith("-- ") for x in out)
    code = main(["debug", bench_log, "--commands", _script(tmp_path, "goto end", "at",
                                                            "at --all", "more all")])
    out = capsys.readouterr().out
    short, every = out.split("> at --all\n")
    items = sum(1 for line in every.splitlines() if line.startswith("  #"))
    assert "(--all lists every one)" in short and items > 1000

"""Terminal output (sim/console.py), progress bars (sim/progress.py) and the CLI's global
behaviour: plain text with no ANSI codes when piped or with NO_COLOR, rich tables on a
terminal, progress only on a terminal and never after --quiet, --version, Ctrl-C as one line
and exit 130, and help and rule sources that name AWS pages rather than kmsim's own files."""

from __future__ import annotations

import argparse
import contextlib
import io
import re
from importlib.metadata import version

import pytest

from projections.rulebook import all_rules
from sim import cli, console, progress
from sim.cli import main
from sim.console import Column

ANSI = re.compile(r"\x1b\[")
QUICKSTART = "scenarios/quickstart.toml"


class Tty(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _no_colour_env(monkeypatch):
    """Each test decides the environment; none inherits the caller's."""
    for name in ("FORCE_COLOR", "NO_COLOR", progress.FORCE_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "160")
    progress.quiet(False)
    yield
    progress.quiet(False)


def run_cli(*argv: str, stdout: io.StringIO | None = None) -> tuple[int, str, str]:
    out, err = stdout or io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


ROWS = [("k1", "Enabled", "yes"), ("key-two", "Disabled", "no")]
COLUMNS = [Column("key"), Column("state", statuses=True), Column("status", statuses=True)]


# -- console ---------------------------------------------------------------------------------

def test_piped_table_is_plain_aligned_text(capsys):
    console.table(COLUMNS, ROWS)
    out = capsys.readouterr().out
    assert not ANSI.search(out)
    assert out.splitlines() == ["  key      state     status",
                                "  k1       Enabled   yes",
                                "  key-two  Disabled  no"]


def test_terminal_table_is_rich_and_coloured(monkeypatch):
    stream = Tty()
    monkeypatch.setattr("sys.stdout", stream)
    console.table(COLUMNS, ROWS, title="2 keys")
    out = stream.getvalue()
    assert ANSI.search(out)  # colour
    assert "─" in out  # a rich table's rule under the header
    assert "\x1b[32myes" in out or "\x1b[32m" in out  # yes is green


def test_no_color_on_a_terminal_is_plain(monkeypatch):
    stream = Tty()
    monkeypatch.setattr("sys.stdout", stream)
    monkeypatch.setenv("NO_COLOR", "1")
    console.table(COLUMNS, ROWS)
    console.heading("heading")
    console.echo(console.status_word("yes"))
    out = stream.getvalue()
    assert not ANSI.search(out) and "─" not in out
    assert out.splitlines()[-2:] == ["heading", "yes"]


def test_a_long_table_is_streamed_not_laid_out_whole(monkeypatch):
    stream = Tty()
    monkeypatch.setattr("sys.stdout", stream)
    monkeypatch.setattr(console, "RICH_ROWS", 5)
    taken = []

    def rows():
        for i in range(50):
            taken.append(i)
            yield (f"#{i}", "ok")

    console.table([Column("event"), Column("outcome", statuses=True)], rows())
    lines = stream.getvalue().splitlines()
    assert len(lines) == 51 and "─" not in stream.getvalue()  # header + rows, plain layout
    assert ANSI.search(lines[1])  # still coloured on a terminal
    assert taken == list(range(50))


def test_plain_lines_widths_come_from_the_first_rows():
    lines = list(console.plain_lines(["a", "b"], [("x", 1), ("longer", 2)], indent=0))
    assert lines == ["a       b", "x       1", "longer  2"]


def test_status_style_knows_error_codes_and_first_words():
    assert console.status_style("NotFoundException (R-KMS-13)") == "red"
    assert console.status_style("Deleted (R-KMS-10)") == console.STATUS_STYLES["Deleted"]
    assert console.status_style("#12") is None


# -- progress --------------------------------------------------------------------------------

def test_no_bar_when_stderr_is_not_a_terminal(capsys):
    with progress.progress(10_000, "loading") as bar:
        bar.advance(4096)
        bar.advance(4096)
    assert isinstance(bar, progress.NullBar) and bar.done == 8192
    assert capsys.readouterr().err == ""


def test_bar_on_a_terminal_and_none_after_quiet(monkeypatch):
    stream = Tty()
    monkeypatch.setattr("sys.stderr", stream)
    with progress.progress(10_000, "loading", unit="events") as bar:
        bar.advance(5000)
    assert isinstance(bar, progress.RichBar) and bar.done == 5000
    assert "loading" in stream.getvalue()
    progress.quiet(True)
    quiet_stream = Tty()
    monkeypatch.setattr("sys.stderr", quiet_stream)
    with progress.progress(10_000, "loading") as bar:
        bar.advance(5000)
    assert isinstance(bar, progress.NullBar) and quiet_stream.getvalue() == ""


def test_bar_is_removed_when_the_work_is_interrupted(monkeypatch):
    monkeypatch.setattr("sys.stderr", Tty())
    with pytest.raises(KeyboardInterrupt), progress.progress(None, "loading") as bar:
        bar.advance(1)
        raise KeyboardInterrupt


def test_quiet_flag_before_or_after_the_verb_silences_progress():
    for argv in (["--quiet", "rules", "--grep", "R-DS-01"], ["rules", "--grep", "R-DS-01", "-q"]):
        progress.quiet(False)
        code, out, _ = run_cli(*argv)
        assert code == 0 and "R-DS-01" in out and progress.is_quiet(), argv


# -- the CLI ---------------------------------------------------------------------------------

def test_version_comes_from_the_package_metadata(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"kmsim {version('kmsim')}"


def test_ctrl_c_is_one_line_and_exit_130(monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr("sim.commands.rules.run", interrupted)
    code, out, err = run_cli("rules")
    assert code == 130 and out == ""
    assert err == "kmsim: interrupted\n"  # one line, no traceback


def test_a_verb_that_does_not_import_is_an_internal_error(monkeypatch):
    def broken(name):
        raise ImportError("cannot import name 'x'")

    monkeypatch.setattr(cli.importlib, "import_module", broken)
    code, _, err = run_cli("rules")
    assert code == cli.EXIT_INTERNAL and "internal error: ImportError" in err
    assert "Traceback" not in err


def test_only_the_named_verb_is_imported():
    assert cli.verb_of(["--quiet", "at", "LOG", "+1h"]) == "at"
    assert cli.verb_of(["--help"]) is None and cli.verb_of(["nosuch"]) is None
    parser = cli.build_parser("rules")
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert list(sub.choices) == ["rules"]


def _every_parser() -> list[argparse.ArgumentParser]:
    parser = cli.build_parser()
    found, todo = [parser], [parser]
    while todo:
        for action in todo.pop()._actions:
            if isinstance(action, argparse._SubParsersAction):
                found += action.choices.values()
                todo += action.choices.values()
    return found


def test_help_texts_name_no_spec_section_or_seed_file():
    """A user has neither kmsim's SPEC nor its seed files."""
    for p in _every_parser():
        text = p.format_help()
        assert not re.search(r"\bSPEC\b|seed \d{3}|\bseeds?/|\.txt\b", text), (p.prog, text)


def test_rules_name_the_aws_page_not_the_seed_file():
    code, out, _ = run_cli("rules")
    assert code == 0
    assert not re.search(r"(?i:seed \d{3})|_[0-9a-f]{16}\.txt|\bSPEC\b", out)
    assert ("source: AWS CloudWatch API Reference, AssociateDatasetKmsKey <https://docs.aws."
            "amazon.com/AmazonCloudWatch/latest/APIReference/API_AssociateDatasetKmsKey.html>"
            ) in out
    assert "source: kmsim's design" in out
    code, out, _ = run_cli("rules", "--json")
    doc = __import__("json").loads(out)
    seeded = [r for r in doc["rules"] if r["source"].startswith("seed ")]
    assert seeded and all(r["page"].startswith(("AWS ", "Boto3 ")) for r in seeded)
    assert {r["id"] for r in doc["rules"]} == {r.id for r in all_rules()}


def test_rules_on_a_terminal_is_a_table(monkeypatch):
    code, out, _ = run_cli("rules", "--grep", "R-DS-01", stdout=Tty())
    assert code == 0 and ANSI.search(out) and "─" in out and "R-DS-01" in out


def test_history_piped_is_a_plain_table_with_a_header():
    code, out, _ = run_cli("history", QUICKSTART, "--resource", "k1")
    assert code == 0 and not ANSI.search(out)
    lines = out.splitlines()
    assert re.match(r"\d+ entries touching k1$", lines[0])
    assert lines[1].split() == ["event", "time", "caller", "operation", "outcome", "note"]
    assert re.match(r"  #3\s+\+0s\s+admin\s+kms:CreateKey\s+ok$", lines[2])


def test_log_verify_colours_its_verdict_on_a_terminal(tmp_path):
    log = tmp_path / "q.kmlog"
    assert run_cli("run", QUICKSTART, "--log", str(log))[0] == 0
    code, out, _ = run_cli("log", "verify", str(log))
    assert code == 0 and out.splitlines()[-1] == "  OK"
    code, out, _ = run_cli("log", "verify", str(log), stdout=Tty())
    assert code == 0 and ANSI.search(out.splitlines()[-1]) and "OK" in out

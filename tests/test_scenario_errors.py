"""Bad scenario input (SPEC 8, 9): exit 2 with ``file:line:`` and a ``hint:``, never a traceback."""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "scenarios" / "quickstart.toml"

# Line numbers matter: the tests below name them.
BASE = """\
[scenario]
name = "base"
start = "2026-01-01T00:00:00Z"
principal = "admin"

[principals.admin]
arn = "arn:aws:iam::111122223333:role/Admin"
policy = '''{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'''

[principals.reader]
arn = "arn:aws:iam::111122223333:role/Reader"

[[step]]
at = "+0s"
call = "kms:CreateKey"
save = { k1 = "KeyMetadata.Arn" }

[[step]]
at = "+1m"
call = "kms:DisableKey"
args = { KeyId = "${k1}" }

[[check]]
at = "+2m"
key_state = { k1 = "Disabled" }
"""


def variant(changes: dict[int, str | None]) -> str:
    """BASE with line N replaced (text may hold several lines; None deletes it)."""
    lines = BASE.splitlines()
    for number in sorted(changes, reverse=True):
        new = changes[number]
        if new is None:
            del lines[number - 1]
        else:
            lines[number - 1:number] = new.split("\n")
    return "\n".join(lines) + "\n"


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """Run ``kmsim`` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def bad_input(tmp_path: Path, text: str, line: int | None, *extra: str,
              contains: str = "") -> str:
    """Run the text as a scenario; assert exit 2 with ``file:line:`` and a hint."""
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    code, _, err = run_cli(["run", str(path), *extra])
    assert code == 2, err
    where = f"{path}:{line}: " if line else f"{path}: "
    assert where in err, err
    assert "\n  hint: " in err, err
    assert "Traceback" not in err
    assert contains in err, err
    return err


def test_base_scenario_passes(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(BASE, encoding="utf-8")
    assert run_cli(["run", str(path)])[0] == 0


def test_toml_syntax_error(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({20: 'call = "kms:DisableKey'}), 20,
              contains="TOML syntax error")


def test_unknown_top_level_key(tmp_path: Path) -> None:
    bad_input(tmp_path, "bogus = 1\n" + BASE, 1, contains="unknown key 'bogus' in the file")


def test_unknown_top_level_table(tmp_path: Path) -> None:
    bad_input(tmp_path, BASE + "\n[extra]\nx = 1\n", 1, contains="unknown key 'extra'")


def test_unknown_scenario_key(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({4: 'principal = "admin"\nnmae = "x"'}), 5,
              contains="did you mean 'name'")


def test_unknown_step_key(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({20: 'call = "kms:DisableKey"\nexpcet = "ok"'}), 21,
              contains="did you mean 'expect'")


def test_unknown_check_key(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({25: 'key_state = { k1 = "Disabled" }\ndecryptible = {}'}), 26,
              contains="did you mean 'decryptable'")


def test_unknown_call_with_did_you_mean(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({20: 'call = "kms:DisableKye"'}), 20,
              contains="did you mean 'kms:DisableKey'")


def test_bad_time(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({19: 'at = "5 minutes"'}), 19, contains="bad time")


def test_bad_duration(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({19: 'at = "+5 minutes"'}), 19, contains="bad duration")


def test_time_not_a_string(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({24: "at = 5"}), 24)


def test_time_beyond_the_calendar(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({19: 'at = "+1000000000000d"'}), 19)


def test_time_before_start(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({19: 'at = "2025-12-31T23:59:59Z"'}), 19,
              contains="before the scenario's start")


def test_event_number_on_a_step(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({19: 'at = "#2"'}), 19, contains="a step cannot run at #2")


def test_event_number_that_does_not_exist(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({24: 'at = "#99"'}), 23, contains="no event #99")


def test_non_ascii_event_number(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({24: 'at = "#\u00b2"'}), 24, contains="bad event reference")


def test_unknown_principal_in_as(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({20: 'call = "kms:DisableKey"\nas = "raeder"'}), 21,
              contains="did you mean 'reader'")


def test_unknown_principal_in_check(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({24: 'at = "+2m"\nas = "nobody"'}), 25,
              contains="unknown principal 'nobody'")


def test_unknown_default_principal(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({4: 'principal = "admn"'}), 4, contains="did you mean 'admin'")


def test_unknown_variable(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({21: 'args = { KeyId = "${k2}" }'}), 21,
              contains="unknown variable ${k2}")


def test_variable_saved_only_by_a_later_step(tmp_path: Path) -> None:
    err = bad_input(tmp_path, variant({14: 'at = "+5m"'}), 21, contains="unknown variable ${k1}")
    assert "saved by the step at line 13, which runs later" in err


def test_unknown_label_in_check(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({25: 'decryptable = { e1 = "yes" }'}), 25,
              contains="unknown label 'e1'")


def test_unknown_key_name_in_check(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({25: 'key_state = { k2 = "Disabled" }'}), 25,
              contains="unknown key 'k2'\n  hint: allowed: k1")


def test_bad_check_value(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({25: 'key_state = { k1 = "Disabeld" }'}), 25,
              contains="did you mean 'Disabled'")


def test_check_without_any_kind(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({25: None}), 23)


def test_unknown_assumption(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({4: 'principal = "admin"\n\n[assumptions]\nbogus = "x"'}), 7,
              contains="unknown assumption 'bogus'")


def test_bad_assumption_value(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({4: 'principal = "admin"\n\n[assumptions]\npropagation = "x"'}),
              7, contains="A-PROPAGATION")


def test_assumption_by_id_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(variant({4: 'principal = "admin"\n\n[assumptions]\nA-POLICY-LOCKOUT = "off"'}),
                    encoding="utf-8")
    assert run_cli(["run", str(path)])[0] == 0


@pytest.mark.parametrize("flag", [["--set", "bogus=1"], ["--set", "propagation=sometimes"],
                                  ["--set", "no-equals-sign"], ["--profile", "nope"]])
def test_bad_flags(tmp_path: Path, flag: list[str]) -> None:
    path = tmp_path / "s.toml"
    path.write_text(BASE, encoding="utf-8")
    code, out, err = run_cli(["run", str(path), *flag])
    assert code == 2
    assert "kmsim: error: " in err and "\n  hint: " in err
    assert out == ""


def test_unknown_profile_in_file(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({4: 'principal = "admin"\nprofile = "api-2099"'}), 5,
              contains="unknown profile 'api-2099'")


def test_missing_scenario_table(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({1: None, 2: None, 3: None, 4: None}), 1,
              contains="missing [scenario]")


def test_missing_name(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({2: None}), 1, contains="missing 'name'")


def test_missing_at_file(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({8: 'policy = "@policies/none.json"'}), 8,
              contains="cannot read @policies/none.json")


def test_missing_at_file_in_args(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({15: 'call = "kms:CreateKey"\nargs = { Policy = "@nope.json" }'}),
              16, contains="cannot read @nope.json")


def test_bad_principal_arn(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({11: 'arn = "bob"'}), 11, contains="not an IAM ARN")


def test_bad_principal_policy(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({8: 'policy = "{not json"'}), 8, contains="malformed policy")


def test_bad_region(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({20: 'call = "kms:DisableKey"\nregion = "mars"'}), 21,
              contains="not an AWS region")


def test_bad_account(tmp_path: Path) -> None:
    err = bad_input(tmp_path, variant({4: 'principal = "admin"\naccount = "12"'}), 5, "--quiet",
                    contains="12-digit")
    assert "account" in err


def test_duplicate_label(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({15: 'call = "kms:CreateKey"\nlabel = "x"',
                                 20: 'call = "kms:DisableKey"\nlabel = "x"'}), 22,
              contains="already used at line 13")


def test_missing_file() -> None:
    code, _, err = run_cli(["run", "/nonexistent/scenario.toml"])
    assert code == 2 and "/nonexistent/scenario.toml: cannot read scenario" in err


def test_bad_input_in_one_file_does_not_stop_the_others(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(BASE, encoding="utf-8")
    bad.write_text("bogus = 1\n" + BASE, encoding="utf-8")
    code, out, err = run_cli(["run", str(bad), str(good)])
    assert code == 2
    assert "PASSED: base" in out and f"{bad}:1: unknown key 'bogus'" in err
    assert "1 passed, 0 failed, 1 with bad input" in out


# -- no traceback, whatever the input ----------------------------------------------------

_SCRATCH = Path(tempfile.mkdtemp(prefix="kmsim-mutants-"))
shutil.copytree(ROOT / "scenarios" / "policies", _SCRATCH / "policies")
_LINES = QUICKSTART.read_text(encoding="utf-8").splitlines()

_VALUES = st.one_of(
    st.text(max_size=12),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789+-#:${}@/._ ", max_size=14)
    .map(lambda s: f'"{s}"'),
    st.sampled_from(['"+5m"', '"#1"', '"#0"', '"+1000000000000d"', '"${k1}"', '"${nope}"',
                     '"@nope.json"', '"alias/app"', "1", "-1", "true", "[]", "{}", "{ a = 1 }",
                     "2026-01-01T00:00:00Z", "2026-01-01", "12:00:00", "1.5", '"Enabled"',
                     '"arn:aws:kms:us-east-1:111122223333:key/x"', '"kms:EnableKey"',
                     '"sim:SetKeyUnavailable"', '"yes"', "[{ a = 1 }]", '""']),
)


@st.composite
def mutants(draw: st.DrawFn) -> str:
    """quickstart.toml with one to three lines deleted, duplicated or given another value."""
    lines = list(_LINES)
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["delete", "duplicate", "value"]))
        if how == "delete":
            del lines[i]
        elif how == "duplicate":
            lines.insert(i, lines[i])
        else:
            key, eq, _ = lines[i].partition("=")
            if eq:
                lines[i] = f"{key}= {draw(_VALUES)}"
            else:
                lines[i] = draw(_VALUES)
        if not lines:
            break
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(text=mutants(), json_out=st.booleans())
def test_mutated_scenarios_never_crash(text: str, json_out: bool) -> None:
    path = _SCRATCH / "mutant.toml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli(["run", *(["--json"] if json_out else []), str(path)])
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in out + err
    if code == 2:
        assert f"{path}" in err and "kmsim: error:" in err

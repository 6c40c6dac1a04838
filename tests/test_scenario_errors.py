"""Bad scenario input (SPEC 8, 9): exit 2 with ``file:line:`` and a ``hint:``, never a traceback."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_support import BASE, QUICKSTART, ROOT, bad_input, run_cli, step, toml, variant


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


def test_toml_error_at_end_of_document_names_the_last_line(tmp_path: Path) -> None:
    err = bad_input(tmp_path, BASE + 'label = """unclosed\n\n', 27, contains="end of document")
    assert "unclosed quote" in err
    bad_input(tmp_path, BASE + "x = [1, 2", 26, contains="end of document")


def test_scenario_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_bytes(variant({20: 'call = "kms:DisableKey" # caf\xe9'}).encode("latin-1"))
    code, _, err = run_cli(["run", str(path)])
    assert code == 2 and "Traceback" not in err
    assert f"{path}:20: cannot read scenario: not UTF-8 text: byte 0xe9 at line 20" in err
    assert "hint: save the file as UTF-8" in err


def test_lines_are_counted_as_toml_counts_them(tmp_path: Path) -> None:
    # U+2028 in a string is one TOML line; str.splitlines() would count two
    bad_input(tmp_path, variant({2: 'name = "a\u2028b"', 20: 'call = "kms:DisableKye"'}), 20,
              contains="did you mean 'kms:DisableKey'")


@pytest.mark.parametrize(("changes", "line", "contains"), [
    ({3: 'start = "9999-12-31T23:59:59Z"'}, 19, "at +1m is after the range of simulated time"),
    ({3: 'start = "9999-12-31T23:59:59.999Z"', 14: 'at = "+1ms"'}, 14, "after the range"),
    ({3: 'start = "1969-12-31T23:59:59Z"'}, 3, "before the range of simulated time"),
    ({3: "start = 1960-01-01T00:00:00Z"}, 3, "before the range"),
    ({19: 'at = "+99999999d"'}, 19, "bad duration"),
    ({24: 'at = "10000-01-01T00:00:00Z"'}, 24, "bad time"),
])
def test_times_outside_simulated_time(tmp_path: Path, changes: dict, line: int,
                                      contains: str) -> None:
    bad_input(tmp_path, variant(changes), line, contains=contains)


def test_the_edges_of_simulated_time_are_valid(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    for changes in ({24: "at = 9999-12-31T23:59:59.999Z"},
                    {3: 'start = "1970-01-01T00:00:00Z"'}):
        path.write_text(variant(changes), encoding="utf-8")
        assert run_cli(["run", str(path)])[0] == 0


# Appended to BASE: PutLogEvents's args are at line 40.
_LOGS = "\n" + toml(
    step("+2m", "logs:CreateLogGroup", 'args = { logGroupName = "g" }'),
    step("+2m", "logs:CreateLogStream", 'args = { logGroupName = "g", logStreamName = "s" }'),
    step("+3m", "logs:PutLogEvents", 'args = { logGroupName = "g", logStreamName = "s", '
         'logEvents = [{ message = "m", timestamp = TS }] }'))


@pytest.mark.parametrize(("ts", "contains"), [
    (str(10**30), "logEvents[0].timestamp = 1000000000000000000000000000000 does not fit in 64"),
    (str(2**63), "does not fit in 64 bits"),
    ("-1", "logEvents[0].timestamp = -1 is before the range of simulated time"),
    (str(10**16), "logEvents[0].timestamp = 10000000000000000 is after the range"),
])
def test_log_event_timestamps_outside_simulated_time(tmp_path: Path, ts: str,
                                                     contains: str) -> None:
    bad_input(tmp_path, BASE + _LOGS.replace("TS", ts), 40, "--log", str(tmp_path / "l.kmlog"),
              contains=contains)
    assert not (tmp_path / "l.kmlog").exists()


def test_log_event_timestamp_in_range_runs(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(BASE + _LOGS.replace("TS", "1767225780000"), encoding="utf-8")
    code, out, err = run_cli(["run", str(path), "--log", str(tmp_path / "l.kmlog")])
    assert code == 0, out + err


def test_metric_timestamp_outside_simulated_time(tmp_path: Path) -> None:
    step = ('\n[[step]]\nat = "+3m"\ncall = "cloudwatch:PutMetricData"\nargs = { Namespace = '
            '"N", MetricData = [{ MetricName = "M", Value = 1.0, Timestamp = TS }] }\n')
    for ts, contains in [("1e16", "MetricData[0].Timestamp = 1e+16 is after the range"),
                         ("inf", "MetricData[0].Timestamp = inf: it is not a number"),
                         ("0001-01-01T00:00:00Z", "MetricData[0].Timestamp = '0001-01-01T00:00"
                          ":00Z' is before the range")]:
        bad_input(tmp_path, BASE + step.replace("TS", ts), 30, contains=contains)


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

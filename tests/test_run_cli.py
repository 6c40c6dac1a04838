"""``kmsim run`` and ``kmsim rules`` (SPEC 9, a contract): exit codes, JSON, logs, flags."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest
from scenario_support import (
    ADMIN,
    AS_ADMIN,
    CREATE_KEY,
    QUICKSTART,
    ROOT,
    START,
    check,
    disable_key,
    head,
    run_cli,
    toml,
)

from events.logfile import LogReader
from projections.machines import ASSOCIATION_TRANSITIONS, KEY_TRANSITIONS
from projections.rulebook import all_assumptions, all_rules
from sim.cli import main
from sim.runner import run_file

SCRIPT = ROOT / "scenarios" / "lifecycle-script.py"

# Lines the tests name: 10 CreateKey, 15 DisableKey, 21 [[check]], 23 its key_state.
SCENARIO = toml(head("tiny", START, AS_ADMIN), ADMIN, CREATE_KEY, disable_key('expect = "EXPECT"'),
                check("+2m", 'key_state = { k1 = "STATE" }'))


def scenario(tmp_path: Path, name: str = "tiny.toml", expect: str = "ok",
             state: str = "Disabled") -> Path:
    """Write the tiny scenario with the given expectation and checked state."""
    path = tmp_path / name
    path.write_text(SCENARIO.replace("EXPECT", expect).replace("STATE", state),
                    encoding="utf-8")
    return path




# -- exit codes ---------------------------------------------------------------------------

def test_exit_0_when_everything_passes(tmp_path: Path) -> None:
    code, out, err = run_cli("run", str(scenario(tmp_path)))
    assert code == 0, err
    assert "PASSED: tiny: 2 steps (0 unexpected), 1 check (0 failed)" in out


def test_exit_1_on_a_failed_expectation(tmp_path: Path) -> None:
    code, out, _ = run_cli("run", str(scenario(tmp_path, expect="NotFoundException")))
    assert code == 1
    assert "FAILED: tiny: 2 steps (1 unexpected)" in out
    assert "expected NotFoundException, line 15" in out


def test_exit_1_on_a_failed_check(tmp_path: Path) -> None:
    code, out, _ = run_cli("run", str(scenario(tmp_path, state="Enabled")))
    assert code == 1
    flat = " ".join(out.split())
    assert "line 21: key_state k1: expected Enabled, got Disabled" in flat
    assert "(event #3, R-KMS-05)" in flat


def test_exit_2_on_bad_input(tmp_path: Path) -> None:
    code, out, err = run_cli("run", str(scenario(tmp_path, state="Off")))
    assert code == 2 and out == ""
    assert f"{tmp_path / 'tiny.toml'}:23: " in err


def test_no_arguments_is_bad_input() -> None:
    with pytest.raises(SystemExit) as exc, contextlib.redirect_stderr(io.StringIO()):
        main(["run"])
    assert exc.value.code == 2


def _crash(*_: object, **__: object) -> None:
    raise RuntimeError("boom\nsecond line")


def test_an_internal_error_exits_70_in_one_line(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KMSIM_TRACEBACK", raising=False)
    monkeypatch.setattr("sim.commands.run.run_file", _crash)
    code, out, err = run_cli("run", str(scenario(tmp_path)))
    assert out == ""
    assert code == 70  # never 0, 1 or 2: a kmsim bug is not a result
    assert "Traceback" not in err
    first, hint = err.splitlines()
    assert first.startswith("kmsim: internal error: RuntimeError: boom second line (at ")
    assert "--traceback" in hint and "KMSIM_TRACEBACK=1" in hint and "report" in hint


@pytest.mark.parametrize("how", ["before", "after", "env"])
def test_an_internal_error_shows_its_traceback_on_request(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    monkeypatch.setattr("sim.commands.run.run_file", _crash)
    argv = ["run", str(scenario(tmp_path))]
    if how == "env":
        monkeypatch.setenv("KMSIM_TRACEBACK", "1")
    else:
        argv.insert(0 if how == "before" else len(argv), "--traceback")
    code, _, err = run_cli(*argv)
    assert code == 70
    assert "Traceback (most recent call last)" in err and "_crash" in err
    assert "kmsim: internal error: RuntimeError: boom" in err


def test_help_documents_the_exit_codes() -> None:
    out = io.StringIO()
    with pytest.raises(SystemExit), contextlib.redirect_stdout(out):
        main(["--help"])
    text = " ".join(out.getvalue().split())
    for code in ("0 passed", "1 an expectation", "2 bad input", "70 an internal error"):
        assert code in text, text


# -- --json -----------------------------------------------------------------------------------

STEP_CONTRACT = ["line", "call", "outcome", "expected", "ok"]
CHECK_CONTRACT = ["line", "at", "passed", "failures"]


def test_json_document_keeps_spec_9_and_adds_what_scripts_need(tmp_path: Path) -> None:
    path = scenario(tmp_path, state="Enabled")
    code, out, _ = run_cli("run", "--json", str(path))
    assert code == 1
    doc = json.loads(out)
    assert list(doc) == ["scenarios"]
    [sc] = doc["scenarios"]
    assert set(sc) == {"file", "name", "passed", "steps", "checks"}
    assert sc["file"] == str(path) and sc["name"] == "tiny" and sc["passed"] is False
    steps = sc["steps"]
    # SPEC 9's members first, in its order, then the step's time, event, caller and rule
    assert all(list(s)[:5] == STEP_CONTRACT for s in steps)
    assert [{k: s[k] for k in STEP_CONTRACT} for s in steps] == [
        {"line": 10, "call": "kms:CreateKey", "outcome": "ok", "expected": "ok", "ok": True},
        {"line": 15, "call": "kms:DisableKey", "outcome": "ok", "expected": "ok", "ok": True},
    ]
    create, disable = steps
    assert create["time"] == "2026-01-01T00:00:00Z" and create["at"] == "+0s"
    assert disable["time"] == "2026-01-01T00:01:00Z" and disable["at"] == "+1m"
    assert [s["event"] for s in steps] == [2, 3]  # #1 declares the principal
    assert {s["caller"] for s in steps} == {"arn:aws:iam::111122223333:role/Admin"}
    assert create["saved"]["k1"].startswith("arn:aws:kms:") and create["rule"] is None
    [check] = sc["checks"]
    assert list(check)[:4] == CHECK_CONTRACT
    assert check["line"] == 21 and check["at"] == "+2m" and check["passed"] is False
    assert check["time"] == "2026-01-01T00:02:00Z"
    assert len(check["failures"]) == 1
    assert check["failures"][0].startswith("key_state k1: expected Enabled, got Disabled")


def test_json_of_several_files_including_a_script(tmp_path: Path) -> None:
    code, out, _ = run_cli("run", "--json", str(QUICKSTART), str(SCRIPT))
    assert code == 0
    docs = json.loads(out)["scenarios"]
    assert [d["file"] for d in docs] == [str(QUICKSTART), str(SCRIPT)]
    assert all(d["passed"] for d in docs)
    denied = docs[0]["steps"][2]
    assert {k: denied[k] for k in STEP_CONTRACT} == {
        "line": 31, "call": "kms:DisableKey", "outcome": "AccessDeniedException",
        "expected": "AccessDeniedException", "ok": True}
    # the refusal's rule and caller, for a script that reports it
    assert denied["rule"] == "R-KMS-19" and denied["caller"].endswith(":role/Reader")
    assert denied["event"] == 5 and "not authorized" in denied["message"]
    assert all(s["line"] is None for s in docs[1]["steps"])  # a script has no TOML lines
    assert all(s["event"] and s["time"] for s in docs[1]["steps"])


def test_json_with_bad_input_reports_the_bad_file_and_the_good_ones(tmp_path: Path) -> None:
    good = scenario(tmp_path)
    bad = scenario(tmp_path, "bad.toml", state="Off")
    missing = tmp_path / "missing.toml"
    code, out, err = run_cli("run", "--json", str(bad), str(missing), str(good))
    assert code == 2
    docs = json.loads(out)["scenarios"]
    assert [d["file"] for d in docs] == [str(bad), str(missing), str(good)]
    assert [d["name"] for d in docs] == [None, None, "tiny"]
    assert [d["passed"] for d in docs] == [False, False, True]
    first, second, _ = docs
    assert first["steps"] == [] and first["checks"] == []
    assert first["error"]["line"] == 23 and first["error"]["file"] == str(bad)
    assert "Off" in first["error"]["message"] and first["error"]["hint"]
    assert "cannot read" in second["error"]["message"]
    assert f"{bad}:23:" in err  # and still said on stderr


# -- --log ------------------------------------------------------------------------------------

def _events(path: Path) -> tuple[dict, list[dict]]:
    with LogReader(path) as reader:
        return reader.header.to_dict(), [e.to_dict() for e in reader]


def test_log_holds_the_runs_events(tmp_path: Path) -> None:
    out = tmp_path / "run.kmlog"
    code, _, _ = run_cli("run", "--log", str(out), str(QUICKSTART))
    assert code == 0
    header, events = _events(out)
    in_memory = run_file(QUICKSTART).sim
    assert events == [e.to_dict() for e in in_memory.events]
    assert header["profile"] == "seed" and header["start"] == in_memory.start
    assert [e["op"] for e in events][:3] == ["sim:PutPrincipal", "sim:PutPrincipal",
                                            "kms:CreateKey"]
    # a rerun replaces the log rather than appending to it
    assert run_cli("run", "--log", str(out), str(QUICKSTART))[0] == 0
    assert _events(out)[1] == events


def test_log_of_several_files_is_a_directory(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    code, _, _ = run_cli("run", "--log", str(folder), str(QUICKSTART), str(SCRIPT))
    assert code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["lifecycle-script.kmlog",
                                                        "quickstart.kmlog"]
    _, events = _events(folder / "lifecycle-script.kmlog")
    assert len(events) == len(run_file(SCRIPT).sim.events)


def test_log_records_profile_and_set(tmp_path: Path) -> None:
    out = tmp_path / "run.kmlog"
    code, _, err = run_cli("run", "--log", str(out), "--profile", "api-2026",
                           "--set", "propagation=instant", "--set", "A-POLICY-LOCKOUT=off",
                           str(scenario(tmp_path)))
    assert code == 0, err
    header, _ = _events(out)
    assert header["profile"] == "api-2026"
    assert header["assumptions"]["propagation"] == "instant"
    assert header["assumptions"]["policy_lockout"] == "off"


def test_set_changes_the_outcome(tmp_path: Path) -> None:
    path = tmp_path / "lockout.toml"
    path.write_text(SCENARIO.replace("EXPECT", "ok").replace("STATE", "Disabled") + """
[[step]]
at = "+3m"
call = "kms:PutKeyPolicy"
args = { KeyId = "${k1}", Policy = '@reader-only.json' }
expect = "MalformedPolicyDocumentException"
""", encoding="utf-8")
    (tmp_path / "reader-only.json").write_text(json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Reader"},
            "Action": "kms:Decrypt", "Resource": "*"}]}), encoding="utf-8")
    assert run_cli("run", str(path))[0] == 0
    code, out, _ = run_cli("run", "--set", "policy_lockout=off", str(path))
    assert code == 1
    assert "expected MalformedPolicyDocumentException" in out


def test_profile_in_output(tmp_path: Path) -> None:
    code, out, _ = run_cli("run", "--profile", "api-2026", str(scenario(tmp_path)))
    assert code == 0 and "profile api-2026" in out


def test_several_files_summary(tmp_path: Path) -> None:
    good = scenario(tmp_path)
    failing = scenario(tmp_path, "failing.toml", state="Enabled")
    code, out, _ = run_cli("run", "-q", str(good), str(failing))
    assert code == 1
    assert out.strip().splitlines()[-1] == "1 passed, 1 failed"


# -- scenario scripts -------------------------------------------------------------------------

def test_script_runs_through_kmsim_run() -> None:
    code, out, err = run_cli("run", str(SCRIPT))
    assert code == 0, err
    assert "PASSED: Lifecycle script" in out
    report = run_file(SCRIPT)
    assert report.passed and len(report.steps) >= 10 and len(report.checks) >= 5
    outcomes = {s.outcome for s in report.steps}
    assert {"ok", "ValidationException", "NotFoundException"} <= outcomes


def test_script_errors_are_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_text("SCENARIO = {}\n\ndef run(scenario):\n    scenario.step('kms:CreateKey',"
                    " at='+1m')\n    scenario.step('kms:CreateKey', at='+0s')\n",
                    encoding="utf-8")
    code, _, err = run_cli("run", str(path))
    assert code == 2
    assert f"{path}:5: ValueError: time goes only forward" in err and "hint:" in err
    path.write_text("SCENARIO = {'nmae': 'x'}\ndef run(scenario):\n    pass\n", encoding="utf-8")
    code, _, err = run_cli("run", str(path))
    assert code == 2 and "unknown SCENARIO key 'nmae'" in err
    path.write_text("def run(:\n", encoding="utf-8")
    code, _, err = run_cli("run", str(path))
    assert code == 2 and f"{path}:1: Python syntax error" in err


def test_script_check_failure_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "check.py"
    path.write_text("def run(scenario):\n"
                    "    scenario.sim.principal('admin', policy={'Version': '2012-10-17', "
                    "'Statement': [{'Effect': 'Allow', 'Action': '*', 'Resource': '*'}]})\n"
                    "    scenario.step('kms:CreateKey', at='+0s', as_='admin', "
                    "save={'k': 'KeyMetadata.Arn'})\n"
                    "    scenario.check('+1m', key_state={'k': 'Disabled'})\n",
                    encoding="utf-8")
    code, out, _ = run_cli("run", str(path))
    assert code == 1 and "key_state k: expected Disabled, got Enabled" in out


# -- kmsim rules ----------------------------------------------------------------------------

def test_rules_lists_every_rule_and_assumption() -> None:
    code, out, _ = run_cli("rules")
    assert code == 0
    for rule in all_rules():
        assert re.search(rf"^  {re.escape(rule.id)}\s", out, re.M), rule.id
    for a in all_assumptions():
        assert a.id in out and f"{a.name} = {a.default}" in out
    for rid in ("R-KMS-01", "R-KMS-10", "R-KMS-22", "R-IAM-01", "R-SIM-03", "R-WIN-01"):
        assert rid in out
    assert "A-POLICY-LOCKOUT" in out and "A-PROPAGATION" in out
    assert "api-2026" in out


def test_rules_json() -> None:
    code, out, _ = run_cli("rules", "--json")
    assert code == 0
    doc = json.loads(out)
    assert [r["id"] for r in doc["rules"]] == [r.id for r in all_rules()]
    assert {a["id"] for a in doc["assumptions"]} == {a.id for a in all_assumptions()}
    lockout = next(a for a in doc["assumptions"] if a["id"] == "A-POLICY-LOCKOUT")
    assert lockout["name"] == "policy_lockout" and lockout["default"] == "check"
    assert lockout["alternatives"] == ["off"]
    r22 = next(r for r in doc["rules"] if r["id"] == "R-KMS-22")
    assert r22["assumption"] == "A-POLICY-LOCKOUT"
    assert set(doc["profiles"]) == {"seed", "api-2026"}
    for r in doc["rules"]:
        assert r["statement"] and r["source"]


def test_rules_grep() -> None:
    code, out, _ = run_cli("rules", "--grep", "PendingWindowInDays")
    assert code == 0
    ids = re.findall(r"^  (R-[A-Z-]+\d+)", out, re.M)
    assert "R-KMS-08" in ids and "R-IAM-01" not in ids


def test_rules_diagram() -> None:
    code, out, _ = run_cli("rules", "--diagram")
    assert code == 0
    assert out.count("stateDiagram-v2") == 1 + len(ASSOCIATION_TRANSITIONS)  # a key, each kind
    assert "PendingDeletion --> Deleted: delete (R-KMS-10)" in out
    assert "PendingDeletion --> Disabled: cancel_deletion [has_material] (R-KMS-09)" in out
    assert "Unavailable --> Enabled: set_available [was_enabled] (R-KMS-11)" in out
    for row in KEY_TRANSITIONS + [r for table in ASSOCIATION_TRANSITIONS.values() for r in table]:
        assert f"--> {row['dest']}: {row['trigger']}" in out
        assert f"({row['rule']})" in out

"""A log answers like the scenario it came from (issue 11): the values its steps saved
(``k1``), its default principal and the way it wrote times are in the log, so every verb
names and resolves them alike on the scenario and on its log; and a what-if step that is
refused says so and exits 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scenario_support import ADMIN, AS_ADMIN, CREATE_KEY, READER, START, head, run_cli, step, toml

from events.logfile import LogReader
from sim.loading import load_timeline
from sim.simulator import Simulator

# A key with no alias: only the saved name k1 can name it. Event numbers: #1 #2 the
# principals, #3 CreateKey (saves k1), #4 DisableKey, #5 ScheduleKeyDeletion; then the
# saved values (A-SAVED-VALUES end: #6).
NAMED = toml(head("named", START, AS_ADMIN), ADMIN, READER, CREATE_KEY,
             step("+1m", "kms:DisableKey", 'args = { KeyId = "${k1}" }'),
             step("+2m", "kms:ScheduleKeyDeletion",
                  'args = { KeyId = "${k1}", PendingWindowInDays = 7 }'))
CLOCK = NAMED.replace('at = "+1m"', 'at = "2026-01-01T00:01:00Z"')




def record(tmp_path: Path, text: str = NAMED, *flags: str) -> tuple[Path, Path]:
    """Write the scenario, run it with --log; (scenario, log)."""
    sc, log = tmp_path / "named.toml", tmp_path / "named.kmlog"
    sc.write_text(text, encoding="utf-8")
    code, _, err = run_cli("run", str(sc), "--log", str(log), *flags)
    assert code == 0, err
    return sc, log


def events(log: Path) -> list:
    with LogReader(log) as reader:
        return list(reader)


def test_the_log_holds_the_saved_values_after_the_last_step(tmp_path: Path) -> None:
    _, log = record(tmp_path)
    evs = events(log)
    assert [e.op for e in evs][2:] == ["kms:CreateKey", "kms:DisableKey",
                                      "kms:ScheduleKeyDeletion", "sim:SaveVariables"]
    last = evs[-1]
    assert last.seq == 6 and last.ok and last.t == evs[-2].t
    assert last.req == {"Variables": {"k1": evs[2].res["KeyMetadata"]["Arn"]}}
    with LogReader(log) as reader:
        assert reader.header.extra["principal"] == "admin"
        assert reader.header.extra["times"] == "offset"


def test_at_on_the_log_names_keys_and_principals_as_on_the_scenario(tmp_path: Path) -> None:
    sc, log = record(tmp_path)
    docs = []
    for source in (sc, log):
        code, out, err = run_cli("at", str(source), "+3m", "--json")
        assert code == 0, err
        docs.append(json.loads(out))
    from_scenario, from_log = docs
    assert from_log["keys"] == from_scenario["keys"]
    assert [k["name"] for k in from_log["keys"]] == ["k1"]  # not the key id
    assert from_log["principal"] == "arn:aws:iam::111122223333:role/Admin"  # the default
    code, out, _ = run_cli("at", str(log), "+3m", "--json", "--as", "reader")
    assert code == 0 and json.loads(out)["principal"].endswith(":role/Reader")
    code, out, _ = run_cli("at", str(log), "+3m")
    assert code == 0 and "  k1 " in out and "PendingDeletion" in out


def test_whatif_takes_saved_names_on_logs_and_scenarios_alike(tmp_path: Path) -> None:
    sc, log = record(tmp_path)
    outs = []
    for source in (sc, log):
        code, out, err = run_cli("whatif", str(source), "--at", "+2m30s", "--step",
                                 "kms:CancelKeyDeletion KeyId=k1")
        assert code == 0, err
        outs.append(out)
    assert outs[0] == outs[1]
    assert 'step #7 kms:CancelKeyDeletion {"KeyId": "k1"} -> ok' in outs[1]  # after #6
    assert "key k1: Deleted -> Disabled" in outs[1]  # at the end, every timer fired


def test_a_refused_whatif_step_says_why_and_exits_1(tmp_path: Path) -> None:
    _, log = record(tmp_path)
    code, out, err = run_cli("whatif", str(log), "--at", "+30s", "--step",
                             "kms:CancelKeyDeletion KeyId=k1")
    assert code == 1
    # the error code, the rule and the message, with the key by its name
    assert "-> FAILED: KMSInvalidStateException (R-KMS-STATE-04): k1 is not pending " \
        "deletion." in out
    assert "1 of 1 step failed" in out
    assert err.startswith("kmsim: whatif: step #4 kms:CancelKeyDeletion failed: "
                          "KMSInvalidStateException (R-KMS-STATE-04): ")
    code, out, _ = run_cli("whatif", str(log), "--at", "+30s", "--json", "--step",
                           "kms:CancelKeyDeletion KeyId=k1", "--step", "kms:ListKeys")
    doc = json.loads(out)
    assert code == 1 and doc["failed_steps"] == 1
    assert [s["ok"] for s in doc["steps"]] == [False, True]
    assert doc["steps"][0]["out"]["err"] == "KMSInvalidStateException"


@pytest.mark.parametrize("mode", ["end", "step", "none"])
def test_saved_values_modes(tmp_path: Path, mode: str) -> None:
    _, log = record(tmp_path, NAMED, "--set", f"saved_values={mode}")
    ops = [e.op for e in events(log)]
    loaded = load_timeline(str(log))
    if mode == "none":
        assert "sim:SaveVariables" not in ops and loaded.variables == {}
        return
    assert ops.count("sim:SaveVariables") == 1
    # step: right after the step that saved, so the later events move by one
    assert ops.index("sim:SaveVariables") == (3 if mode == "step" else len(ops) - 1)
    assert set(loaded.variables) == {"k1"}


def test_a_log_written_by_the_python_api_keeps_its_default_principal(tmp_path: Path) -> None:
    log = tmp_path / "api.kmlog"
    sim = Simulator(default_principal="admin", log=log)
    sim.principal("admin", policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    sim.call("kms:CreateKey")
    sim.close()
    assert load_timeline(str(log)).default_principal == "admin"
    resumed = Simulator.resume(log)
    try:
        assert resumed.default_principal == "admin"
        assert resumed.principal_arn(None).endswith(":role/admin")
    finally:
        resumed.close()


def test_a_header_principal_the_log_never_declares_is_not_used(tmp_path: Path) -> None:
    log = tmp_path / "undeclared.kmlog"
    sim = Simulator(default_principal="ghost", log=log)
    sim.close()
    assert load_timeline(str(log)).default_principal is None  # the account root, as before


def test_times_are_shown_as_the_scenario_wrote_them(tmp_path: Path) -> None:
    _, offsets = record(tmp_path)
    code, out, _ = run_cli("whatif", str(offsets), "--at", "+2m30s", "--step",
                           "kms:CancelKeyDeletion KeyId=k1")
    assert code == 0 and "  at +7d2m (the end" in out
    clock_dir = tmp_path / "clock"
    clock_dir.mkdir()
    _, clock = record(clock_dir, CLOCK)
    with LogReader(clock) as reader:
        assert reader.header.extra["times"] == "clock"
    code, out, _ = run_cli("whatif", str(clock), "--at", "+2m30s", "--step",
                           "kms:CancelKeyDeletion KeyId=k1")
    assert code == 0 and "  at 2026-01-08T00:02:00Z (the end" in out
    script = tmp_path / "cmds.txt"
    script.write_text("goto end\n", encoding="utf-8")
    code, out, _ = run_cli("debug", str(clock), "--commands", str(script))
    assert code == 0 and "2026-01-01T00:01:00Z  admin      kms:DisableKey" in out

"""The time-travel verbs on the command line: at, explain, diff, history (exit codes too)."""

from __future__ import annotations

import json
import re

import pytest
from timetravel_support import GROUP, build, test_kind  # noqa: F401

from projections.timetravel.answers import ASSOCIATION_KEYS, DOC_KEYS, ITEM_KEYS, KEY_KEYS
from sim.cli import main

QUICKSTART = "scenarios/quickstart.toml"

# the fake item kind, registered for every test here
pytestmark = pytest.mark.usefixtures("test_kind")


@pytest.fixture
def log(tmp_path):
    sim, _ = build()
    path = tmp_path / "t.kmlog"
    sim.save(path)
    return str(path)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_at_json_exact_keys(log, capsys):
    code, out, _ = run(capsys, "at", log, "+12m", "--json", "--as", "admin")
    doc = json.loads(out)
    assert code == 0 and tuple(doc) == DOC_KEYS
    assert doc["principal"] == "arn:aws:iam::111122223333:role/Admin"
    assert all(tuple(i) == ITEM_KEYS for i in doc["items"])
    assert all(tuple(k) == KEY_KEYS for k in doc["keys"])
    assert all(tuple(a) == ASSOCIATION_KEYS for a in doc["associations"])
    assert {i["label"]: i["status"] for i in doc["items"]} == {
        "e0": "yes", "e1": "no", "e2": "no", "e3": "yes", "#15": "no"}


def test_at_default_principal_and_table(log, capsys):
    code, out, _ = run(capsys, "at", log, "#16")
    assert code == 0
    # the log keeps its scenario's default principal (issue 11)
    assert "as arn:aws:iam::111122223333:role/Admin" in out
    assert "alias/app  Enabled" in out
    assert "logs:app  associated  alias/app" in out
    code, out, _ = run(capsys, "at", QUICKSTART, "+3m", "--json")
    doc = json.loads(out)
    assert doc["principal"].endswith(":role/Admin")  # the scenario's principal
    assert doc["keys"][0]["state"] == "Disabled" and doc["keys"][0]["name"] == "alias/app"
    code, out, _ = run(capsys, "at", QUICKSTART, "+7d5m", "--json")
    assert json.loads(out)["keys"][0] | {"arn": ""} == {"name": "k1", "arn": "",
                                                        "state": "Deleted"}


def test_explain_verbs(log, capsys):
    code, out, _ = run(capsys, "explain", log, "e1", "--at", "+12m", "--as", "admin")
    assert code == 0
    assert out.splitlines()[0].startswith("e1 is not decryptable")
    assert "R-KMS-04    key alias/app is Disabled since event #14 (kms:DisableKey at +9m)" in out
    code, out, _ = run(capsys, "explain", log, "#15", "--at", "+25m", "--as", "admin")
    assert code == 0 and out.startswith("#15 is decryptable")
    code, out, _ = run(capsys, "explain", log, "alias/app")
    assert code == 0 and "is Enabled since event #16" in out
    code, out, _ = run(capsys, "explain", log, "logs:app", "--json")
    assert json.loads(out)["links"][0]["event"] == 7
    code, out, _ = run(capsys, "explain", QUICKSTART, "alias/app")  # Deleted: alias is gone
    assert code == 0 and "is Deleted since a timer at +7d5m" in out


def test_diff_and_history(log, capsys):
    code, out, _ = run(capsys, "diff", log, "+8m", "+31m", "--as", "admin")
    assert code == 0
    assert re.search(r"\n  e1 +logs:app +yes +gone\n", out)
    assert re.search(r"\n  #15 +logs:app +\(new\) +gone\n", out)
    assert re.search(r"\n  logs:app +yes +gone +3 +\+2m \.\. \+6m\n", out)  # per resource
    code, out, _ = run(capsys, "diff", log, "+8m", "+12m", "--json")
    assert json.loads(out)["keys"][0]["to"] == "Disabled"
    code, out, _ = run(capsys, "diff", QUICKSTART, "+2m", "+7d5m")
    assert "k1 became Deleted (R-KMS-10)" in out
    code, out, _ = run(capsys, "history", log, "--resource", "logs:app")
    assert code == 0 and out.startswith("6 entries touching logs:app")
    code, out, _ = run(capsys, "history", log, "--resource", GROUP, "--json")
    assert [e["seq"] for e in json.loads(out)] == [5, 7, 8, 10, 15, 17]
    code, out, _ = run(capsys, "history", QUICKSTART, "--resource", "k1")
    assert "Deleted (R-KMS-10)" in out and "#9 " in out


@pytest.mark.parametrize("argv, hint", [
    (["at", "missing.kmlog", "+1m"], "no such file"),
    (["at", "LOG", "+nope"], "bad duration"),
    (["at", "LOG", "#999"], "no event #999"),
    (["at", "LOG", "+1m", "--as", "nobody"], "unknown principal"),
    (["explain", "LOG", "e42"], "nothing named 'e42'"),
    (["diff", "LOG", "+9m", "+1m"], "is before T1"),
    (["history", "LOG", "--resource", "nonsense"], "unknown resource"),
])
def test_bad_input_exits_2_with_a_hint(log, capsys, argv, hint):
    argv = [log if a == "LOG" else a for a in argv]
    code, out, err = run(capsys, *argv)
    assert code == 2 and hint in err and "Traceback" not in err + out


def test_corrupt_log_exits_2(log, capsys):
    with open(log, "rb") as f:
        data = bytearray(f.read())
    data[200] ^= 0xFF
    with open(log, "wb") as f:
        f.write(bytes(data))
    code, _, err = run(capsys, "at", log, "+1m")
    assert code == 2 and "kmsim log verify" in err


def test_history_until_shows_what_timers_do_after_the_last_event(tmp_path, capsys):
    scenario = tmp_path / "deletion.toml"
    allow_all = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*",'
                 '"Resource":"*"}]}')
    scenario.write_text("\n".join([
        "[scenario]", 'name = "a deletion date after the last event"',
        'start = "2026-01-01T00:00:00Z"', 'principal = "admin"',
        "[principals.admin]", 'arn = "arn:aws:iam::111122223333:role/Admin"',
        f"policy = \'\'\'{allow_all}\'\'\'",
        "[[step]]", 'at = "+0s"', 'call = "kms:CreateKey"', 'save = { k1 = "KeyMetadata.Arn" }',
        "[[step]]", 'at = "+1m"', 'call = "kms:ScheduleKeyDeletion"',
        'args = { KeyId = "${k1}", PendingWindowInDays = 7 }']), encoding="utf-8")
    code, out, _ = run(capsys, "history", str(scenario), "--resource", "k1")
    assert code == 0 and out.startswith("2 entries touching k1")
    pending = out.split("pending after +1m", 1)[1]
    assert "+7d1m" in pending and "Deleted (R-KMS-10)" in pending
    code, out, _ = run(capsys, "history", str(scenario), "--resource", "k1", "--until", "+8d")
    assert code == 0 and out.startswith("3 entries touching k1")
    assert "Deleted (R-KMS-10)" in out and "pending" not in out
    code, out, _ = run(capsys, "history", str(scenario), "--resource", "k1", "--json")
    doc = json.loads(out)
    assert [e.get("pending", False) for e in doc] == [False, False, True]
    assert doc[-1]["time"] == "2026-01-08T00:01:00Z"
    code, _, err = run(capsys, "history", str(scenario), "--until", "+0s")
    assert code == 2 and "before the last event" in err

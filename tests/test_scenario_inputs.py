"""What a scenario's steps may name (issue 8): ``@file`` references stay regular files in
the scenario's folder, and ``args`` names are the operation's parameters."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from scenario_support import BASE, ROOT, bad_input, run_cli, variant
from support import ALLOW_ALL as ADMIN

from sim.scenario.files import MAX_REF_BYTES
from sim.simulator import Simulator


def with_policy(ref: str) -> str:
    """BASE whose first step creates the key with ``Policy = "<ref>"`` (line 16)."""
    return variant({15: f'call = "kms:CreateKey"\nargs = {{ Policy = "{ref}" }}'})


@pytest.fixture
def no_hang() -> Iterator[None]:
    """Fail, rather than hang, when a test blocks (on a FIFO) for 10 seconds."""
    def hung(*_: object) -> None:
        raise TimeoutError("blocked: a FIFO or device was opened")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


# -- @file references ------------------------------------------------------------------

def test_file_in_a_subfolder_is_read(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "scenarios" / "policies", tmp_path / "policies")
    (tmp_path / "s.toml").write_text(with_policy("@policies/logs-and-cloudwatch.json"),
                                     encoding="utf-8")
    code, out, err = run_cli(["run", str(tmp_path / "s.toml")])
    assert code == 0, out + err


@pytest.mark.parametrize("ref", ["@../outside.json", "@sub/../../outside.json"])
def test_dotdot_escape_is_refused(tmp_path: Path, ref: str) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path.parent / "outside.json").write_text("{}", encoding="utf-8")
    bad_input(tmp_path, with_policy(ref), 16, contains="outside the scenario's folder")


def test_absolute_path_is_refused_unless_allowed(tmp_path: Path) -> None:
    policy = tmp_path.parent / f"{tmp_path.name}-policy.json"
    policy.write_text('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
                      '{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}', encoding="utf-8")
    err = bad_input(tmp_path, with_policy(f"@{policy}"), 16,
                    contains=f"cannot read @{policy}: an absolute @file path")
    assert "--allow-outside-files" in err
    code, out, err = run_cli(["run", "--allow-outside-files", str(tmp_path / "s.toml")])
    assert code == 0, out + err


def test_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "p.json").symlink_to("/etc/hostname")
    bad_input(tmp_path, with_policy("@p.json"), 16,
              contains="outside the scenario's folder (/etc/hostname)")


def test_symlink_inside_the_folder_is_followed(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "scenarios" / "policies", tmp_path / "policies")
    (tmp_path / "p.json").symlink_to(tmp_path / "policies" / "logs-and-cloudwatch.json")
    (tmp_path / "s.toml").write_text(with_policy("@p.json"), encoding="utf-8")
    assert run_cli(["run", str(tmp_path / "s.toml")])[0] == 0


def test_fifo_is_refused_without_opening_it(tmp_path: Path, no_hang: None) -> None:
    os.mkfifo(tmp_path / "p.json")
    bad_input(tmp_path, with_policy("@p.json"), 16,
              contains="cannot read @p.json: it is a FIFO (named pipe), not a regular file")


@pytest.mark.parametrize(("ref", "kind"), [("@/dev/zero", "a character device"),
                                           ("@/dev/null", "a character device"),
                                           ("@/tmp", "a directory")])
def test_devices_and_directories_are_refused_even_when_allowed(
        tmp_path: Path, no_hang: None, ref: str, kind: str) -> None:
    bad_input(tmp_path, with_policy(ref), 16, "--allow-outside-files",
              contains=f"it is {kind}, not a regular file")


def test_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    bad_input(tmp_path, with_policy("@policies"), 16, contains="it is a directory")


def test_file_over_the_cap_is_refused(tmp_path: Path) -> None:
    (tmp_path / "big.json").write_bytes(b" " * (MAX_REF_BYTES + 1))
    bad_input(tmp_path, with_policy("@big.json"), 16,
              contains=f"it is larger than {MAX_REF_BYTES} bytes")


def test_a_step_too_large_to_record_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "big.json").write_bytes(b" " * MAX_REF_BYTES)  # at the cap: it is read
    tags = ", ".join(['{ TagKey = "@big.json", TagValue = "@big.json" }'] * 9)  # 18 MiB
    bad_input(tmp_path, variant({15: f'call = "kms:CreateKey"\nargs = {{ Tags = [{tags}] }}'}), 13,
              contains="kms:CreateKey cannot be recorded: EventTooLarge")


@pytest.mark.parametrize(("data", "contains"), [
    (b'{"Version": "\xe9"}', "not UTF-8 text: byte 0xe9 at line 1"),
    (b"{\n\x00}", "a binary file: a NUL byte at line 2"),
])
def test_binary_files_are_refused(tmp_path: Path, data: bytes, contains: str) -> None:
    (tmp_path / "p.json").write_bytes(data)
    bad_input(tmp_path, with_policy("@p.json"), 16, contains=contains)


def test_empty_and_missing_references(tmp_path: Path) -> None:
    bad_input(tmp_path, with_policy("@"), 16, contains="an empty @file reference")
    err = bad_input(tmp_path, with_policy("@nope.json"), 16,
                    contains="cannot read @nope.json: No such file")
    assert "relative to the scenario file" in err


def test_a_principal_policy_follows_the_same_rules(tmp_path: Path) -> None:
    bad_input(tmp_path, variant({8: 'policy = "@/etc/passwd"'}), 8,
              contains="an absolute @file path")


def test_the_scenario_itself_must_be_a_regular_file(tmp_path: Path, no_hang: None) -> None:
    os.mkfifo(tmp_path / "fifo.toml")
    for path, kind in ((tmp_path / "fifo.toml", "a FIFO"), (Path("/dev/zero"), "a character"),
                       (tmp_path, "a directory")):
        code, _, err = run_cli(["run", str(path)])
        assert code == 2, err
        assert f"{path}: cannot read scenario: it is {kind}" in err and "hint:" in err
    os.mkfifo(tmp_path / "fifo.py")
    code, _, err = run_cli(["run", str(tmp_path / "fifo.py")])
    assert code == 2 and "cannot read scenario script: it is a FIFO" in err


def test_deep_nesting_is_bad_input(tmp_path: Path) -> None:
    deep = "[" * 40 + "]" * 40
    bad_input(tmp_path, variant({21: f"args = {{ KeyId = {deep} }}"}), None,
              contains="TOML nested too deeply")


# -- argument names ---------------------------------------------------------------------

def test_unknown_argument_with_did_you_mean(tmp_path: Path) -> None:
    text = variant({21: 'args = { KeyId = "${k1}" }\n\n[[step]]\nat = "+3m"\n'
                        'call = "kms:ScheduleKeyDeletion"\n'
                        'args = { KeyId = "${k1}", PendingWindowDays = 7 }'})
    bad_input(tmp_path, text, 26, contains="unknown argument 'PendingWindowDays' for "
              "kms:ScheduleKeyDeletion\n  hint: did you mean 'PendingWindowInDays'?")


def test_unknown_nested_argument(tmp_path: Path) -> None:
    text = BASE + ('\n[[step]]\nat = "+3m"\ncall = "logs:PutLogEvents"\nargs = { logGroupName '
                   '= "a", logStreamName = "s", logEvents = [{ message = "m" }, { mesage = "m" }] '
                   '}\n')
    bad_input(tmp_path, text, 30, contains="unknown argument 'logEvents[1].mesage' for "
              "logs:PutLogEvents\n  hint: did you mean 'message'?")


def test_unknown_argument_of_a_sim_operation(tmp_path: Path) -> None:
    text = variant({20: 'call = "sim:SetKeyUnavailable"', 21: 'args = { KeyID = "${k1}" }'})
    bad_input(tmp_path, text, 21, contains="unknown argument 'KeyID' for sim:SetKeyUnavailable"
              "\n  hint: did you mean 'KeyId'?")


def test_unknown_argument_in_an_args_table_names_its_line(tmp_path: Path) -> None:
    text = variant({21: '\n[step.args]\nKeyId = "${k1}"\nbogus = 1'})
    bad_input(tmp_path, text, 24, contains="unknown argument 'bogus' for kms:DisableKey")


def test_map_keys_are_not_argument_names(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(variant({21: 'args = { KeyId = "${k1}" }\n\n[[step]]\nat = "+1m"\n'
                                 'call = "kms:Encrypt"\nargs = { KeyId = "${k1}", Plaintext = '
                                 '"aGk=", EncryptionContext = { anything = "goes" } }\n'
                                 'expect = "DisabledException"'}), encoding="utf-8")
    code, out, err = run_cli(["run", str(path)])
    assert code == 0, out + err


def test_every_shipped_scenario_names_known_arguments() -> None:
    files = sorted(str(p) for p in (ROOT / "scenarios").glob("*.toml"))
    code, out, err = run_cli(["run", "-q", *files])
    assert code == 0, out + err
    assert f"{len(files)} passed, 0 failed" in out


def test_the_python_api_does_not_check_argument_names() -> None:
    sim = Simulator()
    sim.principal("admin", policy=ADMIN)
    key = sim.call("kms:CreateKey", at="+0s", as_="admin").get("KeyMetadata.Arn")
    r = sim.call("kms:ScheduleKeyDeletion", {"KeyId": key, "PendingWindowDays": 7},
                 at="+1m", as_="admin")
    assert r.ok  # as before: the unknown name is ignored, the default window applies
    assert sim.key_state(key, at="+29d") == "PendingDeletion"


def test_a_script_step_with_an_unknown_argument_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "s.py"
    path.write_text("def run(scenario):\n"
                    "    scenario.step('kms:CreateKey', at='+0s', save={'k': 'KeyMetadata.Arn'})\n"
                    "    scenario.step('kms:ScheduleKeyDeletion',\n"
                    "                  {'KeyId': '${k}', 'PendingWindowDays': 7}, at='+1m')\n",
                    encoding="utf-8")
    code, _, err = run_cli(["run", str(path)])
    assert code == 2, err
    assert f"{path}:3: unknown argument 'PendingWindowDays'" in err
    assert "did you mean 'PendingWindowInDays'" in err

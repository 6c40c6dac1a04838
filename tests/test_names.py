"""One name per key per moment, whichever command shows it (issue 10, projections.names).

``kmsim at`` (``answers_at``) and ``kmsim debug`` used to name keys by two different
rules: the debugger took the first alias *created* and ``key-`` plus 8 characters of the
id, ``kmsim at`` the first alias *alphabetically* and the whole key id.
"""

from __future__ import annotations

from pathlib import Path

from projections.timetravel.answers import answers_at
from sim.debugger import Session
from sim.loading import load_timeline

SCENARIO = '''
[scenario]
name = "names"
start = "2026-01-01T00:00:00Z"
account = "111122223333"
region = "us-east-1"
principal = "admin"

[principals.admin]
arn = "arn:aws:iam::111122223333:role/Admin"
policy = \'\'\'POLICY\'\'\'

[[step]]
at = "+0s"
call = "kms:CreateKey"
save = { k1 = "KeyMetadata.Arn" }

[[step]]
at = "+0s"
call = "kms:CreateKey"

[[step]]
at = "+1m"
call = "kms:CreateAlias"
args = { AliasName = "alias/zeta", TargetKeyId = "${k1}" }

[[step]]
at = "+1m"
call = "kms:CreateAlias"
args = { AliasName = "alias/alpha", TargetKeyId = "${k1}" }
'''


def _session(tmp_path: Path) -> Session:
    path = tmp_path / "names.toml"
    allow_all = ('{"Version":"2012-10-17","Statement":'
                 '[{"Effect":"Allow","Action":"*","Resource":"*"}]}')
    path.write_text(SCENARIO.replace("POLICY", allow_all))
    return Session(load_timeline(str(path)))


def test_at_and_debug_name_every_key_alike_at_every_moment(tmp_path: Path) -> None:
    s = _session(tmp_path)
    checked = 0
    for n in range(s.count + 1):
        s.cursor = s.moment(f"#{n}")
        doc = answers_at(s.world(), s.principal, s.loaded.variables)
        for entry in doc["keys"]:
            assert s.key_name(entry["arn"]) == entry["name"], f"#{n}"
            checked += 1
    assert checked >= 4  # both keys, before and after the aliases


def test_names_follow_the_documented_order(tmp_path: Path) -> None:
    s = _session(tmp_path)
    k1 = s.loaded.variables["k1"]
    first_alias = next(e.seq for e in s.timeline.events if e.op == "kms:CreateAlias")
    s.cursor = s.moment(f"#{first_alias - 1}")  # both keys exist, no alias yet
    assert s.key_name(k1) == "k1"
    s.cursor = s.moment("end")
    end = s.world()
    other = next(k for k in end.keys.values() if k.arn != k1)
    # first alias alphabetically (not the first created), else the saved name, else the id
    assert s.key_name(k1) == "alias/alpha"
    assert s.key_name(other.arn) == other.key_id
    assert s.key_name(None) == "owned"
    # the debugger's state listing uses the same names
    state = "\n".join(s.state_lines())
    assert "alias/alpha" in state and other.key_id in state and "alias/zeta" not in state

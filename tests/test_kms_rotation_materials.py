"""What a rotation keeps (R-KMS-ROT-14..16): ciphertexts name the material that made them,
Decrypt uses it, data written before a rotation stays readable, the key's state still
governs all of its material, the answers and explanations say which material an item is
under, and a log with rotations (the timer's included) replays exactly.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from test_kms_rotation_support import current, make, new_key, ok, rejected, rotations

from projections.kms.rotation import item_materials, material_of
from projections.timetravel.answers import ITEM_KEYS, answers_at
from sim import Simulator
from sim.cli import main
from sim.replay import replay

SCENARIO = str(Path(__file__).resolve().parent.parent / "scenarios" /
               "rotation-loses-nothing.toml")
HELLO = base64.b64encode(b"hello").decode()
#: A key policy letting the admin do anything and CloudWatch Logs use the key.
LOGS_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
     "Action": "kms:*", "Resource": "*"},
    {"Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
     "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                "kms:Describe*"], "Resource": "*"}]}


def encrypt(s: Simulator, arn: str, at: str) -> str:
    return ok(s, "kms:Encrypt", {"KeyId": arn, "Plaintext": HELLO}, at=at).get("CiphertextBlob")


def decrypt(s: Simulator, blob: str, at: str) -> dict:
    return ok(s, "kms:Decrypt", {"CiphertextBlob": blob}, at=at).res


def envelope(blob: str) -> dict:
    raw = base64.b64decode(blob)
    return json.loads(raw[10:10 + int.from_bytes(raw[6:10], "big")])


# -- ciphertexts and Decrypt ---------------------------------------------------------------

def test_data_encrypted_before_a_rotation_decrypts_with_its_own_material() -> None:
    s = make()
    arn = new_key(s)
    first = current(s, arn, "+1m")
    old = encrypt(s, arn, "+2m")
    ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at="+3m")
    second = current(s, arn, "+3m")
    new = encrypt(s, arn, "+4m")
    assert decrypt(s, old, "+5m")["KeyMaterialId"] == first  # R-KMS-ROT-15
    assert decrypt(s, new, "+5m")["KeyMaterialId"] == second
    assert decrypt(s, old, "+5m")["Plaintext"] == decrypt(s, new, "+5m")["Plaintext"] == HELLO


def test_an_envelope_before_any_rotation_is_as_it_always_was() -> None:
    s = make()
    arn = new_key(s)
    assert envelope(encrypt(s, arn, "+2m")) == {"c": {}, "k": arn}  # older logs replay same
    ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at="+3m")
    assert envelope(encrypt(s, arn, "+4m"))["m"] == current(s, arn, "+4m")


def test_generate_data_key_and_re_encrypt_name_their_materials() -> None:
    s = make()
    arn, other = new_key(s), new_key(s, at="+1m")
    first = current(s, arn, "+1m")
    made = ok(s, "kms:GenerateDataKey", {"KeyId": arn}, at="+2m").res
    assert made["KeyMaterialId"] == first
    ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at="+3m")
    moved = ok(s, "kms:ReEncrypt", {"CiphertextBlob": made["CiphertextBlob"],
                                    "DestinationKeyId": other}, at="+4m").res
    assert moved["SourceKeyMaterialId"] == first
    assert moved["DestinationKeyMaterialId"] == current(s, other, "+4m")
    assert ok(s, "kms:GenerateDataKey", {"KeyId": arn}, at="+5m").res["KeyMaterialId"] == \
        current(s, arn, "+5m")


def test_a_ciphertext_naming_material_the_key_lacks_is_invalid() -> None:
    s = make()
    arn = new_key(s)
    ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at="+2m")
    head = envelope(encrypt(s, arn, "+3m"))
    head["m"] = "0" * 64
    text = json.dumps(head, sort_keys=True).encode()
    forged = base64.b64encode(b"KMSIM1" + len(text).to_bytes(4, "big") + text +
                              HELLO.encode()).decode()
    rejected(s, "kms:Decrypt", {"CiphertextBlob": forged}, "InvalidCiphertextException",
             at="+4m", rule="R-KMS-ROT-15")


def test_disabling_the_key_stops_every_material() -> None:
    s = make()
    arn = new_key(s)
    old = encrypt(s, arn, "+2m")
    ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at="+3m")
    new = encrypt(s, arn, "+4m")
    ok(s, "kms:DisableKey", {"KeyId": arn}, at="+5m")
    for blob in (old, new):
        rejected(s, "kms:Decrypt", {"CiphertextBlob": blob}, "DisabledException", at="+6m")
    ok(s, "kms:EnableKey", {"KeyId": arn}, at="+7m")
    assert decrypt(s, old, "+8m")["Plaintext"] == HELLO


# -- items, answers, explanations ----------------------------------------------------------

def test_each_item_is_under_the_material_current_when_it_was_written(capsys) -> None:
    code = main(["explain", SCENARIO, "e1", "--at", "+90d3m"])
    e1 = capsys.readouterr().out
    main(["explain", SCENARIO, "e2", "--at", "+90d3m"])
    e2 = capsys.readouterr().out
    main(["explain", SCENARIO, "e3", "--at", "+90d3m"])
    e3 = capsys.readouterr().out
    assert code == 0
    assert "R-KMS-ROT-16 e1 is under key k1's key material" in e1 and "(its first)" in e1
    assert "(the one its on-demand rotation at +3m made)" in e2
    assert "(the one its automatic rotation at +90d made)" in e3
    materials = {line.split("key material ")[1].split()[0]
                 for out in (e1, e2, e3) for line in out.splitlines()
                 if "R-KMS-ROT-16" in line}
    assert len(materials) == 3  # three different materials, all readable
    assert "rotated on demand" in e1 and "rotated automatically" in e1 and \
        "by a timer at +90d" in e1


def test_kmsim_at_names_the_material_of_each_item(capsys) -> None:
    assert main(["at", SCENARIO, "+90d3m", "--as", "admin"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.strip().startswith(("e1", "e2", "e3"))]
    assert len(rows) == 3 and all("(material " in row and " yes " in row for row in rows)
    assert len({row.split("(material ")[1][:12] for row in rows}) == 3


def test_the_json_document_keeps_its_contract_members(capsys) -> None:
    assert main(["at", SCENARIO, "+90d3m", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [tuple(i) for i in doc["items"]] == [ITEM_KEYS] * 3
    assert [i["status"] for i in doc["items"]] == ["yes"] * 3


def test_material_of_follows_the_event_order_and_time_travel() -> None:
    s = make()
    arn = new_key(s)
    key_id = arn.rsplit("/", 1)[1]
    first = current(s, arn, "+1m")
    ok(s, "kms:EnableKeyRotation", {"KeyId": arn, "RotationPeriodInDays": 90}, at="+2m")
    rotate_seq = ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at="+3m").event.seq
    second = current(s, arn, "+3m")
    s.advance(max(0, s.when("+90d3m") - s.now))
    w = s.world
    key = w.keys[key_id]
    # written by the rotation's own event or before it: the first; after it: the second
    assert material_of(w, key, rotate_seq).material_id == first
    assert material_of(w, key, rotate_seq + 1).material_id == second
    later = item_materials(w, (arn, None), len(s.events) + 1)  # after the timer's rotation
    assert later[arn].kind == "AUTOMATIC" and later[arn].material_id == key.material_id
    assert None not in later
    assert s.world_at("+2m").keys[key_id].material_id == first  # the past is as it was
    assert s.world_at("+4m").keys[key_id].material_id == second
    assert len(rotations(s, arn, "+90d4m")) == 2


def test_items_of_one_shape_share_one_answer_whatever_their_material() -> None:
    from projections.decrypt import Answers

    s = make()
    s.principal("reader")
    arn = new_key(s, Policy=json.dumps(LOGS_POLICY))
    ok(s, "logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": arn}, at="+1m")
    ok(s, "logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, at="+1m")
    for i in range(3):
        ok(s, "logs:PutLogEvents", {"logGroupName": "app", "logStreamName": "s",
                                    "logEvents": [{"message": f"m{i}"}]}, at=f"+{2 + 2 * i}m")
        ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at=f"+{3 + 2 * i}m")
    world = s.world
    answer = Answers(world, s.principal_arn("admin"))
    items = list(world.iter_items())
    assert [answer(i).status for i in items] == ["yes"] * 3
    assert answer.evaluated == 1  # one shape: the material is not part of it
    assert len({item_materials(world, i.keys, i.seq)[arn].material_id for i in items}) == 3
    doc = answers_at(world, s.principal_arn("admin"))
    assert [tuple(i) for i in doc["items"]] == [ITEM_KEYS] * 3


# -- replay --------------------------------------------------------------------------------

def test_a_log_with_rotations_replays_exactly() -> None:
    s = make()
    arn = new_key(s)
    ok(s, "kms:EnableKeyRotation", {"KeyId": arn, "RotationPeriodInDays": 90}, at="+2m")
    blob = encrypt(s, arn, "+3m")
    ok(s, "kms:RotateKeyOnDemand", {"KeyId": arn}, at="+4m")
    ok(s, "kms:DisableKey", {"KeyId": arn}, at="+5m")
    ok(s, "kms:EnableKey", {"KeyId": arn}, at="+100d")   # overdue: rotates at once
    decrypt(s, blob, "+200d")                           # after the timer's rotation too
    ok(s, "kms:ListKeyRotations", {"KeyId": arn}, at="+200d")
    ok(s, "kms:DescribeKey", {"KeyId": arn}, at="+200d")
    ok(s, "kms:GetKeyRotationStatus", {"KeyId": arn}, at="+200d")
    timeline, diffs = replay(s.events, s.profile, s.settings, s.start)
    assert diffs == []
    key_id = arn.rsplit("/", 1)[1]
    assert timeline.world_at(s.now).keys[key_id].material_id == s.world.keys[key_id].material_id
    assert len(rotations(s, arn, "+200d1m")) == 3

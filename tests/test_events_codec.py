"""The event record and its msgpack codec (SPEC section 6), including upcasting."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.codec import (
    UnsupportedEventVersion,
    decode_event,
    decode_events,
    decode_map,
    encode_event,
    encode_map,
)
from events.record import Event, err_out, ok_out
from events.schemas import (
    SCHEMA_VERSIONS,
    UPCASTERS,
    NewerEventVersion,
    schema_version,
    upcasts,
)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z in ms


def make_event(seq: int, op: str = "logs:PutLogEvents", **kw: object) -> Event:
    """A small data-plane write, the shape most events in a log have."""
    fields: dict = {
        "v": schema_version(op),
        "seq": seq,
        "t": T0 + seq * 10,
        "op": op,
        "actor": "arn:aws:iam::111122223333:role/app",
        "account": "111122223333",
        "region": "us-east-1",
        "req": {
            "logGroupName": f"/app/group-{seq % 100:03d}",
            "logStreamName": "web-1",
            "logEvents": [{"timestamp": T0 + seq * 10, "message": f"GET /health 200 #{seq}"}],
        },
        "out": ok_out({}),
        "draws": {},
    }
    fields.update(kw)
    return Event(**fields)


# JSON-like values plus bytes: what msgpack round-trips exactly (no NaN: NaN != NaN).
leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.binary(max_size=20)
)
values = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
maps = st.dictionaries(st.text(max_size=12), values, max_size=5)
outs = st.builds(ok_out, maps) | st.builds(err_out, st.text(max_size=30), st.text(), st.text())
events = st.builds(
    Event,
    v=st.just(1),  # the ops drawn here are all at BASE_VERSION
    seq=st.integers(min_value=0, max_value=2**40),
    t=st.integers(min_value=0, max_value=2**45),
    op=st.sampled_from(["logs:PutLogEvents", "kms:DisableKey", "sim:InjectFault", "x:"]),
    actor=st.text(max_size=40),
    account=st.from_regex(r"\d{12}", fullmatch=True),
    region=st.sampled_from(["us-east-1", "eu-west-2"]),
    req=maps,
    out=outs,
    draws=maps,
)


@pytest.fixture
def versions():
    """The schema tables, restored after the test (which may add versions and upcasters)."""
    saved_versions, saved_upcasters = dict(SCHEMA_VERSIONS), dict(UPCASTERS)
    yield SCHEMA_VERSIONS
    SCHEMA_VERSIONS.clear()
    SCHEMA_VERSIONS.update(saved_versions)
    UPCASTERS.clear()
    UPCASTERS.update(saved_upcasters)


def test_record_properties_for_accepted_and_rejected_calls():
    ok = make_event(1, out=ok_out({"keyId": "k-1"}))
    assert (ok.ok, ok.service, ok.name, ok.err, ok.rule, ok.res) == (
        True,
        "logs",
        "PutLogEvents",
        None,
        None,
        {"keyId": "k-1"},
    )
    bad = make_event(2, op="kms:Decrypt", out=err_out("DisabledException", "key off", "K-DIS"))
    assert bad.out == {"ok": False, "err": "DisabledException", "msg": "key off", "rule": "K-DIS"}
    assert (bad.ok, bad.service, bad.name, bad.err, bad.rule, bad.res) == (
        False,
        "kms",
        "Decrypt",
        "DisabledException",
        "K-DIS",
        {},
    )
    assert ok_out() == {"ok": True, "res": {}}


def test_to_dict_has_exactly_the_contract_keys_in_order():
    d = make_event(7).to_dict()
    assert list(d) == ["v", "seq", "t", "op", "actor", "account", "region", "req", "out", "draws"]
    assert Event.from_dict(d) == make_event(7)


@pytest.mark.parametrize("change", ["missing", "extra", "renamed"])
def test_from_dict_refuses_other_keys(change):
    d = make_event(1).to_dict()
    if change == "missing":
        del d["draws"]
    elif change == "extra":
        d["new"] = 1
    else:
        d["drawz"] = d.pop("draws")
    with pytest.raises(ValueError, match="exactly the keys"):
        Event.from_dict(d)


def test_from_dict_keeps_its_own_copy_and_events_stay_frozen():
    import dataclasses

    d = make_event(4).to_dict()
    e = Event.from_dict(d)
    d["seq"] = 99
    assert e.seq == 4  # the caller's dict is not the event's state
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.seq = 5  # type: ignore[misc]


@pytest.mark.parametrize("change", ["missing", "extra"])
def test_decoding_refuses_a_map_with_other_keys(change):
    from events.codec import decode_events

    d = make_event(1).to_dict()
    if change == "missing":
        del d["draws"]
    else:
        d["new"] = 1
    payload = msgpack.packb(d)
    for decode in (decode_event, lambda b: next(decode_events([b]))):
        with pytest.raises(ValueError, match="exactly the keys"):
            decode(payload)


def test_encode_decode_round_trip_is_deterministic():
    e = make_event(3, draws={"keyId": "1234abcd", "delay_ms": 250, "blob": b"\x00\xff"})
    b = encode_event(e)
    assert b == encode_event(make_event(3, draws=dict(e.draws)))
    assert msgpack.unpackb(b, raw=False) == e.to_dict()
    assert decode_event(b) == e


@settings(max_examples=150, deadline=None)
@given(events)
def test_any_event_round_trips(e):
    assert decode_event(encode_event(e)) == e
    assert list(decode_events([encode_event(e), encode_event(e)])) == [e, e]


def test_decode_events_matches_decode_event_and_checks_alignment():
    evs = [make_event(i) for i in range(50)]
    payloads = [encode_event(e) for e in evs]
    assert list(decode_events(payloads)) == evs
    # A payload holding two maps (or half of one) must not silently shift the rest.
    two = [payloads[0] + payloads[1], payloads[2]]
    with pytest.raises(ValueError):
        list(decode_events(two))
    half = [payloads[0][:10], payloads[0][10:]]
    with pytest.raises(ValueError):
        list(decode_events(half))
    with pytest.raises(ValueError):
        list(decode_events([msgpack.packb([1, 2])]))


def test_decode_rejects_non_events():
    with pytest.raises(ValueError):
        decode_event(msgpack.packb([1, 2, 3]))
    with pytest.raises(ValueError):
        decode_event(msgpack.packb({"v": 1, "seq": 1}))
    with pytest.raises(ValueError):
        decode_event(b"\xc1")  # never-used msgpack byte


def test_newer_version_is_refused():
    d = make_event(1).to_dict()
    d["v"] = schema_version(d["op"]) + 1
    with pytest.raises(NewerEventVersion, match="newer"):
        decode_event(msgpack.packb(d))


def test_missing_upcaster_is_refused():
    d = make_event(1).to_dict()
    d["v"] = 0
    with pytest.raises(UnsupportedEventVersion, match="no upcaster") as raised:
        decode_event(msgpack.packb(d))
    assert not isinstance(raised.value, NewerEventVersion)


def test_an_operation_at_v0_is_upcast_on_decode(versions):
    # A made-up v0 schema of kms:DisableKey: "time" in seconds and no draws.
    versions["kms:DisableKey"] = 1

    @upcasts("kms:DisableKey", 0)
    def v0_to_v1(d: dict) -> dict:
        d["t"] = d.pop("time") * 1000
        d["draws"] = {}
        return d

    old = make_event(5, op="kms:DisableKey").to_dict()
    del old["draws"]
    old["time"] = old.pop("t") // 1000
    old["v"] = 0
    e = decode_event(msgpack.packb(old))
    assert e == make_event(5, op="kms:DisableKey", t=(T0 + 50) // 1000 * 1000)
    assert e.v == 1
    assert list(decode_events([msgpack.packb(old)])) == [e]
    with pytest.raises(ValueError, match="already registered"):
        upcasts("kms:DisableKey", 0)(v0_to_v1)


def test_upcasters_chain_to_the_operations_current_version(versions):
    versions["kms:DisableKey"] = 3
    steps = []
    upcasts("kms:DisableKey", 1)(lambda d: steps.append(1) or {**d, "actor": d["actor"].upper()})
    upcasts("kms:DisableKey", 2)(lambda d: steps.append(2) or {**d, "region": "eu-west-1"})
    old = make_event(9, op="kms:DisableKey", v=1).to_dict()  # written at v1
    e = decode_event(msgpack.packb(old))
    assert steps == [1, 2]
    assert (e.v, e.actor, e.region) == (3, old["actor"].upper(), "eu-west-1")
    other = make_event(10, op="kms:EnableKey")
    assert decode_event(encode_event(other)) == other  # other operations are untouched
    with pytest.raises(ValueError, match=r"no upcaster .* is needed"):
        upcasts("kms:DisableKey", 3)(lambda d: d)


def test_a_v1_generate_data_key_integer_draw_reads_as_its_bytes():
    # kmsim before events.schemas drew the data key as an integer (v1 of the operation).
    d = make_event(3, op="kms:GenerateDataKey").to_dict()
    d.update(v=1, req={"KeyId": "k", "NumberOfBytes": 4}, draws={"DataKey": 0x01020304})
    e = decode_event(msgpack.packb(d))
    assert e.v == schema_version("kms:GenerateDataKey") == 2
    assert e.draws["DataKey"] == b"\x01\x02\x03\x04"
    d.update(req={"KeyId": "k", "KeySpec": "AES_128"}, draws={"DataKey": 7})
    assert decode_event(msgpack.packb(d)).draws["DataKey"] == (7).to_bytes(16, "big")


def test_map_codec():
    h = {"format": 1, "assumptions": {"A-1": "seed"}, 3: b"x"}
    assert decode_map(encode_map(h)) == h
    with pytest.raises(ValueError):
        decode_map(msgpack.packb([1]))


def test_events_package_imports_neither_sim_nor_projections():
    code = (
        "import pkgutil, importlib, sys, events\n"
        "for m in pkgutil.iter_modules(events.__path__):\n"
        "    importlib.import_module('events.' + m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('sim', 'projections')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def test_log_code_never_reads_the_wall_clock(tmp_path, monkeypatch):
    from events.logfile import LogHeader, LogReader, LogWriter, repair_log, verify_log

    def no_clock(*_a: object) -> float:
        raise AssertionError("wall clock read")

    for name in ("time", "time_ns", "monotonic", "monotonic_ns", "localtime", "gmtime"):
        monkeypatch.setattr(time, name, no_clock)
    p = tmp_path / "a.kmlog"
    with LogWriter.create(p, LogHeader(created=T0), sync="batch") as w:
        w.append_many(make_event(i) for i in range(1, 11))
    with LogWriter.open(p) as w:
        w.append(make_event(11))
    with LogReader(p) as r:
        assert [e.seq for e in r] == list(range(1, 12))
    assert verify_log(p).ok
    assert repair_log(p).ok


def test_every_version_step_has_its_upcaster():
    for op, current in SCHEMA_VERSIONS.items():
        assert current > 1, op  # an operation at the base version needs no entry
        for v in range(1, current):
            assert (op, v) in UPCASTERS, f"{op}: no upcaster from v{v}"

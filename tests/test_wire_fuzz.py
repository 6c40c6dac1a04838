"""The wire fuzz driver (bench/wire_fuzz.py) as a bounded test, and property tests of the
same promise: whatever arrives on the wire, no 5xx, no traceback, and the log holds exactly
the answered calls. ``KMSIM_FUZZ_COUNT=100000`` runs a longer fuzz."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import sys
from pathlib import Path

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from server_support import events, raw, running

from sim.server import shapes

spec = importlib.util.spec_from_file_location(
    "wire_fuzz", Path(__file__).resolve().parents[1] / "bench" / "wire_fuzz.py")
assert spec is not None and spec.loader is not None
wire_fuzz = sys.modules["wire_fuzz"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(wire_fuzz)

COUNT = int(os.environ.get("KMSIM_FUZZ_COUNT", "1500"))
MEMBERS = sorted((service, op, member)
                 for service, op in (o.split(":") for o in wire_fuzz._modeled_ops())
                 for member in getattr(shapes.input_shape(service, op), "members", {}))


def test_thousands_of_hostile_requests_get_no_5xx_and_record_only_answers() -> None:
    report = wire_fuzz.run(count=COUNT, seed=11, seconds=max(20.0, COUNT / 100))
    assert report.server_errors == [] and report.tracebacks == 0, report.server_errors[:5]
    assert report.log_mismatch == ""
    assert report.requests >= min(COUNT, 1000)
    assert report.statuses.get(200, 0) > 0 and report.statuses.get(400, 0) > COUNT / 2


@pytest.fixture(scope="module")
def srv():
    with running() as server:
        yield server


def _answered(srv, path: str, body: bytes, headers: dict[str, str]) -> None:
    before = len(events(srv))
    status, answer, _ = raw(srv, "POST", path, body, headers)
    assert status < 500, (path, body[:200], status)
    after = len(events(srv))
    assert after == before + ("x-kmsim-event" in answer)


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MEMBERS), _JSON_VALUES)
def test_any_value_for_any_member_over_json(srv, member, value) -> None:
    service, op, name = member
    text = json.dumps({name: value}, allow_nan=True)  # NaN and Infinity as JSON constants
    headers = {"X-Amz-Target": f"{wire_fuzz.PREFIX[service]}.{op}",
               "Content-Type": "application/x-amz-json-1.1"}
    _answered(srv, "/", text.encode(), headers)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([m for m in MEMBERS if m[0] == "cloudwatch"]), _JSON_VALUES,
       st.booleans())
def test_any_value_for_any_member_over_cbor(srv, member, value, as_time) -> None:
    _, op, name = member
    if as_time and isinstance(value, int | float) and not isinstance(value, bool) and \
            math.isfinite(value):
        value = cbor2.CBORTag(1, value)
    headers = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}
    _answered(srv, f"/service/GraniteServiceVersion20100801/operation/{op}",
              cbor2.dumps({name: value}), headers)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300), st.sampled_from(["json", "cbor"]))
def test_any_bytes_as_a_body(srv, body, protocol) -> None:
    if protocol == "json":
        _answered(srv, "/", body, {"X-Amz-Target": "TrentService.CreateAlias",
                                   "Content-Type": "application/x-amz-json-1.1"})
    else:
        _answered(srv, "/service/GraniteServiceVersion20100801/operation/PutMetricData",
                  body, {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"})

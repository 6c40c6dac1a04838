"""Hostile bodies get a 4xx, cost little, and record nothing (issue 8; R-SRV-06, R-SRV-07).

CBOR reference tags cannot expand a small body, nesting and node counts are bounded before
a decoder builds anything, and nulls, infinities and out-of-range numbers are refused the
way the Smithy JSON and CBOR protocols refuse them.
"""

from __future__ import annotations

import json
import time
import tracemalloc

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from server_support import events, json_call, raw, running

from sim.errors import AwsError
from sim.server import limits
from sim.server.cbor_protocol import CborCodec
from sim.server.json_protocol import JsonCodec
from sim.server.protocols import HttpRequest
from sim.server.status import http_status

CW = "/service/GraniteServiceVersion20100801/operation/"
CBOR = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}
JSON = {"Content-Type": "application/x-amz-json-1.1"}


@pytest.fixture(scope="module")
def srv():
    with running() as server:
        yield server


def shared_reference_bomb(levels: int) -> bytes:
    """A map whose last list names the one before it twice, ``levels`` deep: 2**levels
    strings for a few bytes per level (CBOR tags 28 "shareable" and 29 "shared ref")."""
    items = [b"\xd8\x1c\x82\x61a\x61a"]
    for k in range(levels - 1):
        ref = b"\xd8\x1d" + cbor2.dumps(k)
        items.append(b"\xd8\x1c\x82" + ref + ref)
    return b"\xa1\x6aMetricData\x98" + bytes([len(items)]) + b"".join(items)


def string_reference_bomb(count: int) -> bytes:
    """Tag 256 (string references) around a GetDataset request with an unmodeled member
    (recorded, not type-checked) naming one 256-byte string ``count`` times."""
    ref = b"\xd8\x19\x01"  # tag 25, reference 1 (reference 0 is "Junk")
    return (b"\xd9\x01\x00\xa2\x64Junk\x99" + count.to_bytes(2, "big")
            + b"\x79\x01\x00" + b"x" * 256 + ref * (count - 1)
            + b"\x71DatasetIdentifier\x67default")


def _cbor_error(response: tuple[int, dict[str, str], bytes]) -> tuple[int, str, str]:
    status, headers, body = response
    return status, cbor2.loads(body)["__type"], headers.get("x-kmsim-rule", "")


def _costs(decode, raw_body: bytes) -> tuple[float, float]:
    """(seconds, peak MB allocated) of a decode that must refuse the body (timed apart:
    tracemalloc slows every allocation down)."""
    started = time.perf_counter()
    with pytest.raises(AwsError) as exc:
        decode(raw_body)
    seconds = time.perf_counter() - started
    error = exc.value
    assert http_status(error.service, error.code, {}) == 400 and error.rule == "R-SRV-06", error
    tracemalloc.start()
    try:
        with pytest.raises(AwsError):
            decode(raw_body)
        peak = tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()
    return seconds, peak


def _cbor_request(body: bytes, op: str = "PutMetricData") -> HttpRequest:
    from email.message import Message

    headers = Message()
    for k, v in CBOR.items():
        headers[k] = v
    return HttpRequest("POST", CW + op, "", headers, body)


def test_a_200_byte_shared_reference_bomb_is_refused_at_once(srv) -> None:
    bomb = shared_reference_bomb(24)  # 2**24 strings once expanded: 90 s and 2.6 GB before
    assert len(bomb) < 250
    before = len(events(srv))
    started = time.perf_counter()
    response = raw(srv, "POST", CW + "PutMetricData", bomb, CBOR)
    assert time.perf_counter() - started < 1.0
    assert _cbor_error(response) == (400, "SerializationException", "R-SRV-06")
    assert b"tag 28" in response[2]  # refused at the first reference tag
    assert len(events(srv)) == before
    seconds, peak = _costs(lambda b: CborCodec().decode(_cbor_request(b)), bomb)
    assert seconds < 0.05 and peak < 1


def test_string_references_cannot_inflate_an_event(srv) -> None:
    bomb = string_reference_bomb(60000)  # 180 KB naming 15 MB of text
    assert cbor2.loads(bomb)["Junk"][-1] == "x" * 256  # what cbor2 alone would record
    before = len(events(srv))
    assert _cbor_error(raw(srv, "POST", CW + "GetDataset", bomb, CBOR)) == \
        (400, "SerializationException", "R-SRV-06")
    assert len(events(srv)) == before


@pytest.mark.parametrize("value", [
    cbor2.CBORTag(0, "2026-01-01T00:00:00Z"), cbor2.CBORTag(2, b"\x01\x00"),
    cbor2.CBORTag(4, [-2, 27315]), cbor2.CBORTag(28, "x"), cbor2.CBORTag(55799, {}),
    cbor2.CBORTag(1, "2026-01-01"), cbor2.CBORTag(1, cbor2.CBORTag(1, 5)),
    cbor2.CBORSimpleValue(99), cbor2.undefined])
def test_only_tag_1_around_a_number_is_rpc_v2_cbor(srv, value) -> None:
    body = cbor2.dumps({"StartTime": value, "EndTime": 1, "MetricDataQueries": []})
    rule = "R-SRV-06" if isinstance(value, cbor2.CBORTag) else "R-SRV-01"  # not a value
    assert _cbor_error(raw(srv, "POST", CW + "GetMetricData", body, CBOR)) == \
        (400, "SerializationException", rule)


@pytest.mark.parametrize("body", [
    b"\xa1\x61a" + b"\x81" * 100 + b"\x00",                  # nested 101 deep
    b"\xa1\x61a\x9a\x00\x02\x00\x00" + b"\x80" * 0x20000,    # 131,072 empty lists
    b"\xa1\x61a\x9a\x00\x10\x00\x00" + b"\x00" * 0x100000,   # 1,048,576 integers
    b"\xa1\x61a\x9f" + b"\xa0" * 200000 + b"\xff",           # indefinite list of maps
    cbor2.dumps({}) + b"\x00",                               # a second item
    b"\xa1\x61a\x7f\x61b\x01\xff",                           # a bad string chunk
    b"\xa1\x61a\xff",                                        # a break outside any
])
def test_cbor_structure_is_bounded_before_decoding(srv, body) -> None:
    before = len(events(srv))
    assert _cbor_error(raw(srv, "POST", CW + "GetMetricData", body, CBOR))[:2] == \
        (400, "SerializationException")
    assert len(events(srv)) == before


def test_a_4_mib_body_of_empty_objects_costs_little() -> None:
    body = b'{"logEvents": [' + b"{}," * (4 * 1024 * 1024 // 3 - 10) + b"{}]}"
    seconds, peak = _costs(lambda b: JsonCodec()._body(b, "logs"), body)
    assert seconds < 0.5 and peak < 30, (seconds, peak)  # json.loads alone: ~160 MB
    body = b"\xa1\x61a\x9a\x00\x40\x00\x00" + b"\xa0" * (4 * 1024 * 1024)
    seconds, peak = _costs(lambda b: CborCodec._body(b, "cloudwatch"), body)
    assert seconds < 0.5 and peak < 1, (seconds, peak)


def test_legitimately_large_bodies_pass_the_bounds() -> None:
    messages = [{"timestamp": 1767225600000 + i, "message": '{"k": [1, {"x": "]]]"}]}, '
                 * 3} for i in range(10000)]
    assert limits.json_problem(json.dumps({"logEvents": messages}).encode()) is None
    datum = {"MetricName": "m", "Values": [1.5] * 150, "Counts": [1.0] * 150,
             "Timestamp": cbor2.CBORTag(1, 1767225600),
             "Dimensions": [{"Name": f"d{i}", "Value": "v"} for i in range(30)]}
    assert limits.cbor_problem(cbor2.dumps({"Namespace": "n",
                                            "MetricData": [datum] * 1000})) is None


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-(2 ** 63), 2 ** 64 - 1)
    | st.floats(allow_nan=False) | st.text() | st.binary(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(_JSONISH, st.booleans())
def test_the_cbor_scan_accepts_every_encoding_of_plain_values(value, indefinite) -> None:
    """Any value botocore could send scans clean, whichever lengths the encoder chose."""
    encoded = cbor2.dumps({"v": value, "t": cbor2.CBORTag(1, 5)},
                          **({"indefinite_containers": True} if indefinite else {}))
    assert limits.cbor_problem(encoded) is None


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=64))
def test_the_cbor_scan_never_lets_a_reference_through(data) -> None:
    """Whatever the bytes, a body the scan accepts decodes without expanding references."""
    if limits.cbor_problem(data) is None:
        try:
            value = cbor2.loads(data)
        except (cbor2.CBORDecodeError, ValueError, TypeError, OverflowError):
            return
        assert "CBORTag" not in repr(type(value)) or value.tag == 1


@pytest.mark.parametrize(("target", "body"), [
    ("TrentService.ListKeys", '{"Limit": null}'),
    ("TrentService.ListAliases", '{"Limit": null, "KeyId": null}'),
    ("Logs_20140328.DescribeLogGroups", '{"limit": null, "logGroupNamePrefix": null}'),
    ("GraniteServiceVersion20100801.GetDataset", '{"DatasetIdentifier": null}'),
    ("KmsimSim.PutPrincipal", '{"Name": "p", "Arn": "arn:aws:iam::111122223333:role/R", '
     '"Policies": null}'),
])
def test_a_null_member_is_an_absent_member(srv, target, body) -> None:
    status, headers, _ = json_call(srv, target, json.loads(body))
    assert status < 500
    if "x-kmsim-event" in headers:
        req = events(srv)[int(headers["x-kmsim-event"]) - 1]["req"]
        assert None not in req.values()


@pytest.mark.parametrize(("target", "body", "rule"), [
    ("Logs_20140328.PutLogEvents",
     '{"logGroupName": "g", "logStreamName": "s", "logEvents": [null]}', "R-SRV-07"),
    ("TrentService.Encrypt", '{"KeyId": "k", "Plaintext": "AA==", '
     '"EncryptionContext": {"a": null}}', "R-SRV-07"),
    ("TrentService.CreateKey", '{"Tags": [{"TagKey": "a", "TagValue": null}, null]}',
     "R-SRV-07"),
    ("TrentService.ScheduleKeyDeletion", '{"KeyId": "k", "PendingWindowInDays": 2147483648}',
     "R-SRV-07"),
    ("TrentService.ScheduleKeyDeletion", '{"KeyId": "k", "PendingWindowInDays": 1e308}',
     "R-SRV-01"),
    ("TrentService.ListKeys", '{"Limit": -2147483649}', "R-SRV-07"),
    ("TrentService.ListKeys", '{"Limit": Infinity}', "R-SRV-01"),
    ("TrentService.ListKeys", '{"Limit": -Infinity}', "R-SRV-01"),
    ("TrentService.ListKeys", '{"Limit": 1e400}', "R-SRV-01"),
    ("Logs_20140328.GetLogEvents", '{"logGroupName": "g", "logStreamName": "s", '
     '"startTime": 9223372036854775808}', "R-SRV-01"),
    ("Logs_20140328.GetLogEvents", '{"logGroupName": "g", "logStreamName": "s", '
     '"startTime": 1e308}', "R-SRV-01"),
    ("Logs_20140328.DescribeLogGroups", '{"logGroupNamePrefix": NaN}', "R-SRV-01"),
    ("GraniteServiceVersion20100801.GetMetricData",
     '{"StartTime": 1e308, "EndTime": 1, "MetricDataQueries": []}', "R-SRV-07"),
    ("GraniteServiceVersion20100801.GetMetricData",
     '{"StartTime": -1, "EndTime": 1, "MetricDataQueries": []}', "R-SRV-07"),
    ("GraniteServiceVersion20100801.PutMetricData",
     '{"Namespace": "n", "MetricData": [{"MetricName": "m", "Value": 1, '
     '"Timestamp": 10000000000000000}]}', "R-SRV-07"),
    ("GraniteServiceVersion20100801.PutMetricData",
     '{"Namespace": "n", "MetricData": [{"MetricName": "m", "Values": [1, null]}]}',
     "R-SRV-07"),
])
def test_nulls_in_lists_and_numbers_out_of_range_are_400(srv, target, body, rule) -> None:
    before = len(events(srv))
    status, headers, data = raw(srv, "POST", "/", body, {**JSON, "X-Amz-Target": target})
    assert (status, json.loads(data)["__type"], headers["x-kmsim-rule"]) == \
        (400, "SerializationException", rule)
    assert len(events(srv)) == before


def test_a_cbor_timestamp_out_of_range_is_400(srv) -> None:
    for seconds in (1e308, 10 ** 16, -1):
        body = cbor2.dumps({"StartTime": cbor2.CBORTag(1, seconds),
                            "EndTime": cbor2.CBORTag(1, 1), "MetricDataQueries": []})
        status, code, _ = _cbor_error(raw(srv, "POST", CW + "GetMetricData", body, CBOR))
        assert (status, code) == (400, "SerializationException"), seconds


def test_the_control_endpoint_bounds_its_json_too(srv) -> None:
    status, _, body = raw(srv, "POST", "/_kmsim/clock", b"[" + b"{}," * 200000 + b"{}]")
    assert status == 400 and json.loads(body)["__type"] == "ValidationException"

"""The server's fast paths answer exactly as the general ones (issue 12, Speed)."""

from __future__ import annotations

import json

import pytest

from events.timefmt import format_time
from sim.errors import AwsError
from sim.server.clock import time_header
from sim.server.json_protocol import JsonCodec
from sim.server.limits import MAX_DEPTH
from sim.server.protocols import HttpRequest, plain, plain_json

BODIES = [
    b'{"KeyId": "alias/a", "Limit": 5, "On": true, "X": null, "F": 1.5}',
    b'{"n": 9223372036854775807}',
    b'{"n": 9223372036854775808}',          # over 64 bits: refused
    b'{"n": -9223372036854775809}',
    b'{"f": 1e999}',                         # infinite: refused
    b'{"s": "\\ud800"}',                     # a lone surrogate: refused
    b'{"s": "\\u00e9t\\u00e9"}',             # escapes that are fine
    b'{"l": [1, [2, {"a": [3]}]]}',
    b'{"a":' + b"[" * (MAX_DEPTH - 1) + b"1" + b"]" * (MAX_DEPTH - 1) + b"}",
    b'{"a":' + b"[" * MAX_DEPTH + b"1" + b"]" * MAX_DEPTH + b"}",  # one level too deep
]


def _outcome(f, *args):
    try:
        return "ok", f(*args)
    except AwsError as exc:
        return exc.code, exc.message


@pytest.mark.parametrize("raw", BODIES)
def test_json_body_decodes_as_the_general_path(raw):
    # the general path: json.loads then plain(), as before the fast path
    def general(raw: bytes) -> object:
        body = json.loads(raw.decode(), parse_constant=lambda c: 1 / 0)
        return plain(body, "kms")

    assert _outcome(JsonCodec._body, raw, "kms") == _outcome(general, raw)


def test_plain_json_says_no_to_what_plain_changes_or_refuses():
    assert plain_json({"a": [1, 2.5, "x", None, True]})
    assert not plain_json({"a": 2 ** 64})
    assert not plain_json({"a": float("inf")})
    assert not plain_json({"a": b"bytes"})  # plain turns bytes into base64 text


def test_decode_refuses_a_bom_as_json_loads_does():
    request = HttpRequest("POST", "/", "", {"X-Amz-Target": "TrentService.ListKeys"},
                          "\ufeff{}".encode())
    with pytest.raises(AwsError) as err:
        JsonCodec().decode(request)
    assert "BOM" in err.value.message


@pytest.mark.parametrize("ms", [0, 1, 999, 1000, 1001, -1, -1500, 1767225600000,
                                1767225600999, 1767225601000, 253402300799998])
def test_time_header_is_format_time(ms):
    assert time_header(ms) == format_time(ms)
    assert time_header(ms + 1) == format_time(ms + 1)  # the kept second, then the next

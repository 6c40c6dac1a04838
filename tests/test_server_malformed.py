"""Malformed requests get 4xx AWS errors, never 5xx, and change nothing (SPEC 10)."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import cbor2
import pytest
from server_support import json_call, raw, running

from sim.server.app import MAX_BODY
from sim.services import known_operations

JSON = {"Content-Type": "application/x-amz-json-1.1"}
CBOR_PATH = "/service/GraniteServiceVersion20100801/operation/GetDataset"
CBOR = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}


@pytest.fixture(scope="module")
def srv():
    with running() as server:
        yield server


def _error(response: tuple[int, dict[str, str], bytes]) -> tuple[int, str]:
    status, headers, body = response
    if headers.get("content-type") == "application/cbor":
        return status, cbor2.loads(body)["__type"]
    return status, json.loads(body)["__type"]


@pytest.mark.parametrize(("method", "path", "body", "headers", "expected"), [
    ("POST", "/", "{not json", {**JSON, "X-Amz-Target": "TrentService.ListKeys"},
     (400, "SerializationException")),
    ("POST", "/", "[1, 2]", {**JSON, "X-Amz-Target": "TrentService.ListKeys"},
     (400, "SerializationException")),
    ("POST", "/", '{"Limit": NaN}', {**JSON, "X-Amz-Target": "TrentService.ListKeys"},
     (400, "SerializationException")),
    ("POST", "/", b'{"KeyId": "\xff"}', {**JSON, "X-Amz-Target": "TrentService.DescribeKey"},
     (400, "SerializationException")),
    ("POST", "/", '{"KeyId": "\\ud800"}', {**JSON, "X-Amz-Target": "TrentService.DescribeKey"},
     (400, "SerializationException")),
    ("POST", "/", '{"KeyId": 5}', {**JSON, "X-Amz-Target": "TrentService.DescribeKey"},
     (400, "SerializationException")),
    ("POST", "/", '{"Limit": 100000000000000000000000}',
     {**JSON, "X-Amz-Target": "TrentService.ListKeys"}, (400, "SerializationException")),
    ("POST", "/", '{"CiphertextBlob": "not base64!"}',
     {**JSON, "X-Amz-Target": "TrentService.Decrypt"}, (400, "SerializationException")),
    ("POST", "/", "[" * 100000 + "]" * 100000, {**JSON, "X-Amz-Target": "TrentService.ListKeys"},
     (400, "SerializationException")),
    ("POST", "/", "{}", JSON, (400, "UnknownOperationException")),
    ("POST", "/", "{}", {**JSON, "X-Amz-Target": "Nope_2020.ListKeys"},
     (400, "UnknownOperationException")),
    ("POST", "/", "{}", {**JSON, "X-Amz-Target": "TrentService"},
     (400, "UnknownOperationException")),
    ("POST", "/", "{}", {"Content-Type": "text/plain", "X-Amz-Target": "TrentService.ListKeys"},
     (415, "UnsupportedMediaTypeException")),
    ("GET", "/", "", {}, (405, "UnknownOperationException")),
    ("DELETE", "/", "", {}, (405, "UnknownOperationException")),
    ("BREW", "/", "", {}, (405, "UnknownOperationException")),
    ("POST", "/", "{}", {**JSON, "X-Amz-Target": "TrentService.ListKeys",
                         "Authorization": "AWS4-HMAC-SHA256 garbage"},
     (400, "IncompleteSignatureException")),
    ("POST", CBOR_PATH, b"\xff\xff\x00", CBOR, (400, "SerializationException")),
    ("POST", CBOR_PATH, cbor2.dumps([1, 2]), CBOR, (400, "SerializationException")),
    ("POST", CBOR_PATH, cbor2.dumps({1: "x"}), CBOR, (400, "SerializationException")),
    ("POST", CBOR_PATH, cbor2.dumps({"DatasetIdentifier": cbor2.CBORTag(99, 1)}), CBOR,
     (400, "SerializationException")),
    ("POST", CBOR_PATH, cbor2.dumps({"DatasetIdentifier": 7}), CBOR,
     (400, "SerializationException")),
    ("POST", CBOR_PATH, b"\x9b" + b"\xff" * 8, CBOR, (400, "SerializationException")),
    ("POST", CBOR_PATH, cbor2.dumps({"DatasetIdentifier": "default"}),
     {"Content-Type": "application/cbor"}, (400, "SerializationException")),
    ("POST", CBOR_PATH, cbor2.dumps({"DatasetIdentifier": "default"}),
     {**CBOR, "Content-Type": "application/json"}, (415, "UnsupportedMediaTypeException")),
    ("POST", "/service/Nope/operation/GetDataset", cbor2.dumps({}), CBOR,
     (404, "UnknownOperationException")),
    ("POST", "/service/GraniteServiceVersion20100801/GetDataset", cbor2.dumps({}), CBOR,
     (404, "UnknownOperationException")),
    ("GET", "/_kmsim/nope", "", {}, (404, "NotFound")),
    ("DELETE", "/_kmsim/clock", "", {}, (405, "MethodNotAllowed")),
    ("POST", "/_kmsim/clock", "{bad", {}, (400, "ValidationException")),
    ("POST", "/_kmsim/clock", '{"advance": "5 minutes"}', {}, (400, "ValidationException")),
    ("GET", "/_kmsim/at?time=yesterday", "", {}, (400, "ValidationException")),
    ("GET", "/_kmsim/events?after=x", "", {}, (400, "ValidationException")),
])
def test_malformed_requests_get_4xx_and_record_nothing(srv, method, path, body, headers,
                                                       expected) -> None:
    before = len(srv.app.sim.events)
    response = raw(srv, method, path, body, headers)
    assert _error(response) == expected
    assert "x-kmsim-rule" in response[1] or path.startswith("/_kmsim/")
    assert len(srv.app.sim.events) == before


def test_an_unsimulated_operation_is_an_event_with_its_rule(srv) -> None:
    # every KMS operation of the model is simulated since issue 13: a name outside it
    status, headers, body = json_call(srv, "TrentService.Frobnicate", {"KeyId": "k"})
    assert (status, body["__type"], headers["x-kmsim-rule"]) == \
        (400, "UnknownOperationException", "R-SIM-03")
    assert srv.app.sim.events[-1].op == "kms:Frobnicate"


def _raw_socket(srv, data: bytes) -> bytes:
    parts = urlsplit(srv.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while True:  # bounded by the server closing the connection (or the timeout)
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def test_oversized_chunked_and_garbage_requests(srv) -> None:
    big = _raw_socket(srv, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: "
                      + str(MAX_BODY + 1).encode() + b"\r\n\r\n{}")
    assert big.startswith(b"HTTP/1.1 413") and b"RequestEntityTooLargeException" in big
    chunked = _raw_socket(srv, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                          b"\r\n2\r\n{}\r\n0\r\n\r\n")
    assert chunked.startswith(b"HTTP/1.1 411")
    for line in (b"GARBAGE\r\n\r\n", b"GET / HTTP/2.0\r\n\r\n", b"\x16\x03\x01\x00\xa5\r\n\r\n"):
        answer = _raw_socket(srv, line)
        # a one-word request line is HTTP/0.9, whose answer has no status line
        assert answer[9:10] == b"4" or b"Error code: 400" in answer, (line, answer[:40])


@pytest.mark.parametrize("body", [{}, {"KeyId": 7, "logGroupName": [], "Namespace": {}},
                                  {"KeyId": "", "logGroupName": "", "DatasetIdentifier": ""}])
def test_no_registered_operation_answers_5xx_to_junk(srv, body) -> None:
    prefixes = {"kms": "TrentService", "logs": "Logs_20140328", "sim": "KmsimSim",
                "cloudwatch": "GraniteServiceVersion20100801"}
    crashes = []
    for op in known_operations():
        service, name = op.split(":")
        if service not in prefixes:  # operations other tests register
            continue
        status, _, answer = json_call(srv, f"{prefixes[service]}.{name}", body)
        if status >= 500 and answer.get("__type") != "ServiceUnavailableException":
            crashes.append((op, status, answer))
    assert crashes == []

"""Wire fuzz of ``kmsim serve`` (issue 8): thousands of hostile requests, zero 5xx.

Run from the repository root::

    python bench/wire_fuzz.py                      # 20,000 requests, seed 1
    python bench/wire_fuzz.py --count 100000 --seed 7 --seconds 300

A server runs in this process on 127.0.0.1 (an ephemeral port, never another host) and
receives, in a seeded random mix: boto3-shaped JSON and rpc-v2-cbor bodies for every
modeled operation, built from botocore's input shapes, with one member replaced by a
hostile value (null, NaN, infinities, numbers beyond their type, wrong types, deep
nesting, long lists, CBOR reference tags), bodies with random bytes flipped, cut or
inserted, and broken HTTP framing (short bodies, repeated or bad Content-Length, chunked
bodies, garbage request lines). It then checks that no answer was a 5xx, that nothing
on stderr was a traceback, and that the event log holds exactly the calls whose answer
carried ``x-kmsim-event`` (the refused ones recorded nothing). Exit 0 when all hold.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import http.client
import io
import json
import random
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cbor2

from sim.server import AuthConfig, KmsimApp, RunningServer, shapes
from sim.server.cbor_protocol import SERVICES as CBOR_SERVICES
from sim.server.json_protocol import TARGETS
from sim.simulator import Simulator

#: Seconds a client waits for an answer (a hostile body must not cost the server this much).
TIMEOUT = 10
PREFIX = {service: prefix for prefix, service in TARGETS.items()}
CBOR_NAME = {service: name for name, service in CBOR_SERVICES.items()}
JSON_TYPE = {"cloudwatch": "application/x-amz-json-1.0"}
#: Strings that name things the set-up created, so that some calls get past validation.
NAMES = ["alias/fuzz", "g", "s", "default", "", "x" * 300, "arn:aws:kms:us-east-1:"
         "111122223333:key/00000000-0000-4000-8000-000000000001", "AWS/Usage", "\u00e9"]
HOSTILE_JSON = ["null", "NaN", "Infinity", "-Infinity", "1e308", "-1e308", "1e400",
                "9223372036854775808", "-9223372036854775809", "2147483648", "-2147483649",
                "1.5", "10000000000000000", "-1", "0", '""', "true", "[]", "{}", "[null]",
                '{"a": null}', '"\\ud800"', '"' + "x" * 5000 + '"', "[" * 80 + "]" * 80,
                "[" + ",".join(["0"] * 20000) + "]", '{"a":' * 70 + "1" + "}" * 70]
SHARED_BOMB = b"\xd8\x1c\x82\x61a\x61a" + b"".join(
    b"\xd8\x1c\x82" + (b"\xd8\x1d" + cbor2.dumps(k)) * 2 for k in range(22))
HOSTILE_CBOR: list[object] = [
    None, float("nan"), float("inf"), -float("inf"), 2 ** 64 - 1, -(2 ** 64), 2 ** 31, 1e308,
    "", b"\x00", True, [], {}, [None], cbor2.CBORTag(28, "x"), cbor2.CBORTag(29, 0),
    cbor2.CBORTag(25, 0), cbor2.CBORTag(1, "x"), cbor2.CBORTag(1, 1e308),
    cbor2.CBORTag(2, b"\x01" * 9), cbor2.CBORTag(99, 1), cbor2.undefined,
    cbor2.CBORSimpleValue(99), [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[0]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
    list(range(5000))]


@dataclass
class Report:
    """What a fuzz run saw."""

    requests: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    answered: dict[int, str] = field(default_factory=dict)  # event seq -> op it answered
    tracebacks: int = 0
    log_mismatch: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """No 5xx, no traceback, and the log equals the answered calls."""
        return not (self.server_errors or self.tracebacks or self.log_mismatch)


def example(shape, rng: random.Random, depth: int = 0) -> object:
    """A plausible value for a botocore shape (what boto3 would send)."""
    kind = shape.type_name
    if kind == "structure":
        required = set(shape.required_members)
        return {name: example(member, rng, depth + 1) for name, member in shape.members.items()
                if name in required or (depth < 4 and rng.random() < 0.4)}
    if kind == "list":
        return [example(shape.member, rng, depth + 1) for _ in range(rng.randint(0, 2))]
    if kind == "map":
        return {rng.choice(["k", "aws:logs:arn", "a"]): example(shape.value, rng, depth + 1)
                for _ in range(rng.randint(0, 2))}
    if kind == "string":
        return rng.choice(shape.enum) if shape.enum else rng.choice(NAMES)
    if kind in ("integer", "long"):
        return rng.choice([0, 1, 7, 30, 50, 100, 1000, -1])
    if kind == "boolean":
        return rng.random() < 0.5
    if kind in ("float", "double"):
        return rng.choice([0.0, 1.5, -2.0, 1e10])
    if kind == "timestamp":
        return 1767225600 + rng.randint(-86400, 86400 * 30)
    if kind == "blob":
        return base64.b64encode(rng.randbytes(rng.randint(0, 64))).decode()
    return None


def _slots(value: object, path: tuple = ()) -> list[tuple]:
    """Every place in a value one could replace (paths of keys and indexes)."""
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _slots(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _slots(v, (*path, i))
    return out


def _replace(value: object, path: tuple, new: object) -> object:
    if not path:
        return new
    if isinstance(value, dict):
        return {**value, path[0]: _replace(value.get(path[0]), path[1:], new)}
    copy = list(value)  # type: ignore[call-overload]
    copy[path[0]] = _replace(copy[path[0]], path[1:], new)
    return copy


def _as_cbor(shape, value: object) -> object:
    """A JSON-shaped example in rpc-v2-cbor's terms (tag 1 timestamps, byte blobs)."""
    return shapes.for_cbor(shape, value, cbor2.CBORTag)


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return rng.randbytes(rng.randint(1, 40))
    pos = rng.randrange(len(data))
    choice = rng.random()
    if choice < 0.3:
        return data[:pos]
    if choice < 0.6:
        return data[:pos] + bytes([rng.randrange(256)]) + data[pos + 1:]
    if choice < 0.8:
        return data[:pos] + rng.choice([b"\xd8\x1c", b"\xd8\x1d\x00", b"\xff", b"\x9f",
                                        b"\xbf", b"\\", b'"', b"{", b"[", b"\x00"]) + data[pos:]
    return data + data[pos:]


def json_request(rng: random.Random, ops: list[tuple[str, str]]) -> tuple[str, bytes, dict]:
    """(op, body, headers) of an awsJson call with one member made hostile."""
    service, name = rng.choice(ops)
    shape = shapes.input_shape(service, name)
    value = example(shape, rng) if shape is not None else {"KeyId": rng.choice(NAMES)}
    token = None
    if rng.random() < 0.85:
        slot = rng.choice(_slots(value)[1:] or [("Junk",)])
        value = _replace(value, slot, "\u0000FUZZ\u0000")
        token = rng.choice(HOSTILE_JSON)
    body = json.dumps(value)
    if token is not None:
        body = body.replace('"\\u0000FUZZ\\u0000"', token)
    data = body.encode("utf-8", "surrogatepass")
    if rng.random() < 0.2:
        data = _mutate_bytes(data, rng)
    headers = {"X-Amz-Target": f"{PREFIX[service]}.{name}",
               "Content-Type": JSON_TYPE.get(service, "application/x-amz-json-1.1")}
    return f"{service}:{name}", data, headers


def cbor_request(rng: random.Random, ops: list[str]) -> tuple[str, bytes, dict, str]:
    """(op, body, headers, path) of an rpc-v2-cbor call with one member made hostile."""
    name = rng.choice(ops)
    shape = shapes.input_shape("cloudwatch", name)
    value = _as_cbor(shape, example(shape, rng))
    if rng.random() < 0.8:
        slot = rng.choice(_slots(value)[1:] or [("Junk",)])
        value = _replace(value, slot, rng.choice(HOSTILE_CBOR))
    try:
        data = cbor2.dumps(value)
    except (ValueError, TypeError, OverflowError):
        data = cbor2.dumps({})
    roll = rng.random()
    if roll < 0.2:
        data = _mutate_bytes(data, rng)
    elif roll < 0.25:
        data = b"\xa1\x64Junk\x98\x17" + SHARED_BOMB
    headers = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}
    path = f"/service/{CBOR_NAME['cloudwatch']}/operation/{name}"
    return f"cloudwatch:{name}", data, headers, path


def framing_request(rng: random.Random) -> bytes:
    """Raw bytes of a request whose HTTP framing is broken."""
    body = b'{"Limit": 5}'
    head = b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: TrentService.ListKeys\r\n"
    return rng.choice([
        head + b"Content-Length: 40\r\n\r\n" + body,
        head + b"Content-Length: 12\r\nContent-Length: 12\r\n\r\n" + body,
        head + b"Content-Length: \r\n\r\n" + body,
        head + b"Content-Length: -12\r\n\r\n" + body,
        head + b"Content-Length: 1_2\r\n\r\n" + body,
        head + b"Transfer-Encoding: chunked\r\n\r\nc\r\n" + body + b"\r\n0\r\n\r\n",
        head + b"X-Long: " + b"a" * 70000 + b"\r\n\r\n",
        b"GARBAGE\r\n\r\n", rng.randbytes(rng.randint(1, 200)) + b"\r\n\r\n",
        b"GET / HTTP/2.0\r\n\r\n", head + b"Content-Length: 99999999999\r\n\r\n",
    ])


class _Client:
    """One keep-alive connection, reopened whenever the server closes it."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.conn: http.client.HTTPConnection | None = None

    def send(self, path: str, body: bytes, headers: dict) -> tuple[int, dict[str, str]]:
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
            try:
                self.conn.request("POST", path, body=body, headers=headers)
                response = self.conn.getresponse()
                response.read()
                if response.will_close:
                    self.close()
                return response.status, {k.lower(): v for k, v in response.getheaders()}
            except (ConnectionError, http.client.HTTPException):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _raw(url: str, data: bytes) -> tuple[int, dict[str, str]]:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=TIMEOUT) as sock:
        sock.sendall(data)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    if not head[0].startswith("HTTP/1."):
        return 0, {}  # no answer (HTTP/0.9 error page, or the connection closed)
    headers = dict(line.split(": ", 1) for line in head[1:] if ": " in line)
    return int(head[0].split()[1]), {k.lower(): v for k, v in headers.items()}


def _setup(srv: RunningServer, report: Report) -> None:
    """A key with an alias, a log group and stream, so that some fuzzed calls succeed."""
    client = _Client(srv.url)
    calls = [("kms:CreateKey", {}), ("logs:CreateLogGroup", {"logGroupName": "g"}),
             ("logs:CreateLogStream", {"logGroupName": "g", "logStreamName": "s"})]
    for op, params in calls:
        service, name = op.split(":")
        _, headers = client.send("/", json.dumps(params).encode(), {
            "X-Amz-Target": f"{PREFIX[service]}.{name}",
            "Content-Type": "application/x-amz-json-1.1"})
        report.answered[int(headers["x-kmsim-event"])] = op
    client.close()


def run(count: int = 20000, seed: int = 1, seconds: float = 600.0,
        srv: RunningServer | None = None) -> Report:
    """Send up to ``count`` hostile requests (stopping after ``seconds``) and check them."""
    rng = random.Random(seed)
    report = Report()
    stderr, sys.stderr = sys.stderr, io.StringIO()  # count tracebacks the server prints
    owned = srv is None
    try:
        if srv is None:
            sim = Simulator(start="2026-01-01T00:00:00Z")
            srv = RunningServer(KmsimApp(sim, AuthConfig(sim.account, sim.region)))
        started = time.perf_counter()
        _fuzz(srv, rng, count, started + seconds, report)
        report.seconds = time.perf_counter() - started
        _check_log(srv, report)
    finally:
        captured, sys.stderr = sys.stderr.getvalue(), stderr  # type: ignore[union-attr]
        if owned and srv is not None:
            srv.close()
    report.tracebacks = captured.count("Traceback")
    if report.tracebacks:
        print(captured[-4000:], file=sys.stderr)
    return report


def _fuzz(srv: RunningServer, rng: random.Random, count: int, deadline: float,
          report: Report) -> None:
    _setup(srv, report)
    json_ops = [tuple(op.split(":")) for op in sorted(_modeled_ops()) if not
                op.startswith("sim:InjectFault")]
    cbor_ops = [name for service, name in json_ops if service == "cloudwatch"]
    client = _Client(srv.url)
    for _ in range(count):
        if time.perf_counter() > deadline:
            break
        roll = rng.random()
        try:
            if roll < 0.55:
                op, body, headers = json_request(rng, json_ops)  # type: ignore[arg-type]
                status, answer = client.send("/", body, headers)
            elif roll < 0.9:
                op, body, headers, path = cbor_request(rng, cbor_ops)
                status, answer = client.send(path, body, headers)
            else:
                op = "kms:ListKeys"
                status, answer = _raw(srv.url, framing_request(rng))
        except TimeoutError:  # a request that costs the server this long is a failure
            client.close()
            status, answer = 599, {"x-kmsim-rule": f"no answer in {TIMEOUT} s"}
        report.requests += 1
        report.statuses[status] = report.statuses.get(status, 0) + 1
        if status >= 500:
            report.server_errors.append(f"{status} {op}: {answer.get('x-kmsim-rule')}")
        if "x-kmsim-event" in answer:
            report.answered[int(answer["x-kmsim-event"])] = op
    client.close()


def _modeled_ops() -> set[str]:
    from sim.services import known_operations

    return {op for op in known_operations() if op.split(":")[0] in PREFIX}


def _check_log(srv: RunningServer, report: Report) -> None:
    """The event log holds exactly the answered calls, each under the op it answered."""
    client = _Client(srv.url)
    events: list[dict] = []
    while True:
        conn = http.client.HTTPConnection(client.host, client.port, timeout=TIMEOUT)
        conn.request("GET", f"/_kmsim/events?after={len(events)}")
        page = json.loads(conn.getresponse().read())
        conn.close()
        events += page["events"]
        if not page["more"]:
            break
    recorded = {e["seq"]: e["op"] for e in events}
    if recorded != report.answered:
        extra = sorted(set(recorded) - set(report.answered))[:5]
        missing = sorted(set(report.answered) - set(recorded))[:5]
        wrong = [s for s in recorded if s in report.answered
                 and recorded[s] != report.answered[s]][:5]
        report.log_mismatch = (f"{len(recorded)} events, {len(report.answered)} answered; "
                               f"unanswered events {extra}, missing {missing}, other op {wrong}")


def main(argv: list[str] | None = None) -> int:
    """The command line: run, print the tally, exit 1 on any failure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20000, help="requests (default 20000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--seconds", type=float, default=600, help="stop after (default 600)")
    args = parser.parse_args(argv)
    report = run(args.count, args.seed, args.seconds)
    print(f"{report.requests} requests in {report.seconds:.1f} s; statuses "
          f"{dict(sorted(report.statuses.items()))}; {len(report.answered)} events")
    for line in report.server_errors[:20]:
        print("5xx:", line)
    if report.tracebacks:
        print(f"{report.tracebacks} tracebacks on stderr")
    if report.log_mismatch:
        print("log mismatch:", report.log_mismatch)
    print("ok" if report.ok else "FAILED")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""HTTP framing (issue 8, R-SRV-08): a body is executed only when all of it arrived under
one valid Content-Length; clients that vanish or stall, and running out of file handles,
cost a quiet connection and never a traceback or a spinning accept loop."""

from __future__ import annotations

import errno
import json
import socket
import struct
import threading
import time
from urllib.parse import urlsplit

import pytest
from server_support import events, raw, running

from sim.server import app as app_module

LIST_KEYS = b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: TrentService.ListKeys\r\n" \
            b"Content-Type: application/x-amz-json-1.1\r\n"


def _connect(srv) -> socket.socket:
    parts = urlsplit(srv.url)
    return socket.create_connection((parts.hostname, parts.port), timeout=10)


def _exchange(srv, data: bytes, half_close: bool = True) -> bytes:
    """Send ``data``, optionally shut the sending side, read until the server closes."""
    with _connect(srv) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _status_and_rule(answer: bytes) -> tuple[int, str]:
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in head[1:])
    return int(head[0].split()[1]), headers.get("x-kmsim-rule", "")


def _reset(sock: socket.socket) -> None:
    """Close with an RST (SO_LINGER 0), as a crashed client or a proxy timeout does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


@pytest.fixture(scope="module")
def srv():
    with running(timeout=0.5) as server:
        yield server


def test_a_body_shorter_than_its_content_length_is_never_executed(srv) -> None:
    before = len(events(srv))
    answer = _exchange(srv, LIST_KEYS + b"Content-Length: 50\r\n\r\n{}")
    assert _status_and_rule(answer) == (400, "R-SRV-08")
    assert len(events(srv)) == before
    answer = _exchange(srv, LIST_KEYS + b"Content-Length: 2\r\n\r\n{}")  # complete: runs
    assert _status_and_rule(answer)[0] == 200 and len(events(srv)) == before + 1


def test_a_stalled_body_times_out_unexecuted_and_quietly(srv, capfd) -> None:
    before = len(events(srv))
    started = time.perf_counter()
    with _connect(srv) as sock:
        sock.sendall(LIST_KEYS + b"Content-Length: 10\r\n\r\n{}")
        answer = sock.recv(65536)  # the server gives up after its 0.5 s timeout
    assert time.perf_counter() - started < 5
    assert _status_and_rule(answer) == (400, "R-SRV-08")
    assert len(events(srv)) == before
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("lengths", [
    [b"2", b"2"], [b"2", b"3"], [b""], [b"-1"], [b"abc"], [b"+2"], [b"2_0"], [b"0x2"],
    [b"\xd9\xa2"], [b"2, 2"], [b"1" * 40]])
def test_content_length_must_be_one_decimal_number(srv, lengths) -> None:
    before = len(events(srv))
    head = b"".join(b"Content-Length: " + v + b"\r\n" for v in lengths)
    answer = _exchange(srv, LIST_KEYS + head + b"\r\n{}")
    assert _status_and_rule(answer) == (400, "R-SRV-08")
    assert len(events(srv)) == before


def test_disconnecting_clients_leave_no_traceback(srv, capfd) -> None:
    before = len(events(srv))
    for data in (b"POST / HTTP/1.1\r\nHost: x\r\n",           # mid-headers
                 LIST_KEYS + b"Content-Length: 100\r\n\r\n{",  # mid-body
                 b"GET /_kmsim/events HTTP/1.1\r\nHost: x\r\n\r\n"):  # before the answer
        sock = _connect(srv)
        sock.sendall(data)
        _reset(sock)
    time.sleep(0.2)  # let the server's threads meet the resets
    # A client that half-closes and never reads, while the answer is being written.
    with _connect(srv) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        for _ in range(50):
            sock.sendall(b"GET /_kmsim/events?limit=1000 HTTP/1.1\r\nHost: x\r\n\r\n")
        _reset(sock)
    time.sleep(0.7)  # past the 0.5 s timeout of anything still waiting
    assert "Traceback" not in capfd.readouterr().err
    assert len(events(srv)) == before
    assert raw(srv, "GET", "/_kmsim/clock")[0] == 200  # still serving


def test_running_out_of_file_handles_does_not_spin(monkeypatch, capfd) -> None:
    """accept() failing with EMFILE: the loop pauses instead of retrying at once, says so
    once on stderr, and serves again when handles are back."""
    real_accept = socket.socket.accept
    calls = []
    starved = threading.Event()
    starved.set()

    def accept(sock: socket.socket):
        if starved.is_set() and sock.getsockname()[1] == port:
            calls.append(1)
            raise OSError(errno.EMFILE, "Too many open files")
        return real_accept(sock)

    with running() as srv:
        port = urlsplit(srv.url).port
        monkeypatch.setattr(socket.socket, "accept", accept)
        waiting = _connect(srv)  # pending in the backlog: the listening socket is readable
        waiting.sendall(b"GET /_kmsim/clock HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(1.0)
        spins = len(calls)
        starved.clear()  # handles are back
        answer = waiting.recv(65536)
        waiting.close()
        monkeypatch.setattr(socket.socket, "accept", real_accept)
    assert 1 <= spins <= 2 / app_module.ACCEPT_BACKOFF, spins  # a busy loop: ~100,000
    assert answer.startswith(b"HTTP/1.1 200")
    err = capfd.readouterr().err
    assert err.count("cannot accept a connection") == 1 and "Traceback" not in err


def test_a_large_body_is_read_and_executed_whole(srv) -> None:
    body = json.dumps({"Limit": 5, "Marker": "x" * (1024 * 1024)}).encode()
    status, headers, _ = raw(srv, "POST", "/", body, {
        "X-Amz-Target": "TrentService.ListKeys",
        "Content-Type": "application/x-amz-json-1.1"})
    assert status < 500 and "x-kmsim-event" in headers
    assert len(events(srv)[-1]["req"]["Marker"]) == 1024 * 1024

"""The HTTP front: route a request to a control endpoint, a wire codec, or (for a service
kmsim does not simulate) :mod:`sim.server.other_services`; identify the caller, run the
call through the Simulator (one at a time: it is single-writer) at the instant
:mod:`sim.server.clock` gives it, and answer in the codec's shape (with ``x-kmsim-event``
and ``x-kmsim-time``, the event's number and instant), every error with the status
:func:`sim.server.status.http_status` decides; ``-v`` logs each (:mod:`.requestlog`).
The codecs know bytes; this module knows neither format.
"""

from __future__ import annotations

import errno
import ipaddress
import re
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO

from events.codec import encode_map
from sim.errors import AwsError, Refusal
from sim.recording import EventTooLarge, NotRecorded, RecorderCrashed
from sim.server import control, other_services
from sim.server.auth import AuthConfig, identify
from sim.server.cbor_protocol import CborCodec
from sim.server.clock import CONCURRENT_HEADER, ServerClock, concurrent_flag, time_header
from sim.server.json_protocol import JsonCodec
from sim.server.protocols import (
    ApiCall,
    Codec,
    HttpRequest,
    HttpResponse,
    check_params,
    serialization_error,
)
from sim.server.requestlog import RequestLog, Seen
from sim.server.status import http_server_status, http_status
from sim.simulator import Simulator

#: Larger than any modeled request (PutLogEvents and PutMetricData stop at about 1 MB).
MAX_BODY = 4 * 1024 * 1024
#: A Content-Length is ASCII digits only (int() would take "+5", "5_0", other digits).
_LENGTH = re.compile(r"[0-9]{1,16}", re.ASCII)
#: The body arrives in reads of at most this much, so memory follows what was sent.
_READ_CHUNK = 64 * 1024
#: accept() errors that mean "out of file handles or memory": retrying at once would spin.
_OUT_OF_HANDLES = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}
#: Seconds the accept loop pauses after such an error (connections in progress go on).
ACCEPT_BACKOFF = 0.1


def not_recorded_error(call: ApiCall, exc: NotRecorded) -> AwsError:
    """The answer to a call that could not be recorded (nothing changed):
    RequestEntityTooLargeException (413) for an event over the log's frame limit,
    SerializationException (400) for a request value the log cannot hold, InternalFailure
    (500) otherwise (a kmsim fault, such as a failed write; its traceback goes to stderr)."""
    cause = exc.__cause__
    if isinstance(cause, EventTooLarge):
        return AwsError("RequestEntityTooLargeException", f"{cause}; nothing was recorded",
                        "R-SRV-05", call.service)
    if exc.stage == "encode" and not recordable(call.params):
        return serialization_error("a request value cannot be recorded in the event log "
                                   f"({exc.reason}); nothing was recorded", call.service)
    traceback.print_exception(cause or exc, file=sys.stderr)
    return AwsError("InternalFailure", f"kmsim failed on {call.op}: {exc}", None, call.service)


def recordable(params: dict) -> bool:
    """Whether request parameters can be stored in the log (msgpack) as they are."""
    try:
        encode_map(params)
    except (TypeError, ValueError, OverflowError):
        return False
    return True


def request_id(seq: int) -> str:
    """A UUID-shaped request id derived from the event number (no randomness)."""
    return f"00000000-0000-4000-8000-{seq:012d}"


class KmsimApp:
    """The Simulator behind a lock, with the server's clock, identities and codecs;
    ``request_log`` (``kmsim serve -v``) gets one line per request (``requestlog``)."""

    def __init__(self, sim: Simulator, auth: AuthConfig | None = None, clock: str = "sim",
                 speed: float = 1.0, request_log: TextIO | None = None) -> None:
        self.sim = sim
        self.auth = auth or AuthConfig(sim.account, sim.region)
        self.clock = ServerClock(sim, clock, speed)
        self.lock = threading.RLock()
        self.json: Codec = JsonCodec()
        self.cbor: Codec = CborCodec()
        self.request_log = RequestLog(request_log, self) if request_log is not None else None

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one request (never raises); with ``request_log``, log one line."""
        seen = Seen()
        response = self._answer(request, seen)
        if self.request_log is not None:
            self.request_log.write(request, seen, response)
        return response

    def _answer(self, request: HttpRequest, seen: Seen) -> HttpResponse:
        if request.path.startswith(control.PREFIX):
            seen.caller = "-"  # no principal calls the simulator's own endpoints
            return control.handle(self, request)
        other = other_services.addressed(request)  # R-SRV-40: its own protocol, no event
        if other is not None:
            seen.op = f"{other.service or '?'}:{other.operation or '?'}"
            return self._error(other.codec, other.error(), None)
        codec = self.cbor if CborCodec.matches(request) else self.json
        try:
            if request.method != "POST":
                raise AwsError("UnknownOperationException",
                               f"{request.method} {request.path}: AWS API calls are POST "
                               "requests; control endpoints are under /_kmsim/", "R-SRV-02",
                               refusal=Refusal.METHOD)
            identity = identify(request, self.auth)
            seen.caller = identity.actor
            call = codec.decode(request)
            seen.op = call.op
            check_params(call)
            concurrent = _concurrent(request, call)
            return self._call(codec, call, identity.actor, identity.region, concurrent)
        except AwsError as exc:
            return self._error(codec, exc, None)

    def _call(self, codec: Codec, call: ApiCall, actor: str, region: str,
              concurrent: bool = False) -> HttpResponse:
        with self.lock:
            # R-SRV-12/13: after the previous event; R-SRV-14: at its instant if asked
            t = self.clock.request_time(concurrent)
            try:
                event = self.sim.call(call.op, call.params, at=t, as_=actor,
                                      region=region).event
            except NotRecorded as exc:
                return self._error(codec, not_recorded_error(call, exc), None)
            except RecorderCrashed as exc:
                print(f"kmsim: error: {exc}", file=sys.stderr)
                return self._error(codec, AwsError(
                    "InternalFailure", f"kmsim stopped recording: {exc}", None, call.service),
                    None)
            except Exception as exc:  # a kmsim bug outside recording: say so, stay up
                traceback.print_exc(file=sys.stderr)
                return self._error(codec, AwsError(
                    "InternalFailure", f"kmsim failed on {call.op}: {type(exc).__name__}: "
                    f"{exc}", None, call.service), None)
        if not event.ok:
            error = AwsError(str(event.err), str(event.out.get("msg", "")), event.rule,
                             call.service)
            response = self._error(codec, error, event.seq)
        else:
            response = codec.encode_result(call, event.res)
            response.headers["x-amzn-RequestId"] = request_id(event.seq)
            response.headers["x-kmsim-event"] = str(event.seq)
        response.headers["x-kmsim-time"] = time_header(event.t)  # the instant it happened at
        return response

    def _error(self, codec: Codec, error: AwsError, seq: int | None) -> HttpResponse:
        # The one status decision, under the timeline's assumptions (A-SRV-AUTH-STATUS,
        # A-SRV-REFUSALS, A-SRV-OTHER-SERVICES).
        status = http_status(error.service, error.code, self.sim.settings,
                             refusal=error.refusal)
        response = codec.encode_error(error, status)
        response.code = error.code
        response.headers["x-amzn-RequestId"] = request_id(seq or 0)
        if seq is not None:
            response.headers["x-kmsim-event"] = str(seq)
        if error.rule:
            response.headers["x-kmsim-rule"] = error.rule
        return response

    def replace_timeline(self, sim: Simulator) -> Simulator:
        """Serve ``sim`` from now on, with a new clock of the same mode and speed; returns
        the Simulator it replaces (``POST /_kmsim/reset``; the caller holds the lock)."""
        with self.lock:
            old, self.sim = self.sim, sim
            self.clock = ServerClock(sim, self.clock.mode, self.clock.speed)
            return old

    def close(self) -> None:
        """Flush and release the log (waits for a call in progress)."""
        with self.lock:
            self.sim.close()


def _concurrent(request: HttpRequest, call: ApiCall) -> bool:
    """Whether the request asks to be concurrent with the previous event (R-SRV-14)."""
    try:
        return concurrent_flag(request.header(CONCURRENT_HEADER))
    except ValueError as exc:
        raise AwsError("ValidationException", f"{exc}; send {CONCURRENT_HEADER}: true to make "
                       "this request concurrent with the previous event (nothing was recorded)",
                       "R-SRV-14", call.service) from None


class _Handler(BaseHTTPRequestHandler):
    """Reads one request at a time from a keep-alive connection, bounded in size and time.

    A body is executed only when all the bytes its one Content-Length announced arrived
    (R-SRV-08); a client that disconnects or stalls ends its connection quietly.
    """

    protocol_version = "HTTP/1.1"
    server_version = "kmsim"
    sys_version = ""
    timeout = 60              # an idle keep-alive connection is closed after a minute
    disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms stalls)
    server: KmsimHTTPServer

    def setup(self) -> None:
        """The socket timeout is the server's (tests shorten it)."""
        self.timeout = self.server.request_timeout
        super().setup()

    def handle(self) -> None:
        """Serve the connection; a reset, broken pipe or timeout just ends it."""
        try:
            super().handle()
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def __getattr__(self, name: str) -> Any:
        # Every method (GET, PUT, FOO...) reaches _serve, which answers 4xx for the
        # ones it does not serve: http.server itself would answer 501.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """http.server's own refusals (bad request line, HTTP/2 preface) stay 4xx."""
        super().send_error(http_server_status(code), message, explain)

    def _serve(self) -> None:
        if self.headers.get("Transfer-Encoding", "").strip().lower() not in ("", "identity"):
            self._refuse("LengthRequiredException",
                         "send the body with a Content-Length (no chunked transfer)")
            return
        lengths = [str(v).strip() for v in self.headers.get_all("Content-Length") or []]
        if len(lengths) > 1 or (lengths and not _LENGTH.fullmatch(lengths[0])):
            self._refuse("SerializationException", "send one Content-Length header, a "
                         "decimal number of bytes", "R-SRV-08")
            return
        length = int(lengths[0]) if lengths else 0
        if length > MAX_BODY:
            self._refuse("RequestEntityTooLargeException",
                         f"Content-Length must be 0 to {MAX_BODY} bytes")
            return
        body = self._read_body(length)
        if len(body) < length:  # the client closed early or stalled: never executed
            self._refuse("SerializationException", f"the body ended after {len(body)} "
                         f"of the {length} bytes its Content-Length announced", "R-SRV-08")
            return
        path, _, query = self.path.partition("?")
        request = HttpRequest(self.command, path, query, self.headers, body)
        self._send(self.server.app.handle(request))

    def _read_body(self, length: int) -> bytes:
        """Up to ``length`` bytes: fewer when the client closes or the socket times out."""
        body = bytearray()
        try:
            while len(body) < length:
                chunk = self.rfile.read1(min(_READ_CHUNK, length - len(body)))
                if not chunk:
                    break
                body += chunk
        except TimeoutError:
            pass
        return bytes(body)

    def _refuse(self, code: str, message: str, rule: str = "R-SRV-05") -> None:
        self.close_connection = True  # the unread body makes the connection unusable
        error = AwsError(code, message, rule)
        app = self.server.app
        codec = app.cbor if self.path.startswith("/service/") else app.json
        response = app._error(codec, error, None)
        if app.request_log is not None:
            app.request_log.write(None, Seen(op=f"{self.command} {self.path.partition('?')[0]}"),
                                  response)
        self._send(response)

    def _send(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Nothing: the app logs each request its own way (``kmsim serve -v``)."""

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class KmsimHTTPServer(ThreadingHTTPServer):
    """A thread per connection; the app's lock makes calls one at a time.

    Out of file handles (EMFILE on accept), the accept loop pauses ``ACCEPT_BACKOFF``
    seconds instead of retrying at once, and goes on serving when handles free up.
    Errors on a connection print one line to stderr (a traceback with ``-v``); a client
    that went away prints nothing.
    """

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # a burst of clients waits in the backlog, not refused

    def __init__(self, address: tuple[str, int], app: KmsimApp, verbose: bool = False,
                 timeout: float = 60.0) -> None:
        self.app = app
        self.verbose = verbose
        self.request_timeout = timeout
        self._wake = threading.Event()  # ends a back-off pause early on shutdown
        self._starved = False
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[Any, Any]:
        """accept(); on running out of handles, pause before the loop tries again."""
        try:
            request = super().get_request()
        except OSError as exc:
            if exc.errno in _OUT_OF_HANDLES:
                if not self._starved:
                    print(f"kmsim serve: cannot accept a connection ({exc.strerror}); "
                          f"retrying every {ACCEPT_BACKOFF} s", file=sys.stderr, flush=True)
                self._starved = True
                self._wake.wait(ACCEPT_BACKOFF)
            raise
        self._starved = False
        return request

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line per failed connection, not socketserver's traceback flood."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return
        print(f"kmsim serve: error on a connection from {client_address[0]}: "
              f"{type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        if self.verbose:
            traceback.print_exc(file=sys.stderr)

    def shutdown(self) -> None:
        """Stop serve_forever (without waiting out a back-off pause)."""
        self._wake.set()
        super().shutdown()

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` of the bound socket."""
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RunningServer:
    """A server on a background thread (tests, benchmarks); ``with`` stops it."""

    def __init__(self, app: KmsimApp, host: str = "127.0.0.1", port: int = 0,
                 timeout: float = 60.0) -> None:
        self.app = app
        self.httpd = KmsimHTTPServer((host, port), app, timeout=timeout)
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        """The endpoint_url for boto3."""
        return self.httpd.url

    def close(self) -> None:
        """Stop serving, then flush the log."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)
        self.app.close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""The HTTP front: route a request to a control endpoint or a wire codec, identify the
caller, run the call through the Simulator (one at a time: it is single-writer), and
answer in the codec's shape. The codecs know bytes; this module knows neither format.
"""

from __future__ import annotations

import ipaddress
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sim.server import control
from sim.server.auth import AuthConfig, identify
from sim.server.cbor_protocol import CborCodec
from sim.server.clock import ServerClock
from sim.server.json_protocol import JsonCodec
from sim.server.protocols import (
    ApiCall,
    ApiError,
    Codec,
    HttpRequest,
    HttpResponse,
    check_params,
    status_for,
)
from sim.simulator import Simulator

#: Larger than any modeled request (PutLogEvents and PutMetricData stop at about 1 MB).
MAX_BODY = 4 * 1024 * 1024


def request_id(seq: int) -> str:
    """A UUID-shaped request id derived from the event number (no randomness)."""
    return f"00000000-0000-4000-8000-{seq:012d}"


class KmsimApp:
    """The Simulator behind a lock, with the server's clock, identities and codecs."""

    def __init__(self, sim: Simulator, auth: AuthConfig | None = None, clock: str = "sim",
                 speed: float = 1.0) -> None:
        self.sim = sim
        self.auth = auth or AuthConfig(sim.account, sim.region)
        self.clock = ServerClock(sim, clock, speed)
        self.lock = threading.RLock()
        self.json: Codec = JsonCodec()
        self.cbor: Codec = CborCodec()

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one request (never raises)."""
        if request.path.startswith(control.PREFIX):
            return control.handle(self, request)
        codec = self.cbor if CborCodec.matches(request) else self.json
        try:
            if request.method != "POST":
                raise ApiError("UnknownOperationException",
                               f"{request.method} {request.path}: AWS API calls are POST "
                               "requests; control endpoints are under /_kmsim/", 405,
                               "R-SRV-02")
            identity = identify(request, self.auth)
            call = codec.decode(request)
            check_params(call)
            return self._call(codec, call, identity.actor, identity.region)
        except ApiError as exc:
            return self._error(codec, exc, None)

    def _call(self, codec: Codec, call: ApiCall, actor: str, region: str) -> HttpResponse:
        with self.lock:
            t = self.clock.sync()
            try:
                result = self.sim.call(call.op, call.params, at=t, as_=actor, region=region)
            except Exception as exc:  # a handler's bug: no event was recorded
                traceback.print_exc(file=sys.stderr)
                return self._error(codec, ApiError(
                    "InternalFailure", f"kmsim failed on {call.op}: {type(exc).__name__}: "
                    f"{exc}", 500, None, call.service), None)
            event = result.event
            if event.ok and call.op == "sim:PutPrincipal":
                self.sim.names[str(call.params["Name"])] = str(call.params["Arn"])
        if not event.ok:
            code = str(event.err)
            error = ApiError(code, str(event.out.get("msg", "")), status_for(call.service, code),
                             event.rule, call.service)
            return self._error(codec, error, event.seq)
        response = codec.encode_result(call, event.res)
        response.headers["x-amzn-RequestId"] = request_id(event.seq)
        response.headers["x-kmsim-event"] = str(event.seq)
        return response

    @staticmethod
    def _error(codec: Codec, error: ApiError, seq: int | None) -> HttpResponse:
        response = codec.encode_error(error)
        response.headers["x-amzn-RequestId"] = request_id(seq or 0)
        if seq is not None:
            response.headers["x-kmsim-event"] = str(seq)
        if error.rule:
            response.headers["x-kmsim-rule"] = error.rule
        return response

    def close(self) -> None:
        """Flush and release the log (waits for a call in progress)."""
        with self.lock:
            self.sim.close()


class _Handler(BaseHTTPRequestHandler):
    """Reads one request at a time from a keep-alive connection, bounded in size and time."""

    protocol_version = "HTTP/1.1"
    server_version = "kmsim"
    sys_version = ""
    timeout = 60              # an idle keep-alive connection is closed after a minute
    disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms stalls)
    server: KmsimHTTPServer

    def __getattr__(self, name: str) -> Any:
        # Every method (GET, PUT, FOO...) reaches _serve, which answers 4xx for the
        # ones it does not serve: http.server itself would answer 501.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """http.server's own refusals (bad request line, HTTP/2 preface) stay 4xx."""
        super().send_error(400 if code >= 500 else code, message, explain)

    def _serve(self) -> None:
        if self.headers.get("Transfer-Encoding", "").strip().lower() not in ("", "identity"):
            self._refuse(411, "LengthRequiredException",
                         "send the body with a Content-Length (no chunked transfer)")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self._refuse(413, "RequestEntityTooLargeException",
                         f"Content-Length must be 0 to {MAX_BODY} bytes")
            return
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        request = HttpRequest(self.command, path, query, self.headers, body)
        self._send(self.server.app.handle(request))

    def _refuse(self, status: int, code: str, message: str) -> None:
        self.close_connection = True  # the unread body makes the connection unusable
        error = ApiError(code, message, status, "R-SRV-05")
        codec = self.server.app.cbor if self.path.startswith("/service/") else \
            self.server.app.json
        self._send(KmsimApp._error(codec, error, None))

    def _send(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class KmsimHTTPServer(ThreadingHTTPServer):
    """A thread per connection; the app's lock makes calls one at a time."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: KmsimApp, verbose: bool = False
                 ) -> None:
        self.app = app
        self.verbose = verbose
        super().__init__(address, _Handler)

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

    def __init__(self, app: KmsimApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.httpd = KmsimHTTPServer((host, port), app)
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

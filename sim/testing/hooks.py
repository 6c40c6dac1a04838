"""Where botocore meets the in-process simulator: its ``before-send`` event (SPEC 12).

botocore validates, serialises and signs a call, then emits ``before-send.SERVICE.Op``
to every handler registered on the client's emitter and keeps the first non-None answer
as the HTTP response (no network); moto's ``mock_aws`` answers there too
(``moto/core/botocore_stubber.py``). kmsim registers two handlers in botocore's
``BUILTIN_HANDLERS``, so every session made afterwards gives them to every client it
creates, whether that client is made before or after a :class:`~sim.testing.SimulatedAws`
starts (a client of a session made earlier gets them with :func:`patch_client`):

- :data:`ROUTER`, on ``before-send.kms``, ``before-send.cloudwatch-logs`` and
  ``before-send.cloudwatch``: the most specific names, so it runs before moto's handler
  (registered on ``before-send``). It turns the prepared request into the server's
  :class:`~sim.server.protocols.HttpRequest`, answers with ``KmsimApp.handle`` (the
  server's codecs, handlers and status decision: the same bytes ``kmsim serve`` sends) and
  then points the request at :data:`ANSWERED_HOST`, because botocore still calls the
  handlers after it with the same request: moto's stubber then sees a URL that is not
  AWS's and leaves the request alone, so nothing kmsim answered reaches moto's backends.
- :data:`GUARD`, on ``before-send``, registered last: for a service kmsim does not
  simulate it raises :class:`NotSimulated` naming the service, unless the simulation was
  started with ``passthrough`` (True, or the services to let through) or moto's
  ``mock_aws`` is active (moto answers those services, before the guard runs).

Both do nothing while no simulation is active: botocore then sends as usual.
"""

from __future__ import annotations

import sys
import threading
from io import BytesIO
from typing import Any, Protocol
from urllib.parse import SplitResult, urlsplit

from botocore import handlers as botocore_handlers
from botocore.awsrequest import AWSResponse

from sim.server.protocols import HttpRequest, HttpResponse

#: botocore's hyphenated service ids of the services kmsim simulates.
SERVICE_IDS = {"kms": "kms", "cloudwatch-logs": "logs", "cloudwatch": "cloudwatch"}
#: Where an answered request points afterwards (``.invalid`` never resolves, RFC 6761).
ANSWERED_HOST = "kmsim.invalid"


class NotSimulated(RuntimeError):
    """A call to a service kmsim does not simulate, made while a simulation is active."""


class Answerer(Protocol):
    """What the router needs from an active simulation."""

    passthrough: bool | frozenset[str]

    def handle(self, request: HttpRequest) -> HttpResponse:
        """The server's answer to one request."""


class _Body(BytesIO):
    """A response body as botocore reads it (``stream()``, as urllib3's)."""

    def stream(self, **_: Any) -> Any:
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


class Router:
    """The ``before-send`` handlers and the stack of active simulations (innermost last)."""

    def __init__(self) -> None:
        self._active: list[Answerer] = []
        self._lock = threading.Lock()

    def push(self, sim: Answerer) -> None:
        """Route to ``sim`` until :meth:`remove` (innermost now, once in the stack)."""
        with self._lock:
            if sim in self._active:
                self._active.remove(sim)
            self._active.append(sim)

    def remove(self, sim: Answerer) -> None:
        """Stop routing to ``sim`` (the one started before it answers again)."""
        with self._lock:
            if sim in self._active:
                self._active.remove(sim)

    @property
    def current(self) -> Answerer | None:
        """The simulation that answers now (the innermost), or None."""
        return self._active[-1] if self._active else None

    def answer(self, request: Any, event_name: str = "", **_: Any) -> AWSResponse | None:
        """Answer a request to kms, logs or cloudwatch from the active simulation."""
        active = self._active
        if not active:  # inactive: botocore sends as usual
            return None
        url = request.url
        parts = urlsplit(url)  # once a request: the host here, path and query for the server
        if parts.netloc == ANSWERED_HOST:  # answered already
            return None
        response = active[-1].handle(http_request(request, parts))
        # Handlers after this one (moto's) get the same request: it no longer names AWS.
        request.url = parts._replace(scheme="http", netloc=ANSWERED_HOST).geturl()
        return aws_response(url, response)

    def guard(self, request: Any, event_name: str = "", **_: Any) -> None:
        """Refuse a service kmsim does not simulate (see the module docstring)."""
        sim = self.current
        if sim is None:
            return
        service = event_name.split(".")[1] if event_name.count(".") >= 1 else ""
        if service in SERVICE_IDS or _answered(request.url):
            return
        let_through = sim.passthrough
        if let_through is True or (let_through and service in let_through) or moto_active():
            return
        raise NotSimulated(
            f"kmsim does not simulate the service {service!r} (it simulates kms, logs and "
            f"cloudwatch): {request.method} {request.url} was not sent. Pass "
            f"passthrough={{{service!r}}} (or True) to simulated_aws to let it through, or "
            "mock it with moto's mock_aws in the same test")


def moto_active() -> bool:
    """Whether moto's ``mock_aws`` is active (it answers the other services)."""
    models = sys.modules.get("moto.core.models")
    stubber = getattr(models, "botocore_stubber", None)
    return bool(getattr(stubber, "enabled", False))


class RequestHeaders:
    """botocore's (case-insensitive) request headers read as the server reads an
    ``email.message.Message``: ``get`` and ``get_all``, text values. Building a Message
    per request would cost more than the rest of this module's work together."""

    def __init__(self, headers: Any, host: str) -> None:
        # One pass over botocore's few headers; then each look-up is a dict's. Its headers
        # are an email Message: its raw (name, value) list is what items() gives, without
        # the per-value policy call (which changes only values with surrogates: none here).
        raw = getattr(headers, "_headers", None)
        pairs = raw if isinstance(raw, list) else headers.items()
        self._headers = {str(k).lower(): v.decode("utf-8") if isinstance(v, bytes) else str(v)
                         for k, v in pairs}
        self._headers.setdefault("host", host)  # urllib3 adds it on the wire; signed

    def get(self, name: str, default: str | None = None) -> str | None:
        """One header's value (text), or ``default``."""
        return self._headers.get(name.lower(), default)

    def get_all(self, name: str, failobj: Any = None) -> Any:
        """Every value of a header (botocore keeps one), or ``failobj``."""
        value = self.get(name)
        return failobj if value is None else [value]


def _answered(url: str) -> bool:
    """Whether ``url`` points at :data:`ANSWERED_HOST` (the substring test first: most
    URLs never contain it, and urlsplit is the costly part)."""
    return ANSWERED_HOST in url and urlsplit(url).netloc == ANSWERED_HOST


def http_request(request: Any, parts: SplitResult | None = None) -> HttpRequest:
    """botocore's prepared request as the server reads one (``parts``: its URL, split
    already)."""
    if parts is None:
        parts = urlsplit(request.url)
    body = request.body
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, bytes | bytearray):
        body = body.read()
    headers = RequestHeaders(request.headers, parts.netloc)
    return HttpRequest(request.method, parts.path or "/", parts.query,
                       headers, bytes(body))  # type: ignore[arg-type]


def aws_response(url: str, response: HttpResponse) -> AWSResponse:
    """The server's response as botocore's (with the Content-Length the server sends)."""
    headers = {**response.headers, "Content-Length": str(len(response.body))}
    return AWSResponse(url, response.status, headers, _Body(response.body))


def patch_client(client: Any) -> Any:
    """Give kmsim's handlers to a client of a session made before :mod:`sim.testing` was
    imported (later sessions have them already; a second registration is harmless: an
    answered request is never answered again); returns the client."""
    events = client.meta.events
    for name, handler, how in _HANDLERS:
        register = events.register_last if how is botocore_handlers.REGISTER_LAST \
            else events.register_first
        register(name, handler, unique_id=f"kmsim-{name}")
    return client


#: The one router of this process.
ROUTER = Router()
_HANDLERS = [(f"before-send.{sid}", ROUTER.answer, None) for sid in SERVICE_IDS] + [
    ("before-send", ROUTER.guard, botocore_handlers.REGISTER_LAST)]
for _name, _handler, _how in _HANDLERS:
    botocore_handlers.BUILTIN_HANDLERS.append(
        (_name, _handler) if _how is None else (_name, _handler, _how))

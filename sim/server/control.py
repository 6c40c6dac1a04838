"""The control endpoints under ``/_kmsim/`` (SPEC 10): JSON in, JSON out.

- ``GET /_kmsim/clock`` -> ``{"now": RFC3339, "ms": int, "clock": "sim"|"wall"}``;
  ``POST /_kmsim/clock`` with ``{"advance": "5m"}`` or ``{"set": TIME}`` moves it
  forward (timers due on the way fire) and answers the same document.
- ``GET /_kmsim/at?time=T&as=P``: the ``kmsim at --json`` document (default: now, the
  account root); T is RFC 3339, ``+OFFSET`` from the start, or ``#N``.
- ``GET /_kmsim/events?after=N&limit=L``: ``{"events": [Event.to_dict()...], "last": M,
  "more": bool}``, the events numbered above N, at most L (default and cap 1000).

With ``--verify-signatures`` every control request must be SigV4-signed like an API
call, with any service name in its scope; an unsigned or badly signed one is refused
with 403 (R-SRV-11) before it reads or moves anything.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import unquote

from events.timefmt import TimeSyntaxError, format_time, parse_duration
from projections.answers import answers_at
from sim.server.auth import parse_authorization, verify_signature
from sim.server.limits import json_problem
from sim.server.protocols import ApiError, HttpRequest, HttpResponse

if TYPE_CHECKING:
    from sim.server.app import KmsimApp

PREFIX = "/_kmsim/"
MAX_EVENTS = 1000


class ControlError(Exception):
    """A bad control request: answered 400 (or 404/405) with a JSON error."""

    def __init__(self, message: str, status: int = 400, code: str = "ValidationException"
                 ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


def _json(status: int, doc: object, rule: str | None = None) -> HttpResponse:
    headers = {"Content-Type": "application/json"}
    if rule:
        headers["x-kmsim-rule"] = rule
    return HttpResponse(status, json.dumps(doc, default=str).encode(), headers)


def query_params(query: str) -> dict[str, str]:
    """The query string as a dict; ``+`` stays ``+`` (``time=+5m`` is an offset)."""
    out = {}
    for pair in query.split("&")[:32]:
        name, _, value = pair.partition("=")
        if name:
            out[unquote(name)] = unquote(value)
    return out


def handle(app: KmsimApp, request: HttpRequest) -> HttpResponse:
    """Answer one control request."""
    routes = {"clock": (_clock, ("GET", "POST")), "at": (_at, ("GET",)),
              "events": (_events, ("GET",))}
    name = request.path[len(PREFIX):].strip("/")
    if app.auth.verify:
        try:
            verify_signature(request, parse_authorization(request), app.auth, "R-SRV-11")
        except ApiError as exc:
            return _json(exc.status, {"__type": exc.code, "message": exc.message}, exc.rule)
    try:
        if name not in routes:
            raise ControlError(f"no control endpoint {request.path}: try /_kmsim/clock, "
                               "/_kmsim/at, /_kmsim/events", 404, "NotFound")
        fn, methods = routes[name]
        if request.method not in methods:
            raise ControlError(f"{request.path} answers {' and '.join(methods)}", 405,
                               "MethodNotAllowed")
        return _json(200, fn(app, request))
    except ControlError as exc:
        return _json(exc.status, {"__type": exc.code, "message": exc.message})


def _clock_doc(app: KmsimApp, now: int) -> dict:
    return {"now": format_time(now), "ms": now, "clock": app.clock.mode,
            "speed": app.clock.speed}


def _clock(app: KmsimApp, request: HttpRequest) -> dict:
    if request.method == "GET":
        with app.lock:
            return _clock_doc(app, app.clock.sync())
    try:
        if json_problem(request.body):  # bounded before json.loads builds it (R-SRV-06)
            raise ValueError
        body = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        raise ControlError("the body must be JSON: {\"advance\": \"5m\"} or "
                           "{\"set\": \"2026-01-08T00:00:00Z\"}") from None
    if not isinstance(body, dict) or len(set(body) & {"advance", "set"}) != 1:
        raise ControlError("give exactly one of {\"advance\": DURATION} and {\"set\": TIME}")
    with app.lock:
        try:
            if "advance" in body:
                now = app.clock.advance(parse_duration(str(body["advance"])))
            else:
                now = app.clock.set(app.sim.when(str(body["set"])))
        except (TimeSyntaxError, ValueError) as exc:
            raise ControlError(str(exc)) from None
        return _clock_doc(app, now)


def _at(app: KmsimApp, request: HttpRequest) -> dict:
    params = query_params(request.query)
    with app.lock:
        now = app.clock.sync()
        try:
            t = app.sim.when(params["time"]) if params.get("time") else now
            principal = app.sim.principal_arn(params.get("as") or None)
        except (TimeSyntaxError, ValueError, KeyError) as exc:
            raise ControlError(str(exc).strip("'\"")) from None
        if t < app.sim.start:
            raise ControlError(f"{format_time(t)} is before the start, "
                               f"{format_time(app.sim.start)}")
        text = params.get("time", "").strip()
        if text.startswith("#"):  # just after event N: not the later events at its instant
            world = app.sim.timeline.world_at(t, int(text[1:]))
        else:
            world = app.sim.world_at(t)
        return answers_at(world, principal)


def _events(app: KmsimApp, request: HttpRequest) -> dict:
    params = query_params(request.query)
    try:
        after = int(params.get("after") or 0)
        limit = min(int(params.get("limit") or MAX_EVENTS), MAX_EVENTS)
    except ValueError:
        raise ControlError("after and limit are event counts (integers)") from None
    if after < 0 or limit < 1:
        raise ControlError("after must be >= 0 and limit >= 1")
    with app.lock:
        events = app.sim.events[after:after + limit]
        total = len(app.sim.events)
        docs = [e.to_dict() for e in events]
    last = docs[-1]["seq"] if docs else min(after, total)
    return {"events": docs, "last": last, "more": after + len(docs) < total}

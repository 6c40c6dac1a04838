"""The control endpoints under ``/_kmsim/`` (SPEC 10): JSON in, JSON out.

- ``GET /_kmsim/clock`` -> ``{"now": RFC3339, "ms": int, "clock": "sim"|"wall"}``;
  ``POST /_kmsim/clock`` with ``{"advance": "5m"}`` or ``{"set": TIME}`` moves it
  forward (timers due on the way fire) and answers the same document.
- ``GET /_kmsim/at?time=T&as=P``: the ``kmsim at --json`` document (default: now, the
  account root); T is RFC 3339, ``+OFFSET`` from the start, or ``#N``.
- ``GET /_kmsim/events?after=N&limit=L``: ``{"events": [Event.to_dict()...], "last": M,
  "more": bool}``, the events numbered above N, at most L (default and cap 1000).
- ``POST /_kmsim/reset`` (empty body or ``{}``): a fresh timeline with the same flags
  (R-SRV-15): start, account, region, profile, assumptions (``--set``; a resumed log's
  header), seed, ``--principal`` mappings, clock mode and speed. Principals declared with
  ``sim:PutPrincipal`` are events, so they go with the old timeline. Without ``--log`` the
  old timeline is dropped. With ``--log FILE`` nothing is lost: the old log is renamed
  ``STEM.reset-N.kmlog`` (N one more than the highest already there; FILE's own suffix
  when it has one) and a new log starts at FILE; a log that held no event is removed
  instead. Answers ``{"reset": true, "events_before": N, "previous_log": PATH|null,
  "log": FILE|null, "now": RFC3339, "ms": int, "clock": ..., "speed": ...}``. It runs
  under the server's lock: a call in progress finishes first, later ones see the fresh
  timeline. If the new log cannot be created, the old timeline stays (500).

With ``--verify-signatures`` every control request must be SigV4-signed like an API
call, with any service name in its scope; an unsigned or badly signed one is refused
with 403 (R-SRV-11) before it reads or moves anything.

A bad control request is an :class:`~sim.errors.AwsError` (ValidationException, NotFound,
MethodNotAllowed, InternalFailure) answered as JSON ``{"__type", "message"}`` with the
status :func:`sim.server.status.http_status` gives a control endpoint's answer.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from events.timefmt import TimeSyntaxError, format_time, parse_duration
from projections.timetravel.answers import answers_at
from sim.errors import AwsError
from sim.server.auth import parse_authorization, verify_signature
from sim.server.limits import json_problem
from sim.server.protocols import HttpRequest, HttpResponse
from sim.server.status import OK, http_status
from sim.simulator import Simulator

if TYPE_CHECKING:
    from sim.server.app import KmsimApp

PREFIX = "/_kmsim/"
MAX_EVENTS = 1000


def invalid(message: str) -> AwsError:
    """A control request whose parameters or body cannot be used (ValidationException)."""
    return AwsError("ValidationException", message, None)


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
              "events": (_events, ("GET",)), "reset": (_reset, ("POST",))}
    name = request.path[len(PREFIX):].strip("/")
    try:
        if app.auth.verify:
            verify_signature(request, parse_authorization(request), app.auth, "R-SRV-11")
        if name not in routes:
            raise AwsError("NotFound", f"no control endpoint {request.path}: try "
                           "/_kmsim/clock, /_kmsim/at, /_kmsim/events, /_kmsim/reset", None)
        fn, methods = routes[name]
        if request.method not in methods:
            raise AwsError("MethodNotAllowed", f"{request.path} answers "
                           f"{' and '.join(methods)}", None)
        return _json(OK, fn(app, request))
    except AwsError as exc:
        status = http_status(exc.service, exc.code, app.sim.settings, refusal=exc.refusal,
                             control=True)
        return _json(status, {"__type": exc.code, "message": exc.message}, exc.rule)


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
        raise invalid("the body must be JSON: {\"advance\": \"5m\"} or "
                      "{\"set\": \"2026-01-08T00:00:00Z\"}") from None
    if not isinstance(body, dict) or len(set(body) & {"advance", "set"}) != 1:
        raise invalid("give exactly one of {\"advance\": DURATION} and {\"set\": TIME}")
    with app.lock:
        try:
            if "advance" in body:
                now = app.clock.advance(parse_duration(str(body["advance"])))
            else:
                now = app.clock.set(app.sim.when(str(body["set"])))
        except (TimeSyntaxError, ValueError) as exc:
            raise invalid(str(exc)) from None
        return _clock_doc(app, now)


def _at(app: KmsimApp, request: HttpRequest) -> dict:
    params = query_params(request.query)
    with app.lock:
        now = app.clock.sync()
        try:
            t = app.sim.when(params["time"]) if params.get("time") else now
            principal = app.sim.principal_arn(params.get("as") or None)
        except (TimeSyntaxError, ValueError, KeyError) as exc:
            raise invalid(str(exc).strip("'\"")) from None
        if t < app.sim.start:
            raise invalid(f"{format_time(t)} is before the start, {format_time(app.sim.start)}")
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
        raise invalid("after and limit are event counts (integers)") from None
    if after < 0 or limit < 1:
        raise invalid("after must be >= 0 and limit >= 1")
    with app.lock:
        events = app.sim.events[after:after + limit]
        total = len(app.sim.events)
        docs = [e.to_dict() for e in events]
    last = docs[-1]["seq"] if docs else min(after, total)
    return {"events": docs, "last": last, "more": after + len(docs) < total}


def _reset(app: KmsimApp, request: HttpRequest) -> dict:
    if request.body.strip() not in (b"", b"{}"):
        raise invalid("POST /_kmsim/reset takes no body (or {})")
    with app.lock:  # a call in progress finishes first
        old = app.sim
        before = len(old.events)
        path = old.log_path
        archived = None
        if path is None:
            fresh = _fresh(old, None)
        else:
            archived = archive_name(path)
            fresh = _fresh_log(old, path, archived)
        app.replace_timeline(fresh)
        try:
            old.close()  # flushes the old log under its new name (the descriptor follows it)
            if archived is not None and not before:
                os.unlink(archived)  # it held only the header: nothing to keep
                archived = None
        except Exception as exc:  # every event was written at its append: say so, go on
            print(f"kmsim serve: closing the old log {archived}: {exc}", file=sys.stderr)
        doc = _clock_doc(app, app.clock.sync())
        return {"reset": True, "events_before": before, "previous_log": archived,
                "log": path, **doc}


def archive_name(path: str) -> str:
    """``STEM.reset-N.SUFFIX`` next to ``path`` (suffix ``.kmlog`` when it has none), N one
    more than the highest such N already there, so resets keep their order."""
    p = Path(path)
    suffix = p.suffix or ".kmlog"
    stem = p.stem if p.suffix else p.name
    taken = re.compile(re.escape(f"{stem}.reset-") + r"(\d+)" + re.escape(suffix))
    numbers = [int(m.group(1)) for f in p.parent.iterdir() if (m := taken.fullmatch(f.name))]
    n = max(numbers, default=0) + 1
    while (p.parent / f"{stem}.reset-{n}{suffix}").exists():
        n += 1
    return str(p.parent / f"{stem}.reset-{n}{suffix}")


def _fresh(old: Simulator, log: str | None) -> Simulator:
    """A new timeline with the old one's settings (a resumed log's header included)."""
    return Simulator(start=old.start, account=old.account, region=old.region,
                     profile=old.profile, assumptions=dict(old.settings), seed=old.seed,
                     log=log, name=old.name, default_principal=old.default_principal)


def _fresh_log(old: Simulator, path: str, archived: str) -> Simulator:
    """Move the old log aside (its writer keeps writing to it) and start a new one at
    ``path``; if that fails, the old log goes back and nothing changed."""
    try:
        os.rename(path, archived)
    except OSError as exc:
        raise AwsError("InternalFailure", f"cannot keep the old log as {archived}: "
                       f"{exc.strerror or exc}; nothing changed", None) from None
    try:
        return _fresh(old, path)
    except Exception as exc:
        where = archived
        if not isinstance(exc, FileExistsError):  # never over a log another writer made
            try:
                os.replace(archived, path)
                where = path
            except OSError:
                pass
        raise AwsError("InternalFailure", f"cannot start a new log at {path}: {exc}; the "
                       f"timeline goes on in {where}", None) from None

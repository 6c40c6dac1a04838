"""``kmsim serve -v``: one line per request on stderr, in this order: the simulated time
it happened at (the event's, else the clock's now), the caller (the principal its access
key id maps to, R-SRV-04; ``-`` at a control endpoint), the operation
(``service:Operation``; a request that names none: ``METHOD /path``), the outcome (``ok``
or the error code), the rule that decided (``-`` for none) and the event number (``#N``;
``-`` when nothing was recorded)::

    2026-01-01T00:00:00Z arn:aws:iam::111122223333:root kms:CreateKey ok - #1
    2026-01-08T00:00:00.009Z - POST /_kmsim/clock ok - -
    2026-01-08T00:00:00.009Z arn:aws:iam::111122223333:root kms:DescribeKey ...
    ... NotFoundException R-KMS-13 #11        (one line, wrapped here)
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from events.timefmt import format_time
from projections.arns import root_arn
from sim.errors import AwsError
from sim.server.auth import parse_authorization
from sim.server.cbor_protocol import PREFIX as CBOR_PREFIX
from sim.server.cbor_protocol import SERVICES as CBOR_SERVICES
from sim.server.json_protocol import TARGETS
from sim.server.protocols import HttpRequest, HttpResponse
from sim.server.status import OK

if TYPE_CHECKING:  # the app imports this module: no cycle at run time
    from sim.server.app import KmsimApp


@dataclass
class Seen:
    """What the app learnt of a request while answering it: caller (None: the principal
    its access key id maps to) and operation (None: the one the request names)."""

    caller: str | None = None
    op: str | None = None


class RequestLog:
    """Writes whole lines to ``stream`` (threads never interleave inside one)."""

    def __init__(self, stream: TextIO, app: KmsimApp) -> None:
        self.stream = stream
        self.app = app
        self._lock = threading.Lock()

    def write(self, request: HttpRequest | None, seen: Seen, response: HttpResponse) -> None:
        """Log one answered request (``request`` None: refused before it was read)."""
        line = self.line(request, seen, response)
        with self._lock:
            self.stream.write(line + "\n")
            self.stream.flush()

    def line(self, request: HttpRequest | None, seen: Seen, response: HttpResponse) -> str:
        """The line for one answered request (see the module docstring)."""
        headers = response.headers
        when = headers.get("x-kmsim-time")
        if when is None:  # nothing recorded: the clock's now
            with self.app.lock:
                when = format_time(self.app.clock.now())
        caller = seen.caller
        if caller is None:
            caller = self.caller(request) if request is not None else "-"
        op = seen.op or (named_operation(request) if request is not None else "-")
        outcome = "ok" if response.status == OK else response.code or _body_code(response)
        event = headers.get("x-kmsim-event")
        return (f"{when} {caller} {op} {outcome} {headers.get('x-kmsim-rule', '-')} "
                f"{'#' + event if event else '-'}")

    def caller(self, request: HttpRequest) -> str:
        """The principal the request's access key id maps to, as ``identify`` maps it
        (R-SRV-04); ``-`` for a malformed Authorization header."""
        try:
            akid = parse_authorization(request).access_key
        except AwsError:
            return "-"
        auth = self.app.auth
        return auth.principals.get(akid) or root_arn(auth.account)


def named_operation(request: HttpRequest) -> str:
    """The ``service:Operation`` a request names (its X-Amz-Target, its rpc-v2-cbor path)
    even when it cannot be decoded, else ``METHOD /path``."""
    service, operation = "", ""
    if request.path.startswith(CBOR_PREFIX):
        parts = request.path[len(CBOR_PREFIX):].split("/")
        if len(parts) == 3 and parts[1] == "operation":
            service, operation = CBOR_SERVICES.get(parts[0], ""), parts[2]
    else:
        prefix, _, operation = request.header("X-Amz-Target").strip().partition(".")
        service = TARGETS.get(prefix, "")
    if service and operation.isidentifier():
        return f"{service}:{operation}"
    return f"{request.method} {request.path}"


def _body_code(response: HttpResponse) -> str:
    """The error code of an answer whose ``code`` was not set (a control endpoint's JSON)."""
    try:
        return str(json.loads(response.body).get("__type") or "error")
    except (ValueError, AttributeError):
        return "error"

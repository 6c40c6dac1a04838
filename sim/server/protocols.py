"""What every wire codec shares: the HTTP exchange, the decoded call, and AWS errors.

A codec (``json_protocol``, ``cbor_protocol``) turns bytes into an :class:`ApiCall`
and a handler's outcome back into bytes; nothing else in the server knows a wire format.
Errors are :class:`sim.errors.AwsError`; their HTTP status is decided by
:func:`sim.server.status.http_status` and handed to the codec.
:func:`plain` makes a decoded body safe to record (the event log is msgpack), so both
codecs hand the handlers the same JSON-like values.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from typing import Protocol

from sim.errors import AwsError
from sim.server import shapes
from sim.server.limits import MAX_DEPTH

_INT64 = (-(2 ** 63), 2 ** 63 - 1)


@dataclass
class HttpRequest:
    """One HTTP request as the server read it (headers are case-insensitive)."""

    method: str
    path: str
    query: str
    headers: Message
    body: bytes

    def header(self, name: str, default: str = "") -> str:
        """A header's value (case-insensitive), or ``default``."""
        value = self.headers.get(name)
        return default if value is None else str(value)


@dataclass
class HttpResponse:
    """The status, headers and body to send."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: The error code of an error answer, for the request log (never sent).
    code: str = ""


@dataclass
class ApiCall:
    """A decoded API request: ``service:Operation`` and its parameters."""

    service: str
    operation: str
    params: dict

    @property
    def op(self) -> str:
        """The registry name, ``service:Operation``."""
        return f"{self.service}:{self.operation}"


class Codec(Protocol):
    """One wire protocol: decode a request, encode a result or an error."""

    name: str

    def decode(self, request: HttpRequest) -> ApiCall:
        """The call the request makes; AwsError for a malformed request."""

    def encode_result(self, call: ApiCall, result: dict) -> HttpResponse:
        """A successful response."""

    def encode_error(self, error: AwsError, status: int) -> HttpResponse:
        """An error response in this protocol's shape, with the status
        :func:`sim.server.status.http_status` decided."""


def serialization_error(message: str, service: str = "") -> AwsError:
    """The AWS answer to a body that cannot be read (R-SRV-01)."""
    return AwsError("SerializationException", message, "R-SRV-01", service)


def plain(value: object, service: str = "") -> object:
    """A decoded body as JSON-like values the handlers and the msgpack log accept.

    Blobs (CBOR byte strings) become base64 text, as JSON carries them; timestamps
    (CBOR tag 1) become epoch seconds, as JSON carries them. Anything else (other tags,
    non-string map keys, NaN, integers beyond 64 bits, unencodable text) is refused.
    """
    # An explicit stack instead of recursion: depth is checked, never a RecursionError.
    root: list[object] = [None]
    stack: list[tuple[object, object, object, int]] = [(value, root, 0, 0)]
    while stack:
        item, parent, slot, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise serialization_error(f"the body nests deeper than {MAX_DEPTH} levels", service)
        out: object
        if isinstance(item, dict):
            out = {}
            for k, v in item.items():
                if not isinstance(k, str):
                    raise serialization_error(f"map key {k!r} is not a string", service)
                stack.append((v, out, _text(k, service), depth + 1))
        elif isinstance(item, list | tuple):
            out = [None] * len(item)
            for i, v in enumerate(item):
                stack.append((v, out, i, depth + 1))
        else:
            out = _scalar(item, service)
        parent[slot] = out  # type: ignore[index]
    return root[0]


def plain_json(value: object, depth: int = 0) -> bool:
    """Whether a value ``json.loads`` built from text without ``\\u`` escapes (so no lone
    surrogate) is already what :func:`plain` returns: nested at most ``MAX_DEPTH`` levels,
    integers within 64 bits, finite floats. When not, :func:`plain` says why."""
    # A check without copying: the server's common case costs a walk, not a rebuild.
    if depth > MAX_DEPTH:
        return False
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is dict:
        return all(plain_json(v, depth + 1) for v in value.values())  # type: ignore[attr-defined]
    if kind is list:
        return all(plain_json(v, depth + 1) for v in value)  # type: ignore[attr-defined]
    if kind is int:
        return _INT64[0] <= value <= _INT64[1]  # type: ignore[operator]
    if kind is float:
        return math.isfinite(value)  # type: ignore[arg-type]
    return False


def _text(s: str, service: str) -> str:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        raise serialization_error("a string is not valid UTF-8 (lone surrogate)",
                                  service) from None
    return s


def _scalar(item: object, service: str) -> object:
    if item is None or isinstance(item, bool):
        return item
    if isinstance(item, int):
        if not _INT64[0] <= item <= _INT64[1]:
            raise serialization_error(f"integer {item} does not fit in 64 bits", service)
        return item
    if isinstance(item, float):
        if not math.isfinite(item):
            raise serialization_error("NaN and infinite numbers are not accepted", service)
        return item
    if isinstance(item, str):
        return _text(item, service)
    if isinstance(item, bytes | bytearray):
        return base64.b64encode(bytes(item)).decode("ascii")
    if isinstance(item, datetime):
        seconds = item.timestamp()
        return int(seconds) if seconds.is_integer() else seconds
    raise serialization_error(f"unsupported value of type {type(item).__name__}", service)


def check_params(call: ApiCall) -> None:
    """Refuse parameters of the wrong type or out of their type's range for the
    operation's input shape (R-SRV-01, R-SRV-07), and drop the null structure members
    from ``call.params`` in place (a null member is an absent one, as in AWS).

    Real services answer SerializationException before any handler runs; doing the
    same keeps a wrongly typed field from reaching a handler that trusts the model.
    Operations botocore does not model (``sim:*``) are checked by their handlers, with
    their null members dropped here too.
    """
    shape = shapes.input_shape(call.service, call.operation)
    if shape is None:
        shapes.drop_nulls(call.params)
        return
    problem = shapes.type_problem(shape, call.params)
    if problem:
        rule, message = problem
        raise AwsError("SerializationException", message, rule, call.service)

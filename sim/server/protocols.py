"""What every wire codec shares: the HTTP exchange, the decoded call, and AWS errors.

A codec (``json_protocol``, ``cbor_protocol``) turns bytes into an :class:`ApiCall`
and a handler's outcome back into bytes; nothing else in the server knows a wire format.
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


class ApiError(Exception):
    """An error answered in the protocol's error shape: code, message, status, rule."""

    def __init__(self, code: str, message: str, status: int = 400, rule: str | None = None,
                 service: str = "") -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.rule = rule
        self.service = service


class Codec(Protocol):
    """One wire protocol: decode a request, encode a result or an error."""

    name: str

    def decode(self, request: HttpRequest) -> ApiCall:
        """The call the request makes; ApiError for a malformed request."""

    def encode_result(self, call: ApiCall, result: dict) -> HttpResponse:
        """A successful response."""

    def encode_error(self, error: ApiError) -> HttpResponse:
        """An error response in this protocol's shape."""


def serialization_error(message: str, service: str = "") -> ApiError:
    """The AWS answer to a body that cannot be read (R-SRV-01)."""
    return ApiError("SerializationException", message, 400, "R-SRV-01", service)


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
        raise ApiError("SerializationException", message, 400, rule, call.service)


#: Statuses for the codes the server itself answers, and fallbacks when botocore's
#: models are not installed (they give the rest: ResourceNotFoundException is 404 in
#: CloudWatch, ConflictException 409). The signature refusals are 400 in the awsJson
#: services KMS and CloudWatch Logs (R-SRV-30 to R-SRV-33, R-SRV-35).
STATUS = {
    "SerializationException": 400, "UnknownOperationException": 400,
    "UnsupportedMediaTypeException": 415, "InvalidSignatureException": 400,
    "IncompleteSignatureException": 400, "UnrecognizedClientException": 400,
    "MissingAuthenticationTokenException": 400, "RequestEntityTooLargeException": 413,
    "LengthRequiredException": 411, "ServiceUnavailableException": 500,
}
#: The signature refusals of CloudWatch, which answers them as its query protocol does:
#: SignatureDoesNotMatch and InvalidClientTokenId with 403 (R-SRV-34), the others as
#: A-SRV-AUTH-STATUS says (R-SRV-35).
QUERY_AUTH_STATUS = {
    "InvalidSignatureException": 403, "UnrecognizedClientException": 403,
    "MissingAuthenticationTokenException": 403, "IncompleteSignatureException": 400,
}
#: The control endpoints (/_kmsim/) are kmsim's own: every refusal is 403 (R-SRV-11).
CONTROL_AUTH_STATUS = 403
_FALLBACK = {"cloudwatch": {"ResourceNotFoundException": 404, "ConflictException": 409}}


def status_for(service: str, code: str) -> int:
    """The HTTP status AWS answers ``code`` with in ``service`` (400 unless modeled)."""
    modeled = shapes.error_status(service, code)
    if modeled is not None:
        return modeled
    return _FALLBACK.get(service, {}).get(code) or STATUS.get(code, 400)


def auth_status(service: str, code: str) -> int:
    """The HTTP status of a signature refusal ``code`` for a request addressed to
    ``service`` ("" for a control endpoint): 400 in the awsJson services, CloudWatch's
    query statuses (R-SRV-34, R-SRV-35), 403 at the control endpoints (R-SRV-11)."""
    if not service:
        return CONTROL_AUTH_STATUS
    model = shapes.service_model(service)
    query = model.is_query_compatible if model is not None else service == "cloudwatch"
    if query and code in QUERY_AUTH_STATUS:
        return QUERY_AUTH_STATUS[code]
    return STATUS.get(code, 400)

"""The AWS service models, read through botocore when it is installed.

The models give what a generic server cannot guess: which response fields are
timestamps or blobs (CBOR tags them; JSON does not), the input types a service
refuses with SerializationException, and each modeled error's HTTP status and
query-compatible code. Without botocore the server still works: it sends values as
the handlers return them, checks no types, and takes statuses from a small table.
"""

from __future__ import annotations

import base64
import binascii
import threading
from functools import cache, lru_cache
from typing import Any

from events.timefmt import TIME_RANGE

#: kmsim service name -> botocore service name.
BOTOCORE_NAMES = {"kms": "kms", "logs": "logs", "cloudwatch": "cloudwatch"}
_lock = threading.Lock()


@cache
def service_model(service: str) -> Any | None:
    """botocore's ServiceModel of a kmsim service, or None (not modeled, no botocore)."""
    name = BOTOCORE_NAMES.get(service)
    if name is None:
        return None
    try:
        import botocore.session
    except ImportError:
        return None
    with _lock:  # botocore's loader is not documented as thread-safe
        try:
            return botocore.session.get_session().get_service_model(name)
        except Exception:  # an unknown model in an old botocore: serve without it
            return None


# Per request otherwise: botocore's look-ups cost more than the check itself. Bounded:
# a request may name any operation.
@lru_cache(maxsize=512)
def operation_model(service: str, operation: str) -> Any | None:
    """botocore's OperationModel, or None."""
    model = service_model(service)
    if model is None or operation not in model.operation_names:
        return None
    return model.operation_model(operation)


@lru_cache(maxsize=512)
def input_shape(service: str, operation: str) -> Any | None:
    """The operation's input shape, or None."""
    op = operation_model(service, operation)
    return op.input_shape if op is not None else None


def output_shape(service: str, operation: str) -> Any | None:
    """The operation's output shape, or None."""
    op = operation_model(service, operation)
    return op.output_shape if op is not None else None


def _error_shape(service: str, code: str) -> Any | None:
    model = service_model(service)
    if model is None:
        return None
    return next((e for e in model.error_shapes if e.name == code), None)


def error_status(service: str, code: str) -> int | None:
    """The modeled HTTP status of an error code, or None when the model has none."""
    shape = _error_shape(service, code)
    if shape is None:
        return None
    status = (shape.metadata.get("error") or {}).get("httpStatusCode")
    return int(status) if status else None


#: The query protocol's names of the SigV4 refusals (the common errors of every query
#: API, unmodeled): an awsQueryCompatible service's client sees these codes.
QUERY_AUTH_ERRORS = {
    "InvalidSignatureException": "SignatureDoesNotMatch;Sender",
    "IncompleteSignatureException": "IncompleteSignature;Sender",
    "UnrecognizedClientException": "InvalidClientTokenId;Sender",
    "MissingAuthenticationTokenException": "MissingAuthenticationToken;Sender",
}


def query_error(service: str, code: str) -> str | None:
    """``Code;Sender`` for ``x-amzn-query-error`` (awsQueryCompatible services), or None."""
    model = service_model(service)
    shape = _error_shape(service, code)
    if model is not None and model.is_query_compatible and code in QUERY_AUTH_ERRORS:
        return QUERY_AUTH_ERRORS[code]
    if model is None or shape is None or not model.is_query_compatible:
        return None
    error = shape.metadata.get("error") or {}
    if not error.get("code"):
        return None
    return f"{error['code']};{'Sender' if error.get('senderFault') else 'Receiver'}"


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "blob": (str,), "boolean": (bool,), "integer": (int,), "long": (int,),
    "float": (int, float), "double": (int, float), "timestamp": (int, float, str),
}
#: The ranges of the numeric types (Smithy: integer is 32-bit, long 64-bit, float IEEE
#: single). Timestamps are epoch seconds within the simulator's time range, the epoch
#: to 9999-12-31T23:59:59.999Z (what an event's time and RFC 3339 can hold).
_RANGES: dict[str, tuple[float, float]] = {
    "integer": (-(2 ** 31), 2 ** 31 - 1), "long": (-(2 ** 63), 2 ** 63 - 1),
    "float": (-3.4028234663852886e38, 3.4028234663852886e38),
    "timestamp": (TIME_RANGE[0] / 1000, TIME_RANGE[1] / 1000),
}


def drop_nulls(params: dict) -> None:
    """Remove the members of a request whose value is null (an absent member)."""
    for name in [k for k, v in params.items() if v is None]:
        del params[name]


def type_problem(shape: Any, value: Any, path: str = "") -> tuple[str, str] | None:
    """The first value the shape refuses, as ``(rule, message)``; None when all fit.

    Nulls follow the Smithy JSON and CBOR protocols as AWS's server SDKs apply them
    (aws/aws-sdk-js-v3#2771, "reject null in non-sparse collections"): a null structure
    member is the member left out, so it is removed from ``value`` in place (handlers
    never see a None); a null inside a list or map is an error, since none of the served
    models marks a list or map ``@sparse`` (R-SRV-07). A number outside its type's range
    (``_RANGES``) is an error too (R-SRV-07); a value of the wrong type is R-SRV-01.
    """
    stack = [(shape, value, path)]
    while stack:  # bounded: limits and protocols.plain already bounded size and depth
        shape, value, path = stack.pop()
        kind = shape.type_name
        where = path or "the request"
        if value is None:  # only inside lists and maps: structures dropped theirs
            return "R-SRV-07", f"{where} is null; this list or map cannot hold null"
        if kind == "document":
            continue
        if kind == "structure":
            if not isinstance(value, dict):
                return "R-SRV-01", f"{where} must be an object"
            drop_nulls(value)
            for name, member in value.items():
                if name in shape.members:
                    stack.append((shape.members[name], member, f"{path}.{name}".lstrip(".")))
        elif kind == "list":
            if not isinstance(value, list):
                return "R-SRV-01", f"{where} must be a list"
            stack.extend((shape.member, v, f"{path}[{i}]") for i, v in enumerate(value))
        elif kind == "map":
            if not isinstance(value, dict):
                return "R-SRV-01", f"{where} must be a map"
            stack.extend((shape.value, v, f"{path}.{k}") for k, v in value.items())
        elif kind in _TYPES:
            problem = _scalar_problem(kind, value, where)
            if problem:
                return problem
    return None


def _scalar_problem(kind: str, value: Any, where: str) -> tuple[str, str] | None:
    if not isinstance(value, _TYPES[kind]) or (isinstance(value, bool) and kind != "boolean"):
        return "R-SRV-01", f"{where} must be a {kind}, not {type(value).__name__}"
    if kind == "blob" and not _base64(value):
        return "R-SRV-01", f"{where} must be base64-encoded"
    bounds = _RANGES.get(kind)
    if bounds and not isinstance(value, str) and not bounds[0] <= value <= bounds[1]:
        return "R-SRV-07", f"{where} = {value!r} is outside the range of a {kind}"
    return None


def _base64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def for_cbor(shape: Any, value: Any, tag: Any) -> Any:
    """A handler's JSON-like response in CBOR's terms: timestamps wrapped by ``tag(1, v)``
    (epoch seconds), blobs (base64 text in the handlers) as bytes. Unmodeled fields pass."""
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return {k: for_cbor(shape.members.get(k), v, tag) for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [for_cbor(shape.member, v, tag) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: for_cbor(shape.value, v, tag) for k, v in value.items()}
    if kind == "timestamp" and isinstance(value, int | float) and not isinstance(value, bool):
        return tag(1, value)
    if kind == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return value.encode("utf-8")
    return value

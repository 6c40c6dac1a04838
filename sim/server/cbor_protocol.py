"""Smithy RPC v2 CBOR: CloudWatch (``GraniteServiceVersion20100801``), the protocol of
the current SDK model (botocore ``RpcV2CBORSerializer``/``RpcV2CBORParser``).

A request is ``POST /service/<Service>/operation/<Operation>`` with the header
``smithy-protocol: rpc-v2-cbor`` and, when it has input, ``Content-Type:
application/cbor`` and a CBOR map body. Timestamps are tag 1 (epoch seconds), blobs
byte strings, and no other tag is accepted (:mod:`sim.server.limits`); the shared
:func:`~sim.server.protocols.plain` turns them into the handlers' JSON-like values,
and :func:`~sim.server.shapes.for_cbor` turns responses back using the service model.
An error is the CBOR map ``{"__type", "message"}``; CloudWatch is awsQueryCompatible,
so ``x-amzn-query-error: Code;Sender`` gives boto3 the code it knew from the query
protocol (``ValidationError``).
"""

from __future__ import annotations

import cbor2

from sim.errors import AwsError, Refusal
from sim.server import shapes
from sim.server.limits import cbor_problem
from sim.server.protocols import (
    ApiCall,
    HttpRequest,
    HttpResponse,
    plain,
    serialization_error,
)
from sim.server.status import OK

#: Smithy service name in the path -> kmsim service name.
SERVICES = {"GraniteServiceVersion20100801": "cloudwatch"}
PROTOCOL = "rpc-v2-cbor"
CONTENT_TYPE = "application/cbor"
PREFIX = "/service/"


class CborCodec:
    """The smithy-rpc-v2-cbor wire protocol."""

    name = "smithy-rpc-v2-cbor"

    @staticmethod
    def matches(request: HttpRequest) -> bool:
        """Whether the request is addressed to this protocol (by its path)."""
        return request.path.startswith(PREFIX)

    def decode(self, request: HttpRequest) -> ApiCall:
        """The call the path names, with the CBOR body as parameters."""
        parts = request.path[len(PREFIX):].split("/")
        if len(parts) != 3 or parts[1] != "operation" or not parts[2].isidentifier():
            raise AwsError("UnknownOperationException",
                           f"{request.path} is not /service/<Service>/operation/<Operation>",
                           "R-SRV-02", refusal=Refusal.ROUTE)
        service = SERVICES.get(parts[0])
        if service is None:
            raise AwsError("UnknownOperationException",
                           f"Unknown service {parts[0]!r}: kmsim serves "
                           + ", ".join(SERVICES) + " over rpc-v2-cbor", "R-SRV-02",
                           refusal=Refusal.ROUTE)
        if request.header("smithy-protocol").strip() != PROTOCOL:
            raise AwsError("SerializationException",
                           f"rpc-v2-cbor requests carry the header smithy-protocol: {PROTOCOL}",
                           "R-SRV-01", service)
        ctype = request.header("Content-Type").split(";")[0].strip().lower()
        if request.body and ctype != CONTENT_TYPE:
            raise AwsError("UnsupportedMediaTypeException",
                           f"Content-Type {ctype or '(none)'!r} is not {CONTENT_TYPE}",
                           "R-SRV-01", service)
        return ApiCall(service, parts[2], self._body(request.body, service))

    @staticmethod
    def _body(raw: bytes, service: str) -> dict:
        if not raw:
            return {}  # an operation without input sends no body
        # Before cbor2 builds anything: the scan bounds the cost and refuses every tag
        # but 1, so cbor2's reference tags (28/29, 25/256) never expand (R-SRV-06).
        problem = cbor_problem(raw)
        if problem:
            rule, message = problem
            raise AwsError("SerializationException", message, rule, service)
        try:
            body = cbor2.loads(raw)
        except (cbor2.CBORError, ValueError, TypeError, OverflowError, RecursionError,
                MemoryError) as exc:
            raise serialization_error(f"the body is not CBOR: {exc}", service) from None
        if not isinstance(body, dict):
            raise serialization_error("the body must be a CBOR map", service)
        result = plain(body, service)
        assert isinstance(result, dict)
        return result

    def encode_result(self, call: ApiCall, result: dict) -> HttpResponse:
        """The handler's response as a CBOR map, typed by the output shape."""
        shape = shapes.output_shape(call.service, call.operation)
        body = cbor2.dumps(shapes.for_cbor(shape, result, cbor2.CBORTag))
        return HttpResponse(OK, body, {"Content-Type": CONTENT_TYPE,
                                        "smithy-protocol": PROTOCOL})

    def encode_error(self, error: AwsError, status: int) -> HttpResponse:
        """``{"__type", "message"}`` in CBOR with ``status``, and the query-compatible code
        header."""
        headers = {"Content-Type": CONTENT_TYPE, "smithy-protocol": PROTOCOL}
        query = shapes.query_error(error.service, error.code)
        if query:
            headers["x-amzn-query-error"] = query
        body = cbor2.dumps({"__type": error.code, "message": error.message})
        return HttpResponse(status, body, headers)

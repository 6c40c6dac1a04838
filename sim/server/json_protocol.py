"""awsJson1_1 and awsJson1_0: KMS (``TrentService``), CloudWatch Logs (``Logs_20140328``),
kmsim's own operations (``KmsimSim``), and CloudWatch (``GraniteServiceVersion20100801``,
awsJson1_0: its model lists rpc-v2-cbor first, but botocore prefers ``json`` when a
model offers both, so boto3 and the AWS CLI call CloudWatch this way).

A request is ``POST /`` with ``X-Amz-Target: <Prefix>.<Operation>`` and a JSON object
body; blobs travel as base64 text and timestamps as epoch seconds, which is also how
the handlers take and return them, so the body passes through unchanged. An error is
``{"__type": CODE, "message": TEXT}`` with the HTTP status :mod:`sim.server.status` gives.
"""

from __future__ import annotations

import json

from sim.errors import AwsError
from sim.server import shapes
from sim.server.limits import json_problem
from sim.server.protocols import (
    ApiCall,
    HttpRequest,
    HttpResponse,
    plain,
    plain_json,
    serialization_error,
)
from sim.server.status import OK

#: X-Amz-Target prefix -> kmsim service name.
TARGETS = {"TrentService": "kms", "Logs_20140328": "logs", "KmsimSim": "sim",
           "GraniteServiceVersion20100801": "cloudwatch"}
#: Services whose model says awsJson1_0 (the others are 1.1).
JSON_1_0 = {"cloudwatch"}
CONTENT_TYPES = ("application/x-amz-json-1.1", "application/x-amz-json-1.0",
                 "application/json")
CONTENT_TYPE = "application/x-amz-json-1.1"


def content_type(service: str) -> str:
    """The response Content-Type: the JSON version of the service's model."""
    return "application/x-amz-json-1.0" if service in JSON_1_0 else CONTENT_TYPE


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


# Built once: json.dumps with separators, and json.loads with parse_constant, build a
# new encoder or decoder on every call (a tenth of a small call's time in the server).
_ENCODE_RESULT = json.JSONEncoder(separators=(",", ":")).encode
_DECODE = json.JSONDecoder(parse_constant=_refuse_constant).decode


def _loads(text: str) -> object:
    """``json.loads(text, parse_constant=_refuse_constant)``, with its BOM refusal."""
    if text.startswith("\ufeff"):
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    return _DECODE(text)


class JsonCodec:
    """The awsJson1_1 wire protocol."""

    name = "awsJson1_1"

    def decode(self, request: HttpRequest) -> ApiCall:
        """The call named by X-Amz-Target with the JSON body as parameters."""
        target = request.header("X-Amz-Target").strip()
        if not target:
            raise AwsError("UnknownOperationException",
                           "Missing X-Amz-Target header: awsJson1_1 requests name their "
                           "operation as X-Amz-Target: TrentService.<Operation>", "R-SRV-02")
        prefix, _, operation = target.partition(".")
        service = TARGETS.get(prefix)
        if service is None or not operation.isidentifier():
            raise AwsError("UnknownOperationException",
                           f"Unknown X-Amz-Target {target!r}: kmsim serves "
                           + ", ".join(f"{p}.*" for p in TARGETS), "R-SRV-02")
        ctype = request.header("Content-Type").split(";")[0].strip().lower()
        if ctype and ctype not in CONTENT_TYPES:
            raise AwsError("UnsupportedMediaTypeException",
                           f"Content-Type {ctype!r} is not {CONTENT_TYPE}", "R-SRV-01", service)
        return ApiCall(service, operation, self._body(request.body, service))

    @staticmethod
    def _body(raw: bytes, service: str) -> dict:
        if not raw.strip():
            return {}  # AWS treats an empty body as an empty input
        problem = json_problem(raw)  # before json.loads builds anything (R-SRV-06)
        if problem:
            raise AwsError("SerializationException", problem, "R-SRV-06", service)
        try:
            body = _loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise serialization_error(f"the body is not JSON: {exc}", service) from None
        if not isinstance(body, dict):
            raise serialization_error("the body must be a JSON object", service)
        if b"\\u" not in raw and plain_json(body):
            return body  # already plain: no escaped (maybe lone surrogate) text, in range
        result = plain(body, service)
        assert isinstance(result, dict)
        return result

    def encode_result(self, call: ApiCall, result: dict) -> HttpResponse:
        """The handler's response as the JSON body."""
        return HttpResponse(OK, _ENCODE_RESULT(result).encode(),
                            {"Content-Type": content_type(call.service)})

    def encode_error(self, error: AwsError, status: int) -> HttpResponse:
        """``{"__type", "message"}`` with ``status`` (and, for awsQueryCompatible
        CloudWatch, ``x-amzn-query-error: Code;Sender``, as with rpc-v2-cbor)."""
        body = json.dumps({"__type": error.code, "message": error.message})
        headers = {"Content-Type": content_type(error.service)}
        query = shapes.query_error(error.service, error.code)
        if query:
            headers["x-amzn-query-error"] = query
        return HttpResponse(status, body.encode(), headers)

"""Requests for an AWS service kmsim does not simulate (STS, S3, DynamoDB, ...): answered in
that service's own protocol, so boto3 and the AWS CLI show a readable ``ClientError`` that
says kmsim does not simulate it, instead of failing to parse a body of another protocol.

Which service a request is for: the service of its SigV4 credential scope (``sts``,
``s3``), else what the request itself names (an ``X-Amz-Target`` prefix kmsim does not
serve, a query-protocol ``Action``). Which protocol: the request's own shape (an
``X-Amz-Target`` is awsJson, a form body with ``Action=`` is the query protocol), else the
service's botocore model (``rest-xml`` for S3, ``rest-json`` for Lambda). A request kmsim
cannot place keeps the server's usual refusals (R-SRV-02).

The answer (R-SRV-40 to R-SRV-43, A-SRV-OTHER-SERVICES): awsJson and restJson
``UnknownOperationException``, query and EC2 ``InvalidAction``, S3 ``NotImplemented``; the
status comes from :func:`sim.server.status.http_status`, like every other answer. Nothing
is recorded: the request never reaches the Simulator.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from sim.errors import AwsError
from sim.server.auth import parse_authorization
from sim.server.cbor_protocol import PREFIX as CBOR_PREFIX
from sim.server.json_protocol import TARGETS
from sim.server.protocols import HttpRequest, HttpResponse

#: The SigV4 signing names of the services kmsim serves (``kmsim``: control endpoints).
SERVED_SCOPES = frozenset({"kms", "logs", "monitoring", "kmsim"})
#: kmsim's service names, as a message lists them.
SIMULATED = "AWS KMS (kms), Amazon CloudWatch Logs (logs) and Amazon CloudWatch (cloudwatch)"
#: The code each protocol answers an operation or action its service does not have.
CODES = {"json": "UnknownOperationException", "rest-json": "UnknownOperationException",
         "query": "InvalidAction", "ec2": "InvalidAction", "rest-xml": "NotImplemented"}
#: The rule each protocol's answer cites (projections/rulebook/server.py).
RULES = {"json": "R-SRV-41", "rest-json": "R-SRV-41", "query": "R-SRV-42", "ec2": "R-SRV-42",
         "rest-xml": "R-SRV-43"}
#: A refusal records no event: the request id of event 0, as ``app.request_id`` makes it.
REQUEST_ID = "00000000-0000-4000-8000-000000000000"
#: How much of a name taken from the request a message repeats.
_SHOWN = 64
_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{0,63}", re.ASCII)
_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class OtherService:
    """A request for a service kmsim does not simulate: the service (``""`` when only its
    protocol is known), the name a message gives it, the protocol, and the operation."""

    service: str
    title: str
    protocol: str
    operation: str

    def error(self) -> AwsError:
        """The refusal, for this service (its status: ``status.http_status``)."""
        code = CODES[self.protocol]
        op = f"; {self.operation} was not run" if self.operation else ""
        if self.service == "cloudwatch":  # served, but not over this protocol
            message = (f"kmsim serves Amazon CloudWatch over awsJson1_0 and rpc-v2-cbor, not "
                       f"the {self.protocol} protocol{op}. Use a botocore or AWS CLI release "
                       "whose CloudWatch model speaks them (nothing was recorded)")
        else:
            message = (f"kmsim does not simulate {self.title}{op}. kmsim simulates "
                       f"{SIMULATED}; send {self.service or 'these'} requests to AWS or to "
                       "another simulator (nothing was recorded)")
        return AwsError(code, message, RULES[self.protocol], self.service)

    @property
    def codec(self) -> OtherCodec:
        """The codec that writes this protocol's error body."""
        return OtherCodec(self.protocol)


def addressed(request: HttpRequest) -> OtherService | None:
    """The service kmsim does not simulate that ``request`` is for, or None (a served
    service, a control endpoint, or a request kmsim cannot place)."""
    if request.path.startswith(("/_kmsim/", CBOR_PREFIX)):
        return None
    target = request.header("X-Amz-Target").strip()
    if target:
        prefix, _, operation = target.partition(".")
        if prefix in TARGETS:  # the common case first: a call kmsim serves
            return None
        scope = _scope(request)
        if scope and scope not in SERVED_SCOPES:
            return _placed(scope, "json", operation)
        return OtherService("", f"the service of X-Amz-Target {_shown(target)!r}", "json",
                            "")
    scope = _scope(request)
    ctype = request.header("Content-Type").split(";")[0].strip().lower()
    if request.method == "POST" and ctype == _FORM:
        form = parse_qs(request.body.decode("utf-8", "replace"), max_num_fields=_SHOWN)
        action = _shown((form.get("Action") or [""])[0])
        if scope == "monitoring":
            return OtherService("cloudwatch", "Amazon CloudWatch", "query", action)
        if scope and scope not in SERVED_SCOPES:
            found = _placed(scope, "query", action)
            return found if found.protocol in ("query", "ec2") else \
                OtherService(found.service, found.title, "query", action)
        version = _shown((form.get("Version") or [""])[0])
        if action:
            return OtherService("", f"the service of this query request (Version "
                                f"{version or 'not given'})", "query", action)
        return None
    if scope and scope not in SERVED_SCOPES:
        return _placed(scope, "rest-json", _shown(f"{request.method} {request.path}"))
    return None


def _scope(request: HttpRequest) -> str:
    """The service of the request's SigV4 credential scope ("" when unsigned or
    malformed: the server's usual refusals answer a malformed one)."""
    try:
        service = parse_authorization(request).service
    except AwsError:
        return ""
    return service if _NAME.fullmatch(service) else ""


def _placed(scope: str, shape_protocol: str, operation: str) -> OtherService:
    """The service a credential scope names, with its model's name and protocol when
    botocore has it (a REST request is rest-xml or rest-json as the model says)."""
    title, protocol = _model_facts(scope)
    if shape_protocol == "json" or protocol not in CODES:
        protocol = shape_protocol
    name = title or f"the service {scope!r}"
    return OtherService(scope, f"{name} ({scope})" if title else name, protocol, operation)


@cache
def _model_facts(name: str) -> tuple[str, str]:
    """(full name, protocol) from botocore's model of service ``name``, ("", "") when
    there is none; only these two strings are kept, not the model."""
    try:
        from botocore.loaders import Loader

        meta = Loader().load_service_model(name, "service-2").get("metadata", {})
    except Exception:  # no botocore, or no such model: the request's shape decides
        return "", ""
    protocols = meta.get("protocols") or [meta.get("protocol", "")]
    return str(meta.get("serviceFullName", "")), str(protocols[0])


def _shown(text: str) -> str:
    """A name taken from the request, bounded and printable, for a message."""
    return "".join(c for c in text[:_SHOWN] if c.isprintable())


class OtherCodec:
    """Writes an error in a protocol kmsim does not otherwise speak (it decodes nothing)."""

    def __init__(self, protocol: str) -> None:
        self.name = protocol

    def encode_error(self, error: AwsError, status: int) -> HttpResponse:
        """The protocol's error document with ``status``."""
        code, message = escape(error.code), escape(error.message)
        if self.name == "json":
            body = json.dumps({"__type": error.code, "message": error.message})
            return HttpResponse(status, body.encode(),
                                {"Content-Type": "application/x-amz-json-1.1"})
        if self.name == "rest-json":
            return HttpResponse(status, json.dumps({"message": error.message}).encode(),
                                {"Content-Type": "application/json",
                                 "x-amzn-ErrorType": error.code})
        if self.name == "ec2":
            xml = (f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
                   f"</Error></Errors><RequestID>{REQUEST_ID}</RequestID></Response>")
        elif self.name == "query":
            xml = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>"
                   f"{message}</Message></Error><RequestId>{REQUEST_ID}</RequestId>"
                   "</ErrorResponse>")
        else:  # rest-xml (S3)
            xml = (f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>"
                   f"{REQUEST_ID}</RequestId></Error>")
        return HttpResponse(status, ('<?xml version="1.0" encoding="UTF-8"?>\n' + xml).encode(),
                            {"Content-Type": "text/xml" if self.name != "rest-xml"
                             else "application/xml", "x-amz-request-id": REQUEST_ID})

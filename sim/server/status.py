"""The one place the server decides an answer's HTTP status: :func:`http_status`.

Every response path calls it (``app``: API calls, their events and the server's own
refusals; ``control``: the ``/_kmsim/`` endpoints); an error (:class:`sim.errors.AwsError`)
carries a code, never a status. The decision, in order:

1. a signature refusal (``Refusal.SIGNATURE``, set by ``auth``): 403 at a control endpoint
   or when no served service is addressed (R-SRV-11); in an awsQueryCompatible service
   (CloudWatch) the query protocol's statuses (R-SRV-34, R-SRV-35); otherwise the server's
   table, 400 in the awsJson services KMS and CloudWatch Logs (R-SRV-30 to R-SRV-33);
2. the refusals whose code (UnknownOperationException) does not decide it (R-SRV-02): not
   a POST is 405 (``Refusal.METHOD``), an rpc-v2-cbor path naming no operation 404
   (``Refusal.ROUTE``); an unknown X-Amz-Target is 400, as the code says;
3. a control endpoint's own codes (NotFound 404, MethodNotAllowed 405);
4. a request for a service kmsim does not simulate (``other_services``: STS, S3, ...):
   its protocol's code (UnknownOperationException, InvalidAction, NotImplemented) is 400
   (R-SRV-40 to R-SRV-43);
5. the status botocore's model gives the code in the service (``shapes.error_status``),
   else a fallback for when the models are not installed (CloudWatch's 404 and 409);
6. the server's own codes: 411, 413, 415 (R-SRV-05, R-SRV-01), 500 for a kmsim fault
   (InternalFailure) and an injected one (ServiceUnavailableException, R-LOGS-79);
7. anything else: 400.

Then the timeline's assumptions, read through ``projections.rulebook.setting``:
A-SRV-AUTH-STATUS ``forbidden`` answers every signature refusal code 403, and
A-SRV-REFUSALS ``bad-request`` answers 400 where the steps above gave 411, 413 or 415
(the code stays), and A-SRV-OTHER-SERVICES ``aws`` answers S3's NotImplemented 501.
"""

from __future__ import annotations

from collections.abc import Mapping

from projections.rulebook import setting
from sim.errors import Refusal
from sim.server import shapes
from sim.server.shapes import QUERY_AUTH_ERRORS

#: A successful answer.
OK = 200
#: Any error nothing below names (AWS's client errors are 400 unless modeled otherwise).
DEFAULT = 400
#: The server's own codes, and the signature refusals as the awsJson services answer them
#: (R-SRV-30 to R-SRV-33, R-SRV-35).
STATUS = {
    "SerializationException": 400, "UnknownOperationException": 400,
    "UnsupportedMediaTypeException": 415, "InvalidSignatureException": 400,
    "IncompleteSignatureException": 400, "UnrecognizedClientException": 400,
    "MissingAuthenticationTokenException": 400, "RequestEntityTooLargeException": 413,
    "LengthRequiredException": 411, "ServiceUnavailableException": 500,
    "InternalFailure": 500,
}
#: Modeled statuses when botocore's models are not installed.
FALLBACK = {"cloudwatch": {"ResourceNotFoundException": 404, "ConflictException": 409}}
#: The signature refusals of an awsQueryCompatible service (CloudWatch), as its query
#: protocol answers them: SignatureDoesNotMatch and InvalidClientTokenId 403 (R-SRV-34),
#: the others as A-SRV-AUTH-STATUS says (R-SRV-35).
QUERY_AUTH_STATUS = {
    "InvalidSignatureException": 403, "UnrecognizedClientException": 403,
    "MissingAuthenticationTokenException": 403, "IncompleteSignatureException": 400,
}
#: A signature refusal at a control endpoint, or addressed to no served service (R-SRV-11).
UNADDRESSED_AUTH_STATUS = 403
#: The refusals whose code does not decide the status (R-SRV-02).
REFUSAL_STATUS = {Refusal.METHOD: 405, Refusal.ROUTE: 404}
#: The control endpoints' own codes (their other codes follow ``STATUS``).
CONTROL_STATUS = {"NotFound": 404, "MethodNotAllowed": 405}
#: What A-SRV-AUTH-STATUS ``forbidden`` answers a signature refusal with.
FORBIDDEN = 403
#: The statuses A-SRV-REFUSALS ``bad-request`` answers 400 instead.
NOT_PLAIN_400 = (411, 413, 415)
#: The services kmsim serves ("": none named); an answer for another is step 4.
SERVED = frozenset({"", "kms", "logs", "cloudwatch", "sim"})
#: The codes a service kmsim does not simulate is answered with (R-SRV-41 to R-SRV-43).
OTHER_SERVICE_CODES = frozenset({"UnknownOperationException", "InvalidAction",
                                 "NotImplemented"})
#: Their status: a client error, which SDKs do not retry (A-SRV-OTHER-SERVICES).
OTHER_SERVICE_STATUS = 400
#: S3's NotImplemented as S3 answers it, under A-SRV-OTHER-SERVICES ``aws``.
S3_NOT_IMPLEMENTED = 501


def http_status(service: str, code: str, settings: Mapping[str, str], *,
                refusal: Refusal | None = None, control: bool = False) -> int:
    """The HTTP status of an answer with error ``code`` for ``service`` ("" when none is
    addressed) under the timeline's ``settings``; ``refusal`` names a server refusal whose
    code does not decide it, ``control`` an answer of a ``/_kmsim/`` endpoint. See the
    module docstring for the order of the decision."""
    status = _base_status(service, code, refusal, control)
    if setting(settings, "srv_auth_status") == "forbidden" and code in QUERY_AUTH_ERRORS:
        status = FORBIDDEN
    if setting(settings, "srv_refusals") == "bad-request" and status in NOT_PLAIN_400:
        status = DEFAULT
    if code == "NotImplemented" and service not in SERVED and \
            setting(settings, "srv_other_services") == "aws":
        status = S3_NOT_IMPLEMENTED
    return status


def _base_status(service: str, code: str, refusal: Refusal | None, control: bool) -> int:
    if refusal is Refusal.SIGNATURE:
        if control or not service:
            return UNADDRESSED_AUTH_STATUS
        if _query_compatible(service) and code in QUERY_AUTH_STATUS:
            return QUERY_AUTH_STATUS[code]
        return STATUS.get(code, DEFAULT)
    if refusal is not None:
        return REFUSAL_STATUS[refusal]
    if control:
        return CONTROL_STATUS.get(code) or STATUS.get(code, DEFAULT)
    if service not in SERVED and code in OTHER_SERVICE_CODES:
        return OTHER_SERVICE_STATUS  # never a model lookup for a service kmsim does not serve
    modeled = shapes.error_status(service, code)
    if modeled is not None:
        return modeled
    return FALLBACK.get(service, {}).get(code) or STATUS.get(code, DEFAULT)


def _query_compatible(service: str) -> bool:
    model = shapes.service_model(service)
    return model.is_query_compatible if model is not None else service == "cloudwatch"


def http_server_status(status: int) -> int:
    """The status of a refusal ``http.server`` itself makes (a bad request line, an HTTP/2
    preface, an unknown method): kept when 4xx, 400 for its 5xx (SPEC: malformed requests
    get 4xx errors, never 5xx)."""
    return DEFAULT if status >= 500 else status

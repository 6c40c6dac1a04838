"""Who is calling: the access key id of a SigV4 ``Authorization`` header, mapped to a
principal ARN, and (with ``--verify-signatures``) the signature checked by botocore's
own SigV4 code, so the canonical request is exactly the one the SDK signed.

With verification on, a request is refused in this order: no signature, an
unknown access key id, a malformed or mismatched ``X-Amz-Date`` (R-SRV-03); a credential
scope for another service or Region (R-SRV-10); a date more than 15 minutes from now
(5 for CloudWatch, R-SRV-09); a body or signature that does not match (R-SRV-03).

*Which status*: the one AWS answers in the addressed service, as users observed it;
a refusal raised here is ``Refusal.SIGNATURE`` and names that service, and
:func:`sim.server.status.http_status` decides: 400 in KMS and CloudWatch Logs (awsJson,
like every awsJson service reported, R-SRV-30 to R-SRV-33), 403 in CloudWatch, whose
clients read the query codes SignatureDoesNotMatch and InvalidClientTokenId (R-SRV-34);
what no report shows is assumption A-SRV-AUTH-STATUS (R-SRV-35). The control endpoints
answer 403 (R-SRV-11).

*Which clock* decides the 15 minutes: the wall clock, read through
:func:`sim.clock.wall_now_ms`, under ``--clock sim`` as under ``--clock wall``. AWS
compares the date to its own real time, and a client signs with its real time; the
simulated time (SPEC 4) may be days or years away from both, so comparing against it
would refuse every signed request. Without ``--verify-signatures`` the wall clock is not
read here at all.

*Which Region* a request is addressed to: kmsim serves every Region from one endpoint,
so a request is addressed to the Region its ``Host`` names (``kms.eu-west-1.amazonaws.com``,
or an alias such as ``kms.eu-west-1.localhost``) and otherwise to any Region AWS has
(botocore's endpoint partitions) or the server's ``--region``; the scope must name it.
The scope's service must be the signing name of the service the request is addressed to
(``kms``, ``logs``, ``monitoring`` for CloudWatch); ``KmsimSim.*`` and the control
endpoints accept any.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from functools import cache

from events.timefmt import TimeSyntaxError, format_time, parse_rfc3339
from projections.arns import root_arn
from sim.clock import wall_now_ms
from sim.errors import AwsError, Refusal
from sim.server import shapes
from sim.server.cbor_protocol import PREFIX as CBOR_PREFIX
from sim.server.cbor_protocol import SERVICES as CBOR_SERVICES
from sim.server.json_protocol import TARGETS
from sim.server.protocols import HttpRequest

_AUTH = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=([^/\s,]+)/(\d{8})/([^/\s,]+)/([^/\s,]+)/aws4_request"
    r"\s*,\s*SignedHeaders=([a-z0-9;_.-]+)\s*,\s*Signature=([0-9a-f]{64})\s*", re.ASCII)
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}", re.ASCII)
_STAMP = re.compile(r"(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z", re.ASCII)
#: AWS refuses a signature dated more than 15 minutes from its clock (R-SRV-09) ...
MAX_SKEW_MS = 15 * 60 * 1000
#: ... and CloudWatch more than 5 minutes (R-SRV-34: 'Signature expired: ... - 5 min.').
SKEW_MS = {"cloudwatch": 5 * 60 * 1000}
#: Signing names when botocore's models are missing (verification needs botocore anyway).
_SIGNING_NAMES = {"kms": "kms", "logs": "logs", "cloudwatch": "monitoring"}


@dataclass(frozen=True)
class Credential:
    """What the Authorization header says (all empty for an unsigned request)."""

    access_key: str = ""
    date: str = ""
    region: str = ""
    service: str = ""
    signed_headers: tuple[str, ...] = ()
    signature: str = ""


@dataclass
class Identity:
    """The caller: principal ARN and the region the request was signed for."""

    actor: str
    region: str


@dataclass
class AuthConfig:
    """``--principal`` mappings, ``--secret`` values and whether signatures are checked."""

    account: str
    region: str
    principals: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    verify: bool = False


def _denied(code: str, message: str, rule: str = "R-SRV-03") -> AwsError:
    # No service until _answered names the addressed one (a control endpoint has none).
    return AwsError(code, message, rule, refusal=Refusal.SIGNATURE)


def _answered(exc: AwsError, request: HttpRequest) -> AwsError:
    """``exc`` for the addressed service, whose terms give its status and (query) code."""
    exc.service = addressed_service(request) or ""
    return exc


def parse_authorization(request: HttpRequest) -> Credential:
    """The SigV4 credential of a request; IncompleteSignatureException when malformed."""
    try:
        return _parse(request.header("Authorization").strip())
    except AwsError as exc:
        raise _answered(exc, request) from None


def _parse(header: str) -> Credential:
    if not header:
        return Credential()
    m = _AUTH.fullmatch(header)
    if not m:
        raise _denied("IncompleteSignatureException",
                      "Authorization header requires 'Credential=AKID/DATE/REGION/SERVICE/"
                      "aws4_request', 'SignedHeaders' and 'Signature' (AWS4-HMAC-SHA256)")
    akid, date, region, service, signed, signature = m.groups()
    if not _REGION.fullmatch(region):
        raise _denied("IncompleteSignatureException",
                      f"the credential scope names {region!r}, which is not a region")
    return Credential(akid, date, region, service, tuple(signed.split(";")), signature)


def identify(request: HttpRequest, config: AuthConfig) -> Identity:
    """The principal behind the request: ``--principal`` mapping, else the account root
    (R-SRV-04). With verification on, the signature must match (R-SRV-03), its scope
    name the service and Region addressed (R-SRV-10) and its date be current (R-SRV-09)."""
    cred = parse_authorization(request)
    if config.verify:
        verify_signature(request, cred, config)
    actor = config.principals.get(cred.access_key) or root_arn(config.account)
    return Identity(actor, cred.region or config.region)


def verify_signature(request: HttpRequest, cred: Credential, config: AuthConfig,
                     rule: str = "R-SRV-03") -> None:
    """Check the request's signature (see the module docstring for the order). ``rule``
    is what a missing or wrong signature cites (the control endpoints cite their own)."""
    try:
        _verify(request, cred, config, rule)
    except AwsError as exc:  # answered in the addressed service's terms (status, query code)
        raise _answered(exc, request) from None


def _verify(request: HttpRequest, cred: Credential, config: AuthConfig, rule: str) -> None:
    if not cred.access_key:
        raise _denied("MissingAuthenticationTokenException",
                      "Request is missing Authentication Token", rule)
    secret = config.secrets.get(cred.access_key)
    if secret is None:
        raise _denied("UnrecognizedClientException",
                      "The security token included in the request is invalid.", rule)
    stamp = request.header("X-Amz-Date").strip()
    signed_at = _stamp_ms(stamp)
    if signed_at is None or stamp[:8] != cred.date:
        raise _denied("IncompleteSignatureException",
                      "X-Amz-Date is missing or does not match the credential scope date", rule)
    _check_scope(request, cred, config.region)
    _check_skew(stamp, signed_at, SKEW_MS.get(addressed_service(request) or "", MAX_SKEW_MS))
    claimed = request.header("X-Amz-Content-SHA256").strip()
    if claimed and claimed != "UNSIGNED-PAYLOAD" and \
            claimed != hashlib.sha256(request.body).hexdigest():
        raise _denied("InvalidSignatureException",
                      "X-Amz-Content-SHA256 does not match the body", rule)
    expected = _botocore_signature(request, cred, secret, stamp)
    if not hmac.compare_digest(expected, cred.signature):
        raise _denied("InvalidSignatureException",
                      "The request signature we calculated does not match the signature you "
                      "provided. Check your AWS Secret Access Key and signing method.", rule)


def _stamp_ms(stamp: str) -> int | None:
    """``YYYYMMDDTHHMMSSZ`` as epoch ms, or None when it is not a real date."""
    m = _STAMP.fullmatch(stamp)
    if not m:
        return None
    y, mo, d, h, mi, sec = m.groups()
    try:
        return parse_rfc3339(f"{y}-{mo}-{d}T{h}:{mi}:{sec}Z")
    except TimeSyntaxError:
        return None


def _basic(ms: int) -> str:
    """Epoch ms in SigV4's basic format, as AWS writes it in its messages."""
    return re.sub(r"[-:]|\.\d+", "", format_time(ms - ms % 1000))


def _check_skew(stamp: str, signed_at: int, skew: int) -> None:
    now = wall_now_ms()  # the real time, as AWS compares it (module docstring)
    minutes = skew // 60000
    if signed_at < now - skew:
        raise _denied("InvalidSignatureException",
                      f"Signature expired: {stamp} is now earlier than "
                      f"{_basic(now - skew)} ({_basic(now)} - {minutes} min.)", "R-SRV-09")
    if signed_at > now + skew:
        raise _denied("InvalidSignatureException",
                      f"Signature not yet current: {stamp} is still later than "
                      f"{_basic(now + skew)} ({_basic(now)} + {minutes} min.)", "R-SRV-09")


def addressed_service(request: HttpRequest) -> str | None:
    """The kmsim service a request names (X-Amz-Target prefix, rpc-v2-cbor path), or None
    (a control endpoint, or no service kmsim serves)."""
    if request.path.startswith(CBOR_PREFIX):
        return CBOR_SERVICES.get(request.path[len(CBOR_PREFIX):].split("/")[0])
    if request.path.startswith("/_kmsim/"):
        return None
    return TARGETS.get(request.header("X-Amz-Target").strip().partition(".")[0])


def signing_name(service: str) -> str | None:
    """The SigV4 service name of a kmsim service (CloudWatch signs as ``monitoring``)."""
    model = shapes.service_model(service)
    return model.signing_name if model is not None else _SIGNING_NAMES.get(service)


@cache
def aws_regions() -> frozenset[str]:
    """Every Region of botocore's endpoint partitions (aws, aws-cn, aws-us-gov, ...)."""
    try:
        from botocore.loaders import Loader

        data = Loader().load_data("endpoints")
    except Exception:  # no botocore, or no endpoint data: only --region is known
        return frozenset()
    return frozenset(r for p in data.get("partitions", []) for r in p.get("regions", {}))


def _check_scope(request: HttpRequest, cred: Credential, own_region: str) -> None:
    service = addressed_service(request)
    expected = signing_name(service) if service else None
    if expected and cred.service != expected:
        raise _denied("InvalidSignatureException",
                      f"Credential should be scoped to correct service: '{expected}'.",
                      "R-SRV-10")
    host = request.header("Host").strip().lower().rsplit(":", 1)[0]
    named = [label for label in host.split(".") if _REGION.fullmatch(label)]
    valid = {named[0]} if named else aws_regions() | {own_region}
    if cred.region not in valid:
        raise _denied("InvalidSignatureException",
                      f"Credential should be scoped to a valid region, not '{cred.region}'.",
                      "R-SRV-10")


def _botocore_signature(request: HttpRequest, cred: Credential, secret: str,
                        stamp: str) -> str:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    # Only the headers the client signed: its HTTP library adds others after signing.
    headers = {}
    for name in cred.signed_headers:
        values = request.headers.get_all(name) or []
        if not values and name != "host":
            raise _denied("IncompleteSignatureException", f"signed header {name!r} is missing")
        headers[name] = ",".join(str(v) for v in values)
    host = headers.get("host", "localhost")
    url = f"http://{host}{request.path}" + (f"?{request.query}" if request.query else "")
    aws_request = AWSRequest(method=request.method, url=url, headers=headers,
                             data=request.body)
    aws_request.context["timestamp"] = stamp
    signer = SigV4Auth(Credentials(cred.access_key, secret), cred.service, cred.region)
    canonical = signer.canonical_request(aws_request)
    return signer.signature(signer.string_to_sign(aws_request, canonical), aws_request)

"""Who is calling: the access key id of a SigV4 ``Authorization`` header, mapped to a
principal ARN, and (with ``--verify-signatures``) the signature checked by botocore's
own SigV4 code, so the canonical request is exactly the one the SDK signed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field

from projections.arns import root_arn
from sim.server.protocols import ApiError, HttpRequest

_AUTH = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=([^/\s,]+)/(\d{8})/([^/\s,]+)/([^/\s,]+)/aws4_request"
    r"\s*,\s*SignedHeaders=([a-z0-9;_.-]+)\s*,\s*Signature=([0-9a-f]{64})\s*", re.ASCII)
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}", re.ASCII)


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


def _denied(code: str, message: str) -> ApiError:
    return ApiError(code, message, 403, "R-SRV-03")


def parse_authorization(request: HttpRequest) -> Credential:
    """The SigV4 credential of a request; IncompleteSignatureException when malformed."""
    header = request.header("Authorization").strip()
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
    (R-SRV-04). With verification on, the signature must match (R-SRV-03)."""
    cred = parse_authorization(request)
    if config.verify:
        verify_signature(request, cred, config.secrets)
    actor = config.principals.get(cred.access_key) or root_arn(config.account)
    return Identity(actor, cred.region or config.region)


def verify_signature(request: HttpRequest, cred: Credential, secrets: dict[str, str]) -> None:
    """Recompute the SigV4 signature with botocore and compare in constant time."""
    if not cred.access_key:
        raise _denied("MissingAuthenticationTokenException",
                      "Request is missing Authentication Token")
    secret = secrets.get(cred.access_key)
    if secret is None:
        raise _denied("UnrecognizedClientException",
                      "The security token included in the request is invalid.")
    stamp = request.header("X-Amz-Date").strip()
    if not re.fullmatch(r"\d{8}T\d{6}Z", stamp) or stamp[:8] != cred.date:
        raise _denied("IncompleteSignatureException",
                      "X-Amz-Date is missing or does not match the credential scope date")
    claimed = request.header("X-Amz-Content-SHA256").strip()
    if claimed and claimed != "UNSIGNED-PAYLOAD" and \
            claimed != hashlib.sha256(request.body).hexdigest():
        raise _denied("InvalidSignatureException",
                      "X-Amz-Content-SHA256 does not match the body")
    expected = _botocore_signature(request, cred, secret, stamp)
    if not hmac.compare_digest(expected, cred.signature):
        raise _denied("InvalidSignatureException",
                      "The request signature we calculated does not match the signature you "
                      "provided. Check your AWS Secret Access Key and signing method.")


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

"""KMS HMAC keys: GenerateMac and VerifyMac (issue 13, K2; R-KMS-ASYM-13, -14).

The key's secret comes from its seed (``keymaterial.hmac_key``): as many bytes as its
spec's bits. The MAC is the standard HMAC of RFC 2104, so a caller holding the same secret
would compute the same bytes.
"""

from __future__ import annotations

import hashlib
import hmac

from sim.errors import AwsError
from sim.params import Param
from sim.services.kms import keymaterial
from sim.services.kms.asymmetric import (
    DRY_RUN,
    GRANT_TOKENS,
    b64,
    blob,
    dry_run,
    require_algorithm,
    seed_of,
    usable_key,
)
from sim.services.kms.common import KEY_ID, check
from sim.services.registry import CallContext, operation

#: GenerateMac's and VerifyMac's Message: 1..4096 bytes.
MESSAGE = Param("Message", str, required=True, min=1, max=4096, blob=True, sensitive=True)
MAC_ALGORITHM = Param("MacAlgorithm", str, required=True,
                      enum=("HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512"))


def _mac(ctx: CallContext, req: dict, op: str) -> tuple[str, str, bytes]:
    """(key ARN, algorithm, HMAC of the message) once every check of ``op`` passed."""
    key = usable_key(ctx, req, op, "GENERATE_VERIFY_MAC")
    algorithm = req["MacAlgorithm"]
    require_algorithm(key, algorithm)  # HMAC_SHA_N for an HMAC_N key (R-KMS-ASYM-02)
    secret = keymaterial.hmac_key(key.spec, seed_of(ctx, key))
    digest = getattr(hashlib, "sha" + algorithm.removeprefix("HMAC_SHA_"))
    return key.arn, algorithm, hmac.new(secret, blob(req["Message"]), digest).digest()


@operation("kms:GenerateMac")
def generate_mac(ctx: CallContext, req: dict) -> dict:
    """The HMAC (RFC 2104) of a message under an HMAC key (R-KMS-ASYM-13)."""
    check(req, MESSAGE, KEY_ID, MAC_ALGORITHM, GRANT_TOKENS, DRY_RUN)
    arn, algorithm, mac = _mac(ctx, req, "kms:GenerateMac")
    dry_run(req)
    return {"Mac": b64(mac), "MacAlgorithm": algorithm, "KeyId": arn}


@operation("kms:VerifyMac")
def verify_mac(ctx: CallContext, req: dict) -> dict:
    """MacValid true when the Mac is the message's HMAC under the key, else
    KMSInvalidMacException (R-KMS-ASYM-14)."""
    check(req, MESSAGE, KEY_ID, MAC_ALGORITHM,
          Param("Mac", str, required=True, min=1, max=6144, blob=True), GRANT_TOKENS, DRY_RUN)
    arn, algorithm, mac = _mac(ctx, req, "kms:VerifyMac")
    if not hmac.compare_digest(mac, blob(req["Mac"])):
        raise AwsError("KMSInvalidMacException",
                       "The request was rejected because the HMAC verification failed.",
                       "R-KMS-ASYM-14")
    dry_run(req)  # only a call that would have succeeded answers DryRun (R-KMS-ASYM-26)
    return {"KeyId": arn, "MacValid": True, "MacAlgorithm": algorithm}

"""KMS HMAC keys (issue 13, K2): GenerateMac and VerifyMac (R-KMS-ASYM-13, -14).

The MAC is RFC 2104's HMAC with the hash the algorithm names, so its length is the hash's;
it depends on the key, the message and the algorithm, and VerifyMac accepts exactly it.
"""

from __future__ import annotations

import base64

import pytest
from kms_support import b64, call, ok, simulation

from sim import Simulator


@pytest.fixture
def s() -> Simulator:
    return simulation()




def hmac_key(s: Simulator, spec: str = "HMAC_256") -> str:
    return ok(s, "kms:CreateKey", {"KeySpec": spec, "KeyUsage": "GENERATE_VERIFY_MAC"}
              ).get("KeyMetadata.Arn")


@pytest.mark.parametrize(("spec", "size"), [("HMAC_224", 28), ("HMAC_256", 32),
                                            ("HMAC_384", 48), ("HMAC_512", 64)])
def test_generate_mac_answers_an_hmac_that_verify_mac_accepts(s, spec, size) -> None:
    key = hmac_key(s, spec)
    algorithm = "HMAC_SHA_" + spec.removeprefix("HMAC_")
    r = ok(s, "kms:GenerateMac", {"KeyId": key, "Message": b64(b"msg"),
                                  "MacAlgorithm": algorithm})
    assert (r.get("KeyId"), r.get("MacAlgorithm")) == (key, algorithm)
    assert len(base64.b64decode(r.get("Mac"))) == size
    v = ok(s, "kms:VerifyMac", {"KeyId": key, "Message": b64(b"msg"), "Mac": r.get("Mac"),
                                "MacAlgorithm": algorithm})
    assert (v.get("MacValid"), v.get("KeyId"), v.get("MacAlgorithm")) == (True, key, algorithm)


def test_the_mac_is_a_function_of_key_and_message(s) -> None:
    key, other = hmac_key(s), hmac_key(s)

    def mac(k: str, message: bytes) -> str:
        return ok(s, "kms:GenerateMac", {"KeyId": k, "Message": b64(message),
                                         "MacAlgorithm": "HMAC_SHA_256"}).get("Mac")

    assert mac(key, b"a") == mac(key, b"a")
    assert len({mac(key, b"a"), mac(key, b"b"), mac(other, b"a")}) == 3


def test_verify_mac_refuses_any_other_mac(s) -> None:
    key, other = hmac_key(s), hmac_key(s)
    mac = ok(s, "kms:GenerateMac", {"KeyId": key, "Message": b64(b"a"),
                                    "MacAlgorithm": "HMAC_SHA_256"}).get("Mac")
    for args in ({"KeyId": key, "Message": b64(b"b")}, {"KeyId": other, "Message": b64(b"a")}):
        r = call(s, "kms:VerifyMac", {**args, "Mac": mac, "MacAlgorithm": "HMAC_SHA_256"})
        assert (r.err, r.rule) == ("KMSInvalidMacException", "R-KMS-ASYM-14")


def test_an_algorithm_of_another_size_or_a_key_of_another_usage_is_refused(s) -> None:
    key = hmac_key(s, "HMAC_256")
    r = call(s, "kms:GenerateMac", {"KeyId": key, "Message": "m",
                                    "MacAlgorithm": "HMAC_SHA_512"})
    assert (r.err, r.rule) == ("InvalidKeyUsageException", "R-KMS-ASYM-02")
    symmetric = ok(s, "kms:CreateKey", {}).get("KeyMetadata.Arn")
    r = call(s, "kms:GenerateMac", {"KeyId": symmetric, "Message": "m",
                                    "MacAlgorithm": "HMAC_SHA_256"})
    assert (r.err, r.rule) == ("InvalidKeyUsageException", "R-KMS-ASYM-01")
    r = call(s, "kms:GenerateMac", {"KeyId": key, "Message": b64(b"x" * 4097),
                                    "MacAlgorithm": "HMAC_SHA_256"})
    assert r.err == "ValidationException"


def test_a_disabled_key_or_an_unauthorized_caller_gets_no_mac(s) -> None:
    key = hmac_key(s)
    args = {"KeyId": key, "Message": "m", "MacAlgorithm": "HMAC_SHA_256"}
    assert call(s, "kms:GenerateMac", args, as_="nobody").err == "AccessDeniedException"
    ok(s, "kms:DisableKey", {"KeyId": key})
    assert call(s, "kms:GenerateMac", args).err == "DisabledException"

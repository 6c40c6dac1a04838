"""The server's own decisions, as rules (SPEC 3.5): every error the server answers
before a handler runs cites one of these in ``x-kmsim-rule``.

Declared here with every other area so that ``kmsim rules`` lists them.
"""

from projections.rulebook.registry import SPEC, Rule, declare

MALFORMED = "malformed requests get 4xx errors, never 5xx"
VERIFIED = "signatures are verified when `--verify-signatures` is given with the secrets"
OBSERVED_SKEW = ("observed behaviour: AWS answers InvalidSignatureException 'Signature "
                 "expired: DATE is now earlier than NOW-15 (NOW - 15 min.)' "
                 "(aws/aws-sdk-js#254, upmc-enterprises/registry-creds#24)")
OBSERVED_SCOPE = ("observed behaviour: AWS answers InvalidSignatureException 'Credential "
                  "should be scoped to a valid region, not REGION' (aws/aws-sdk-go#156, "
                  "aws/aws-sdk-js-v3#5576) and 'Credential should be scoped to correct "
                  "service: NAME'")

declare(
    Rule("R-SRV-01", "A request body the protocol cannot read (bad JSON or CBOR, wrong "
         "Content-Type, a value of the wrong type for the operation's model) is refused with "
         "a 4xx SerializationException-style error and records no event", SPEC,
         quote=MALFORMED),
    Rule("R-SRV-02", "A request naming no operation, or a service kmsim does not serve "
         "(X-Amz-Target prefix, rpc-v2-cbor path), fails with UnknownOperationException",
         SPEC, quote="KMS (`awsJson1_1`, `X-Amz-Target: TrentService.*`), CloudWatch Logs "
         "(`awsJson1_1`, `Logs_20140328.*`), CloudWatch (`smithy-rpc-v2-cbor`"),
    Rule("R-SRV-03", "With --verify-signatures, a request whose SigV4 signature does not match "
         "the secret of its access key id is refused with HTTP 403", SPEC,
         quote=VERIFIED),
    Rule("R-SRV-04", "The caller is the principal mapped to the request's access key id; an "
         "unmapped key id is the account root", SPEC,
         quote="The caller is the principal mapped to the request's access key id "
         "(`--principal AKID=ARN`, repeatable; an unmapped key id is the account root)"),
    Rule("R-SRV-05", "A request body over the server's limit, or without a Content-Length, is "
         "refused with a 4xx error", SPEC, quote=MALFORMED),
    Rule("R-SRV-06", "A body that would cost more to decode than any modeled request (deeper "
         "nesting, more values, maps or lists than the server's bounds, or a CBOR tag other "
         "than rpc-v2-cbor's tag 1) is refused with a 4xx SerializationException before any "
         "handler runs, and records no event", SPEC, quote=MALFORMED),
    Rule("R-SRV-07", "A number outside its model type's range (integer 32-bit, long 64-bit, "
         "timestamps within the simulator's time range), or a null inside a list or map, is "
         "refused with a 4xx SerializationException and records no event; a null structure "
         "member is an absent one", SPEC, quote=MALFORMED),
    Rule("R-SRV-08", "A request whose framing is broken (a body shorter than its "
         "Content-Length, two Content-Length headers, an empty, negative or non-numeric one) "
         "is refused with 400 and never executed", SPEC, quote=MALFORMED),
    Rule("R-SRV-09", "With --verify-signatures, a request dated more than 15 minutes before or "
         "after the wall clock is refused with InvalidSignatureException (HTTP 403)",
         OBSERVED_SKEW),
    Rule("R-SRV-10", "With --verify-signatures, a request whose credential scope names another "
         "service or another Region than the one it is addressed to is refused with "
         "InvalidSignatureException (HTTP 403)", OBSERVED_SCOPE),
    Rule("R-SRV-11", "With --verify-signatures, an unsigned or badly signed request to a "
         "control endpoint (/_kmsim/) is refused with HTTP 403", SPEC, quote=VERIFIED),
)

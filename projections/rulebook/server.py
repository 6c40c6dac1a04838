"""The server's own decisions, as rules (SPEC 3.5): every error the server answers
before a handler runs cites one of these in ``x-kmsim-rule``.

Declared here with every other area so that ``kmsim rules`` lists them.
"""

from projections.rulebook import SPEC, Rule, declare

declare(
    Rule("R-SRV-01", "A request body the protocol cannot read (bad JSON or CBOR, wrong "
         "Content-Type, a value of the wrong type for the operation's model) is refused with "
         "a 4xx SerializationException-style error and records no event", SPEC,
         quote="malformed requests get 4xx errors, never 5xx"),
    Rule("R-SRV-02", "A request naming no operation, or a service kmsim does not serve "
         "(X-Amz-Target prefix, rpc-v2-cbor path), fails with UnknownOperationException",
         SPEC, quote="KMS (`awsJson1_1`, `X-Amz-Target: TrentService.*`), CloudWatch Logs "
         "(`awsJson1_1`, `Logs_20140328.*`), CloudWatch (`smithy-rpc-v2-cbor`"),
    Rule("R-SRV-03", "With --verify-signatures, a request whose SigV4 signature does not match "
         "the secret of its access key id is refused with HTTP 403", SPEC,
         quote="signatures are verified when `--verify-signatures` is given with the "
         "secrets"),
    Rule("R-SRV-04", "The caller is the principal mapped to the request's access key id; an "
         "unmapped key id is the account root", SPEC,
         quote="The caller is the principal mapped to the request's access key id "
         "(`--principal AKID=ARN`, repeatable; an unmapped key id is the account root)"),
    Rule("R-SRV-05", "A request body over the server's limit, or without a Content-Length, is "
         "refused with a 4xx error", SPEC, quote="malformed requests get 4xx errors, never 5xx"),
)

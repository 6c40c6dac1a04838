"""Rules for the simulator's own operations (service ``sim``).

These operations are kmsim's, not AWS's: SPEC 3 and 8 say what they declare, and SPEC 6
that they are events like any other. Where an answer is AWS's (UnknownOperationException
for an operation a service does not have), the rule cites where it was seen.
"""

from projections.rulebook.registry import SPEC, Rule, declare

OBSERVED_UNKNOWN = ("observed behaviour: CloudWatch Logs answers an operation it does not have "
                    "with HTTP 400 and the body {\"__type\":\"UnknownOperationException\"} "
                    "(aws/aws-sdk-net#1536, #1537); AWS OpsWorks 'UnknownOperationException', "
                    "statusCode 400 (aws/aws-sdk-js#425)")

declare(
    Rule("R-SIM-01", "sim:PutPrincipal declares a principal, whose ARN is an IAM ARN: a role "
         "(arn:aws:iam::ACCOUNT:role/NAME), a user (...:user/NAME) or an account root "
         "(...:root); another ARN is refused", SPEC,
         quote="Principals are IAM ARNs (`arn:aws:iam::ACCOUNT:role/NAME`, `...:user/NAME`, "
         "`...:root`)"),
    Rule("R-SIM-02", "sim:Label names the data item an earlier event wrote", SPEC,
         quote="names the data item this step writes"),
    Rule("R-SIM-03", "An operation kmsim does not simulate fails with "
         "UnknownOperationException, as AWS answers an operation a service does not have",
         OBSERVED_UNKNOWN, quote='{"__type":"UnknownOperationException"}'),
    Rule("R-SIM-04", "A sim: request with a parameter of the wrong type or without a required "
         "one is malformed: it fails with a 4xx error, never 5xx (kmsim names it "
         "ValidationException, AWS's word for it, R-SRV-20)", SPEC,
         quote="malformed requests get 4xx errors, never 5xx"),
    Rule("R-SIM-05", "A principal's identity policies are IAM policy documents, as a key policy "
         "is: sim:PutPrincipal refuses one that is not with MalformedPolicyDocumentException, "
         "the error KMS gives such a key policy (R-KMS-55)", SPEC,
         quote="Evaluate like IAM: an explicit Deny anywhere wins; otherwise the action is "
         "allowed when the key policy allows the principal directly, or the key policy allows "
         "the account (`arn:aws:iam::ACCOUNT:root` or `ACCOUNT`) *and* an identity policy of "
         "the principal allows it."),
)

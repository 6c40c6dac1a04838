"""Rules for the simulator's own operations (service ``sim``).

These operations are kmsim's, not AWS's: SPEC 3 and 8 say what they declare, and SPEC 6
that they are events like any other. Where an answer is AWS's (UnknownOperationException
for an operation a service does not have), the rule cites where it was seen.
"""

from projections.rulebook.registry import SPEC, Assumption, Rule, declare, declare_assumptions

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
    Rule("R-SIM-06", "sim:SaveVariables records values a scenario's steps saved (a name for a "
         "response field's value, as save binds it), so that a log names them as its scenario "
         "did; where in the log they are recorded is A-SAVED-VALUES; it changes no simulated "
         "resource", "assumption A-SAVED-VALUES", assumption="A-SAVED-VALUES"),
)

declare_assumptions(
    Assumption(
        id="A-SAVED-VALUES",
        statement="Where a scenario run records the values its steps save (save = { k1 = "
        "\"KeyMetadata.Arn\" }) in its log, as sim:SaveVariables events, so that every "
        "reader of the log (kmsim at, explain, diff, debug, whatif) names a key k1 as the "
        "scenario did; an event is numbered like any other, so where it goes decides which "
        "event numbers it moves",
        default="end",
        alternatives=("step", "none"),
        meaning={"end": "one event after the last step holds every value saved (the last "
                 "one saved under a name): no step's event number changes",
                 "step": "one event right after each step that saves: a value is known from "
                 "that moment on, and each such event moves the numbers of the events after "
                 "it by one",
                 "none": "nothing is recorded: a log names keys by their alias or key id"},
    ),
)

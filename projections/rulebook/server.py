"""The server's own decisions, as rules (SPEC 3.5): every error the server answers
before a handler runs cites one of these in ``x-kmsim-rule``; R-SRV-12 to R-SRV-14 say
at which instant a request happens (``sim/server/clock.py``), R-SRV-15 what a reset is.

Declared here with every other area so that ``kmsim rules`` lists them.
"""

from projections.rulebook.registry import SPEC, Assumption, Rule, declare, declare_assumptions

MALFORMED = "malformed requests get 4xx errors, never 5xx"
VERIFIED = "signatures are verified when `--verify-signatures` is given with the secrets"
OBSERVED_SKEW = ("observed behaviour: aws/aws-sdk-js#254, upmc-enterprises/registry-creds#24: "
                 "'InvalidSignatureException: Signature expired: 20170111T204052Z is now "
                 "earlier than 20170111T225449Z (20170111T230949Z - 15 min.) status code: 400'")
OBSERVED_SCOPE = ("observed behaviour: AWS answers InvalidSignatureException 'Credential "
                  "should be scoped to a valid region, not REGION' (aws/aws-sdk-go#156, "
                  "aws/aws-sdk-js-v3#5576) and 'Credential should be scoped to correct "
                  "service: NAME'")
SEQUENTIAL = ("sequential requests never count as concurrent: each request happens at its "
              "own instant, after the previous event")

declare(
    Rule("R-SRV-01", "A request body the protocol cannot read (bad JSON or CBOR, wrong "
         "Content-Type, a value of the wrong type for the operation's model) is refused with "
         "a 4xx error (SerializationException, R-SRV-36; the rest A-SRV-REFUSALS) and records "
         "no event (R-SRV-37)", SPEC, quote=MALFORMED, assumption="A-SRV-REFUSALS"),
    Rule("R-SRV-02", "kmsim serve speaks KMS (TrentService.*), CloudWatch Logs "
         "(Logs_20140328.*) and CloudWatch (rpc-v2-cbor): a request naming no operation, or a "
         "service it does not serve, fails with UnknownOperationException, the code AWS "
         "answers an operation it does not have (R-SIM-03)",
         SPEC, quote="KMS (`awsJson1_1`, `X-Amz-Target: TrentService.*`), CloudWatch Logs "
         "(`awsJson1_1`, `Logs_20140328.*`), CloudWatch (`smithy-rpc-v2-cbor`"),
    Rule("R-SRV-03", "With --verify-signatures, a request whose SigV4 signature does not match "
         "the secret of its access key id is refused (its code and status: R-SRV-30 to R-SRV-35)",
         SPEC, quote=VERIFIED),
    Rule("R-SRV-04", "The caller is the principal mapped to the request's access key id; an "
         "unmapped key id is the account root", SPEC,
         quote="The caller is the principal mapped to the request's access key id "
         "(`--principal AKID=ARN`, repeatable; an unmapped key id is the account root)"),
    Rule("R-SRV-05", "A request body over the server's limit, or without a Content-Length, is "
         "refused with a 4xx error (RequestEntityTooLargeException 413, LengthRequiredException "
         "411: A-SRV-REFUSALS)", SPEC, quote=MALFORMED, assumption="A-SRV-REFUSALS"),
    Rule("R-SRV-06", "A body that would cost more to decode than any modeled request (deeper "
         "nesting, more values, maps or lists than the server's bounds, or a CBOR tag other "
         "than rpc-v2-cbor's tag 1) is refused with a 4xx error before any handler runs "
         "(SerializationException and the bounds: A-SRV-REFUSALS), and records no event "
         "(R-SRV-37)", SPEC, quote=MALFORMED, assumption="A-SRV-REFUSALS"),
    Rule("R-SRV-07", "A number outside its model type's range (integer 32-bit, long 64-bit, "
         "timestamps within the simulator's time range), or a null inside a list or map, is "
         "refused with a 4xx error (SerializationException: A-SRV-REFUSALS) and records no "
         "event (R-SRV-37); a null structure member is an absent one (A-SRV-REFUSALS)", SPEC,
         quote=MALFORMED, assumption="A-SRV-REFUSALS"),
    Rule("R-SRV-08", "A request whose framing is broken (a body shorter than its "
         "Content-Length, two Content-Length headers, an empty, negative or non-numeric one) "
         "is refused with a 4xx error (400: A-SRV-REFUSALS) and never executed", SPEC,
         quote=MALFORMED, assumption="A-SRV-REFUSALS"),
    Rule("R-SRV-09", "With --verify-signatures, a request dated more than 15 minutes before or "
         "after the wall clock is refused with InvalidSignatureException 'Signature expired: "
         "DATE is now earlier than NOW-15 (NOW - 15 min.)' (400, R-SRV-33; CloudWatch: 5 "
         "minutes, 403, R-SRV-34)", OBSERVED_SKEW),
    Rule("R-SRV-10", "With --verify-signatures, a request whose credential scope names another "
         "service or another Region than the one it is addressed to is refused with "
         "InvalidSignatureException (its status: R-SRV-35)", OBSERVED_SCOPE,
         assumption="A-SRV-AUTH-STATUS"),
    Rule("R-SRV-11", "With --verify-signatures, an unsigned or badly signed request to a "
         "control endpoint (/_kmsim/) is refused with HTTP 403", SPEC, quote=VERIFIED),
)

declare(
    Rule("R-SRV-12", "Under kmsim serve, sequential requests never count as concurrent: each "
         "request happens at its own instant, after the previous event", SPEC,
         quote=SEQUENTIAL),
    Rule("R-SRV-13", "A request to kmsim serve happens at the later of the clock's now and the "
         "previous event's time plus the step (1 ms by default), under --clock sim and "
         "--clock wall alike; the simulated clock is then at that instant",
         "assumption A-REQUEST-STEP", assumption="A-REQUEST-STEP"),
    Rule("R-SRV-14", "A request to kmsim serve with the header x-kmsim-concurrent: true happens "
         "at the clock's now, which is the previous event's instant unless the clock moved "
         "past it, so it is concurrent with that event; a value other than true or false is "
         "refused with 400 and records no event",
         "assumption A-REQUEST-STEP", assumption="A-REQUEST-STEP"),
    Rule("R-SRV-15", "POST /_kmsim/reset starts a fresh timeline with the same flags", SPEC,
         quote="`POST /_kmsim/reset` (a fresh timeline with the same flags)"),
)

declare_assumptions(
    Assumption(
        id="A-REQUEST-STEP",
        statement="How long after the previous event a request to kmsim serve happens when "
        "the clock has not moved past it (AWS's conflicts are about concurrent requests, and "
        "the server sees requests one at a time); a request sent with x-kmsim-concurrent: "
        "true asks for no step",
        default="1ms",
        alternatives=("step:",),
        meaning={"1ms": "1 ms after the previous event at the earliest (at the clock's now "
                 "when that is later)",
                 "step:DURATION": "DURATION (1 ms or more) after the previous event at the "
                 "earliest, e.g. step:1s to space requests out"},
    ),
)

# -- validation messages (R-SRV-20 to R-SRV-26): what AWS answers for a request member that
# breaks its model constraints, as users have reported it; the rule each check cites stays
# its service's (R-KMS-17, R-LOGS-19, R-DS-10/11, R-DS-31, R-SIM-04).
OBSERVED_FORM = (
    "observed behaviour: 'Value '' at 'keyId' failed to satisfy constraint: Member must have "
    "length greater than or equal to 1' (KMS, stelligent/mu#382); 'Value '3000' at 'timeout' "
    "failed to satisfy constraint: Member must have value less than or equal to 900' "
    "(covidatlas/li#575); 'Value '...' at 'logGroupName' failed to satisfy constraint: Member "
    "must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+' (CloudWatch Logs, "
    "awslabs/aws-embedded-metrics-node#160, awslabs/aws-embedded-metrics-java#65); 'Value "
    "'DISABLED' at 'validation' failed to satisfy constraint: Member must satisfy enum value "
    "set: [ENABLE, DISABLE]' (hashicorp/terraform-provider-aws#17502); '2 validation errors "
    "detected: ...; ...' (hashicorp/terraform-provider-aws#36076, dbhowell/pino-cloudwatch#12)")
OBSERVED_PATHS = (
    "observed behaviour: KMS names KeyId 'keyId' (stelligent/mu#382) and Plaintext "
    "'plaintext' (getmoto/moto tests marked aws_verified: 'Value at 'plaintext' failed to "
    "satisfy constraint: Member must have length greater than or equal to 1'); CloudWatch "
    "Logs 'logEvents.1.member.message', '10 validation errors detected: Value '' at "
    "'logEvents.1.member.message' ...; Value '' at 'logEvents.4.member.message' ...' "
    "(fluent-plugins-nursery/fluent-plugin-cloudwatch-logs#140), 'Value '' at 'nextToken' "
    "failed to satisfy constraint: Member must have length greater than or equal to 1' "
    "(fluent-plugins-nursery/fluent-plugin-cloudwatch-logs#116)")
OBSERVED_VALUES = (
    "observed behaviour: 'Value null at 'logEvents.1.member.timestamp' failed to satisfy "
    "constraint: Member must not be null' (amazon-archives/cloudwatch-logs-centralize-logs#5); "
    "'Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater "
    "than or equal to 1' (lazywithclass/winston-cloudwatch#55, #49); the sensitive Plaintext "
    "shown as 'Value at 'plaintext'' (getmoto/moto, aws_verified)")
OBSERVED_KMS_SERVICE = (
    "observed behaviour: 'ValidationException: PendingWindowInDays must be between 7 and 30' "
    "for PendingWindowInDays 1 (Skyscanner/kms-issuer#8; the model allows 1-365 'but KMS code "
    "separately enforces a limit of 7-30', awsdocs/aws-cloudformation-user-guide#326); "
    "'ValidationException: Alias must start with the prefix \"alias/\". Please see "
    "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html' "
    "(aws-controllers-k8s/community#1878); 'ValidationException: alias/Service:Test contains "
    "invalid characters for an alias' (hashicorp/terraform-provider-aws#12891)")
OBSERVED_QUERY = (
    "observed behaviour: 'The parameter MetricData is required.' (MissingParameter, "
    "awslabs/cloudwatch-fluent-metrics#13); 'The parameter MetricData.member.12.Dimensions."
    "member.1.Value is required.' (sj26/sidekiq-cloudwatchmetrics#42); 'The parameter "
    "MetricData.member.13.Dimensions.member.4.Value must be shorter than 1025 characters.' "
    "(InvalidParameterValue, LeonAdato/xk6-output-statsd#8); 'The parameter "
    "MetricData.member.1.Unit must be a value in the set [ Seconds, ..., None ].' "
    "(awslabs/collectd-cloudwatch#46); 'The collection MetricData must not have a size greater "
    "than 20.' (papertrail/papertrail-services#66); 'The value 5xx_error_FooBar_average for "
    "parameter MetricDataQueries.member.1.Id is not matching the expected pattern "
    "^[a-z][a-zA-Z0-9_]*$.' (influxdata/telegraf#5420); several problems one per line "
    "(noxdafox/rabbitmq-cloudwatch-exporter#14, cloudposse-archives/prometheus-to-cloudwatch#14)")

declare(
    Rule("R-SRV-20", "A request member outside its model's constraints (length, value range, "
         "regular expression pattern, enumeration, or a required member left out) is refused "
         "with the service's validation error, whose message is 'N validation error(s) "
         "detected: ' and one part per failed constraint, joined by '; ': 'Value '<value>' at "
         "'<member>' failed to satisfy constraint: Member must have length less than or equal "
         "to N' (or greater than or equal to N), 'Member must have value less than or equal to "
         "N' (or greater), 'Member must satisfy regular expression pattern: <pattern>', "
         "'Member must satisfy enum value set: [A, B]'", OBSERVED_FORM),
    Rule("R-SRV-21", "A message names the member in lowerCamelCase in KMS (KeyId is 'keyId') "
         "and as the model writes it in CloudWatch Logs; a member of a list's element is "
         "'<list>.<N>.member.<member>' with N counted from 1, every failing element is listed, "
         "in the list's order", OBSERVED_PATHS),
    Rule("R-SRV-22", "A required member left out is 'Value null at '<member>' failed to satisfy "
         "constraint: Member must not be null'; an empty list is shown as '[]'; a member the "
         "model marks sensitive is shown without its value ('Value at '<member>''); other "
         "values as written", OBSERVED_VALUES),
    Rule("R-SRV-23", "KMS refuses a PendingWindowInDays inside the model's 1..365 but outside "
         "7..30 with 'PendingWindowInDays must be between 7 and 30', an alias name without the "
         "alias/ prefix with 'Alias must start with the prefix \"alias/\". Please see "
         "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html', and other "
         "characters than letters, digits, '/', '_' and '-' after it with '<name> contains "
         "invalid characters for an alias' (ValidationException)", OBSERVED_KMS_SERVICE),
    Rule("R-SRV-24", "CloudWatch's query-compatible PutMetricData and GetMetricData answer in "
         "the query protocol's words: 'The parameter <path> is required.', 'The parameter "
         "<path> must be shorter than <max + 1> characters.', 'The parameter <path> must be a "
         "value in the set [ A, B ].', 'The value <value> for parameter <path> is not matching "
         "the expected pattern ^<pattern>$.', 'The collection <path> must not have a size "
         "greater than <max>.', with paths like MetricData.member.1.Dimensions.member.1.Value",
         OBSERVED_QUERY),
    Rule("R-SRV-25", "Where no observed message settles it, kmsim lists the parts in the order "
         "the handler declares the members (for one member: length or range, pattern, enum), "
         "lists them all, names the CloudWatch dataset operations' members in lowerCamelCase, "
         "answers a CloudWatch query-form problem with the first one it finds, and shows a "
         "non-empty list or a map as A-VALIDATION-FORM says", "assumption A-VALIDATION-FORM",
         assumption="A-VALIDATION-FORM"),
)

declare_assumptions(
    Assumption(
        id="A-VALIDATION-FORM",
        statement="What the observed validation messages leave open (R-SRV-25): the order of "
        "the parts, the dataset operations' form, the query-form words of a too-short value "
        "('must be longer than N characters') or a number out of range ('must be greater than "
        "or equal to N'), and how a non-empty list or a map is shown as the Value; a value of "
        "the wrong type (only through the Python API: the server refuses it first, R-SRV-01) "
        "is described as 'Member must be of type T'",
        default="java",
        alternatives=("omit",),
        meaning={"java": "a non-empty list or a map is shown as Java's toString writes it, "
                 "as AWS's Java services print values: [a, b], {k=v}",
                 "omit": "a non-empty list or a map is not shown: 'Value at '<member>''"},
    ),
)

# -- signature refusals as each service answers them (R-SRV-30 to R-SRV-35; issue 9).
declare(
    Rule("R-SRV-30", "In KMS and CloudWatch Logs (awsJson), a request whose signature does not "
         "match is refused with InvalidSignatureException 'The request signature we "
         "calculated does not match the signature you provided. Check your AWS Secret Access "
         "Key and signing method.' and HTTP 400, as AWS's awsJson services answer it",
         "observed behaviour: teralytics/prometheus-ecs-discovery#7 (ECS): "
         "'InvalidSignatureException: The request signature we calculated does not match the "
         "signature you provided. ... status code: 400'; aws/aws-sdk-js#284 (DynamoDB): "
         "'InvalidSignatureException 400 (Bad Request)'; lukewaite/logstash-input-cloudwatch-"
         "logs#49: 'Aws::CloudWatchLogs::Errors::InvalidSignatureException'"),
    Rule("R-SRV-31", "In KMS and CloudWatch Logs, an access key id the server has no secret for "
         "is refused with UnrecognizedClientException 'The security token included in the "
         "request is invalid.' and HTTP 400",
         "observed behaviour: maxbanton/cwh#119 (CloudWatch Logs): 'resulted in a `400 Bad "
         "Request` response: {\"__type\":\"UnrecognizedClientException\",\"message\":\"The "
         "security token included in the request is invalid.\"}'; "
         "aws-azure-login/aws-azure-login#37: 'UnrecognizedClientException: The security "
         "token included in the request is invalid. status code: 400'"),
    Rule("R-SRV-32", "In KMS and CloudWatch Logs, a request without an Authorization header is "
         "refused with MissingAuthenticationTokenException 'Request is missing Authentication "
         "Token' and HTTP 400, as the awsJson service DynamoDB answers it (that KMS and Logs "
         "answer alike: A-SRV-AUTH-STATUS)",
         "observed behaviour: awslabs/amazon-kinesis-client#351, "
         "amazon-archives/aws-dynamodb-session-tomcat#42: 'Request is missing Authentication "
         "Token (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: "
         "MissingAuthenticationTokenException'", assumption="A-SRV-AUTH-STATUS"),
    Rule("R-SRV-33", "In KMS and CloudWatch Logs, a request signed more than 15 minutes before "
         "or after now is refused with InvalidSignatureException 'Signature expired: DATE is "
         "now earlier than NOW-15 (NOW - 15 min.)' (or 'Signature not yet current: DATE is "
         "still later than NOW+15 (NOW + 15 min.)') and HTTP 400 (the window KMS and Logs "
         "use: A-SRV-AUTH-STATUS)", OBSERVED_SKEW, assumption="A-SRV-AUTH-STATUS"),
    Rule("R-SRV-34", "CloudWatch answers its signature refusals as its query protocol names "
         "them, with HTTP 403: SignatureDoesNotMatch for a signature that does not match, "
         "InvalidClientTokenId 'The security token included in the request is invalid' for an "
         "unknown access key id, SignatureDoesNotMatch 'Signature expired: ... (NOW - 5 min.)' "
         "or 'Signature not yet current: ... (NOW + 5 min.)' for a date more than 5 minutes "
         "away, and 'Credential should be scoped to correct service: 'monitoring'.' for "
         "another service's scope",
         "observed behaviour: grafana/grafana#46365: 'SignatureDoesNotMatch: The request "
         "signature we calculated does not match the signature you provided. ... status code: "
         "403'; aws/aws-sdk-java#2437: 'Service: AmazonCloudWatch; Status Code: 403; Error "
         "Code: InvalidClientTokenId'; aws/aws-sdk-js-v3#5192 (CloudWatchClient): "
         "'\"httpStatusCode\":403 ... \"Code\":\"SignatureDoesNotMatch\",\"message\":\"Signature "
         "expired: 20230907T155358Z is now earlier than 20230907T155403Z (20230907T155903Z - "
         "5 min.)\"'; wawastein/zabbix-cloudwatch#10: 'Signature not yet current: "
         "20180307T081832Z is still later than 20180307T081739Z (20180307T081239Z + 5 min.)'; "
         "erlcloud/erlcloud#234: 'Credential should be scoped to correct service: "
         "'monitoring'.'"),
    Rule("R-SRV-35", "Where no report shows the answer, kmsim answers a signature refusal as "
         "A-SRV-AUTH-STATUS says: a malformed Authorization header is "
         "IncompleteSignatureException with 400, a scope naming another service or Region is "
         "InvalidSignatureException with 400 in KMS and CloudWatch Logs and 403 in CloudWatch, "
         "and KMS and Logs answer as the other awsJson services observed",
         "assumption A-SRV-AUTH-STATUS", assumption="A-SRV-AUTH-STATUS"),
    Rule("R-SRV-36", "A body CloudWatch Logs cannot read (a JSON object where a string is "
         "expected, broken JSON) is refused with SerializationException and HTTP 400",
         "observed behaviour: fluent/fluent-bit#8449: 'CloudWatch Logs output throws a "
         "`SerializationException` error when using `log_key` option pointing to a field "
         "that stores an object'; fluent/helm-charts#133: 'CreateLogGroup http status=400 ... "
         "CreateLogGroup API responded with error='SerializationException''; "
         "fluent/fluent-bit#4143: 'invalidating the JSON's well-formed structure and "
         "triggering AWS cloudwatch api to throw a 'SerializationException''"),
    Rule("R-SRV-37", "A request the server refuses records no event and changes nothing",
         SPEC, quote="a failed call changes nothing"),
)

declare_assumptions(
    Assumption(
        id="A-SRV-AUTH-STATUS",
        statement="The signature refusals no report shows (R-SRV-35): IncompleteSignature is "
        "400 as AWS's Common Errors pages list it (403 for the other signature errors in "
        "CloudWatch, as they list MissingAuthenticationToken); a wrong scope has the status "
        "of the service's other InvalidSignatureException answers; KMS and CloudWatch Logs "
        "answer with the codes, messages, 400 and 15-minute window observed on the other "
        "awsJson services",
        default="observed",
        alternatives=("forbidden",),
        meaning={"observed": "as the nearest observed answer of the same protocol",
                 "forbidden": "every signature refusal is HTTP 403, whatever the service "
                 "(the code and message stay)"},
    ),
    Assumption(
        id="A-SRV-REFUSALS",
        statement="kmsim's own answers to a request AWS's reports do not cover: a body over "
        "the limit is RequestEntityTooLargeException 413, no Content-Length is "
        "LengthRequiredException 411, an unsupported Content-Type is "
        "UnsupportedMediaTypeException 415, broken framing is 400, a body over the decoding "
        "bounds (sim/server/limits.py), unreadable CBOR, a wrongly typed value, a number out "
        "of its type's range or a null in a list or map is SerializationException 400, and a "
        "null structure member is an absent one",
        default="kmsim",
        alternatives=("bad-request",),
        meaning={"kmsim": "the codes and statuses listed, every one a 4xx (SPEC: never 5xx)",
                 "bad-request": "the same codes, every one HTTP 400 (no 411, 413 or 415)"},
    ),
)

# -- requests for a service kmsim does not simulate (R-SRV-40 to R-SRV-43; issue 12b).
OBSERVED_QUERY_UNKNOWN = (
    "observed behaviour: the query protocol answers an action its service does not have with "
    "'<ErrorResponse ...><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>Could "
    "not find operation GetSendQuota for version 2009-10-16</Message></Error><RequestId>...' "
    "and '400 Bad Request' (SES, django-ses/django-ses#158); 'InvalidAction: Could not find "
    "operation AssumeRoleWithWebIdentity for version 2011-06-15 status code: 400' (STS, "
    "aws/session-manager-plugin#116); EC2 '<Response><Errors><Error><Code>InvalidAction</Code>"
    "<Message>The action :DescribeInstances is not valid for this web service.</Message>' "
    "(cognitect-labs/aws-api#6); documented: 'InvalidAction The action or operation requested "
    "is invalid. Verify that the action is typed correctly. HTTP Status Code: 400' (Common "
    "Errors, https://docs.aws.amazon.com/cloudsearch/latest/developerguide/CommonErrors.html)")
OBSERVED_JSON_UNKNOWN = (
    "observed behaviour: 'ClientError: An error occurred (UnknownOperationException) when "
    "calling the ListSchemas operation' (Personalize, boto/botocore#1846); "
    "'UnknownOperationException while client('logs').start_query()' (boto/boto3#2359); "
    "CloudWatch Logs: HTTP 400 and {\"__type\":\"UnknownOperationException\"} "
    "(aws/aws-sdk-net#1536)")
OBSERVED_S3_UNKNOWN = (
    "observed behaviour (documented): S3's REST errors are an XML document '<Error> "
    "<Code>NoSuchKey</Code> <Message>...</Message> <RequestId>...</RequestId> </Error>' with "
    "'Content-Type: application/xml' (https://docs.aws.amazon.com/AmazonS3/latest/dev/"
    "UsingRESTError.html); S3 answers functionality it does not implement with NotImplemented "
    "'A header you provided implies functionality that is not implemented' (zenn.dev/k_yone, "
    "AWS SDK for JavaScript v3: 'errorType: NotImplemented') and HTTP 501 (Apache Ozone "
    "HDDS-16591: 'returns with a 501 NotImplemented error code', as S3 does)")

declare(
    Rule("R-SRV-40", "kmsim serve answers a request it can tell is for a service it does not "
         "simulate (the service of its SigV4 credential scope, an X-Amz-Target prefix it does "
         "not serve, a query-protocol Action) in that service's protocol, with a message that "
         "names the service and says kmsim does not simulate it, HTTP 400 (S3: as "
         "A-SRV-OTHER-SERVICES says), and records no event",
         "assumption A-SRV-OTHER-SERVICES", assumption="A-SRV-OTHER-SERVICES"),
    Rule("R-SRV-41", "In an awsJson or restJson service, an operation the service does not "
         "have is answered with UnknownOperationException (the code in __type; restJson: in "
         "x-amzn-ErrorType)", OBSERVED_JSON_UNKNOWN),
    Rule("R-SRV-42", "In a query-protocol service (STS, SES) an action the service does not "
         "have is answered with InvalidAction in an ErrorResponse XML document (EC2: a "
         "Response with Errors), HTTP 400", OBSERVED_QUERY_UNKNOWN),
    Rule("R-SRV-43", "S3 answers functionality it does not implement with NotImplemented in "
         "its REST error XML document (<Error><Code>, <Message>, <RequestId>); its status is "
         "as A-SRV-OTHER-SERVICES says", OBSERVED_S3_UNKNOWN,
         assumption="A-SRV-OTHER-SERVICES"),
)

declare_assumptions(
    Assumption(
        id="A-SRV-OTHER-SERVICES",
        statement="A request for a service kmsim does not simulate (AWS never sees one: an "
        "endpoint serves one service) is answered as that service answers an operation it "
        "does not have, in its own protocol (R-SRV-41 to R-SRV-43), so an SDK shows a "
        "readable error rather than failing to parse the body; the status of S3's "
        "NotImplemented is the choice",
        default="client-error",
        alternatives=("aws",),
        meaning={"client-error": "every such answer is HTTP 400, a client error SDKs do not "
                 "retry (SPEC 10 keeps kmsim's own refusals 4xx)",
                 "aws": "S3's NotImplemented is HTTP 501, as S3 answers it; the others "
                 "stay 400"},
    ),
)

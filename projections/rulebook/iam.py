"""Authorization rules (SPEC 3.2): how key policies and identity policies decide."""

from projections.rulebook.registry import SPEC, Rule, declare

declare(
    Rule("R-IAM-01", "An explicit Deny in any applicable policy wins over every Allow", SPEC,
         quote="an explicit Deny anywhere wins"),
    Rule("R-IAM-02", "A key policy statement that names the principal allows it directly",
         SPEC, quote="the key policy allows the principal directly"),
    Rule("R-IAM-03",
         "A key policy statement that names the account (root or account id) delegates to "
         "IAM: the principal's identity policy must also allow the action", SPEC,
         quote="the key policy allows the account (`arn:aws:iam::ACCOUNT:root` or `ACCOUNT`) "
         "*and* an identity policy of the principal allows it"),
    Rule("R-IAM-04",
         "Service principals are allowed only by key policy statements naming them in "
         "Principal.Service", SPEC,
         quote="Service principals are allowed only by key policy statements naming them in "
         "`Principal.Service`"),
    Rule("R-IAM-05",
         "A condition operator or key kmsim does not support makes its statement not match, "
         "and the explanation says so", SPEC,
         quote="An operator or key that is not supported makes its statement not match"),
    Rule("R-IAM-06", "Nothing allowed it: the request is implicitly denied", SPEC,
         quote="otherwise the action is allowed when"),
    Rule("R-IAM-07",
         "A key created without a Policy gets the default key policy (account root: kms:*), "
         "so CloudWatch and CloudWatch Logs are not allowed until the policy grants them",
         SPEC, quote="A key created without a Policy gets the KMS default key policy"),
)

"""Authorization rules (SPEC 3.2): how key policies and identity policies decide."""

from projections.rulebook.registry import SPEC, Rule, declare

OBSERVED_IMPLICIT = ("observed behaviour (documented): IAM User Guide, 'The difference between "
                     "explicit and implicit denies' (https://docs.aws.amazon.com/IAM/latest/"
                     "UserGuide/reference_policies_evaluation-logic_AccessPolicyLanguage_"
                     "Interplay.html)")
OBSERVED_ROOT = ("observed behaviour (documented): IAM User Guide, 'How AWS enforcement code "
                 "logic evaluates requests to allow or deny access' (https://docs.aws.amazon.com/"
                 "IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-"
                 "denyallow.html)")

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
         quote="An operator or key that is not supported makes its statement not match, and "
         "the explanation says so (never a silent allow)."),
    Rule("R-IAM-06", "No applicable statement allows the request and none denies it: it is "
         "implicitly denied", OBSERVED_IMPLICIT,
         quote="An implicit denial occurs when there is no applicable Deny statement but also "
         "no applicable Allow statement."),
    Rule("R-IAM-08", "Every request is implicitly denied by default except the AWS account "
         "root user's, which has full access: the root needs no identity policy for CreateKey, "
         "ListKeys or ListAliases (a key's own policy still decides for the key, R-IAM-03)",
         OBSERVED_ROOT,
         quote="By default, all requests are implicitly denied with the exception of the AWS "
         "account root user, which has full access."),
    Rule("R-IAM-07",
         "A key created without a Policy gets the default key policy (account root: kms:*), "
         "so CloudWatch and CloudWatch Logs are not allowed until the policy grants them",
         SPEC, quote="A key created without a Policy gets the KMS default key policy (account "
         "root: `kms:*`), so CloudWatch and CloudWatch Logs are **not** allowed until the "
         "policy grants them."),
)

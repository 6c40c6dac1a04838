"""KMS grant rules (issue 13): CreateGrant, ListGrants, ListRetirableGrants, RetireGrant,
RevokeGrant, grant tokens, and how grants take part in authorization and in the answers.

Each statement says only what its source says: botocore's kms docs (checked verbatim against
the installed models) or the KMS Developer Guide. What kmsim chooses where they are silent is
a rule citing its assumption (A-GRANT-NAME-REUSE, A-GRANT-UNKNOWN-ID, A-GRANT-UNDECIDED,
A-GRANT-ACCOUNT-GRANTEE, A-GRANT-TOKEN-UNLISTED, A-GRANT-TOKEN-ENDED); the
five-minute delay follows the window model every "up to" window follows (A-PROPAGATION).
"""

from projections.rulebook.registry import (
    BOTOCORE_MODELS,
    Assumption,
    Rule,
    declare,
    declare_assumptions,
)

KEY_POLICIES_PAGE = ("observed behaviour (documented): AWS KMS Developer Guide, 'Key policies in "
                     "AWS KMS' (https://docs.aws.amazon.com/kms/latest/developerguide/"
                     "key-policies.html; awsdocs/aws-kms-developer-guide "
                     "doc_source/key-policies.md)")
GRANTS_PAGE = ("observed behaviour (documented): AWS KMS Developer Guide, 'Grants in AWS KMS' "
               "(https://docs.aws.amazon.com/kms/latest/developerguide/grants.html; "
               "awsdocs/aws-kms-developer-guide doc_source/grants.md)")

declare(
    Rule("R-KMS-GRANT-01", "CreateGrant adds a grant to a KMS key and answers a GrantToken and a "
         "GrantId", BOTOCORE_MODELS,
         quote="The CreateGrant operation returns a GrantToken and a GrantId."),
    Rule("R-KMS-GRANT-02", "CreateGrant needs kms:CreateGrant in the key policy",
         BOTOCORE_MODELS, quote="Required permissions: kms:CreateGrant (key policy)"),
    Rule("R-KMS-GRANT-03", "A grant's Operations must be operations permitted in a grant and "
         "supported on the KMS key; otherwise KMS answers a validation error", BOTOCORE_MODELS,
         quote="This list must include only operations that are permitted in a grant. Also, the "
         "operation must be supported on the KMS key."),
    Rule("R-KMS-GRANT-04", "CreateGrant needs exactly one of GranteePrincipal and "
         "GranteeServicePrincipal, at most one of RetiringPrincipal and RetiringServicePrincipal, "
         "and with a GranteeServicePrincipal a SourceArn constraint and a retiring principal",
         BOTOCORE_MODELS,
         quote="You must specify either GranteePrincipal or GranteeServicePrincipal, but not "
         "both."),
    Rule("R-KMS-GRANT-05", "CreateGrant retried with the same Name and identical parameters "
         "answers the existing grant's GrantId without creating a new grant, with a new grant "
         "token", BOTOCORE_MODELS,
         quote="When this value is present, you can retry a CreateGrant request with identical "
         "parameters; if the grant already exists, the original GrantId is returned without "
         "creating a new grant. Note that the returned grant token is unique with every "
         "CreateGrant request, even when a duplicate GrantId is returned."),
    Rule("R-KMS-GRANT-06", "CreateGrant with the Name of a live grant of the key but other "
         "parameters creates a new grant (new) or answers the named grant (existing), as "
         "A-GRANT-NAME-REUSE says", "assumption A-GRANT-NAME-REUSE",
         assumption="A-GRANT-NAME-REUSE"),
    Rule("R-KMS-GRANT-08", "A grant created, retired or revoked may take a brief delay, usually "
         "less than five minutes, to be available throughout KMS; kmsim draws that window as "
         "A-PROPAGATION says", BOTOCORE_MODELS,
         quote="When you create, retire, or revoke a grant, there might be a brief delay, "
         "usually less than five minutes, until the grant is available throughout KMS.",
         assumption="A-PROPAGATION"),
    Rule("R-KMS-GRANT-09", "A request that presents the grant token CreateGrant returned may use "
         "the grant's permissions at once", BOTOCORE_MODELS,
         quote="However, to use the permissions in the grant immediately, use the GrantToken "
         "that CreateGrant returns."),
    Rule("R-KMS-GRANT-10", "Authorization to use a KMS key considers its grants along with the "
         "key policy and IAM policies: the grantee may perform the grant's operations",
         BOTOCORE_MODELS,
         quote="When authorizing access to a KMS key, grants are considered along with key "
         "policies and IAM policies."),
    Rule("R-KMS-GRANT-11", "A permission must be explicitly allowed and never denied: an explicit "
         "Deny in a key policy or IAM policy wins over a grant", KEY_POLICIES_PAGE,
         quote="No AWS principal, including the account root user or key creator, has any "
         "permissions to a KMS key unless they are explicitly allowed, and never denied, in a "
         "key policy, IAM policy, or grant."),
    Rule("R-KMS-GRANT-12", "EncryptionContextEquals allows the grant's operations only when the "
         "request's encryption context is the same as the constraint's", BOTOCORE_MODELS,
         quote="The grant allows the operation only when the encryption context in the request "
         "is the same as the encryption context specified in this constraint."),
    Rule("R-KMS-GRANT-13", "EncryptionContextSubset allows the grant's operations only when the "
         "request's encryption context includes the constraint's pairs (it may add others)",
         BOTOCORE_MODELS,
         quote="The grant allows the cryptographic operation only when the encryption context "
         "in the request includes the key-value pairs specified in this constraint, although "
         "it can include additional key-value pairs."),
    Rule("R-KMS-GRANT-14", "An encryption context constraint does not apply to a grant's "
         "DescribeKey and RetireGrant operations", BOTOCORE_MODELS,
         quote="Grants with encryption context grant constraints can include the DescribeKey and "
         "RetireGrant operations, but the constraint doesn't apply to these operations."),
    Rule("R-KMS-GRANT-15", "ListGrants lists the grants of the KMS key, optionally only the one "
         "with a GrantId or those of a GranteePrincipal; it needs kms:ListGrants in the key "
         "policy", BOTOCORE_MODELS,
         quote="Gets a list of all grants for the specified KMS key."),
    Rule("R-KMS-GRANT-16", "ListGrants' and ListRetirableGrants' Limit must be between 1 and "
         "100 and defaults to 50", BOTOCORE_MODELS,
         quote="If you include a value, it must be between 1 and 100, inclusive. If you do not "
         "include a value, it defaults to 50."),
    Rule("R-KMS-GRANT-17", "ListRetirableGrants lists the grants of the account and Region whose "
         "retiring principal is the one named; it needs kms:ListRetirableGrants in an IAM "
         "policy", BOTOCORE_MODELS,
         quote="Returns information about all grants in the Amazon Web Services account and "
         "Region that have the specified retiring principal or retiring service principal."),
    Rule("R-KMS-GRANT-18", "RetireGrant names the grant by a grant token, or by a grant ID and "
         "a key identifier", BOTOCORE_MODELS,
         quote="To identify the grant to retire, use a grant token, or both the grant ID and a "
         "key identifier (key ID or key ARN) of the KMS key."),
    Rule("R-KMS-GRANT-19", "RetireGrant may be called by the grant's retiring principal, by its "
         "grantee when the grant allows RetireGrant, by the account the grant was created in, "
         "and by principals given the permission to retire it; anyone else is denied",
         BOTOCORE_MODELS,
         quote="This operation can be called by the retiring principal for a grant, by the "
         "grantee principal if the grant allows the RetireGrant operation, and by the Amazon "
         "Web Services account in which the grant is created. It can also be called by "
         "principals to whom permission for retiring a grant is delegated."),
    Rule("R-KMS-GRANT-20", "RevokeGrant terminates a grant's permissions and needs "
         "kms:RevokeGrant in the key policy", BOTOCORE_MODELS,
         quote="Required permissions: kms:RevokeGrant (key policy)."),
    Rule("R-KMS-GRANT-21", "A grant token that does not name a grant is refused with "
         "InvalidGrantTokenException", BOTOCORE_MODELS,
         quote="The request was rejected because the specified grant token is not valid."),
    Rule("R-KMS-GRANT-22", "A GrantId that names no live grant of the key is refused with "
         "NotFoundException (not-found) or InvalidGrantIdException (invalid-grant-id), as "
         "A-GRANT-UNKNOWN-ID says", "assumption A-GRANT-UNKNOWN-ID",
         assumption="A-GRANT-UNKNOWN-ID"),
    Rule("R-KMS-GRANT-23", "A call whose permission comes only from a grant whose window leaves "
         "it undecided (A-PROPAGATION uncertain) is refused (refuse) or allowed (allow), as "
         "A-GRANT-UNDECIDED says", "assumption A-GRANT-UNDECIDED",
         assumption="A-GRANT-UNDECIDED"),
    Rule("R-KMS-GRANT-24", "A grant that allows CreateGrant lets its grantee create only grants "
         "as restrictive or more: a subset of its operations, and an encryption context "
         "constraint as strict or stricter", BOTOCORE_MODELS,
         quote="If a grant with an encryption context grant constraint includes the CreateGrant "
         "operation, the constraint requires that any grants created with the CreateGrant "
         "permission have an equally strict or stricter encryption context constraint."),
    Rule("R-KMS-GRANT-25", "A retired or revoked grant is deleted: lists no longer show it and, "
         "once its window ends, it allows nothing", BOTOCORE_MODELS,
         quote="You revoke a grant to terminate the permissions that the grant allows."),
    Rule("R-KMS-GRANT-26", "Grants allow access and never deny it", GRANTS_PAGE,
         quote="You can use them to allow access, but not deny it."),
    Rule("R-KMS-GRANT-27", "An encryption context constraint is supported only on a symmetric "
         "encryption key, with at most 8 pairs and values of at most 384 characters (refused "
         "with the validation error of R-KMS-GRANT-03)", BOTOCORE_MODELS,
         quote="Encryption context grant constraints are supported only on grant operations "
         "that include an EncryptionContext parameter, such as cryptographic operations on "
         "symmetric encryption KMS keys."),
    Rule("R-KMS-GRANT-28", "A grant's grantee principal can represent multiple identities: a "
         "grant to an AWS account (arn:aws:iam::ACCOUNT:root) lets that account's principals "
         "use it as A-GRANT-ACCOUNT-GRANTEE says", GRANTS_PAGE,
         quote="Each grant has one grantee principal, but the grantee principal can represent "
         "multiple identities.", assumption="A-GRANT-ACCOUNT-GRANTEE"),
    Rule("R-KMS-GRANT-29", "An AWS account that is a grant's retiring principal can delegate "
         "the permission to retire the grant to an IAM principal in that account (an IAM "
         "policy allowing kms:RetireGrant)", GRANTS_PAGE,
         quote="Also, the AWS account or an AWS account that is the retiring principal can "
         "delegate the permission to retire a grant to an IAM principal in the same AWS "
         "account."),
    Rule("R-KMS-GRANT-30", "An operation whose model lists InvalidGrantTokenException refuses a "
         "request whose GrantTokens include a token that is not a grant token KMS issued",
         BOTOCORE_MODELS,
         quote="The request was rejected because the specified grant token is not valid."),
    Rule("R-KMS-GRANT-31", "DescribeKey takes GrantTokens but its model lists no "
         "InvalidGrantTokenException: an unknown token is ignored (ignore) or refused "
         "(invalid), as A-GRANT-TOKEN-UNLISTED says", "assumption A-GRANT-TOKEN-UNLISTED",
         assumption="A-GRANT-TOKEN-UNLISTED"),
    Rule("R-KMS-GRANT-32", "A grant token can be used at any time, but once the grant is "
         "eventually consistent KMS uses the grant, not the token: the token of a retired or "
         "revoked grant confers nothing (no-effect) or is refused (invalid), as "
         "A-GRANT-TOKEN-ENDED says", GRANTS_PAGE,
         quote="You can use a grant token at any time, but once the grant is eventually "
         "consistent, AWS KMS uses the grant to determine permissions, not the grant token.",
         assumption="A-GRANT-TOKEN-ENDED"),
)

declare_assumptions(
    Assumption(
        id="A-GRANT-NAME-REUSE",
        statement="What CreateGrant does with the Name of a live grant of the same key when the "
        "other parameters differ: botocore's docs say only that identical parameters answer "
        "the existing grant (R-KMS-GRANT-05)",
        default="new",
        alternatives=("existing",),
        meaning={"new": "a new grant with its own GrantId (a Name is not unique)",
                 "existing": "the named grant's GrantId, whatever the other parameters"},
    ),
    Assumption(
        id="A-GRANT-UNKNOWN-ID",
        statement="Which error RetireGrant (KeyId and GrantId) and RevokeGrant answer for a "
        "GrantId that names no live grant of the key: both errors are in their models' lists "
        "and the docs do not say which",
        default="not-found",
        alternatives=("invalid-grant-id",),
        meaning={"not-found": "NotFoundException naming the grant",
                 "invalid-grant-id": "InvalidGrantIdException 'The request was rejected because "
                 "the specified GrantId is not valid.'"},
    ),
    Assumption(
        id="A-GRANT-UNDECIDED",
        statement="How a call is decided when only a grant inside its eventual-consistency "
        "window could allow it and the window model (A-PROPAGATION uncertain) leaves open "
        "whether the grant is in effect yet (or still): the answers say maybe, a call needs "
        "a definite outcome",
        default="refuse",
        alternatives=("allow",),
        meaning={"refuse": "refused: only a grant certainly in effect (or presented by its "
                 "token) allows a call",
                 "allow": "allowed: a grant that may be in effect allows the call"},
    ),
    Assumption(
        id="A-GRANT-ACCOUNT-GRANTEE",
        statement="Which identities a grant whose grantee principal is an AWS account "
        "(arn:aws:iam::ACCOUNT:root) represents: the docs say a grantee principal can "
        "represent multiple identities and that an account can be one, not how the account's "
        "principals get the grant's permissions",
        default="iam",
        alternatives=("root-only",),
        meaning={"iam": "as a key policy statement naming the account does: the account root, "
                 "and each principal of the account whose IAM policies allow the operation on "
                 "the key (an explicit Deny still wins, R-KMS-GRANT-11)",
                 "root-only": "only the account root user itself"},
    ),
    Assumption(
        id="A-GRANT-TOKEN-UNLISTED",
        statement="What DescribeKey does with a GrantTokens entry that is no grant token: "
        "DescribeKey takes GrantTokens but InvalidGrantTokenException is not in its model's "
        "errors",
        default="ignore",
        alternatives=("invalid",),
        meaning={"ignore": "the token is ignored: the call is decided without it",
                 "invalid": "InvalidGrantTokenException, as the operations listing it answer"},
    ),
    Assumption(
        id="A-GRANT-TOKEN-ENDED",
        statement="What a grant token of a retired or revoked grant does in GrantTokens: the "
        "docs say only that once a grant is eventually consistent KMS uses the grant, not the "
        "token, and that InvalidGrantTokenException means a token that is not valid",
        default="no-effect",
        alternatives=("invalid",),
        meaning={"no-effect": "the token is a valid token but confers nothing once the "
                 "retirement or revocation is in effect: the call is decided as without it",
                 "invalid": "InvalidGrantTokenException once the grant is retired or revoked "
                 "(from the RetireGrant or RevokeGrant event, window or not)"},
    ),
)

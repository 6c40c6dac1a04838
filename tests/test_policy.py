"""Tests for the IAM policy evaluator (SPEC 3.2): projections.iam.policy."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import ACCT, OTHER

from projections.iam.policy import (
    Decision,
    PolicyError,
    Request,
    StatementRef,
    account_of,
    default_key_policy,
    evaluate,
    is_service_principal,
    parse_policy,
)

ROOT = f"arn:aws:iam::{ACCT}:root"
ADMIN = f"arn:aws:iam::{ACCT}:role/Admin"
ALICE = f"arn:aws:iam::{ACCT}:user/Alice"
STRANGER = f"arn:aws:iam::{OTHER}:role/Admin"
CW = "cloudwatch.amazonaws.com"
LOGS = "logs.us-east-1.amazonaws.com"
KEY = f"arn:aws:kms:us-east-1:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY2 = f"arn:aws:kms:us-east-1:{ACCT}:key/0987dcba-09fe-87dc-65ba-ab0987654321"
GROUP = f"arn:aws:logs:us-east-1:{ACCT}:log-group:app"
LOGS_CTX = "kms:EncryptionContext:aws:logs:arn"


def stmt(effect="Allow", principal="*", action="kms:*", resource="*", **extra):
    """A key policy statement; pass principal=None for identity policy statements."""
    out = {"Effect": effect, "Action": action, "Resource": resource, **extra}
    if principal is not None:
        out["Principal"] = principal
    return out


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow_decrypt_identity():
    return policy(stmt(principal=None, action="kms:Decrypt", resource=KEY))


def req(principal=ADMIN, action="kms:Decrypt", resource=KEY, **context):
    return Request(principal, action, resource, dict(context))


DEFAULT = default_key_policy(ACCT)


# --------------------------------------------------------------- default key policy, delegation

DELEGATION_CASES = [
    # (name, request, identity policies, allowed, reason)
    ("admin with identity policy", req(), [allow_decrypt_identity()], True,
     "key policy statement 'Enable IAM User Permissions' (#0) allows the account; "
     f"allowed by identity policy statement #0 of {ADMIN}"),
    ("admin without identity policy", req(), [], False, "no statement allowed it"),
    ("identity policy for another action", req(action="kms:Encrypt"),
     [allow_decrypt_identity()], False, "no statement allowed it"),
    ("identity policy for another key", req(resource=KEY2), [allow_decrypt_identity()], False,
     "no statement allowed it"),
    ("account root directly", req(principal=ROOT), [], True,
     "allowed by key policy statement 'Enable IAM User Permissions' (#0)"),
    ("cloudwatch service principal", req(principal=CW), [], False, "no statement allowed it"),
    ("identity policies never apply to services", req(principal=CW),
     [policy(stmt(principal=None))], False, "no statement allowed it"),
    ("logs service principal", req(principal=LOGS), [], False, "no statement allowed it"),
    ("other account's admin", req(principal=STRANGER), [allow_decrypt_identity()], False,
     "no statement allowed it"),
]


@pytest.mark.parametrize(
    ("request_", "identity", "allowed", "reason"),
    [c[1:] for c in DELEGATION_CASES], ids=[c[0] for c in DELEGATION_CASES])
def test_default_key_policy_delegates_to_iam(request_, identity, allowed, reason):
    d = evaluate(request_, DEFAULT, identity)
    assert (d.allowed, d.reason) == (allowed, reason)


def test_default_key_policy_shape():
    """Exactly KMS's document (R-KMS-35): strings, not one-item lists."""
    assert DEFAULT == {"Version": "2012-10-17", "Id": "key-default-1", "Statement": [
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": ROOT},
         "Action": "kms:*", "Resource": "*"}]}
    assert parse_policy(DEFAULT)["Statement"][0]["Action"] == ["kms:*"]


def test_delegation_decision_names_the_identity_statement():
    d = evaluate(req(), DEFAULT, [allow_decrypt_identity()])
    assert d.statement == StatementRef(f"identity policy of {ADMIN}", 0, None, "Allow")


def test_delegation_missing_half_is_explained():
    d = evaluate(req(), DEFAULT, [])
    assert d.statement is None
    assert any("no identity policy" in n for n in d.notes)
    d = evaluate(req(principal=STRANGER), DEFAULT, [allow_decrypt_identity()])
    assert any(f"does not allow account {OTHER}" in n for n in d.notes)
    d = evaluate(req(principal=CW), DEFAULT)
    assert any("service principal" in n for n in d.notes)


def test_bare_account_id_delegates_and_second_identity_policy_counts():
    kp = policy(stmt(principal={"AWS": ACCT}))
    idps = [policy(stmt(principal=None, action="kms:Encrypt")), allow_decrypt_identity()]
    d = evaluate(req(), kp, idps)
    assert d.allowed
    assert d.statement == StatementRef(f"identity policy #1 of {ADMIN}", 0, None, "Allow")
    assert evaluate(req(principal=ROOT), kp).allowed


# --------------------------------------------------------------- principals

PRINCIPAL_CASES = [
    # (name, key policy Principal, request principal, allowed without identity policies)
    ("role named directly", {"AWS": ADMIN}, ADMIN, True),
    ("role in a list", {"AWS": [ALICE, ADMIN]}, ADMIN, True),
    ("other role named", {"AWS": ALICE}, ADMIN, False),
    ("star allows IAM principals", "*", STRANGER, True),
    ("star allows services", "*", CW, True),
    ("AWS star allows IAM principals", {"AWS": "*"}, ADMIN, True),
    ("AWS star is the same as star", {"AWS": "*"}, LOGS, True),
    ("service named", {"Service": CW}, CW, True),
    ("service list, first", {"Service": [CW, LOGS]}, CW, True),
    ("service list, second", {"Service": [CW, LOGS]}, LOGS, True),
    ("service of another region", {"Service": [CW, LOGS]}, "logs.us-west-2.amazonaws.com", False),
    ("service statement does not allow roles", {"Service": CW}, ADMIN, False),
    ("role statement does not allow services", {"AWS": ADMIN}, CW, False),
    ("account root does not allow services", {"AWS": ROOT}, CW, False),
    ("federated principal matches nobody here", {"Federated": "cognito-identity.amazonaws.com"},
     ADMIN, False),
]


@pytest.mark.parametrize(("principal_el", "principal", "allowed"),
                         [c[1:] for c in PRINCIPAL_CASES], ids=[c[0] for c in PRINCIPAL_CASES])
def test_direct_principal_allow_needs_no_identity_policy(principal_el, principal, allowed):
    d = evaluate(req(principal=principal), policy(stmt(principal=principal_el, Sid="Direct")))
    assert d.allowed is allowed
    if allowed:
        assert d.reason == "allowed by key policy statement 'Direct' (#0)"
        assert d.statement == StatementRef("key policy", 0, "Direct", "Allow")


# --------------------------------------------------------------- explicit deny

DENY_CASES = [
    # (name, key policy, identity policies, request, reason or None for "not denied")
    ("key policy deny beats direct allow",
     policy(stmt(principal={"AWS": ADMIN}), stmt("Deny", {"AWS": ADMIN}, "kms:Decrypt",
                                                    Sid="NoDecrypt")),
     [], req(), "explicit Deny in key policy statement 'NoDecrypt' (#1)"),
    ("deny naming the account root covers its roles",
     policy(stmt(principal={"AWS": ADMIN}), stmt("Deny", {"AWS": ROOT}, "kms:Decrypt")),
     [], req(), "explicit Deny in key policy statement #1"),
    ("deny naming the bare account covers its roles",
     policy(stmt(principal="*"), stmt("Deny", {"AWS": ACCT})),
     [], req(), "explicit Deny in key policy statement #1"),
    ("deny naming the account does not cover another account",
     policy(stmt(principal="*"), stmt("Deny", {"AWS": ROOT})),
     [], req(principal=STRANGER), None),
    ("deny naming the account does not cover services",
     policy(stmt(principal="*"), stmt("Deny", {"AWS": ROOT})), [], req(principal=CW), None),
    ("deny naming another role does not apply",
     policy(stmt(principal={"AWS": ADMIN}), stmt("Deny", {"AWS": ALICE})), [], req(), None),
    ("deny for another action does not apply",
     policy(stmt(principal={"AWS": ADMIN}), stmt("Deny", "*", "kms:Encrypt")), [], req(), None),
    ("service deny beats service allow",
     policy(stmt(principal={"Service": CW}), stmt("Deny", {"Service": CW}, "kms:Decrypt")),
     [], req(principal=CW), "explicit Deny in key policy statement #1"),
    ("identity policy deny beats key policy direct allow",
     policy(stmt(principal={"AWS": ADMIN})),
     [policy(stmt("Deny", None, "kms:Decrypt", Sid="Stop"))], req(),
     f"explicit Deny in identity policy statement 'Stop' (#0) of {ADMIN}"),
    ("identity policies never apply to services, not even a Deny",
     policy(stmt(principal={"Service": CW})), [policy(stmt("Deny", None))], req(principal=CW),
     None),
    ("identity policy deny beats its own allow",
     DEFAULT, [policy(stmt(principal=None), stmt("Deny", None, "kms:Decrypt"))], req(),
     f"explicit Deny in identity policy statement #1 of {ADMIN}"),
]


@pytest.mark.parametrize(("key_policy", "identity", "request_", "reason"),
                         [c[1:] for c in DENY_CASES], ids=[c[0] for c in DENY_CASES])
def test_explicit_deny_wins(key_policy, identity, request_, reason):
    d = evaluate(request_, key_policy, identity)
    if reason is None:
        assert d.allowed
    else:
        assert (d.allowed, d.reason) == (False, reason)
        assert d.statement is not None and d.statement.effect == "Deny"


# --------------------------------------------------------------- actions and resources

ACTION_CASES = [
    # (Action element, requested action, matches)
    ("kms:*", "kms:Decrypt", True),
    ("*", "kms:Decrypt", True),
    ("kms:*", "logs:AssociateKmsKey", False),
    ("kms:Decrypt", "kms:Decrypt", True),
    ("kms:decrypt", "KMS:DECRYPT", True),
    ("KMS:Decrypt*", "kms:decrypt", True),
    ("kms:ReEncrypt*", "kms:ReEncryptFrom", True),
    ("kms:ReEncrypt*", "kms:reencryptto", True),
    ("kms:ReEncrypt*", "kms:Encrypt", False),
    ("kms:Encrypt*", "kms:ReEncryptFrom", False),
    ("kms:GenerateDataKey*", "kms:GenerateDataKeyWithoutPlaintext", True),
    ("kms:Decryp?", "kms:Decrypt", True),
    ("kms:Decryp?", "kms:Decrypts", False),
    ("kms:Describe*", "kms:DescribeKey", True),
    ("kms:[D]ecrypt", "kms:Decrypt", False),  # brackets are literal in IAM, not a class
    (["kms:Encrypt", "kms:Decrypt"], "kms:Decrypt", True),
    (["kms:Encrypt", "kms:Sign"], "kms:Decrypt", False),
]


@pytest.mark.parametrize(("action_el", "action", "matches"), ACTION_CASES)
def test_action_wildcards_are_case_insensitive(action_el, action, matches):
    kp = policy(stmt(principal={"AWS": ADMIN}, action=action_el))
    assert evaluate(req(action=action), kp).allowed is matches
    # NotAction is the complement.
    kp_not = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": ADMIN},
                             "NotAction": action_el, "Resource": "*"}]}
    assert evaluate(req(action=action), kp_not).allowed is not matches


def test_not_action_in_deny_and_identity_policy():
    # Deny everything except Describe*: Decrypt is denied, DescribeKey still allowed.
    kp = policy(stmt(principal={"AWS": ADMIN}),
                {"Effect": "Deny", "Principal": "*", "NotAction": "kms:Describe*", "Resource": "*"})
    assert not evaluate(req(action="kms:Decrypt"), kp).allowed
    assert evaluate(req(action="kms:DescribeKey"), kp).allowed
    ip = {"Statement": {"Effect": "Allow", "NotAction": ["kms:ScheduleKeyDeletion"],
                        "Resource": KEY}}
    assert evaluate(req(), DEFAULT, [ip]).allowed
    assert not evaluate(req(action="kms:ScheduleKeyDeletion"), DEFAULT, [ip]).allowed


RESOURCE_CASES = [
    # (Resource element, requested resource, matches)
    ("*", KEY, True),
    (KEY, KEY, True),
    (KEY, KEY2, False),
    (f"arn:aws:kms:us-east-1:{ACCT}:key/*", KEY2, True),
    (f"arn:aws:kms:*:{ACCT}:key/*", KEY, True),
    (f"arn:aws:kms:us-west-2:{ACCT}:key/*", KEY, False),
    (KEY.upper(), KEY, False),  # resources are case-sensitive
    ([KEY2, KEY], KEY, True),
]


@pytest.mark.parametrize(("resource_el", "resource", "matches"), RESOURCE_CASES)
def test_resource_wildcards_are_case_sensitive(resource_el, resource, matches):
    ip = policy(stmt(principal=None, action="kms:Decrypt", resource=resource_el))
    assert evaluate(req(resource=resource), DEFAULT, [ip]).allowed is matches
    ip_not = {"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt",
                             "NotResource": resource_el}]}
    assert evaluate(req(resource=resource), DEFAULT, [ip_not]).allowed is not matches


# --------------------------------------------------------------- conditions

LOGS_POLICY = policy(
    stmt(principal={"AWS": ROOT}, Sid="Enable IAM User Permissions"),
    stmt(principal={"Service": LOGS}, Sid="AllowLogs",
         action=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                 "kms:Describe*"],
         Condition={"ArnLike": {LOGS_CTX: f"arn:aws:logs:us-east-1:{ACCT}:log-group:*"}}),
)

LOGS_CASES = [
    # (name, action, context, allowed)
    ("matching log group", "kms:Decrypt", {LOGS_CTX: GROUP}, True),
    ("matching group, GenerateDataKey", "kms:GenerateDataKey", {LOGS_CTX: GROUP}, True),
    ("nested group name with colons", "kms:Encrypt",
     {LOGS_CTX: f"arn:aws:logs:us-east-1:{ACCT}:log-group:/aws/lambda:x"}, True),
    ("context key case-insensitive", "kms:Decrypt", {LOGS_CTX.lower(): GROUP}, True),
    ("other account's group", "kms:Decrypt",
     {LOGS_CTX: f"arn:aws:logs:us-east-1:{OTHER}:log-group:app"}, False),
    ("other region's group", "kms:Decrypt",
     {LOGS_CTX: f"arn:aws:logs:us-west-2:{ACCT}:log-group:app"}, False),
    ("not an ARN", "kms:Decrypt", {LOGS_CTX: "log-group:app"}, False),
    ("missing encryption context", "kms:Decrypt", {}, False),
    ("action not granted", "kms:ScheduleKeyDeletion", {LOGS_CTX: GROUP}, False),
]


@pytest.mark.parametrize(("action", "context", "allowed"),
                         [c[1:] for c in LOGS_CASES], ids=[c[0] for c in LOGS_CASES])
def test_cloudwatch_logs_key_policy(action, context, allowed):
    d = evaluate(Request(LOGS, action, KEY, context), LOGS_POLICY)
    assert d.allowed is allowed
    if allowed:
        assert d.reason == "allowed by key policy statement 'AllowLogs' (#1)"


def _condition(cond, principal=ADMIN, **context):
    kp = policy(stmt(principal={"AWS": ADMIN}, Condition=cond), stmt(principal={"Service": CW},
                                                                      Condition=cond))
    return evaluate(req(principal=principal, **context), kp)


VIA = "kms:ViaService"
CONDITION_CASES = [
    # (name, Condition, context, allowed)
    ("StringEquals hit", {"StringEquals": {VIA: "logs.us-east-1.amazonaws.com"}},
     {VIA: "logs.us-east-1.amazonaws.com"}, True),
    ("StringEquals is case-sensitive", {"StringEquals": {VIA: "Logs.us-east-1.amazonaws.com"}},
     {VIA: "logs.us-east-1.amazonaws.com"}, False),
    ("StringEquals list is OR", {"StringEquals": {VIA: ["a.amazonaws.com", "b.amazonaws.com"]}},
     {VIA: "b.amazonaws.com"}, True),
    ("StringEquals missing key", {"StringEquals": {VIA: "a.amazonaws.com"}}, {}, False),
    ("StringEqualsIfExists missing key", {"StringEqualsIfExists": {VIA: "a.amazonaws.com"}},
     {}, True),
    ("StringEqualsIfExists present, wrong", {"StringEqualsIfExists": {VIA: "a.amazonaws.com"}},
     {VIA: "b.amazonaws.com"}, False),
    ("StringNotEquals", {"StringNotEquals": {VIA: "a.amazonaws.com"}},
     {VIA: "b.amazonaws.com"}, True),
    ("StringNotEquals list is NOT of OR", {"StringNotEquals": {VIA: ["a", "b"]}},
     {VIA: "b"}, False),
    ("StringNotEquals missing key is true (as IAM documents)",
     {"StringNotEquals": {VIA: "a"}}, {}, True),
    ("StringLike", {"StringLike": {VIA: "logs.*.amazonaws.com"}},
     {VIA: "logs.eu-west-1.amazonaws.com"}, True),
    ("StringLike ?", {"StringLike": {VIA: "logs.us-east-?.amazonaws.com"}},
     {VIA: "logs.us-east-12.amazonaws.com"}, False),
    ("StringNotLike", {"StringNotLike": {VIA: "logs.*"}}, {VIA: "ec2.amazonaws.com"}, True),
    ("ArnEquals on aws:SourceArn", {"ArnEquals": {"aws:SourceArn": GROUP}},
     {"aws:SourceArn": GROUP}, True),
    ("ArnEquals accepts wildcards per component",
     {"ArnEquals": {"aws:SourceArn": f"arn:aws:logs:*:{ACCT}:*"}}, {"aws:SourceArn": GROUP}, True),
    ("ArnLike star does not cross a colon",
     {"ArnLike": {"aws:SourceArn": "arn:aws:logs:*:log-group:app"}},
     {"aws:SourceArn": GROUP}, False),
    ("ArnNotEquals", {"ArnNotEquals": {"aws:SourceArn": GROUP}},
     {"aws:SourceArn": GROUP.replace("app", "web")}, True),
    ("ArnNotLike", {"ArnNotLike": {"aws:SourceArn": "arn:aws:logs:*:*:log-group:*"}},
     {"aws:SourceArn": GROUP}, False),
    ("ArnLikeIfExists missing key", {"ArnLikeIfExists": {"aws:SourceArn": GROUP}}, {}, True),
    ("aws:SourceAccount", {"StringEquals": {"aws:SourceAccount": ACCT}},
     {"aws:SourceAccount": ACCT}, True),
    ("operators and keys are ANDed",
     {"StringEquals": {"aws:SourceAccount": ACCT, VIA: "a"}, "ArnLike": {"aws:SourceArn": GROUP}},
     {"aws:SourceAccount": ACCT, VIA: "a", "aws:SourceArn": GROUP}, True),
    ("one failing test fails the AND",
     {"StringEquals": {"aws:SourceAccount": ACCT}, "ArnLike": {"aws:SourceArn": GROUP}},
     {"aws:SourceAccount": ACCT}, False),
    ("key names are case-insensitive", {"StringEquals": {"KMS:VIASERVICE": "a"}},
     {"kms:viaservice": "a"}, True),
    ("caller-supplied kms:CallerAccount wins", {"StringEquals": {"kms:CallerAccount": ACCT}},
     {"kms:CallerAccount": OTHER}, False),
]


@pytest.mark.parametrize(("cond", "context", "allowed"),
                         [c[1:] for c in CONDITION_CASES], ids=[c[0] for c in CONDITION_CASES])
def test_conditions(cond, context, allowed):
    assert _condition(cond, **context).allowed is allowed
    assert _condition(cond, principal=CW, **context).allowed is allowed  # services alike


def test_caller_account_is_derived_from_the_principal():
    cond = {"StringEquals": {"kms:CallerAccount": ACCT}}
    kp = policy(stmt(principal="*", Condition=cond))
    assert evaluate(req(principal=ADMIN), kp).allowed
    assert not evaluate(req(principal=STRANGER), kp).allowed
    assert not evaluate(req(principal=CW), kp).allowed  # a service has no account to derive


# --------------------------------------------------------------- unsupported conditions

UNSUPPORTED_CASES = [
    # (Condition, what the note must name)
    ({"NumericLessThan": {"kms:ViaService": "3"}}, "condition operator NumericLessThan"),
    ({"StringEqualsIgnoreCase": {"kms:ViaService": "a"}}, "StringEqualsIgnoreCase"),
    ({"Bool": {"aws:SecureTransport": "true"}}, "condition operator Bool"),
    ({"ForAnyValue:StringEquals": {"kms:ViaService": "a"}}, "ForAnyValue:StringEquals"),
    ({"StringEquals": {"aws:PrincipalTag/x": "y"}}, "condition key aws:PrincipalTag/x"),
    ({"StringLikeIfExists": {"kms:EncryptionContext:aws:s3:arn": "*"}},
     "condition key kms:EncryptionContext:aws:s3:arn"),
]


@pytest.mark.parametrize(("cond", "named"), UNSUPPORTED_CASES)
def test_unsupported_condition_never_allows(cond, named):
    kp = policy(stmt(principal="*", Condition=cond, Sid="Odd"))
    d = evaluate(req(**{"kms:ViaService": "a", "aws:PrincipalTag/x": "y"}), kp)
    assert (d.allowed, d.reason, d.statement) == (False, "no statement allowed it", None)
    assert any(n.startswith("key policy statement 'Odd' (#0) ignored") and named in n
               and "not supported" in n for n in d.notes)


@pytest.mark.parametrize(("cond", "named"), UNSUPPORTED_CASES)
def test_unsupported_condition_deny_is_ignored_and_said(cond, named):
    kp = policy(stmt(principal={"AWS": ADMIN}), stmt("Deny", "*", Condition=cond))
    d = evaluate(req(), kp)
    assert d.allowed and d.reason == "allowed by key policy statement #0"
    assert any(n.startswith("Deny in key policy statement #1 ignored") and named in n
               for n in d.notes)


def test_unsupported_condition_in_identity_policy_is_noted():
    ip = policy(stmt(principal=None, Condition={"NumericEquals": {"kms:ViaService": "1"}}))
    d = evaluate(req(), DEFAULT, [ip])
    assert not d.allowed
    assert any(f"identity policy statement #0 of {ADMIN} ignored" in n for n in d.notes)


def test_not_principal_and_missing_principal_are_ignored_with_a_note():
    kp = {"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": ALICE}, "Action": "kms:*",
                         "Resource": "*"},
                        {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
    d = evaluate(req(), kp)
    assert not d.allowed
    assert any("#0 ignored: NotPrincipal" in n for n in d.notes)
    assert any("#1 ignored" in n and "Principal" in n for n in d.notes)
    d = evaluate(req(), DEFAULT, [policy(stmt(principal="*"))])
    assert not d.allowed and any("cannot name a Principal" in n for n in d.notes)


# --------------------------------------------------------------- parsing

def test_parse_policy_normalises():
    doc = json.dumps({"Version": "2012-10-17", "Statement": {
        "Sid": "S", "Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*",
        "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": ACCT}}}})
    p = parse_policy(doc)
    assert p["Statement"] == [{"Sid": "S", "Effect": "Allow", "Principal": {"AWS": ROOT},
                               "Action": ["kms:*"], "Resource": ["*"],
                               "Condition": {"StringEquals": {"kms:CallerAccount": ACCT}}}]
    raw = {"Statement": [{"Effect": "Deny", "NotAction": "kms:Decrypt", "NotResource": KEY}]}
    p = parse_policy(raw)
    assert p["Statement"][0]["NotAction"] == ["kms:Decrypt"]
    assert p["Statement"][0]["NotResource"] == [KEY]
    assert raw["Statement"][0]["NotAction"] == "kms:Decrypt"  # the input is not mutated


MALFORMED = [
    ('{"Statement": [', "not valid JSON"),
    ("[]", "must be a JSON object"),
    ({"Version": "2012-10-17"}, "no Statement"),
    ({"Statement": []}, "must not be empty"),
    ({"Statement": ["x"]}, "Statement[0] must be an object"),
    ({"Statemnt": []}, "unknown top-level element(s) Statemnt"),
    ({"Version": "2020-01-01", "Statement": [stmt()]}, "Version"),
    ({"Statement": [stmt(effect="allow")]}, "Statement[0].Effect"),
    ({"Statement": [{"Effect": "Allow", "Resource": "*"}]}, "needs Action or NotAction"),
    ({"Statement": [{"Effect": "Allow", "Action": "kms:*"}]}, "needs Resource or NotResource"),
    ({"Statement": [stmt(NotAction="kms:Decrypt")]}, "both Action and NotAction"),
    ({"Statement": [stmt(action=[])]}, "Action must not be an empty list"),
    ({"Statement": [stmt(action=3)]}, "Action must be a non-empty string"),
    ({"Statement": [stmt(principal="root")]}, 'Principal must be "*"'),
    ({"Statement": [stmt(principal={"IAM": ROOT})]}, "unknown principal type 'IAM'"),
    ({"Statement": [stmt(principal={"AWS": []})]}, "Principal.AWS must not be an empty list"),
    ({"Statement": [stmt(Condition="x")]}, "Condition must be an object"),
    ({"Statement": [stmt(Condition={"StringEquals": "x"})]}, "Condition.StringEquals"),
    ({"Statement": [stmt(Condition={"StringEquals": {"kms:ViaService": {"a": 1}}})]},
     "Condition.StringEquals.kms:ViaService"),
    ({"Statement": [stmt(Sid=5)]}, "Sid must be a string"),
    ({"Statement": [stmt(Effekt="Allow")]}, "unknown element(s) Effekt"),
]


@pytest.mark.parametrize(("doc", "message"), MALFORMED)
def test_malformed_policy_raises(doc, message):
    with pytest.raises(PolicyError) as e:
        parse_policy(doc)
    assert message in str(e.value)
    assert isinstance(e.value, ValueError)


def test_evaluate_validates_its_policies():
    with pytest.raises(PolicyError):
        evaluate(req(), {"Statement": [{"Effect": "Allow"}]})
    with pytest.raises(PolicyError):
        evaluate(req(), DEFAULT, ['{"Statement": '])


# --------------------------------------------------------------- helpers

@pytest.mark.parametrize(("principal", "account", "service"), [
    (ADMIN, ACCT, False),
    (ALICE, ACCT, False),
    (ROOT, ACCT, False),
    (f"arn:aws:sts::{OTHER}:assumed-role/Admin/session", OTHER, False),
    (CW, None, True),
    (LOGS, None, True),
    ("logs.cn-north-1.amazonaws.com.cn", None, True),
    ("arn:aws:iam::1234:root", None, False),
    ("not a principal", None, False),
])
def test_account_of_and_is_service_principal(principal, account, service):
    assert account_of(principal) == account
    assert is_service_principal(principal) is service


def test_statement_ref_describe():
    assert StatementRef("key policy", 2, "AllowLogs", "Allow").describe() == \
        "key policy statement 'AllowLogs' (#2)"
    assert StatementRef("key policy", 2, None, "Deny").describe() == "key policy statement #2"
    assert StatementRef(f"identity policy of {ADMIN}", 0, "", "Allow").describe() == \
        f"identity policy statement #0 of {ADMIN}"
    assert Decision(False, "no statement allowed it", None).notes == ()


# --------------------------------------------------------------- property: Deny-all wins

PRINCIPALS = [ADMIN, ALICE, ROOT, STRANGER, CW, LOGS, f"arn:aws:iam::{OTHER}:root"]
ACTIONS = ["kms:Decrypt", "kms:Encrypt", "kms:ReEncryptFrom", "kms:GenerateDataKey",
           "kms:DescribeKey", "KMS:DECRYPT"]
CONDITIONS = [
    {"StringEquals": {"kms:CallerAccount": ACCT}},
    {"ArnLike": {LOGS_CTX: f"arn:aws:logs:*:{ACCT}:log-group:*"}},
    {"StringNotEqualsIfExists": {"kms:ViaService": "a"}},
    {"NumericLessThan": {"kms:ViaService": "1"}},
    {"StringEquals": {"aws:PrincipalTag/x": "y"}},
]

_actions = st.lists(st.sampled_from(["kms:*", "*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:?ncrypt",
                                     "kms:describekey"]), min_size=1, max_size=3)
_resources = st.lists(st.sampled_from(["*", KEY, KEY2, f"arn:aws:kms:*:{ACCT}:key/*"]),
                      min_size=1, max_size=2)


@st.composite
def _statements(draw, with_principal: bool):
    out = {"Effect": draw(st.sampled_from(["Allow", "Deny"])),
           draw(st.sampled_from(["Action", "NotAction"])): draw(_actions),
           draw(st.sampled_from(["Resource", "NotResource"])): draw(_resources)}
    if with_principal:
        out["Principal"] = draw(st.one_of(
            st.just("*"),
            st.fixed_dictionaries({"AWS": st.lists(st.sampled_from(
                [*PRINCIPALS[:4], ACCT, OTHER, "*"]), min_size=1, max_size=3)}),
            st.fixed_dictionaries({"Service": st.lists(st.sampled_from([CW, LOGS]),
                                                       min_size=1, max_size=2)})))
    if draw(st.booleans()):
        out["Condition"] = draw(st.sampled_from(CONDITIONS))
    return out


@settings(max_examples=300, deadline=None)
@given(
    key_statements=st.lists(_statements(True), max_size=5),
    identity=st.lists(st.lists(_statements(False), min_size=1, max_size=3).map(
        lambda s: {"Statement": s}), max_size=2),
    at=st.integers(min_value=0, max_value=5),
    principal=st.sampled_from(PRINCIPALS),
    action=st.sampled_from(ACTIONS),
    context=st.dictionaries(st.sampled_from([LOGS_CTX, "kms:ViaService", "kms:CallerAccount"]),
                            st.sampled_from([GROUP, "a", ACCT, OTHER]), max_size=3),
    resource=st.sampled_from([KEY, KEY2]),
)
def test_deny_all_statement_denies_every_request(key_statements, identity, at, principal,
                                                  action, context, resource):
    deny_all = {"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}
    at = min(at, len(key_statements))
    kp = {"Statement": [*key_statements[:at], deny_all, *key_statements[at:]]}
    d = evaluate(Request(principal, action, resource, context), kp, identity)
    assert not d.allowed
    assert d.statement is not None and d.statement.effect == "Deny"
    assert d.reason.startswith("explicit Deny in ")

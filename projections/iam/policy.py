"""IAM policy evaluation for KMS keys (SPEC 3.2), on the read side.

It lives in ``projections`` because decryptability answers need it; it imports nothing from
``sim`` and only the standard library.

Evaluation follows IAM for KMS keys:

* an explicit Deny that matches (key policy, or the principal's identity policies when the
  principal is an IAM principal) wins over any Allow;
* otherwise a key policy Allow that names the principal itself allows it directly
  (``Principal.AWS`` equal to its ARN, ``Principal.Service`` containing a service principal,
  or ``"*"``), and the account root is allowed directly by a statement naming its account;
* a key policy Allow that names the principal's account (``arn:aws:iam::ACCOUNT:root`` or
  ``ACCOUNT``) allows an IAM principal only together with an Allow in one of its identity
  policies (KMS delegates to IAM);
* otherwise nothing allowed it.

Assumption about ``"*"``: as in AWS, ``"Principal": "*"`` and ``"Principal": {"AWS": "*"}``
are the same and mean *everyone*, service principals included. So a key policy Allow with
``"*"`` allows ``cloudwatch.amazonaws.com`` too, and a Deny with ``"*"`` denies it. Identity
policies never apply to service principals.

A statement using a condition operator or key kmsim does not support, or ``NotPrincipal``,
never matches (neither to allow nor to deny), and :attr:`Decision.notes` says so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from projections.iam.conditions import condition_holds, condition_problem, wildcard_match
from projections.iam.memo import by_identity, decisions_by_identity
from projections.kms.default_policy import default_key_policy, default_key_policy_text

__all__ = [
    "Decision",
    "PolicyError",
    "Request",
    "StatementRef",
    "account_of",
    "default_key_policy",
    "default_key_policy_text",
    "evaluate",
    "is_service_principal",
    "parse_policy",
]

_IAM_ARN = re.compile(r"arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):\S+")
_ROOT_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):root")
_ACCOUNT_ID = re.compile(r"\d{12}")
_SERVICE = re.compile(r"[a-z0-9][a-z0-9.-]*\.amazonaws\.com(?:\.cn)?")

_VERSIONS = ("2012-10-17", "2008-10-17")
_TOP_KEYS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_KEYS = frozenset({
    "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
    "Resource", "NotResource", "Condition",
})
_PRINCIPAL_KINDS = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
_NO_STATEMENT = "no statement allowed it"


class PolicyError(ValueError):
    """A policy document that is not valid JSON or not a well-formed IAM policy."""


@dataclass(frozen=True)
class Request:
    """One authorization question: may ``principal`` perform ``action`` on ``resource``?

    ``context`` holds condition keys such as ``kms:ViaService`` or
    ``kms:EncryptionContext:aws:logs:arn``; key names are matched case-insensitively.
    """

    principal: str
    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StatementRef:
    """Where a statement is: which policy, its 0-based index, its Sid and its Effect."""

    policy: str
    index: int
    sid: str | None
    effect: str

    def describe(self) -> str:
        """Human name, e.g. ``key policy statement 'AllowLogs' (#2)`` or ``... statement #2``."""
        label = f"'{self.sid}' (#{self.index})" if self.sid else f"#{self.index}"
        head, sep, owner = self.policy.partition(" of ")
        if sep:  # "identity policy statement #0 of arn:..." reads better than "...arn statement #0"
            return f"{head} statement {label} of {owner}"
        return f"{self.policy} statement {label}"


@dataclass(frozen=True)
class Decision:
    """The answer: allowed or not, one line saying why, the deciding statement, and notes."""

    allowed: bool
    reason: str
    statement: StatementRef | None
    notes: tuple[str, ...] = ()


def account_of(principal: str) -> str | None:
    """The 12-digit account of an IAM (or STS) ARN; None for service principals and others."""
    m = _IAM_ARN.fullmatch(principal)
    return m.group(1) if m else None


def is_service_principal(principal: str) -> bool:
    """Whether ``principal`` is a service principal, e.g. ``logs.us-east-1.amazonaws.com``."""
    return _SERVICE.fullmatch(principal) is not None


# ---------------------------------------------------------------------------- parsing


def _strings(value: object, what: str) -> list[str]:
    items = list(value) if isinstance(value, list | tuple) else [value]
    if not items:
        raise PolicyError(f"{what} must not be an empty list")
    for item in items:
        if not isinstance(item, str) or not item:
            raise PolicyError(f"{what} must be a non-empty string or a list of them, got {item!r}")
    return items


def _check_principal(value: object, what: str) -> object:
    if value == "*":
        return "*"
    if not isinstance(value, Mapping) or not value:
        raise PolicyError(f'{what} must be "*" or an object such as {{"AWS": ...}}')
    out = {}
    for kind, names in value.items():
        if kind not in _PRINCIPAL_KINDS:
            raise PolicyError(f"{what} has unknown principal type {kind!r}")
        names_list = _strings(names, f"{what}.{kind}")
        out[kind] = names if isinstance(names, str) else names_list
    return out


def _check_condition(value: object, what: str) -> dict:
    if not isinstance(value, Mapping):
        raise PolicyError(f"{what} must be an object of operator -> {{key: value}}")
    out: dict = {}
    for operator, tests in value.items():
        if not isinstance(tests, Mapping) or not tests:
            raise PolicyError(f"{what}.{operator} must be a non-empty object of key -> value")
        out[operator] = {}
        for key, raw in tests.items():
            items = list(raw) if isinstance(raw, list | tuple) else [raw]
            if not items or not all(isinstance(v, str | int | float | bool) for v in items):
                raise PolicyError(
                    f"{what}.{operator}.{key} must be a string, number, boolean or a list of them"
                )
            out[operator][key] = raw if isinstance(raw, str | int | float | bool) else items
    return out


def _check_statement(raw: object, i: int) -> dict:
    what = f"Statement[{i}]"
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{what} must be an object")
    unknown = sorted(set(raw) - _STATEMENT_KEYS)
    if unknown:
        raise PolicyError(f"{what} has unknown element(s) {', '.join(unknown)}")
    if raw.get("Effect") not in ("Allow", "Deny"):
        raise PolicyError(f'{what}.Effect must be "Allow" or "Deny", got {raw.get("Effect")!r}')
    out: dict = {"Effect": raw["Effect"]}
    if "Sid" in raw:
        if not isinstance(raw["Sid"], str):
            raise PolicyError(f"{what}.Sid must be a string")
        out["Sid"] = raw["Sid"]
    for a, b, required in (("Principal", "NotPrincipal", False), ("Action", "NotAction", True),
                           ("Resource", "NotResource", True)):
        if a in raw and b in raw:
            raise PolicyError(f"{what} has both {a} and {b}")
        if required and a not in raw and b not in raw:
            raise PolicyError(f"{what} needs {a} or {b}")
    for name in ("Principal", "NotPrincipal"):
        if name in raw:
            out[name] = _check_principal(raw[name], f"{what}.{name}")
    for name in ("Action", "NotAction", "Resource", "NotResource"):
        if name in raw:
            out[name] = _strings(raw[name], f"{what}.{name}")
    if "Condition" in raw:
        out["Condition"] = _check_condition(raw["Condition"], f"{what}.Condition")
    return out


def parse_policy(doc: str | Mapping) -> dict:
    """Validate a policy document (JSON text or a mapping) and return a normalised copy.

    ``Statement`` becomes a list, and ``Action``/``NotAction``/``Resource``/``NotResource``
    lists of strings. Unsupported condition operators are *not* an error here (AWS accepts
    them); :func:`evaluate` reports them. Raises :class:`PolicyError` naming what is wrong.
    """
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except json.JSONDecodeError as e:
            raise PolicyError(
                f"policy is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"
            ) from None
    if not isinstance(doc, Mapping):
        raise PolicyError(f"policy must be a JSON object, got {type(doc).__name__}")
    unknown = sorted(set(doc) - _TOP_KEYS)
    if unknown:
        raise PolicyError(f"policy has unknown top-level element(s) {', '.join(unknown)}")
    out: dict = {}
    if "Version" in doc:
        if doc["Version"] not in _VERSIONS:
            raise PolicyError(f"policy Version must be one of {', '.join(_VERSIONS)}")
        out["Version"] = doc["Version"]
    if "Id" in doc:
        if not isinstance(doc["Id"], str):
            raise PolicyError("policy Id must be a string")
        out["Id"] = doc["Id"]
    if "Statement" not in doc:
        raise PolicyError("policy has no Statement")
    raw = doc["Statement"]
    statements = list(raw) if isinstance(raw, list | tuple) else [raw]
    if not statements:
        raise PolicyError("policy Statement must not be empty")
    out["Statement"] = [_check_statement(s, i) for i, s in enumerate(statements)]
    return out


# ---------------------------------------------------------------------------- evaluation

#: parse_policy once per policy mapping: answers evaluate a few policies for every item.
_parsed = by_identity(lambda doc: parse_policy(doc))


def _as_list(value: object) -> list[str]:
    return [value] if isinstance(value, str) else list(value)  # type: ignore[arg-type]


def _key_principal_match(principal_el: object, principal: str, account: str | None) -> str | None:
    """How a key policy ``Principal`` covers ``principal``: "direct", "account" or None."""
    if principal_el == "*":
        return "direct"
    assert isinstance(principal_el, Mapping)
    aws = _as_list(principal_el.get("AWS", []))
    if "*" in aws:  # {"AWS": "*"} is the same as "*" in AWS, services included
        return "direct"
    if any(p.lower() == principal.lower() for p in _as_list(principal_el.get("Service", []))):
        return "direct"
    if principal in aws:
        return "direct"
    if account is None:
        return None
    for entry in aws:
        named = entry if _ACCOUNT_ID.fullmatch(entry) else _root_account(entry)
        if named == account:
            # The root *is* the account, so the statement names it directly.
            return "direct" if _root_account(principal) == account else "account"
    return None


def _root_account(arn: str) -> str | None:
    m = _ROOT_ARN.fullmatch(arn)
    return m.group(1) if m else None


def _targets_match(st: Mapping, req: Request) -> bool:
    if "Action" in st:
        action_ok = any(wildcard_match(a, req.action, ignore_case=True) for a in st["Action"])
    else:
        action_ok = not any(
            wildcard_match(a, req.action, ignore_case=True) for a in st["NotAction"])
    if not action_ok:
        return False
    # Resource and NotResource are normalised by parse_policy; a statement lacking both is
    # rejected there, so exactly one is present.
    if "Resource" in st:
        return any(wildcard_match(r, req.resource) for r in st["Resource"])
    return not any(wildcard_match(r, req.resource) for r in st["NotResource"])


@dataclass
class _Scan:
    """What one pass over all statements found (mutable while scanning)."""

    notes: list[str] = field(default_factory=list)
    denies: list[StatementRef] = field(default_factory=list)
    direct: list[StatementRef] = field(default_factory=list)
    account: list[StatementRef] = field(default_factory=list)
    identity: list[StatementRef] = field(default_factory=list)

    def ignore(self, ref: StatementRef, why: str) -> None:
        # A Deny that cannot apply is the dangerous case, so it is called out as such.
        if ref.effect == "Deny":
            self.notes.append(f"Deny in {ref.describe()} ignored: {why}; this Deny does not apply")
        else:
            self.notes.append(f"{ref.describe()} ignored: {why}")


def _statement_applies(st: Mapping, ref: StatementRef, req: Request, ctx: Mapping[str, str],
                       scan: _Scan) -> bool:
    """Action, resource and condition; records a note when the condition is unsupported."""
    if not _targets_match(st, req):
        return False
    condition = st.get("Condition", {})
    problem = condition_problem(condition)
    if problem:
        scan.ignore(ref, problem)
        return False
    return condition_holds(condition, ctx)


def evaluate(
    req: Request, key_policy: Mapping, identity_policies: Sequence[Mapping] = ()
) -> Decision:
    """Decide ``req`` against a key policy and the principal's identity policies (SPEC 3.2).

    Policies are validated with :func:`parse_policy` (so :class:`PolicyError` may be raised),
    a mapping once (do not change one in place after evaluating it).
    Identity policies only count for IAM principals. ``kms:CallerAccount`` is derived from the
    principal's account when the caller left it out of ``req.context``.
    """
    # remembered: a replay asks the same few questions (per key policy, log group) 1M times
    return _remembered(req, key_policy, identity_policies)


def _evaluate(req: Request, key_policy: Mapping, identity_policies: Sequence[Mapping]
              ) -> Decision:
    kp = _parsed(key_policy)
    account = account_of(req.principal)
    ctx = {k.lower(): v for k, v in req.context.items()}
    if account is not None:
        ctx.setdefault("kms:calleraccount", account)
    scan = _Scan()

    for i, st in enumerate(kp["Statement"]):
        ref = StatementRef("key policy", i, st.get("Sid"), st["Effect"])
        if "NotPrincipal" in st:
            scan.ignore(ref, "NotPrincipal is not supported")
            continue
        if "Principal" not in st:
            scan.ignore(ref, "a key policy statement must name a Principal")
            continue
        how = _key_principal_match(st["Principal"], req.principal, account)
        if how is None or not _statement_applies(st, ref, req, ctx, scan):
            continue
        if st["Effect"] == "Deny":
            scan.denies.append(ref)  # a Deny naming the account covers all its principals
        else:
            (scan.direct if how == "direct" else scan.account).append(ref)

    if account is not None:  # identity policies never apply to service principals
        many = len(identity_policies) > 1
        for n, doc in enumerate(identity_policies):
            name = f"identity policy #{n} of {req.principal}" if many else \
                f"identity policy of {req.principal}"
            for i, st in enumerate(_parsed(doc)["Statement"]):
                ref = StatementRef(name, i, st.get("Sid"), st["Effect"])
                if "Principal" in st or "NotPrincipal" in st:
                    scan.ignore(ref, "an identity policy statement cannot name a Principal")
                    continue
                if _statement_applies(st, ref, req, ctx, scan):
                    (scan.denies if st["Effect"] == "Deny" else scan.identity).append(ref)

    return _decide(req, account, scan)


_remembered = decisions_by_identity(_evaluate)


def _decide(req: Request, account: str | None, scan: _Scan) -> Decision:
    notes = scan.notes
    if scan.denies:
        ref = scan.denies[0]
        return Decision(False, f"explicit Deny in {ref.describe()}", ref, tuple(notes))
    if scan.direct:
        ref = scan.direct[0]
        return Decision(True, f"allowed by {ref.describe()}", ref, tuple(notes))
    if scan.account and scan.identity:
        ka, ia = scan.account[0], scan.identity[0]
        reason = f"{ka.describe()} allows the account; allowed by {ia.describe()}"
        return Decision(True, reason, ia, tuple(notes))
    # Nothing allowed it: say which half of the delegation was missing, if any.
    if scan.account:
        notes.append(f"{scan.account[0].describe()} allows account {account}, but no identity "
                     f"policy of {req.principal} allows {req.action} on {req.resource}")
    elif scan.identity:
        notes.append(f"{scan.identity[0].describe()} allows it, but the key policy does not "
                     f"allow account {account} (arn:aws:iam::{account}:root or {account})")
    elif account is None and is_service_principal(req.principal):
        notes.append(f"{req.principal} is a service principal: only key policy statements naming "
                     "it in Principal.Service (or Principal \"*\") can allow it")
    return Decision(False, _NO_STATEMENT, None, tuple(notes))

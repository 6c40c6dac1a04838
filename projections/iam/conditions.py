"""Wildcard matching and the ``Condition`` element of IAM policies (SPEC 3.2).

Split out of :mod:`projections.iam.policy` to keep each module readable. Only the operators and
condition keys that SPEC 3.2 names are supported; anything else is reported as a *problem*
(a human sentence) so the evaluator can refuse to match the statement instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

__all__ = [
    "SUPPORTED_KEYS",
    "SUPPORTED_OPERATORS",
    "arn_match",
    "condition_holds",
    "condition_problem",
    "condition_values",
    "wildcard_match",
]

#: Base operators (without the ``IfExists`` suffix) that kmsim evaluates.
SUPPORTED_OPERATORS: frozenset[str] = frozenset({
    "StringEquals", "StringNotEquals", "StringLike", "StringNotLike",
    "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike",
})

#: Supported condition keys, lower-cased (IAM condition key names are case-insensitive).
SUPPORTED_KEYS: frozenset[str] = frozenset({
    "kms:encryptioncontext:aws:logs:arn",
    "kms:viaservice",
    "kms:calleraccount",
    "aws:sourceaccount",
    "aws:sourcearn",
})

_IF_EXISTS = "IfExists"
_NEGATED = frozenset({"StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike"})


@lru_cache(maxsize=4096)
def _glob_regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    # Only '*' and '?' are special in IAM; fnmatch would also treat '[...]' as a class.
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile("".join(parts), flags)


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """Whether ``value`` matches all of ``pattern``, where ``*`` is any run and ``?`` one char."""
    if pattern == "*":
        return True
    return _glob_regex(pattern, ignore_case).fullmatch(value) is not None


def arn_match(pattern: str, value: str) -> bool:
    """IAM's ARN comparison: each of the six colon-separated parts is wildcard-matched on its own.

    The sixth part (the resource) keeps its own colons, so ``log-group:*`` spans them, while a
    ``*`` in the region or account part cannot leak into the next part.
    """
    pattern_parts = pattern.split(":", 5)
    value_parts = value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6 or value_parts[0] != "arn":
        return False
    return all(wildcard_match(p, v) for p, v in zip(pattern_parts, value_parts, strict=True))


def condition_values(raw: object) -> list[str]:
    """A condition value (string, number, boolean or a list of them) as a list of strings."""
    items = raw if isinstance(raw, list | tuple) else [raw]
    # JSON true/false compare as IAM writes them ("true"), not as Python prints them.
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in items]


def _split_operator(operator: str) -> tuple[str, bool]:
    if operator.endswith(_IF_EXISTS):
        return operator[: -len(_IF_EXISTS)], True
    return operator, False


def condition_problem(condition: Mapping[str, Mapping[str, object]]) -> str | None:
    """Why kmsim cannot evaluate ``condition`` (first unsupported operator or key), or None."""
    for operator, tests in condition.items():
        if ":" in operator:  # ForAnyValue:/ForAllValues: qualifiers on multivalued keys
            return f"condition operator {operator} is not supported (set operators are not)"
        base, _ = _split_operator(operator)
        if base not in SUPPORTED_OPERATORS:
            return f"condition operator {operator} is not supported"
        for key in tests:
            if key.lower() not in SUPPORTED_KEYS:
                return f"condition key {key} is not supported"
    return None


def _one_test(base: str, pattern: str, actual: str) -> bool:
    if base in ("StringEquals", "StringNotEquals"):
        return pattern == actual
    if base in ("StringLike", "StringNotLike"):
        return wildcard_match(pattern, actual)
    # ArnEquals and ArnLike are the same comparison in IAM (both accept wildcards).
    return arn_match(pattern, actual)


def condition_holds(
    condition: Mapping[str, Mapping[str, object]], context: Mapping[str, str]
) -> bool:
    """Evaluate a supported ``condition`` against ``context`` (keys already lower-cased).

    Operators and keys are ANDed; the values listed for one key are ORed. As IAM documents it,
    a key missing from the context makes a positive operator false and a negated one
    (``StringNotEquals``, ``ArnNotLike``, ...) true; with ``IfExists`` a missing key is true.
    Call :func:`condition_problem` first: this assumes every operator and key is supported.
    """
    for operator, tests in condition.items():
        base, if_exists = _split_operator(operator)
        negated = base in _NEGATED
        for key, raw in tests.items():
            actual = context.get(key.lower())
            if actual is None:
                if not (if_exists or negated):
                    return False
                continue
            hit = any(_one_test(base, pattern, actual) for pattern in condition_values(raw))
            if hit == negated:
                return False
    return True

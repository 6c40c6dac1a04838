"""Request parameter checks from the API models, and AWS's validation messages, in one place.

A documented pattern must match the whole value (SPEC 3). Each service passes its own
error code (KMS ``ValidationException``, Logs ``InvalidParameterException``) and the way it
names members; the messages are AWS's (R-SRV-20..26):

- the JSON services (KMS, CloudWatch Logs, the CloudWatch dataset operations) answer
  ``N validation error(s) detected: `` and one part per failed constraint, joined by ``; ``:
  ``Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or
  equal to 50`` (:func:`validate`, :func:`coral_part`);
- CloudWatch's query-compatible PutMetricData and GetMetricData answer in the query
  protocol's words: ``The parameter MetricData.member.1.MetricName is required.``
  (:func:`query_part`).

How a value no observed message shows is printed follows A-VALIDATION-FORM, read from the
``settings_scope`` the recorder opens around each handler.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar, Token
from dataclasses import dataclass

from projections.rulebook import find_assumption, setting
from sim.errors import AwsError

#: The assumption that decides how values are shown, and its value for the call being decided.
FORM = find_assumption("A-VALIDATION-FORM")
_FORM: ContextVar[str] = ContextVar(FORM.name, default=FORM.default)
#: A member left out (shown as ``Value null``), apart from any value a request can hold.
MISSING = object()


@contextlib.contextmanager
def settings_scope(settings: Mapping[str, str]) -> Iterator[None]:
    """Render the messages of the calls inside with the assumptions in ``settings``."""
    token = _FORM.set(setting(settings, FORM.name))
    try:
        yield
    finally:
        _FORM.reset(token)


def enter_scope(settings: Mapping[str, str]) -> Token[str]:
    """:func:`settings_scope` without a context manager (the recorder's hot path): open
    it; :func:`exit_scope` with the token closes it."""
    return _FORM.set(setting(settings, FORM.name))


def exit_scope(token: Token[str]) -> None:
    """Close the scope :func:`enter_scope` opened."""
    _FORM.reset(token)


@functools.lru_cache(maxsize=1024)
def _matcher(pattern: str) -> Callable[[str], re.Match[str] | None]:
    """The compiled ``fullmatch`` of a model pattern (re's own cache costs a look-up with
    its flags on every call)."""
    return re.compile(pattern).fullmatch


@dataclass(frozen=True)
class Param:
    """One request member as the API model documents it.

    ``min``/``max`` bound a length (strings, lists, maps; a blob's decoded bytes) or a
    number's value; ``items`` describes a list's elements: one Param for a list of scalars,
    or the members of a list of structures.
    """

    name: str
    type: type | tuple[type, ...] = str
    required: bool = False
    min: int | None = None
    max: int | None = None
    pattern: str | None = None
    enum: tuple[str | int, ...] | None = None
    #: The model marks the member sensitive: AWS never prints its value.
    sensitive: bool = False
    #: A blob: base64 text in the handlers, its length counted in decoded bytes.
    blob: bool = False
    items: Param | tuple[Param, ...] | None = None

    def check(self, value: object) -> str | None:
        """The first failed constraint of ``value`` as a message part, or None."""
        found = self.violations(value, self.name)
        return coral_part(found[0]) if found else None

    def violations(self, value: object, path: str, lower_first: bool = False
                   ) -> list[Violation]:
        """Every constraint ``value`` (at ``path``) fails, its list elements' included."""
        if value is None or value is MISSING:
            return [Violation(path, MISSING, "required", None)] if self.required else []
        if not isinstance(value, self.type) or (isinstance(value, bool)
                                                and self.type is not bool):
            return [Violation(path, value, "type", _tname(self.type), self.sensitive)]
        out = []
        size = _size(value, self.blob)
        measured = size if size is not None else value
        if isinstance(measured, int | float) and not isinstance(measured, bool):
            length = size is not None
            if self.min is not None and measured < self.min:
                out.append(Violation(path, value, "min", self.min, self.sensitive, length))
            if self.max is not None and measured > self.max:
                out.append(Violation(path, value, "max", self.max, self.sensitive, length))
        if self.pattern and isinstance(value, str) and not _matcher(self.pattern)(value):
            out.append(Violation(path, value, "pattern", self.pattern, self.sensitive))
        if self.enum and value not in self.enum:
            out.append(Violation(path, value, "enum", self.enum, self.sensitive))
        if self.items is not None and isinstance(value, list):
            for i, item in enumerate(value, 1):
                out += _item_violations(self.items, item, f"{path}.{i}.member", lower_first)
        return out


@dataclass(frozen=True)
class Violation:
    """One failed constraint: where, the value (MISSING when left out), which constraint
    (``required``, ``type``, ``min``, ``max``, ``pattern``, ``enum``) and its bound."""

    path: str
    value: object
    kind: str
    bound: object
    sensitive: bool = False
    #: ``min``/``max`` bound a length (True) or a number's value (False).
    length: bool = False


def _item_violations(items: Param | tuple[Param, ...], item: object, path: str,
                     lower_first: bool) -> list[Violation]:
    if isinstance(items, Param):  # a list of scalars: the element is the member itself
        return items.violations(item, path, lower_first)
    if not isinstance(item, Mapping):
        return [Violation(path, item, "type", "structure")]
    out = []
    for p in items:
        out += p.violations(item.get(p.name), f"{path}.{member_name(p.name, lower_first)}",
                            lower_first)
    return out


def _size(value: object, blob: bool) -> int | None:
    """The length a constraint counts, or None for a number."""
    if isinstance(value, str) and blob:
        try:  # the server hands blobs over as base64 text; the Python API may not
            return len(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            return len(value.encode())
    if isinstance(value, str | list | dict):
        return len(value)
    return None


def _tname(t: type | tuple[type, ...]) -> str:
    if isinstance(t, tuple):
        return " or ".join(_tname(x) for x in t)
    return {"str": "string", "int": "integer", "bool": "boolean", "list": "list",
            "dict": "map", "float": "double"}.get(t.__name__, t.__name__)


def member_name(name: str, lower_first: bool) -> str:
    """The member as AWS's messages name it: KMS and the CloudWatch dataset operations in
    lowerCamelCase (``KeyId`` is ``keyId``, R-SRV-21), CloudWatch Logs as the model writes it."""
    return name[:1].lower() + name[1:] if lower_first else name


def violations(req: Mapping, params: Sequence[Param], lower_first: bool = False
               ) -> list[Violation]:
    """Every failed constraint of ``req``, members in the order of ``params``
    (A-VALIDATION-FORM)."""
    out: list[Violation] = []
    for p in params:
        out += p.violations(req.get(p.name), member_name(p.name, lower_first), lower_first)
    return out


def validate(req: Mapping, params: Sequence[Param], code: str, rule: str,
             lower_first: bool = False) -> None:
    """Check ``req`` against ``params``; any failed constraint raises ``code`` (400) with
    AWS's message listing all of them (R-SRV-20)."""
    found = violations(req, params, lower_first)
    if found:
        raise AwsError(code, validation_message([coral_part(v) for v in found]), rule)


def fail(code: str, rule: str, *found: Violation) -> AwsError:
    """The error of failed constraints found outside :func:`validate` (a check the service
    makes after the model's, in the same form)."""
    return AwsError(code, validation_message([coral_part(v) for v in found]), rule)


def validation_message(parts: Sequence[str]) -> str:
    """``N validation error(s) detected: `` and the parts joined by ``; `` (R-SRV-20)."""
    n = len(parts)
    return f"{n} validation error{'' if n == 1 else 's'} detected: " + "; ".join(parts)


def coral_part(v: Violation) -> str:
    """``Value '<value>' at '<path>' failed to satisfy constraint: Member must ...``."""
    return f"{_shown(v)} at '{v.path}' failed to satisfy constraint: Member must {_must(v)}"


def _must(v: Violation) -> str:
    what = "length" if v.length else "value"
    if v.kind == "required":
        return "not be null"
    if v.kind == "min":
        return f"have {what} greater than or equal to {v.bound}"
    if v.kind == "max":
        return f"have {what} less than or equal to {v.bound}"
    if v.kind == "pattern":
        return f"satisfy regular expression pattern: {v.bound}"
    if v.kind == "enum":
        return f"satisfy enum value set: [{', '.join(map(str, v.bound))}]"  # type: ignore[call-overload]
    return f"be of type {v.bound}"  # kmsim's own: the server refuses a wrong type first (R-SRV-01)


def _shown(v: Violation) -> str:
    """``Value null``, ``Value`` (sensitive; or unshown per A-VALIDATION-FORM) or
    ``Value '<text>'`` with the value as Java's toString writes it (R-SRV-22)."""
    if v.value is MISSING:
        return "Value null"
    if v.sensitive:
        return "Value"
    if isinstance(v.value, list | dict) and v.value and _FORM.get() == "omit":
        return "Value"
    return f"Value '{java_text(v.value)}'"


def java_text(value: object) -> str:
    """``value`` as Java's toString shows it: ``[a, b]``, ``{k=v}``, ``true``, ``1.0``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        return f"{value:.1f}" if value.is_integer() and abs(value) < 1e7 else repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(java_text(x) for x in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{java_text(k)}={java_text(x)}" for k, x in value.items()) + "}"
    if value is None:
        return "null"
    return str(value)


def query_part(v: Violation) -> str:
    """One failed constraint in CloudWatch's query-protocol words (R-SRV-25); where no
    message was observed (a too-short value, a number out of range, a wrong type) the
    wording follows A-VALIDATION-FORM."""
    if v.kind == "required":
        return f"The parameter {v.path} is required."
    if v.kind == "max" and isinstance(v.value, list):
        return f"The collection {v.path} must not have a size greater than {v.bound}."
    if v.kind == "max" and v.length:
        return f"The parameter {v.path} must be shorter than {int(v.bound) + 1} characters."  # type: ignore[call-overload]
    if v.kind == "min" and v.length:
        return f"The parameter {v.path} must be longer than {int(v.bound) - 1} characters."  # type: ignore[call-overload]
    if v.kind == "pattern":
        pattern = str(v.bound)
        anchored = pattern if pattern.startswith("^") else f"^{pattern}$"
        return (f"The value {java_text(v.value)} for parameter {v.path} is not matching "
                f"the expected pattern {anchored}.")
    if v.kind == "enum":
        return (f"The parameter {v.path} must be a value in the set "
                f"[ {', '.join(map(str, v.bound))} ].")  # type: ignore[call-overload]
    if v.kind in ("min", "max"):
        side = "greater" if v.kind == "min" else "less"
        return f"The parameter {v.path} must be {side} than or equal to {v.bound}."
    return f"The parameter {v.path} must be of type {v.bound}."

"""Request parameter checks from the API models: types, required, lengths, patterns, enums.

A documented pattern must match the whole value (SPEC 3). Each service passes its own
error code (KMS ``ValidationException``, Logs ``InvalidParameterException``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sim.errors import AwsError


@dataclass(frozen=True)
class Param:
    """One request parameter as the API model documents it."""

    name: str
    type: type | tuple[type, ...] = str
    required: bool = False
    min: int | None = None
    max: int | None = None
    pattern: str | None = None
    enum: tuple[str, ...] | None = None

    def check(self, value: object) -> str | None:
        """A message describing what is wrong with ``value``, or None."""
        if isinstance(value, bool) and self.type is not bool:
            return f"{self.name} must be of type {_tname(self.type)}"
        if not isinstance(value, self.type):
            return f"{self.name} must be of type {_tname(self.type)}"
        if isinstance(value, str | list | dict):
            n = len(value)
            if self.min is not None and n < self.min:
                return f"{self.name} must have length greater than or equal to {self.min}"
            if self.max is not None and n > self.max:
                return f"{self.name} must have length less than or equal to {self.max}"
        elif isinstance(value, int):
            if self.min is not None and value < self.min:
                return f"{self.name} must be greater than or equal to {self.min}"
            if self.max is not None and value > self.max:
                return f"{self.name} must be less than or equal to {self.max}"
        if self.pattern and isinstance(value, str) and not re.fullmatch(self.pattern, value):
            return f"{self.name} must satisfy regular expression pattern: {self.pattern}"
        if self.enum and value not in self.enum:
            return f"{self.name} must satisfy enum value set: [{', '.join(self.enum)}]"
        return None


def _tname(t: type | tuple[type, ...]) -> str:
    if isinstance(t, tuple):
        return " or ".join(x.__name__ for x in t)
    return {"str": "string", "int": "integer", "bool": "boolean", "list": "list",
            "dict": "map"}.get(t.__name__, t.__name__)


def validate(req: Mapping, params: tuple[Param, ...], code: str, rule: str,
             allow_extra: bool = True) -> None:
    """Check ``req`` against ``params``; the first problems found raise ``code`` (400)."""
    problems = []
    for p in params:
        if p.name not in req or req[p.name] is None:
            if p.required:
                problems.append(f"{p.name} is required")
            continue
        msg = p.check(req[p.name])
        if msg:
            problems.append(msg)
    if not allow_extra:
        known = {p.name for p in params}
        problems += [f"unknown parameter {k}" for k in req if k not in known]
    if problems:
        n = len(problems)
        raise AwsError(code, f"{n} validation error{'s' if n > 1 else ''} detected: "
                       + "; ".join(problems), rule)

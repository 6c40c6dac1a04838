"""A scenario step's ``args`` checked against the operation's parameters before it runs.

The names come from each operation's one declaration: botocore's service model for the
AWS operations (through ``sim.server.shapes``), the ``@checked`` parameters of the
``sim:*`` handlers. Members of nested structures are checked where the model describes
them (``logEvents[0].mesage``). Values are checked only where a scenario can write what
no call can carry: integers beyond 64 bits, and timestamps outside the range of
simulated time (``events.timefmt.TIME_RANGE``). A wrong type or a missing parameter is left
to the call, whose AWS error a step can ``expect``.

This is a scenario input check: ``Simulator.call`` and the server do not use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from events.timefmt import TimeSyntaxError, check_time, parse_rfc3339
from sim.errors import AwsError
from sim.scenario.lines import hint_for
from sim.services import lookup

#: AWS integers and longs are signed 64-bit (and so are the log's msgpack integers).
INT64 = (-(1 << 63), (1 << 63) - 1)
#: Operations whose ``Timestamp``-shaped longs are epoch seconds; elsewhere in Logs they
#: are epoch milliseconds (the models say so only in their documentation text).
EPOCH_SECONDS = {"logs:StartQuery"}


@dataclass(frozen=True)
class ArgProblem:
    """What is wrong with one argument: its path in ``args``, a message and a hint."""

    path: str
    message: str
    hint: str


def input_model(op: str) -> Any | None:
    """botocore's input shape of an AWS operation (None for ``sim:*``, unmodeled ones)."""
    service, _, name = op.partition(":")
    if service == "sim":
        return None
    # Imported on first use for start-up time, not to break a cycle: importing the whole
    # ``sim.server`` package would add 50-70 ms to every verb that imports this module.
    from sim.server.shapes import input_shape

    return input_shape(service, name)


def parameter_names(op: str) -> set[str] | None:
    """The top-level parameter names ``op`` takes, or None when nothing declares them."""
    if op.startswith("sim:"):
        try:
            params = getattr(lookup(op).handler, "params", None)
        except AwsError:
            return None
        return None if params is None else {p.name for p in params}
    shape = input_model(op)
    return None if shape is None else set(shape.members)


def arg_problem(op: str, args: dict) -> ArgProblem | None:
    """The first problem in ``args`` for ``op``, in file order, or None."""
    if not args:
        return None  # nothing to check: do not load a model for it
    names = parameter_names(op)
    shape = input_model(op)
    seconds = op in EPOCH_SECONDS
    stack: list[tuple[Any, Any, str]] = [(shape, args, "")]
    while stack:  # an explicit stack: deep TOML nesting cannot exhaust Python's
        shape, value, path = stack.pop()
        if isinstance(value, dict):
            members = names if not path else _members(shape)
            children = []
            for key, item in value.items():
                where = f"{path}.{key}" if path else str(key)
                if members is not None and key not in members:
                    return ArgProblem(where, f"unknown argument {where!r} for {op}",
                                      _did_you_mean(str(key), members))
                children.append((_child(shape, key), item, where))
            stack.extend(reversed(children))
        elif isinstance(value, list):
            member = shape.member if _kind(shape) == "list" else None
            stack.extend(reversed([(member, v, f"{path}[{i}]") for i, v in enumerate(value)]))
        else:
            problem = _value_problem(shape, value, path, seconds)
            if problem is not None:
                return problem
    return None


def _kind(shape: Any) -> str | None:
    return getattr(shape, "type_name", None)


def _members(shape: Any) -> set[str] | None:
    return set(shape.members) if _kind(shape) == "structure" else None


def _child(shape: Any, key: str) -> Any:
    if _kind(shape) == "structure":
        return shape.members.get(key)
    if _kind(shape) == "map":
        return shape.value
    return None


def _did_you_mean(word: str, choices: set[str]) -> str:
    return hint_for(word, choices) if choices else "this call takes no arguments"


def _value_problem(shape: Any, value: Any, path: str, seconds: bool) -> ArgProblem | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and not INT64[0] <= value <= INT64[1]:
        return ArgProblem(path, f"{path} = {value} does not fit in 64 bits",
                          "AWS integers and longs are signed 64-bit numbers")
    kind = _kind(shape)
    if kind == "timestamp":  # epoch seconds or RFC 3339
        if isinstance(value, int | float):
            if not math.isfinite(value):
                return _time_problem(path, value, "it is not a number of seconds",
                                     "epoch seconds")
            return _in_range(path, value, value * 1000, "epoch seconds")
        if isinstance(value, str):
            try:
                ms = parse_rfc3339(value)
            except TimeSyntaxError:
                return None  # not a time at all: the call's own error decides
            return _in_range(path, value, ms, "an RFC 3339 time")
    elif kind == "long" and shape.name == "Timestamp" and isinstance(value, int):
        unit = "epoch seconds" if seconds else "epoch milliseconds"
        return _in_range(path, value, value * 1000 if seconds else value, unit)
    return None


def _in_range(path: str, value: Any, ms: float, unit: str) -> ArgProblem | None:
    try:
        check_time(ms, f"{path} = {value!r}")
    except TimeSyntaxError as exc:
        return _time_problem(path, value, str(exc), unit)
    return None


def _time_problem(path: str, value: Any, why: str, unit: str) -> ArgProblem:
    message = why if why.startswith(path) else f"{path} = {value!r}: {why}"
    return ArgProblem(path, message, f"{path} is {unit} within the range of simulated time")

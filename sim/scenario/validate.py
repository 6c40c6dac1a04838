"""The checks of a scenario file beyond TOML syntax: keys, calls, times, names, references,
and the :class:`Scenario` they build (``sim.scenario.load`` reads the file and parses the TOML).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from events.timefmt import check_time, parse_rfc3339
from projections.arns import IAM_ARN, REGION, resource_from_name
from projections.iam.policy import PolicyError, parse_policy
from projections.machines import ASSOCIATION_STATES, KEY_STATES
from projections.rulebook import SettingsError, resolve_settings
from sim.scenario.args import arg_problem
from sim.scenario.lines import Loader, hint_for
from sim.services import known_operations
from sim.simulator import DEFAULT_ACCOUNT, DEFAULT_REGION, DEFAULT_START

SCENARIO_KEYS = {"name", "start", "account", "region", "profile", "principal", "description",
                 "seed"}
PRINCIPAL_KEYS = {"arn", "policy"}
STEP_KEYS = {"at", "call", "args", "as", "region", "save", "label", "expect"}
CHECK_KINDS = ("decryptable", "key_state", "association")
CHECK_KEYS = {"at", "as", *CHECK_KINDS}
TOP_KEYS = {"scenario", "assumptions", "principals", "step", "check"}
VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
DECRYPTABLE = ("yes", "no", "maybe", "gone")
CHECK_VALUES = {"decryptable": DECRYPTABLE, "key_state": tuple(KEY_STATES),
                "association": tuple(ASSOCIATION_STATES)}


@dataclass
class StepSpec:
    """One ``[[step]]``: when, what, as whom, and what to expect."""

    line: int
    index: int
    at: str
    t: int
    call: str
    args: dict
    as_: str | None = None
    region: str | None = None
    save: dict[str, str] = field(default_factory=dict)
    label: str | None = None
    expect: str = "ok"


@dataclass
class CheckSpec:
    """One ``[[check]]``: at a moment, as a principal, the expected answers."""

    line: int
    index: int
    at: str
    t: int | None
    through_seq: int | None
    as_: str | None
    expected: dict[str, dict[str, str]]


@dataclass
class Scenario:
    """A loaded, validated scenario file."""

    file: str
    name: str
    start: int
    account: str
    region: str
    profile: str
    principal: str | None
    seed: int
    assumptions: dict[str, str]
    principals: dict[str, tuple[str, str | None]]
    steps: list[StepSpec]
    checks: list[CheckSpec]
    description: str = ""


def variables_in(value: Any) -> set[str]:
    """Names of ``${name}`` references anywhere in a value."""
    if isinstance(value, str):
        return set(VAR.findall(value))
    if isinstance(value, dict):
        return set().union(*(variables_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(variables_in(v) for v in value)) if value else set()
    return set()


def _unknown_keys(ld: Loader, table: dict, allowed: set[str], where, what: str) -> None:
    for key in table:
        if key not in allowed:
            raise ld.error(f"unknown key {key!r} in {what}", where.of(key),
                           hint_for(key, allowed))


def build(ld: Loader, data: dict) -> Scenario:
    """Validate the parsed TOML and build the :class:`Scenario`."""
    _unknown_keys(ld, data, TOP_KEYS, ld.lines.table(""), "the file")
    head = data.get("scenario")
    where = ld.lines.table("scenario")
    if not isinstance(head, dict):
        raise ld.error("missing [scenario] table", 1,
                       'start the file with [scenario] and name = "..."')
    _unknown_keys(ld, head, SCENARIO_KEYS, where, "[scenario]")
    name = ld.string(head, "name", where, required=True)
    start_text = head.get("start", DEFAULT_START)
    start_text = ld.time(start_text, 0, where, "start")[0] if not isinstance(
        start_text, str) else start_text
    try:
        start = parse_rfc3339(start_text)
        check_time(start, f"start {start_text}")
    except ValueError as exc:
        raise ld.error(str(exc), where.of("start"), "write start = \"2026-01-01T00:00:00Z\""
                       ) from None
    account = ld.string(head, "account", where, DEFAULT_ACCOUNT)
    region = ld.string(head, "region", where, DEFAULT_REGION)
    if not (account.isascii() and account.isdigit() and len(account) == 12):
        raise ld.error(f"account {account!r} is not a 12-digit account id", where.of("account"),
                       'write account = "111122223333"')
    if not REGION.fullmatch(region):
        raise ld.error(f"region {region!r} is not an AWS region", where.of("region"),
                       'write region = "us-east-1"')
    profile = ld.string(head, "profile", where, "seed")
    seed = head.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ld.error("seed must be an integer", where.of("seed"), "write seed = 7")

    assumptions = data.get("assumptions", {})
    a_where = ld.lines.table("assumptions")
    if not isinstance(assumptions, dict):
        raise ld.error("[assumptions] must be a table", a_where.of(),
                       'write [assumptions] and under it propagation = "instant"')
    try:
        resolve_settings(profile, [(k, str(v)) for k, v in assumptions.items()])
    except SettingsError as exc:
        bad = next((k for k in assumptions if k in str(exc) or str(assumptions[k]) in str(exc)),
                   None)
        line = a_where.of(bad) if bad else where.of("profile")
        hint = ("kmsim rules lists every assumption and its values" if bad else
                "kmsim rules lists the profiles")
        raise ld.error(str(exc), line, hint) from None

    principals = _principals(ld, data.get("principals", {}), account)
    default_principal = ld.string(head, "principal", where)
    if default_principal is not None and default_principal not in principals:
        raise ld.error(f"unknown principal {default_principal!r}", where.of("principal"),
                       hint_for(default_principal, set(principals)) if principals else
                       "declare it under [principals.NAME] with arn = ...")
    steps = _steps(ld, data.get("step", []), start, principals)
    checks = _checks(ld, data.get("check", []), start, principals, steps, account, region)
    return Scenario(ld.file, name, start, account, region, profile, default_principal, seed,
                    {k: str(v) for k, v in assumptions.items()}, principals, steps, checks,
                    head.get("description", ""))


def _principals(ld: Loader, table: Any, account: str) -> dict[str, tuple[str, str | None]]:
    if not isinstance(table, dict):
        raise ld.error("[principals] must hold tables", ld.lines.table("principals").of(),
                       'write [principals.admin] and under it arn = "arn:aws:iam::..."')
    out = {}
    for pname, spec in table.items():
        where = ld.lines.table(f"principals.{pname}")
        if not isinstance(spec, dict):
            raise ld.error(f"principal {pname!r} must be a table with arn and policy",
                           where.of(), f'write [principals.{pname}] and under it arn = "..."')
        _unknown_keys(ld, spec, PRINCIPAL_KEYS, where, f"[principals.{pname}]")
        arn = ld.string(spec, "arn", where, f"arn:aws:iam::{account}:role/{pname}")
        if not IAM_ARN.fullmatch(arn):
            raise ld.error(f"principal {pname!r}: {arn!r} is not an IAM ARN", where.of("arn"),
                           "write arn:aws:iam::ACCOUNT:role/NAME, ...:user/NAME or ...:root")
        policy = ld.string(spec, "policy", where)
        if policy is not None:
            policy = ld.expand_files(policy, where.of("policy"))
            try:
                parse_policy(policy)
            except PolicyError as exc:
                raise ld.error(f"principal {pname!r}: malformed policy: {exc}",
                               where.of("policy"), "an IAM policy JSON document with Version "
                               "and Statement") from None
        out[pname] = (arn, policy)
    return out


def _tables(ld: Loader, items: Any, kind: str, keys: Any, hint: str) -> Iterator[tuple]:
    """Each table of the array ``[[kind]]`` with its index and where it is, after checking
    that it is an array of tables with only known keys."""
    if not isinstance(items, list):
        raise ld.error(f"{kind} must be an array of tables", ld.lines.table("").of(kind), hint)
    for i, item in enumerate(items):
        where = ld.lines.item(kind, i)
        if not isinstance(item, dict):
            raise ld.error(f"each {kind} must be a table", where.of(), hint)
        _unknown_keys(ld, item, keys, where, f"[[{kind}]]")
        yield i, item, where


def _steps(ld: Loader, items: Any, start: int, principals: dict) -> list[StepSpec]:
    ops = set(known_operations())
    steps = []
    for i, item, where in _tables(ld, items, "step", STEP_KEYS,
                               "write each step as [[step]] followed by at = ..., call = ..."):
        at, t, _ = ld.time(item.get("at", "+0s"), start, where)
        call = ld.string(item, "call", where, required=True)
        if call not in ops:
            raise ld.error(f"unknown call {call!r}", where.of("call"), hint_for(call, ops))
        args = item.get("args", {})
        if not isinstance(args, dict):
            raise ld.error("args must be a table", where.of("args"),
                           'write args = { KeyId = "${k1}" }')
        who = ld.string(item, "as", where)
        if who is not None and who not in principals:
            raise ld.error(f"unknown principal {who!r}", where.of("as"),
                           hint_for(who, set(principals)) if principals else
                           "declare it under [principals.NAME]")
        save = item.get("save", {})
        if not isinstance(save, dict) or not all(isinstance(v, str) for v in save.values()):
            raise ld.error("save must map names to response fields", where.of("save"),
                           'write save = { k1 = "KeyMetadata.Arn" }')
        label = ld.string(item, "label", where)
        expect = ld.string(item, "expect", where, "ok")
        step_region = ld.string(item, "region", where)
        if step_region is not None and not REGION.fullmatch(step_region):
            raise ld.error(f"region {step_region!r} is not an AWS region", where.of("region"),
                           'write region = "us-west-2"')
        args = ld.expand_files(args, where.of("args"))
        problem = arg_problem(call, args)
        if problem is not None:
            top = problem.path.split(".")[0].split("[")[0]
            raise ld.error(problem.message, where.of_member("args", top), problem.hint)
        steps.append(StepSpec(where.of(), i, at, t or start, call, args, who,
                              ld.string(item, "region", where), dict(save), label, expect))
    _check_references(ld, steps)
    return steps


def _check_references(ld: Loader, steps: list[StepSpec]) -> None:
    saved: dict[str, int] = {}
    labels: dict[str, int] = {}
    for step in sorted(steps, key=lambda s: (s.t, s.index)):
        for var in sorted(variables_in(step.args)):
            if var not in saved:
                later = [s.line for s in steps if var in s.save]
                hint = (f"it is saved by the step at line {later[0]}, which runs later"
                        if later else f"save it first: save = {{ {var} = \"KeyMetadata.Arn\" }}")
                raise ld.error(f"unknown variable ${{{var}}}", ld.lines.item(
                    "step", step.index).of("args"), hint)
        for var in step.save:
            saved.setdefault(var, step.line)
        if step.label:
            if step.label in labels:
                raise ld.error(f"label {step.label!r} is already used at line "
                               f"{labels[step.label]}", ld.lines.item("step", step.index)
                               .of("label"), "each label names one data item")
            labels[step.label] = step.line


def _checks(ld: Loader, items: Any, start: int, principals: dict, steps: list[StepSpec],
            account: str, region: str) -> list[CheckSpec]:
    labels = {s.label for s in steps if s.label}
    saved = {v for s in steps for v in s.save}
    checks = []
    for i, item, where in _tables(ld, items, "check", CHECK_KEYS, "write each check as [[check]] "
                               "followed by at = ... and key_state = ..."):
        at, t, through = ld.time(item.get("at", "+0s"), start, where, allow_seq=True)
        who = ld.string(item, "as", where)
        if who is not None and who not in principals:
            raise ld.error(f"unknown principal {who!r}", where.of("as"),
                           hint_for(who, set(principals)) if principals else
                           "declare it under [principals.NAME]")
        expected: dict[str, dict[str, str]] = {}
        for kind in CHECK_KINDS:
            if kind not in item:
                continue
            table = item[kind]
            if not isinstance(table, dict):
                raise ld.error(f"{kind} must be a table", where.of(kind),
                               f'write {kind} = {{ name = "value" }}')
            for name, value in table.items():
                if value not in CHECK_VALUES[kind]:
                    raise ld.error(f"{kind} value {value!r} for {name!r} is not allowed",
                                   where.of(kind), hint_for(str(value), set(CHECK_VALUES[kind])))
                if kind == "decryptable" and name not in labels and not name.startswith("#"):
                    raise ld.error(f"unknown label {name!r}", where.of(kind),
                                   hint_for(name, labels) if labels else
                                   "name a data item with label = \"...\" on the step that "
                                   "writes it")
                if kind == "key_state" and name not in saved and not _looks_like_key(name):
                    raise ld.error(f"unknown key {name!r}", where.of(kind),
                                   hint_for(name, saved) if saved else
                                   "save the key's ARN in a step: save = { k1 = "
                                   "\"KeyMetadata.Arn\" }")
                if kind == "association":
                    try:
                        resource_from_name(name, region, account)
                    except ValueError as exc:
                        raise ld.error(str(exc), where.of(kind),
                                       'e.g. association = { "logs:app" = "associated" }'
                                       ) from None
            expected[kind] = {str(k): str(v) for k, v in table.items()}
        if not any(expected.values()):
            raise ld.error("a check needs decryptable, key_state or association", where.of(),
                           'e.g. key_state = { k1 = "Disabled" }')
        checks.append(CheckSpec(where.of(), i, at, t, through, who, expected))
    return checks


def _looks_like_key(name: str) -> bool:
    return name.startswith(("arn:", "alias/")) or (len(name) == 36 and name.count("-") == 4)

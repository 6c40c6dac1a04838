"""The rule registry itself: :class:`Rule`, :class:`Assumption`, the source names,
the profiles, :func:`declare` and the look-ups over what was declared.

It is apart from the area modules (``kms``, ``iam``, ...) so that they import it and it
imports none of them: nothing imports back. :mod:`projections.rulebook` imports every
area and this module, and re-exports the names; since a package's ``__init__`` runs
before any of its submodules, the look-ups here always see every declaration.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

SEED_000 = "seed 000_65f22c1f88d28a6c.txt"
SEED_001 = "seed 001_f8ceaed1b5b644ce.txt"
SEED_002 = "seed 002_2ee25a8ff261cf5a.txt"
SEED_003 = "seed 003_b85c8b35f6cdd522.txt"
SEED_004 = "seed 004_d896e29243c6726b.txt"
REFERENCE = "reference api-reference-botocore-1.44.5.txt"
#: The documentation strings of botocore's own service models (kms, logs, cloudwatch), for
#: operations the reference file does not carry (pagination of ListKeys, DescribeLogGroups,
#: PutMetricData's time stamps, ...).
BOTOCORE_MODELS = "botocore 1.44.5 service models (kms, logs, cloudwatch: service-2.json)"
#: The same models' shapes, for what their structure says and no documentation string does;
#: a quote is ``SERVICE.Operation: no output`` or ``SERVICE.Operation errors: A, B``.
BOTOCORE_SHAPES = "botocore 1.44.5 service model shapes (service-2.json)"
SPEC = "SPEC"

#: What each source is for a person reading ``kmsim rules``, who has neither the seed files
#: nor the SPEC: the public page each seed file was saved from (title and address).
SOURCE_PAGES: dict[str, str] = {
    SEED_000: "AWS CloudWatch API Reference, AssociateDatasetKmsKey "
    "<https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/"
    "API_AssociateDatasetKmsKey.html>",
    SEED_001: "Boto3 documentation, CloudWatch.Client.disassociate_dataset_kms_key "
    "<https://boto3.amazonaws.com/v1/documentation/api/latest/reference/services/cloudwatch/"
    "client/disassociate_dataset_kms_key.html>",
    SEED_002: "AWS SDK for Dart (aws_client), CloudWatchLogs.associateKmsKey "
    "<https://pub.dev/documentation/aws_client/latest/cloud_watch_logs/CloudWatchLogs/"
    "associateKmsKey.html>",
    SEED_003: "Boto3 documentation, CloudWatchLogs.Client.associate_kms_key "
    "<https://boto3.amazonaws.com/v1/documentation/api/latest/reference/services/logs/client/"
    "associate_kms_key.html>",
    SEED_004: "AWS CloudWatch Logs API Reference, AssociateKmsKey "
    "<https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/"
    "API_AssociateKmsKey.html>",
    REFERENCE: "the AWS API documentation shipped in botocore 1.44.5's service models "
    "(kms, logs, cloudwatch)",
    SPEC: "kmsim's design (its behaviour where the AWS pages say nothing)",
}

PROFILES: dict[str, str] = {
    "seed": "the AWS documentation pages the rules were first written from (default)",
    "api-2026": "the newer text of the AWS API documentation in botocore 1.44.5's models",
}
ALL_PROFILES = tuple(PROFILES)


@dataclass(frozen=True)
class Rule:
    """One documented behaviour: id, one-line statement, and where it comes from."""

    id: str
    statement: str
    source: str
    quote: str = ""
    profiles: tuple[str, ...] = ALL_PROFILES
    assumption: str | None = None

    def cite(self) -> str:
        """The source with its sentence, for listings and explanations."""
        return f'{self.source}: "{self.quote}"' if self.quote else self.source


@dataclass(frozen=True)
class Assumption:
    """An undocumented choice, named, with a default and its alternatives.

    ``alternatives`` lists allowed values; an entry ending in ``:`` (``fixed:``)
    accepts any value with that prefix, checked by ``check``.
    """

    id: str
    statement: str
    default: str
    alternatives: tuple[str, ...]
    meaning: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The lower-case name used in ``[assumptions]`` and ``--set`` (``policy_lockout``;
        ``policy-lockout`` and the id are accepted too)."""
        return self.id[2:].lower().replace("-", "_")

    def accepts(self, value: str) -> bool:
        """Whether ``value`` is the default or one of the alternatives."""
        for alt in (self.default, *self.alternatives):
            if alt.endswith(":") and value.startswith(alt) and len(value) > len(alt):
                return True
            if value == alt:
                return True
        return False


_RULES: dict[str, Rule] = {}
_ASSUMPTIONS: dict[str, Assumption] = {}
_BY_NAME: dict[str, Assumption] = {}  # the settings name -> assumption, for setting()
_RULE_ID = re.compile(r"R-[A-Z]+(?:-[A-Z]+)*-\d{2}[a-z]?")


def declare(*rules: Rule) -> None:
    """Add rules to the registry; a repeated id is a programming error."""
    for rule in rules:
        if not _RULE_ID.fullmatch(rule.id):
            raise ValueError(f"bad rule id {rule.id!r}")
        if rule.id in _RULES and _RULES[rule.id] != rule:
            raise ValueError(f"rule {rule.id} declared twice")
        _RULES[rule.id] = rule


def declare_assumptions(*assumptions: Assumption) -> None:
    """Add assumptions to the registry."""
    for a in assumptions:
        if not a.id.startswith("A-"):
            raise ValueError(f"bad assumption id {a.id!r}")
        _ASSUMPTIONS[a.id] = a
        _BY_NAME[a.name] = a


def rule(rule_id: str) -> Rule:
    """The rule with this id (KeyError names the id when it does not exist)."""
    try:
        return _RULES[rule_id]
    except KeyError:
        raise KeyError(f"no rule {rule_id}") from None


def all_rules() -> list[Rule]:
    """Every rule, in id order."""
    return sorted(_RULES.values(), key=lambda r: _sort_key(r.id))


def all_assumptions() -> list[Assumption]:
    """Every assumption, in id order."""
    return sorted(_ASSUMPTIONS.values(), key=lambda a: a.id)


def _sort_key(rule_id: str) -> tuple:
    head, _, num = rule_id.rpartition("-")
    return (head, int(re.sub(r"\D", "", num) or 0), num)


def find_assumption(name_or_id: str) -> Assumption | None:
    """Look an assumption up by ``name`` (``propagation``) or id (``A-PROPAGATION``)."""
    key = name_or_id.strip()
    if key.upper() in _ASSUMPTIONS:
        return _ASSUMPTIONS[key.upper()]
    return _ASSUMPTIONS.get("A-" + key.upper().replace("_", "-"))


class SettingsError(ValueError):
    """An unknown assumption or value, or an unknown profile; the message has a hint."""


def resolve_settings(profile: str, overrides: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The full assumption map (names -> values) for a profile and ``name=value`` overrides."""
    if profile not in PROFILES:
        raise SettingsError(
            f"unknown profile {profile!r}: choose one of {', '.join(PROFILES)}"
        )
    values = {a.name: a.default for a in _ASSUMPTIONS.values()}
    for name, value in overrides:
        a = find_assumption(name)
        if a is None:
            known = ", ".join(sorted(values))
            raise SettingsError(f"unknown assumption {name!r}: known are {known}")
        value = str(value)
        if not a.accepts(value):
            alts = ", ".join((a.default, *a.alternatives))
            raise SettingsError(f"{a.id}: {value!r} is not one of {alts}")
        values[a.name] = value
    return values


class UnknownSetting(KeyError):
    """A setting name no assumption has; the message names it and the close ones."""

    def __str__(self) -> str:
        # KeyError would show the message quoted as a repr
        return str(self.args[0]) if self.args else ""


def setting(settings: Mapping[str, str], name: str) -> str:
    """The value in force of the assumption ``name`` (``propagation``): ``settings[name]``,
    or the assumption's declared default when ``settings`` lacks it.

    The one reader of settings, so that a default lives only in its :class:`Assumption`.
    A name that is no assumption's raises :class:`UnknownSetting` (a typo must not read as
    "use the default").
    """
    assumption = _BY_NAME.get(name)
    if assumption is None:
        close = difflib.get_close_matches(name, list(_BY_NAME), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UnknownSetting(f"no assumption named {name!r}{hint}")
    return settings.get(name, assumption.default)

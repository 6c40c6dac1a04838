"""The rule registry (SPEC 3.5, a contract): every decision kmsim makes cites one of these.

A :class:`Rule` has an id (``R-KMS-02``), a one-line statement and its source: a seed
file with the sentence it rests on, the reference file, an observed-behaviour
citation, or ``assumption A-NAME``. An :class:`Assumption` is a documented gap with
a default and named alternatives. Rules and assumptions are declared as data, one
module per area (``kms``, ``iam``, ``dataset``, ``logs``, ``sim``), and collected here:
the registry is :mod:`projections.rulebook.registry` (the areas import it, never this
package), and importing the package imports every area, so every rule is declared.

Profiles (``seed``, ``api-2026``) are named sets of rule choices: a rule that only
holds under one profile lists it in ``profiles``.
"""

from projections.rulebook import areas  # noqa: F401 (declares every area's rules)
from projections.rulebook.registry import (
    ALL_PROFILES,
    BOTOCORE_MODELS,
    PROFILES,
    REFERENCE,
    SEED_000,
    SEED_001,
    SEED_002,
    SEED_003,
    SEED_004,
    SPEC,
    Assumption,
    Rule,
    SettingsError,
    UnknownSetting,
    all_assumptions,
    all_rules,
    declare,
    declare_assumptions,
    find_assumption,
    resolve_settings,
    rule,
    setting,
)

__all__ = [
    "ALL_PROFILES",
    "BOTOCORE_MODELS",
    "PROFILES",
    "REFERENCE",
    "SEED_000",
    "SEED_001",
    "SEED_002",
    "SEED_003",
    "SEED_004",
    "SPEC",
    "Assumption",
    "Rule",
    "SettingsError",
    "UnknownSetting",
    "all_assumptions",
    "all_rules",
    "declare",
    "declare_assumptions",
    "find_assumption",
    "resolve_settings",
    "rule",
    "setting",
]

"""Imports every area's rule module so that their declarations run (one line per area)."""

from projections.rulebook import (  # noqa: F401
    dataset,
    iam,
    kms,
    logs,
    logs_arns,
    logs_data,
    server,
    simops,
    testing,
    windows,
)

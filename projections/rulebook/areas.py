"""Imports every area's rule module so that their declarations run (one line per area)."""

from projections.rulebook import dataset, iam, kms, logs, server, simops, windows  # noqa: F401

"""Imports every service module so that its operations register (one line per service)."""

from sim.services import cloudwatch, kms, kms_crypto, logs, sim_logs, simops  # noqa: F401

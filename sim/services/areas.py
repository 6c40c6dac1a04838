"""Imports every service module so that its operations register (one line per service)."""

from sim.services import kms, kms_crypto, simops  # noqa: F401

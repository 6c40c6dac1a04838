"""Imports every service module so that its operations register (one line per service)."""

from sim.services.dataset import operations as dataset_operations  # noqa: F401
from sim.services.kms import crypto as kms_crypto  # noqa: F401
from sim.services.kms import operations as kms_operations  # noqa: F401
from sim.services.logs import operations as logs_operations  # noqa: F401
from sim.services.simops import logs as simops_logs  # noqa: F401
from sim.services.simops import operations as simops_operations  # noqa: F401

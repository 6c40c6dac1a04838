"""Imports every service module so that its operations register (one line per service)."""

from sim.services.dataset import listing as dataset_listing  # noqa: F401
from sim.services.dataset import operations as dataset_operations  # noqa: F401
from sim.services.kms import agreement as kms_agreement  # noqa: F401
from sim.services.kms import asymmetric as kms_asymmetric  # noqa: F401
from sim.services.kms import crypto as kms_crypto  # noqa: F401
from sim.services.kms import datakeypair as kms_datakeypair  # noqa: F401
from sim.services.kms import grants as kms_grants  # noqa: F401
from sim.services.kms import keystores as kms_keystores  # noqa: F401
from sim.services.kms import mac as kms_mac  # noqa: F401
from sim.services.kms import manage as kms_manage  # noqa: F401
from sim.services.kms import multiregion as kms_multiregion  # noqa: F401
from sim.services.kms import operations as kms_operations  # noqa: F401
from sim.services.kms import reencrypt as kms_reencrypt  # noqa: F401
from sim.services.kms import rotation as kms_rotation  # noqa: F401
from sim.services.logs import filter as logs_filter  # noqa: F401
from sim.services.logs import groups as logs_groups  # noqa: F401
from sim.services.logs import metricfilters as logs_metricfilters  # noqa: F401
from sim.services.logs import operations as logs_operations  # noqa: F401
from sim.services.logs import policies as logs_policies  # noqa: F401
from sim.services.logs import queries as logs_queries  # noqa: F401
from sim.services.logs import streams as logs_streams  # noqa: F401
from sim.services.logs import tags as logs_tags  # noqa: F401
from sim.services.simops import logs as simops_logs  # noqa: F401
from sim.services.simops import operations as simops_operations  # noqa: F401

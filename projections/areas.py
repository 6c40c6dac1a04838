"""Imports every area's folds, timers and item evaluators so that they register."""

from projections import windows  # noqa: F401
from projections.dataset import fold as dataset_fold  # noqa: F401
from projections.kms import fold as kms_fold  # noqa: F401
from projections.kms import grants as kms_grants  # noqa: F401
from projections.kms import keystores as kms_keystores  # noqa: F401
from projections.kms import manage as kms_manage  # noqa: F401
from projections.kms import multiregion as kms_multiregion  # noqa: F401
from projections.kms import rotation as kms_rotation  # noqa: F401
from projections.logs import fold as logs_fold  # noqa: F401
from projections.logs import manage as logs_manage  # noqa: F401
from projections.logs import policies as logs_policies  # noqa: F401
from projections.simops import fold as simops_fold  # noqa: F401

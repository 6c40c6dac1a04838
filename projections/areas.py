"""Imports every area's folds, timers and item evaluators so that they register."""

from projections import windows  # noqa: F401
from projections.dataset import fold as dataset_fold  # noqa: F401
from projections.kms import fold as kms_fold  # noqa: F401
from projections.logs import fold as logs_fold  # noqa: F401
from projections.simops import fold as simops_fold  # noqa: F401

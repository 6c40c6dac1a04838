"""Imports every area's folds, timers and item evaluators so that they register."""

from projections import dataset_fold, kms_fold, logs_fold, sim_fold, windows  # noqa: F401

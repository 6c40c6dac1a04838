"""Folds, timers and item evaluators of this area (filled in by its issue)."""

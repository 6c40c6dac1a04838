"""CloudWatch Logs on the read side: its state as plain data, folds, timers, evaluators."""

"""CloudWatch Logs operations: log groups, events, Insights queries, key association."""

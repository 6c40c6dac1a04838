"""CloudWatch operations: dataset key association and metric data."""

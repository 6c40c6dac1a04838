"""IAM policy evaluation for KMS keys (SPEC 3.2)."""

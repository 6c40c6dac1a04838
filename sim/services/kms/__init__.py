"""KMS operations: the command side of keys, aliases, policies and cryptography."""

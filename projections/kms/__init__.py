"""KMS on the read side: the key lifecycle folds and the default key policy."""

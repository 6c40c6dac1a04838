"""The CloudWatch dataset on the read side: folds, metric index, disassociation windows."""

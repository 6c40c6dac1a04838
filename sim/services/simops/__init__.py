"""The simulator's own operations (service ``sim``): principals, labels, faults, links."""

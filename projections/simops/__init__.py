"""The simulator's own operations (service ``sim``) on the read side."""

"""Where a world's data items live: the live store, checkpoints' shared copies, columns."""

"""Where a world's state is kept apart from the folds: items, checkpoints, columns.

What the rest of kmsim uses:

* :class:`Checkpoints` (``checkpoints.py``): ``Checkpoints(every, budget)``; its ``items``
  is the live world's items mapping; ``take(world, n)`` checkpoints the world after ``n``
  events once ``n >= due``; ``restore(n)`` gives a fresh world from the nearest
  checkpoint at or before ``n`` events and the count it covers; ``sizes()``.
* Every items mapping (:class:`ItemDict`, the live store, a checkpoint's view) has
  ``add(seq, kind, resource, account, region, written_at, keys, cause, expires_at,
  extra)``: a fold says what the item is and the store decides how to hold it (a plain
  item as a row of columns, ``itemcolumns.py``; see ``items.py`` and ``itemstore.py``).
* :func:`snapshot` / :func:`restore`: a world as a checkpoint pickles it, and back (tests
  compare worlds with them).

This package imports no world: a snapshot names the class of the world it holds.
"""

from projections.store.checkpoints import (
    BYTES_PER_EVENT,
    CHECKPOINT_BUDGET,
    CHECKPOINT_EVERY,
    Checkpoints,
    restore,
    snapshot,
)
from projections.store.items import ItemDict

__all__ = ["BYTES_PER_EVENT", "CHECKPOINT_BUDGET", "CHECKPOINT_EVERY", "Checkpoints",
           "ItemDict", "restore", "snapshot"]

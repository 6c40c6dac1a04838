"""How a fold adds a data item, whichever mapping holds the world's items.

A world's ``items`` is one of three mappings of seq -> :class:`~projections.model.DataItem`:
:class:`ItemDict` (a fresh world, a clone, a copy), the live timeline's
:class:`~projections.store.itemstore.LiveItems` (plain items as rows of columns), or a
restored checkpoint's :class:`~projections.store.itemsat.ItemsAt` (copy-on-read). Every
one has :meth:`AddsItems.add`, so a fold says what the item is and the store decides how
to hold it; no fold tests which store it has.
"""

from __future__ import annotations

from projections.model import Cause, DataItem


class AddsItems:
    """The ``add`` every item mapping has (a mixin for mappings of seq -> item)."""

    __slots__ = ()

    def add(self, seq: int, kind: str, resource: str, account: str, region: str,
            written_at: int, keys: tuple[str | None, ...], cause: Cause | None = None,
            expires_at: int | None = None, extra: dict | None = None) -> DataItem | None:
        """Store a new item under ``seq`` (no label, not gone); returns it, or None when the
        store kept it without making an object (a plain item as a row of columns: read it
        back with ``items[seq]``)."""
        item = DataItem(seq, kind, resource, account, region, written_at, keys, cause, None,
                        expires_at, None, extra)
        self[seq] = item  # type: ignore[index]
        return item


class ItemDict(AddsItems, dict):
    """A plain dict of items (the ``items`` of a world no timeline shares)."""

    __slots__ = ()

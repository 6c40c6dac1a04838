"""Pages of list results: ``Limit``/``Marker`` (KMS) and ``limit``/``nextToken`` (Logs).

A token names the sort key of the last item returned, so the next page starts after it
even when items came or went in between: nothing is skipped or returned twice because an
earlier item went away. Tokens are opaque to callers (base64 of a small JSON document
naming the operation) and are refused by any other operation.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
SortKey = str | int


class BadToken(ValueError):
    """A marker or token this operation did not issue."""


def page(items: Sequence[T], sort_key: Callable[[T], SortKey], limit: int,
         token: str | None, op: str) -> tuple[list[T], str | None]:
    """The page of ``items`` (in ``sort_key`` order) after ``token``, at most ``limit`` long,
    and the token of the next page (None when this is the last). BadToken for a token
    that ``op`` did not issue."""
    rest = list(items)
    if token:
        after = _read(token, op)
        try:
            rest = [i for i in rest if sort_key(i) > after]  # type: ignore[operator]
        except TypeError:
            raise BadToken(token) from None
    head = rest[:limit]
    return head, _write(op, sort_key(head[-1])) if len(rest) > limit else None


def _write(op: str, after: SortKey) -> str:
    doc = json.dumps({"op": op, "after": after}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(doc).decode("ascii")


def _read(token: str, op: str) -> SortKey:
    try:
        doc = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise BadToken(token) from None
    if not isinstance(doc, dict) or doc.get("op") != op or \
            not isinstance(doc.get("after"), str | int) or isinstance(doc["after"], bool):
        raise BadToken(token)
    return doc["after"]

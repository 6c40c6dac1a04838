"""A memo by object identity, for values that are replaced, never edited in place.

An answer at one moment evaluates the same few policy objects (a key's policy, a caller's
identity policies) for every item and action; :func:`by_identity` makes the policy parser
run once per object. Each entry keeps its object alive, so its id cannot be reused while
it is remembered; the oldest entries go first past ``size``. Only mappings are remembered
(JSON text is parsed every time).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def by_identity(fn: Callable[[Any], Any], size: int = 1024) -> Callable[[Any], Any]:
    """``fn`` remembered per mapping object it is given (see the module docstring)."""
    memo: dict[int, tuple[Any, Any]] = {}

    def remembered(obj: Any) -> Any:
        found = memo.get(id(obj))
        if found is not None and found[0] is obj:
            return found[1]
        value = fn(obj)
        if isinstance(obj, Mapping):
            if len(memo) >= size:
                del memo[next(iter(memo))]
            memo[id(obj)] = (obj, value)
        return value

    remembered.cache_clear = memo.clear  # type: ignore[attr-defined]
    return remembered

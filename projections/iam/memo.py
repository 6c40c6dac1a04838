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


def decisions_by_identity(fn: Callable[[Any, Any, Any], Any], size: int = 4096
                          ) -> Callable[[Any, Any, Any], Any]:
    """``fn(req, policy, policies)`` remembered per request and policy objects (all of
    them mappings; text is decided every time). ``req`` needs ``principal``, ``action``,
    ``resource`` and ``context`` (a mapping of hashable values, else it is not
    remembered). Each entry keeps its policies alive (see the module docstring)."""
    memo: dict[tuple, tuple[tuple, Any]] = {}

    def remembered(req: Any, policy: Any, policies: Any = ()) -> Any:
        docs = (policy, *policies)
        if not all(type(d) is dict for d in docs):
            return fn(req, policy, policies)
        try:
            key = (tuple(map(id, docs)), req.principal, req.action, req.resource,
                   tuple(req.context.items()))
            found = memo.get(key)
        except TypeError:  # a context value that cannot be a key
            return fn(req, policy, policies)
        if found is not None and all(a is b for a, b in zip(found[0], docs, strict=True)):
            return found[1]
        value = fn(req, policy, policies)
        if len(memo) >= size:
            del memo[next(iter(memo))]
        memo[key] = (docs, value)
        return value

    remembered.cache_clear = memo.clear  # type: ignore[attr-defined]
    return remembered

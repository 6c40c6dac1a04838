"""Event schema versions, per operation, and the upcasters that bring old events up to date.

An event's ``v`` is the version of *its operation's* schema (SPEC 6): every operation
starts at :data:`BASE_VERSION`, and when what an operation records changes shape it gets
the next version in :data:`SCHEMA_VERSIONS` and an upcaster from the one before, in the
style of eventsourcing's ``class_version`` and ``upcast_vN_vN+1`` methods. Readers upcast on
decode (:func:`events.codec.decode_event`), so an old log reads as if written today; a
version newer than this code knows is refused (:class:`NewerEventVersion`).

An upcaster sees only the stored event (a plain dict): it is history, frozen with the
schema it upgrades, and must never consult today's rules.
"""

from __future__ import annotations

from collections.abc import Callable

#: The version every operation's events start at.
BASE_VERSION = 1

#: The current schema version of each operation whose events changed shape (the others
#: are at :data:`BASE_VERSION`). Raising one here needs an upcaster from the version below.
SCHEMA_VERSIONS: dict[str, int] = {
    # v2: draws["DataKey"] holds the data key's bytes; v1 held them as a big-endian integer.
    "kms:GenerateDataKey": 2,
}

Upcaster = Callable[[dict], dict]

#: (operation, from version) -> the function turning that version's dict into the next.
UPCASTERS: dict[tuple[str, int], Upcaster] = {}


class UnsupportedEventVersion(ValueError):
    """An event's schema version has no path to its operation's current version."""


class NewerEventVersion(UnsupportedEventVersion):
    """An event written by a newer kmsim: its operation's version is above this code's."""


def schema_version(op: str) -> int:
    """The version events of ``op`` are written at today."""
    return SCHEMA_VERSIONS.get(op, BASE_VERSION)


def upcasts(op: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register the upcaster of ``op``'s events from ``from_version`` to the next version.

    The function may change and return its argument or return a new dict; :func:`upcast`
    sets ``v`` on the result.
    """

    def register(fn: Upcaster) -> Upcaster:
        if from_version >= schema_version(op):
            raise ValueError(f"{op} is at v{schema_version(op)}: no upcaster from "
                             f"v{from_version} is needed")
        if (op, from_version) in UPCASTERS:
            raise ValueError(f"an upcaster of {op} from v{from_version} is already registered")
        UPCASTERS[(op, from_version)] = fn
        return fn

    return register


def upcast(d: dict) -> dict:
    """Bring an event dict of any supported version up to its operation's current one."""
    v, op = d.get("v"), d.get("op")
    if type(v) is not int:
        raise UnsupportedEventVersion(f"event has no integer version: v={v!r}")
    current = schema_version(op) if type(op) is str else BASE_VERSION
    if v > current:
        raise NewerEventVersion(f"event version v{v} of {op} is newer than this code "
                                f"(v{current}); upgrade kmsim")
    while v < current:
        fn = UPCASTERS.get((op, v))
        if fn is None:
            raise UnsupportedEventVersion(f"no upcaster registered from v{v} of {op}")
        d = fn(d)
        v += 1
        d["v"] = v
    return d


@upcasts("kms:GenerateDataKey", 1)
def _data_key_as_bytes(d: dict) -> dict:
    # v1 stored the drawn data key as an integer; its size is the one the request asked for
    # (NumberOfBytes, else the KeySpec's: 16 bytes for AES_128, 32 for AES_256).
    value = (d.get("draws") or {}).get("DataKey")
    if isinstance(value, int):
        req = d.get("req") or {}
        size = req.get("NumberOfBytes") or (16 if req.get("KeySpec") == "AES_128" else 32)
        d["draws"] = {**d["draws"], "DataKey": value.to_bytes(int(size), "big")}
    return d

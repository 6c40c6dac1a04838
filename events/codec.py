"""msgpack codec for events and the log header, with upcasting of old event versions.

Bytes are a layer of their own (as in eventsourcing's mapper/transcoder): records live
in :mod:`events.record`, framing and files in :mod:`events.logfile`.

Upcasting: an event written under an older schema of its operation is turned into the
current one on read (:mod:`events.schemas`), so old logs keep working without rewriting
them. An event newer than this code is refused: guessing at fields we do not know would
silently change its meaning.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any

import msgpack

from events.record import EVENT_KEYS, Event, adopt
from events.schemas import (
    BASE_VERSION,
    SCHEMA_VERSIONS,
    NewerEventVersion,
    UnsupportedEventVersion,
    upcast,
)
from events.timefmt import format_time

__all__ = [
    "EventOrder",
    "NewerEventVersion",
    "OutOfOrder",
    "UnsupportedEventVersion",
    "decode_checked",
    "decode_event",
    "decode_events",
    "decode_map",
    "encode_event",
    "encode_map",
    "upcast",
]

# One reusable Packer: it skips building a Packer per call, the largest fixed cost of
# msgpack.packb for small maps. It has no `default` hook, so a pack() call runs no Python
# code and is atomic under the GIL.
_PACK = msgpack.Packer(use_bin_type=True).pack
_unpackb = msgpack.unpackb
#: One payload -> its object; ValueError unless it is exactly one msgpack object.
_unpack_one = partial(msgpack.unpackb, raw=False, strict_map_key=False)


_new = object.__new__
_setattr = object.__setattr__


def encode_event(e: Event) -> bytes:
    """The msgpack bytes of ``e.to_dict()`` (binary values as msgpack bin)."""
    return _PACK(e.to_dict())


def decode_event(b: bytes) -> Event:
    """Decode bytes from :func:`encode_event`, upcasting older versions.

    Raises :class:`UnsupportedEventVersion` for a version it cannot bring up to date and
    ValueError (or a msgpack error, all ValueError subclasses) for bytes that are not an
    event.
    """
    d = _unpackb(b, raw=False, strict_map_key=False)
    if type(d) is not dict:
        raise ValueError(f"an event must be a msgpack map, got {type(d).__name__}")
    if d.get("v") != BASE_VERSION or d.get("op") in SCHEMA_VERSIONS:
        d = upcast(d)
    return adopt(d)


def decode_events(payloads: Sequence[bytes]) -> Iterator[Event]:
    """Decode :func:`encode_event` payloads lazily, in order, each as :func:`decode_event`
    does (so a payload holding two maps, or half of one, is a ValueError). No order is
    checked: the log's readers use :func:`decode_checked`, which also streams faster."""
    return map(decode_event, payloads)


class EventOrder:
    """Where the next event of a log must be: its ``seq`` and the earliest ``t`` it may have.

    A log numbers its events 1, 2, 3... (the writer appends seq + 1 each time) and its
    time never goes back; :func:`decode_checked` holds every event to this and moves it on.
    """

    __slots__ = ("seq", "t", "times")

    def __init__(self, seq: int = 1, t: int = -(2**63), times: array | None = None) -> None:
        self.seq = seq
        self.t = t
        #: When given, each event's time is appended to it as the event is decoded (an
        #: index of the log: a reader need not look at each event again to keep it).
        self.times = times


class OutOfOrder(ValueError):
    """An event whose seq is not the next one, or whose time goes back (or is no integer);
    its message says which, in words a log's reader can act on."""

    def __init__(self, event: dict, seq: int, t: int) -> None:
        super().__init__(_order_reason(event, seq, t))
        self.seq = seq  # the seq expected
        self.t = t  # the earliest time allowed
        self.event = event


def _order_reason(event: dict, want: int, earliest: int) -> str:
    got, t = event.get("seq"), event.get("t")
    if type(got) is not int:
        return f"not an event: seq is {got!r}, not an integer"
    if got != want:
        if want == 1:
            return f"the first event has seq {got}, not 1: events are missing before it"
        if got < want:
            return f"seq {got} where {want} was expected: a frame repeated or out of place"
        gap = f"event {want} is" if got == want + 1 else f"events {want}..{got - 1} are"
        return f"seq {got} where {want} was expected: {gap} missing or out of place"
    if type(t) is not int:
        return f"not an event: event #{got} has time {t!r}, not an integer"
    before = "the log's start" if want == 1 else f"event #{want - 1}"
    return f"time goes back: event #{got} is at {_when(t)}, before {before} ({_when(earliest)})"


def _when(t: int) -> str:
    try:
        return format_time(t)
    except (ValueError, OverflowError, OSError):
        return str(t)


def decode_checked(
    payloads: Sequence[bytes],
    order: EventOrder,
    fail: Callable[[int, Exception], Exception],
    raw: bool = False,
) -> Iterator[Any]:
    """:func:`decode_events`, also holding each event to ``order`` (and moving it on).

    On bytes that are not an event, a newer version, or an event out of order
    (:class:`OutOfOrder`), raises ``fail(index of the payload, the error)``: the caller
    names the frame. The checks cost two comparisons per event, inline (replay is timed).
    ``order`` moves on once the whole batch has been decoded. With ``raw``, each event is
    yielded as its checked dict (exactly an event's keys: :func:`events.record.adopt`
    makes it an Event without copying), for a bulk reader that needs no Event for most.
    """
    seq = first = order.seq
    last = order.t
    add_time = order.times.append if order.times is not None else _no_time
    try:
        # One unpackb per payload, mapped in C: a payload that is not exactly one msgpack
        # object raises (ExtraData, or incomplete input) by itself, with no position to
        # check per event (a streaming Unpacker's tell() cost a third of the decode).
        for d in map(_unpack_one, payloads):
            if type(d) is not dict:
                raise ValueError("a payload is not exactly one msgpack map")
            if d.get("v") != BASE_VERSION or d.get("op") in SCHEMA_VERSIONS:
                d = upcast(d)
            if d.keys() != EVENT_KEYS:
                adopt(d)  # raises, naming the keys
            t = d["t"]
            if d["seq"] != seq or type(t) is not int or t < last or type(d["seq"]) is not int:
                raise OutOfOrder(d, seq, last)
            seq += 1
            last = t
            add_time(t)
            if raw:
                yield d
            else:
                e = _new(Event)
                _setattr(e, "__dict__", d)
                yield e
    except (ValueError, TypeError) as exc:  # msgpack's errors are ValueErrors
        raise fail(seq - first, exc) from exc
    order.seq = seq
    order.t = last


def _no_time(t: int) -> None:
    """No index of times to keep."""


def encode_map(d: dict[str, Any]) -> bytes:
    """msgpack bytes of a plain map (the log header)."""
    return _PACK(d)


def decode_map(b: bytes) -> dict[str, Any]:
    """Decode a map written by :func:`encode_map`; anything but a map is a ValueError."""
    d = _unpackb(b, raw=False, strict_map_key=False)
    if type(d) is not dict:
        raise ValueError(f"expected a msgpack map, got {type(d).__name__}")
    return d

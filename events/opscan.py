"""Reading a log's frames without building events: which events hold some bytes, and each
event's operation and outcome.

A verb that needs a few events out of a million (``kmsim history`` of one log group) or
only their operations (``kmsim diff``'s counts) need not decode the others: an event's
payload is msgpack (:mod:`events.codec`), whose strings are their UTF-8 bytes, so an
event naming a string holds its bytes (``bytes.find`` over a span of frames finds the few
that may), and its first keys are ``v, seq, t, op`` in that order (:mod:`events.record`),
so its operation can be read at the payload's start. Everything here is a *filter*: a
caller decodes the events it finds (:class:`~events.logindex.FileEvents`, checked as every
reader checks them) and decides on those; an event this module cannot read exactly (not
the layout :func:`~events.codec.encode_event` writes, an operation with a newer schema
that an upcaster may change, a rejected call) is decoded too.

Nothing here writes; the offsets are an :class:`~events.logindex.IndexedLog`'s.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator

from events.codec import encode_map
from events.frames import FRAME
from events.logindex import SPAN, FileEvents
from events.record import Event, err_out, ok_out
from events.schemas import BASE_VERSION, SCHEMA_VERSIONS

__all__ = ["CHUNK", "containing", "decoded", "op_needle", "outcomes", "spans"]

#: Bytes read per system call (memory stays near this).
CHUNK = 4 << 20

# An event map as encode_event writes it: ten keys, then v (a small int), seq and t
# (integers of any width) and op (a string up to 255 bytes), in that order.
_INT = rb"(?:[\x00-\x7f]|\xcc.|\xcd..|\xce.{4}|\xcf.{8}|\xd0.|\xd1..|\xd2.{4}|\xd3.{8})"
_HEAD = re.compile(rb"\x8a\xa1v([\x00-\x7f])\xa3seq" + _INT + rb"\xa1t" + _INT +
                   rb"\xa2op(?:([\xa0-\xbf])|\xd9(.))", re.DOTALL)
# ``out`` as ok_out and err_out write it: the key, the map's size, its first key and value.
_OK = b"\xa3out" + encode_map(ok_out())[:5]        # {"ok": True, ...} (2 keys)
_ERR = b"\xa3out" + encode_map(err_out("", "", ""))[:5]   # {"ok": False, ...} (4 keys)


def op_needle(op: str) -> bytes:
    """The bytes of an event's ``op`` field naming ``op`` (key and value, as encoded): a
    needle for :func:`containing` that finds the events *of* an operation, not the others
    that merely name it (a key policy allowing ``kms:CreateAlias``)."""
    return encode_map({"op": op})[1:]  # without the one-entry map's header


def spans(events: FileEvents, lo: int, hi: int, size: int = CHUNK
          ) -> Iterator[tuple[int, int, bytes]]:
    """The frames of events ``lo..hi-1`` (0-based) as ``(first, stop, buf)``: ``buf`` holds
    the frames of events ``first..stop-1`` whole, starting at ``events.offsets[first]``;
    about ``size`` bytes each (at least one frame)."""
    offsets = events.offsets
    hi = min(hi, len(offsets))
    if lo >= hi:
        return
    if events.before_read is not None:
        events.before_read()  # a live writer's buffered frames reach the file first
    fd = os.open(events.path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        i = lo
        while i < hi:
            # The frames starting within ``size`` bytes of the first (a bisection).
            j = max(i + 1, min(hi, bisect_right(offsets, offsets[i] + size, i, hi)))
            end = offsets[j] if j < len(offsets) else _end(fd, events)
            buf = os.pread(fd, end - offsets[i], offsets[i])
            yield i, j, buf
            i = j
    finally:
        os.close(fd)


def _end(fd: int, events: FileEvents) -> int:
    """The byte just past the last event's frame."""
    if events.end is not None:
        return events.end
    last = events.offsets[-1]
    head = os.pread(fd, FRAME.size, last)
    return last + FRAME.size + (FRAME.unpack(head)[0] if len(head) == FRAME.size else 0)


def containing(events: FileEvents, needles: Iterable[bytes], lo: int = 0,
               hi: int | None = None, on_bytes: Callable[[int], None] | None = None
               ) -> list[int]:
    """The indices (0-based, in order) of events ``lo..hi-1`` whose frame holds any of
    ``needles``: every event whose request or response holds one of these strings is
    among them (a superset: the caller decodes them and decides).
    ``on_bytes(n)`` is told how many bytes each span had (for progress)."""
    hi = len(events.offsets) if hi is None else hi
    # A needle holding another is found by the shorter one.
    wanted = sorted({n for n in needles if n}, key=len)
    wanted = [n for k, n in enumerate(wanted) if not any(m in n for m in wanted[:k])]
    offsets, found = events.offsets, set()
    for first, stop, buf in spans(events, lo, hi):
        base = offsets[first]
        for needle in wanted:
            pos = buf.find(needle)
            while pos >= 0:
                i = bisect_right(offsets, base + pos, first, stop) - 1
                found.add(i)
                # On from the next frame: one hit an event is enough.
                nxt = offsets[i + 1] - base if i + 1 < stop else len(buf)
                pos = buf.find(needle, nxt)
        if on_bytes is not None:
            on_bytes(len(buf))
    return sorted(found)


def outcomes(events: FileEvents, lo: int, hi: int,
             on_bytes: Callable[[int], None] | None = None
             ) -> Iterator[tuple[int, str, str | None, str | None]]:
    """``(index, op, err, rule)`` of events ``lo..hi-1`` in order (``err`` and ``rule``
    None for an accepted call), reading each accepted event's operation from its first
    bytes. An event not in :func:`~events.codec.encode_event`'s layout, one of an
    operation with a newer schema (an upcaster may change it) and every rejected one (its
    error and rule are read) are decoded."""
    offsets, head, ok_mark, err_mark = events.offsets, _HEAD.match, _OK, _ERR
    names: dict[bytes, str] = {}
    versioned = {op.encode() for op in SCHEMA_VERSIONS}
    base_v = BASE_VERSION
    for first, stop, buf in spans(events, lo, hi):
        base = offsets[first]
        slow: list[int] = []
        for i in range(first, stop):
            at = offsets[i] - base + FRAME.size
            end = offsets[i + 1] - base if i + 1 < stop else len(buf)
            m = head(buf, at, end)
            if m is None or m.group(1)[0] != base_v:
                slow.append(i)
                continue
            size = (m.group(2) or m.group(3))[0]
            size = size - 0xA0 if m.group(2) else size
            raw = buf[m.end():m.end() + size]
            # The only out: exactly one accepted-call marker and no rejected one (a
            # request's binary value could hold either, then the event is decoded).
            if raw in versioned or buf.count(ok_mark, at, end) != 1 or \
                    buf.find(err_mark, at, end) >= 0:
                slow.append(i)
                continue
            op = names.get(raw)
            if op is None:
                op = names[raw] = raw.decode()
            if slow:
                yield from _decoded(events, slow)
                slow = []
            yield i, op, None, None
        if slow:
            yield from _decoded(events, slow)
        if on_bytes is not None:
            on_bytes(len(buf))


def decoded(events: FileEvents, indices: Iterable[int]) -> Iterator[Event]:
    """The events at ``indices`` (0-based, increasing), decoded and checked as every reader
    does, one read per run of consecutive ones (of at most :data:`SPAN`)."""
    run: list[int] = []
    for i in indices:
        if run and (i != run[-1] + 1 or len(run) == SPAN):
            yield from events[run[0]:run[-1] + 1]
            run = []
        run.append(i)
    if run:
        yield from events[run[0]:run[-1] + 1]


def _decoded(events: FileEvents, indices: list[int]
             ) -> Iterator[tuple[int, str, str | None, str | None]]:
    for i, e in zip(indices, decoded(events, indices), strict=True):
        yield i, e.op, e.err, e.rule

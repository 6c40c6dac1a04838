"""What a request body may cost, checked on its bytes before it is decoded (R-SRV-06).

A body is at most ``MAX_BODY`` bytes (``app``), but bytes are not what a decoded value
costs: every JSON ``{}`` (2 bytes) or CBOR ``0xa0`` (1 byte) is a Python dict of 64 bytes,
and CBOR's shared references (tags 28/29) and string references (tags 25/256) let a body
of 200 bytes name 2**24 nodes. So both scans below walk the body's structure without
building it, stop as soon as a bound is passed, and refuse what no modeled request needs:

- at most :data:`MAX_DEPTH` levels of nesting (real requests nest less than 10);
- at most :data:`MAX_CONTAINERS` maps and lists (PutLogEvents' 10,000 events, and
  PutMetricData's 1,000 data with 30 dimensions each, stay below 40,000);
- at most :data:`MAX_NODES` values (and, in CBOR, map keys): the largest PutMetricData,
  1,000 data of 150 values, 150 counts and 30 dimensions, is 461,005 CBOR items;
- in CBOR, only the tags of the rpc-v2-cbor protocol: tag 1 (epoch-seconds timestamps)
  around a number, the only tag botocore's ``RpcV2CBORSerializer`` writes. Without
  reference tags a decoded body is no bigger than its bytes (blobs grow by 4/3 as base64),
  so an event stays under the log's frame limit.

Each scan costs time linear in the items it visits, so at most ``MAX_NODES`` steps
(about 0.1 s), and allocates at most a copy of the body.
"""

from __future__ import annotations

import re

MAX_DEPTH = 64
MAX_CONTAINERS = 100_000
MAX_NODES = 500_000

#: A string of the flattened body (escaped quotes and backslashes removed).
_FLAT_STRING = re.compile(rb'"[^"]*"')


def json_problem(raw: bytes) -> str | None:
    """Why a JSON body costs too much to decode (R-SRV-06), or None.

    Escaped backslashes and quotes are dropped, so the remaining quotes delimit the
    strings. Brackets and commas are counted (a value per comma, at most one more per
    container): first over the whole body, C-speed counts that may include characters
    inside strings; only when those pass a bound are the strings blanked out and the
    counts taken again. In valid JSON the quotes delimit exactly its strings; a body
    this misreads (an odd number of quotes) is not JSON: the counts over the whole body
    bound what json.loads builds before it refuses it. Depth needs no scan:
    json.loads stops at the interpreter's recursion limit and :func:`protocols.plain`
    at ``MAX_DEPTH``, both before building much.
    """
    flat = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    problem = _json_counts(flat)
    if problem and flat.count(b'"') % 2 == 0:  # else not JSON: keep the over-estimates
        problem = _json_counts(_FLAT_STRING.sub(b"0", flat))
    return problem


def _json_counts(skeleton: bytes) -> str | None:
    containers = skeleton.count(b"[") + skeleton.count(b"{")
    if containers > MAX_CONTAINERS:
        return f"the body has more than {MAX_CONTAINERS} objects and arrays"
    if containers + skeleton.count(b",") + 1 > MAX_NODES:
        return f"the body has more than {MAX_NODES} values"
    return None


# CBOR (RFC 8949): the initial byte holds the major type (3 bits) and the argument's
# size (5 bits). Fixed-size items (integers, floats, false/true/null, strings shorter than
# 24 bytes) are skipped by a table lookup, longer strings by their length. ``left`` counts
# the items still to read in the innermost open container (the root is a container of
# one item), ``stack`` those of the containers around it. An indefinite-length
# container's count starts too high to reach zero and ends at a break (an indefinite map
# with an odd number of items is left to cbor2, which refuses it).
_INDEF = 1 << 62
_ARG_BYTES = {24: 1, 25: 2, 26: 4, 27: 8}


def _scalar_sizes() -> bytes:
    sizes = bytearray(256)
    for b in range(256):
        major, info = b >> 5, b & 31
        if major in (0, 1):
            sizes[b] = 1 if info < 24 else 1 + _ARG_BYTES.get(info, -1) if info < 28 else 0
        elif major in (2, 3) and info < 24:  # short byte and text strings
            sizes[b] = 1 + info
        elif major == 7 and info in (20, 21, 22):  # false, true, null
            sizes[b] = 1
        elif major == 7 and info in (25, 26, 27):  # half, single, double floats
            sizes[b] = 1 + _ARG_BYTES[info]
    return bytes(sizes)


_SCALAR = _scalar_sizes()
_NUMBER = frozenset(b for b in range(256) if _SCALAR[b] and (b >> 5 < 2 or b > 0xF8))
_TWICE = (1, 1, 1, 1, 1, 2)  # items per entry, by major type: a map entry is two items


class _Refused(Exception):
    """A body over the bounds or with a tag rpc-v2-cbor does not have (R-SRV-06)."""


class _Malformed(_Refused):
    """A body that is not well-formed CBOR (R-SRV-01)."""


def cbor_problem(raw: bytes) -> tuple[str, str] | None:
    """Why a CBOR body is not one well-formed rpc-v2-cbor item within the bounds, as
    ``(rule, message)``: R-SRV-06 for the bounds and tags, R-SRV-01 for malformed CBOR.

    The scan reads only headers and skips string contents, so it allocates nothing but
    its stack; cbor2 decodes the body only after this scan accepts it.
    """
    try:
        _scan_cbor(raw)
    except _Malformed as exc:
        return "R-SRV-01", f"the body is not CBOR: {exc}"
    except _Refused as exc:
        return "R-SRV-06", str(exc)
    except IndexError:  # a header or argument runs past the end
        return "R-SRV-01", "the body is not CBOR: it is truncated"
    return None


def _argument(raw: bytes, pos: int, info: int) -> tuple[int, int]:
    """The argument of the header whose initial byte is at ``pos - 1``, and the position
    after it."""
    if info < 24:
        return info, pos
    size = _ARG_BYTES.get(info)
    if size is None:
        raise _Malformed(f"reserved or indefinite CBOR header at byte {pos - 1}")
    if pos + size > len(raw):
        raise IndexError
    return int.from_bytes(raw[pos:pos + size], "big"), pos + size


def _string_end(raw: bytes, pos: int, major: int, info: int) -> int:
    """The position after a byte or text string whose header is at ``pos - 1``."""
    if info != 31:
        length, pos = _argument(raw, pos, info)
        return pos + length
    while raw[pos] != 0xFF:  # indefinite: definite chunks of the same type up to a break
        if raw[pos] >> 5 != major or raw[pos] & 31 == 31:
            raise _Malformed(f"bad CBOR string chunk at byte {pos}")
        length, pos = _argument(raw, pos + 1, raw[pos] & 31)
        pos += length
    return pos + 1


def _scan_cbor(raw: bytes) -> None:
    n = len(raw)
    pos = nodes = containers = 0
    left, stack = 1, []
    sizes = _SCALAR
    while True:
        b = raw[pos]
        size = sizes[b]
        if size:
            pos += size
        elif b == 0xFF:  # a break closes the innermost indefinite-length container
            if left < _INDEF // 2 or not stack:
                raise _Malformed(f"unexpected CBOR break at byte {pos}")
            pos += 1
            left = stack.pop()
            nodes -= 1  # the container was counted when it opened
        else:
            major, info = b >> 5, b & 31
            if major in (2, 3):
                pos = _string_end(raw, pos + 1, major, info)
            elif major in (4, 5):
                containers += 1
                if containers > MAX_CONTAINERS:
                    raise _Refused(f"the body has more than {MAX_CONTAINERS} maps and lists")
                if len(stack) >= MAX_DEPTH:
                    raise _Refused(f"the body nests deeper than {MAX_DEPTH} levels")
                if info < 24:
                    count, pos = info * _TWICE[major], pos + 1
                elif info == 31:
                    count, pos = _INDEF, pos + 1
                else:
                    count, pos = _argument(raw, pos + 1, info)
                    count *= _TWICE[major]
                    if count > n - pos:  # every item takes at least a byte
                        raise IndexError
                if count:
                    nodes += 1
                    stack.append(left)
                    left = count
                    continue
            elif major == 6:
                tag, pos = _argument(raw, pos + 1, info)
                if tag != 1:
                    raise _Refused(f"CBOR tag {tag} is not part of rpc-v2-cbor (only tag 1, "
                                   "epoch-seconds timestamps)")
                if raw[pos] not in _NUMBER:
                    raise _Refused(f"CBOR tag 1 at byte {pos} does not hold a number")
                continue  # the tagged number is the item
            else:
                raise _Malformed(f"item 0x{b:02x} at byte {pos} is not part of rpc-v2-cbor "
                                 "(false, true, null, numbers, strings, lists, maps, tag 1)")
        nodes += 1
        if nodes > MAX_NODES:
            raise _Refused(f"the body has more than {MAX_NODES} values")
        left -= 1
        while not left:  # the innermost container is full: it is an item of its parent
            if not stack:
                if pos > n:
                    raise IndexError
                if pos != n:
                    raise _Malformed(f"{n - pos} bytes follow the CBOR body's one item")
                return
            left = stack.pop() - 1

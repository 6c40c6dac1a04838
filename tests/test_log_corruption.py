"""A bounded log-corruption driver: hundreds of damaged copies of a real log, every reader.

A log recorded by the Simulator is damaged in every way a disk, a crash or a careless copy
can: flipped bytes, truncation at every kind of position, frames duplicated, swapped or
dropped whole, frames rewritten with a valid checksum but a payload that is not an event
or has a wrong seq or time, zero fill, garbage appended. For each copy every reader
(LogReader, Timeline.from_log, sim.loading.load_timeline, ``kmsim log verify``,
LogWriter.open) must either read exactly a prefix of the original events (with a
TornTailWarning when it is a torn tail) or report an error naming a byte offset (a file
that no longer starts with the magic: "not a kmsim event log"); never a traceback, never
silently different events, never bytes lost.

``KMSIM_LOG_CORRUPTIONS=N`` sets the number of random damages on top of the systematic
ones (default 150; the whole driver then runs in a few seconds).
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

import msgpack
import pytest
from support import ALLOW_ALL

from events.codec import encode_event
from events.logfile import (
    LogCorrupt,
    LogError,
    LogReader,
    LogVersionError,
    LogWriter,
    NotALog,
    TornTailWarning,
    verify_log,
)
from events.record import Event
from projections.timetravel.timeline import Timeline
from sim.cli import build_parser, main
from sim.errors import InputError
from sim.loading import load_timeline
from sim.simulator import Simulator

REPO = Path(__file__).resolve().parent.parent
RANDOM_DAMAGES = int(os.environ.get("KMSIM_LOG_CORRUPTIONS", "150"))


@dataclass
class Original:
    data: bytes
    events: list[Event]
    offsets: list[int]  # of each event frame; the header frame is at 8
    header_end: int

    def frames(self) -> list[bytes]:
        ends = [*self.offsets[1:], len(self.data)]
        return [self.data[a:b] for a, b in zip(self.offsets, ends, strict=True)]

    def boundary(self, k: int) -> int:
        """The offset of event frame k (0-based); the file size for k == len(events)."""
        return self.offsets[k] if k < len(self.offsets) else len(self.data)


def record(path: Path) -> None:
    """A small but real timeline: keys, a log group under a key, writes, a rejection."""
    sim = Simulator(start="2026-01-01T00:00:00Z", default_principal="admin")
    sim.principal("admin", policy=ALLOW_ALL)
    sim.principal("reader")
    policy = (REPO / "scenarios/policies/logs-and-cloudwatch.json").read_text()
    k1 = sim.call("kms:CreateKey", {"Policy": policy}, at="+0s").get("KeyMetadata.Arn")
    sim.call("logs:CreateLogGroup", {"logGroupName": "app", "kmsKeyId": k1}, at="+1m")
    sim.call("logs:CreateLogStream", {"logGroupName": "app", "logStreamName": "s"}, at="+1m")
    for i in range(14):
        sim.call("logs:PutLogEvents", {"logGroupName": "app", "logStreamName": "s",
                                       "logEvents": [{"message": f"line {i} " + "x" * 40 * i}]},
                 at=f"+{2 + i // 3}m")  # several events share a time: equal times are fine
    sim.call("kms:DisableKey", {"KeyId": k1}, at="+8m", as_="reader")  # rejected, recorded
    sim.call("kms:DisableKey", {"KeyId": k1}, at="+9m")
    sim.call("kms:EnableKey", {"KeyId": k1}, at="+10m")
    sim.call("kms:ScheduleKeyDeletion", {"KeyId": k1, "PendingWindowInDays": 7}, at="+11m")
    sim.save(path)


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Original:
    path = tmp_path_factory.mktemp("orig") / "orig.kmlog"
    record(path)
    with LogReader(path) as r:
        pairs = list(r.iter_with_offsets())
    return Original(path.read_bytes(), [e for _, e in pairs], [o for o, _ in pairs],
                    pairs[0][0])


def frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(4, "little") + zlib.crc32(payload).to_bytes(4, "little") + payload


def rewritten(o: Original, k: int, payload: bytes) -> bytes:
    """The log with event frame k replaced by a valid frame holding ``payload``."""
    frames = o.frames()
    frames[k] = frame(payload)
    return o.data[: o.header_end] + b"".join(frames)


def event_map(o: Original, k: int, **changes: object) -> dict:
    d = o.events[k].to_dict()
    d.update(changes)
    return d


def non_events(o: Original, k: int) -> dict[str, bytes]:
    """Payloads with a valid checksum that a reader must refuse at frame k."""
    pack = msgpack.packb
    d = o.events[k].to_dict()
    without = {key: v for key, v in d.items() if key != "draws"}
    before = o.events[k - 1].t if k else o.events[0].t - 1
    return {
        "list": pack([1, 2]), "int": pack(7), "str": pack("x"), "nil": pack(None),
        "other map": pack({"a": 1}), "int keys": pack({1: 2}), "missing key": pack(without),
        "extra key": pack({**d, "more": 1}), "not msgpack": b"\xc1",
        "two maps": pack(d) + pack(d), "cut map": pack(d)[:-3],
        "deep": b"\x91" * 5000 + b"\x00", "newer version": pack(event_map(o, k, v=99)),
        "v0": pack(event_map(o, k, v=0)), "seq +1": pack(event_map(o, k, seq=k + 2)),
        "seq -1": pack(event_map(o, k, seq=k)),
        "seq str": pack(event_map(o, k, seq=str(k + 1))),
        "seq bool": pack(event_map(o, k, seq=True)),
        "seq float": pack(event_map(o, k, seq=k + 1.0)),
        "t back": pack(event_map(o, k, t=before - 1)), "t str": pack(event_map(o, k, t="soon")),
        "t ext": pack(event_map(o, k, t=msgpack.ExtType(5, b"x"))),
    }


def damages(o: Original, n_random: int) -> list[tuple[str, bytes]]:
    """Every systematic damage, then ``n_random`` random ones (seeded: failures repeat)."""
    data, frames, n = o.data, o.frames(), len(o.events)
    head = data[: o.header_end]
    out: list[tuple[str, bytes]] = []
    # Truncation at every kind of position: in the magic and header, and around every
    # frame boundary (in the frame header, at its end, one byte into the payload...).
    cuts = {0, 1, 7, 8, 9, 15, 16, 17, o.header_end - 1}
    for k in range(n + 1):
        b = o.boundary(k)
        cuts |= {b - 1, b, b + 1, b + 4, b + 7, b + 8, b + 9}
    out += [(f"truncate at {c}", data[:c]) for c in sorted(cuts) if 0 <= c < len(data)]
    for k in range(n):
        out.append((f"duplicate frame {k}", head + b"".join(frames[: k + 1] + frames[k:])))
        out.append((f"drop frame {k}", head + b"".join(frames[:k] + frames[k + 1:])))
        if k + 1 < n:
            swapped = [*frames[:k], frames[k + 1], frames[k], *frames[k + 2:]]
            out.append((f"swap frames {k},{k + 1}", head + b"".join(swapped)))
    out.append(("frame 0 moved last", head + b"".join(frames[1:] + frames[:1])))
    out.append(("last frame moved first", head + b"".join(frames[-1:] + frames[:-1])))
    out.append(("no header", data[:8] + b"".join(frames)))
    out.append(("header twice", head + data[8: o.header_end] + b"".join(frames)))
    for k in sorted({0, 1, n // 2, n - 1}):
        out += [(f"frame {k}: {what}", rewritten(o, k, p)) for what, p in non_events(o, k).items()]
    out.append(("zeros appended", data + bytes(4096)))
    out.append(("garbage appended", data + b"\x07garbage"))
    out.append(("a log appended to itself", data + data))
    for k in (0, n // 2, n - 1):
        b = o.boundary(k)
        out.append((f"zeros from frame {k} on", data[:b] + bytes(len(data) - b)))
        zeroed = data[:b] + bytes(len(frames[k])) + data[b + len(frames[k]):]
        out.append((f"zeros over frame {k}", zeroed))
    rng = random.Random(20260101)
    for i in range(n_random):
        kind = rng.choice(["flip", "flip", "flip", "bytes", "truncate", "zeros to end", "insert"])
        pos = rng.randrange(len(data))
        if kind == "flip":
            mutated = bytearray(data)
            mutated[pos] ^= rng.randrange(1, 256)
        elif kind == "bytes":
            mutated = bytearray(data)
            mutated[pos: pos + 4] = rng.randbytes(len(mutated[pos: pos + 4]))
        elif kind == "truncate":
            mutated = bytearray(data[:pos])
        elif kind == "zeros to end":
            mutated = bytearray(data[:pos] + bytes(len(data) - pos))
        else:
            mutated = bytearray(data[:pos] + rng.randbytes(rng.randrange(1, 20)) + data[pos:])
        if bytes(mutated) != data:
            out.append((f"random {i}: {kind} at {pos}", bytes(mutated)))
    return out


def first_difference(o: Original, mutated: bytes) -> int:
    """The first byte offset where ``mutated`` differs from the original (or ends)."""
    for i, (a, b) in enumerate(zip(o.data, mutated, strict=False)):
        if a != b:
            return i
    return min(len(o.data), len(mutated))


def frame_start(o: Original, pos: int) -> int:
    """The start of the frame holding byte ``pos`` (0 for the magic, 8 for the header)."""
    if pos < 8:
        return 0
    starts = [8, *o.offsets]
    return max(s for s in starts if s <= pos)


def is_clean_prefix(o: Original, mutated: bytes, k: int) -> bool:
    """``mutated`` is exactly the original cut at frame boundary k: a log no one can tell
    from a shorter recording."""
    return mutated == o.data[: o.boundary(k)]


@dataclass
class Outcome:
    events: list[Event]  # what the reader gave before it stopped
    torn: bool  # it warned about a torn tail
    error: Exception | None


def check_outcome(o: Original, name: str, mutated: bytes, what: str, got: Outcome) -> None:
    """The contract: an original prefix (torn or clean), or an error naming where."""
    k = len(got.events)
    assert got.events == o.events[:k], f"{name}: {what} read events that differ"
    diff = first_difference(o, mutated)
    if got.error is not None:
        err = got.error
        if isinstance(err, NotALog):
            assert diff < 8 or len(mutated) < 8, f"{name}: {what}: not a log? {err}"
            return
        assert isinstance(err, (LogCorrupt, LogVersionError)), f"{name}: {what}: {err!r}"
        assert f"(byte offset {err.offset})" in str(err), f"{name}: {what}: {err}"
        # Nothing before the damage is blamed, and every event before the error was read
        # (from_log and load_timeline keep none).
        assert err.offset >= frame_start(o, diff), f"{name}: {what} blames intact {err}"
        return
    if got.torn:
        assert k < len(o.events) or mutated.startswith(o.data), f"{name}: {what}"
        return
    assert (k == len(o.events) and mutated == o.data) or is_clean_prefix(o, mutated, k), (
        f"{name}: {what} read {k} events silently from a damaged log")


def read_with(fn, path: str) -> Outcome:
    events: list[Event] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fn(path, events)
            error = None
        except LogError as exc:
            error = exc
    torn = any(issubclass(w.category, TornTailWarning) for w in caught)
    return Outcome(events, torn, error)


def via_reader(path: str, out: list[Event]) -> None:
    with LogReader(path) as r:
        for event in r:
            out.append(event)


def via_from_log(path: str, out: list[Event]) -> None:
    with LogReader(path) as r:
        h = r.header
    tl = Timeline.from_log(path, h.profile, h.assumptions, h.start)
    out.extend(tl.events)  # FileEvents: read again (and checked again) from the file
    tl.events.close()


_PARSER = build_parser()


def cli(*argv: str) -> tuple[int, str, str]:
    """Run one verb as ``main`` does (the parser built once: it imports every verb)."""
    args = _PARSER.parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore", TornTailWarning)
        try:
            code = int(args.func(args) or 0)
        except InputError as exc:
            print(f"kmsim: error: {exc}", file=err)
            code = 2
    return code, out.getvalue(), err.getvalue()


def check_one(o: Original, name: str, mutated: bytes, path: Path, full_cli: bool) -> str:
    path.write_bytes(mutated)
    p = str(path)
    reader = read_with(via_reader, p)
    check_outcome(o, name, mutated, "LogReader", reader)
    for what, fn in (("Timeline.from_log", via_from_log),):
        got = read_with(fn, p)
        check_outcome(o, name, mutated, what, got)
        assert (got.error is None) == (reader.error is None), f"{name}: {what} vs LogReader"
    # load_timeline: what every CLI verb uses. An error is one InputError naming the file
    # once and the offset; otherwise the same events as the reader.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TornTailWarning)
            loaded = load_timeline(p)
        assert reader.error is None, f"{name}: load_timeline read a log LogReader refused"
        assert list(loaded.timeline.events) == reader.events, name
    except InputError as exc:
        assert reader.error is not None, f"{name}: load_timeline refused a readable log: {exc}"
        text = str(exc)
        assert text.count(p) == 1 and str(exc.message) == str(reader.error), (name, text)
    # kmsim log verify agrees with the readers.
    report = verify_log(p)
    code, out, err = cli("log", "verify", p) if not full_cli else _main("log", "verify", p)
    if reader.error is None and not reader.torn:
        assert report.ok and code == 0 and out.rstrip().endswith("OK"), (name, out, err)
    elif reader.error is None:
        assert report.problem == "torn tail" and code == 1 and "torn tail" in out, (name, out)
        assert report.events == len(reader.events), name
    elif isinstance(reader.error, NotALog):
        assert code == 2 and "not a kmsim event log" in err and "log repair" not in err, (
            name, err)
        assert "DAMAGED" not in out and err.count(p) == 1, (name, err)
    elif isinstance(reader.error, LogVersionError):
        assert code == 2 and "upgrade kmsim" in err, (name, err)
    else:
        assert code == 1 and f"byte offset {reader.error.offset}" in out, (name, out)
        assert "DAMAGED" in out and report.error_offset == reader.error.offset, (name, out)
        assert report.events == len(reader.events), (name, report, len(reader.events))
    # LogWriter.open: refuses, changing nothing, or truncates a torn tail keeping its bytes.
    before = path.read_bytes()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            LogWriter.open(p).close()
            opened = None
        except LogError as exc:
            opened = exc
    dropped = sorted(path.parent.glob(path.name + ".dropped-*"))
    if opened is not None:
        assert path.read_bytes() == before and not dropped, f"{name}: a refused open wrote"
        assert not isinstance(reader.error, type(None)), f"{name}: open refused {opened}"
    else:
        kept = path.read_bytes() + b"".join(d.read_bytes() for d in dropped)
        assert kept == before, f"{name}: LogWriter.open lost bytes"
        assert bool(dropped) == any(w.category is TornTailWarning for w in caught), name
    for d in dropped:
        d.unlink()
    if reader.error is not None:
        return type(reader.error).__name__
    return "torn" if reader.torn else "clean"


def _main(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
            warnings.catch_warnings():
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_every_reader_reads_a_prefix_or_names_the_damage(original, tmp_path):
    cases = damages(original, RANDOM_DAMAGES)
    assert len(cases) >= 300 + RANDOM_DAMAGES // 2
    seen: dict[str, int] = {}
    for i, (name, mutated) in enumerate(cases):
        outcome = check_one(original, name, mutated, tmp_path / "bad.kmlog", i % 25 == 0)
        seen[outcome] = seen.get(outcome, 0) + 1
    # Every kind of outcome happened (the driver exercises what it claims to).
    assert {"clean", "torn", "LogCorrupt", "LogOutOfOrder", "NotALog",
            "LogVersionError"} <= seen.keys(), seen


def test_resume_refuses_a_reordered_log_before_serving(original, tmp_path):
    """``kmsim serve --resume`` goes through Simulator.resume: a swapped pair of valid
    frames is refused at its offset (it used to start, then answer 500 to every call)."""
    frames = original.frames()
    swapped = [*frames[:5], frames[6], frames[5], *frames[7:]]
    path = tmp_path / "swapped.kmlog"
    path.write_bytes(original.data[: original.header_end] + b"".join(swapped))
    with pytest.raises(LogCorrupt, match=rf"seq 7 where 6 was expected.*\(byte offset "
                       rf"{original.offsets[5]}\)"):
        Simulator.resume(path)
    assert path.read_bytes() == original.data[: original.header_end] + b"".join(swapped)
    # A clean log resumes and goes on numbering from its last event.
    good = tmp_path / "good.kmlog"
    good.write_bytes(original.data)
    sim = Simulator.resume(good)
    try:
        assert sim.events[:] == original.events
        sim.call("kms:CreateKey", {})
    finally:
        sim.close()
    with LogReader(good) as r:
        assert [e.seq for e in r] == list(range(1, len(original.events) + 2))


def test_a_payload_rewritten_into_a_newer_event_is_not_damage(original, tmp_path):
    path = tmp_path / "newer.kmlog"
    path.write_bytes(rewritten(original, 3, encode_event(original.events[3]).replace(
        b"\xa1v\x01", b"\xa1v\x09", 1)))
    with pytest.raises(LogVersionError, match="newer than this code"), LogReader(path) as r:
        list(r)
    assert verify_log(path).problem == "newer version"

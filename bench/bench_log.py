"""The benchmark log, and the benchmark of the event log (append rate, streaming read).

Run from the repository root::

    python bench/bench_log.py --make /tmp/bench.kmlog --events 200000   # just the log
    python bench/bench_log.py                  # the log benchmark, 1,000,000 events
    python bench/bench_log.py --events 200000

The log (:func:`generate`, which ``bench/bench_replay.py`` and ``bench/run.py`` use) is what
the simulator would record for this workload, event for event, so ``kmsim replay`` on it
reports no difference: a principal and two keys, 100 log groups created under the first key
(each with a stream), then 99% ``logs:PutLogEvents`` batches of 1-3 log lines over the
groups and 1% control-plane calls (DisableKey/EnableKey of the second key, and a rejected
ScheduleKeyDeletion), and at the end the scenario names ``k1``/``k2`` (a
``sim:SaveVariables`` event) with ``admin`` as the default principal. The setup and one
call of each kind run through the real :class:`~sim.simulator.Simulator`; the bulk copies
those recorded calls with their own number, time and log lines, and the response fields
that depend on them (``nextSequenceToken`` is the event's number, as the handler gives it).
``--exact`` records every call through the Simulator instead (slow; the tests compare both).

The benchmark then prints a table with:

- buffered append rate (``sync="none"``; SPEC bar: at least 100,000 events/s), and the
  rates under the other sync policies on a smaller run;
- the time to stream the log through :class:`events.logfile.LogReader` next to the time
  bare ``msgpack.Unpacker`` takes to decode the same payloads from a file holding only
  them (the ratio is what SPEC 11 bounds for replay: at most 3x, projections included);
- ``verify_log`` and reopen-for-append times;
- peak RSS of this process (``resource.getrusage``) after writing and after reading.

Times are the best of ``--repeat`` runs on this machine; ratios matter more than times.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import msgpack

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from events.codec import encode_event
from events.logfile import LogHeader, LogReader, LogWriter, verify_log
from events.record import Event

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT = "111122223333"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/Admin"
ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
POLICY = ROOT / "scenarios" / "policies" / "logs-and-cloudwatch.json"
DATA_OP = "logs:PutLogEvents"
STEP_MS = 10  # simulated time between two bulk events
CHUNK_EVENTS = 10_000  # events generated (untimed) between timed append runs


class _Workload:
    """The benchmark's calls: the setup through a Simulator, then a stream of requests."""

    def __init__(self, n: int, groups: int, seed: int, log: str | None = None) -> None:
        from sim.simulator import Simulator

        self.n, self.groups = n, groups
        self.rng = random.Random(seed)
        self.sim = sim = Simulator(default_principal="admin", log=log)
        sim.principal("admin", ADMIN, ALLOW_ALL)
        self.k1 = sim.call("kms:CreateKey", {"Policy": POLICY.read_text()}).get("KeyMetadata.Arn")
        self.k2 = sim.call("kms:CreateKey", {}).get("KeyMetadata.Arn")
        self.names = [f"group-{g:03d}" for g in range(groups)]
        self.templates: dict[str, Event] = {}  # op or group -> a recorded event of it
        for name in self.names:
            sim.call("logs:CreateLogGroup", {"logGroupName": name, "kmsKeyId": self.k1})
            sim.call("logs:CreateLogStream", {"logGroupName": name, "logStreamName": "s"})
        self.flip = 0  # the second key: 0 Enabled (next: disable), 1 Disabled
        if len(sim.events) + 1 >= n:
            raise ValueError(f"--events {n}: the setup alone takes {len(sim.events) + 1}")

    def request(self, seq: int) -> tuple[str, dict]:
        """The ``seq``-th call of the bulk (the same sequence on every path)."""
        rng = self.rng
        if rng.random() < 0.01:
            if rng.random() < 0.2:  # a refused call: no window outside 7..30 days
                return "kms:ScheduleKeyDeletion", {"KeyId": self.k2, "PendingWindowInDays": 3}
            op = ("kms:DisableKey", "kms:EnableKey")[self.flip]
            self.flip ^= 1
            return op, {"KeyId": self.k2}
        name = self.names[rng.randrange(self.groups)]
        lines = rng.randint(1, 3)
        return DATA_OP, {"logGroupName": name, "logStreamName": "s", "lines": lines,
                         "item": rng.randrange(10**6)}

    @staticmethod
    def log_events(t: int, req: dict) -> list[dict]:
        """A batch of log lines, in time order (the service refuses another order)."""
        lines, item = req["lines"], req["item"]
        return [{"timestamp": t - (lines - 1 - k), "message": f"GET /api/items/{item} 200 {k}ms"}
                for k in range(lines)]

    def saved(self) -> dict:
        """What a scenario would have saved: the two keys."""
        return {"Variables": {"k1": self.k1, "k2": self.k2}}


def bench_events(n: int, groups: int = 100, seed: int = 1, exact: bool = False,
                 log: str | None = None) -> tuple[LogHeader, Iterator[Event]]:
    """The header and the ``n`` events of the benchmark log (see the module docstring).

    ``exact`` records every call through the Simulator (writing ``log`` as it goes when
    given); otherwise the bulk is built from calls the Simulator recorded, as it would
    record them."""
    w = _Workload(n, groups, seed, log if exact else None)
    sim = w.sim
    if exact:
        return sim.header(), _exact(w)
    return sim.header(), _fast(w)


def _exact(w: _Workload) -> Iterator[Event]:
    sim = w.sim
    try:
        yield from sim.events
        t = sim.now
        for seq in range(len(sim.events) + 1, w.n):
            t += STEP_MS
            op, req = w.request(seq)
            if op == DATA_OP:
                req = {"logGroupName": req["logGroupName"], "logStreamName": "s",
                       "logEvents": w.log_events(t, req)}
            yield sim.call(op, req, at=t).event
        yield sim.call("sim:SaveVariables", w.saved(), at=t,
                       as_=f"arn:aws:iam::{ACCOUNT}:root").event
    finally:
        sim.close()


def _fast(w: _Workload) -> Iterator[Event]:
    sim = w.sim
    setup = list(sim.events)
    yield from setup
    t = sim.now
    # One recorded call of each kind to copy: what the handler answers for it at any time
    # in this workload (a copy's own number goes into the fields that hold it).
    recorded: dict[tuple, Event] = {}

    def template(op: str, req: dict) -> Event:
        key = (op, req.get("logGroupName"), req.get("KeyId"))
        found = recorded.get(key)
        if found is None:
            found = recorded[key] = sim.call(op, req, at=sim.now).event
        return found

    # Templates are recorded at the setup's last instant in their own Simulator and then
    # dropped: the bulk numbers and times are the log's.
    first = len(setup) + 1
    for seq in range(first, w.n):
        t += STEP_MS
        op, req = w.request(seq)
        if op == DATA_OP:
            base = template(op, {"logGroupName": req["logGroupName"], "logStreamName": "s",
                                 "logEvents": [{"message": "template"}]})
            full = {"logGroupName": req["logGroupName"], "logStreamName": "s",
                    "logEvents": w.log_events(t, req)}
            out = {"ok": True, "res": {"nextSequenceToken": f"{seq:056d}"}}
            yield Event(base.v, seq, t, op, base.actor, base.account, base.region, full, out,
                        {})
        else:
            base = template(op, req) if op != "kms:EnableKey" else _enable_template(
                sim, template, req)
            yield Event(base.v, seq, t, op, base.actor, base.account, base.region,
                        dict(req), base.out, dict(base.draws))
    root = f"arn:aws:iam::{ACCOUNT}:root"
    end = sim.call("sim:SaveVariables", w.saved(), as_=root).event
    yield Event(end.v, w.n, t, end.op, end.actor, end.account, end.region, end.req, end.out,
                {})


def _enable_template(sim, template, req: dict) -> Event:
    """EnableKey's answer on a Disabled key (the bulk only enables after a disable)."""
    template("kms:DisableKey", req)
    return template("kms:EnableKey", req)


def generate(path: str, n: int, groups: int = 100, seed: int = 1, exact: bool = False
             ) -> str:
    """Write the ``n``-event benchmark log to ``path`` (replaced if it exists); returns the
    data-plane operation."""
    if os.path.exists(path):
        os.remove(path)
    if exact:
        _, events = bench_events(n, groups, seed, exact=True, log=path)
        for _ in events:
            pass
        return DATA_OP
    header, events = bench_events(n, groups, seed)
    with LogWriter.create(path, header, sync="none") as w:
        for chunk in batched(events, CHUNK_EVENTS):
            w.append_many(chunk)
    return DATA_OP


def batched(events: Iterable[Event], size: int) -> Iterator[list[Event]]:
    """Lists of ``size`` events (the last one shorter)."""
    it = iter(events)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


# -- the log benchmark ---------------------------------------------------------------------
def write(path: str, n: int, sync: str, raw_path: str | None = None) -> float:
    """Append the ``n`` benchmark events; returns the seconds spent in append/close only
    (the events are generated between the timed runs)."""
    spent = 0.0
    raw = open(raw_path, "wb") if raw_path else None  # noqa: SIM115 - closed below
    try:
        header, events = bench_events(n)
        w = LogWriter.create(path, header, sync=sync)
        for evs in batched(events, CHUNK_EVENTS):
            t = time.perf_counter()
            append = w.append
            for e in evs:
                append(e)
            spent += time.perf_counter() - t
            if raw:
                raw.write(b"".join(map(encode_event, evs)))
        t = time.perf_counter()
        w.close()
        spent += time.perf_counter() - t
    finally:
        if raw:
            raw.close()
    return spent


def best(repeat: int, fn) -> tuple[float, int]:
    times, n = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        n = fn()
        times.append(time.perf_counter() - t)
    return min(times), n


def read_log_events(path: str) -> int:
    n = 0
    with LogReader(path) as r:
        for _ in r:
            n += 1
    return n


def read_bare_msgpack(raw_path: str) -> int:
    n = 0
    with open(raw_path, "rb") as f:
        for _ in msgpack.Unpacker(f, raw=False, strict_map_key=False):
            n += 1
    return n


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--groups", type=int, default=100, help="log groups (with --make)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (with --make)")
    ap.add_argument("--make", metavar="PATH",
                    help="only write the benchmark log to PATH (replaced), then exit")
    ap.add_argument("--exact", action="store_true",
                    help="with --make: record every call through the Simulator (slow)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per read measurement")
    ap.add_argument("--dir", help="where to write the logs (default: a temporary directory)")
    args = ap.parse_args(argv)
    n = args.events
    if args.make:
        t = time.perf_counter()
        generate(args.make, n, args.groups, args.seed, args.exact)
        size = os.path.getsize(args.make)
        print(f"{args.make}: {n:,} events, {size / 2**20:,.1f} MiB, written in "
              f"{time.perf_counter() - t:.1f} s")
        return
    workdir = args.dir or tempfile.mkdtemp(prefix="kmsim-bench-")
    os.makedirs(workdir, exist_ok=True)
    log, raw = os.path.join(workdir, "bench.kmlog"), os.path.join(workdir, "bench.msgpack")
    rows: list[tuple[str, str, str]] = []

    def row(name: str, seconds: float, count: int) -> None:
        rows.append((name, f"{seconds:8.3f} s", f"{count / seconds:>12,.0f} ev/s"))

    try:
        for p in (log, raw):
            if os.path.exists(p):
                os.remove(p)
        row("append, sync=none (buffered)", write(log, n, "none", raw), n)
        rss_write = peak_rss_mib()
        small = min(n, 200_000)
        for sync, count in (("batch", small), ("flush", small), ("fsync", min(n, 2_000))):
            other = os.path.join(workdir, f"bench-{sync}.kmlog")
            row(f"append, sync={sync}", write(other, count, sync), count)
            os.remove(other)
        t_log, got = best(args.repeat, lambda: read_log_events(log))
        assert got == n, (got, n)
        t_raw, got = best(args.repeat, lambda: read_bare_msgpack(raw))
        assert got == n, (got, n)
        row("read, LogReader (stream)", t_log, n)
        row("read, bare msgpack.Unpacker", t_raw, n)
        rss_read = peak_rss_mib()
        t = time.perf_counter()
        report = verify_log(log)
        row("verify_log", time.perf_counter() - t, n)
        assert report.ok, report
        t = time.perf_counter()
        LogWriter.open(log).close()
        row("reopen for append (scan)", time.perf_counter() - t, n)
        size = os.path.getsize(log)
    finally:
        if not args.dir:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"kmsim log bench: {n:,} events, 99% logs:PutLogEvents over 100 log groups")
    print(f"log file {size / 2**20:,.1f} MiB, {size / n:.0f} bytes/event")
    print()
    print(f"{'measure':32} {'time':>10} {'rate':>17}")
    for name, secs, rate in rows:
        print(f"{name:32} {secs:>10} {rate:>17}")
    print()
    print(f"{'read ratio LogReader / bare msgpack':40} {t_log / t_raw:8.2f}x")
    print(f"{'peak RSS after writing':40} {rss_write:8.1f} MiB")
    print(f"{'peak RSS after reading':40} {rss_read:8.1f} MiB")


if __name__ == "__main__":
    main()

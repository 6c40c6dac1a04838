"""Benchmark of the event log (SPEC section 11): append rate, streaming read, memory.

Run from the repository root::

    python bench/bench_log.py                  # 1,000,000 events
    python bench/bench_log.py --events 200000

Writes a log whose events are 99% ``logs:PutLogEvents`` data-plane writes spread over 100
log groups (the rest control-plane calls, some rejected), then prints a table with:

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
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import msgpack

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from events.codec import encode_event
from events.logfile import LogHeader, LogReader, LogWriter, verify_log
from events.record import Event, err_out, ok_out
from events.schemas import schema_version

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
ACCOUNT = "111122223333"
REGION = "us-east-1"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
GROUPS = [f"/aws/app/service-{g:03d}" for g in range(100)]
CHUNK_EVENTS = 10_000  # events generated (untimed) between timed append runs


def make_events(start: int, n: int, rng: random.Random) -> list[Event]:
    """Events ``start+1 .. start+n`` (a log numbers from 1): 99% PutLogEvents, 1% control-plane
    calls."""
    app, admin = f"arn:aws:iam::{ACCOUNT}:role/app", f"arn:aws:iam::{ACCOUNT}:role/admin"
    out: list[Event] = []
    for seq in range(start + 1, start + n + 1):
        t = T0 + seq * 37
        if rng.random() < 0.99:
            messages = [
                {"timestamp": t - k, "message": f"GET /api/items/{rng.randrange(10**6)} 200 {k}ms"}
                for k in range(rng.randint(1, 3))
            ]
            op, actor, res, draws = "logs:PutLogEvents", app, ok_out({}), {}
            req = {
                "logGroupName": rng.choice(GROUPS),
                "logStreamName": f"i-{seq % 7:04x}",
                "logEvents": messages,
            }
        else:
            actor = admin
            op, req, res, draws = rng.choice(
                [
                    (
                        "kms:Decrypt",
                        {"KeyId": KEY},
                        err_out("DisabledException", "off", "K-DIS"),
                        {},
                    ),
                    ("kms:DisableKey", {"KeyId": KEY}, ok_out({}), {}),
                    (
                        "logs:AssociateKmsKey",
                        {"logGroupName": rng.choice(GROUPS), "kmsKeyId": KEY},
                        ok_out({}),
                        {"propagation_ms": 300_000},
                    ),
                    (
                        "kms:ScheduleKeyDeletion",
                        {"KeyId": KEY, "PendingWindowInDays": 7},
                        ok_out(),
                        {},
                    ),
                ]
            )
        out.append(Event(schema_version(op), seq, t, op, actor, ACCOUNT, REGION, req, res, draws))
    return out


def chunks(n: int, seed: int = 7) -> Iterator[list[Event]]:
    rng = random.Random(seed)
    for start in range(0, n, CHUNK_EVENTS):
        yield make_events(start, min(CHUNK_EVENTS, n - start), rng)


def write(path: str, n: int, sync: str, raw_path: str | None = None) -> float:
    """Append ``n`` events; returns the seconds spent in append/close only."""
    spent = 0.0
    raw = open(raw_path, "wb") if raw_path else None  # noqa: SIM115 - closed below
    try:
        w = LogWriter.create(path, LogHeader(created=T0, start=T0), sync=sync)
        for evs in chunks(n):
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
    ap.add_argument("--repeat", type=int, default=3, help="runs per read measurement")
    ap.add_argument("--dir", help="where to write the logs (default: a temporary directory)")
    args = ap.parse_args(argv)
    n = args.events
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

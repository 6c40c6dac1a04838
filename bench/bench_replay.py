"""Replay and time-travel benchmark (SPEC 11), on the path users run.

    python bench/bench_replay.py                 # 1,000,000 events
    python bench/bench_replay.py --events 100000
    python bench/bench_replay.py --measure LOG   # an existing log: one JSON line

1. Generates the benchmark log with ``bench/bench_log.py``'s ``generate`` (what the
   simulator would record: a key, 100 log groups created with it, then 99%
   ``logs:PutLogEvents`` over the groups and 1% control calls).
2. In a fresh child process (so peak memory is replay's own), measures:
   msgpack-only decode of the file; loading it as every verb does
   (``sim.loading.load_timeline``: decode, fold, checkpoints, and the sidecar when there is
   one: any sidecar beside the log is removed first, so this is a cold load) and its ratio
   to msgpack; peak RSS; answers at random times (world at T, one item's decryptability,
   key states): median ms and the ratio of a replay from the start to the same T.
   The targets are ``bench/targets.py``'s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_log import ADMIN, generate
from child import run_child
from targets import BY_KEY


def remove_sidecars(path: str) -> list[str]:
    """Remove the index kmsim keeps beside the log ``path`` (its sidecar, ``LOG.kmidx``),
    so the next load is cold; returns what was removed. Nothing else beside the log is
    touched (a ``LOG.bak`` or ``LOG.dropped-N`` of ``kmsim log repair`` stays)."""
    try:
        from projections.store.sidecar import sidecar_path
    except ImportError:  # a kmsim without sidecars: nothing to remove
        return []
    removed = []
    target = sidecar_path(path)
    if os.path.isdir(target):
        shutil.rmtree(target)
        removed.append(target)
    elif os.path.exists(target):
        os.unlink(target)
        removed.append(target)
    return removed


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path: str, answers: int, naive: int) -> dict:
    """Run in a fresh process: decode, replay, answers (see the module docstring)."""
    import msgpack

    from events.frames import Scan, read_header
    from events.logfile import LogReader
    from projections.decrypt import decryptability
    from projections.world import World
    from sim.loading import load_timeline

    base_rss = _rss_mb()
    fd = os.open(path, os.O_RDONLY)
    t0 = time.perf_counter()
    _, start = read_header(fd, path)
    count = 0
    for _, payloads in Scan(fd, start):
        unpacker = msgpack.Unpacker(raw=False, strict_map_key=False)
        unpacker.feed(b"".join(payloads))
        for _ in unpacker:
            count += 1
    t_msgpack = time.perf_counter() - t0
    os.close(fd)
    with LogReader(path) as r:
        header = r.header
    remove_sidecars(path)
    t0 = time.perf_counter()
    tl = load_timeline(path).timeline
    t_replay = time.perf_counter() - t0
    peak = _rss_mb()
    rng = random.Random(7)
    item_seqs = list(tl.live.items)
    times, lat = [], []
    for _ in range(answers):
        t = rng.randint(tl.start, tl.end)
        times.append(t)
        a = time.perf_counter()
        world = tl.world_at(t)
        n = tl.count_at(t)
        seq = item_seqs[rng.randrange(max(1, _bisect(item_seqs, n)))]
        item = world.items.get(seq)
        status = decryptability(world, item, ADMIN).status if item else None
        states = [k.state for k in world.keys.values()]
        lat.append(time.perf_counter() - a)
        assert states and (status is not None or item is None)
    naive_lat = []
    events = tl.events
    for t in times[:naive]:
        a = time.perf_counter()
        world = World(header.profile, header.assumptions, header.start)
        for e in events[:tl.count_at(t)]:
            world.fold(e)
        world.advance_to(t)
        naive_lat.append(time.perf_counter() - a)
    med = statistics.median(lat)
    return {"events": count, "msgpack_s": t_msgpack, "replay_s": t_replay,
            "ratio": t_replay / t_msgpack, "peak_rss_mb": peak, "base_rss_mb": base_rss,
            "checkpoints": len(tl.checkpoints), "checkpoint_mb": sum(
                b for _, b in tl.checkpoints) / 2**20, "every": tl.every,
            "answer_median_ms": med * 1000, "answer_p90_ms":
            statistics.quantiles(lat, n=10)[-1] * 1000,
            "naive_median_ms": statistics.median(naive_lat) * 1000,
            "speedup": statistics.median(naive_lat) / med, "items": len(item_seqs)}


def _bisect(seqs: list[int], n: int) -> int:
    import bisect

    return bisect.bisect_right(seqs, n)


def run_measure(path: str, answers: int, naive: int, timeout: float = 3600.0) -> dict:
    """``measure`` in a fresh child process (its peak RSS is the load's own: bench/child.py)."""
    cmd = [sys.executable, __file__, "--measure", path, "--answers", str(answers),
           "--naive", str(naive)]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "measure.json")
        run = run_child(cmd, out, timeout, "bench_replay --measure")
        if run["exit"] != 0:
            raise RuntimeError(f"bench_replay --measure failed: {run}")
        with open(out) as f:
            return json.loads(f.read().strip().splitlines()[-1])


def rows(r: dict) -> list[tuple[str, str, str]]:
    """The figures of ``measure`` as (name, value, target and verdict) rows."""

    def verdict(key: str, value: float) -> str:
        t = BY_KEY[key]
        return f"{t.text()} {'ok' if t.passes(value) else 'MISSED'}"

    return [
        ("events", f"{r['events']:,}", ""),
        ("msgpack-only decode", f"{r['msgpack_s']:.2f} s", ""),
        ("load as the verbs do (cold)", f"{r['replay_s']:.2f} s", ""),
        ("load / msgpack", f"{r['ratio']:.2f}x", verdict("replay_vs_decode", r["ratio"])),
        ("peak RSS (child)", f"{r['peak_rss_mb']:.0f} MB (interpreter {r['base_rss_mb']:.0f})",
         verdict("peak_rss_mb", r["peak_rss_mb"])),
        ("checkpoints kept", f"{r['checkpoints']} ({r['checkpoint_mb']:.1f} MB), every "
         f"{r['every']} events", ""),
        ("answer at random T", f"median {r['answer_median_ms']:.2f} ms, p90 "
         f"{r['answer_p90_ms']:.2f} ms", verdict("asof_median_ms", r["answer_median_ms"])),
        ("replay from start to T", f"median {r['naive_median_ms']:.0f} ms", ""),
        ("answer speed-up", f"{r['speedup']:.0f}x", verdict("asof_speedup", r["speedup"])),
    ]


def main() -> int:
    """Generate, measure in a child, print the table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=1_000_000)
    p.add_argument("--groups", type=int, default=100)
    p.add_argument("--answers", type=int, default=200, help="random times to answer at")
    p.add_argument("--naive", type=int, default=5, help="replays from the start to time")
    p.add_argument("--log", help="keep the generated log here")
    p.add_argument("--measure", metavar="LOG", help="measure this log; print one JSON line")
    args = p.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.answers, args.naive)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = args.log or os.path.join(tmp, "bench.kmlog")
        t0 = time.perf_counter()
        op = generate(path, args.events, args.groups)
        t_gen = time.perf_counter() - t0
        size = os.path.getsize(path)
        r = run_measure(path, args.answers, args.naive)
    table = [("data-plane op", op, ""),
             ("log size / generated in", f"{size / 2**20:.1f} MB / {t_gen:.1f} s", ""),
             *rows(r)]
    width = max(len(a) for a, _, _ in table)
    for name, value, target in table:
        print(f"{name:<{width}}  {value:<52} {target}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())

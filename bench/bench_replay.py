"""Replay and time-travel benchmark (SPEC 11).

    python bench/bench_replay.py                 # 1,000,000 events
    python bench/bench_replay.py --events 100000

1. Generates a log: a key, 100 log groups created with it (associated at once), then
   99% ``logs:PutLogEvents`` over the groups and 1% control calls (DisableKey/EnableKey
   of a second key). The setup and one write per group run through the real Simulator;
   the bulk copies those recorded writes with new numbers and times (recording a million
   calls through the handlers would measure the command side, not replay).
2. In a fresh child process (so peak memory is replay's own), measures:
   msgpack-only decode of the file; replay into projections (``Timeline.from_log``:
   decode, fold, checkpoints) and its ratio to msgpack (target <= 3x); peak RSS
   (target <= 200 MB); answers at random times (world at T, one item's decryptability,
   key states): median ms (target < 5 ms) and the ratio of a replay from the start to
   the same T (target >= 100x).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from events.logfile import LogWriter

ACCT = "111122223333"
ADMIN = f"arn:aws:iam::{ACCT}:role/Admin"
ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
POLICY = Path(__file__).resolve().parent.parent / "scenarios/policies/logs-and-cloudwatch.json"


def generate(path: str, n: int, groups: int, seed: int = 1) -> str:
    """Write an ``n``-event log to ``path``; returns the data-plane op used."""
    from sim.simulator import Simulator

    sim = Simulator(default_principal="admin")
    sim.principal("admin", ADMIN, ALLOW_ALL)
    k1 = sim.call("kms:CreateKey", {"Policy": POLICY.read_text()}).get("KeyMetadata.Arn")
    k2 = sim.call("kms:CreateKey", {}).get("KeyMetadata.Arn")
    templates = []
    for g in range(groups):
        name = f"group-{g:03d}"
        sim.call("logs:CreateLogGroup", {"logGroupName": name, "kmsKeyId": k1})
        sim.call("logs:CreateLogStream", {"logGroupName": name, "logStreamName": "s"})
        r = sim.call("logs:PutLogEvents", {"logGroupName": name, "logStreamName": "s",
                                           "logEvents": [{"message": "hello"}]})
        assert r.ok, r.event.out
        templates.append(r.event)
    controls = [sim.call(op, {"KeyId": k2}).event for op in ("kms:DisableKey",
                                                             "kms:EnableKey")]
    assert all(e.ok for e in controls), [e.out for e in controls]
    rng = random.Random(seed)
    header = sim.header()
    head = sim.events
    t = sim.now
    with LogWriter.create(path, header, sync="none") as w:
        w.append_many(head)
        flip = 0
        for seq in range(len(head) + 1, n + 1):
            t += 10
            if rng.random() < 0.01:
                base = controls[flip]
                flip ^= 1
                w.append(replace(base, seq=seq, t=t))
            else:
                base = templates[rng.randrange(groups)]
                req = {**base.req, "logEvents": [{"message": f"line {seq}"}]}
                w.append(replace(base, seq=seq, t=t, req=req))
    return "logs:PutLogEvents"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(path: str, answers: int, naive: int) -> dict:
    """Run in a fresh process: decode, replay, answers (see the module docstring)."""
    import msgpack

    from events.frames import Scan, read_header
    from events.logfile import LogReader
    from events.logindex import FileEvents
    from projections.decrypt import decryptability
    from projections.timetravel.timeline import Timeline
    from projections.world import World

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
    t0 = time.perf_counter()
    tl = Timeline.from_log(path, header.profile, header.assumptions, header.start)
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
    assert isinstance(events, FileEvents)
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


def main() -> int:
    """Generate, measure in a child, print the table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=1_000_000)
    p.add_argument("--groups", type=int, default=100)
    p.add_argument("--answers", type=int, default=200, help="random times to answer at")
    p.add_argument("--naive", type=int, default=5, help="replays from the start to time")
    p.add_argument("--log", help="keep the generated log here")
    p.add_argument("--measure", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.answers, args.naive)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = args.log or os.path.join(tmp, "bench.kmlog")
        if os.path.exists(path):
            os.unlink(path)
        t0 = time.perf_counter()
        op = generate(path, args.events, args.groups)
        t_gen = time.perf_counter() - t0
        size = os.path.getsize(path)
        cmd = [sys.executable, __file__, "--measure", path, "--answers", str(args.answers),
               "--naive", str(args.naive)]
        r = json.loads(subprocess.run(cmd, check=True, capture_output=True,
                                      text=True).stdout.strip().splitlines()[-1])
    ok = {True: "ok", False: "MISSED"}
    rows = [
        ("events (data-plane op)", f"{r['events']:,} ({op})", ""),
        ("log size / generated in", f"{size / 2**20:.1f} MB / {t_gen:.1f} s", ""),
        ("msgpack-only decode", f"{r['msgpack_s']:.2f} s", ""),
        ("replay into projections", f"{r['replay_s']:.2f} s", ""),
        ("replay / msgpack", f"{r['ratio']:.2f}x", f"<= 3x {ok[r['ratio'] <= 3]}"),
        ("peak RSS (child)", f"{r['peak_rss_mb']:.0f} MB (interpreter {r['base_rss_mb']:.0f})",
         f"<= 200 MB {ok[r['peak_rss_mb'] <= 200]}"),
        ("checkpoints kept", f"{r['checkpoints']} ({r['checkpoint_mb']:.1f} MB), every "
         f"{r['every']} events", ""),
        ("answer at random T", f"median {r['answer_median_ms']:.2f} ms, p90 "
         f"{r['answer_p90_ms']:.2f} ms", f"< 5 ms {ok[r['answer_median_ms'] < 5]}"),
        ("replay from start to T", f"median {r['naive_median_ms']:.0f} ms", ""),
        ("answer speed-up", f"{r['speedup']:.0f}x", f">= 100x {ok[r['speedup'] >= 100]}"),
    ]
    width = max(len(a) for a, _, _ in rows)
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<52} {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

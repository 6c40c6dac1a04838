"""Benchmark of ``kmsim serve`` against moto's server (SPEC section 11): boto3 round trips.

Run from the repository root::

    python bench/bench_server.py               # 200 rounds
    python bench/bench_server.py --rounds 500

Each server runs in its own process on 127.0.0.1 (``kmsim serve --port 0`` and, when
``moto[server]`` is installed, ``moto_server``; moto is a bench-only tool, not a kmsim
dependency). One boto3 KMS client per server (keep-alive connections, no retries) makes
``--rounds`` rounds of CreateKey, DescribeKey, Encrypt, Decrypt after a warm-up, and the
table shows the median and mean round-trip time per operation and the kmsim/moto ratio
of the totals (SPEC bar: kmsim no slower than moto, i.e. ratio <= 1). Best of
``--repeat`` runs; ratios matter more than times.
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[1]
OPS = ("CreateKey", "DescribeKey", "Encrypt", "Decrypt")


@contextmanager
def kmsim_server():
    """``kmsim serve`` on a free port; yields its URL."""
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "serve", "--port", "0"],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", line)
        if not match:
            raise RuntimeError(f"kmsim serve did not start: {line}")
        yield match.group(0)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def moto_server():
    """``moto_server`` on a free port; yields its URL (None when moto is not installed)."""
    exe = shutil.which("moto_server")
    if exe is None:
        yield None
        return
    port = _free_port()
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):  # bounded wait for the port to open (10 s)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("moto_server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def run_rounds(url: str, rounds: int) -> dict[str, list[float]]:
    """Seconds per call, per operation, over ``rounds`` rounds of the four calls."""
    kms = boto3.session.Session(aws_access_key_id="AKIDBENCH", aws_secret_access_key="x",
                                region_name="us-east-1").client(
        "kms", endpoint_url=url, config=Config(retries={"max_attempts": 1}))
    times: dict[str, list[float]] = {op: [] for op in OPS}
    for _ in range(10):  # warm-up: connections, model loading, first-call paths
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.decrypt(CiphertextBlob=kms.encrypt(KeyId=key, Plaintext=b"w")["CiphertextBlob"])
    for i in range(rounds):
        t0 = time.perf_counter()
        key = kms.create_key(Description=f"bench {i}")["KeyMetadata"]["KeyId"]
        t1 = time.perf_counter()
        kms.describe_key(KeyId=key)
        t2 = time.perf_counter()
        blob = kms.encrypt(KeyId=key, Plaintext=b"secret %d" % i)["CiphertextBlob"]
        t3 = time.perf_counter()
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret %d" % i
        t4 = time.perf_counter()
        for op, dt in zip(OPS, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            times[op].append(dt)
    return times


def best(url: str, rounds: int, repeat: int) -> dict[str, list[float]]:
    """The run with the smallest total of ``repeat`` runs."""
    runs = [run_rounds(url, rounds) for _ in range(repeat)]
    return min(runs, key=lambda r: sum(map(sum, r.values())))


def main(argv: list[str] | None = None) -> int:
    """Print the table; exit 1 when kmsim is slower than moto."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    results: dict[str, dict[str, list[float]]] = {}
    with kmsim_server() as url:
        results["kmsim"] = best(url, args.rounds, args.repeat)
    with moto_server() as url:
        if url is None:
            print("moto_server not found (pip install 'moto[server]'): kmsim only")
        else:
            results["moto"] = best(url, args.rounds, args.repeat)
    print(f"{args.rounds} rounds of {', '.join(OPS)}; best of {args.repeat}; "
          "ms per call: median (mean)")
    print(f"{'operation':<12}" + "".join(f"{name:>20}" for name in results))
    for op in OPS:
        cells = "".join(f"{statistics.median(r[op]) * 1e3:.3f} "
                        f"({statistics.mean(r[op]) * 1e3:.3f})".rjust(20)
                        for r in results.values())
        print(f"{op:<12}{cells}")
    totals = {name: sum(map(sum, r.values())) for name, r in results.items()}
    print(f"{'total s':<12}" + "".join(f"{t:>20.3f}" for t in totals.values()))
    if "moto" in totals:
        ratio = totals["kmsim"] / totals["moto"]
        verdict = "meets" if ratio <= 1 else "misses"
        print(f"kmsim/moto total time ratio: {ratio:.2f} ({verdict} SPEC 11: no slower)")
        return 0 if ratio <= 1 else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

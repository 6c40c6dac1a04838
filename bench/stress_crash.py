"""Crash and load driver for ``kmsim serve --log`` (issue: reliability).

Each round starts ``kmsim serve --log LOG`` (``--resume`` after the first), drives it from
``--clients`` threads with a mixed load of KMS and CloudWatch Logs calls (some of them
refused by the rules, some malformed), kills it with SIGKILL after a random number of
acknowledged calls, and checks the log: every call the server acknowledged with an event
number is in the log with that number and operation, numbers are contiguous, no answer
was a 5xx, and the next round resumes the log. Loopback only; bounded in rounds and seconds.

    python bench/stress_crash.py                       # 10 rounds, 8 clients
    python bench/stress_crash.py --rounds 40 --json
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from events.logfile import LogReader  # noqa: E402  (after the path set-up)

KMS, LOGS = "TrentService", "Logs_20140328"
JSON_TYPE = "application/x-amz-json-1.1"


@dataclass
class Tally:
    """What the clients saw in one round."""

    acked: dict[int, str] = field(default_factory=dict)  # event number -> operation
    statuses: dict[int, int] = field(default_factory=dict)
    refused: int = 0
    errors_5xx: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, seq: str | None, op: str, body: bytes) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status >= 500:
                self.errors_5xx.append(f"{op}: {status} {body[:200]!r}")
            if seq is not None:
                self.acked[int(seq)] = op
            else:
                self.refused += 1


def serve(log: Path, resume: bool) -> tuple[subprocess.Popen, str]:
    """``kmsim serve`` on a free loopback port; the process and its URL."""
    flags = ["--resume"] if resume else []
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "serve", "--port", "0",
                             "--log", str(log), *flags], cwd=ROOT,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for _ in range(3):
        line = proc.stderr.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if m:
            threading.Thread(target=proc.stderr.read, daemon=True).start()  # drain
            return proc, m.group(1)
    proc.kill()
    raise RuntimeError(f"kmsim serve did not start: {line}{proc.stderr.read()}")


def requests(rng: random.Random, client: int) -> list[tuple[str, str, object]]:
    """One client's mixed calls: (target, operation, body)."""
    group = f"g{client}"
    calls: list[tuple[str, str, object]] = [
        (LOGS, "CreateLogGroup", {"logGroupName": group}),
        (LOGS, "CreateLogStream", {"logGroupName": group, "logStreamName": "s"}),
    ]
    for _ in range(400):
        pick = rng.random()
        if pick < 0.3:
            event = {"timestamp": 1767225600000, "message": "m" * rng.randint(1, 300)}
            calls.append((LOGS, "PutLogEvents", {"logGroupName": group, "logStreamName": "s",
                                                 "logEvents": [event]}))
        elif pick < 0.5:
            calls.append((KMS, "CreateKey", {}))
        elif pick < 0.6:
            calls.append((KMS, "ListKeys", {"Limit": rng.randint(1, 5)}))
        elif pick < 0.7:
            calls.append((KMS, "DisableKey", {"KeyId": "alias/none"}))   # refused by the rules
        elif pick < 0.8:
            calls.append((KMS, "GenerateRandom" if rng.random() < 0.1 else "DescribeKey",
                          {"KeyId": str(rng.random())}))
        elif pick < 0.9:
            calls.append((LOGS, "DescribeLogGroups", {"limit": rng.randint(1, 50)}))
        else:
            calls.append((KMS, "CreateKey", rng.choice(['{"Policy": 5}', "{", "[]", "null"])))
    return calls


def client(port: str, calls: list, tally: Tally, stop: threading.Event) -> None:
    """Send calls one after another on a keep-alive connection until stopped or refused."""
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
    try:
        for target, op, body in calls:
            if stop.is_set():
                return
            data = body if isinstance(body, str) else json.dumps(body)
            try:
                conn.request("POST", "/", data.encode(), {"X-Amz-Target": f"{target}.{op}",
                                                          "Content-Type": JSON_TYPE})
                resp = conn.getresponse()
                answer = resp.read()
            except (OSError, http.client.HTTPException):
                return  # the server was killed: nothing was acknowledged for this call
            tally.add(resp.status, resp.getheader("x-kmsim-event"), f"{target}.{op}", answer)
    finally:
        conn.close()


def check_log(log: Path, acked: dict[int, str]) -> tuple[int, list[str]]:
    """The number of events in the log and what is wrong with it."""
    problems: list[str] = []
    with LogReader(log) as reader:
        events = list(reader)
    seqs = [e.seq for e in events]
    if seqs != list(range(1, len(seqs) + 1)):
        problems.append("event numbers are not 1..N")
    by_seq = {e.seq: e.op.split(":")[1] for e in events}
    for seq, op in acked.items():
        if by_seq.get(seq) != op.split(".")[1]:
            problems.append(f"acknowledged #{seq} {op} is {by_seq.get(seq, 'missing')} in the log")
    return len(events), problems


def run(rounds: int, clients: int, seconds: float, seed: int) -> dict:
    """Every round: serve, load, SIGKILL, check. The summary as a dict."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="kmsim-crash-") as tmp:
        log = Path(tmp) / "crash.kmlog"
        all_acked: dict[int, str] = {}
        summary: dict = {"rounds": rounds, "clients": clients, "acknowledged": 0, "refused": 0,
                         "errors_5xx": [], "problems": [], "statuses": {}}
        for n in range(rounds):
            proc, port = serve(log, resume=n > 0)
            tally, stop = Tally(), threading.Event()
            threads = [threading.Thread(target=client, args=(port, requests(rng, c), tally, stop))
                       for c in range(clients)]
            for t in threads:
                t.start()
            # Kill after a random number of acknowledged calls (or at the time limit), so a
            # slow machine still kills mid-load rather than before it starts.
            target, deadline = rng.randint(20, 300), time.monotonic() + seconds
            while len(tally.acked) < target and time.monotonic() < deadline:
                time.sleep(0.005)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            stop.set()
            for t in threads:
                t.join(timeout=20)
            overlap = set(all_acked) & set(tally.acked)
            if overlap:
                summary["problems"].append(f"round {n}: event numbers reused: "
                                           f"{sorted(overlap)[:5]}")
            all_acked.update(tally.acked)
            count, problems = check_log(log, all_acked)
            summary["problems"] += [f"round {n}: {p}" for p in problems]
            summary["errors_5xx"] += tally.errors_5xx
            summary["acknowledged"] += len(tally.acked)
            summary["refused"] += tally.refused
            for status, k in tally.statuses.items():
                summary["statuses"][status] = summary["statuses"].get(status, 0) + k
            summary["events_in_log"] = count
    summary["ok"] = not summary["problems"] and not summary["errors_5xx"]
    return summary


def main() -> int:
    """Command line: run the rounds and print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="longest load per round (it is killed after 20-300 calls)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    summary = run(args.rounds, args.clients, args.seconds, args.seed)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{summary['rounds']} rounds x {summary['clients']} clients: "
              f"{summary['acknowledged']} acknowledged events, {summary['refused']} refused "
              f"requests, {summary.get('events_in_log', 0)} events in the log; "
              f"{len(summary['errors_5xx'])} 5xx, {len(summary['problems'])} problems")
        for line in (summary["errors_5xx"] + summary["problems"])[:20]:
            print("  " + line)
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

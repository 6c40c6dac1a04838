"""What an in-process call costs against botocore alone (issue 12): ``inproc_vs_stub``.

    python bench/bench_inproc.py               # a table
    python bench/bench_inproc.py --json        # one JSON object
    python bench/bench_inproc.py --rounds 100 --repeat 20

The same calls (KMS DescribeKey and Encrypt, CloudWatch Logs PutLogEvents, CloudWatch
PutMetricData, each in the protocol botocore picks), made by boto3 clients in one process,
two ways:

- *in-process*: ``sim.testing.simulated_aws`` answers at ``before-send`` (the server's
  codecs, handlers, recording and fold);
- *stub*: a ``before-send`` handler returns a canned response, the very bytes kmsim
  answered to that call, so botocore validates, serialises, signs and parses exactly as
  much and nothing else runs (kmsim is stopped meanwhile).

Blocks of each alternate, several times, timed in this process's CPU time; each side's
figure is its best block (the machine's other load only ever adds time). ``bench/run.py``
runs it in a fresh process (:func:`run_measure`), as a test run would make these calls.
``inproc_vs_stub`` is in-process / stub time for the whole set of calls (target in
``bench/targets.py``: <= 1.5). ``fixture_ms`` is what a fresh ``kmsim`` fixture costs
(median; target < 20 ms).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from sim.server.protocols import HttpResponse
from sim.testing import simulated_aws
from sim.testing.hooks import SERVICE_IDS, aws_response

REGION = "us-east-1"
SERVICE_ID = {v: k for k, v in SERVICE_IDS.items()}  # logs -> cloudwatch-logs
OPS = [("kms", "DescribeKey"), ("kms", "Encrypt"), ("logs", "PutLogEvents"),
       ("cloudwatch", "PutMetricData")]


def _client(service: str) -> Any:
    return boto3.session.Session().client(
        service, region_name=REGION, aws_access_key_id="AKIDBENCH",
        aws_secret_access_key="secret", config=Config(retries={"max_attempts": 1}))


def _calls(clients: dict[str, Any], key: str, clock: Callable[[], int]
           ) -> dict[str, Callable[[], Any]]:
    kms, logs, cw = clients["kms"], clients["logs"], clients["cloudwatch"]
    return {
        "DescribeKey": lambda: kms.describe_key(KeyId=key),
        "Encrypt": lambda: kms.encrypt(KeyId=key, Plaintext=b"secret"),
        "PutLogEvents": lambda: logs.put_log_events(
            logGroupName="/bench", logStreamName="s",
            logEvents=[{"timestamp": clock(), "message": "hello"}]),
        "PutMetricData": lambda: cw.put_metric_data(
            Namespace="Bench", MetricData=[{"MetricName": "m", "Value": 1.0}]),
    }


def _block(call: Callable[[], Any], n: int) -> float:
    # CPU time of this process: what other processes on the machine do does not count
    t0 = time.process_time()
    for _ in range(n):
        call()
    return time.process_time() - t0


def measure(rounds: int = 50, repeat: int = 10) -> dict:
    """Best-of-``repeat`` blocks of ``rounds`` calls of each operation, both ways."""
    aws = simulated_aws().start()
    try:
        real = {s: _client(s) for s in ("kms", "logs", "cloudwatch")}
        key = real["kms"].create_key()["KeyMetadata"]["KeyId"]
        real["logs"].create_log_group(logGroupName="/bench")
        real["logs"].create_log_stream(logGroupName="/bench", logStreamName="s")
        canned: dict[str, HttpResponse] = {}
        keepers = []
        for service, op in OPS:  # kmsim's answer to each call, kept as bytes
            def keep(response_dict: dict, _op: str = op, **_: Any) -> None:
                canned[_op] = HttpResponse(response_dict["status_code"],
                                           response_dict["body"],
                                           dict(response_dict["headers"]))
            event = f"before-parse.{SERVICE_ID[service]}.{op}"
            real[service].meta.events.register(event, keep)
            keepers.append((real[service], event, keep))
        inproc = _calls(real, key, lambda: aws.now_ms)
        for call in inproc.values():
            call()  # warm-up, and the canned answers
        for client, event, keep in keepers:  # a user's client has no such handler
            client.meta.events.unregister(event, keep)
        stub_clients = {s: _client(s) for s in ("kms", "logs", "cloudwatch")}
        for service, op in OPS:
            def answer(request: Any, _op: str = op, **_: Any) -> AWSResponse:
                return aws_response(request.url, canned[_op])
            stub_clients[service].meta.events.register_first(
                f"before-send.{SERVICE_ID[service]}.{op}", answer)
        stub = _calls(stub_clients, key, lambda: 1767225600000)
        best_in: dict[str, float] = {}
        best_stub: dict[str, float] = {}
        for _ in range(repeat):  # each operation's blocks side by side: the same load
            for name in inproc:
                aws.start(reset=False)
                s = _block(inproc[name], rounds)
                best_in[name] = min(s, best_in.get(name, s))
                aws.stop()
                s = _block(stub[name], rounds)
                best_stub[name] = min(s, best_stub.get(name, s))
    finally:
        aws.stop()
    fixture_ms = fresh_fixture_ms()
    per_op = {name: {"inproc_us": round(best_in[name] / rounds * 1e6, 1),
                     "stub_us": round(best_stub[name] / rounds * 1e6, 1),
                     "ratio": round(best_in[name] / best_stub[name], 3)} for name in best_in}
    return {"inproc_vs_stub": round(sum(best_in.values()) / sum(best_stub.values()), 3),
            "fixture_ms": fixture_ms, "rounds": rounds, "repeat": repeat, "ops": per_op}


def run_measure(rounds: int = 50, repeat: int = 10, timeout: float = 1800.0) -> dict:
    """:func:`measure` in a fresh process, as a test run makes these calls: what another
    benchmark left in this process (a million-event log generated and appended, its heap)
    is not the user's and must not weigh on the figure."""
    proc = subprocess.run([sys.executable, __file__, "--json", "--rounds", str(rounds),
                           "--repeat", str(repeat)], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise RuntimeError(f"bench_inproc failed (exit {proc.returncode}): "
                           f"{proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout)


def fresh_fixture_ms(times: int = 50) -> float:
    """Median milliseconds of what the ``kmsim`` fixture does per test: a fresh timeline
    started and stopped (``with SimulatedAws():``)."""
    spent = []
    for _ in range(times):
        t0 = time.perf_counter()
        with simulated_aws():
            pass
        spent.append(time.perf_counter() - t0)
    return round(sorted(spent)[len(spent) // 2] * 1000, 3)


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=50, help="calls of each operation a block")
    p.add_argument("--repeat", type=int, default=10, help="blocks of each side (best kept)")
    p.add_argument("--json", action="store_true", help="one JSON object")
    args = p.parse_args(argv)
    doc = measure(args.rounds, args.repeat)
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0
    print(f"{'operation':<15}{'in-process us':>15}{'stub us':>10}{'ratio':>8}")
    for name, r in doc["ops"].items():
        print(f"{name:<15}{r['inproc_us']:>15,.1f}{r['stub_us']:>10,.1f}{r['ratio']:>8.3f}")
    print(f"inproc_vs_stub: {doc['inproc_vs_stub']} (target <= 1.5); a fresh fixture: "
          f"{doc['fixture_ms']} ms (target < 20)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

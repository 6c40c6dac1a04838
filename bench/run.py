"""Every benchmark at its SPEC size, on the paths users run, as one JSON object (SPEC 11).

    python bench/run.py --json               # 1,000,000 events (about 10-20 minutes)
    python bench/run.py --quick              # 100,000 events, a table
    python bench/run.py --json --dir /tmp/b  # keep the log and the pages in /tmp/b
    python bench/run.py --json --log L.kmlog # reuse a benchmark log (made if missing)

Parts (``bench_*.py``), each on the same benchmark log (``bench_log.generate``: what the
simulator would record, 99% ``logs:PutLogEvents`` over 100 log groups):

- ``bench_replay``: msgpack-only decode of the file, then a cold load as every verb loads a
  log (``sim.loading.load_timeline``, sidecars removed first) in a fresh process:
  ``replay_vs_decode``, ``peak_rss_mb``; answers at random times: ``asof_median_ms``,
  ``asof_speedup`` (against a replay from the start to the same time);
- ``bench_log``: buffered appends of as many events: ``append_eps``;
- ``bench_inproc``: boto3 calls answered in-process by ``sim.testing.simulated_aws``
  against the same calls answered by a ``before-send`` stub (botocore alone), in a fresh
  process as a test run is (not in this one, which generated and appended the log):
  ``inproc_vs_stub``; and a fresh ``kmsim`` fixture: ``inproc_fixture_ms``;
- the ``kmsim`` command itself, in a subprocess, as a person runs it: ``kmsim at LOG +1h``
  with no sidecar (``cli_at_first_s``) and again (``cli_at_again_s``), its peak RSS
  (``cli_at_rss_mb``: the command's own ``ru_maxrss``, see LAUNCHER); ``kmsim timeline LOG -o
  PAGE`` (``timeline_1m_s``, ``timeline_1m_mb``: the page's size); and the wall time and peak
  RSS of every verb (at, explain, diff, history, timeline, log verify, replay, whatif) in
  ``verbs``.

Each figure is reported next to its target (``bench/targets.py``) with a pass/fail in
``targets``; ``--check`` exits 1 when one is missed. Ratios matter more than times: they are
taken in one run on one machine. Progress notes go to stderr (``--quiet``: none).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_inproc import run_measure as measure_inproc
from bench_log import generate
from bench_log import write as append_run
from bench_replay import remove_sidecars, run_measure
from child import run_child
from targets import TARGETS, VERB_RSS_MB

SPEC_EVENTS = 1_000_000
QUICK_EVENTS = 100_000
#: The resource the per-verb commands ask about (the generator's first log group).
GROUP = "logs:group-000"
#: How ``inproc_vs_stub`` is measured (bench_inproc, in a fresh process).
INPROC_NOTE = ("sim.testing.simulated_aws answering at before-send / the same boto3 calls "
               "answered by a before-send stub with kmsim's bytes (DescribeKey, Encrypt, "
               "PutLogEvents, PutMetricData; best of interleaved blocks)")

_quiet = False


def note(text: str) -> None:
    """A progress note on stderr (the JSON goes to stdout)."""
    if not _quiet:
        print(f"bench: {text}", file=sys.stderr, flush=True)


def kmsim_command() -> list[str]:
    """How a user runs kmsim here: the installed ``kmsim`` script beside this Python, else
    ``python -m sim.cli``."""
    script = Path(sys.executable).with_name("kmsim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sim.cli"]


def verb_commands(log: str, page: str, events: int) -> list[tuple[str, list[str]]]:
    """(name, arguments) of every verb measured. At the SPEC size the time is ``+1h``, as a
    person asks; a smaller log may end before that, so it is then an event number."""
    at = "+1h" if events >= SPEC_EVENTS else f"#{events * 36 // 100}"
    before = "+30m" if events >= SPEC_EVENTS else f"#{events * 18 // 100}"
    return [
        ("at", ["at", log, at]),
        ("at --json", ["at", log, at, "--json"]),
        ("explain", ["explain", log, GROUP, "--at", at]),
        ("diff", ["diff", log, before, at]),
        ("history", ["history", log, "--resource", GROUP]),
        ("timeline", ["timeline", log, "-o", page]),
        ("log verify", ["log", "verify", log]),
        ("replay", ["replay", log]),
        ("whatif", ["whatif", log, "--at", at, "--step", "kms:DisableKey KeyId=k1"]),
    ]


def measure_cli(log: str, workdir: str, events: int, timeout: float,
                skip: set[str]) -> tuple[dict, dict]:
    """The ``kmsim`` figures: (contract values, per-verb runs)."""
    kmsim = kmsim_command()
    page = os.path.join(workdir, "timeline.html")
    commands = dict(verb_commands(log, page, events))
    removed = remove_sidecars(log)
    if removed:
        note(f"removed {len(removed)} sidecar file(s) for a cold first call")
    runs: dict[str, dict] = {}

    def run(name: str, key: str | None = None) -> dict:
        shown = shlex.join(["kmsim", *({log: "LOG", page: "PAGE"}.get(a, a)
                                       for a in commands[name])])
        note(f"{shown} ...")
        out = os.path.join(workdir, f"out-{(key or name).replace(' ', '-')}.txt")
        r = run_child(kmsim + commands[name], out, timeout, shown)
        note(f"  {r['s']:.2f} s, {r['rss_mb']:.0f} MB, exit {r['exit']}")
        return r

    first = run("at", "at-first")
    again = run("at", "at-again")
    runs["at"] = {**first, "again_s": again["s"], "again_rss_mb": again["rss_mb"]}
    for name in commands:
        if name != "at" and name not in skip:
            runs[name] = run(name)
    tl = runs.get("timeline")
    page_mb = os.path.getsize(page) / 2**20 if tl and os.path.exists(page) else None
    values = {
        "cli_at_command": first["command"],
        "cli_at_first_s": first["s"] if first["exit"] == 0 else None,
        "cli_at_again_s": again["s"] if again["exit"] == 0 else None,
        "cli_at_rss_mb": max(first["rss_mb"], again["rss_mb"]),
        "timeline_1m_s": tl["s"] if tl and tl["exit"] == 0 else None,
        "timeline_1m_mb": round(page_mb, 3) if page_mb is not None and tl["exit"] == 0
        else None,
    }
    return values, runs


def verdicts(doc: dict) -> dict:
    """Each target with its value and pass/fail (None: not measured); and every verb's RSS."""
    out = {}
    for t in TARGETS:
        value = doc.get(t.key)
        out[t.key] = {"value": value, "target": t.text(), "pass": t.passes(value),
                      "what": t.what}
    for name, r in doc.get("verbs", {}).items():
        ok = r["exit"] == 0 and r["rss_mb"] <= VERB_RSS_MB
        out[f"verb_rss_mb[{name}]"] = {"value": r["rss_mb"], "target": f"<= {VERB_RSS_MB:g} MB",
                                       "pass": ok, "what": f"peak RSS of `{r['command']}`"
                                       + ("" if r["exit"] == 0 else f" (exit {r['exit']})")}
    return out


def bench(args: argparse.Namespace, workdir: str) -> dict:
    """Run every part; the JSON document."""
    events = args.events or (QUICK_EVENTS if args.quick else SPEC_EVENTS)
    log = args.log or os.path.join(workdir, "bench.kmlog")
    doc: dict = {"events": events, "log": log}
    if args.log and os.path.exists(args.log):
        note(f"reusing {log}")
        doc["generated_s"] = None
    else:
        note(f"generating the benchmark log, {events:,} events ...")
        t0 = time.perf_counter()
        doc["data_op"] = generate(log, events)
        doc["generated_s"] = round(time.perf_counter() - t0, 2)
    doc["log_mb"] = round(os.path.getsize(log) / 2**20, 1)

    note("decode, cold load and answers (bench_replay, a child process) ...")
    r = run_measure(log, args.answers, args.naive)
    doc["events"] = events = r["events"]
    doc.update({
        "replay_vs_decode": round(r["ratio"], 3), "decode_s": round(r["msgpack_s"], 3),
        "replay_s": round(r["replay_s"], 3), "peak_rss_mb": round(r["peak_rss_mb"], 1),
        "asof_median_ms": round(r["answer_median_ms"], 3),
        "asof_p90_ms": round(r["answer_p90_ms"], 3),
        "asof_speedup": round(r["speedup"], 1),
        "asof_vs_full_replay": round(r["replay_s"] * 1000 / r["answer_median_ms"], 1),
        "checkpoints": r["checkpoints"], "checkpoint_mb": round(r["checkpoint_mb"], 2)})

    note(f"buffered appends, {events:,} events (bench_log) ...")
    scratch = os.path.join(workdir, "append.kmlog")
    seconds = append_run(scratch, events, "none")
    os.unlink(scratch)
    doc["append_eps"] = round(events / seconds)

    values, runs = measure_cli(log, workdir, events, args.timeout, set(args.skip))
    doc.update(values)
    doc["verbs"] = runs
    note("in-process calls against a botocore stub (bench_inproc, a child process) ...")
    inproc = measure_inproc(*((20, 5) if args.quick else (50, 10)), timeout=args.timeout)
    doc["inproc_vs_stub"] = inproc["inproc_vs_stub"]
    doc["inproc_fixture_ms"] = inproc["fixture_ms"]
    doc["inproc"] = inproc
    doc["notes"] = {
        "inproc_vs_stub": INPROC_NOTE,
        "cli": "each kmsim verb runs in its own process with stdout to a file, as `kmsim ... "
               "> out` would; the first `at` has no sidecar beside the log, every later "
               "call finds what the calls before it left",
        "timeline_1m": f"measured on this run's log ({events:,} events)",
    }
    doc["targets"] = verdicts(doc)
    doc["passed"] = all(v["pass"] is not False for v in doc["targets"].values())
    doc["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count(),
                      "platform": platform.platform()}
    return doc


def show(doc: dict) -> None:
    """The document for people: the figures against their targets, then the verbs."""
    from sim import console
    from sim.console import Column

    def fmt(v: object) -> str:
        return "-" if v is None else f"{v:,.3f}".rstrip("0").rstrip(".") \
            if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else str(v)

    verdict = {True: "pass", False: "FAIL", None: "not measured"}
    console.heading(f"kmsim benchmarks: {doc['events']:,} events, log {doc['log_mb']} MB")
    console.table([Column("figure"), Column("value", justify="right"), Column("target"),
                   Column("", statuses=True), Column("what")],
                  [(k, fmt(v["value"]), v["target"], verdict[v["pass"]], v["what"])
                   for k, v in doc["targets"].items() if not k.startswith("verb_")])
    console.echo()
    rss = {k[len("verb_rss_mb["):-1]: v["pass"] for k, v in doc["targets"].items()
           if k.startswith("verb_rss_mb[")}
    console.table([Column("verb"), Column("wall s", justify="right"),
                   Column("peak RSS MB", justify="right"),
                   Column(f"<= {VERB_RSS_MB:g} MB", statuses=True), Column("exit"),
                   Column("output KB", justify="right"), Column("command")],
                  [(name, fmt(r["s"]), fmt(r["rss_mb"]), verdict[rss.get(name)],
                    "timeout" if r["timed_out"] else r["exit"], fmt(r["out_kb"]), r["command"])
                   for name, r in doc["verbs"].items()])
    console.echo()
    console.echo(f"second `kmsim at`: {fmt(doc['cli_at_again_s'])} s; appends "
                 f"{fmt(doc['append_eps'])} events/s; inproc_vs_stub: "
                 f"{fmt(doc['inproc_vs_stub'])} ({doc['notes']['inproc_vs_stub']})")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; print the JSON object (``--json``) or tables."""
    global _quiet
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--quick", action="store_true",
                   help=f"{QUICK_EVENTS:,} events instead of {SPEC_EVENTS:,}")
    p.add_argument("--events", type=int, help="this many events (overrides --quick)")
    p.add_argument("--answers", type=int, default=200, help="random times to answer at")
    p.add_argument("--naive", type=int, default=5,
                   help="replays from the start to a random time (the speed-up's base)")
    p.add_argument("--dir", help="keep the log, outputs and pages here (default: a temporary "
                   "directory, removed)")
    p.add_argument("--log", help="the benchmark log to use (made there when missing)")
    p.add_argument("--skip", action="append", default=[], metavar="VERB",
                   help="do not run this verb (repeatable: replay, timeline, ...)")
    p.add_argument("--timeout", type=float, default=1800.0,
                   help="seconds each kmsim command may take (default 1800)")
    p.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    p.add_argument("--quiet", action="store_true", help="no progress notes on stderr")
    args = p.parse_args(argv)
    _quiet = args.quiet
    if args.dir:
        os.makedirs(args.dir, exist_ok=True)
        doc = bench(args, args.dir)
    else:
        with tempfile.TemporaryDirectory(prefix="kmsim-bench-") as tmp:
            doc = bench(args, tmp)
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        show(doc)
    return 1 if args.check and not doc["passed"] else 0


if __name__ == "__main__":
    sys.exit(main())

"""Run a command as the benchmarks measure it: wall time, its own peak RSS, exit code.

Linux carries a process's peak RSS across ``exec``: a command started straight from a
benchmark process of 60 MB reports at least 60 MB whatever it used. So the command is forked
from a small launcher (a bare Python, ~10 MB) and its ``ru_maxrss`` comes from ``wait4``
there: the figure is the command's own.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile

LAUNCHER = """
import json, os, sys, time
report, argv = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - t0
with open(report, "w") as f:
    json.dump({"s": wall, "rss_kb": usage.ru_maxrss,
               "exit": os.waitstatus_to_exitcode(status)}, f)
"""


def run_child(argv: list[str], out_path: str, timeout: float, shown: str) -> dict:
    """Run ``argv`` with stdout to ``out_path``: its wall time, peak RSS in MB, exit code
    (None when it was killed after ``timeout`` seconds), output size and last stderr lines."""
    report = out_path + ".rusage.json"
    with open(out_path, "wb") as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-c", LAUNCHER, report, *argv], stdout=out,
                                stderr=err, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the launcher and the command
            proc.wait()
            timed_out = True
        err.seek(0)
        tail = err.read().decode("utf-8", "replace").strip().splitlines()[-3:]
    got = {"s": float(timeout), "rss_kb": 0, "exit": None}
    if not timed_out and os.path.exists(report):
        with open(report) as f:
            got = json.load(f)
        os.unlink(report)
    return {"command": shown, "s": round(got["s"], 3), "rss_mb": round(got["rss_kb"] / 1024, 1),
            "exit": got["exit"], "timed_out": timed_out,
            "out_kb": round(os.path.getsize(out_path) / 1024, 1), "stderr": tail}

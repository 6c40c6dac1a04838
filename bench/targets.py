"""The performance targets, in one place: ``bench/run.py`` and ``bench/bench_replay.py``
report each value next to its target with a pass/fail.

SPEC 11's bars are the floor (replay <= 3x decode, answers < 5 ms and >= 100x, appends >=
100,000 events/s, 200 MB); these are the stricter targets of the current issue, measured
on the 1,000,000-event benchmark log."""

from __future__ import annotations

import operator
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """A bound on one figure: ``value OP limit`` passes."""

    key: str
    op: str  # "<=" or ">="
    limit: float
    unit: str
    what: str

    def passes(self, value: float | None) -> bool | None:
        """Whether ``value`` meets the target (None when there is no value)."""
        if value is None:
            return None
        return {"<=": operator.le, ">=": operator.ge}[self.op](value, self.limit)

    def text(self) -> str:
        """``<= 2 ms``."""
        limit = f"{self.limit:,g}"
        unit = self.unit if self.unit in ("", "x") else " " + self.unit
        return f"{self.op} {limit}{unit}"


#: The most memory any verb may take on the 1M log (peak RSS of its process).
VERB_RSS_MB = 200.0

TARGETS = [
    Target("replay_vs_decode", "<=", 2.0, "x", "replay into projections / msgpack decode"),
    Target("asof_median_ms", "<=", 2.0, "ms", "answer at a random time, median"),
    Target("asof_speedup", ">=", 1000.0, "x", "answer vs replay from the start to that time"),
    Target("append_eps", ">=", 100_000.0, "events/s", "buffered appends"),
    Target("peak_rss_mb", "<=", VERB_RSS_MB, "MB", "peak RSS of replay"),
    Target("cli_at_again_s", "<=", 1.0, "s", "second `kmsim at` on the same log"),
    Target("cli_at_rss_mb", "<=", VERB_RSS_MB, "MB", "peak RSS of `kmsim at`"),
    Target("timeline_1m_s", "<=", 30.0, "s", "`kmsim timeline` of the log"),
    Target("timeline_1m_mb", "<=", 10.0, "MB", "size of the timeline page"),
    Target("inproc_vs_stub", "<=", 1.5, "x", "in-process call / botocore with a canned "
           "response (bench_inproc)"),
    Target("inproc_fixture_ms", "<=", 20.0, "ms", "a fresh `kmsim` fixture (bench_inproc)"),
]
BY_KEY = {t.key: t for t in TARGETS}

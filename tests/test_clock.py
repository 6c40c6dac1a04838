"""Simulated time (SPEC 4): duration and time syntax; proof the wall clock is never read."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import time
from pathlib import Path

import pytest
from freezegun import freeze_time
from support import ALLOW_ALL
from support import START_MS as START

from events.timefmt import (
    DAY,
    HOUR,
    MAX_TIME,
    MINUTE,
    SECOND,
    TimeSyntaxError,
    format_duration,
    format_offset,
    format_time,
    parse_duration,
    parse_rfc3339,
)
from sim.cli import main
from sim.clock import parse_when

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("text,ms", [
    ("250ms", 250), ("90s", 90 * SECOND), ("5m", 5 * MINUTE), ("3h", 3 * HOUR),
    ("7d", 7 * DAY), ("1h30m", HOUR + 30 * MINUTE), ("0s", 0), ("1d2h3m4s5ms",
                                                                 DAY + 2 * HOUR + 3 * MINUTE
                                                                 + 4 * SECOND + 5),
    (" 5m ", 5 * MINUTE), ("1m1ms", MINUTE + 1),
])
def test_durations(text: str, ms: int) -> None:
    assert parse_duration(text) == ms


@pytest.mark.parametrize("text", ["", "5", "m", "5 m", "5min", "-5m", "+5m", "1.5h", "5M",
                                  "1h 30m", "5mm", "ms", "10000000000000d", "\u0665m", "\u00b2s"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(TimeSyntaxError, match="bad duration"):
        parse_duration(text)


@pytest.mark.parametrize("ms", [0, 1, 250, 90_000, 5 * MINUTE, DAY + HOUR + 1, 7 * DAY])
def test_format_duration_roundtrips(ms: int) -> None:
    assert parse_duration(format_duration(ms)) == ms
    assert format_duration(90_000) == "1m30s"


@pytest.mark.parametrize("text,ms", [
    ("2026-01-01T00:00:00Z", START),
    ("2026-01-01T00:05:00Z", START + 5 * MINUTE),
    ("2026-01-01T00:00:00.250Z", START + 250),
    ("2026-01-01T00:00:00.1Z", START + 100),
    ("2026-01-01T01:00:00+01:00", START),
    ("2025-12-31T19:00:00-05:00", START),
    ("1970-01-01T00:00:00Z", 0),
    ("9999-12-31T23:59:59.999Z", MAX_TIME),
])
def test_rfc3339(text: str, ms: int) -> None:
    assert parse_rfc3339(text) == ms


@pytest.mark.parametrize("text", ["2026-01-01", "2026-01-01T00:00:00", "2026-13-01T00:00:00Z",
                                  "2026-02-30T00:00:00Z", "2026-01-01T25:00:00Z", "yesterday",
                                  "2026-1-1T00:00:00Z", "2026-01-01T00:00:00ZZ"])
def test_bad_rfc3339(text: str) -> None:
    with pytest.raises(TimeSyntaxError, match="bad time"):
        parse_rfc3339(text)


def test_format_time() -> None:
    assert format_time(START) == "2026-01-01T00:00:00Z"
    assert format_time(START + 250) == "2026-01-01T00:00:00.250Z"
    assert parse_rfc3339(format_time(START + 123_456)) == START + 123_456
    assert format_offset(START + 5 * MINUTE, START) == "+5m"


def test_parse_when_forms() -> None:
    times = [START, START + MINUTE, START + MINUTE]
    assert parse_when("+5m", START) == START + 5 * MINUTE
    assert parse_when("+0s", START) == START
    assert parse_when("2026-01-01T00:05:00Z", START) == START + 5 * MINUTE
    assert parse_when("#2", START, times) == START + MINUTE
    assert parse_when(START + 7, START) == START + 7


@pytest.mark.parametrize("text", ["#0", "#4", "#x", "#", "5m", "now", "+5 minutes", "-5m",
                                  "+10000000000000d"])
def test_parse_when_bad(text: str) -> None:
    with pytest.raises(TimeSyntaxError):
        parse_when(text, START, [START, START, START])


def test_hash_n_without_timeline() -> None:
    with pytest.raises(TimeSyntaxError, match="no event #1"):
        parse_when("#1", START)


# -- no wall clock ------------------------------------------------------------------------

def _run_quickstart() -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["run", str(ROOT / "scenarios" / "quickstart.toml")])
    json_out = io.StringIO()
    with contextlib.redirect_stdout(json_out):
        main(["run", "--json", str(ROOT / "scenarios" / "quickstart.toml")])
    return code, out.getvalue() + json_out.getvalue()


def _forbid_wall_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("the wall clock was read")

    for name in ("time", "time_ns", "monotonic", "monotonic_ns", "localtime", "gmtime"):
        monkeypatch.setattr(time, name, boom)

    class NoNow(dt.datetime):
        @classmethod
        def now(cls, tz: object = None) -> dt.datetime:  # type: ignore[override]
            raise AssertionError("datetime.now was called")

        @classmethod
        def utcnow(cls) -> dt.datetime:  # type: ignore[override]
            raise AssertionError("datetime.utcnow was called")

        @classmethod
        def today(cls) -> dt.datetime:  # type: ignore[override]
            raise AssertionError("datetime.today was called")

    monkeypatch.setattr(dt, "datetime", NoNow)


def test_no_wall_clock_read(monkeypatch: pytest.MonkeyPatch) -> None:
    _run_quickstart()  # import everything before the clocks are taken away
    outputs = []
    for frozen in ("1999-03-04 05:06:07", "2087-11-30 23:59:59"):
        with freeze_time(frozen):
            outputs.append(_run_quickstart())
    with monkeypatch.context() as m:
        _forbid_wall_clock(m)
        outputs.append(_run_quickstart())
    assert outputs[0][0] == 0
    assert outputs[0] == outputs[1] == outputs[2]
    assert "2026-01-01T00:00:00Z" in outputs[0][1]


def test_no_wall_clock_in_simulator(monkeypatch: pytest.MonkeyPatch) -> None:
    from sim import Simulator

    def once() -> list:
        s = Simulator(start="2026-01-01T00:00:00Z")
        s.principal("admin", policy=ALLOW_ALL)
        k = s.call("kms:CreateKey", {}, at="+1m", as_="admin").get("KeyMetadata.Arn")
        s.call("kms:ScheduleKeyDeletion", {"KeyId": k, "PendingWindowInDays": 7}, at="+2m",
               as_="admin")
        return [e.to_dict() for e in s.events] + [s.key_state(k, at="+8d")]

    first = once()
    with monkeypatch.context() as m:
        _forbid_wall_clock(m)
        assert once() == first
    with freeze_time("2150-01-01"):
        assert once() == first


_WALL = re.compile(r"\b(time\.time|time\.time_ns|time\.monotonic|time\.monotonic_ns|"
                   r"datetime\.now|datetime\.utcnow|datetime\.today|date\.today|"
                   r"time\.localtime|time\.perf_counter)\s*\(|\bfrom time import\b")


def test_only_sim_clock_reads_the_wall_clock() -> None:
    offenders = []
    for package in ("sim", "events", "projections"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "sim" / "clock.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = line.split("#", 1)[0]
                if _WALL.search(code):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []

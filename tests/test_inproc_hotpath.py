"""The in-process hot path (issue 11): what a call no longer costs, checked by outcome."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.server.clock import ServerClock
from sim.simulator import Simulator


def test_request_time_reads_no_event_back_from_the_log(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    """The next request's instant comes from the events' times, not from decoding the last
    event out of the log file (a read and a decode per request)."""
    sim = Simulator(log=tmp_path / "t.kmlog")
    sim.call("kms:CreateKey", at="+5s")
    clock = ServerClock(sim)
    events = type(sim.timeline.events)

    def no_read(self: object, i: object) -> object:
        raise AssertionError("request_time read an event back from the log")

    monkeypatch.setattr(events, "__getitem__", no_read)
    assert clock.request_time() == sim.timeline.times[-1] + clock.step
    assert clock.request_time(concurrent=True) == sim.now
    sim.close()

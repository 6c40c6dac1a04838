"""The server's notion of now, and the instant each request happens at (SPEC 4, 10).

Clock modes:

- ``sim`` (default): the clock moves when asked (``POST /_kmsim/clock``, ``kmsim clock
  advance|set``) and by the step below, never by itself;
- ``wall``: now = start + control-endpoint offset + wall time elapsed x speed, the wall
  clock read only through :func:`sim.clock.wall_now_ms`.

Either way simulated time never goes backwards, even when the wall clock does.

The instant of a request (R-SRV-12, R-SRV-13, assumption A-REQUEST-STEP). In both modes
a request that becomes an event happens at::

    t = max(now, time of the previous event + step)        step: 1 ms by default

(the first request of a timeline at ``now``). So sequential requests never share an
instant and never collide as concurrent ones do (ConflictException from the dataset,
OperationAbortedException from CloudWatch Logs), even when the clock has not moved
between them; under ``--clock wall`` this also separates two requests within one
millisecond. The world is then at ``t``: ``GET /_kmsim/clock`` shows ``t`` and the next
request is ``step`` later at the earliest. A call that cannot be recorded moves nothing.
``--set request_step=step:DURATION`` makes the step longer (DURATION >= 1 ms).

Asking for a concurrent request (R-SRV-14): with the header ``x-kmsim-concurrent:
true`` a request happens at the previous event's instant when the clock has not moved
past it (otherwise at ``now``, where nothing else happened), so it meets that event's
changes as a concurrent request would. ``false`` is the default; other values are
refused with 400 and record nothing. Scenario steps at one ``at`` share an instant too.
"""

from __future__ import annotations

from events.timefmt import TimeSyntaxError, format_time, parse_duration
from projections.rulebook import setting
from sim.clock import wall_now_ms
from sim.simulator import Simulator

MODES = ("sim", "wall")
#: The last second formatted by :func:`time_header`: ``(epoch second, its text)``.
_LAST_SECOND: tuple[int, str] = (-1, "")


def time_header(ms: int) -> str:
    """``format_time(ms)`` (the ``x-kmsim-time`` header): requests come a millisecond
    apart, so the second's text is kept and only the milliseconds are formatted anew."""
    global _LAST_SECOND
    second, frac = divmod(ms, 1000)
    last, text = _LAST_SECOND
    if second != last:
        text = format_time(second * 1000)[:-1]  # "...:SSZ" without its "Z"
        _LAST_SECOND = (second, text)
    return f"{text}.{frac:03d}Z" if frac else f"{text}Z"

#: The request header asking for a request concurrent with the previous event.
CONCURRENT_HEADER = "x-kmsim-concurrent"
#: The settings name of A-REQUEST-STEP, the assumption giving the step.
STEP_SETTING = "request_step"


def request_step(value: str) -> int:
    """The step (ms) of an A-REQUEST-STEP value: ``1ms`` or ``step:DURATION``, at least 1 ms
    (a zero step would let sequential requests share an instant again)."""
    text = value[len("step:"):] if value.startswith("step:") else value
    try:
        ms = parse_duration(text)
    except TimeSyntaxError:
        raise ValueError(f"request_step {value!r}: write step:DURATION, e.g. step:1s"
                         ) from None
    if ms < 1:
        raise ValueError(f"request_step {value!r}: the step must be at least 1ms")
    return ms


def concurrent_flag(value: str) -> bool:
    """The ``x-kmsim-concurrent`` header's meaning: ``true`` or ``false`` (any case; absent
    is false); ValueError for anything else."""
    text = value.strip().lower()
    if text in ("", "false"):
        return False
    if text == "true":
        return True
    raise ValueError(f"{CONCURRENT_HEADER}: {value.strip()!r} is neither true nor false")


class ServerClock:
    """Now for the server's Simulator; every method is called under the server's lock."""

    def __init__(self, sim: Simulator, mode: str = "sim", speed: float = 1.0) -> None:
        if mode not in MODES:
            raise ValueError(f"clock must be one of {MODES}, not {mode!r}")
        if not speed > 0:
            raise ValueError("speed must be positive")
        self.sim = sim
        self.mode = mode
        self.speed = speed
        self.step = request_step(setting(sim.settings, STEP_SETTING))
        self._base = sim.now
        self._offset = 0  # ms moved by the control endpoint (wall mode)
        self._wall0 = wall_now_ms() if mode == "wall" else 0

    def now(self) -> int:
        """The current simulated time (ms)."""
        if self.mode == "sim":
            return self.sim.now
        return max(self._base + self._offset + self._elapsed(), self.sim.now)

    def _elapsed(self) -> int:
        return int((wall_now_ms() - self._wall0) * self.speed)

    def sync(self) -> int:
        """Bring the Simulator up to now (firing due timers); returns now."""
        t = self.now()
        if t > self.sim.now:
            self.sim.advance(t - self.sim.now)
        return t

    def request_time(self, concurrent: bool = False) -> int:
        """The instant of the next request (see the module docstring). The Simulator is
        brought up to now only: the call itself moves it to the instant, so a call that
        cannot be recorded leaves the clock where it was."""
        now = self.sync()
        times = self.sim.timeline.times  # the events' instants: no event read back
        if concurrent or not times:
            # now is never before the last event: it is that event's instant unless the
            # clock moved past it
            return now
        return max(now, times[-1] + self.step)

    def advance(self, ms: int) -> int:
        """Move simulated time forward by ``ms``."""
        if ms < 0:
            raise ValueError("the simulated clock only moves forward")
        return self.set(self.now() + ms)

    def set(self, t: int) -> int:
        """Move simulated time to ``t``; moving backwards is refused."""
        now = self.now()
        if t < now:
            raise ValueError("the simulated clock only moves forward; read the past with "
                             "GET /_kmsim/at?time=T")
        if self.mode == "wall":  # from now on the wall clock counts from t
            self._offset = t - self._base - self._elapsed()
        self.sim.advance(t - self.sim.now)
        return self.sync()

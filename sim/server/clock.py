"""The server's notion of now (SPEC 4).

``sim`` (default): simulated time moves only when ``POST /_kmsim/clock`` says so.
``wall``: now = start + control-endpoint offset + wall time elapsed x speed, the wall
clock read only through :func:`sim.clock.wall_now_ms`. Either way simulated time never
goes backwards, even when the wall clock does.
"""

from __future__ import annotations

from sim.clock import wall_now_ms
from sim.simulator import Simulator

MODES = ("sim", "wall")


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

"""kmsim's command side: the Simulator facade, services, scenarios, CLI."""

from sim.simulator import CallResult, Simulator

__all__ = ["CallResult", "Simulator"]

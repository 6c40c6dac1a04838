"""The command side: one module per service registers its operations here.

A handler reads the world (never changes it), decides, and returns the response
or raises :class:`sim.errors.AwsError` naming the deciding rule. The Simulator turns
the outcome into an event, and folding that event is what changes state.

The registry is :mod:`sim.services.registry` (service modules import it, never this
package); importing the package imports every service, so every operation is registered.
"""

from sim.services import areas  # noqa: F401 (registers every service's operations)
from sim.services.registry import (
    OPERATIONS,
    CallContext,
    Draws,
    Handler,
    Operation,
    known_operations,
    lookup,
    operation,
)

__all__ = [
    "OPERATIONS",
    "CallContext",
    "Draws",
    "Handler",
    "Operation",
    "known_operations",
    "lookup",
    "operation",
]

"""The projections: state folded from the event log, and the answers read from it.

Importing the package imports :mod:`projections.areas`, so every area's folds, timers and
item evaluators are registered before any submodule is used (a package's ``__init__``
runs before its submodules). The registries live in modules that import no area
(:mod:`projections.world`, :mod:`projections.decrypt`), so nothing imports back.
"""

from projections import areas  # noqa: F401 (registers every area)

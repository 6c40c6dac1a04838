"""The pytest plugin (entry point ``pytest11``: on by installing kmsim): the ``kmsim``
fixture, a fresh in-process timeline per test, and ``kmsim_module``, one per module.

Options are :func:`~sim.testing.simulated_aws`'s, given with a marker on the test, its
class or its module::

    @pytest.mark.kmsim(clock="wall", principals={"AKIDREADER": READER_ARN})
    def test_reader(kmsim): ...

``kmsim_module`` reads the module's marker (``pytestmark = pytest.mark.kmsim(...)``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sim.testing.aws import SimulatedAws


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker (so ``--strict-markers`` accepts it)."""
    config.addinivalue_line("markers", "kmsim(**options): options of the kmsim fixtures "
                            "(simulated_aws's keyword arguments)")


def _options(node: Any) -> dict:
    options: dict = {}
    for mark in reversed(list(node.iter_markers("kmsim"))):  # the closest mark wins
        options.update(mark.kwargs)
    return options


@pytest.fixture
def kmsim(request: pytest.FixtureRequest) -> Iterator[SimulatedAws]:
    """A fresh simulated AWS for this test; every boto3 client of kms, logs and
    cloudwatch is answered by it."""
    with SimulatedAws(**_options(request.node)) as aws:
        yield aws


@pytest.fixture(scope="module")
def kmsim_module(request: pytest.FixtureRequest) -> Iterator[SimulatedAws]:
    """One simulated AWS shared by the tests of a module (their calls add up)."""
    with SimulatedAws(**_options(request.node)) as aws:
        yield aws

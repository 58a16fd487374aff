"""Top-level pytest configuration: plugins and the backend dimension of the scenarios."""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.steps.machine", "tests.steps.common"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Steps look fixtures up at run time, so the backend must be in the test's own
    # closure (tests/test_features.py marks it) to be parametrized here.
    if "backend_kind" in metafunc.fixturenames:
        from tests.steps.machine import BACKENDS

        metafunc.parametrize("backend_kind", BACKENDS, scope="function")

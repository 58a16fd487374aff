"""Top-level pytest configuration: plugins, options, and the backend dimension."""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["tests.steps.machine", "tests.steps.common", "tests.steps.savecore",
                  "tests.steps.safety", "tests.steps.cli"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kdump-config")
    group.addoption("--host-tier", action="store_true",
                    help="also run the read-only checks against the machine running the tests")
    group.addoption("--kdump-config", metavar="EXECUTABLE", default=None,
                    help="run the scenarios' sandbox backend black-box against this "
                         "kdump-config executable (e.g. a packaged build)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Steps look fixtures up at run time, so the backend must be in the test's own
    # closure (tests/test_features.py marks it) to be parametrized here.
    if "backend_kind" in metafunc.fixturenames:
        from tests.steps.machine import BACKENDS

        metafunc.parametrize("backend_kind", BACKENDS, scope="function")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The catalog coverage check reads what the scenarios recorded: run it last.
    last = [item for item in items if item.nodeid.startswith("tests/test_catalog_coverage.py")]
    items[:] = [item for item in items if item not in last] + last
    if config.getoption("--host-tier"):
        return
    selected = [item for item in items if item.get_closest_marker("host") is None]
    deselected = [item for item in items if item.get_closest_marker("host") is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def pytest_sessionfinish(session: pytest.Session) -> None:
    out = os.environ.get("KDUMP_CODES_OUT")
    if out:
        import json

        from tests.steps.machine import CODES_SEEN

        with open(out, "w") as handle:
            json.dump({k: sorted(v) for k, v in CODES_SEEN.items()}, handle)

"""Top-level pytest configuration: plugins, options, and the backend dimension."""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["tests.steps.machine", "tests.steps.common", "tests.steps.savecore",
                  "tests.steps.safety"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kdump-config")
    group.addoption("--host-tier", action="store_true",
                    help="also run the read-only checks against the machine running the tests")
    group.addoption("--kdump-config", metavar="EXECUTABLE", default=None,
                    help="run the scenarios' sandbox backend black-box against this "
                         "kdump-config executable (e.g. a packaged build)")
    group.addoption("--chroot-root", metavar="DIR", default=None,
                    help="maintainer mode (dev/maintainer-check): run the scenarios in a chroot "
                         "of this Debian root holding /usr/sbin/kdump-config, instead of on "
                         "the sim and linux backends")
    group.addoption("--maintainer-report", metavar="FILE", default=None,
                    help="maintainer mode: write the per-scenario classification as JSON here")
    group.addoption("--maintainer-own", action="store_true",
                    help="maintainer mode: the package is this project's own, so a decision "
                         "tag excuses no difference")


def pytest_configure(config: pytest.Config) -> None:
    # Every decision in docs/compatibility.md is a marker, so that a scenario's
    # @decision-<id> tag passes --strict-markers only when the decision exists.
    from tests.maintainer.decisions import decision_ids

    for ident in decision_ids():
        config.addinivalue_line("markers", f"decision-{ident}: differs from the shell "
                                           f"original on purpose (docs/compatibility.md)")
    if config.getoption("--chroot-root"):
        from tests.maintainer.report import MaintainerReport

        config.pluginmanager.register(MaintainerReport(config), "maintainer-report")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Steps look fixtures up at run time, so the backend must be in the test's own
    # closure (tests/test_features.py marks it) to be parametrized here.
    if "backend_kind" in metafunc.fixturenames:
        from tests.steps.machine import BACKENDS

        kinds = ("chroot",) if metafunc.config.getoption("--chroot-root") else BACKENDS
        metafunc.parametrize("backend_kind", kinds, scope="function")


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

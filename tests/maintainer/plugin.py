"""Maintainer mode's side of pytest, in one place: its options, the decision markers, the
report and the stop on signals.

dev/maintainer-check prepares a Debian root with the package under test and runs pytest
with ``--chroot-root``: every scenario then runs on the chroot machine
(tests/maintainer/chroot.py) instead of the sim and linux backends, and gets a verdict
(tests/maintainer/report.py).  ``--kdump-config`` is its lighter form: the sandbox
backend's scenarios run black-box against a packaged executable.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kdump-config maintainer mode")
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
        from tests.maintainer.stop import StopOnSignals

        config.pluginmanager.register(MaintainerReport(config), "maintainer-report")
        config.pluginmanager.register(StopOnSignals(), "maintainer-stop")


def backends(config: pytest.Config) -> tuple[str, ...] | None:
    """The machines the scenarios run on in maintainer mode (None: not in it)."""
    return ("chroot",) if config.getoption("--chroot-root") else None

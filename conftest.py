"""Top-level pytest configuration: plugins, options, and the backend dimension."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

pytest_plugins = ["tests.steps.machine", "tests.steps.common", "tests.steps.savecore",
                  "tests.steps.safety", "tests.steps.cli", "tests.maintainer.plugin"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kdump-config")
    group.addoption("--host-tier", action="store_true",
                    help="also run the read-only checks against the machine running the tests")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Steps look fixtures up at run time, so the backend must be in the test's own
    # closure (tests/scenarios/test_features.py marks it) to be parametrized here.
    if "backend_kind" in metafunc.fixturenames:
        from tests.maintainer.plugin import backends
        from tests.steps.machine import BACKENDS

        kinds = backends(metafunc.config) or BACKENDS
        metafunc.parametrize("backend_kind", kinds, scope="function")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        # The [linux] scenarios run the real backend, whose programs are stub processes; the
        # [chroot] ones (maintainer mode) run a packaged kdump-config in a chroot.
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend_kind") in ("linux", "chroot"):
            item.add_marker(pytest.mark.real_processes)
    # The catalog coverage check reads what the scenarios recorded: run it last.
    last = [item for item in items
            if item.nodeid.startswith("tests/scenarios/test_catalog_coverage.py")]
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


# -- default deny: a test starts a real process only when it says so ------------------------------
# Mark it ``@pytest.mark.real_processes`` (a module: ``pytestmark``); everything else, the
# simulated machine above all, must never reach a real program.
_SPAWNERS: list[tuple[Any, str]] = [
    (subprocess.Popen, "_execute_child"), (os, "fork"), (os, "forkpty"), (os, "posix_spawn"),
    (os, "posix_spawnp"), (os, "system"), (os, "execv"), (os, "execve"), (os, "execvp"),
    (os, "execvpe"),
]


class UndeclaredProcess(BaseException):
    """Raised where an undeclared test starts a process (a BaseException: no ``except
    Exception`` boundary of the code under test can swallow it)."""


@contextmanager
def _processes_refused(nodeid: str) -> Iterator[None]:
    saved = [(owner, name, getattr(owner, name)) for owner, name in _SPAWNERS
             if hasattr(owner, name)]

    def refusing(name: str) -> Callable[..., Any]:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise UndeclaredProcess(
                f"{nodeid} started a real process ({name}) without declaring it: mark the "
                "test @pytest.mark.real_processes if it must")
        return refuse

    for owner, name, _ in saved:
        setattr(owner, name, refusing(name))
    try:
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None,
                            ) -> Generator[None, None, None]:
    if item.get_closest_marker("real_processes") is not None:
        yield
        return
    with _processes_refused(item.nodeid):
        yield

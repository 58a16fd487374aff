"""Maintainer mode stopped by a signal (tests/maintainer/stop.py): the first SIGTERM, SIGHUP
or SIGINT becomes an exception that unwinds the run, not a death on the spot; the session
stops after the running scenario even where that exception is caught; later signals cannot
interrupt the unwinding. The handler is called as Python would call it; no signal is sent (a
broken guard would kill the test run itself)."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from tests.maintainer.stop import SIGNALS, StopOnSignals, Stopped


@pytest.fixture
def plugin() -> Iterator[StopOnSignals]:
    made = StopOnSignals()
    try:
        yield made
    finally:
        for number, handler in made.previous.items():
            signal.signal(number, handler)


@pytest.mark.parametrize("number", SIGNALS, ids=lambda n: signal.Signals(n).name)
def test_the_first_signal_unwinds_the_run_and_later_ones_are_ignored(
        plugin: StopOnSignals, number: signal.Signals) -> None:
    handler = signal.getsignal(number)
    assert callable(handler)
    # A KeyboardInterrupt, not an Exception: no `except Exception` on the way up swallows it.
    with pytest.raises(KeyboardInterrupt) as stopped:
        handler(number, None)
    assert isinstance(stopped.value, Stopped)
    assert not isinstance(stopped.value, Exception)
    assert str(stopped.value) == f"maintainer mode stopped by {number.name}"
    assert all(signal.getsignal(n) == signal.SIG_IGN for n in SIGNALS)


def _scenario(plugin: StopOnSignals, during: Any) -> SimpleNamespace:
    """One scenario through the plugin's wrapper, `during` run as its body."""
    item = SimpleNamespace(session=SimpleNamespace(shouldstop=False))
    wrapper = plugin.pytest_runtest_protocol(item, None)  # type: ignore[arg-type]
    next(wrapper)
    during()
    with pytest.raises(StopIteration):
        next(wrapper)
    return item


def test_the_session_stops_after_a_scenario_that_caught_the_interrupt(
        plugin: StopOnSignals) -> None:
    def swallowed() -> None:
        # What a CLI run in-process does with Ctrl-C: its exit status, not the exception.
        with contextlib.suppress(KeyboardInterrupt):
            plugin._stop(signal.SIGTERM, None)

    assert _scenario(plugin, swallowed).session.shouldstop == "maintainer mode stopped by SIGTERM"


def test_without_a_signal_the_session_goes_on(plugin: StopOnSignals) -> None:
    assert _scenario(plugin, lambda: None).session.shouldstop is False

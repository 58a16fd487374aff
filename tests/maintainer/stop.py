"""Maintainer mode stopped from outside (Ctrl-C, SIGTERM, SIGHUP): the chroots come down.

Each scenario mounts an overlay over the Debian root (and binds inside it) for as long as
kdump-config runs (tests/maintainer/chroot.py). Python's default for SIGTERM and SIGHUP is to die
on the spot, which leaves those mounts behind. Here the first of these signals does two things:

- it raises ``Stopped`` (a KeyboardInterrupt) where the main thread is, which cuts a wait
  short: the scenario unwinds (its ``with`` blocks unmount, its program is killed);
- it asks the session to stop after the running scenario (``session.shouldstop``), which
  holds even where the exception is caught on its way up (a program run in-process turns
  Ctrl-C into its exit status) or lands between two scenarios.

pytest then stops as on Ctrl-C and tears the fixtures down (ChrootMachine.cleanup unmounts
what is left). Any later signal is ignored, so the unwinding is not cut short (SIGKILL still
ends it).
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Generator
from types import FrameType
from typing import Any

import pytest

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

Handler = Callable[[int, FrameType | None], Any] | int | None


class Stopped(KeyboardInterrupt):
    """The run was stopped by a signal."""


class StopOnSignals:
    """A pytest plugin; made in the main thread, it installs the handler at once."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self.previous: dict[int, Handler] = {}
        for number in SIGNALS:
            self.previous[int(number)] = signal.getsignal(number)
            signal.signal(number, self._stop)

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        for number in SIGNALS:
            signal.signal(number, signal.SIG_IGN)
        self.reason = f"maintainer mode stopped by {signal.Signals(signum).name}"
        raise Stopped(self.reason)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None,
                                ) -> Generator[None, None, None]:
        yield
        if self.reason is not None:
            item.session.shouldstop = self.reason

"""The sandbox tier: the real Linux backend on a machine's root tree, with stub programs.

The machine is built from the same profile as the simulated one (its ``root/``
is a real directory tree); kdump-config runs with ``--backend linux --root``,
and the programs it starts are stubs (sim.stub) that emulate kexec, makedumpfile,
mount, ssh... and record their argv in the same effect log.  Only time and
syslog are redirected, so that a run is deterministic and never reaches the
host's journal.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from backends.linux import LinuxHost
from sim import stub
from sim.machine import Machine
from tests.steps.machine import TestMachine


class SandboxMachine(TestMachine):
    backend = "linux"

    def build(self, profile: str) -> None:
        super().build(profile)
        stub.install(self.machine, sys.executable)

    def cli_argv(self, words: list[str]) -> list[str]:
        return ["--backend", "linux", "--root", str(self.state_dir / "root"), *words]

    @contextmanager
    def host_seams(self) -> Iterator[None]:
        machine_dir = self.state_dir

        def now(_host: LinuxHost) -> dt.datetime:
            return Machine(machine_dir).now()

        def sleep(_host: LinuxHost, seconds: float) -> None:
            Machine(machine_dir).advance(seconds)

        def syslog(_host: LinuxHost, tag: str, message: str) -> None:
            Machine(machine_dir).syslog(tag, message)

        saved = {name: getattr(LinuxHost, name) for name in ("now", "sleep", "syslog")}
        LinuxHost.now = now  # type: ignore[method-assign]
        LinuxHost.sleep = sleep  # type: ignore[method-assign]
        LinuxHost.syslog = syslog  # type: ignore[method-assign]
        try:
            yield
        finally:
            for name, value in saved.items():
                setattr(LinuxHost, name, value)


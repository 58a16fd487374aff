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
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from backends.linux import LinuxHost
from sim import stub
from sim.machine import Machine
from tests.steps.machine import CliResult, TestMachine


class SandboxMachine(TestMachine):
    backend = "linux"
    # Set from `pytest --kdump-config=EXE`: run that executable as a process instead of
    # the in-process CLI (a distro maintainer validating a packaged build).
    executable: str | None = None

    def build(self, profile: str) -> None:
        super().build(profile)
        stub.install(self.machine, sys.executable)

    def cli_argv(self, words: list[str]) -> list[str]:
        return ["--backend", "linux", "--root", str(self.state_dir / "root"), *words]

    def run(self, command_line: str) -> CliResult:
        if self.executable is None:
            return super().run(command_line)
        words = shlex.split(command_line)
        words = words[1:] if words and words[0] == "kdump-config" else words
        env = {k: v for k, v in os.environ.items() if not k.startswith("KDUMP_") and k != "NAME"}
        env.update(self.env)
        # A process cannot share our virtual clock; faketime (if installed) pins it to
        # the machine's, so dump names stay what the scenarios expect.
        clock = shutil.which("faketime")
        prefix = [clock, "-f", "@" + self.machine.now().strftime("%Y-%m-%d %H:%M:%S")] \
            if clock else []
        done = subprocess.run([*prefix, self.executable, *self.cli_argv(words)],
                              capture_output=True, text=True, env=env, timeout=300, check=False)
        self.last = CliResult(words, done.returncode, done.stdout, done.stderr)
        return self.last

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


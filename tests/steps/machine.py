"""A machine under test, whatever the backend: build it, poke it, run kdump-config on it.

Steps talk to a TestMachine only, so the same Gherkin runs on every backend; the
only backend-specific code is how a machine is built and how the CLI is pointed
at it.
"""

from __future__ import annotations

import io
import json
import os
import shlex
from collections.abc import Iterator, Mapping
from contextlib import (
    AbstractContextManager,
    contextmanager,
    nullcontext,
    redirect_stderr,
    redirect_stdout,
)
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import pytest

from backends.values import HostParts
from sim.machine import SimulatedMachine

# Which backends the scenarios run on: every scenario runs on both.
BACKENDS = tuple(os.environ.get("KDUMP_TEST_BACKENDS", "sim,linux").split(","))

# Catalog codes each backend's scenarios made kdump-config emit
# (tests/scenarios/test_catalog_coverage.py).
CODES_SEEN: dict[str, set[str]] = {}


@contextmanager
def recording_codes(backend: str) -> Iterator[None]:
    """Note every catalog code emitted while kdump-config runs in this process."""
    from kdump.reporter import observe

    with observe(CODES_SEEN.setdefault(backend, set()).add):
        yield


class _Terminal(io.TextIOWrapper):
    """An output stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@dataclass
class CliResult:
    argv: list[str]
    exit_code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict[str, object]:
        document: dict[str, object] = json.loads(self.stdout)
        return document


# What a scenario may need of the machine it runs on.  Every machine can do all of it but
# what its class lists in ``lacks``; a step that needs what the machine lacks is reported
# "not applicable" (tests/maintainer/report.py counts those apart), never failed.
CAPABILITIES = {
    "in-process": "the error is injected into the in-process CLI",
    "virtual-clock": "time slept by kdump-config is seen by the machine's clock",
    "durability": "fsync and rename are recorded in the machine's effect log",
    "lock-holder": "another process can hold kdump-config's lock or its queue",
    "lock-fault": "another holder of the lock can be a simulated-kernel fault",
    "nfs-export": "an NFS export can be attached into the machine's tree",
    "ftp-server": "the machine's FTP servers can be reached",
    "byte-pump": "the copy's byte pump can be given to the backend",
    "machine-options": "options can point kdump-config at the machine",
}
NOT_APPLICABLE = "not applicable"


@dataclass
class TestMachine:
    """A simulated machine in a temporary state directory."""

    state_dir: Path
    backend = "sim"
    profile: str = "x86_64-ready"
    env: dict[str, str] = field(default_factory=dict)
    last: CliResult | None = None
    # An exception the next in-process run hits inside the command (the exception
    # boundary's scenarios); None: none.
    unexpected: BaseException | None = None
    # stdout and stderr are a terminal (the colour scenarios); in-process runs only.
    tty: bool = False

    __test__ = False  # not a test class, despite the name
    # The capabilities (CAPABILITIES) this kind of machine lacks, each with why.
    lacks: ClassVar[Mapping[str, str]] = {}
    where: ClassVar[str] = "on this machine"

    def need(self, *capabilities: str) -> None:
        """Skip, as not applicable, a scenario that needs what this machine lacks."""
        for capability in capabilities:
            assert capability in CAPABILITIES, capability
            if capability in self.lacks:
                pytest.skip(f"{NOT_APPLICABLE} {self.where}: {self.lacks[capability]}")

    def needed_by_a_run(self, words: list[str]) -> list[str]:
        """The capabilities running kdump-config with ``words`` needs, from what the
        scenario set up on the machine."""
        machine = self.machine
        needed = {
            "in-process": self.unexpected is not None,
            "nfs-export": bool(machine.state.get("nfs_exports") or machine.state.get("nfs_hosts")),
            "ftp-server": bool(machine.state.get("ftp_hosts")),
            "byte-pump": machine.fault("vmcore-short-copy") is not None,
            "lock-holder": bool(self.__dict__.get("_holders")),
            "lock-fault": bool(machine.fault("lock-held") or machine.fault("lock-queued")),
            "machine-options": any(word in ("--backend", "--root") or
                                   word.startswith(("--backend=", "--root=")) for word in words),
        }
        return [capability for capability, yes in needed.items() if yes]

    def build(self, profile: str) -> None:
        self.profile = profile
        SimulatedMachine.create(self.state_dir, profile)

    @property
    def machine(self) -> SimulatedMachine:
        return SimulatedMachine(self.state_dir)

    # -- the machine's files -------------------------------------------------------------
    def host_path(self, target: str) -> Path:
        return self.machine.path(target)

    def write(self, target: str, text: str, mode: int = 0o644) -> None:
        self.machine.write(target, text, mode)

    def remove(self, target: str) -> None:
        path = self.host_path(target)
        if path.is_dir() and not path.is_symlink():
            import shutil

            shutil.rmtree(path)
        elif os.path.lexists(path):  # a file, a link, a FIFO
            path.unlink()

    def symlink(self, link: str, target: str) -> None:
        path = self.host_path(link)
        self.remove(link)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target)

    def read(self, target: str) -> str | None:
        return self.machine.read(target)

    def readlink(self, target: str) -> str | None:
        path = self.host_path(target)
        return os.readlink(path) if path.is_symlink() else None

    def exists(self, target: str) -> bool:
        return os.path.lexists(self.host_path(target))

    def mode(self, target: str) -> int:
        return os.stat(self.host_path(target)).st_mode & 0o777

    def listdir(self, target: str) -> list[str]:
        path = self.host_path(target)
        return sorted(os.listdir(path)) if path.is_dir() else []

    def observe(self, what: str) -> None:
        """A step is about to read something only some machines record ("virtual-clock":
        time slept by kdump-config; "durability": its fsync and rename calls)."""
        self.need(what)

    # -- another user's doing ----------------------------------------------------------------
    lock_holder: str = ""

    def plant(self, target: str, link_to: str | None = None, directory: bool = False,
              text: str = "", fifo: bool = False) -> None:
        """Another user (nobody) leaves a link, directory, FIFO or file at ``target``.

        The simulated machine records the owner in its state (it has no other users).
        """
        self.remove(target)
        self.machine.plant(target, link_to=link_to, directory=directory, text=text, fifo=fifo)

    def hold_lock(self) -> None:
        """Another process holds kdump-config's lock: the simulated kernel's fault names it."""
        self.need("lock-holder")
        self.arm_fault("lock-held", 4242)
        self.lock_holder = "pid 4242"

    def release_lock(self) -> None:
        """The other process lets go of kdump-config's lock."""
        self.machine.clear_fault("lock-held")

    def hold_queue(self) -> None:
        """Another try-reload waits in the queue behind the lock's holder."""
        self.need("lock-holder")
        self.arm_fault("lock-queued", 4243)

    # -- installed programs ---------------------------------------------------------------
    def uninstall_tool(self, name: str) -> None:
        """Take a program off the machine (kexec, sysctl, makedumpfile ...)."""
        from sim.profile import tool_path

        machine = self.machine
        machine.state["tools"] = [t for t in machine.state.get("tools", []) if t != name]
        machine.save()
        # Where a backend that runs real programs finds it (the sandbox's stubs).
        self.remove(tool_path(name))

    # -- the environment kdump-config runs with ------------------------------------------
    def set_env(self, key: str, value: str) -> None:
        """kdump-config's environment: the process's (NAME, KDUMP_*), and on a simulated
        machine the machine's own, where config keys come from (never the caller's)."""
        self.env[key] = value
        self.machine.set_environ(key, value)

    # -- kernel-side events ------------------------------------------------------------------
    def arm_fault(self, name: str, value: object = True) -> None:
        self.machine.set_fault(name, value)

    def crash(self, vmcore_size: int | None = None) -> None:
        machine = self.machine
        if vmcore_size is None:
            machine.crash()
        else:
            machine.crash(vmcore_size)

    def effects(self) -> list[dict[str, object]]:
        return list(self.machine.effects())

    def remote_path(self, kind: str, host: str, path: str) -> Path:
        return self.state_dir / "remote" / kind / host / path.lstrip("/")

    # -- running kdump-config -----------------------------------------------------------------
    def cli_argv(self, words: list[str]) -> list[str]:
        from sandbox.machines import sim_argv

        return [*sim_argv(self.state_dir), *words]

    def host_seams(self) -> AbstractContextManager[HostParts | None]:
        """What the backend is given instead of its own parts (nothing: a simulated
        machine has its own clock, syslog and servers)."""
        return nullcontext()

    def cleanup(self) -> None:
        """Undo whatever the backend set up outside the state directory (nothing here)."""

    def write_bytes(self, target: str, data: bytes) -> None:
        self.machine.write_bytes(target, data)

    def run(self, command_line: str, bare: bool = False) -> CliResult:
        """Run kdump-config on this machine (``bare``: without the options naming it)."""
        from kdump.cli import main

        words = shlex.split(command_line)
        if words and words[0] == "kdump-config":
            words = words[1:]
        self.need(*self.needed_by_a_run(words))
        argv = words if bare else self.cli_argv(words)
        # Strict UTF-8 like a real stdout: text a terminal could not take fails here too.
        out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
        stream = _Terminal if self.tty else io.TextIOWrapper
        out = stream(out_bytes, encoding="utf-8", errors="strict", newline="\n")
        err = stream(err_bytes, encoding="utf-8", errors="strict", newline="\n")
        saved = dict(os.environ)
        os.environ.pop("NAME", None)
        os.environ.update(self.env)
        try:
            with redirect_stdout(out), redirect_stderr(err), self.host_seams() as parts, \
                    recording_codes(self.backend), self.unexpected_error():
                code = main(argv, parts=parts)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        out.flush()
        err.flush()
        self.last = CliResult(words, code, out_bytes.getvalue().decode(),
                              err_bytes.getvalue().decode())
        from tests.steps.cli import check_json_output

        check_json_output(self.last)
        return self.last

    @contextmanager
    def unexpected_error(self) -> Iterator[None]:
        """Make the command itself raise ``self.unexpected`` (a bug, as far as it knows)."""
        if self.unexpected is None:
            yield
            return
        import kdump.context

        error = self.unexpected

        class BrokenContext(kdump.context.Context):
            """Fails at the command's first look at the machine or first message."""

            @property
            def facts(self) -> kdump.context.Facts:
                raise error

            def emit(self, code: str, **params: object) -> int:
                raise error

        original = kdump.context.Context
        kdump.context.Context = BrokenContext  # type: ignore[misc]
        try:
            yield
        finally:
            kdump.context.Context = original  # type: ignore[misc]


@pytest.fixture
def machine(backend_kind: str, tmp_path: Path, request: pytest.FixtureRequest,
            ) -> Iterator[TestMachine]:
    from tests.maintainer.chroot import ChrootMachine
    from tests.steps.sandbox import SandboxMachine

    SandboxMachine.executable = request.config.getoption("--kdump-config")
    ChrootMachine.lower = request.config.getoption("--chroot-root") or ""

    kinds: dict[str, type[TestMachine]] = {"sim": TestMachine, "linux": SandboxMachine,
                                           "chroot": ChrootMachine}
    test_machine = kinds[backend_kind](tmp_path / "machine")
    test_machine.build("x86_64-ready")
    yield test_machine
    test_machine.cleanup()

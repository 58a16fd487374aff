"""A try-reload request that arrives while a reload runs is never lost.

The reload reads the machine when it starts; a CPU or memory block that comes or goes
after that is not in what it loads.  So a request arriving during it must lead to
another reload after it (the coalescing may merge it with others, never drop it).

Real kdump-config processes on the sandbox tier (the real backend, its programs stub
processes): the first request's reload is held inside its first kexec call by a gate
in front of the kexec stub, the second request is made then, and the gate is opened
once the second has made its choice (it returned, or said something: it is waiting).
Asserted: how many loads kexec saw from the gate on (the second request can only reload
once the first has let the lock go); nothing on timing.  The simulator runs kexec
inside kdump-config itself, where no gate can be put: this is the sandbox's alone.
"""

from __future__ import annotations

import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox.stub import TOP
from sim.profile import TOOL_DIRS
from tests.steps.common import programs_run
from tests.steps.sandbox import SandboxMachine

pytestmark = pytest.mark.real_processes

# The kexec stub, behind a one-shot gate: the first call after the gate is armed says so
# (``inside``) and waits for ``go``; every other call is the stub at once.
GATED_KEXEC = """#!{python}
import os, sys, time
sys.path.insert(0, {top!r})
gate = {gate!r}
try:
    os.rename(gate + "/armed", gate + "/taken")
except FileNotFoundError:
    pass
else:
    open(gate + "/inside", "w").close()
    while not os.path.exists(gate + "/go"):
        time.sleep(0.02)
from sandbox.stub import main
sys.exit(main())
"""
GUARD = 120.0  # a safety net for a process that never gets there, not a measurement
CHOICE_WAIT = 20.0  # how long the second request may stay silent before we go on anyway


def _loads(machine: SandboxMachine) -> list[list[str]]:
    return [argv for argv in programs_run(machine) if Path(argv[0]).name == "kexec"
            and "-u" not in argv]


def _try_reload(machine: SandboxMachine) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "kdump.cli", *machine.cli_argv(["try-reload"])]
    return subprocess.Popen(argv, cwd=TOP, stdout=subprocess.PIPE,  # noqa: S603
                            stderr=subprocess.PIPE, text=True)


def _wait_for(condition: object, what: str) -> None:
    end = time.monotonic() + GUARD
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < end, f"never happened: {what}"
        time.sleep(0.02)


def _choice_made(proc: subprocess.Popen[str]) -> None:
    """Until ``proc`` has returned or written something (a waiting request says so)."""
    assert proc.stdout is not None and proc.stderr is not None
    end = time.monotonic() + CHOICE_WAIT
    while proc.poll() is None and time.monotonic() < end:
        ready, _, _ = select.select([proc.stdout, proc.stderr], [], [], 0.05)
        if ready:
            return


def test_a_request_during_a_reload_gets_a_reload_of_its_own_after_it(tmp_path: Path) -> None:
    machine = SandboxMachine(state_dir=tmp_path / "machine")
    machine.build("x86_64-ready")
    procs: list[subprocess.Popen[str]] = []
    try:
        assert machine.run("kdump-config load").exit_code == 0
        gate = tmp_path / "gate"
        gate.mkdir()
        kexec = machine.machine.path(f"{TOOL_DIRS['kexec']}/kexec")
        kexec.write_text(GATED_KEXEC.format(python=sys.executable, top=TOP, gate=str(gate)))
        loads_before = len(_loads(machine))
        (gate / "armed").touch()

        first = _try_reload(machine)
        procs.append(first)
        _wait_for(lambda: (gate / "inside").exists() or first.poll() is not None,
                  "the first reload reached kexec")
        assert (gate / "inside").exists(), first.communicate()
        # The first reload has read the machine and is changing what is loaded: a
        # hotplug event now, and its request.
        second = _try_reload(machine)
        procs.append(second)
        _choice_made(second)
        (gate / "go").touch()

        outputs = [proc.communicate(timeout=GUARD) for proc in procs]
        assert [proc.returncode for proc in procs] == [0, 0], outputs
        loads = _loads(machine)[loads_before:]
        # One reload for the first request, and one more, after it, for the second.
        assert len(loads) == 2, (loads, outputs)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        machine.cleanup()

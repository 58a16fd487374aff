"""Issue 10, progress: makedumpfile's own progress reaches a terminal while it runs.

kdump-config runs as a process with its output on a pseudo-terminal, on a simulated
machine that crashed with a 2 GB vmcore (the simulator's makedumpfile reports its progress
as the real one does), and on a sandbox root through the real backend's process runner.
On a pipe, and with --json, there is no progress. The runner's tee is shown to be live
(not replayed at the end) with a program that waits, after its first progress line,
until that line has been seen.
"""

from __future__ import annotations

import contextlib
import os
import pty
import re
import select
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from backends.runner import Program, Runner
from sandbox import stub
from sim.machine import SimulatedMachine

pytestmark = pytest.mark.real_processes  # kdump-config on a terminal and on pipes

TOP = Path(__file__).resolve().parents[2]
GIB = 1 << 30
STEP = re.compile(rb"\rCopying data +: \[ *(\d+\.\d) %\]")
# A safety stop for a test that would otherwise hang, not a timing assertion.
NEVER = 300.0


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("KDUMP_") and k not in ("NAME", "NO_COLOR")}
    env["TERM"] = "xterm"
    return env


def _command(machine_args: list[str], *words: str) -> list[str]:
    # `python -m kdump.cli`: the entry point, from this source tree.
    return [sys.executable, "-m", "kdump.cli", *machine_args, "savecore", *words]


def on_a_terminal(argv: list[str]) -> tuple[int, bytes]:
    """Run ``argv`` with stdin, stdout and stderr on a pseudo-terminal: its status and
    everything the terminal received."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=_env(),
                            cwd=TOP)
    os.close(slave)
    seen = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], NEVER)
            assert ready, f"no output for {NEVER} s:\n{seen[-2000:]!r}"
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every holder of the terminal has closed it
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
    return proc.wait(timeout=NEVER), seen


def on_pipes(argv: list[str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(argv, capture_output=True, env=_env(), cwd=TOP, timeout=NEVER,
                          check=False)


def _percentages(output: bytes) -> list[float]:
    return [float(match.group(1)) for match in STEP.finditer(output)]


@pytest.fixture(scope="module")
def crashed_2gb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A simulated machine in its capture kernel, /proc/vmcore 2 GB."""
    state = tmp_path_factory.mktemp("progress") / "machine"
    SimulatedMachine.create(state, "x86_64-ready")
    done = subprocess.run([sys.executable, "-m", "kdump.cli", "--backend", "sim",
                           "--sim-state", str(state), "load"], capture_output=True,
                          env=_env(), cwd=TOP, check=False)
    assert done.returncode == 0, done
    SimulatedMachine(state).crash(2 * GIB)
    return state


def _dumps(state: Path) -> list[Path]:
    return sorted((state / "root" / "var" / "crash").glob("*/dump.*"))


def test_makedumpfile_progress_reaches_the_terminal_of_a_2gb_capture(crashed_2gb: Path,
                                                                     ) -> None:
    before = len(_dumps(crashed_2gb))
    status, seen = on_a_terminal(_command(["--backend", "sim", "--sim-state",
                                           str(crashed_2gb)]))
    assert status == 0, seen[-2000:]
    steps = _percentages(seen)
    # Redrawn in place (carriage returns), percent by percent, to the end.
    assert len(set(steps)) >= 50 and steps == sorted(steps) and steps[-1] == 100.0, steps
    started = seen.index(b"running makedumpfile -F -c -d 31 /proc/vmcore")
    saved = seen.index(b"kdump-config: saved vmcore in")
    assert started < seen.index(b"\rCopying data") < saved
    assert b"makedumpfile Completed." in seen[started:saved]  # its own words, as the original
    assert len(_dumps(crashed_2gb)) == before + 1


def test_no_progress_on_a_pipe(crashed_2gb: Path) -> None:
    before = len(_dumps(crashed_2gb))
    done = on_pipes(_command(["--backend", "sim", "--sim-state", str(crashed_2gb)]))
    assert done.returncode == 0, done.stderr
    assert b"Copying data" not in done.stdout + done.stderr
    assert b"\r" not in done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith(b"kdump-config: saved vmcore in")
    assert len(_dumps(crashed_2gb)) == before + 1


def test_no_progress_with_json_on_a_terminal(crashed_2gb: Path) -> None:
    import json

    status, seen = on_a_terminal(_command(["--backend", "sim", "--sim-state",
                                           str(crashed_2gb)], "--json"))
    assert status == 0
    assert b"Copying data" not in seen
    document = json.loads(seen.replace(b"\r\n", b"\n"))
    assert "vmcore-saved" in [m["code"] for m in document["messages"]]


@pytest.fixture
def sandbox_crashed(tmp_path: Path) -> Path:
    """A sandbox root (the real backend, stub programs), crashed with a 64 MiB vmcore."""
    machine = SimulatedMachine.create(tmp_path / "machine", "x86_64-ready")
    stub.install(machine, sys.executable)
    done = subprocess.run([sys.executable, "-m", "kdump.cli", "--backend", "linux", "--root",
                           str(machine.root), "load"], capture_output=True, env=_env(),
                          cwd=TOP, check=False)
    assert done.returncode == 0, done
    SimulatedMachine(machine.dir).crash(64 << 20)
    return machine.root


def test_the_real_backend_passes_progress_to_the_terminal(sandbox_crashed: Path) -> None:
    status, seen = on_a_terminal(_command(["--backend", "linux", "--root",
                                           str(sandbox_crashed)]))
    assert status == 0, seen[-2000:]
    steps = _percentages(seen)
    assert steps and steps[-1] == 100.0, seen[-2000:]
    assert seen.index(b"\rCopying data") < seen.index(b"kdump-config: saved vmcore in")


def test_the_real_backend_shows_no_progress_on_a_pipe(sandbox_crashed: Path) -> None:
    done = on_pipes(_command(["--backend", "linux", "--root", str(sandbox_crashed)]))
    assert done.returncode == 0, done.stderr
    assert b"Copying data" not in done.stdout + done.stderr


_WAITS_FOR_GATE = """
import sys
sys.stderr.write("step 1\\r"); sys.stderr.flush()
open(sys.argv[1]).read()  # blocks until the test has seen step 1
sys.stderr.write("step 2\\n"); sys.stdout.write("out")
"""


def test_the_runner_passes_stderr_on_while_the_program_runs(tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    os.mkfifo(gate)
    read_end, write_end = os.pipe()
    results = []
    program = Program.of([sys.executable, "-c", _WAITS_FOR_GATE, str(gate)])
    worker = threading.Thread(target=lambda: results.append(
        Runner().pipeline([program, Program.of(["cat"])], timeout=2 * NEVER,
                          live_stderr=write_end)), daemon=True)
    worker.start()
    seen = b""
    try:
        while b"step 1" not in seen:  # the program is still waiting: this came live
            ready, _, _ = select.select([read_end], [], [], NEVER)
            assert ready, "the program's stderr did not arrive while it ran"
            seen += os.read(read_end, 1024)
    except BaseException:
        with contextlib.suppress(OSError):  # let it finish, if it still waits
            os.close(os.open(gate, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(2 * NEVER)
        raise
    with open(gate, "w"):  # waits for the program to open the gate (right after step 1)
        pass
    worker.join(2 * NEVER)
    os.close(write_end)
    while chunk := os.read(read_end, 1024):
        seen += chunk
    os.close(read_end)
    (result,) = results
    assert result.ok and result.stages[-1].stdout == "out"
    first = result.stages[0]
    assert seen == b"step 1\rstep 2\n" and first.stderr == "step 1\rstep 2\n"
    assert first.shown == len(first.stderr)  # savecore will not repeat it

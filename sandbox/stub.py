"""Stub executables: the simulated machine's programs as real processes.

The sandbox tier runs the *real* Linux backend against a machine's ``root/``
tree.  There, ``/usr/sbin/kexec`` and friends are small scripts that land here:
they find their machine from their own location, emulate the program with
sim.tools (the same code the simulated backend runs in-process), record the
call in the effect log, and exit like the real program.

What a stub records as argv[0] is the file the kernel executed: for a script the
kernel replaces the caller's argv[0] with that path, so a stub cannot see it.  That
argv[0] stays the name a program is invoked as is shown with a real binary instead
(tests/adapter/test_runner.py).  The fault ``hang NAME`` makes the stub for NAME
sleep silently (recording ``hang``, and ``hang-outlived`` if nobody killed it).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from backends.rooted import RootedFiles
from sandbox import kernel_faults
from sim import tools
from sim.machine import STATE_FILE, SimulatedMachine
from sim.profile import tool_path

HANG_SECONDS = 30
# The stub runs as its own process: the source tree (where sandbox/ lives) goes on its path.
TOP = str(Path(__file__).resolve().parents[1])
STUB_TEMPLATE = ("#!{python}\nimport sys\nsys.path.insert(0, {top!r})\n"
                 "from sandbox.stub import main\nsys.exit(main())\n")


def _machine_of(path: Path) -> SimulatedMachine:
    for parent in path.parents:
        if (parent / STATE_FILE).is_file() and (parent / "root").is_dir():
            return SimulatedMachine(parent)
    raise SystemExit(f"{path}: not inside a simulated machine")


def main(argv: list[str] | None = None, machine_dir: str | None = None) -> int:
    """Run the stub; ``machine_dir``: the machine's state directory, given when the stub
    runs inside a chroot of the machine (maintainer mode), where its path is the target's."""
    args = list(sys.argv if argv is None else argv)
    program = Path(os.path.abspath(args[0]))
    stdin = b"" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.buffer.read()
    # A disk-full fault reaches us as a file-size limit: it is for what we write on
    # stdout (the dump), not for the machine's own records.
    with kernel_faults.unlimited_bookkeeping():
        machine = _machine_of(program) if machine_dir is None else \
            SimulatedMachine(Path(machine_dir))
        files = RootedFiles(str(machine.root))
        target = files.to_target(str(program)) if machine_dir is None else str(program)
        call = [target, *args[1:]]
        machine.log_effect("run", argv=call)
        name = os.path.basename(target)
        if name in _armed_list(machine.fault("hang")):
            # Never finishes, silently: only the caller's deadline ends this.  Bounded,
            # so a caller without one still ends (and sees no output, not a success).
            machine.log_effect("hang", argv=call)
            time.sleep(HANG_SECONDS)
            # Still alive: whoever started us had no deadline (or ignored it).
            machine.log_effect("hang-outlived", argv=call)
            return 0
        if name == "umount":
            _release_readonly_mounts(machine, files)
        if target == tools.KERNEL_HOOK:
            outcome = tools.kernel_hook(machine, files, args[1] if len(args) > 1 else "")
        else:
            from sim.programs import emulate  # every program's emulator: not before a hang

            outcome = emulate(machine, files, call, stdin, live=_to_stderr)
        if name == "mount" and outcome.returncode == 0:
            _apply_readonly_mounts(machine, files)
    sys.stderr.write(outcome.stderr[outcome.shown:])  # the rest: progress went out live
    try:
        _write_all(sys.stdout.fileno(), outcome.stdout)
    except OSError as exc:
        sys.stderr.write(f"{name}: write error: {exc.strerror}\n")
        return 1
    return outcome.returncode


def _to_stderr(text: str) -> None:
    """A program's progress, on its stderr as it happens (as the real program writes it)."""
    sys.stderr.write(text)
    sys.stderr.flush()


def _armed_list(value: object) -> list[str]:
    if not value:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _apply_readonly_mounts(machine: SimulatedMachine, files: RootedFiles) -> None:
    """An export the fault mounts read-only is made read-only by the real kernel here."""
    for mountpoint in machine.readonly_mounts():
        host = files.host_path(mountpoint)
        if not kernel_faults.is_mounted(host):
            kernel_faults.make_readonly(host)


def _release_readonly_mounts(machine: SimulatedMachine, files: RootedFiles) -> None:
    for mountpoint in machine.readonly_mounts():
        kernel_faults.release(files.host_path(mountpoint))


def install(machine: SimulatedMachine, python: str | None = None,
            script: str | None = None) -> None:
    """Put a stub at the target path of every tool the machine has, and of the hook.

    ``script``: the stub's text instead of the default (the chroot's own, in maintainer mode).
    """
    script = script or STUB_TEMPLATE.format(python=python or sys.executable, top=TOP)
    for name in machine.state.get("tools", []):
        machine.write(tool_path(name), script, mode=0o755)
    if machine.path(tools.KERNEL_HOOK).exists():
        machine.write(tools.KERNEL_HOOK, script, mode=0o755)

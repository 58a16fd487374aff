"""Nothing the runner starts outlives it: a grandchild (the kernel hook's mkinitramfs) goes
with its parent at a deadline and when kdump-config itself is stopped.

Real processes: a shell that starts a background writer and waits, as a hook running
mkinitramfs does.  SIGKILL of kdump-config is not covered (nothing of ours runs then;
under systemd the unit's cgroup is killed whole).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backends.linux import LinuxHost
from backends.runner import Program, Runner

pytestmark = pytest.mark.real_processes

REPO = Path(__file__).resolve().parents[2]
# Starts a grandchild that keeps writing, says its pid, and waits for it.
SPAWNER = ('while :; do echo x >> "$1"; sleep 0.05; done & echo $! > "$2"; wait')
GUARD = 30.0  # seconds: a safety net against hanging the suite, not a measurement


def _pid_from(path: Path) -> int:
    deadline = time.monotonic() + GUARD
    while time.monotonic() < deadline:
        text = path.read_text() if path.exists() else ""
        if text.endswith("\n"):
            return int(text)
        time.sleep(0.02)
    raise AssertionError(f"{path}: the grandchild never said its pid")


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for init to reap it has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _gone(pid: int) -> bool:
    deadline = time.monotonic() + GUARD
    while _alive(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)  # clean up after a failing test
            return False
        time.sleep(0.02)
    return True


def test_a_deadline_kills_the_grandchildren_too(tmp_path: Path) -> None:
    out, pidfile = tmp_path / "written", tmp_path / "pid"
    result = Runner().run(Program.of(["sh", "-c", SPAWNER, "sh", str(out), str(pidfile)]),
                          timeout=1)
    assert result.timed_out
    pid = _pid_from(pidfile)
    assert _gone(pid)
    size = out.stat().st_size
    time.sleep(0.3)
    assert out.stat().st_size == size  # nothing writes after the deadline


def test_an_installed_hook_past_its_deadline_leaves_nothing_writing(tmp_path: Path) -> None:
    """The kernel hook, run as kdump-config runs it (LinuxHost.run_installed)."""
    root = tmp_path / "root"
    hook = root / "etc/kernel/postinst.d/kdump-tools"
    hook.parent.mkdir(parents=True)
    out, pidfile = tmp_path / "initrd.new", tmp_path / "pid"
    hook.write_text(f"#!/bin/sh\nset -- {out} {pidfile}\n{SPAWNER}\n")
    hook.chmod(0o755)
    result = LinuxHost(str(root)).run_installed("/etc/kernel/postinst.d/kdump-tools",
                                                ["6.1.0-18-amd64"], timeout=1)
    assert result.timed_out
    assert _gone(_pid_from(pidfile))


# A kdump-config stand-in: runs the spawner through the runner, without a deadline. Ctrl-C
# is Python's own handler, as when kdump-config runs from a terminal: a test run started in
# the background of a script (as .ci/run starts the suite) inherits SIGINT ignored, and Python
# then installs no handler for it.
_PARENT = ("import signal, sys; from backends.runner import Program, Runner; "
           "signal.signal(signal.SIGINT, signal.default_int_handler); "
           "Runner().run(Program.of(['sh', '-c', sys.argv[1], 'sh', *sys.argv[2:]]))")


@pytest.mark.parametrize("signum", [
    signal.SIGTERM,  # systemd's stop, or its timeout
    signal.SIGHUP,  # the terminal went away
    signal.SIGINT,  # Ctrl-C (Python's KeyboardInterrupt, which ends by SIGINT too)
])
def test_a_parent_stopped_by_a_signal_takes_its_grandchildren_along(
        tmp_path: Path, signum: signal.Signals) -> None:
    out, pidfile = tmp_path / "written", tmp_path / "pid"
    parent = subprocess.Popen([sys.executable, "-c", _PARENT, SPAWNER,  # noqa: S603
                               str(out), str(pidfile)], cwd=REPO,
                              stderr=subprocess.DEVNULL)
    try:
        pid = _pid_from(pidfile)
        parent.send_signal(signum)
        code = parent.wait(timeout=GUARD)
        assert code == -signum  # it still dies of the signal
        assert _gone(pid)
    finally:
        parent.kill()
        parent.wait()

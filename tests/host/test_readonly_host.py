"""Read-only tier: the report commands on the machine running the tests change nothing.

Opt in with `pytest --host-tier`.  Expectations are derived from the machine
itself (its /proc/cmdline and sysfs), so the test holds on any host.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

# The machine running the tests, for real: its processes too.
pytestmark = [pytest.mark.host, pytest.mark.real_processes]

WATCHED = ["/etc/default/kdump-tools", "/var/crash", "/var/lib/kdump", "/run/lock",
           "/sys/kernel/kexec_crash_loaded", "/proc/sys/kernel/panic_on_oops", "/etc/kdump"]
CLI = [sys.executable, "-c", "import sys; from kdump.cli import main; sys.exit(main())"]


def _snapshot() -> dict[str, tuple[object, ...]]:
    state: dict[str, tuple[object, ...]] = {}
    for top in WATCHED:
        for path in [Path(top), *(sorted(Path(top).rglob("*")) if Path(top).is_dir() else [])]:
            try:
                info = path.lstat()
            except OSError:
                state[str(path)] = ("absent",)
                continue
            digest = ""
            if path.is_file() and not path.is_symlink() and info.st_size < 1 << 20:
                try:
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                except OSError:
                    digest = "unreadable"
            state[str(path)] = (info.st_mode, info.st_size, info.st_mtime_ns, digest)
    return state


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDUMP_")}
    env.pop("NAME", None)
    return subprocess.run([*CLI, "--backend", "linux", *args], capture_output=True, text=True,
                          env=env, timeout=60, check=False)


def _cmdline_tokens() -> list[str]:
    return Path("/proc/cmdline").read_text().split()


@pytest.mark.parametrize("command", ["status", "show", "test", "check", "status --json"])
def test_report_commands_change_nothing_on_this_host(command: str) -> None:
    before = _snapshot()
    result = _run(*command.split())
    after = _snapshot()
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1, 3), result
    assert after == before, {k: (before.get(k), after.get(k)) for k in set(before) | set(after)
                             if before.get(k) != after.get(k)}


def test_status_prints_the_documented_diagnostics_for_this_host() -> None:
    result = _run("status")
    lines = result.stdout.splitlines()
    has_crashkernel = any(t.startswith("crashkernel=") for t in _cmdline_tokens())
    supported = Path("/sys/kernel/kexec_crash_loaded").exists()
    fadump = Path("/sys/kernel/fadump/enabled").exists() or \
        Path("/sys/kernel/fadump_enabled").exists()
    if fadump:
        pytest.fail("this tier's expectations cover kdump hosts; extend them for fadump hosts")
    assert result.returncode == 0
    assert ("no crashkernel= parameter in the kernel cmdline ... failed!" in lines) \
        is not has_crashkernel
    assert ("kdump is not supported by this kernel ... failed!" in lines) is not supported
    loaded = supported and Path("/sys/kernel/kexec_crash_loaded").read_text().strip() == "1"
    assert lines[-1] == ("current state   : ready to kdump" if loaded
                         else "current state   : Not ready to kdump")


def test_check_exits_3_and_names_the_missing_reservation_when_not_ready() -> None:
    result = _run("check", "--json")
    import json

    document = json.loads(result.stdout)
    has_crashkernel = any(t.startswith("crashkernel=") for t in _cmdline_tokens())
    if document["ready"]:
        assert result.returncode == 0
    else:
        assert result.returncode == 3
        assert ("crashkernel-param" in document["failing"]) is not has_crashkernel

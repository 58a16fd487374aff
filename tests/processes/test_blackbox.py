"""The installed console script, as a process, on a sandbox root (the real entry point)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox import stub
from sim.machine import SimulatedMachine

pytestmark = pytest.mark.real_processes  # the console script as a process

SCRIPT = Path(sys.executable).parent / "kdump-config"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    machine = SimulatedMachine.create(tmp_path / "machine", "x86_64-ready")
    stub.install(machine, sys.executable)
    return machine.root


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDUMP_") and k != "NAME"}
    return subprocess.run([str(SCRIPT), "--backend", "linux", "--root", str(root), *args],
                          capture_output=True, text=True, env=env, timeout=60, check=False)


def test_the_console_script_is_installed() -> None:
    assert SCRIPT.is_file() and os.access(SCRIPT, os.X_OK), SCRIPT


def test_load_cycle_through_the_console_script(root: Path) -> None:
    first = run(root, "status")
    assert (first.returncode, first.stdout) == (0, "current state   : Not ready to kdump\n")
    loaded = run(root, "load")
    assert loaded.returncode == 0, loaded
    assert loaded.stdout.splitlines()[-1] == "loaded kdump kernel."
    assert (root / "sys/kernel/kexec_crash_loaded").read_text().strip() == "1"
    assert run(root, "status").stdout == "current state   : ready to kdump\n"
    again = run(root, "load")
    assert (again.returncode, again.stdout) == (
        1, "Cannot change symbolic links when kdump is loaded ... failed!\n"
           "kdump is already loaded: run 'kdump-config reload' to load it again\n")
    unloaded = run(root, "unload")
    assert (unloaded.returncode, unloaded.stdout) == (0, "unloaded kdump kernel.\n")


def test_usage_errors_exit_1_with_the_usage_line(root: Path) -> None:
    for args in ([], ["frobnicate"], ["status", "--bogus"]):
        result = run(root, *args)
        assert result.returncode == 1, (args, result)
        assert result.stdout.startswith("Usage: kdump-config {help|test|"), result.stdout
        assert "Traceback" not in result.stderr


def test_json_status_and_stderr_stay_clean(root: Path) -> None:
    result = run(root, "status", "--json")
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1
    assert document["exit_code"] == result.returncode == 0
    assert [m["code"] for m in document["messages"]] == ["state-not-ready"]
    assert result.stderr == ""

"""The SysV init script (/etc/init.d/kdump-tools), run for real.

As for the dump script (tests/packaging/test_dump_script_run.py): in a chroot on an overlay of this
machine's root, in a mount namespace of its own, with the script and the package's setting
reader as shipped, and a kdump-config that records its arguments and exits as the test says.
What is checked: the script's exit status is kdump-config's, so that a load that failed, or
a configuration kdump-config refuses, is never reported as a successful start.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.packaging.overlay_root import Overlay

pytestmark = [
    pytest.mark.real_processes,
    pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None
                       or not Path("/lib/lsb/init-functions").is_file(),
                       reason="needs root, unshare and lsb-base's init-functions"),
]

TOP = Path(__file__).resolve().parents[2]
SCRIPT = "/etc/init.d/kdump-tools"
SETTING = "/usr/share/kdump-config/kdump-setting"
KDUMP_CONFIG = """#!/bin/sh
echo "$*" >> /kdump-config.calls
exit $(cat /kdump-config.status)
"""


class InitRun:
    def __init__(self, tmp_path: Path, config: str, status: int) -> None:
        self.overlay = overlay = Overlay(tmp_path)
        overlay.ship(SCRIPT, TOP / "debian/kdump-config.kdump-tools.init")
        overlay.ship(SETTING)
        for package in ("kdump", "backends"):
            (overlay.upper / "usr/share/kdump-config" / package).symlink_to(TOP / package)
        overlay.put("/usr/sbin/kdump-config", KDUMP_CONFIG, 0o755)
        overlay.put("/kdump-config.status", f"{status}\n")
        overlay.put("/etc/default/kdump-tools", config)

    def run(self, action: str) -> subprocess.CompletedProcess[str]:
        return self.overlay.run(SCRIPT, action)

    def calls(self) -> str | None:
        return self.overlay.read("/kdump-config.calls")


@pytest.mark.parametrize(("action", "command"), [
    ("start", "load"), ("stop", "unload"), ("restart", "reload"), ("reload", "try-reload")])
def test_a_failing_kdump_config_fails_the_init_script(tmp_path: Path, action: str,
                                                      command: str) -> None:
    run = InitRun(tmp_path, "USE_KDUMP=1\n", status=1)

    done = run.run(action)

    assert run.calls() == f"{command}\n", done.stderr
    assert done.returncode == 1, (done.stdout, done.stderr)


def test_a_configuration_kdump_config_refuses_fails_start_instead_of_skipping_it(
        tmp_path: Path) -> None:
    # The setting reader answers 255 (unknown): the script lets kdump-config say what is
    # wrong, and its failure is the script's.
    run = InitRun(tmp_path, "USE_KDUMP=1\nKDUMP_COREDIR=\"unclosed\n", status=1)

    done = run.run("start")

    assert "Traceback" not in done.stderr
    assert run.calls() == "load\n", done.stderr
    assert done.returncode == 1, (done.stdout, done.stderr)


def test_a_successful_start_exits_0_and_a_disabled_kdump_runs_nothing(tmp_path: Path) -> None:
    assert InitRun(tmp_path / "a", "USE_KDUMP=1\n", status=0).run("start").returncode == 0
    disabled = InitRun(tmp_path / "b", "USE_KDUMP=0\n", status=1)

    done = disabled.run("start")

    assert (done.returncode, disabled.calls()) == (0, None), done.stderr

"""The capture kernel's dump script (kdump-tools-dump), run for real.

It names its programs by absolute path (/usr/sbin/kdump-config, the setting reader in
/usr/share/kdump-config) and reads /proc/vmcore, so it runs in a chroot: an overlay of
this machine's own root (so sh, python3 and the rest are the real ones) whose upper
layer holds the script and the package's setting reader as shipped, the config, a
/proc holding only a vmcore, a kdump-config whose ``savecore`` exits as the test says
(anything else goes to the real CLI), and a ``reboot`` that only records that it ran.
The overlay and its mounts live in a mount namespace of their own (unshare): nothing
of them outlives the run.  Whatever the script writes lands in the upper layer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.overlay_root import SYSTEM_PATH, Overlay

pytestmark = [
    pytest.mark.real_processes,
    pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                       reason="needs root and unshare to mount the overlay"),
]

TOP = Path(__file__).resolve().parents[2]
SCRIPT = "/usr/share/kdump-config/kdump-tools-dump"
FAIL_MARK = "/fail-cmd-ran"

# savecore's exit status is the test's; every other call goes to the real CLI.
KDUMP_CONFIG = """#!/bin/sh
echo "$*" >> /kdump-config.calls
if [ "$1" = savecore ]; then exit $(cat /savecore.status); fi
exec {python} -c 'import sys; sys.path.insert(0, "{top}"); from kdump.cli import main; \
sys.exit(main(sys.argv[1:]))' "$@"
"""
# Records that it ran, and whether the fail command had run by then.
REBOOT = f"""#!/bin/sh
if [ -e {FAIL_MARK} ]; then echo "reboot $* after the fail command"; else echo "reboot $*"; fi \
>> /reboot.calls
"""
# A program of the caller's PATH (the first directory in it), which the script never runs.
CALLERS = """#!/bin/sh
echo "$0 $*" >> /callers-path.calls
"""


class DumpRun:
    def __init__(self, tmp_path: Path, savecore_status: int, fail_cmd: str | None) -> None:
        self.overlay = overlay = Overlay(tmp_path)
        overlay.ship(SCRIPT)
        overlay.ship("/usr/share/kdump-config/kdump-setting")
        for package in ("kdump", "backends"):  # where the shipped reader finds them
            (overlay.upper / "usr/share/kdump-config" / package).symlink_to(TOP / package)
        overlay.put("/usr/sbin/kdump-config",
                    KDUMP_CONFIG.format(python=sys.executable, top=TOP), 0o755)
        # Where the script's own PATH finds it (the real one, on merged /usr, is a link
        # to systemctl: the stub shadows it in the overlay).
        overlay.put("/usr/sbin/reboot", REBOOT, 0o755)
        overlay.put("/stubs/reboot", CALLERS, 0o755)
        overlay.put("/stubs/date", CALLERS, 0o755)
        overlay.put("/stubs/sync", CALLERS, 0o755)
        overlay.put("/proc/vmcore", "\x7fELF a crashed kernel's memory\n")
        overlay.put("/savecore.status", f"{savecore_status}\n")
        config = "USE_KDUMP=1\n"
        if fail_cmd is not None:
            config += f'KDUMP_FAIL_CMD="{fail_cmd}"\n'
        overlay.put("/etc/default/kdump-tools", config)

    def run(self) -> subprocess.CompletedProcess[str]:
        return self.overlay.run(SCRIPT, path="/stubs:" + SYSTEM_PATH)

    def read(self, target: str) -> str | None:
        return self.overlay.read(target)


def test_a_failed_savecore_runs_the_fail_command_and_does_not_reboot_before_it(
        tmp_path: Path) -> None:
    run = DumpRun(tmp_path, savecore_status=1, fail_cmd=f"touch {FAIL_MARK}")

    done = run.run()

    assert run.read("/kdump-config.calls") == "savecore\n", done.stderr
    assert run.read(FAIL_MARK) == "", done.stderr  # touch made it: the command ran
    # Whatever happens after the fail command, nothing reboots before it ran.
    assert run.read("/reboot.calls") in (None, "reboot -f after the fail command\n")
    assert done.returncode == 0, done.stderr


def test_a_fail_command_is_run_as_its_words(tmp_path: Path) -> None:
    # The command and each argument as written: a second file name is a second argument.
    run = DumpRun(tmp_path, savecore_status=1, fail_cmd=f"touch {FAIL_MARK} /second")

    done = run.run()

    assert run.read(FAIL_MARK) == "" and run.read("/second") == "", done.stderr


def test_a_saved_dump_reboots_and_never_runs_the_fail_command(tmp_path: Path) -> None:
    run = DumpRun(tmp_path, savecore_status=0, fail_cmd=f"touch {FAIL_MARK}")

    done = run.run()

    assert run.read("/kdump-config.calls") == "savecore\n", done.stderr
    assert run.read(FAIL_MARK) is None
    assert run.read("/reboot.calls") == "reboot -f\n", done.stderr


def test_a_failed_savecore_without_a_fail_command_reboots(tmp_path: Path) -> None:
    run = DumpRun(tmp_path, savecore_status=1, fail_cmd=None)

    done = run.run()

    assert run.read("/kdump-config.calls") == "savecore\n", done.stderr
    assert run.read("/reboot.calls") == "reboot -f\n", done.stderr


def test_without_a_vmcore_nothing_is_saved_and_nothing_reboots(tmp_path: Path) -> None:
    run = DumpRun(tmp_path, savecore_status=1, fail_cmd=f"touch {FAIL_MARK}")
    run.overlay.put("/proc/vmcore", "")

    done = run.run()

    assert done.returncode == 0, done.stderr
    assert "not a capture kernel" in done.stderr
    assert (run.read("/kdump-config.calls"), run.read("/reboot.calls")) == (None, None)


def test_the_callers_path_is_never_searched(tmp_path: Path) -> None:
    # The run's PATH starts with /stubs, holding a date, a sync and a reboot.
    run = DumpRun(tmp_path, savecore_status=0, fail_cmd=None)

    done = run.run()

    assert run.read("/reboot.calls") == "reboot -f\n", done.stderr
    assert run.read("/callers-path.calls") is None

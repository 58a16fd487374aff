"""The package's shell scripts find their programs in the system's directories only.

Run for real, in a chroot on an overlay of this machine's root (see
tests/packaging/test_dump_script_run.py), with a caller's PATH whose first directory holds
look-alikes of the programs the scripts run: none of them may run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.packaging.overlay_root import SYSTEM_PATH, Overlay

pytestmark = [
    pytest.mark.real_processes,
    pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                       reason="needs root and unshare to mount the overlay"),
]

CALLERS_PATH = "/stubs:" + SYSTEM_PATH
LOOKALIKE = """#!/bin/sh
echo "$0 $*" >> /callers-path.calls
echo lookalike
"""


def test_the_memory_snapshot_names_its_file_by_the_real_uname(tmp_path: Path) -> None:
    script = "/usr/share/kdump-config/kdump-mem-snapshot"
    overlay = Overlay(tmp_path)
    overlay.ship(script)
    overlay.put("/proc/meminfo", "MemTotal:       8000000 kB\n")
    for name in ("uname", "systemctl", "cp", "mv", "mkdir"):
        overlay.put(f"/stubs/{name}", LOOKALIKE, 0o755)

    done = overlay.run(script, path=CALLERS_PATH)

    assert overlay.read("/callers-path.calls") is None, done.stderr
    assert overlay.read(f"/var/lib/kdump/mem-{os.uname().release}"), (done.returncode, done.stderr)


@pytest.mark.parametrize("hook", ["/etc/kernel/postinst.d/kdump-tools",
                                  "/etc/kernel/postrm.d/kdump-tools"])
def test_the_kernel_hooks_never_run_the_callers_programs(tmp_path: Path, hook: str) -> None:
    version = "6.1.0-99-amd64"
    overlay = Overlay(tmp_path)
    overlay.ship(hook)
    overlay.put(f"/usr/lib/modules/{version}/modules.dep", "")
    overlay.put("/etc/initramfs-tools/initramfs.conf", "MODULES=most\n")
    overlay.put(f"/var/lib/kdump/initrd.img-{version}", "old\n")
    for name in ("mkinitramfs", "rm", "cp", "mkdir", "sed", "mktemp", "mv", "du", "awk"):
        overlay.put(f"/stubs/{name}", LOOKALIKE, 0o755)

    done = overlay.run(hook, version, path=CALLERS_PATH)

    assert overlay.read("/callers-path.calls") is None, (done.stdout, done.stderr)


@pytest.mark.parametrize("mode", [0o775, 0o757])
def test_the_memory_snapshot_never_writes_in_a_directory_others_can_write(
        tmp_path: Path, mode: int) -> None:
    script = "/usr/share/kdump-config/kdump-mem-snapshot"
    overlay = Overlay(tmp_path)
    overlay.ship(script)
    overlay.put("/proc/meminfo", "MemTotal:       8000000 kB\n")
    overlay.put("/victim", "root's own file\n")
    state = overlay.upper / "var/lib/kdump"
    state.mkdir(parents=True)
    state.chmod(mode)
    # A group member's link at the name cp writes to first.
    (state / f"mem-{os.uname().release}.new").symlink_to("/victim")

    done = overlay.run(script, path=CALLERS_PATH)

    assert overlay.read("/victim") == "root's own file\n"
    assert done.returncode == 1 and "others can write to it" in done.stderr
    assert overlay.read(f"/var/lib/kdump/mem-{os.uname().release}") is None


def test_the_kernel_hook_never_writes_in_a_directory_others_can_write(tmp_path: Path) -> None:
    hook, version = "/etc/kernel/postinst.d/kdump-tools", "6.1.0-99-amd64"
    overlay = Overlay(tmp_path)
    overlay.ship(hook)
    overlay.put(f"/usr/lib/modules/{version}/modules.dep", "")
    overlay.put("/etc/initramfs-tools/initramfs.conf", "MODULES=most\n")
    overlay.put("/victim", "root's own file\n")
    # mkinitramfs as the system's own program (the hook's PATH), writing its -o file.
    overlay.put("/usr/sbin/mkinitramfs",
                '#!/bin/sh\nwhile [ "$1" != -o ]; do shift; done\necho initrd > "$2"\n', 0o755)
    state = overlay.upper / "var/lib/kdump"
    state.mkdir(parents=True)
    state.chmod(0o775)
    (state / f"initrd.img-{version}.new").symlink_to("/victim")

    done = overlay.run(hook, version, path=CALLERS_PATH)

    assert overlay.read("/victim") == "root's own file\n"
    assert done.returncode == 2 and "others can write to it" in done.stderr


def test_the_kernel_hook_builds_the_initrd_in_roots_own_directory(tmp_path: Path) -> None:
    hook, version = "/etc/kernel/postinst.d/kdump-tools", "6.1.0-99-amd64"
    overlay = Overlay(tmp_path)
    overlay.ship(hook)
    overlay.put(f"/usr/lib/modules/{version}/modules.dep", "")
    overlay.put("/etc/initramfs-tools/initramfs.conf", "MODULES=most\n")
    overlay.put("/usr/sbin/mkinitramfs",
                '#!/bin/sh\nwhile [ "$1" != -o ]; do shift; done\necho initrd > "$2"\n', 0o755)

    done = overlay.run(hook, version, path=CALLERS_PATH)

    assert done.returncode == 0, done.stderr
    assert overlay.read(f"/var/lib/kdump/initrd.img-{version}") == "initrd\n"

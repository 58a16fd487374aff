"""A directory another group can write to is as unsafe as one every user can.

Members of that group can plant a link or a file in it, or swap entries under
kdump-config's feet, just as every user can in a world-writable one; only the sticky bit
(each user may then remove only their own names) makes it safe to write in.  root's
group and our own are trusted: a member of them is root already, or us.

Checked on real trees, for each kind of change the file layer makes (write, create,
link, lock, directory, copy, rename, a pipeline's output), and on both backends.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from backends.linux import LinuxHost
from backends.rooted import RootedFiles
from backends.sim import SimHost
from backends.values import UnsafePathError
from sim.machine import SimulatedMachine

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a directory "
                                                          "to another group")

OTHER_GROUP = 4242  # no group of ours (the tests run as root, in group 0)
DIR = "/var/crash"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "var/crash").mkdir(parents=True)
    (tmp_path / "proc").mkdir()
    (tmp_path / "proc/vmcore").write_bytes(b"\x7fELF" + bytes(4096))
    (tmp_path / "var/crash/old").write_text("a dump\n")
    return tmp_path


def _share(directory: Path, mode: int, gid: int = OTHER_GROUP) -> None:
    os.chown(directory, 0, gid)
    os.chmod(directory, mode)


CHANGES: dict[str, Callable[[RootedFiles], object]] = {
    "write_text": lambda f: f.write_text(f"{DIR}/kexec_cmd", "kexec -p\n"),
    "create_new": lambda f: os.close(f.create_new(f"{DIR}/dump-incomplete")),
    "symlink": lambda f: f.symlink("/boot/vmlinuz", f"{DIR}/vmlinuz"),
    "mkdir": lambda f: f.mkdir(f"{DIR}/202401010000", 0o700),
    "lock": lambda f: f.lock(f"{DIR}/kdump-config.lock").__enter__(),
    "copy_file": lambda f: f.copy_file("/proc/vmcore", f"{DIR}/vmcore-incomplete"),
    "rename": lambda f: f.rename(f"{DIR}/old", f"{DIR}/new"),
    "remove": lambda f: f.remove(f"{DIR}/old"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_directory_another_group_can_write_is_refused(root: Path, change: str) -> None:
    _share(root / "var/crash", 0o775)
    before = sorted(os.listdir(root / "var/crash"))

    with pytest.raises(UnsafePathError) as refused:
        CHANGES[change](RootedFiles(str(root)))

    assert refused.value.path == DIR
    assert refused.value.reason == (f"the directory is writable by group {OTHER_GROUP} and "
                                    "has no sticky bit")
    assert sorted(os.listdir(root / "var/crash")) == before  # nothing written, nothing gone


@pytest.mark.parametrize(("mode", "gid"), [
    (0o1775, OTHER_GROUP),  # sticky: the group's members can remove only their own names
    (0o775, 0),             # root's group
    (0o755, OTHER_GROUP),   # the group can only read
], ids=["sticky", "root-group", "read-only-group"])
def test_a_directory_the_group_cannot_abuse_is_written(root: Path, mode: int,
                                                        gid: int) -> None:
    _share(root / "var/crash", mode, gid)

    RootedFiles(str(root)).write_text(f"{DIR}/kexec_cmd", "kexec -p\n")

    assert (root / "var/crash/kexec_cmd").read_text() == "kexec -p\n"


def test_a_group_writable_directory_higher_up_is_refused_too(root: Path) -> None:
    # Whoever can rename /var's entries can swap /var/crash for a link to anywhere.
    _share(root / "var", 0o775)

    with pytest.raises(UnsafePathError) as refused:
        RootedFiles(str(root)).mkdir(f"{DIR}/202401010000", 0o700)

    assert refused.value.path == "/var"


@pytest.mark.real_processes
def test_a_pipeline_never_writes_its_output_into_a_group_writable_directory(
        root: Path) -> None:
    _share(root / "var/crash", 0o775)

    with pytest.raises(UnsafePathError):
        LinuxHost(str(root)).pipeline([["echo", "dump"]],
                                      stdout_path=f"{DIR}/dump-incomplete")

    assert sorted(os.listdir(root / "var/crash")) == ["old"]


def test_the_simulated_backend_refuses_it_too(tmp_path: Path) -> None:
    machine = SimulatedMachine.create(tmp_path / "m", "x86_64-ready")
    crash = machine.path(DIR)
    crash.mkdir(parents=True, exist_ok=True)
    _share(crash, 0o775)

    with pytest.raises(UnsafePathError, match=f"writable by group {OTHER_GROUP}"):
        SimHost(machine).write_text(f"{DIR}/kexec_cmd", "kexec -p\n")

    assert not (crash / "kexec_cmd").exists()

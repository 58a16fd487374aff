"""write_text replaces a file atomically *and durably*: the temporary file reaches the disk
before it is renamed over the old one, and the directory after.

Without the first fsync a crash just after the rename can leave an empty or partial
file under the real name (ext4 and xfs may write the rename before the data): a
``kexec_cmd`` or a kernel link record lost that way is a machine that no longer loads.
The kernel's own calls are watched here (os.fsync and os.rename, by the inode each one
acts on), on the file layer and on both backends that compose it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from backends.linux import LinuxHost
from backends.rooted import RootedFiles
from backends.sim import SimHost
from sim.machine import SimulatedMachine

TARGET = "/var/lib/kdump/kexec_cmd"
TEXT = "/sbin/kexec -p --command-line=... /var/lib/kdump/vmlinuz\n"


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int, bool]]:
    """(call, inode, is a directory) of every os.fsync and os.rename, in order; for a
    rename, the inode of what is renamed."""
    seen: list[tuple[str, int, bool]] = []
    real_fsync, real_rename = os.fsync, os.rename

    def fsync(fd: int) -> None:
        st = os.fstat(fd)
        seen.append(("fsync", st.st_ino, stat.S_ISDIR(st.st_mode)))
        real_fsync(fd)

    def rename(src: str, dst: str, *, src_dir_fd: int | None = None,
               dst_dir_fd: int | None = None) -> None:
        st = os.lstat(src, dir_fd=src_dir_fd)
        seen.append(("rename", st.st_ino, stat.S_ISDIR(st.st_mode)))
        real_rename(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "rename", rename)
    return seen


def _rooted(tmp_path: Path) -> tuple[Callable[[str, str], None], Path]:
    (tmp_path / "var/lib/kdump").mkdir(parents=True)
    return RootedFiles(str(tmp_path)).write_text, tmp_path


def _linux(tmp_path: Path) -> tuple[Callable[[str, str], None], Path]:
    (tmp_path / "var/lib/kdump").mkdir(parents=True)
    return LinuxHost(str(tmp_path)).write_text, tmp_path


def _sim(tmp_path: Path) -> tuple[Callable[[str, str], None], Path]:
    machine = SimulatedMachine.create(tmp_path / "m", "x86_64-ready")
    machine.path("/var/lib/kdump").mkdir(parents=True, exist_ok=True)
    return SimHost(machine).write_text, machine.root


@pytest.mark.parametrize("make", [_rooted, _linux, _sim], ids=["rooted", "linux", "sim"])
@pytest.mark.parametrize("existing", [False, True], ids=["new", "replaced"])
def test_the_new_file_is_flushed_before_its_rename_and_the_directory_after(
        tmp_path: Path, calls: list[tuple[str, int, bool]],
        make: Callable[[Path], tuple[Callable[[str, str], None], Path]],
        existing: bool) -> None:
    write, root = make(tmp_path)
    final = root / TARGET.lstrip("/")
    if existing:
        final.write_text("the previous command\n")
    directory = os.stat(final.parent).st_ino
    calls.clear()

    write(TARGET, TEXT)

    assert final.read_text() == TEXT
    renames = [i for i, call in enumerate(calls) if call[0] == "rename"]
    assert len(renames) == 1, calls
    moved = calls[renames[0]][1]
    assert moved == os.stat(final).st_ino  # the renamed file is the one now in place
    # The file's data is on disk before its name is.
    assert ("fsync", moved, False) in calls[:renames[0]], calls
    # The directory (the new name in it) after the rename.
    assert ("fsync", directory, True) in calls[renames[0] + 1:], calls

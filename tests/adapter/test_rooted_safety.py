"""The file layer's rule, on real trees: no write follows a link or reuses a file another
user planted, and only directories no other user controls are written in.

Another user is nobody (65534): planted with ``setpriv`` where the example needs the
real thing, otherwise made by root and given to nobody with lchown (the kernel then
reports the same owner).  This tier runs as root, as the sandbox scenarios do.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from backends.rooted import RootedFiles
from backends.values import HostError, LockBusyError, UnsafePathError
from tests.adapter.planted import NOBODY, as_nobody, tree

# Its trees are planted by nobody (setpriv) and removed with rm: real processes.
pytestmark = pytest.mark.real_processes

PASSWD = "root:x:0:0:root:/root:/bin/bash\n"


@pytest.fixture
def root() -> Iterator[Path]:
    with tree("kdump-safety-") as base:
        (base / "etc").mkdir()
        (base / "etc/passwd").write_text(PASSWD)
        crash = base / "var/crash"
        crash.mkdir(parents=True)
        os.chmod(crash, 0o1777)  # as Ubuntu ships it
        (base / "var/lib/kdump").mkdir(parents=True)
        (base / "run/lock").mkdir(parents=True)
        os.chmod(base / "run/lock", 0o1777)
        (base / "tmp").mkdir()
        os.chmod(base / "tmp", 0o1777)
        yield base


@pytest.fixture
def files(root: Path) -> RootedFiles:
    return RootedFiles(str(root))




def plant_link(root: Path, target: str, link: str) -> Path:
    path = root / target.lstrip("/")
    path.symlink_to(link)
    os.lchown(path, NOBODY, NOBODY)
    return path


def plant_file(root: Path, target: str) -> Path:
    path = root / target.lstrip("/")
    path.write_text("nobody's\n")
    os.lchown(path, NOBODY, NOBODY)
    return path


# -- the example, planted by nobody for real ----------------------------------------------


def test_kexec_cmd_link_planted_by_nobody_is_replaced_never_followed(files: RootedFiles,
                                                                     root: Path) -> None:
    # /var/crash is 1777: any user can create the name first; root's record replaces it.
    link = root / "var/crash/kexec_cmd"
    as_nobody("ln", "-s", "/etc/passwd", str(link))
    assert link.lstat().st_uid == NOBODY
    files.write_text("/var/crash/kexec_cmd", "kexec -p ...\n")
    assert not link.is_symlink()
    assert link.read_text() == "kexec -p ...\n"
    assert link.stat().st_uid == 0
    assert (root / "etc/passwd").read_text() == PASSWD


def test_in_a_directory_only_root_writes_another_users_link_is_refused(files: RootedFiles,
                                                                       root: Path) -> None:
    os.chmod(root / "var/crash", 0o755)  # no user could have made it: something is wrong
    link = plant_link(root, "/var/crash/kexec_cmd", "/etc/passwd")
    with pytest.raises(UnsafePathError) as refused:
        files.write_text("/var/crash/kexec_cmd", "kexec -p ...\n")
    assert refused.value.path == "/var/crash/kexec_cmd"
    assert refused.value.reason == "it is a symbolic link owned by another user (uid 65534)"
    assert (root / "etc/passwd").read_text() == PASSWD
    assert os.readlink(link) == "/etc/passwd"


def test_a_fifo_or_directory_nobody_made_at_kexec_cmd_never_blocks_the_record(
        files: RootedFiles, root: Path) -> None:
    as_nobody("mkfifo", str(root / "var/crash/kexec_cmd"))
    files.write_text("/var/crash/kexec_cmd", "first\n")
    assert (root / "var/crash/kexec_cmd").read_text() == "first\n"
    (root / "var/crash/kexec_cmd").unlink()  # the unload -> load gap
    as_nobody("mkdir", str(root / "var/crash/kexec_cmd"))
    as_nobody("touch", str(root / "var/crash/kexec_cmd/theirs"))
    files.write_text("/var/crash/kexec_cmd", "second\n")
    assert (root / "var/crash/kexec_cmd").read_text() == "second\n"
    aside = [p for p in (root / "var/crash").iterdir() if p.name.startswith(".kexec_cmd.")]
    assert len(aside) == 1 and aside[0].stat().st_uid == NOBODY  # theirs, kept, out of the way
    assert [p.name for p in aside[0].iterdir()] == ["theirs"]


def test_roots_own_stale_link_is_replaced_not_followed(files: RootedFiles, root: Path) -> None:
    (root / "var/crash/kexec_cmd").symlink_to("/etc/passwd")  # root's: replaced, not followed
    files.write_text("/var/crash/kexec_cmd", "kexec -p ...\n")
    assert not (root / "var/crash/kexec_cmd").is_symlink()
    assert (root / "var/crash/kexec_cmd").read_text() == "kexec -p ...\n"
    assert (root / "etc/passwd").read_text() == PASSWD


def test_a_file_another_user_owns_is_replaced_only_where_users_make_names(
        files: RootedFiles, root: Path) -> None:
    plant_file(root, "/var/crash/kexec_cmd")
    files.write_text("/var/crash/kexec_cmd", "x\n")
    assert (root / "var/crash/kexec_cmd").read_text() == "x\n"
    plant_file(root, "/var/lib/kdump/mem-6.1.0-18-amd64")  # root's own 0755 directory
    with pytest.raises(UnsafePathError, match="it is a file owned by another user"):
        files.write_text("/var/lib/kdump/mem-6.1.0-18-amd64", "x\n")
    assert (root / "var/lib/kdump/mem-6.1.0-18-amd64").read_text() == "nobody's\n"


# -- directories written in ----------------------------------------------------------------


def test_world_writable_directory_without_sticky_bit_is_refused(files: RootedFiles,
                                                                  root: Path) -> None:
    os.chmod(root / "var/crash", 0o777)
    with pytest.raises(UnsafePathError, match="writable by every user and has no sticky bit"):
        files.write_text("/var/crash/kexec_cmd", "x\n")
    assert not (root / "var/crash/kexec_cmd").exists()


def test_directory_another_user_owns_is_refused(files: RootedFiles, root: Path) -> None:
    (root / "srv").mkdir()
    os.chown(root / "srv", NOBODY, NOBODY)
    with pytest.raises(UnsafePathError) as refused:
        files.mkdir("/srv/crash")
    assert refused.value.path == "/srv"
    assert not (root / "srv/crash").exists()


def test_dump_directory_link_planted_by_nobody_is_refused(files: RootedFiles,
                                                           root: Path) -> None:
    as_nobody("ln", "-s", "/etc", str(root / "var/crash/202401010000"))
    with pytest.raises(UnsafePathError) as refused:
        files.mkdir("/var/crash/202401010000", 0o700)
    assert refused.value.path == "/var/crash/202401010000"
    with pytest.raises(UnsafePathError):
        files.create_new("/var/crash/202401010000/dump-incomplete")
    assert sorted(os.listdir(root / "etc")) == ["passwd"]


def test_dump_directory_planted_by_nobody_is_refused(files: RootedFiles, root: Path) -> None:
    as_nobody("mkdir", str(root / "var/crash/202401010000"))
    with pytest.raises(UnsafePathError, match="the directory is owned by another user"):
        files.mkdir("/var/crash/202401010000", 0o700)


def test_mkdir_follows_roots_own_links(files: RootedFiles, root: Path) -> None:
    (root / "data").mkdir()
    (root / "var/crash/kdump").symlink_to("/data")
    files.mkdir("/var/crash/kdump/202401010000", 0o700)
    assert (root / "data/202401010000").is_dir()


# -- every other writer ----------------------------------------------------------------------


def test_var_lib_kdump_link_another_user_owns_is_not_replaced(files: RootedFiles,
                                                              root: Path) -> None:
    plant_link(root, "/var/lib/kdump/vmlinuz", "/etc/shadow")
    with pytest.raises(UnsafePathError):
        files.symlink("/boot/vmlinuz-6.1.0-18-amd64", "/var/lib/kdump/vmlinuz")
    assert os.readlink(root / "var/lib/kdump/vmlinuz") == "/etc/shadow"


def test_new_files_never_reuse_what_another_user_planted(files: RootedFiles,
                                                         root: Path) -> None:
    (root / "proc").mkdir()
    (root / "proc/vmcore").write_bytes(b"core")
    plant_link(root, "/var/crash/vmcore-incomplete", "/etc/passwd")
    plant_file(root, "/tmp/dmesg.ssh.202401010000")
    with pytest.raises(UnsafePathError):
        files.copy_file("/proc/vmcore", "/var/crash/vmcore-incomplete")
    with pytest.raises(UnsafePathError):
        files.create_new("/tmp/dmesg.ssh.202401010000")
    assert (root / "etc/passwd").read_text() == PASSWD
    assert (root / "tmp/dmesg.ssh.202401010000").read_text() == "nobody's\n"


def test_rename_and_removal_leave_another_users_files_alone(files: RootedFiles,
                                                            root: Path) -> None:
    plant_file(root, "/var/crash/dump-incomplete")
    plant_file(root, "/tmp/dmesg.ssh.202401010000")
    (root / "var/crash/202301010000").mkdir()
    os.chown(root / "var/crash/202301010000", NOBODY, NOBODY)
    with pytest.raises(UnsafePathError):
        files.rename("/var/crash/dump-incomplete", "/var/crash/dump.202401010000")
    with pytest.raises(UnsafePathError):
        files.remove("/tmp/dmesg.ssh.202401010000")
    with pytest.raises(UnsafePathError):
        files.remove_tree("/var/crash/202301010000")
    assert (root / "var/crash/dump-incomplete").exists()
    assert not (root / "var/crash/dump.202401010000").exists()
    assert (root / "tmp/dmesg.ssh.202401010000").exists()
    assert (root / "var/crash/202301010000").is_dir()


def test_removing_a_link_never_touches_its_target(files: RootedFiles, root: Path) -> None:
    (root / "var/crash/old").symlink_to("/etc")
    files.remove_tree("/var/crash/old")
    assert not os.path.lexists(root / "var/crash/old")
    assert (root / "etc/passwd").read_text() == PASSWD


# -- the lock ------------------------------------------------------------------------------


def test_lock_link_is_refused_and_creates_nothing(files: RootedFiles, root: Path) -> None:
    as_nobody("ln", "-s", "/etc/nologin", str(root / "run/lock/kdump-config.lock"))
    with pytest.raises(UnsafePathError), files.lock("/run/lock/kdump-config.lock"):
        pass
    (root / "run/lock/kdump-config.lock").unlink()
    (root / "run/lock/kdump-config.lock").symlink_to("/etc/nologin")  # even root's own
    with pytest.raises(UnsafePathError, match="symbolic link"), \
            files.lock("/run/lock/kdump-config.lock"):
        pass
    assert not (root / "etc/nologin").exists()


def test_lock_file_another_user_owns_or_linked_is_refused(files: RootedFiles,
                                                          root: Path) -> None:
    plant_file(root, "/run/kdump-config.lock")
    with pytest.raises(UnsafePathError, match="owned by another user"), \
            files.lock("/run/kdump-config.lock"):
        pass
    os.link(root / "etc/passwd", root / "run/other.lock")  # a hard link to root's file
    with pytest.raises(UnsafePathError, match="hard links"), files.lock("/run/other.lock"):
        pass
    assert (root / "etc/passwd").read_text() == PASSWD


def test_busy_lock_names_its_holder(files: RootedFiles, root: Path) -> None:
    path = root / "run/kdump-config.lock"
    with files.lock("/run/kdump-config.lock"):
        assert path.read_text() == f"{os.getpid()}\n"
    holder = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)  # another open file: another holder
        with pytest.raises(LockBusyError) as busy, files.lock("/run/kdump-config.lock"):
            pass
        assert busy.value.holder == f"pid {os.getpid()}"  # from /proc/locks
    finally:
        os.close(holder)


def test_nobody_cannot_hold_the_lock_in_run(files: RootedFiles, root: Path) -> None:
    with files.lock("/run/kdump-config.lock"):
        pass
    assert oct((root / "run").stat().st_mode & 0o777) == oct(0o755)
    done = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                           "flock", "-n", str(root / "run/kdump-config.lock"), "true"],
                          capture_output=True, check=False)
    assert done.returncode != 0 and b"Permission denied" in done.stderr


def test_lock_that_cannot_be_created_is_a_host_error(files: RootedFiles, root: Path) -> None:
    (root / "run").rename(root / "run.d")
    (root / "run").write_text("not a directory\n")
    with pytest.raises(HostError) as failed, files.lock("/run/kdump-config.lock"):
        pass
    assert not isinstance(failed.value, (UnsafePathError, LockBusyError))
    assert failed.value.reason == "Not a directory"


def test_pipeline_output_never_goes_through_a_planted_directory_link(root: Path) -> None:
    from backends.linux import LinuxHost

    (root / "bin").mkdir()
    (root / "bin/produce").write_text("#!/bin/sh\necho dump\n")
    os.chmod(root / "bin/produce", 0o755)
    as_nobody("ln", "-s", "/etc", str(root / "var/crash/202401010000"))
    host = LinuxHost(str(root))
    with pytest.raises(UnsafePathError) as refused:
        host.pipeline([["/bin/produce"]], stdout_path="/var/crash/202401010000/dump-incomplete")
    assert refused.value.path == "/var/crash/202401010000"
    assert sorted(os.listdir(root / "etc")) == ["passwd"]

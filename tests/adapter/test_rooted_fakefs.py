"""backends.rooted.RootedFiles and backends.fadump_sysfs.FadumpSysfs on a pyfakefs tree.

``Patcher(allow_root_user=False)`` makes pyfakefs enforce permissions although the
tests run as root, so a read-only directory really refuses writes.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator

import pytest
from pyfakefs.fake_filesystem import FakeFilesystem
from pyfakefs.fake_filesystem_unittest import Patcher

import backends.fdcopy as fdcopy
from backends.fadump_sysfs import FadumpSysfs
from backends.rooted import RootedFiles
from backends.values import FadumpState, HostError

ROOT = "/target"
X = "6.1.0-18-amd64"


def _no_copy_file_range(source: int, sink: int, offset: int) -> int:
    raise OSError(errno.ENOSYS, "copy_file_range is not faked by pyfakefs")


@pytest.fixture
def fs(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeFilesystem]:
    # pyfakefs fakes sendfile but not copy_file_range, which would reach the real
    # kernel with fake descriptor numbers: start the copy chain at sendfile instead
    # (copy_file_range itself is covered on a real directory in test_rooted_tmp.py).
    monkeypatch.setattr(fdcopy, "_copy_range", _no_copy_file_range)
    with Patcher(allow_root_user=False) as patcher:
        assert patcher.fs is not None
        patcher.fs.create_dir(ROOT)
        yield patcher.fs


@pytest.fixture
def files(fs: FakeFilesystem) -> RootedFiles:
    return RootedFiles(ROOT)


def host(path: str) -> str:
    return ROOT + path


# -- root prefix mapping ---------------------------------------------------------------------


def test_target_paths_live_under_the_root(fs: FakeFilesystem, files: RootedFiles) -> None:
    fs.create_file(host("/proc/cmdline"), contents="ro quiet\n")
    fs.create_file("/proc/cmdline", contents="the host's own\n")
    assert files.host_path("/proc/cmdline") == "/target/proc/cmdline"
    assert files.host_path("/") == ROOT
    assert files.to_target("/target/proc/cmdline") == "/proc/cmdline"
    assert files.to_target(ROOT) == "/"
    assert files.read_text("/proc/cmdline") == "ro quiet\n"


def test_host_files_outside_the_root_are_absent(fs: FakeFilesystem, files: RootedFiles) -> None:
    fs.create_file("/etc/only-on-host", contents="secret")
    assert files.read_text("/etc/only-on-host") is None
    assert not files.exists("/etc/only-on-host") and not files.lexists("/etc/only-on-host")


def test_relative_target_paths_are_refused(files: RootedFiles) -> None:
    with pytest.raises(HostError):
        files.host_path("proc/cmdline")


def test_queries(fs: FakeFilesystem, files: RootedFiles) -> None:
    fs.create_file(host("/usr/sbin/kexec"), contents="#!/bin/sh\n", st_mode=stat.S_IFREG | 0o755)
    fs.create_file(host("/etc/default/kdump-tools"), contents="USE_KDUMP=1\n",
                   st_mode=stat.S_IFREG | 0o640)
    assert files.is_executable("/usr/sbin/kexec")
    assert not files.is_executable("/etc/default/kdump-tools")
    assert not files.is_executable("/usr/sbin")
    assert files.is_file("/usr/sbin/kexec") and not files.is_dir("/usr/sbin/kexec")
    assert files.is_dir("/usr/sbin") and not files.is_file("/usr/sbin")
    assert files.file_size("/etc/default/kdump-tools") == 12
    assert files.mode("/etc/default/kdump-tools") == 0o640
    assert files.file_size("/missing") is None and files.mode("/missing") is None
    assert files.read_bytes("/etc/default/kdump-tools", 3) == b"USE"


# -- symlinks are followed inside the root ------------------------------------------------------


def test_absolute_link_target_is_rerooted(fs: FakeFilesystem, files: RootedFiles) -> None:
    fs.create_file(host(f"/boot/vmlinuz-{X}"), contents="inside")
    fs.create_file(f"/boot/vmlinuz-{X}", contents="outside")
    fs.create_symlink(host("/var/lib/kdump/vmlinuz"), f"/boot/vmlinuz-{X}")
    assert files.read_text("/var/lib/kdump/vmlinuz") == "inside"
    assert files.realpath("/var/lib/kdump/vmlinuz") == f"/boot/vmlinuz-{X}"
    assert files.readlink("/var/lib/kdump/vmlinuz") == f"/boot/vmlinuz-{X}"
    assert files.is_symlink("/var/lib/kdump/vmlinuz") and files.exists("/var/lib/kdump/vmlinuz")
    assert files.host_path("/var/lib/kdump/vmlinuz") == host(f"/boot/vmlinuz-{X}")
    assert files.host_path("/var/lib/kdump/vmlinuz", follow_last=False) == \
        host("/var/lib/kdump/vmlinuz")


def test_dangling_inside_although_present_outside(fs: FakeFilesystem,
                                                  files: RootedFiles) -> None:
    fs.create_file(f"/boot/vmlinuz-{X}", contents="outside")
    fs.create_symlink(host("/var/lib/kdump/vmlinuz"), f"/boot/vmlinuz-{X}")
    assert not files.exists("/var/lib/kdump/vmlinuz")
    assert files.lexists("/var/lib/kdump/vmlinuz") and files.is_symlink("/var/lib/kdump/vmlinuz")
    assert files.read_text("/var/lib/kdump/vmlinuz") is None


def test_relative_links_and_linked_directories(fs: FakeFilesystem, files: RootedFiles) -> None:
    fs.create_file(host(f"/var/lib/kdump/initrd.img-{X}"), contents="initrd")
    fs.create_symlink(host("/var/lib/kdump/initrd.img"), f"initrd.img-{X}")
    fs.create_file(host(f"/usr/lib/modules/{X}/vmlinuz"), contents="kernel")
    fs.create_symlink(host("/lib"), "usr/lib")  # merged /usr: a relative directory link
    fs.create_symlink(host("/boot/vmlinuz"), f"../lib/modules/{X}/vmlinuz")
    assert files.realpath("/var/lib/kdump/initrd.img") == f"/var/lib/kdump/initrd.img-{X}"
    assert files.read_text("/boot/vmlinuz") == "kernel"
    assert files.realpath("/boot/vmlinuz") == f"/usr/lib/modules/{X}/vmlinuz"
    assert files.listdir("/lib/modules") == [X]


def test_dotdot_cannot_climb_above_the_root(fs: FakeFilesystem, files: RootedFiles) -> None:
    fs.create_file("/secret", contents="host secret")
    fs.create_file("/etc/passwd", contents="host passwd")
    assert files.realpath("/../../secret") == "/secret"
    assert files.realpath("/var/../../../etc/passwd") == "/etc/passwd"
    assert files.read_text("/../secret") is None
    assert files.read_text("/../../etc/passwd") is None
    fs.create_symlink(host("/var/lib/kdump/escape"), "../../../../../../../secret")
    assert files.realpath("/var/lib/kdump/escape") == "/secret"
    assert files.read_text("/var/lib/kdump/escape") is None
    fs.create_file(host("/secret"), contents="target secret")
    assert files.read_text("/var/lib/kdump/escape") == "target secret"
    assert files.read_text("/../secret") == "target secret"


def test_symlink_loops_raise_eloop(fs: FakeFilesystem, files: RootedFiles) -> None:
    fs.create_symlink(host("/self"), "/self")
    fs.create_symlink(host("/a"), "b")
    fs.create_symlink(host("/b"), "/a")
    for path in ("/self", "/a", "/a/child"):
        with pytest.raises(HostError) as raised:
            files.realpath(path)
        assert raised.value.errno == errno.ELOOP
        assert files.read_text(path) is None and not files.exists(path)
    assert files.lexists("/self") and files.is_symlink("/self")
    assert files.readlink("/self") == "/self"


def test_forty_links_resolve_and_forty_one_do_not(fs: FakeFilesystem,
                                                  files: RootedFiles) -> None:
    fs.create_file(host("/end"), contents="end")
    for i in range(41):
        fs.create_symlink(host(f"/l{i}"), "/end" if i == 0 else f"/l{i - 1}")
    assert files.read_text("/l39") == "end"  # 40 hops, the kernel's limit
    with pytest.raises(HostError) as raised:
        files.realpath("/l40")
    assert raised.value.errno == errno.ELOOP


# -- changes -----------------------------------------------------------------------------------


def test_symlink_creates_and_atomically_replaces(fs: FakeFilesystem, files: RootedFiles) -> None:
    fs.create_dir(host("/var/lib/kdump"))
    files.symlink("/boot/vmlinuz-old", "/var/lib/kdump/vmlinuz")
    files.symlink(f"/boot/vmlinuz-{X}", "/var/lib/kdump/vmlinuz")
    # the link text is the target path, so it is right on the target machine
    assert os.readlink(host("/var/lib/kdump/vmlinuz")) == f"/boot/vmlinuz-{X}"
    assert os.listdir(host("/var/lib/kdump")) == ["vmlinuz"]  # no temporary left behind


def test_symlink_replaces_a_regular_file(fs: FakeFilesystem, files: RootedFiles) -> None:
    fs.create_file(host("/var/lib/kdump/initrd.img"), contents="stale copy")
    files.symlink(f"/var/lib/kdump/initrd.img-{X}", "/var/lib/kdump/initrd.img")
    assert files.is_symlink("/var/lib/kdump/initrd.img")


def test_symlink_does_not_follow_the_old_link(fs: FakeFilesystem, files: RootedFiles) -> None:
    fs.create_file(host("/boot/vmlinuz-old"), contents="keep me")
    fs.create_symlink(host("/var/lib/kdump/vmlinuz"), "/boot/vmlinuz-old")
    files.symlink("/boot/vmlinuz-new", "/var/lib/kdump/vmlinuz")
    assert files.readlink("/var/lib/kdump/vmlinuz") == "/boot/vmlinuz-new"
    assert files.read_text("/boot/vmlinuz-old") == "keep me"


def test_write_text_is_atomic_with_the_exact_mode(fs: FakeFilesystem,
                                                  files: RootedFiles) -> None:
    fs.umask = 0o077
    fs.create_file(host("/var/crash/kexec_cmd"), contents="old command\n")
    files.write_text("/var/crash/kexec_cmd", "new command\n", mode=0o644)
    # The mode first: pyfakefs (6.3) gives an existing file 0755 when os.open opens it,
    # even read-only (a real kernel never does), and reads go through os.open.
    assert files.mode("/var/crash/kexec_cmd") == 0o644
    assert files.read_text("/var/crash/kexec_cmd") == "new command\n"
    files.write_text("/var/crash/secret", "s", mode=0o600)
    assert files.mode("/var/crash/secret") == 0o600
    assert sorted(os.listdir(host("/var/crash"))) == ["kexec_cmd", "secret"]


def test_failed_write_keeps_the_old_file(fs: FakeFilesystem, files: RootedFiles) -> None:
    fs.create_file(host("/var/crash/kexec_cmd"), contents="old command\n")
    os.chmod(host("/var/crash"), 0o555)
    with pytest.raises(HostError) as raised:
        files.write_text("/var/crash/kexec_cmd", "new command\n")
    assert raised.value.errno == errno.EACCES
    assert files.read_text("/var/crash/kexec_cmd") == "old command\n"
    assert os.listdir(host("/var/crash")) == ["kexec_cmd"]


def test_read_only_directory_refuses_changes(fs: FakeFilesystem, files: RootedFiles) -> None:
    fs.create_file(host("/var/crash/vmcore"), contents="core")
    os.chmod(host("/var/crash"), 0o555)
    for change in (lambda: files.mkdir("/var/crash/202401021530"),
                   lambda: files.mkdir("/var/crash/a/b/c"),
                   lambda: files.write_text("/var/crash/x", "x"),
                   lambda: files.symlink("/x", "/var/crash/link"),
                   lambda: files.copy_file("/var/crash/vmcore", "/var/crash/copy"),
                   lambda: files.remove("/var/crash/vmcore")):
        with pytest.raises(HostError) as raised:
            change()
        assert raised.value.errno == errno.EACCES
    assert os.listdir(host("/var/crash")) == ["vmcore"]


def test_mkdir_makes_parents_and_tolerates_existing(fs: FakeFilesystem,
                                                   files: RootedFiles) -> None:
    files.mkdir("/var/crash/202401021530", mode=0o700)
    files.mkdir("/var/crash/202401021530", mode=0o700)
    assert files.is_dir("/var/crash/202401021530")
    assert files.mode("/var/crash/202401021530") == 0o700 & ~fs.umask


def test_rename_refuses_to_replace(fs: FakeFilesystem, files: RootedFiles) -> None:
    fs.create_file(host("/var/crash/dump-incomplete"), contents="new")
    fs.create_file(host("/var/crash/dump.1"), contents="old")
    fs.create_symlink(host("/var/crash/dangling"), "/nowhere")
    for destination in ("/var/crash/dump.1", "/var/crash/dangling"):
        with pytest.raises(HostError) as raised:
            files.rename("/var/crash/dump-incomplete", destination)
        assert raised.value.errno == errno.EEXIST
    assert files.read_text("/var/crash/dump.1") == "old"
    assert files.read_text("/var/crash/dump-incomplete") == "new"
    files.rename("/var/crash/dump-incomplete", "/var/crash/dump.2")
    assert files.read_text("/var/crash/dump.2") == "new"
    assert not files.lexists("/var/crash/dump-incomplete")
    with pytest.raises(HostError):
        files.rename("/var/crash/missing", "/var/crash/dump.3")


def test_remove_and_remove_tree(fs: FakeFilesystem, files: RootedFiles) -> None:
    fs.create_file(host("/keep/file"), contents="kept")
    fs.create_symlink(host("/var/crash/old/link"), "/keep")
    fs.create_file(host("/var/crash/old/vmcore"), contents="core")
    fs.create_symlink(host("/var/crash/tolink"), "/keep")
    files.remove("/var/crash/tolink")  # the link, not what it points at
    files.remove("/var/crash/missing")
    files.remove_tree("/var/crash/old")
    files.remove_tree("/var/crash/missing")
    assert os.listdir(host("/var/crash")) == []
    assert files.read_text("/keep/file") == "kept"


def test_copy_file_copies_exactly_with_mode_0600(fs: FakeFilesystem, files: RootedFiles,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fdcopy, "_CHUNK", 4096)
    data = bytes(range(256)) * 100 + b"tail"  # several chunks and a short one
    fs.create_file(host("/proc/vmcore"), contents=data)
    fs.create_dir(host("/var/crash"))
    seen: list[tuple[int, int]] = []
    copied = files.copy_file("/proc/vmcore", "/var/crash/vmcore-incomplete",
                             progress=lambda done, total: seen.append((done, total)))
    assert copied == len(data)
    with open(host("/var/crash/vmcore-incomplete"), "rb") as handle:
        assert handle.read() == data
    assert files.mode("/var/crash/vmcore-incomplete") == 0o600
    assert seen[-1] == (len(data), len(data)) and len(seen) > 1
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_copy_file_refuses_an_existing_destination(fs: FakeFilesystem,
                                                   files: RootedFiles) -> None:
    fs.create_file(host("/proc/vmcore"), contents="new core")
    fs.create_file(host("/var/crash/vmcore"), contents="old core")
    fs.create_symlink(host("/var/crash/link"), "/etc/shadow")
    for destination in ("/var/crash/vmcore", "/var/crash/link"):
        with pytest.raises(HostError) as raised:
            files.copy_file("/proc/vmcore", destination)
        assert raised.value.errno == errno.EEXIST
    assert files.read_text("/var/crash/vmcore") == "old core"
    assert not files.exists("/etc/shadow")


def test_copy_file_of_a_missing_source(fs: FakeFilesystem, files: RootedFiles) -> None:
    fs.create_dir(host("/var/crash"))
    with pytest.raises(HostError):
        files.copy_file("/proc/vmcore", "/var/crash/vmcore")
    assert not files.lexists("/var/crash/vmcore")


def test_copy_file_of_an_empty_file(fs: FakeFilesystem, files: RootedFiles) -> None:
    fs.create_file(host("/empty"))
    assert files.copy_file("/empty", "/copy") == 0
    assert files.read_text("/copy") == ""


def test_listdir(fs: FakeFilesystem, files: RootedFiles) -> None:
    for name in ("b", "a", "c"):
        fs.create_file(host(f"/var/crash/{name}"))
    assert files.listdir("/var/crash") == ["a", "b", "c"]
    assert files.listdir("/missing") == []
    assert files.listdir("/var/crash/a") == []


# -- fadump sysfs ---------------------------------------------------------------------------------


class FirmwareFiles(RootedFiles):
    """Kernel attribute semantics on top of plain files: EEXIST on a second
    registration, or a firmware that silently ignores the write."""

    def __init__(self, root: str, ignore_writes: bool = False) -> None:
        super().__init__(root)
        self.ignore_writes = ignore_writes
        self.writes: list[tuple[str, str]] = []

    def write_sysfs(self, path: str, value: str) -> None:
        self.writes.append((path, value))
        if self.ignore_writes:
            return
        if value == "1" and (self.read_text(path) or "").strip() == "1":
            raise HostError("write", path, "File exists", errno.EEXIST)
        super().write_sysfs(path, value)


NEW = "/sys/kernel/fadump"
LEGACY = "/sys/kernel/fadump_"


def layout(fs: FakeFilesystem, prefix: str, enabled: str, registered: str | None) -> None:
    fs.create_file(host(f"{prefix}enabled"), contents=enabled)
    if registered is not None:
        fs.create_file(host(f"{prefix}registered"), contents=registered)


def test_no_fadump(fs: FakeFilesystem) -> None:
    fadump = FadumpSysfs(RootedFiles(ROOT))
    assert fadump.state() == FadumpState(False, None, "none")
    with pytest.raises(HostError) as raised:
        fadump.set_registered(True)
    assert raised.value.errno == errno.ENOENT


@pytest.mark.parametrize(("prefix", "name"), [(NEW + "/", "new"), (LEGACY, "legacy")])
def test_both_layouts(fs: FakeFilesystem, prefix: str, name: str) -> None:
    layout(fs, prefix, "1\n", "0\n")
    files = FirmwareFiles(ROOT)
    fadump = FadumpSysfs(files)
    assert fadump.state() == FadumpState(True, False, name)
    fadump.set_registered(True)
    assert fadump.state() == FadumpState(True, True, name)
    assert files.writes == [(f"{prefix}registered", "1")]
    fadump.set_registered(False)
    assert fadump.state() == FadumpState(True, False, name)


def test_new_layout_preferred_when_both_exist(fs: FakeFilesystem) -> None:
    layout(fs, NEW + "/", "1\n", "1\n")
    layout(fs, LEGACY, "0\n", "0\n")
    files = FirmwareFiles(ROOT)
    fadump = FadumpSysfs(files)
    assert fadump.state() == FadumpState(True, True, "new")
    fadump.set_registered(False)
    assert files.writes == [(f"{NEW}/registered", "0")]
    assert files.read_text(f"{LEGACY}registered") == "0\n"


@pytest.mark.parametrize(("enabled", "expected"), [("0\n", False), ("", False),
                                                   ("garbage\n", False), (" 1 \n", True)])
def test_enabled_is_parsed_robustly(fs: FakeFilesystem, enabled: str, expected: bool) -> None:
    layout(fs, LEGACY, enabled, "0\n")
    assert FadumpSysfs(RootedFiles(ROOT)).state().enabled is expected


def test_enabled_without_registration_interface(fs: FakeFilesystem) -> None:
    layout(fs, NEW + "/", "1\n", None)
    assert FadumpSysfs(RootedFiles(ROOT)).state() == FadumpState(True, None, "new")


def test_reregistration_eexist_is_success(fs: FakeFilesystem) -> None:
    layout(fs, NEW + "/", "1\n", "1\n")
    files = FirmwareFiles(ROOT)
    FadumpSysfs(files).set_registered(True)
    assert files.writes == [(f"{NEW}/registered", "1")]


def test_eexist_on_unregister_is_a_failure(fs: FakeFilesystem) -> None:
    layout(fs, NEW + "/", "1\n", "1\n")

    class Refusing(RootedFiles):
        def write_sysfs(self, path: str, value: str) -> None:
            raise HostError("write", path, "File exists", errno.EEXIST)

    with pytest.raises(HostError):
        FadumpSysfs(Refusing(ROOT)).set_registered(False)


@pytest.mark.parametrize("register", [True, False])
def test_read_back_failure_raises(fs: FakeFilesystem, register: bool) -> None:
    layout(fs, LEGACY, "1\n", "0\n" if register else "1\n")
    with pytest.raises(HostError) as raised:
        FadumpSysfs(FirmwareFiles(ROOT, ignore_writes=True)).set_registered(register)
    assert raised.value.path == f"{LEGACY}registered"


def test_refused_write_raises_with_errno(fs: FakeFilesystem) -> None:
    layout(fs, NEW + "/", "1\n", "0\n")
    os.chmod(host(f"{NEW}/registered"), 0o444)
    with pytest.raises(HostError) as raised:
        FadumpSysfs(RootedFiles(ROOT)).set_registered(True)
    assert raised.value.errno == errno.EACCES

"""The planted-link rule under pyfakefs (``allow_root_user=False``: an ordinary user,
so "another user" is any other uid and root's own files are still trusted)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from pyfakefs.fake_filesystem import FakeFilesystem
from pyfakefs.fake_filesystem_unittest import Patcher

from backends.rooted import RootedFiles
from backends.values import UnsafePathError

ROOT = "/target"
OTHER = 4321


@pytest.fixture
def fs() -> Iterator[FakeFilesystem]:
    with Patcher(allow_root_user=False) as patcher:
        assert patcher.fs is not None
        patcher.fs.create_file(ROOT + "/etc/passwd", contents="root:x:0:0\n")
        patcher.fs.create_dir(ROOT + "/var/crash")
        os.chmod(ROOT + "/var/crash", 0o1777)
        yield patcher.fs


def foreign_link(fs: FakeFilesystem, path: str, target: str) -> None:
    link = fs.create_symlink(ROOT + path, target)
    link.st_uid = OTHER


def test_write_text_refuses_a_link_another_uid_owns_where_only_we_make_names(
        fs: FakeFilesystem) -> None:
    os.chmod(ROOT + "/var/crash", 0o755)
    foreign_link(fs, "/var/crash/kexec_cmd", "/etc/passwd")
    with pytest.raises(UnsafePathError, match=f"owned by another user \\(uid {OTHER}\\)"):
        RootedFiles(ROOT).write_text("/var/crash/kexec_cmd", "kexec\n")
    with open(ROOT + "/etc/passwd") as handle:
        assert handle.read() == "root:x:0:0\n"


def test_write_text_replaces_a_link_another_uid_planted_in_a_shared_directory(
        fs: FakeFilesystem) -> None:
    foreign_link(fs, "/var/crash/kexec_cmd", "/etc/passwd")  # /var/crash is 1777
    RootedFiles(ROOT).write_text("/var/crash/kexec_cmd", "kexec\n")
    assert not os.path.islink(ROOT + "/var/crash/kexec_cmd")
    with open(ROOT + "/var/crash/kexec_cmd") as handle:
        assert handle.read() == "kexec\n"
    with open(ROOT + "/etc/passwd") as handle:
        assert handle.read() == "root:x:0:0\n"


def test_a_link_in_the_path_another_uid_owns_is_not_followed(fs: FakeFilesystem) -> None:
    foreign_link(fs, "/var/crash/kdump", "/etc")
    files = RootedFiles(ROOT)
    with pytest.raises(UnsafePathError) as refused:
        files.mkdir("/var/crash/kdump/202401010000", 0o700)
    assert refused.value.path == "/var/crash/kdump"
    with pytest.raises(UnsafePathError):
        files.create_new("/var/crash/kdump/dump-incomplete")
    assert os.listdir(ROOT + "/etc") == ["passwd"]


def test_own_files_are_replaced_as_before(fs: FakeFilesystem) -> None:
    fs.create_symlink(ROOT + "/var/crash/kexec_cmd", "/etc/passwd")  # ours: replaced
    RootedFiles(ROOT).write_text("/var/crash/kexec_cmd", "kexec\n")
    assert not os.path.islink(ROOT + "/var/crash/kexec_cmd")
    with open(ROOT + "/etc/passwd") as handle:
        assert handle.read() == "root:x:0:0\n"


# -- reads of kdump-config's own files follow the same rules --------------------------------


def test_read_own_refuses_what_another_uid_owns_or_links(fs: FakeFilesystem) -> None:
    files = RootedFiles(ROOT)
    files.write_text("/var/crash/kexec_cmd", "kexec -p\n")
    assert files.read_own("/var/crash/kexec_cmd", 64) == b"kexec -p\n"
    os.unlink(ROOT + "/var/crash/kexec_cmd")
    foreign_link(fs, "/var/crash/kexec_cmd", ROOT + "/etc/passwd")
    with pytest.raises(UnsafePathError, match="symbolic link owned by another user"):
        files.read_own("/var/crash/kexec_cmd", 64)
    os.unlink(ROOT + "/var/crash/kexec_cmd")
    fs.create_file(ROOT + "/var/crash/kexec_cmd", contents="forged\n").st_uid = OTHER
    with pytest.raises(UnsafePathError, match="file owned by another user"):
        files.read_own("/var/crash/kexec_cmd", 64)


def test_scan_dir_reports_whose_each_entry_is(fs: FakeFilesystem) -> None:
    fs.create_dir(ROOT + "/var/crash/202401010000")
    fs.create_dir(ROOT + "/var/crash/209901010000").st_uid = OTHER
    foreign_link(fs, "/var/crash/kexec_cmd", "/etc/passwd")
    found = {e.name: (e.kind, e.own) for e in RootedFiles(ROOT).scan_dir("/var/crash")}
    assert found == {"202401010000": ("dir", True), "209901010000": ("dir", False),
                     "kexec_cmd": ("link", False)}

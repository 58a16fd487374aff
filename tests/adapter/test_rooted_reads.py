"""Reads of kdump-config's own files follow the write side's rules, on real trees.

KDUMP_COREDIR is 1777 here, as Ubuntu ships /var/crash; another user is nobody (65534),
planted with ``setpriv`` or given the entry with lchown.  Runs as root, as the sandbox
scenarios do.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from backends.rooted import RootedFiles
from backends.values import HostError, UnsafePathError
from tests.adapter.planted import as_nobody, tree

pytestmark = pytest.mark.real_processes

SHADOW = "root:$y$secret:19000:0:99999:7:::\n"


@pytest.fixture
def root() -> Iterator[Path]:
    with tree("kdump-reads-") as base:
        (base / "etc").mkdir()
        (base / "etc/shadow").write_text(SHADOW)
        os.chmod(base / "etc/shadow", 0o640)
        crash = base / "var/crash"
        crash.mkdir(parents=True)
        os.chmod(crash, 0o1777)
        yield base


@pytest.fixture
def files(root: Path) -> RootedFiles:
    return RootedFiles(str(root))




def test_roots_own_record_is_read(files: RootedFiles) -> None:
    files.write_text("/var/crash/kexec_cmd", "/sbin/kexec -p ...\n")
    assert files.read_own("/var/crash/kexec_cmd", 100) == b"/sbin/kexec -p ...\n"
    assert files.read_own("/var/crash/kexec_cmd", 5) == b"/sbin"  # the cap
    assert files.read_own("/var/crash/absent", 100) is None
    assert files.read_own("/var/crash/no/such/dir/file", 100) is None


def test_a_link_nobody_planted_is_never_followed(files: RootedFiles, root: Path) -> None:
    as_nobody("ln", "-s", "/etc/shadow", str(root / "var/crash/kexec_cmd"))
    with pytest.raises(UnsafePathError) as refused:
        files.read_own("/var/crash/kexec_cmd", 4096)
    assert refused.value.reason == "it is a symbolic link owned by another user (uid 65534)"
    # The plain query still follows it: that is why the state files never use it.
    assert files.read_text("/var/crash/kexec_cmd") == SHADOW


def test_even_roots_own_link_is_not_followed(files: RootedFiles, root: Path) -> None:
    (root / "var/crash/kexec_cmd").symlink_to("/etc/shadow")
    with pytest.raises(UnsafePathError, match="^read .*: it is a symbolic link$"):
        files.read_own("/var/crash/kexec_cmd", 4096)


def test_a_file_nobody_owns_is_not_read(files: RootedFiles, root: Path) -> None:
    as_nobody("sh", "-c", f"echo forged > {root}/var/crash/kexec_cmd")
    with pytest.raises(UnsafePathError, match="it is a file owned by another user"):
        files.read_own("/var/crash/kexec_cmd", 4096)


def test_a_hard_link_to_roots_file_is_not_read(files: RootedFiles, root: Path) -> None:
    # (fs.protected_hardlinks stops users making these; a root tree or a host without it
    # would not)
    os.link(root / "etc/shadow", root / "var/crash/kexec_cmd")
    with pytest.raises(UnsafePathError, match="hard links"):
        files.read_own("/var/crash/kexec_cmd", 4096)


def test_a_fifo_nobody_planted_never_blocks(files: RootedFiles, root: Path) -> None:
    fifo = root / "var/crash/kexec_cmd"
    as_nobody("mkfifo", str(fifo))
    outcome: list[object] = []

    def read() -> None:
        try:
            outcome.append(files.read_own("/var/crash/kexec_cmd", 4096))
        except HostError as exc:
            outcome.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():  # blocked in open(): let it go before failing
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(10)
        pytest.fail("read_own blocked on a FIFO")
    assert isinstance(outcome[0], UnsafePathError)
    assert outcome[0].reason == "it is not a regular file"


def test_a_socket_is_not_a_regular_file(files: RootedFiles, root: Path) -> None:
    import socket

    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(root / "var/crash/kexec_cmd"))
        with pytest.raises(UnsafePathError, match="not a regular file"):
            files.read_own("/var/crash/kexec_cmd", 4096)


def test_reads_refuse_a_directory_link_nobody_planted(files: RootedFiles, root: Path) -> None:
    # KDUMP_COREDIR=/var/crash/kdump, where nobody made kdump a link to /etc
    as_nobody("ln", "-s", "/etc", str(root / "var/crash/kdump"))
    with pytest.raises(UnsafePathError) as refused:
        files.read_own("/var/crash/kdump/shadow", 4096)
    assert refused.value.path == "/var/crash/kdump"
    with pytest.raises(UnsafePathError):
        list(files.scan_dir("/var/crash/kdump"))


def test_scan_dir_streams_names_with_kind_and_owner(files: RootedFiles, root: Path) -> None:
    crash = root / "var/crash"
    (crash / "202401010000").mkdir()
    (crash / "kexec_cmd").write_text("x\n")
    (crash / "mine").symlink_to("/etc")
    as_nobody("mkdir", str(crash / "209901010000"))
    as_nobody("mkfifo", str(crash / "pipe"))
    entries = files.scan_dir("/var/crash")
    assert iter(entries) is entries  # a generator: nothing is listed ahead
    found = {e.name: (e.kind, e.own) for e in entries}
    assert found == {"202401010000": ("dir", True), "kexec_cmd": ("file", True),
                     "mine": ("link", True), "209901010000": ("dir", False),
                     "pipe": ("other", False)}
    assert list(files.scan_dir("/var/crash/absent")) == []


@pytest.mark.parametrize("path", ["/proc/cmdline", "/proc/iomem", "/boot/config-6.1.0-18-amd64"])
def test_a_kernel_file_under_the_root_that_is_a_fifo_is_not_read_and_never_blocks(
        files: RootedFiles, root: Path, path: str) -> None:
    # Under --root every file is the tree's: a FIFO where the kernel would have its file
    # must not hang test, check, show or status.
    fifo = root / path.lstrip("/")
    fifo.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(fifo)
    outcome: list[object] = []
    reader = threading.Thread(target=lambda: outcome.append(files.read_text(path)), daemon=True)
    reader.start()
    reader.join(10)
    if reader.is_alive():  # blocked in open(): let it go before failing
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(10)
        pytest.fail(f"read_text blocked on a FIFO at {path}")
    assert outcome == [None]

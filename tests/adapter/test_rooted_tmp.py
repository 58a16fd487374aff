"""RootedFiles on a real temporary directory: what pyfakefs cannot fake.

pyfakefs does not fake ``os.copy_file_range`` (the first copy strategy) and makes
``fcntl.flock`` a no-op, so the zero-copy path, the fallbacks between strategies,
and the lock are tested here on real files.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

import pytest

import backends.fdcopy as fdcopy
from backends.rooted import RootedFiles
from backends.values import HostError

DATA = os.urandom(3 * 4096 + 123)


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RootedFiles:
    monkeypatch.setattr(fdcopy, "_CHUNK", 4096)  # several rounds for a small file
    (tmp_path / "proc").mkdir()
    (tmp_path / "proc/vmcore").write_bytes(DATA)
    (tmp_path / "var/crash").mkdir(parents=True)
    return RootedFiles(str(tmp_path))


def _calls(monkeypatch: pytest.MonkeyPatch, name: str, log: list[str]) -> None:
    real = getattr(fdcopy, name)

    def counted(source: int, sink: int, offset: int) -> int:
        log.append(name)
        return real(source, sink, offset)

    monkeypatch.setattr(fdcopy, name, counted)


def _refuse(monkeypatch: pytest.MonkeyPatch, name: str, code: int, log: list[str]) -> None:
    def refused(source: int, sink: int, offset: int) -> int:
        log.append(name)
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(fdcopy, name, refused)


def copied(tree: RootedFiles, name: str = "/var/crash/vmcore") -> bytes:
    return Path(tree.host_path(name)).read_bytes()


def test_copy_file_range_copies_exactly(tree: RootedFiles,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    log: list[str] = []
    for name in ("_copy_range", "_sendfile", "_read_write"):
        _calls(monkeypatch, name, log)
    progress: list[tuple[int, int]] = []
    count = tree.copy_file("/proc/vmcore", "/var/crash/vmcore",
                           progress=lambda done, total: progress.append((done, total)))
    assert count == len(DATA) and copied(tree) == DATA
    assert set(log) == {"_copy_range"}
    assert progress[-1] == (len(DATA), len(DATA)) and len(progress) >= 4
    assert tree.mode("/var/crash/vmcore") == 0o600


@pytest.mark.parametrize("code", [errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP])
def test_refused_zero_copy_falls_back_to_sendfile(tree: RootedFiles,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  code: int) -> None:
    log: list[str] = []
    _refuse(monkeypatch, "_copy_range", code, log)
    _calls(monkeypatch, "_sendfile", log)
    assert tree.copy_file("/proc/vmcore", "/var/crash/vmcore") == len(DATA)
    assert copied(tree) == DATA
    assert log[0] == "_copy_range" and set(log[1:]) == {"_sendfile"}


def test_falls_back_to_read_write(tree: RootedFiles, monkeypatch: pytest.MonkeyPatch) -> None:
    log: list[str] = []
    _refuse(monkeypatch, "_copy_range", errno.EXDEV, log)
    _refuse(monkeypatch, "_sendfile", errno.EINVAL, log)
    _calls(monkeypatch, "_read_write", log)
    assert tree.copy_file("/proc/vmcore", "/var/crash/vmcore") == len(DATA)
    assert copied(tree) == DATA
    assert log[:2] == ["_copy_range", "_sendfile"] and set(log[2:]) == {"_read_write"}


def test_pseudo_file_reporting_nothing_copied_falls_back(tree: RootedFiles,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # /proc/vmcore can answer copy_file_range with 0 bytes: not the end of a non-empty file.
    log: list[str] = []

    def nothing(source: int, sink: int, offset: int) -> int:
        log.append("_copy_range")
        return 0

    monkeypatch.setattr(fdcopy, "_copy_range", nothing)
    _calls(monkeypatch, "_sendfile", log)
    assert tree.copy_file("/proc/vmcore", "/var/crash/vmcore") == len(DATA)
    assert copied(tree) == DATA


def test_an_error_after_data_was_copied_is_not_papered_over(
        tree: RootedFiles, monkeypatch: pytest.MonkeyPatch) -> None:
    real = fdcopy._copy_range
    state = {"calls": 0}

    def fails_later(source: int, sink: int, offset: int) -> int:
        state["calls"] += 1
        if state["calls"] > 1:
            raise OSError(errno.EIO, "Input/output error")
        return real(source, sink, offset)

    monkeypatch.setattr(fdcopy, "_copy_range", fails_later)
    with pytest.raises(HostError) as raised:
        tree.copy_file("/proc/vmcore", "/var/crash/vmcore")
    assert raised.value.errno == errno.EIO


def test_a_byte_pump_given_to_the_layer_moves_the_bytes(tmp_path: Path) -> None:
    """The constructor seam the sandbox tier's short-copy fault uses: copy_file opens,
    creates and syncs as ever; what runs between is the pump it was given."""
    (tmp_path / "proc").mkdir()
    (tmp_path / "proc/vmcore").write_bytes(DATA)
    (tmp_path / "var/crash").mkdir(parents=True)
    seen: list[int] = []

    def first_page(source: int, sink: int, total: int, progress: object) -> int:
        seen.append(total)
        return os.write(sink, os.pread(source, 4096, 0))

    files = RootedFiles(str(tmp_path), pump=first_page)
    assert files.copy_file("/proc/vmcore", "/var/crash/vmcore") == 4096
    assert seen == [len(DATA)] and copied(files) == DATA[:4096]
    assert RootedFiles(str(tmp_path)).copy_file("/proc/vmcore", "/var/crash/all") == len(DATA)


def test_copy_refuses_an_existing_destination(tree: RootedFiles) -> None:
    Path(tree.host_path("/var/crash/vmcore")).write_bytes(b"old")
    with pytest.raises(HostError) as raised:
        tree.copy_file("/proc/vmcore", "/var/crash/vmcore")
    assert raised.value.errno == errno.EEXIST
    assert copied(tree) == b"old"


def test_copy_keeps_0600_under_a_permissive_umask(tree: RootedFiles) -> None:
    old = os.umask(0)
    try:
        tree.copy_file("/proc/vmcore", "/var/crash/vmcore")
    finally:
        os.umask(old)
    assert tree.mode("/var/crash/vmcore") == 0o600


def test_copy_through_a_rerooted_source_link(tree: RootedFiles) -> None:
    os.symlink("/proc/vmcore", tree.host_path("/var/crash/source", follow_last=False))
    assert tree.copy_file("/var/crash/source", "/var/crash/vmcore") == len(DATA)
    assert copied(tree) == DATA


# -- lock ----------------------------------------------------------------------------------------


def _try_lock(path: str) -> bool:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_lock_is_exclusive_and_released(tree: RootedFiles) -> None:
    lock_file = tree.host_path("/run/lock/kdump-config.lock")
    with tree.lock("/run/lock/kdump-config.lock"):
        assert os.path.isfile(lock_file)  # parent directories created
        assert oct(os.stat(lock_file).st_mode & 0o777) == oct(0o600)
        assert not _try_lock(lock_file)
    assert _try_lock(lock_file)


def test_lock_is_released_on_error(tree: RootedFiles) -> None:
    with pytest.raises(RuntimeError), tree.lock("/run/lock/kdump-config.lock"):
        raise RuntimeError("boom")
    assert _try_lock(tree.host_path("/run/lock/kdump-config.lock"))


def test_lock_file_lives_under_the_root(tree: RootedFiles, tmp_path: Path) -> None:
    with tree.lock("/run/lock/x.lock"):
        pass
    assert (tmp_path / "run/lock/x.lock").is_file()

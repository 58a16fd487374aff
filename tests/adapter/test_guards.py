"""Guards of the real backend that no scenario can see (issue 12, class 8).

A dump must reach stable storage before savecore calls it saved, and a program
that ran out of time must never read as a success.  The scenarios check the
order of the Host's fsync and rename calls; these check what lies below them:
that the file layer really asks the kernel to flush, and that the runner turns a
timeout into a failure.  No assertion here depends on how long anything takes:
the programs that time out never end by themselves.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from backends.linux import LinuxHost
from backends.rooted import RootedFiles
from backends.runner import Program, Runner

# A program that never ends by itself: only the timeout can stop it.
FOREVER = [sys.executable, "-c", "import time\nwhile True: time.sleep(60)"]
TIMEOUT = 0.5


@pytest.fixture
def flushed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The host paths os.fsync was asked to flush, in order."""
    seen: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        seen.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return seen


@pytest.fixture
def tree(tmp_path: Path) -> RootedFiles:
    (tmp_path / "proc").mkdir()
    (tmp_path / "proc/vmcore").write_bytes(b"\x7fELF" + os.urandom(8192))
    (tmp_path / "var/crash/202401010000").mkdir(parents=True)
    return RootedFiles(str(tmp_path))


# -- fsync -----------------------------------------------------------------------------------
def test_fsync_of_a_file_flushes_that_file(tree: RootedFiles, tmp_path: Path,
                                           flushed: list[str]) -> None:
    partial = tmp_path / "var/crash/202401010000/dump-incomplete"
    partial.write_bytes(b"dump")
    tree.fsync("/var/crash/202401010000/dump-incomplete")
    assert flushed == [str(partial)]


def test_fsync_of_a_directory_flushes_the_directory(tree: RootedFiles, tmp_path: Path,
                                                    flushed: list[str]) -> None:
    tree.fsync("/var/crash/202401010000")
    assert flushed == [str(tmp_path / "var/crash/202401010000")]


def test_a_copied_vmcore_is_flushed_before_copy_file_returns(
        tree: RootedFiles, tmp_path: Path, flushed: list[str]) -> None:
    copied = tree.copy_file("/proc/vmcore", "/var/crash/202401010000/vmcore-incomplete")
    assert copied == (tmp_path / "proc/vmcore").stat().st_size
    assert flushed == [str(tmp_path / "var/crash/202401010000/vmcore-incomplete")]


@pytest.mark.real_processes
def test_a_pipeline_output_file_is_flushed_before_pipeline_returns(
        tmp_path: Path, flushed: list[str]) -> None:
    host = LinuxHost("/")
    out = tmp_path / "dump-incomplete"
    result = host.pipeline([[sys.executable, "-c", "print('a dump')"]], stdout_path=str(out))
    assert result.ok and result.bytes_written == out.stat().st_size > 0
    assert flushed == [str(out)]


# -- timeouts ----------------------------------------------------------------------------------
@pytest.mark.real_processes
def test_a_program_that_timed_out_is_a_failure() -> None:
    result = Runner().run(Program.of(FOREVER), timeout=TIMEOUT)
    assert result.returncode != 0 and not result.ok
    assert result.timed_out and "still running after" in result.stderr


@pytest.mark.real_processes
def test_a_program_that_timed_out_is_a_failure_through_the_host() -> None:
    result = LinuxHost("/").run(FOREVER, timeout=TIMEOUT)
    assert not result.ok
    assert result.argv == tuple(FOREVER)


@pytest.mark.real_processes
def test_a_pipeline_stage_that_timed_out_is_a_failure(tmp_path: Path) -> None:
    with open(tmp_path / "out", "wb") as sink:
        result = Runner().pipeline([Program.of(FOREVER)], stdout_fd=sink.fileno(), timeout=TIMEOUT)
    assert not result.ok
    assert result.failed_stage is not None and result.failed_stage.argv == tuple(FOREVER)

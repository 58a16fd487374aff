"""The real backend's processes (backends/runner.py through LinuxHost), as real processes.

* argv[0] is the name a program is invoked as, never the file it resolves to: a
  busybox-style tree (applets are links to one binary) must still tell them apart.
  The "binary" here is a copy of this Python, which reports its own argv[0]
  (``sys.orig_argv[0]``) as busybox would read it.
* A stage that cannot start never leaves the chain waiting.
* A deadline ends a chain, and a stage stopped at it is never a success.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from backends.linux import LinuxHost
from backends.values import TIMED_OUT, FtpTarget, HostError, RunResult
from tests.ftpserver import FtpServer

pytestmark = pytest.mark.real_processes  # real programs through the runner

T = TypeVar("T")

# What a busybox applet sees first: its argv[0].
SAY_ARGV0 = ["-c", "import sys; sys.stdout.write(sys.orig_argv[0])"]
# A safety net, not a measurement: a chain that hangs would otherwise hang the suite.
HANG_GUARD = 60.0


@pytest.fixture
def busybox_tree(tmp_path: Path) -> Path:
    """A root whose applets are absolute links to one multi-call binary, as busybox installs."""
    root = tmp_path / "root"
    for folder in ("bin", "usr/bin", "usr/sbin"):
        (root / folder).mkdir(parents=True)
    shutil.copy(os.path.realpath(sys.executable), root / "bin/busybox")
    (root / "usr/bin/gzip").symlink_to("/bin/busybox")
    (root / "usr/sbin/makedumpfile").symlink_to("/bin/busybox")
    return root


def _tree_host(root: Path) -> LinuxHost:
    # The copied interpreter finds its library through PYTHONHOME, wherever it lives.
    return LinuxHost(str(root), env={"PATH": "", "PYTHONHOME": sys.base_prefix})


def _finishes(action: Callable[[], T]) -> T:
    """``action``'s result; fails (instead of hanging the suite) if it never returns."""
    done: list[T] = []
    thread = threading.Thread(target=lambda: done.append(action()), daemon=True)
    thread.start()
    thread.join(HANG_GUARD)
    assert done, "the chain never finished"
    return done[0]


# -- argv[0] -------------------------------------------------------------------------------
def test_a_program_run_by_name_sees_that_name_as_argv0(busybox_tree: Path) -> None:
    host = _tree_host(busybox_tree)

    by_name = host.run(["gzip", *SAY_ARGV0])
    by_path = host.run([host.which("gzip") or "", *SAY_ARGV0])

    assert by_name.ok, by_name
    assert by_name.stdout == "gzip"  # not <root>/bin/busybox
    assert by_path.stdout == "/usr/bin/gzip"  # the target's path, as savecore names it


def test_every_stage_of_a_pipeline_sees_its_own_name(busybox_tree: Path) -> None:
    host = _tree_host(busybox_tree)
    relay = ["-c", "import sys; sys.stdout.write(sys.stdin.read() + '|' + sys.orig_argv[0])"]

    result = host.pipeline([["makedumpfile", *SAY_ARGV0], ["/usr/bin/gzip", *relay]])

    assert result.ok, result
    assert result.stages[-1].stdout == "makedumpfile|/usr/bin/gzip"


def test_an_installed_hook_sees_its_own_path(busybox_tree: Path) -> None:
    result = _tree_host(busybox_tree).run_installed("/usr/bin/gzip", SAY_ARGV0)

    assert result.stdout == "/usr/bin/gzip"


def test_ftp_producers_see_their_own_names(busybox_tree: Path, tmp_path: Path) -> None:
    (tmp_path / "srv").mkdir()
    with FtpServer(tmp_path / "srv") as server:
        result = _tree_host(busybox_tree).ftp_upload(
            FtpTarget("127.0.0.1", server.port), "/out", [["makedumpfile", *SAY_ARGV0]])

    assert result.ok, result
    assert (tmp_path / "srv/out").read_bytes() == b"makedumpfile"


def test_on_the_live_root_a_link_is_not_replaced_by_its_target(tmp_path: Path) -> None:
    applet = tmp_path / "gzip"
    applet.symlink_to(os.path.realpath(sys.executable))

    result = LinuxHost("/").run([str(applet), *SAY_ARGV0])

    assert result.stdout == str(applet)


# -- a stage that cannot start ----------------------------------------------------------------
def test_a_stage_that_cannot_start_never_leaves_the_chain_waiting() -> None:
    host = LinuxHost("/")

    # More than a pipe holds: the writer blocks for good if its reader is kept open.
    result = _finishes(lambda: host.pipeline(
        [["head", "-c", "1M", "/dev/zero"], ["kdump-test-no-such-program"]]))

    assert not result.ok
    assert result.stages[1].returncode == 127
    assert "kdump-test-no-such-program" in result.stages[1].stderr
    assert "could not start" in result.stages[0].stderr


def test_an_ftp_producer_that_cannot_start_uploads_nothing(tmp_path: Path) -> None:
    (tmp_path / "srv").mkdir()
    with FtpServer(tmp_path / "srv") as server:
        result = _finishes(lambda: LinuxHost("/").ftp_upload(
            FtpTarget("127.0.0.1", server.port), "/out",
            [["head", "-c", "1M", "/dev/zero"], ["kdump-test-no-such-program"]]))

    assert not result.ok
    assert result.stages[1].returncode == 127
    assert server.uploads == []


# -- deadlines --------------------------------------------------------------------------------
def test_a_program_past_its_deadline_is_killed_and_never_a_success() -> None:
    result = _finishes(lambda: LinuxHost("/").run(["sleep", "600"], timeout=0.2))

    assert result.timed_out
    assert result.returncode == TIMED_OUT
    assert not result.ok


def test_a_deadline_covers_the_whole_chain() -> None:
    result = _finishes(lambda: LinuxHost("/").pipeline(
        [["head", "-c", "1M", "/dev/zero"], ["sleep", "600"]], timeout=0.2))

    assert result.timed_out and not result.ok
    assert result.stages[1].timed_out


def test_a_stage_that_exits_0_after_its_deadline_is_still_not_ok() -> None:
    assert not RunResult(("x",), 0, timed_out=True).ok


def test_an_upload_past_its_deadline_is_not_a_success(tmp_path: Path) -> None:
    (tmp_path / "srv").mkdir()
    with FtpServer(tmp_path / "srv") as server:
        result = _finishes(lambda: LinuxHost("/").ftp_upload(
            FtpTarget("127.0.0.1", server.port), "/out", [["sleep", "600"]], timeout=0.5))

    assert result.timed_out and not result.ok


def test_a_copy_from_a_source_that_never_answers_ends_at_its_deadline(tmp_path: Path) -> None:
    fifo = tmp_path / "vmcore"
    os.mkfifo(fifo)  # no writer: opening it blocks for good
    # The safety net: a writer that comes (and goes) only if the deadline did not work.
    rescue = threading.Timer(HANG_GUARD, lambda: os.close(os.open(fifo, os.O_WRONLY)))
    rescue.daemon = True
    rescue.start()
    try:
        with pytest.raises(HostError) as failure:
            LinuxHost(str(tmp_path)).copy_file("/vmcore", "/copy", timeout=0.2)
    finally:
        rescue.cancel()

    assert failure.value.errno == errno.ETIME


@pytest.fixture(autouse=True)
def _no_leftover_alarm() -> Iterator[None]:
    yield
    import signal

    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


# -- where programs come from -------------------------------------------------------------------
def _planted_kexec(directory: Path) -> Path:
    """A `kexec` in a directory a user controls, that says when it runs."""
    directory.mkdir(parents=True, exist_ok=True)
    marker = directory / "ran"
    kexec = directory / "kexec"
    kexec.write_text(f"#!/bin/sh\ntouch {marker}\n")
    kexec.chmod(0o755)
    return marker


def test_on_the_live_root_the_callers_path_finds_no_program(tmp_path: Path) -> None:
    # `PATH=/tmp/x:$PATH kdump-config test` (or a user's PATH kept by `su`) named and ran
    # /tmp/x/kexec as root.
    planted = tmp_path / "x"
    marker = _planted_kexec(planted)
    host = LinuxHost("/", env={"PATH": f"{planted}:/usr/sbin:/usr/bin:/sbin:/bin"})

    assert host.which("kexec") != str(planted / "kexec")
    host.run(["kexec", "--version"])
    assert not marker.exists()


def test_children_get_the_fixed_system_path_not_the_callers() -> None:
    host = LinuxHost("/", env={"PATH": "/tmp/x:/home/user/bin"})

    result = host.run(["sh", "-c", 'printf %s "$PATH"'])

    assert result.stdout == "/usr/sbin:/usr/bin:/sbin:/bin"


def test_the_search_path_is_a_constructor_part_not_the_environment(tmp_path: Path) -> None:
    # The seam tests use to put their own programs first: given explicitly, by target path.
    seam = tmp_path / "stubs"
    marker = _planted_kexec(seam)
    host = LinuxHost("/", env={"PATH": "/usr/bin:/bin"},
                     search_path=(str(seam), "/usr/bin", "/bin"))

    assert host.which("kexec") == str(seam / "kexec")
    assert host.run(["kexec"]).ok
    assert marker.exists()

"""A chain whose later stage cannot start stops and reaps the stages already started.

makedumpfile | compressor | ssh: when the compressor or ssh cannot be executed, the
stages before it could never finish (nobody reads them, or they never write) and must
be killed and waited for, so that none is left running beside the capture kernel's
next step, nor left as a zombie.  The stages here never end by themselves (``sleep``):
only the runner can end them.  "Left" is read from the kernel: the children of this
process that did not exist before the call.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from backends.linux import LinuxHost
from backends.values import FtpTarget, PipelineResult
from tests.ftpserver import FtpServer

pytestmark = pytest.mark.real_processes

T = TypeVar("T")
FOREVER = ["sleep", "3600"]
MISSING = ["kdump-test-no-such-program"]
HANG_GUARD = 60.0  # a safety net for a chain that never returns, not a measurement


def _children() -> set[int]:
    """This process's children, whatever their state (a zombie too)."""
    me, found = os.getpid(), set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == me:
            found.add(int(entry))
    return found


def _left_behind(action: Callable[[], T]) -> tuple[T, set[int]]:
    """``action``'s result, and the children it started that are still there."""
    before = _children()
    done: list[T] = []
    thread = threading.Thread(target=lambda: done.append(action()), daemon=True)
    thread.start()
    thread.join(HANG_GUARD)
    assert done, f"still running after {HANG_GUARD} s"
    return done[0], _children() - before


@pytest.fixture(autouse=True)
def _no_strays() -> object:
    """Whatever a failing test left, end it (the assertion has already been made)."""
    before = _children()
    yield None
    for pid in _children() - before:
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


@pytest.mark.parametrize("stages", [
    [FOREVER, FOREVER, MISSING],  # makedumpfile | compressor | ssh: ssh is missing
    [FOREVER, MISSING, ["cat"]],  # the compressor is missing
    [FOREVER, MISSING],
], ids=["last-missing", "middle-missing", "two-stages"])
def test_the_stages_before_one_that_cannot_start_are_killed_and_reaped(
        stages: list[list[str]]) -> None:
    result, left = _left_behind(lambda: LinuxHost("/").pipeline(stages))

    assert left == set()
    missing = stages.index(MISSING)
    assert not result.ok
    assert result.stages[missing].returncode == 127
    for started in result.stages[:missing]:
        assert not started.ok
        assert "could not start" in started.stderr


def test_the_same_holds_for_a_pipeline_into_a_file(tmp_path: Path) -> None:
    out = tmp_path / "dump-incomplete"
    result, left = _left_behind(lambda: LinuxHost("/").pipeline(
        [FOREVER, MISSING], stdout_path=str(out)))

    assert left == set()
    assert not result.ok


def test_the_same_holds_for_an_ftp_upload_of_a_chain(tmp_path: Path) -> None:
    (tmp_path / "srv").mkdir()
    with FtpServer(tmp_path / "srv") as server:
        result, left = _left_behind(lambda: LinuxHost("/").ftp_upload(
            FtpTarget("127.0.0.1", server.port), "/dump", [FOREVER, FOREVER, MISSING]))

    assert left == set()
    assert isinstance(result, PipelineResult) and not result.ok
    assert server.uploads == []

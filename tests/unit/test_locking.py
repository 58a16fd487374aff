"""kdump.locking: a bounded wait that names the holder, and savecore's way around the lock."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest

from backends.base import HostError, LockBusyError, UnsafePathError
from kdump.locking import LOCK_FILE, LOCK_WAIT, LockFailed, exclusive
from kdump.report import Reporter


class FakeHost:
    """The lock is busy for ``busy_for`` attempts, or fails with ``error``; sleep is counted."""

    def __init__(self, busy_for: int = 0, error: HostError | None = None) -> None:
        self.busy_for = busy_for
        self.error = error
        self.slept = 0.0
        self.held = False

    def lock(self, path: str) -> AbstractContextManager[None]:
        if self.error is not None:
            raise self.error
        if self.busy_for > 0:
            self.busy_for -= 1
            raise LockBusyError(path, "pid 4242")
        return self._held()

    @contextmanager
    def _held(self) -> Iterator[None]:
        self.held = True
        try:
            yield
        finally:
            self.held = False

    def sleep(self, seconds: float) -> None:
        self.slept += seconds


def reporter() -> Reporter:
    return Reporter(out=io.StringIO(), err=io.StringIO())


def test_a_short_wait_names_the_holder_once_then_holds() -> None:
    host, report = FakeHost(busy_for=3), reporter()
    with exclusive(host, report) as held:  # type: ignore[arg-type]
        assert held and host.held
    assert not host.held
    assert report.codes() == ["lock-waiting"]
    assert "held by pid 4242" in report.emitted[0].lines[0]
    assert host.slept == 3


def test_a_lock_never_released_fails_after_the_bounded_wait() -> None:
    host, report = FakeHost(busy_for=10**6), reporter()
    with pytest.raises(LockFailed) as failed, exclusive(host, report):  # type: ignore[arg-type]
        pytest.fail("ran without the lock")
    assert failed.value.status == 1
    assert report.codes() == ["lock-waiting", "lock-timeout"]
    assert host.slept == LOCK_WAIT


def test_savecore_goes_on_without_a_busy_lock() -> None:
    host, report = FakeHost(busy_for=10**6), reporter()
    with exclusive(host, report, best_effort=True) as held:  # type: ignore[arg-type]
        assert not held
    assert report.codes() == ["lock-waiting", "lock-skipped"]
    assert f"held by pid 4242 for {LOCK_WAIT} seconds" in report.emitted[-1].lines[0]


@pytest.mark.parametrize(("error", "code"), [
    (HostError("lock", LOCK_FILE, "Read-only file system", 30), "lock-unavailable"),
    (UnsafePathError("lock", LOCK_FILE, "it is a symbolic link"), "path-refused"),
])
def test_a_lock_that_cannot_be_had_fails_or_is_skipped(error: HostError, code: str) -> None:
    report = reporter()
    with pytest.raises(LockFailed), exclusive(FakeHost(error=error), report):  # type: ignore[arg-type]
        pytest.fail("ran without the lock")
    assert report.codes() == [code]
    report = reporter()
    with exclusive(FakeHost(error=error), report, best_effort=True) as held:  # type: ignore[arg-type]
        assert not held
    assert report.codes() == ["lock-skipped"]
    assert error.reason in report.emitted[0].lines[0]

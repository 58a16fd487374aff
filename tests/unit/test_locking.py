"""kdump.locking: a bounded wait that names the holder, and savecore's way around the lock."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest

from backends.values import HostError, LockBusyError, UnsafePathError
from kdump.locking import (
    ARRIVAL_FILE,
    LOCK_FILE,
    LOCK_WAIT,
    PENDING_FILE,
    QUEUE_FILE,
    QUEUE_POLL,
    SETTLE_MAX,
    SETTLE_QUIET,
    LockFailed,
    coalesced,
    exclusive,
    pending,
)
from kdump.reporter import Reporter


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


class StormHost:
    """try-reload's view of a storm: the lock is busy for ``busy_for`` seconds (a reload
    runs), the queue is free; turned-away requests leave their token at the given seconds
    of the (slept, counted) clock.  Records when the queue was let go."""

    def __init__(self, busy_for: float, arrivals: list[float]) -> None:
        self.busy_for, self.arrivals = busy_for, arrivals
        self.clock = 0.0
        self.queue_released: float | None = None
        self.files: dict[str, str] = {}  # the pending record

    def lock(self, path: str) -> AbstractContextManager[None]:
        if path == LOCK_FILE and self.clock < self.busy_for:
            raise LockBusyError(path, "pid 4242")
        return self._held(path)

    @contextmanager
    def _held(self, path: str) -> Iterator[None]:
        try:
            yield
        finally:
            if path == QUEUE_FILE:
                self.queue_released = self.clock

    def sleep(self, seconds: float) -> None:
        self.clock += seconds

    def read_own(self, path: str, limit: int) -> bytes | None:
        if path == ARRIVAL_FILE:
            return str(sum(1 for t in self.arrivals if t <= self.clock)).encode()[:limit]
        assert path == PENDING_FILE
        text = self.files.get(path)
        return None if text is None else text.encode()[:limit]

    def write_text(self, path: str, text: str, mode: int = 0o644) -> None:
        assert path == PENDING_FILE and mode == 0o600
        self.files[path] = text

    def remove(self, path: str) -> None:
        self.files.pop(path, None)


def _queued_reload(host: StormHost) -> float:
    """Run a queued try-reload; the clock at which its reload read the machine."""
    with coalesced(host, reporter()) as held:  # type: ignore[arg-type]
        assert held
        return host.clock


def test_the_queued_reload_reads_the_machine_only_once_the_storm_has_settled() -> None:
    # Turned-away requests keep coming after the running reload ends (at 1 s), further
    # apart as they go: the queued one holds the queue through them all, then reads.
    arrivals = [0.5, 1.2, 1.5, 2.3, 3.4, 4.0]
    host = StormHost(busy_for=1.0, arrivals=arrivals)
    read_at = _queued_reload(host)
    assert host.queue_released is not None
    # The snapshot comes after the queue is let go: every turned-away request is covered.
    assert host.queue_released <= read_at
    # Let go only after the last one, and a quiet of at least twice the longest gap.
    longest = max(b - a for a, b in zip(arrivals, arrivals[1:], strict=False))
    assert host.queue_released >= arrivals[-1] + max(SETTLE_QUIET, 2 * longest) - 1e-9


def test_a_storm_that_never_settles_still_gets_its_reload() -> None:
    arrivals = [step / 10 for step in range(1, 10_000)]  # one every 0.1 s, for ever
    host = StormHost(busy_for=1.0, arrivals=arrivals)
    read_at = _queued_reload(host)
    # (the lock is polled, the settle counted, both in QUEUE_POLL steps)
    assert read_at <= 1.0 + SETTLE_MAX + 2 * QUEUE_POLL + 1e-6


def test_a_single_request_pays_no_settle() -> None:
    host = StormHost(busy_for=0.0, arrivals=[])
    assert _queued_reload(host) == 0.0


class QueuedHost(StormHost):
    """The reload has just let the lock go; the request queued behind it holds the queue
    and has not taken the lock yet (it polls for it)."""

    def __init__(self) -> None:
        super().__init__(busy_for=0.0, arrivals=[])
        self.locked: list[str] = []
        self.written: list[str] = []

    def lock(self, path: str) -> AbstractContextManager[None]:
        if path == QUEUE_FILE:
            raise LockBusyError(path, "pid 4243")
        self.locked.append(path)
        return super().lock(path)

    def write_text(self, path: str, text: str, mode: int = 0o644) -> None:
        self.written.append(path)


def test_a_request_never_takes_the_lock_ahead_of_the_queued_one() -> None:
    host, report = QueuedHost(), reporter()
    with coalesced(host, report) as held:  # type: ignore[arg-type]
        assert not held
    assert host.locked == []
    assert report.codes() == ["reload-queued"]
    assert host.written == [ARRIVAL_FILE]  # the queued one's settle hears of it


# -- the promise kept on the failure path: a reload owed is never dropped ---------------------
def test_the_queued_request_owes_its_reload_until_one_has_completed() -> None:
    host = StormHost(busy_for=0.0, arrivals=[])
    with coalesced(host, reporter()) as held:  # type: ignore[arg-type]
        assert held
        assert pending(host)  # owed while the reload runs: a kill here leaves it owed
    assert not pending(host)


def test_a_reload_that_raises_has_not_completed_and_still_owes() -> None:
    host = StormHost(busy_for=0.0, arrivals=[])
    with pytest.raises(RuntimeError), coalesced(host, reporter()):  # type: ignore[arg-type]
        raise RuntimeError("killed half-way")
    assert pending(host)


def test_a_newer_request_owing_a_reload_keeps_its_record() -> None:
    host = StormHost(busy_for=0.0, arrivals=[])
    with coalesced(host, reporter()):  # type: ignore[arg-type]
        host.write_text(PENDING_FILE, "newer\n", 0o600)  # queued after this one's snapshot
    assert host.files[PENDING_FILE] == "newer\n"


def test_a_queued_request_that_cannot_wait_hands_its_reload_on() -> None:
    host, report = StormHost(busy_for=10**6, arrivals=[]), reporter()
    with pytest.raises(LockFailed), coalesced(host, report):  # type: ignore[arg-type]
        pytest.fail("ran without the lock")
    assert report.codes() == ["lock-waiting", "reload-handed-on", "lock-timeout"]
    assert pending(host)


def test_taking_over_a_pending_reload_is_silent_when_a_queued_request_covers_it() -> None:
    host, report = QueuedHost(), reporter()
    with coalesced(host, report, taking_over=True) as held:  # type: ignore[arg-type]
        assert not held
    assert report.codes() == []
    assert host.written == []


def test_a_record_lost_while_waiting_is_written_again_when_the_request_gives_up() -> None:
    """The previous reload may delete a record written just as it finished (the narrow
    race kdump.locking names): a request that gives up writes it again."""
    host, report = StormHost(busy_for=10**6, arrivals=[]), reporter()
    sleep = host.sleep

    def sleep_and_lose(seconds: float) -> None:
        sleep(seconds)
        host.remove(PENDING_FILE)

    host.sleep = sleep_and_lose  # type: ignore[method-assign]
    with pytest.raises(LockFailed), coalesced(host, report):  # type: ignore[arg-type]
        pytest.fail("ran without the lock")
    assert pending(host)


class _Holding:
    """A held lock file that only its ``__exit__`` lets go (a generator's would also go
    when the garbage collector closes it, hiding a lock never let go)."""

    def __init__(self, host: HeldHost, path: str) -> None:
        self.host, self.path = host, path

    def __enter__(self) -> None:
        self.host.holding.add(self.path)

    def __exit__(self, *exc: object) -> None:
        self.host.holding.discard(self.path)


class HeldHost(StormHost):
    """A StormHost that knows which lock files are held right now."""

    def __init__(self, busy_for: float, arrivals: list[float]) -> None:
        super().__init__(busy_for, arrivals)
        self.holding: set[str] = set()

    def lock(self, path: str) -> AbstractContextManager[None]:
        super().lock(path)  # busy, or free
        return _Holding(self, path)


@pytest.mark.parametrize("interrupted_at", [1.05, 1.5])  # just after taking it; mid-settle
def test_an_interrupted_settle_lets_the_lock_and_the_queue_go(interrupted_at: float) -> None:
    # The queued request took the lock (the reload ended at 1 s) and settles behind it:
    # stopped there (a signal, a failing read), it must hold neither, or the next command
    # would wait LOCK_WAIT for a dead holder.
    host = HeldHost(busy_for=1.0, arrivals=[0.5, 1.2, 1.4])
    sleep = host.sleep

    def sleep_until_stopped(seconds: float) -> None:
        sleep(seconds)
        if LOCK_FILE in host.holding and host.clock >= interrupted_at:
            raise KeyboardInterrupt

    host.sleep = sleep_until_stopped  # type: ignore[method-assign]
    with pytest.raises(KeyboardInterrupt), coalesced(host, reporter()):  # type: ignore[arg-type]
        pytest.fail("the reload ran before the settle ended")
    assert host.holding == set()
    assert pending(host)  # the promise stays: whoever takes the lock next reloads


def test_a_reload_that_raises_lets_the_lock_go() -> None:
    host = HeldHost(busy_for=0.0, arrivals=[])
    with pytest.raises(RuntimeError), coalesced(host, reporter()):  # type: ignore[arg-type]
        assert host.holding == {LOCK_FILE}  # the queue was let go before the reload
        raise RuntimeError("failed half-way")
    assert host.holding == set()

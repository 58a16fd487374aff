"""Deadlines on the real backend's blocking work: a system call interrupted by an alarm,
a stream that stops a transfer once its deadline has passed."""

from __future__ import annotations

import errno
import time
from contextlib import contextmanager

from backends.values import HostError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import IO


class Expired(Exception):
    """The deadline passed in the middle of a transfer."""


class Bounded:
    """A binary stream that ends the transfer with Expired once the deadline has passed."""

    def __init__(self, stream: IO[bytes], deadline: float | None) -> None:
        self.stream = stream
        self.deadline = deadline

    def read(self, size: int = -1) -> bytes:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise Expired
        return self.stream.read(size)


@contextmanager
def alarm(timeout: float | None, operation: str, path: str) -> Iterator[None]:
    """Interrupt a blocking system call (a read of /proc/vmcore) after ``timeout`` seconds.

    SIGALRM only reaches the main thread; elsewhere the copy runs unbounded, as before.
    """
    import signal  # savecore's copy only: not on the start-up of every command
    import threading

    if timeout is None or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: object) -> None:
        raise Expired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, max(timeout, 0.001))
    try:
        yield
    except Expired:
        raise HostError(operation, path, f"timed out after {timeout:g} s", errno.ETIME) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

"""The values that cross the Host door: its errors, its results, kernel numbers.

Apart from the Host protocol itself (backends/base.py, needed by type checking only), this
is all the core needs of the backend layer at run time, so it is kept cheap to import:
`status` and `try-reload` load it on every boot and hotplug event.
"""

from __future__ import annotations

from backends.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from backends.base import Clock, Host, LogSink, Recorder, Resolver
    from backends.fdcopy import BytePump


class HostError(Exception):
    """An operation on the machine failed; ``errno`` is set for OS-level failures."""

    def __init__(self, operation: str, path: str, reason: str, errno: int | None = None) -> None:
        super().__init__(f"{operation} {path}: {reason}")
        self.operation = operation
        self.path = path
        self.reason = reason
        self.errno = errno


class UnsafePathError(HostError):
    """A write or read refused because the path could be another user's trap.

    Raised for a symbolic link or file another user owns where kdump-config would
    create or replace a file, and for a directory another user controls on the way;
    and where it reads a file of its own state: for a link, anything but a regular
    file, a file another user owns or has linked to, or one too large.
    """

    def __init__(self, operation: str, path: str, reason: str) -> None:
        super().__init__(operation, path, reason)


class DirEntry(Record):
    """One name in a directory, as a stream of them reports it (never followed)."""

    name: str
    kind: str  # "dir", "file" (regular), "link" or "other" (a FIFO, a socket, a device)
    own: bool  # root or the running user owns it: not another user's


class LockBusyError(HostError):
    """Another process holds the lock; ``holder`` says who (``pid 1234``), if known."""

    def __init__(self, path: str, holder: str) -> None:
        super().__init__("lock", path, f"held by {holder}")
        self.holder = holder


# What the kernel writes around a sysfs or procfs number.
_KERNEL_BLANKS = " \t\n"
MAX_CPUS = 8192  # the largest NR_CPUS a Linux kernel is built with


def parse_kernel_int(text: str | None, max_digits: int = 20) -> int | None:
    """A decimal number as the kernel writes one ("1\\n"); None for anything else.

    Kernel files can be in odd shapes (a broken driver, a tampered tree): no Unicode
    digits, no "1_000", no 5000-digit numbers that int() would refuse with a traceback.
    """
    word = (text or "").strip(_KERNEL_BLANKS)
    if not word or len(word) > max_digits or not (word.isascii() and word.isdigit()):
        return None
    return int(word)


def parse_cpu_list(text: str | None) -> int | None:
    """How many CPUs a list such as ``0-3,8`` names; None when it is not such a list."""
    count = 0
    for part in (text or "").strip(_KERNEL_BLANKS).split(","):
        low_text, dash, high_text = part.partition("-")
        low = parse_kernel_int(low_text)
        high = parse_kernel_int(high_text) if dash else low
        if low is None or high is None or high < low:
            return None
        count += high - low + 1
    return min(count, MAX_CPUS)


class Uname(Record):
    release: str
    machine: str


class RunResult(Record):
    argv: tuple[str, ...]
    returncode: int
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False  # stopped at its deadline: never a success, whatever it exited with
    shown: int = 0  # how much of stderr (its start) already reached a terminal as written

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


# The status of a stage that was killed at its deadline, and of an FTP session whose
# login the server refused (FTP's own reply code for "not logged in").
TIMED_OUT = 124
FTP_NOT_LOGGED_IN = 530


_KILLED_BY_SIGPIPE = -13  # subprocess's returncode for a child ended by signal 13


class PipelineResult(Record):
    """Outcome of ``a | b | c``: every stage's status is kept (no silent pipefail)."""

    stages: tuple[RunResult, ...]
    bytes_written: int = 0

    @property
    def ok(self) -> bool:
        return all(stage.ok for stage in self.stages)

    @property
    def failed_stage(self) -> RunResult | None:
        """The failure to report: a stage killed by SIGPIPE only stopped because a later one
        stopped reading, so when a later stage failed, that one is the cause."""
        failed = [index for index, stage in enumerate(self.stages) if not stage.ok]
        for index in failed:
            if self.stages[index].returncode != _KILLED_BY_SIGPIPE or index == failed[-1]:
                return self.stages[index]
        return None

    @property
    def timed_out(self) -> bool:
        return any(stage.timed_out for stage in self.stages)


class FadumpState(Record):
    """Firmware-assisted dump sysfs, whichever layout the kernel has."""

    enabled: bool
    registered: bool | None  # None: the kernel has no fadump registration interface
    layout: str  # "new" (/sys/kernel/fadump/...), "legacy" (/sys/kernel/fadump_*), or "none"


class FtpTarget(Record):
    host: str
    port: int = 21
    user: str = ""
    password: str = ""

    def __repr__(self) -> str:  # the password never reaches a log or a traceback
        return f"FtpTarget(host={self.host!r}, port={self.port!r}, user={self.user!r})"


class HostParts(Record):
    """What a backend may be given instead of its own: the seams tests inject through
    ``backends.select`` (the real backend's virtual clock, log sink, name resolver, effect
    recorder and byte pump; ``wrap``, for either backend, a decorator around the host that
    was selected: fault injection into any of its operations; ``search_path``, the target
    directories the real backend finds programs in, never the caller's PATH).  None keeps
    the backend's own."""

    clock: Clock | None = None
    log: LogSink | None = None
    resolver: Resolver | None = None
    record: Recorder | None = None
    pump: BytePump | None = None  # the byte pump under copy_file
    wrap: Callable[[Host], Host] | None = None
    search_path: tuple[str, ...] | None = None  # where programs are found (target paths)

"""The Host protocol: the only door between kdump-config and a machine.

Every path handed to a Host is a path *as seen on the target machine*
(``/sys/kernel/kexec_crash_loaded``); only the backend knows where that lives.
Processes are argv lists, never shell strings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    import datetime as _dt


class HostError(Exception):
    """An operation on the machine failed; ``errno`` is set for OS-level failures."""

    def __init__(self, operation: str, path: str, reason: str, errno: int | None = None) -> None:
        super().__init__(f"{operation} {path}: {reason}")
        self.operation = operation
        self.path = path
        self.reason = reason
        self.errno = errno


class UnsafePathError(HostError):
    """A write refused because the path could be another user's trap.

    Raised for a symbolic link or file another user owns where kdump-config would
    create or replace a file, and for a directory another user controls on the way.
    """

    def __init__(self, operation: str, path: str, reason: str) -> None:
        super().__init__(operation, path, reason)


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


class Uname(NamedTuple):
    release: str
    machine: str


class RunResult(NamedTuple):
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


class PipelineResult(NamedTuple):
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


class FadumpState(NamedTuple):
    """Firmware-assisted dump sysfs, whichever layout the kernel has."""

    enabled: bool
    registered: bool | None  # None: the kernel has no fadump registration interface
    layout: str  # "new" (/sys/kernel/fadump/...), "legacy" (/sys/kernel/fadump_*), or "none"


class FtpTarget(NamedTuple):
    host: str
    port: int = 21
    user: str = ""
    password: str = ""

    def __repr__(self) -> str:  # the password never reaches a log or a traceback
        return f"FtpTarget(host={self.host!r}, port={self.port!r}, user={self.user!r})"


ProgressCallback = Callable[[int, int], None]


class Clock(Protocol):
    """Time as the machine sees it: the wall clock (dump names), a monotonic clock
    (deadlines), and pauses (retries)."""

    def now(self) -> _dt.datetime: ...

    def monotonic(self) -> float:
        """Seconds on a clock that never steps back, for deadlines."""
        ...

    def sleep(self, seconds: float) -> None: ...


# Where syslog lines go: (tag, message, journal fields or None; see kdump/logging.py).
LogSink = Callable[[str, str, Mapping[str, str] | None], None]
# Where a name (an FTP server's) is reached: (host, port) -> (address, port).
Resolver = Callable[[str, int], tuple[str, int]]
# What a file operation did, for whoever records a machine's effects: (operation, fields).
Recorder = Callable[..., None]


class HostParts(NamedTuple):
    """What a backend may be given instead of its own: the seams tests inject through
    ``backends.select`` (a virtual clock, a log sink, a name resolver, an effect recorder).
    None keeps the backend's own."""

    clock: Clock | None = None
    log: LogSink | None = None
    resolver: Resolver | None = None
    record: Recorder | None = None
    pump: Callable[[int, int, int, ProgressCallback | None], int] | None = None  # under copy_file


class FileQueries(Protocol):
    """What the machine's files say, by target path."""

    def read_text(self, path: str) -> str | None:
        """Contents, or None when the file is absent or unreadable."""
        ...

    def read_bytes(self, path: str, limit: int | None = None) -> bytes | None: ...

    def read_config_file(self, path: str, limit: int) -> bytes | None:
        """A config file's bytes (at most ``limit`` + 1 of them), None when it is absent.

        Unlike read_text, a file that exists but cannot be read (permission, a directory,
        a link loop or a dangling link, not a regular file) raises HostError saying why.
        """
        ...

    def exists(self, path: str) -> bool:
        """True if the path exists, following symlinks (``test -e``)."""
        ...

    def is_file(self, path: str) -> bool: ...

    def is_dir(self, path: str) -> bool: ...

    def is_symlink(self, path: str) -> bool: ...

    def is_executable(self, path: str) -> bool: ...

    def readlink(self, path: str) -> str | None: ...

    def realpath(self, path: str) -> str:
        """Canonical target path, symlinks resolved within the target machine."""
        ...

    def listdir(self, path: str) -> list[str]: ...

    def file_size(self, path: str) -> int | None: ...



class FileChanges(Protocol):
    """Changes to the machine's files: never through another user's link or file."""

    def mkdir(self, path: str, mode: int = 0o755) -> None:
        """Create a directory and its parents (``mkdir -p``)."""
        ...

    def write_text(self, path: str, text: str, mode: int = 0o644) -> None:
        """Replace a file atomically (temporary file, fsync, rename)."""
        ...

    def symlink(self, target: str, link: str) -> None:
        """Create or atomically replace ``link`` pointing at ``target``."""
        ...

    def remove(self, path: str) -> None: ...

    def remove_tree(self, path: str) -> None: ...

    def rename(self, src: str, dst: str) -> None:
        """Rename without replacing an existing ``dst`` (HostError if it exists)."""
        ...

    def copy_file(
        self, src: str, dst: str, mode: int = 0o600, progress: ProgressCallback | None = None,
        *, timeout: float | None = None,
    ) -> int:
        """Stream ``src`` into a new file ``dst`` (zero-copy where the kernel can); bytes copied.

        Past ``timeout`` seconds (a read that blocks included) HostError with ETIME.
        """
        ...

    def fsync(self, path: str) -> None:
        """Flush a file or directory to stable storage."""
        ...

    def lock(self, path: str) -> AbstractContextManager[None]:
        """Hold an exclusive advisory lock on ``path`` (created if needed), without waiting.

        LockBusyError when another process holds it, UnsafePathError when the file is
        not one only root could have made, HostError when it cannot be created.
        """
        ...


class Files(FileQueries, FileChanges, Protocol):
    """The machine's files, by target path."""


class Kernel(Protocol):
    """What the running system says about itself, and firmware-assisted dump (POWER)."""

    def uname(self) -> Uname: ...

    def nproc(self) -> int: ...

    def hostname(self) -> str: ...

    def environ(self) -> Mapping[str, str]:
        """The environment kdump-config runs with on that machine (config keys the file
        does not set come from it, as when the original sourced the file)."""
        ...

    def ipv4_addresses(self) -> list[str]:
        """IPv4 addresses of interfaces that are up, in the order the kernel lists them."""
        ...

    def fadump_state(self) -> FadumpState: ...

    def fadump_set_registered(self, register: bool) -> None:
        """Register or unregister fadump and read it back; HostError if it did not take."""
        ...


class Processes(Protocol):
    """Programs on the machine: argv lists, never a shell."""

    def which(self, name: str) -> str | None: ...

    def run(
        self,
        argv: Sequence[str],
        *,
        timeout: float | None = None,
        input_text: str | None = None,
    ) -> RunResult: ...

    def run_installed(
        self, path: str, args: Sequence[str], *, timeout: float | None = None
    ) -> RunResult:
        """Run an executable that lives on the target machine (e.g. the kernel postinst hook)."""
        ...

    def pipeline(
        self,
        stages: Sequence[Sequence[str]],
        *,
        stdout_path: str | None = None,
        stdout_mode: int = 0o600,
        timeout: float | None = None,
        live_stderr: int | None = None,
    ) -> PipelineResult:
        """Run ``stages`` connected stdout-to-stdin, optionally writing the last to a new file.

        ``live_stderr``: a file descriptor (a terminal) that also gets every stage's stderr
        as it is written, so a program's own progress is seen while it runs.
        """
        ...



class Ftp(Protocol):
    """The network service kdump-config speaks without a program (the password never
    reaches an argv).  Each operation is one session (connect, log in, act, quit),
    bounded by ``timeout``; a refused login is returncode FTP_NOT_LOGGED_IN."""

    def ftp_upload(
        self, target: FtpTarget, remote_path: str, stages: Sequence[Sequence[str]] | None,
        source_path: str | None = None, *, timeout: float | None = None,
        live_stderr: int | None = None,
    ) -> PipelineResult:
        """Store the output of ``stages`` (or the file ``source_path``) at ``remote_path``
        (``live_stderr`` as for pipeline)."""
        ...

    def ftp_list(self, target: FtpTarget, directory: str, *,
                 timeout: float | None = None) -> RunResult:
        """The names in a remote directory, one per line in ``stdout``."""
        ...

    def ftp_rename(self, target: FtpTarget, src: str, dst: str, *,
                   timeout: float | None = None) -> RunResult: ...

    def ftp_remove(self, target: FtpTarget, path: str, *,
                   timeout: float | None = None) -> RunResult: ...


class ClockAndLog(Clock, Protocol):
    """The machine's time, and its syslog."""

    def syslog(self, tag: str, message: str, fields: Mapping[str, str] | None = None,
               ) -> None:
        """Log ``message`` as ``tag``: with ``fields`` (MESSAGE_ID, PRIORITY...: see
        kdump/logging.py) as a structured journal entry where the target has a journal,
        else as a plain syslog line."""


class Host(Files, Kernel, Processes, Ftp, ClockAndLog, Protocol):
    """What kdump-config may ask of a machine: the only door to it."""

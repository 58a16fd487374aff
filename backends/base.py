"""The Host protocol: the only door between kdump-config and a machine.

Every path handed to a Host is a path *as seen on the target machine*
(``/sys/kernel/kexec_crash_loaded``); only the backend knows where that lives.
Processes are argv lists, never shell strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import datetime as _dt

    from backends.values import (
        DirEntry,
        FadumpState,
        FtpTarget,
        PipelineResult,
        RunResult,
        Uname,
    )


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


class FileReads(Protocol):
    """What the machine's files hold, by target path."""

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

    def read_own(self, path: str, limit: int) -> bytes | None:
        """At most ``limit`` bytes of a file kdump-config itself wrote, None when absent.

        Read as it was written: through directories no other user controls, never
        through a link, never blocking; UnsafePathError when the name is a link, not a
        regular file, another user's, or has other (hard-linked) names.
        """
        ...

    def listdir(self, path: str) -> list[str]: ...

    def scan_dir(self, path: str) -> Iterator[DirEntry]:
        """The names in a directory, streamed (never the whole listing in memory), each
        with its kind and whether root or we own it; links are not followed."""
        ...


class FileQueries(Protocol):
    """What the machine's files are, by target path."""

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


class Files(FileReads, FileQueries, FileChanges, Protocol):
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

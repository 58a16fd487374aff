"""The real machine: files under a root prefix, processes through the one runner."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from backends.base import (
    FadumpState,
    FtpTarget,
    HostError,
    PipelineResult,
    RunResult,
    Uname,
    parse_cpu_list,
)
from backends.power import FadumpSysfs
from backends.rooted import RootedFiles

if TYPE_CHECKING:
    from backends.runner import Runner

# kdump-config has always run with this PATH, whatever the caller had.
SYSTEM_PATH = ("/usr/sbin", "/usr/bin", "/sbin", "/bin")
_FTP_TIMEOUT = 60.0


class LinuxHost(RootedFiles):
    kind = "linux"

    def __init__(self, root: str = "/", env: Mapping[str, str] | None = None) -> None:
        super().__init__(root)
        self.env = dict(os.environ if env is None else env)
        # Programs are the target machine's: found in its system directories (under the
        # root), as the original's fixed PATH did.  On the live system the caller's PATH
        # is searched first, so an admin's own build of a tool is honoured.
        extra = [d for d in self.env.get("PATH", "").split(":") if d] if self.root == "/" else []
        self.search_path = [*extra, *(d for d in SYSTEM_PATH if d not in extra)]
        self.env["PATH"] = ":".join(self.search_path)
        self._runner: Runner | None = None
        self._fadump = FadumpSysfs(self)

    @property
    def runner(self) -> Runner:
        # subprocess and tempfile cost start-up time that `status` never needs.
        if self._runner is None:
            from backends.runner import Runner

            self._runner = Runner(self.env)
        return self._runner

    # -- kernel and system facts: procfs under the root, so a sandbox tree works too --
    def uname(self) -> Uname:
        release = (self.read_text("/proc/sys/kernel/osrelease") or "").strip()
        machine = (self.read_text("/proc/sys/kernel/arch") or "").strip()
        if self.root == "/":
            local = os.uname()
            release, machine = release or local.release, machine or local.machine
        return Uname(release, machine)

    def nproc(self) -> int:
        count = parse_cpu_list(self.read_text("/sys/devices/system/cpu/online"))
        if count:
            return count
        return os.cpu_count() or 1

    def hostname(self) -> str:
        name = (self.read_text("/proc/sys/kernel/hostname") or "").strip()
        return name or os.uname().nodename

    def ipv4_addresses(self) -> list[str]:
        result = self.run(["ip", "-4", "-o", "addr", "show", "up"], timeout=10)
        if not result.ok:
            return []
        addresses = []
        for line in result.stdout.splitlines():
            words = line.split()
            # An `ip` that prints "inet" last (a busybox applet, a broken build) is no
            # address, not a traceback.
            if "inet" in words[:-1]:
                cidr = words[words.index("inet") + 1]
                addresses.append(cidr.split("/")[0])
        return addresses

    # -- fadump ----------------------------------------------------------------------
    def fadump_state(self) -> FadumpState:
        return self._fadump.state()

    def fadump_set_registered(self, register: bool) -> None:
        self._fadump.set_registered(register)

    # -- processes ---------------------------------------------------------------------
    def which(self, name: str) -> str | None:
        """The target path of a program, as the target machine's PATH would find it."""
        if "/" in name:
            return name if self.is_executable(name) else None
        for directory in self.search_path:
            candidate = f"{directory}/{name}"
            if self.is_executable(candidate):
                return candidate
        return None

    def _executable(self, argv: Sequence[str]) -> list[str]:
        """argv with its program mapped from a target path to where it lives here."""
        program = argv[0] if "/" in argv[0] else (self.which(argv[0]) or argv[0])
        return [self.host_path(program) if program.startswith("/") else program, *argv[1:]]

    def run(
        self, argv: Sequence[str], *, timeout: float | None = None, input_text: str | None = None
    ) -> RunResult:
        result = self.runner.run(self._executable(argv), timeout=timeout, input_text=input_text)
        return RunResult(tuple(argv), result.returncode, result.stdout, result.stderr)

    def run_installed(
        self, path: str, args: Sequence[str], *, timeout: float | None = None
    ) -> RunResult:
        return self.run([path, *args], timeout=timeout)

    def pipeline(
        self,
        stages: Sequence[Sequence[str]],
        *,
        stdout_path: str | None = None,
        stdout_mode: int = 0o600,
        timeout: float | None = None,
    ) -> PipelineResult:
        stages = [self._executable(argv) for argv in stages]
        if stdout_path is None:
            return self.runner.pipeline(stages, timeout=timeout)
        try:
            fd = os.open(self.host_path(stdout_path, follow_last=False),
                         os.O_WRONLY | os.O_CREAT | os.O_EXCL, stdout_mode)
        except OSError as exc:
            raise HostError("create", stdout_path, exc.strerror or str(exc), exc.errno) from exc
        try:
            result = self.runner.pipeline(stages, stdout_fd=fd, timeout=timeout)
            os.fsync(fd)
            size = os.fstat(fd).st_size
        finally:
            os.close(fd)
        return PipelineResult(result.stages, size)

    # -- FTP through the standard library: the password never appears in argv -----------
    def ftp_upload(
        self, target: FtpTarget, remote_path: str, stages: Sequence[Sequence[str]] | None,
        source_path: str | None = None,
    ) -> PipelineResult:
        import ftplib  # brings ssl along: only when an FTP target is used

        label = ("ftp-stor", f"{target.host}:{remote_path}")

        def failed(exc: BaseException) -> RunResult:
            # ftplib's EOFError has no words of its own.
            reason = str(exc) or ("connection closed by the server"
                                  if isinstance(exc, EOFError) else type(exc).__name__)
            return RunResult(label, 1, "", _without(reason, target.password))

        ftp = ftplib.FTP()
        try:
            ftp.connect(target.host, target.port, timeout=_FTP_TIMEOUT)
            ftp.login(target.user or "anonymous", target.password or "anonymous@")
        except ftplib.all_errors as exc:  # EOFError too: a server that hangs up at once
            ftp.close()
            return PipelineResult((failed(exc),))
        # savecore holds this against the vmcore's size: count what the data connection
        # took, since the server's side cannot be asked.
        sent = 0

        def count(block: bytes) -> None:
            nonlocal sent
            sent += len(block)

        producers: list[RunResult] = []
        try:
            if stages:
                chain = self.runner.producers([self._executable(a) for a in stages])
                try:
                    ftp.storbinary(f"STOR {remote_path}", chain.stdout, callback=count)
                finally:
                    producers = chain.wait()
            else:
                with open(self.host_path(source_path or "/dev/null"), "rb") as source:
                    ftp.storbinary(f"STOR {remote_path}", source, callback=count)
            stored = RunResult(label, 0)
        except ftplib.all_errors as exc:
            stored = failed(exc)
        finally:
            with contextlib.suppress(*ftplib.all_errors):
                ftp.quit()
            ftp.close()
        return PipelineResult((*producers, stored), sent)

    # -- time and logging ------------------------------------------------------------
    def now(self) -> dt.datetime:
        return dt.datetime.now()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def syslog(self, tag: str, message: str) -> None:
        """Log to the target's syslog: the live journal, or a tree's own /dev/log if any."""
        if self.root == "/":
            import syslog

            syslog.openlog(tag, 0, syslog.LOG_USER)
            syslog.syslog(syslog.LOG_NOTICE, message)
            return
        import socket
        import stat

        path = self._join("/dev/log")
        try:
            if not stat.S_ISSOCK(os.stat(path).st_mode):
                return
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.sendto(f"<13>{tag}: {message}".encode(), path)  # user.notice
        except OSError:
            return  # a tree without a syslog daemon: nobody to tell


def _without(text: str, secret: str) -> str:
    """A server may echo what it was sent; the password must not reach a message."""
    return text.replace(secret, "********") if secret else text

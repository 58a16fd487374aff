"""The real machine: files under a root prefix, processes through the one runner."""

from __future__ import annotations

import os
import time

from backends.deadlines import alarm
from backends.fadump_sysfs import FadumpSysfs
from backends.rooted import RootedFiles
from backends.values import MAX_CPUS, HostError, PipelineResult, Uname, parse_cpu_list

TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence

    from backends.base import Clock, LogSink, ProgressCallback, Recorder, Resolver
    from backends.fdcopy import BytePump
    from backends.linux_ftp import StdlibFtp
    from backends.runner import Program, Runner
    from backends.values import FadumpState, FtpTarget, RunResult

# Where programs are found, whatever PATH the caller had (a user's PATH survives `su`, and
# root must not run a user's kexec).  The original's fixed PATH; /usr/local stays out: on
# Debian the group staff may write there, and a root-only program must not come from it.
SYSTEM_PATH = ("/usr/sbin", "/usr/bin", "/sbin", "/bin")


class SystemClock:
    """The running host's clocks."""

    def now(self) -> dt.datetime:
        import datetime as dt  # not on the start-up of status, which never asks the time

        return dt.datetime.now()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class LinuxHost:
    kind = "linux"

    def __init__(self, root: str = "/", env: Mapping[str, str] | None = None, *,
                 clock: Clock | None = None, log: LogSink | None = None,
                 resolver: Resolver | None = None, record: Recorder | None = None,
                 pump: BytePump | None = None,
                 search_path: Sequence[str] | None = None) -> None:
        """``env``: the environment kdump-config runs with (default: this process's).
        ``clock``, ``log``, ``resolver``, ``record`` and ``pump`` replace the host's own
        clocks, its syslog, name resolution (of FTP servers), and the file layer's effect
        recorder and byte pump (under copy_file); ``search_path``, the target directories
        programs are found in (default SYSTEM_PATH)."""
        self.files = files = RootedFiles(root, record=record, pump=pump)
        self.root = files.root
        # The Host's files are the file layer's: each of these is that layer's own method.
        self.host_path = files.host_path
        self.read_text = files.read_text
        self.read_bytes = files.read_bytes
        self.read_config_file = files.read_config_file
        self.read_own = files.read_own
        self.listdir = files.listdir
        self.scan_dir = files.scan_dir
        self.exists = files.exists
        self.is_file = files.is_file
        self.is_dir = files.is_dir
        self.is_symlink = files.is_symlink
        self.is_executable = files.is_executable
        self.readlink = files.readlink
        self.realpath = files.realpath
        self.file_size = files.file_size
        self.mkdir = files.mkdir
        self.write_text = files.write_text
        self.symlink = files.symlink
        self.remove = files.remove
        self.remove_tree = files.remove_tree
        self.rename = files.rename
        self.fsync = files.fsync
        self.lock = files.lock
        self.environment = dict(os.environ if env is None else env)
        self.clock: Clock = clock or SystemClock()
        self._log = log
        self._resolve_name = resolver
        # Programs are the target machine's: found in its system directories (under the
        # root), never through the caller's PATH, and the children get the same PATH.
        self.search_path = list(SYSTEM_PATH if search_path is None else search_path)
        self.env = {**self.environment, "PATH": ":".join(self.search_path)}
        self._runner: Runner | None = None
        self._ftp: StdlibFtp | None = None
        self._fadump = FadumpSysfs(files)

    @property
    def runner(self) -> Runner:
        # subprocess and tempfile cost start-up time that `status` never needs.
        if self._runner is None:
            from backends.runner import Runner

            self._runner = Runner(self.env)
        return self._runner

    # -- kernel and system facts: procfs under the root, so a sandbox tree works too --
    # With a root other than /, nothing comes from the running host: the tree says.
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
        if self.root == "/":
            return os.cpu_count() or 1
        cpuinfo = self.read_text("/proc/cpuinfo") or ""
        listed = sum(1 for line in cpuinfo.splitlines()
                     if line.split(":")[0].strip() == "processor")
        return min(max(listed, 1), MAX_CPUS)

    def hostname(self) -> str:
        for path in ("/proc/sys/kernel/hostname", "/etc/hostname"):
            name = (self.read_text(path) or "").strip()
            if name:
                return name
        return os.uname().nodename if self.root == "/" else "localhost"

    def environ(self) -> Mapping[str, str]:
        """The caller's environment, --root or not: it is where kdump-config runs."""
        return self.environment

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

    def program(self, argv: Sequence[str]) -> Program:
        """What to execute here for ``argv``: argv[0] stays the name it is invoked as.

        Only the file to execute is mapped (and, under a root, resolved inside it);
        a multi-call program (busybox) tells its applets apart by argv[0].
        """
        from backends.runner import Program

        name = argv[0]
        program = name if "/" in name else (self.which(name) or name)
        if program.startswith("/") and self.root != "/":
            program = self.host_path(program)
        return Program(program, tuple(argv))

    def run(
        self, argv: Sequence[str], *, timeout: float | None = None, input_text: str | None = None
    ) -> RunResult:
        return self.runner.run(self.program(argv), timeout=timeout, input_text=input_text)

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
        live_stderr: int | None = None,
    ) -> PipelineResult:
        programs = [self.program(argv) for argv in stages]
        if stdout_path is None:
            return self.runner.pipeline(programs, timeout=timeout, live_stderr=live_stderr)
        fd = self.files.create_new(stdout_path, stdout_mode)  # never through a planted link
        try:
            result = self.runner.pipeline(programs, stdout_fd=fd, timeout=timeout,
                                          live_stderr=live_stderr)
            os.fsync(fd)
            size = os.fstat(fd).st_size
        finally:
            os.close(fd)
        return PipelineResult(result.stages, size)

    def copy_file(
        self, src: str, dst: str, mode: int = 0o600, progress: ProgressCallback | None = None,
        *, timeout: float | None = None,
    ) -> int:
        """As the file layer's copy, but a read that blocks cannot outlive ``timeout``."""
        with alarm(timeout, "copy", dst):
            return self.files.copy_file(src, dst, mode, progress)

    # -- FTP through the standard library: the password never appears in argv -----------
    @property
    def ftp(self) -> StdlibFtp:
        # Loaded with the first FTP target: `status` never speaks FTP.
        if self._ftp is None:
            from backends.linux_ftp import StdlibFtp

            self._ftp = StdlibFtp(self, self._resolve_name)
        return self._ftp

    def ftp_upload(
        self, target: FtpTarget, remote_path: str, stages: Sequence[Sequence[str]] | None,
        source_path: str | None = None, *, timeout: float | None = None,
        live_stderr: int | None = None,
    ) -> PipelineResult:
        return self.ftp.upload(target, remote_path, stages, source_path, timeout=timeout,
                               live_stderr=live_stderr)

    def ftp_list(self, target: FtpTarget, directory: str, *,
                 timeout: float | None = None) -> RunResult:
        return self.ftp.names(target, directory, timeout=timeout)

    def ftp_rename(self, target: FtpTarget, src: str, dst: str, *,
                   timeout: float | None = None) -> RunResult:
        return self.ftp.rename(target, src, dst, timeout=timeout)

    def ftp_remove(self, target: FtpTarget, path: str, *,
                   timeout: float | None = None) -> RunResult:
        return self.ftp.remove(target, path, timeout=timeout)

    # -- time and logging ------------------------------------------------------------
    def now(self) -> dt.datetime:
        return self.clock.now()

    def monotonic(self) -> float:
        return self.clock.monotonic()

    def sleep(self, seconds: float) -> None:
        self.clock.sleep(seconds)

    def syslog(self, tag: str, message: str, fields: Mapping[str, str] | None = None,
               ) -> None:
        """Log to the target's journal (structured fields, native protocol) when it has
        one; else to its syslog socket (/dev/log).  Both are sockets the file layer's
        rules allow (root's or ours, reached through no other user's link), and a send
        never waits: a full queue drops the entry.  A log sink given to the constructor
        (the sandbox tier's machine log) takes everything instead."""
        if self._log is not None:
            self._log(tag, message, fields)
            return
        from backends import journald

        if fields is not None and self._send(journald.SOCKET, journald.encode(fields)):
            return
        # The message's own priority (notice where none is given, as `logger`).
        priority = fields.get("PRIORITY", "5") if fields is not None else "5"
        level = int(priority) if priority.isdigit() and int(priority) < 8 else 5
        line = f"<{8 + level}>{tag}: {message}"  # user.LEVEL
        self._send("/dev/log", line.encode("utf-8", "backslashreplace"))

    def _send(self, socket_path: str, data: bytes) -> bool:
        """One datagram to the target's socket at ``socket_path``; False when it was not
        taken (none there, another user's, a full queue): there is nobody else to tell."""
        from backends import journald

        try:
            with self.files.socket_address("log", socket_path) as address:
                return journald.send_datagram(address, data)
        except (OSError, HostError):
            return False

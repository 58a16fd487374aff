"""The sandbox tier: the real Linux backend on a machine's root tree, with stub programs.

The machine is built from the same profile as the simulated one (its ``root/``
is a real directory tree); kdump-config runs with ``--backend linux --root``,
and the programs it starts are stubs (sim.stub) that emulate kexec, makedumpfile,
mount, ssh... and record their argv in the same effect log.  Only time and
syslog are redirected, so that a run is deterministic and never reaches the
host's journal; faults that need the kernel to refuse a write use real read-only
bind mounts and a file-size limit (sim/kernel_faults.py), so this tier runs as root.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager

from backends.base import ProgressCallback
from backends.linux import LinuxHost
from sim import kernel_faults, stub
from sim.machine import Machine
from tests.ftpserver import FtpServer
from tests.steps.machine import CliResult, TestMachine

NOBODY, NOGROUP = 65534, 65534
_HOLD_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(3600)
"""


def _on_terminals(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run ``argv`` with stdout and stderr on two pseudo-terminals (raw: no CR added)."""
    import pty
    import select
    import tty

    ends = [pty.openpty() for _ in range(2)]
    for _, slave in ends:
        tty.setraw(slave)
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=ends[0][1],
                            stderr=ends[1][1], env=env)
    for _, slave in ends:
        os.close(slave)
    got = {master: b"" for master, _ in ends}
    open_ends = set(got)
    while open_ends:
        ready, _, _ = select.select(list(open_ends), [], [], 300)
        assert ready, "kdump-config wrote nothing for 300 s"
        for master in ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the program has closed its end
                chunk = b""
            if chunk:
                got[master] += chunk
            else:
                open_ends.discard(master)
                os.close(master)
    status = proc.wait(timeout=300)
    return status, got[ends[0][0]].decode(), got[ends[1][0]].decode()


class SandboxMachine(TestMachine):
    backend = "linux"
    # Set from `pytest --kdump-config=EXE`: run that executable as a process instead of
    # the in-process CLI (a distro maintainer validating a packaged build).
    executable: str | None = None

    def build(self, profile: str) -> None:
        super().build(profile)
        stub.install(self.machine, sys.executable)

    def cli_argv(self, words: list[str]) -> list[str]:
        return ["--backend", "linux", "--root", str(self.state_dir / "root"), *words]

    def run(self, command_line: str, bare: bool = False) -> CliResult:
        if self.executable is None:
            return super().run(command_line, bare)
        words = shlex.split(command_line)
        words = words[1:] if words and words[0] == "kdump-config" else words
        env = {k: v for k, v in os.environ.items() if not k.startswith("KDUMP_") and k != "NAME"}
        env.update(self.env)
        # A process cannot share our virtual clock; faketime (if installed) pins it to
        # the machine's, so dump names stay what the scenarios expect.
        clock = shutil.which("faketime")
        prefix = [clock, "-f", "@" + self.machine.now().strftime("%Y-%m-%d %H:%M:%S")] \
            if clock else []
        argv = words if bare else self.cli_argv(words)
        if self.tty:  # the colour scenarios: stdout and stderr on terminals of their own
            status, out, err = _on_terminals([*prefix, self.executable, *argv], env)
            self.last = CliResult(words, status, out, err)
            from tests.steps.cli import check_json_output

            check_json_output(self.last)
            return self.last
        done = subprocess.run([*prefix, self.executable, *argv],
                              capture_output=True, text=True, env=env, timeout=300, check=False)
        self.last = CliResult(words, done.returncode, done.stdout, done.stderr)
        from tests.steps.cli import check_json_output

        check_json_output(self.last)
        return self.last

    @contextmanager
    def host_seams(self) -> Iterator[None]:
        with ExitStack() as stack:
            stack.enter_context(self._virtual_time_and_syslog())
            stack.enter_context(self._recorded_durability())
            stack.enter_context(self._ftp_servers())
            self._vmcore_that_never_answers()
            stack.enter_context(kernel_faults.readonly(self._readonly_paths()))
            limit = self.machine.fault("disk-full-after")
            stack.enter_context(kernel_faults.file_size_limit(
                None if limit is None else int(limit)))
            short = self.machine.fault("vmcore-short-copy")
            if short is not None:
                stack.enter_context(_short_vmcore_copy(int(short)))
            yield

    def _readonly_paths(self) -> list[str]:
        """Host paths the armed faults make read-only for this run."""
        machine = self.machine
        paths = machine.fault("readonly") or []
        targets = [str(p) for p in (paths if isinstance(paths, list) else [paths])]
        if machine.fault("fadump-register") or machine.fault("fadump-unregister"):
            # The firmware refusing a (un)registration: the attribute takes no write.
            targets += [p for p in ("/sys/kernel/fadump/registered",
                                    "/sys/kernel/fadump_registered")
                        if machine.path(p).exists()]
        return [str(machine.path(t)) for t in targets if os.path.lexists(machine.path(t))]

    @contextmanager
    def _ftp_servers(self) -> Iterator[None]:
        """The machine's FTP servers, real ones on loopback, reached by their names.

        The real backend speaks FTP with the standard library; only name resolution is
        redirected (as /etc/hosts would), so every byte goes through a real FTP session.
        """
        import ftplib

        machine = self.machine
        hosts = [str(h) for h in machine.state.get("ftp_hosts", [])]
        refuse = bool(machine.fault("ftp-unreachable"))
        # ftp-login: the server takes no password kdump-config could send.
        password = "\0 refused" if machine.fault("ftp-login") else None
        with ExitStack() as stack:
            ports = {host: stack.enter_context(
                FtpServer(machine.remote / "ftp" / host, refuse=refuse, password=password)).port
                for host in hosts}
            original = ftplib.FTP.connect

            def connect(ftp: ftplib.FTP, host: str = "", port: int = 0,
                        timeout: float = -999, source_address: object = None) -> str:
                if host in ports:
                    host, port = "127.0.0.1", ports[host]
                return original(ftp, host, port, timeout, source_address)  # type: ignore[arg-type]

            ftplib.FTP.connect = connect  # type: ignore[assignment,method-assign]
            stack.callback(setattr, ftplib.FTP, "connect", original)
            yield

    def _vmcore_that_never_answers(self) -> None:
        """vmcore-hang: /proc/vmcore becomes a FIFO nobody writes, so opening it blocks."""
        vmcore = self.machine.path("/proc/vmcore")
        if self.machine.fault("vmcore-hang") and vmcore.is_file():
            vmcore.unlink()
            os.mkfifo(vmcore, 0o400)
            self.machine.log_effect("hang", argv=["/proc/vmcore"])

    @contextmanager
    def _virtual_time_and_syslog(self) -> Iterator[None]:
        machine_dir = self.state_dir

        def now(_host: LinuxHost) -> dt.datetime:
            return Machine(machine_dir).now()

        def sleep(_host: LinuxHost, seconds: float) -> None:
            Machine(machine_dir).advance(seconds)

        def syslog(_host: LinuxHost, tag: str, message: str,
                   fields: Mapping[str, str] | None = None) -> None:
            Machine(machine_dir).syslog(tag, message, fields)

        saved = {name: getattr(LinuxHost, name) for name in ("now", "sleep", "syslog")}
        LinuxHost.now = now  # type: ignore[method-assign]
        LinuxHost.sleep = sleep  # type: ignore[method-assign]
        LinuxHost.syslog = syslog  # type: ignore[method-assign]
        try:
            yield
        finally:
            for name, value in saved.items():
                setattr(LinuxHost, name, value)

    @contextmanager
    def _recorded_durability(self) -> Iterator[None]:
        """Record fsync and rename in the effect log, as the simulated backend does.

        The real operations still run; only their order becomes visible, so that
        scenarios can check that a dump is flushed before it gets its final name.
        """
        machine_dir = self.state_dir
        real_fsync, real_rename = LinuxHost.fsync, LinuxHost.rename

        def fsync(host: LinuxHost, path: str) -> None:
            Machine(machine_dir).log_effect("fsync", path=path)
            real_fsync(host, path)

        def rename(host: LinuxHost, src: str, dst: str) -> None:
            Machine(machine_dir).log_effect("rename", src=src, dst=dst)
            real_rename(host, src, dst)

        own = {name: LinuxHost.__dict__.get(name) for name in ("fsync", "rename")}
        LinuxHost.fsync = fsync  # type: ignore[method-assign]
        LinuxHost.rename = rename  # type: ignore[method-assign]
        try:
            yield
        finally:
            for name, value in own.items():
                if value is None:  # inherited from the file layer: unshadow it
                    delattr(LinuxHost, name)
                else:
                    setattr(LinuxHost, name, value)

    @property
    def holders(self) -> list[subprocess.Popen[bytes]]:
        held: list[subprocess.Popen[bytes]] = self.__dict__.setdefault("_holders", [])
        return held

    def plant(self, target: str, link_to: str | None = None, directory: bool = False,
              text: str = "") -> None:
        """The real thing: the kernel itself reports the planted entry as nobody's."""
        super().plant(target, link_to=link_to, directory=directory, text=text)
        os.lchown(self.host_path(target), NOBODY, NOGROUP)

    def hold_lock(self) -> None:
        """A real process takes the flock on the lock file and keeps it until cleanup."""
        from kdump.locking import LOCK_FILE

        self.lock_holder = f"pid {self._hold(LOCK_FILE)}"

    def hold_queue(self) -> None:
        """A real process holds try-reload's queue lock, as a queued request would."""
        from kdump.locking import QUEUE_FILE

        self._hold(QUEUE_FILE)

    def _hold(self, lock_file: str) -> int:
        path = self.host_path(lock_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        holder = subprocess.Popen(  # noqa: S603 - test code, fixed argv
            [sys.executable, "-c", _HOLD_LOCK, str(path)], stdout=subprocess.PIPE)
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        self.holders.append(holder)
        return holder.pid

    def cleanup(self) -> None:
        """Leave no mount or lock holder behind, even when a scenario failed half-way."""
        for holder in self.holders:
            holder.kill()
            holder.wait()
        self.holders.clear()
        for point in kernel_faults.mounts_under(str(self.state_dir)):
            kernel_faults.release(point)


@contextmanager
def _short_vmcore_copy(limit: int) -> Iterator[None]:
    """The vmcore-short-copy fault: copying /proc/vmcore ends after ``limit`` bytes, no error.

    The real backend's copy (backends.rooted.copy_file) runs as it is; only the byte
    pump under it stops early for the vmcore, as a read that hits a premature end would.
    """
    import backends.rooted as rooted

    real = rooted.stream_fd

    def stream_fd(source: int, sink: int, total: int,
                  progress: ProgressCallback | None) -> int:
        if not os.readlink(f"/proc/self/fd/{source}").endswith("/proc/vmcore"):
            return real(source, sink, total, progress)
        data = os.pread(source, limit, 0)
        os.write(sink, data)
        return len(data)

    rooted.stream_fd = stream_fd
    try:
        yield
    finally:
        rooted.stream_fd = real

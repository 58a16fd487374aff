"""The sandbox tier: the real Linux backend on a machine's root tree, with stub programs.

The machine is built from the same profile as the simulated one (its ``root/``
is a real directory tree); kdump-config runs with ``--backend linux --root``,
and the programs it starts are stubs (sandbox/stub.py) that emulate kexec, makedumpfile,
mount, ssh... and record their argv in the same effect log.  Only time and
syslog are redirected (through LinuxHost's constructor seams: clock, log sink, name
resolver, effect recorder; and the copy's byte pump for the short-copy fault), so
that a run is deterministic and never reaches the host's journal; faults that need the
kernel to refuse a write use real read-only bind mounts and a file-size limit
(sandbox/kernel_faults.py), so this tier runs as root.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from backends.base import ProgressCallback
from backends.values import HostParts
from sandbox import kernel_faults, machines
from sim.machine import SimulatedMachine
from tests.ftpserver import FtpServer
from tests.steps.machine import CliResult, TestMachine

if TYPE_CHECKING:
    from backends.fdcopy import BytePump

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
        self.profile = profile
        machines.build(self.state_dir, profile)

    def set_env(self, key: str, value: str) -> None:
        """The real backend's environment is the process's own."""
        self.env[key] = value

    def cli_argv(self, words: list[str]) -> list[str]:
        return [*machines.linux_argv(self.state_dir), *words]

    def run(self, command_line: str, bare: bool = False) -> CliResult:
        if self.executable is None:
            return super().run(command_line, bare)
        words = shlex.split(command_line)
        words = words[1:] if words and words[0] == "kdump-config" else words
        self.need(*self.needed_by_a_run(words))
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
    def host_seams(self) -> Iterator[HostParts | None]:
        """The real backend with the machine's clock, syslog, FTP server names and effect
        log, given through its constructor; and the real kernel's faults around the run."""
        machine_dir = self.state_dir
        with ExitStack() as stack:
            ports = stack.enter_context(self._ftp_servers())
            self._vmcore_that_never_answers()
            stack.enter_context(kernel_faults.readonly(self._readonly_paths()))
            limit = self.machine.fault("disk-full-after")
            stack.enter_context(kernel_faults.file_size_limit(
                None if limit is None else int(limit)))
            short = self.machine.fault("vmcore-short-copy")

            def log(tag: str, message: str, fields: Mapping[str, str] | None) -> None:
                SimulatedMachine(machine_dir).syslog(tag, message, fields)

            def resolve(host: str, port: int) -> tuple[str, int]:
                # As /etc/hosts would: the machine's FTP servers listen on the loopback.
                return ("127.0.0.1", ports[host]) if host in ports else (host, port)

            def record(operation: str, **fields: object) -> None:
                # fsync and rename, as the simulated backend records them: the real ones
                # still run, only their order becomes visible to the scenarios.
                SimulatedMachine(machine_dir).log_effect(operation, **fields)

            yield HostParts(clock=MachineClock(machine_dir), log=log, resolver=resolve,
                            record=record,
                            pump=None if short is None else _short_vmcore_pump(int(short)))

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
    def _ftp_servers(self) -> Iterator[dict[str, int]]:
        """The machine's FTP servers, real ones on loopback: their ports by name.

        The real backend speaks FTP with the standard library; only name resolution is
        redirected (its resolver seam), so every byte goes through a real FTP session.
        """
        machine = self.machine
        hosts = [str(h) for h in machine.state.get("ftp_hosts", [])]
        refuse = bool(machine.fault("ftp-unreachable"))
        # ftp-login: the server takes no password kdump-config could send.
        password = "\0 refused" if machine.fault("ftp-login") else None
        short = machine.fault("vmcore-short-upload")
        vmcore = machine.path("/proc/vmcore")

        def shorten_vmcore(path: str) -> None:
            # vmcore-short-upload: the source ends early, as a read that hits a premature
            # end would (the real backend opened it already and reads it only now).
            if short is not None and "vmcore" in posixpath.basename(path) and \
                    vmcore.stat().st_size > int(short):
                os.truncate(vmcore, int(short))

        with ExitStack() as stack:
            yield {host: stack.enter_context(
                FtpServer(machine.remote / "ftp" / host, refuse=refuse, password=password,
                          before_stor=shorten_vmcore)).port
                for host in hosts}

    def _vmcore_that_never_answers(self) -> None:
        """vmcore-hang: /proc/vmcore becomes a FIFO nobody writes, so opening it blocks."""
        vmcore = self.machine.path("/proc/vmcore")
        if self.machine.fault("vmcore-hang") and vmcore.is_file():
            vmcore.unlink()
            os.mkfifo(vmcore, 0o400)
            self.machine.log_effect("hang", argv=["/proc/vmcore"])

    @property
    def holders(self) -> list[subprocess.Popen[bytes]]:
        held: list[subprocess.Popen[bytes]] = self.__dict__.setdefault("_holders", [])
        return held

    def plant(self, target: str, link_to: str | None = None, directory: bool = False,
              text: str = "", fifo: bool = False) -> None:
        """The real thing: the kernel itself reports the planted entry as nobody's."""
        super().plant(target, link_to=link_to, directory=directory, text=text, fifo=fifo)
        os.lchown(self.host_path(target), NOBODY, NOGROUP)

    def hold_lock(self) -> None:
        """A real process takes the flock on the lock file and keeps it until cleanup."""
        from kdump.locking import LOCK_FILE

        self.need("lock-holder")
        self.lock_holder = f"pid {self._hold(LOCK_FILE)}"

    def release_lock(self) -> None:
        """The real holders let go (they are killed: the kernel releases their flocks)."""
        for holder in self.holders:
            holder.kill()
            holder.wait()
        self.holders.clear()

    def hold_queue(self) -> None:
        """A real process holds try-reload's queue lock, as a queued request would."""
        from kdump.locking import QUEUE_FILE

        self.need("lock-holder")
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


class MachineClock:
    """The simulated machine's virtual wall clock (dump names, retry pauses); deadlines
    stay on the real monotonic clock, as the stub programs are real processes."""

    def __init__(self, machine_dir: Path) -> None:
        self.machine_dir = machine_dir

    def now(self) -> dt.datetime:
        return SimulatedMachine(self.machine_dir).now()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        SimulatedMachine(self.machine_dir).advance(seconds)


def _short_vmcore_pump(limit: int) -> BytePump:
    """The vmcore-short-copy fault: copying /proc/vmcore ends after ``limit`` bytes, no error.

    The real backend's copy (backends.rooted.copy_file) runs as it is; only the byte
    pump under it (given through the backend's constructor) stops early for the vmcore,
    as a read that hits a premature end would.
    """
    from backends.fdcopy import stream_fd

    def short(source: int, sink: int, total: int, progress: ProgressCallback | None) -> int:
        if not os.readlink(f"/proc/self/fd/{source}").endswith("/proc/vmcore"):
            return stream_fd(source, sink, total, progress)
        data = os.pread(source, limit, 0)
        os.write(sink, data)
        return len(data)

    return short

"""The simulated machine behind the Host protocol.

Files are real files in the machine's state directory, reached through the same
rooted file layer the real backend composes (backends.rooted), so path semantics
cannot drift apart.  Nothing here is the real backend's: no process is started and
the real backend and its runner are never imported (tests/architecture/test_boundaries.py).
What differs is what a kernel or a program would do: processes are emulated
(sim.tools), time is virtual, faults are injected, and every operation is
recorded in the machine's effect log.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager

from backends.base import ProgressCallback
from backends.fadump_sysfs import FadumpSysfs
from backends.rooted import RootedFiles
from backends.sim_ftp import FtpServers
from backends.values import (
    TIMED_OUT,
    FadumpState,
    FtpTarget,
    HostError,
    LockBusyError,
    PipelineResult,
    RunResult,
    Uname,
    parse_cpu_list,
)
from sim.kernel_files import VMCORE
from sim.machine import SimulatedMachine


class SimHost:
    kind = "sim"

    def __init__(self, machine: SimulatedMachine) -> None:
        self.machine = machine
        # Who owns a file is what the machine recorded (another user's plant), and every
        # rename and fsync goes to its effect log.
        self.files = files = RootedFiles(str(machine.root), owner=machine.foreign_owner,
                                         record=machine.log_effect)
        # What its files say is the file layer's answer (each is that layer's own method);
        # the changes below are the layer's too, once the machine's faults let them.
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
        self.fsync = files.fsync  # recorded (as rename is) by the file layer
        self._fadump = FadumpSysfs(self)
        self.ftp_servers = FtpServers(machine)
        self._real_contention = False

    # -- facts the kernel's files tell (the machine writes them from its profile) ---------
    def uname(self) -> Uname:
        return Uname((self.read_text("/proc/sys/kernel/osrelease") or "").strip(),
                     (self.read_text("/proc/sys/kernel/arch") or "").strip())

    def nproc(self) -> int:
        return parse_cpu_list(self.read_text("/sys/devices/system/cpu/online")) or 1

    def hostname(self) -> str:
        return (self.read_text("/proc/sys/kernel/hostname") or "").strip() or "localhost"

    def environ(self) -> Mapping[str, str]:
        """The machine's own environment (empty unless set): never the caller's."""
        return self.machine.environ

    def fadump_state(self) -> FadumpState:
        return self._fadump.state()

    def fadump_set_registered(self, register: bool) -> None:
        self._fadump.set_registered(register)

    # -- facts that come from the profile rather than from files ----------------------
    def ipv4_addresses(self) -> list[str]:
        self.machine.log_effect("run", argv=["ip", "-4", "-o", "addr", "show", "up"])
        return list(self.machine.state.get("ipv4", []))

    # -- kernel attributes -------------------------------------------------------------------
    def write_sysfs(self, path: str, value: str) -> None:
        self.machine.log_effect("sysfs-write", path=path, value=value.strip())
        if path.endswith("fadump/registered") or path.endswith("fadump_registered"):
            current = (self.read_text(path) or "").strip()
            if self.machine.fault("fadump-register") and value.strip() == "1":
                return  # the firmware silently refuses: read-back will show it
            if self.machine.fault("fadump-unregister") and value.strip() == "0":
                return
            if value.strip() == "1" and current == "1":
                raise HostError("write", path, "File exists", errno.EEXIST)
        self.files.write_sysfs(path, value + ("" if value.endswith("\n") else "\n"))

    # -- the lock: another process may hold it (the "lock-held" fault names its pid) ----
    def lock(self, path: str) -> AbstractContextManager[None]:
        if not self.files.lexists(path):
            self._refuse_write(path, "lock")
        # lock-held: another process holds the lock; lock-queued: another request waits in
        # try-reload's queue (kdump.locking.QUEUE_FILE) behind it.
        holder = self.machine.fault("lock-queued" if path.endswith(".queued") else "lock-held")
        if holder:
            self.machine.log_effect("lock-busy", path=path, holder=holder)
            raise LockBusyError(path, f"pid {holder}")
        return self._real_lock(path)

    @contextmanager
    def _real_lock(self, path: str) -> Iterator[None]:
        """The real flock in the state directory: kdump-config processes started together
        against one simulated machine contend for it as they would on a real one.

        Waiting for a real holder takes real time (see sleep); once held, the machine's
        state is read again, as another process may have changed it meanwhile (the lock
        is what orders their changes).  Once this process has met a real holder, its
        waits stay real (try-reload's queued request settles while real processes arrive:
        kdump.locking).
        """
        try:
            with self.files.lock(path):
                self.machine.reread()
                yield
        except LockBusyError:
            self._real_contention = True
            raise

    # -- writes that faults can refuse ----------------------------------------------------
    def _refuse_write(self, path: str, operation: str = "write") -> None:
        # The "readonly" fault, and NFS exports mounted read-only (nfs-readonly): as root a
        # mode bit refuses nothing, so the simulated kernel refuses the write itself, with
        # the operation name the real file layer would report.
        readonly = self.machine.fault("readonly")
        prefixes = [*(_as_list(readonly) if readonly else []), *self.machine.readonly_mounts()]
        if any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes):
            raise HostError(operation, path, "Read-only file system", errno.EROFS)

    def mkdir(self, path: str, mode: int = 0o755) -> None:
        if not self.is_dir(path):  # like mkdir -p, an existing directory is no write
            self._refuse_write(path, "mkdir")
        self.machine.log_effect("mkdir", path=path, mode=oct(mode))
        self.files.mkdir(path, mode)

    def write_text(self, path: str, text: str, mode: int = 0o644) -> None:
        self._refuse_write(path)
        self.files.write_text(path, text, mode)

    def symlink(self, target: str, link: str) -> None:
        self._refuse_write(link, "symlink")
        self.machine.log_effect("symlink", link=link, target=target)
        self.files.symlink(target, link)

    def copy_file(
        self, src: str, dst: str, mode: int = 0o600, progress: ProgressCallback | None = None,
        *, timeout: float | None = None,
    ) -> int:
        self._refuse_write(dst, "create")
        self.machine.log_effect("copy", src=src, dst=dst)
        if src == VMCORE and self.machine.fault("vmcore-hang"):
            # The read blocks: the new file stays empty until the deadline stops the copy.
            self._write_new(dst, b"", mode)
            self._wait_forever(["cp", src, dst], timeout)
            raise HostError("copy", dst, f"timed out after {timeout:g} s", errno.ETIME)
        short = self.machine.fault("vmcore-short-copy")
        if short is not None and src == VMCORE:
            # The old kernel's memory stops reading early, and no error says so.
            return self._write_new(dst, (self.read_bytes(src) or b"")[: int(short)], mode)
        budget = self.machine.fault("disk-full-after")
        if budget is None:
            return self.files.copy_file(src, dst, mode, progress)
        limit = int(budget)

        def guard(done: int, total: int) -> None:
            if done > limit:
                raise HostError("write", dst, "No space left on device", errno.ENOSPC)
            if progress is not None:
                progress(done, total)

        return self.files.copy_file(src, dst, mode, guard)

    # -- programs that never finish (the "hang" and "vmcore-hang" faults) ---------------------
    def _hangs(self, argv: Sequence[str]) -> bool:
        armed = self.machine.fault("hang")
        return bool(armed) and os.path.basename(argv[0]) in _as_list(armed)

    def _wait_forever(self, argv: Sequence[str], timeout: float | None) -> None:
        """A program that never finishes: only a deadline ends it (in virtual time)."""
        self.machine.log_effect("hang", argv=list(argv), timeout=timeout)
        if timeout is None:
            # Here a real machine would wait forever; say so instead of pretending.
            raise HostError("wait", argv[0], "never finishes, and no deadline was set")
        self.machine.advance(timeout)

    def _killed(self, argv: Sequence[str], timeout: float | None) -> RunResult:
        return RunResult(tuple(argv), TIMED_OUT, "",
                         f"{argv[0]}: killed: still running after {timeout:g} s\n",
                         timed_out=True)

    def remove(self, path: str) -> None:
        self._refuse_write(path, "remove")
        self.files.remove(path)

    def remove_tree(self, path: str) -> None:
        self._refuse_write(path, "remove")
        self.machine.log_effect("remove", path=path)
        self.files.remove_tree(path)

    def rename(self, src: str, dst: str) -> None:
        self._refuse_write(src, "rename")
        self.files.rename(src, dst)  # recorded (as fsync is) by the file layer

    # -- processes -----------------------------------------------------------------------------
    def which(self, name: str) -> str | None:
        if name in self.machine.state.get("tools", []):
            from sim.profile import tool_path  # the profile's layout, without its parser

            return tool_path(name)
        return None

    def run(
        self, argv: Sequence[str], *, timeout: float | None = None, input_text: str | None = None
    ) -> RunResult:
        self.machine.log_effect("run", argv=list(argv))
        stdout, (result,) = self._stages([argv], (input_text or "").encode(), timeout)
        return result._replace(stdout=stdout.decode(errors="replace"))

    def run_installed(
        self, path: str, args: Sequence[str], *, timeout: float | None = None
    ) -> RunResult:
        from sim import tools  # emulation loads on the first program run

        argv = (path, *args)
        self.machine.log_effect("run", argv=list(argv))
        if not self.is_executable(path):
            return RunResult(argv, 126, "", f"{path}: Permission denied\n")
        if path != tools.KERNEL_HOOK or len(args) != 1:
            return RunResult(argv, 127, "", f"{path}: not simulated\n")
        outcome = tools.kernel_hook(self.machine, self.files, args[0])
        return RunResult(argv, outcome.returncode, outcome.stdout.decode(), outcome.stderr)

    def pipeline(
        self,
        stages: Sequence[Sequence[str]],
        *,
        stdout_path: str | None = None,
        stdout_mode: int = 0o600,
        timeout: float | None = None,
        live_stderr: int | None = None,
    ) -> PipelineResult:
        self.machine.log_effect("pipeline", stages=[list(s) for s in stages], stdout=stdout_path)
        data, results = self._stages(stages, b"", timeout, live_stderr)
        if stdout_path is None:
            last = results[-1]
            results[-1] = last._replace(stdout=data.decode(errors="replace"))
            return PipelineResult(tuple(results))
        self._refuse_write(stdout_path, "create")
        written = self._write_new(stdout_path, data, stdout_mode)
        if written < len(data):
            results.append(RunResult(("write", stdout_path), 1, "", "No space left on device"))
        return PipelineResult(tuple(results), written)

    def _stages(self, stages: Sequence[Sequence[str]], data: bytes, timeout: float | None,
                live_stderr: int | None = None) -> tuple[bytes, list[RunResult]]:
        """Emulate a chain (a single program too): the last stage's output and every
        stage's result; from a stage that never finishes on, the deadline kills all."""
        from sim.programs import emulate  # emulation loads on the first program run

        results: list[RunResult] = []
        for index, argv in enumerate(stages):
            if self._hangs(argv):
                self._wait_forever(argv, timeout)
                results += [self._killed(rest, timeout) for rest in stages[index:]]
                return b"", results
            live = _writer(live_stderr)
            outcome = emulate(self.machine, self.files, list(argv), data, live=live)
            if live is not None and outcome.stderr[outcome.shown:]:
                live(outcome.stderr[outcome.shown:])  # the rest, as the program ends
            data = outcome.stdout
            results.append(RunResult(tuple(argv), outcome.returncode, "", outcome.stderr,
                                     shown=len(outcome.stderr) if live is not None else 0))
        return data, results

    def _write_new(self, path: str, data: bytes, mode: int) -> int:
        """Create ``path`` with ``data``, short when the disk-full fault is armed."""
        budget = self.machine.fault("disk-full-after")
        keep = data if budget is None else data[: int(budget)]
        fd = self.files.create_new(path, mode)
        try:
            os.write(fd, keep)
        finally:
            os.close(fd)
        return len(keep)

    def ftp_upload(
        self, target: FtpTarget, remote_path: str, stages: Sequence[Sequence[str]] | None,
        source_path: str | None = None, *, timeout: float | None = None,
        live_stderr: int | None = None,
    ) -> PipelineResult:
        self.machine.log_effect("ftp-stor", host=target.host, port=target.port,
                                user=target.user, path=remote_path)
        label = ("ftp-stor", f"{target.host}:{remote_path}")
        results: list[RunResult] = []
        data = b""
        if stages:
            data, results = self._stages(stages, b"", timeout, live_stderr)
        elif source_path is not None:
            if source_path == VMCORE and self.machine.fault("vmcore-hang"):
                self._wait_forever(["ftp-stor", source_path], timeout)
                return PipelineResult((self._killed(label, timeout),))
            data = self.read_bytes(source_path) or b""
            short = self.machine.fault("vmcore-short-upload") if source_path == VMCORE else None
            if short is not None:
                data = data[:int(short)]
        stored = self.ftp_servers.store(target, remote_path, data, label)
        return PipelineResult((*results, stored), len(data) if stored.ok else 0)

    def ftp_list(self, target: FtpTarget, directory: str, *,
                 timeout: float | None = None) -> RunResult:
        return self.ftp_servers.names(target, directory)

    def ftp_rename(self, target: FtpTarget, src: str, dst: str, *,
                   timeout: float | None = None) -> RunResult:
        return self.ftp_servers.rename(target, src, dst)

    def ftp_remove(self, target: FtpTarget, path: str, *,
                   timeout: float | None = None) -> RunResult:
        return self.ftp_servers.remove(target, path)

    # -- time and logging ---------------------------------------------------------------------
    def now(self) -> dt.datetime:
        return self.machine.now()

    def monotonic(self) -> float:
        return self.machine.now().timestamp()  # virtual: a hang advances it to the deadline

    def sleep(self, seconds: float) -> None:
        if self._real_contention:
            # Another real process holds a lock: it lets go in real time, not virtual.
            time.sleep(seconds)
            return
        self.machine.log_effect("sleep", seconds=seconds)
        self.machine.advance(seconds)

    def syslog(self, tag: str, message: str, fields: Mapping[str, str] | None = None,
               ) -> None:
        self.machine.syslog(tag, message, fields)


def _as_list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _writer(fd: int | None) -> Callable[[str], None] | None:
    """What a program writes on stderr, passed on to ``fd`` (a terminal) as it writes it."""
    if fd is None:
        return None

    def write(text: str) -> None:
        data = text.encode(errors="replace")
        while data:
            data = data[os.write(fd, data):]

    return write


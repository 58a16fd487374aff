"""The simulated machine behind the Host protocol.

Files are real files in the machine's state directory, reached through the same
rooted file layer as the real backend, so path semantics cannot drift apart.
What differs is what a kernel or a program would do: processes are emulated
(sim.tools), time is virtual, faults are injected, and every operation is
recorded in the machine's effect log.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
from collections.abc import Sequence
from contextlib import AbstractContextManager

from backends.base import (
    FtpTarget,
    HostError,
    LockBusyError,
    PipelineResult,
    ProgressCallback,
    RunResult,
)
from backends.linux import LinuxHost
from sim.machine import TOOL_DIRS, Machine


class SimHost(LinuxHost):
    kind = "sim"

    def __init__(self, machine: Machine) -> None:
        super().__init__(str(machine.root), env={"PATH": ""})
        self.machine = machine

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
        super().write_sysfs(path, value + ("" if value.endswith("\n") else "\n"))

    # -- who owns a file: what another user planted is recorded in the machine's state --
    def _owner(self, target: str, st: os.stat_result) -> int:
        planted = self.machine.foreign_owner(target)
        return st.st_uid if planted is None else planted

    # -- the lock: another process may hold it (the "lock-held" fault names its pid) ----
    def lock(self, path: str) -> AbstractContextManager[None]:
        if not self.lexists(path):
            self._refuse_write(path, "lock")
        holder = self.machine.fault("lock-held")
        if holder:
            self.machine.log_effect("lock-busy", path=path, holder=holder)
            raise LockBusyError(path, f"pid {holder}")
        return super().lock(path)

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
        super().mkdir(path, mode)

    def write_text(self, path: str, text: str, mode: int = 0o644) -> None:
        self._refuse_write(path)
        super().write_text(path, text, mode)

    def symlink(self, target: str, link: str) -> None:
        self._refuse_write(link, "symlink")
        self.machine.log_effect("symlink", link=link, target=target)
        super().symlink(target, link)

    def copy_file(
        self, src: str, dst: str, mode: int = 0o600, progress: ProgressCallback | None = None
    ) -> int:
        self._refuse_write(dst, "create")
        self.machine.log_effect("copy", src=src, dst=dst)
        budget = self.machine.fault("disk-full-after")
        if budget is None:
            return super().copy_file(src, dst, mode, progress)
        limit = int(budget)

        def guard(done: int, total: int) -> None:
            if done > limit:
                raise HostError("write", dst, "No space left on device", errno.ENOSPC)
            if progress is not None:
                progress(done, total)

        return super().copy_file(src, dst, mode, guard)

    def remove(self, path: str) -> None:
        self._refuse_write(path, "remove")
        super().remove(path)

    def remove_tree(self, path: str) -> None:
        self._refuse_write(path, "remove")
        self.machine.log_effect("remove", path=path)
        super().remove_tree(path)

    def rename(self, src: str, dst: str) -> None:
        self._refuse_write(src, "rename")
        self.machine.log_effect("rename", src=src, dst=dst)
        super().rename(src, dst)

    # -- processes -----------------------------------------------------------------------------
    def which(self, name: str) -> str | None:
        if name in self.machine.state.get("tools", []):
            return f"{TOOL_DIRS.get(name, '/usr/bin')}/{name}"
        return None

    def run(
        self, argv: Sequence[str], *, timeout: float | None = None, input_text: str | None = None
    ) -> RunResult:
        from sim import tools  # emulation loads on the first program run

        self.machine.log_effect("run", argv=list(argv))
        stdin = (input_text or "").encode()
        outcome = tools.emulate(self.machine, self, list(argv), stdin)
        return RunResult(tuple(argv), outcome.returncode,
                         outcome.stdout.decode(errors="replace"), outcome.stderr)

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
        outcome = tools.kernel_hook(self.machine, self, args[0])
        return RunResult(argv, outcome.returncode, outcome.stdout.decode(), outcome.stderr)

    def pipeline(
        self,
        stages: Sequence[Sequence[str]],
        *,
        stdout_path: str | None = None,
        stdout_mode: int = 0o600,
        timeout: float | None = None,
    ) -> PipelineResult:
        from sim import tools  # emulation loads on the first program run

        self.machine.log_effect("pipeline", stages=[list(s) for s in stages], stdout=stdout_path)
        data = b""
        results = []
        for argv in stages:
            outcome = tools.emulate(self.machine, self, list(argv), data)
            data = outcome.stdout
            results.append(RunResult(tuple(argv), outcome.returncode, "", outcome.stderr))
        if stdout_path is None:
            last = results[-1]
            results[-1] = RunResult(last.argv, last.returncode, data.decode(errors="replace"),
                                    last.stderr)
            return PipelineResult(tuple(results))
        self._refuse_write(stdout_path, "create")
        written = self._write_new(stdout_path, data, stdout_mode)
        if written < len(data):
            results.append(RunResult(("write", stdout_path), 1, "", "No space left on device"))
        return PipelineResult(tuple(results), written)

    def _write_new(self, path: str, data: bytes, mode: int) -> int:
        """Create ``path`` with ``data``, short when the disk-full fault is armed."""
        budget = self.machine.fault("disk-full-after")
        keep = data if budget is None else data[: int(budget)]
        fd = self.create_new(path, mode)
        try:
            os.write(fd, keep)
        finally:
            os.close(fd)
        return len(keep)

    def ftp_upload(
        self, target: FtpTarget, remote_path: str, stages: Sequence[Sequence[str]] | None,
        source_path: str | None = None,
    ) -> PipelineResult:
        from sim import tools  # emulation loads on the first program run

        self.machine.log_effect("ftp-stor", host=target.host, port=target.port,
                                user=target.user, path=remote_path)
        label = ("ftp-stor", f"{target.host}:{remote_path}")
        results: list[RunResult] = []
        data = b""
        if stages:
            for argv in stages:
                outcome = tools.emulate(self.machine, self, list(argv), data)
                data = outcome.stdout
                results.append(RunResult(tuple(argv), outcome.returncode, "", outcome.stderr))
        elif source_path is not None:
            data = self.read_bytes(source_path) or b""
        if target.host not in self.machine.state.get("ftp_hosts", []) or \
                self.machine.fault("ftp-unreachable"):
            results.append(RunResult(label, 1, "", f"ftp: connect to {target.host}: "
                                                   "Connection timed out"))
            return PipelineResult(tuple(results))
        store = self.machine.remote / "ftp" / target.host / remote_path.lstrip("/")
        store.parent.mkdir(parents=True, exist_ok=True)
        store.write_bytes(data)
        results.append(RunResult(label, 0))
        return PipelineResult(tuple(results), len(data))

    # -- time and logging ---------------------------------------------------------------------
    def now(self) -> dt.datetime:
        return self.machine.now()

    def sleep(self, seconds: float) -> None:
        self.machine.log_effect("sleep", seconds=seconds)
        self.machine.advance(seconds)

    def syslog(self, tag: str, message: str) -> None:
        self.machine.syslog(tag, message)


def _as_list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]

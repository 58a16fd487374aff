"""The simulated machine's FTP servers: what a real server does with each command.

Each server is a directory of the machine (``remote/ftp/<host>/``), chrooted at its
login directory; the ``ftp-unreachable`` and ``ftp-login`` faults make it refuse.
Every command is recorded in the machine's effect log.
"""

from __future__ import annotations

import os
import posixpath

from backends.values import FTP_NOT_LOGGED_IN, RunResult

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from backends.values import FtpTarget
    from sim.machine import SimulatedMachine


class FtpServers:
    """The FTP servers a simulated machine reaches (its profile's ``ftp_hosts``)."""

    def __init__(self, machine: SimulatedMachine) -> None:
        self.machine = machine

    def store(self, target: FtpTarget, remote_path: str, data: bytes,
              label: tuple[str, ...]) -> RunResult:
        """STOR ``data`` at ``remote_path`` (the effect is recorded by the caller, which
        may have run programs to make the data)."""
        refused = self._refused(target, label)
        if refused is not None:
            return refused
        store = self._path(target.host, remote_path)
        if store is None:
            return RunResult(label, 1, "", f"553 {remote_path}: Permission denied")
        store.parent.mkdir(parents=True, exist_ok=True)
        store.write_bytes(data)
        return RunResult(label, 0)

    def names(self, target: FtpTarget, directory: str) -> RunResult:
        label = ("ftp-nlst", f"{target.host}:{directory}")
        refused = self._begin(target, label, host=target.host, path=directory)
        if refused is not None:
            return refused
        folder = self._path(target.host, directory)
        if folder is None or not folder.is_dir():
            return RunResult(label, 1, "", f"550 {directory}: No such file or directory")
        return RunResult(label, 0, "".join(f"{name}\n" for name in sorted(os.listdir(folder))))

    def rename(self, target: FtpTarget, src: str, dst: str) -> RunResult:
        label = ("ftp-rename", f"{target.host}:{src}", dst)
        refused = self._begin(target, label, host=target.host, src=src, dst=dst)
        if refused is not None:
            return refused
        old, new = self._path(target.host, src), self._path(target.host, dst)
        if old is None or new is None or not old.is_file():
            return RunResult(label, 1, "", f"550 {src}: No such file or directory")
        os.replace(old, new)
        return RunResult(label, 0)

    def remove(self, target: FtpTarget, path: str) -> RunResult:
        label = ("ftp-delete", f"{target.host}:{path}")
        refused = self._begin(target, label, host=target.host, path=path)
        if refused is not None:
            return refused
        victim = self._path(target.host, path)
        if victim is None or not victim.is_file():
            return RunResult(label, 1, "", f"550 {path}: No such file or directory")
        victim.unlink()
        return RunResult(label, 0)

    def _begin(self, target: FtpTarget, label: tuple[str, ...],
               **fields: str) -> RunResult | None:
        """Record one FTP command (named by its label) in the effect log; the server's
        refusal, if it refuses."""
        self.machine.log_effect(label[0], **fields)
        return self._refused(target, label)

    def _refused(self, target: FtpTarget, label: tuple[str, ...]) -> RunResult | None:
        """Why the simulated server cannot be used (unreachable, login refused), or None."""
        if target.host not in self.machine.state.get("ftp_hosts", []) or \
                self.machine.fault("ftp-unreachable"):
            return RunResult(label, 1, "", f"ftp: connect to {target.host}: "
                                           "Connection timed out")
        if self.machine.fault("ftp-login"):
            return RunResult(label, FTP_NOT_LOGGED_IN, "", "530 Login incorrect.")
        return None

    def _path(self, host: str, remote: str) -> Path | None:
        """Where a remote name lands: always inside the server's own directory.

        Like a chrooted FTP server, ``..`` stops at the login directory; a name that
        still resolves outside it (through a symlink) is refused (None).
        """
        base = (self.machine.remote / "ftp").resolve()
        if not host or host in (".", "..") or "/" in host or "\0" in host:
            return None
        home = base / host
        inside = posixpath.normpath("/" + remote).lstrip("/")
        store = (home / inside) if inside else home
        resolved, real_home = store.resolve(), home.resolve()
        if resolved != real_home and not resolved.is_relative_to(real_home):
            return None
        return store

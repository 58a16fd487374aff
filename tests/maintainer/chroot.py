"""Maintainer mode: the scenarios against any kdump-config, run as on a real host in a chroot.

``dev/maintainer-check`` prepares a Debian root (debootstrap minbase, cached) with the package
under test unpacked in it, and passes it as ``pytest --chroot-root=DIR``.  Each time a scenario
runs kdump-config, the machine's tree is laid over that root with overlayfs (the machine's
``root/`` is the upper layer, so whatever kdump-config writes lands where the steps look), and
the executable runs by its path inside the chroot, with no option: ``/usr/sbin/kdump-config
status``.  What the machine's profile says is what the chroot holds:

- ``/proc`` and ``/sys`` are the machine's fake trees (its files, through the overlay; Debian's
  root has empty directories there), so "absent" is absent;
- the stub programs sit at the profile's paths (``/usr/sbin/kexec``...); they run on the
  chroot's python3 with this tree's ``sim`` copied to ``/.kdump-src``, find the machine's state
  at ``/.kdump-machine`` (a bind of its state directory, whose ``root`` is the chroot's own
  tree) and record their argv in the same effect log;
- ``uname`` answers the machine's kernel (a script reading ``/proc/sys/kernel/osrelease`` and
  ``arch``), ``sleep`` returns at once (the machine's time is virtual), and the clock is pinned
  to the machine's with ``faketime`` (libfaketime, in the root);
- ``/dev/log`` is a socket of this process: what the program logs lands in the machine's
  syslog, never in the host's journal;
- a file a step removes that Debian's root has (a tool "not installed") is hidden with an
  overlayfs whiteout.

Things a chroot cannot express are data: the capabilities it ``lacks`` (tests/steps/machine.py
names them all); a scenario that needs one is reported as not applicable (pytest.skip with a
reason that starts with ``not applicable``), and counted apart by tests/maintainer/report.py.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from backends import journald
from sandbox import kernel_faults, stub
from sim.machine import SimulatedMachine
from tests.steps.machine import CliResult, TestMachine
from tests.steps.sandbox import SandboxMachine, _on_terminals

MACHINE_MOUNT = "/.kdump-machine"
SOURCE_DIR = "/.kdump-src"
PROGRAM = "/usr/sbin/kdump-config"
# Longer than any scenario's own deadline (a few seconds); a program without one (a stub
# that hangs for 30 seconds) is killed here.
RUN_TIMEOUT = 20
CHROOT_STUB = (f"#!/usr/bin/python3\nimport sys\nsys.path.insert(0, {SOURCE_DIR!r})\n"
               f"from sandbox.stub import main\n"
               f"sys.exit(main(machine_dir={MACHINE_MOUNT!r}))\n")
_SYSLOG_LINE = re.compile(
    r"^<\d+>(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d )?(?P<tag>[^:\[\s]+)(?:\[\d+\])?: ?"
    r"(?P<message>.*)$", re.DOTALL)


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)  # noqa: S603, S607


class ChrootMachine(SandboxMachine):
    backend = "chroot"
    # Set from `pytest --chroot-root=DIR`: the prepared Debian root (the overlay's lower layer).
    lower: str = ""

    def build(self, profile: str) -> None:
        TestMachine.build(self, profile)
        stub.install(self.machine, script=CHROOT_STUB)
        self.hidden: set[str] = set()

    where = "in a chroot"
    lacks = {
        "in-process": "the error is injected into the in-process CLI",
        "nfs-export": ("the NFS mount stub attaches the export by moving the server's "
                       "directory into the tree, which cannot cross the overlay"),
        "ftp-server": "the FTP servers are in-process, reached by patching ftplib's name lookup",
        "byte-pump": "the short vmcore copy is a byte pump given to the in-process backend",
        "lock-holder": "the lock's holder would run outside the chroot",
        "lock-fault": "another holder of the lock is a simulated-kernel fault",
        "machine-options": ("the executable runs inside the chroot, which is its machine; "
                            "options naming another machine have nothing to point at"),
        "virtual-clock": "a process sleeps in real time, the machine's clock does not see it",
        "durability": "fsync and rename are recorded by patching the in-process backend",
    }

    def remove(self, target: str) -> None:
        super().remove(target)
        # Debian's root may have it too (a real /usr/bin/mount, the package's kernel hook):
        # absent means absent, so the overlay hides it.
        if os.path.lexists(self.lower + target):
            self.hidden.add(target)

    def uninstall_tool(self, name: str) -> None:
        from sim.profile import tool_path

        super().uninstall_tool(name)
        self.hidden.add(tool_path(name))

    # -- running the executable ----------------------------------------------------------------
    def run(self, command_line: str, bare: bool = False) -> CliResult:
        words = shlex.split(command_line)
        words = words[1:] if words and words[0] == "kdump-config" else words
        self.need(*self.needed_by_a_run(words))
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/root",
               "TZ": "UTC", **self.env}
        clock = "@" + self.machine.now().strftime("%Y-%m-%d %H:%M:%S")
        with self._chroot() as (merged, logs):
            argv = ["chroot", str(merged), "/usr/bin/faketime", "-f", clock, PROGRAM, *words]
            if self.tty:  # the colour scenarios: stdout and stderr on terminals of their own
                status, text_out, text_err = _on_terminals(argv, env)
            else:
                status, text_out, text_err = self._piped(argv, env)
            with kernel_faults.unlimited_bookkeeping():
                self._collect_syslog(*logs)
        self.last = CliResult(words, status, text_out, text_err)
        return self.last

    @staticmethod
    def _piped(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
        process = subprocess.Popen(  # noqa: S603 - fixed argv
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
            start_new_session=True)
        try:
            out, err = process.communicate(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            # A program without a deadline of its own (the original's savecore on a
            # vmcore that never answers): the whole session goes, as a watchdog would.
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            err += f"maintainer mode: killed after {RUN_TIMEOUT} seconds\n".encode()
        except BaseException:
            # The run is stopped (tests/maintainer/stop.py): the program, in a session of its
            # own, would outlive it and keep the chroot's mounts busy.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        return process.returncode, out.decode(errors="replace"), err.decode(errors="replace")

    def cleanup(self) -> None:
        super().cleanup()
        merged = self.state_dir.parent / "chroot" / "merged"
        if kernel_faults.is_mounted(str(merged)):
            subprocess.run(["umount", "-R", "-l", str(merged)],  # noqa: S607
                           check=False, capture_output=True)

    @contextmanager
    def _chroot(self) -> Iterator[tuple[Path, tuple[socket.socket, socket.socket]]]:
        base = self.state_dir.parent / "chroot"
        merged, work, layer = base / "merged", base / "work", base / "layer"
        for path in (merged, work, layer):
            path.mkdir(parents=True, exist_ok=True)
        lowers = [self.lower]
        if self.hidden:
            for target in self.hidden:
                hidden = layer / target.lstrip("/")
                hidden.parent.mkdir(parents=True, exist_ok=True)
                if not os.path.lexists(hidden):
                    os.mknod(hidden, 0o600 | 0o020000, os.makedev(0, 0))  # a whiteout
            lowers.insert(0, str(layer))
        self._vmcore_that_never_answers()
        with ExitStack() as stack:
            _mount("-t", "overlay", "kdump-maintainer", "-o",
                   f"lowerdir={':'.join(lowers)},upperdir={self.state_dir / 'root'},"
                   f"workdir={work}", str(merged))
            stack.callback(subprocess.run, ["umount", "-R", "-l", str(merged)],  # noqa: S607
                           check=False, capture_output=True)
            inside = merged / MACHINE_MOUNT.lstrip("/")
            _mount("--bind", str(self.state_dir), str(inside))
            # The stubs' view of the machine's files is the chroot's own tree.
            _mount("--bind", str(merged), str(inside / "root"))
            log_path = base / "log.sock"
            log_path.unlink(missing_ok=True)
            log = stack.enter_context(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM))
            log.bind(str(log_path))
            log.setblocking(False)
            _mount("--bind", str(log_path), str(merged / "dev" / "log"))
            # A journal too (native protocol), so structured entries are recorded as the
            # simulated machine records them; the shell original's logger uses /dev/log.
            journal_path = base / "journal.sock"
            journal_path.unlink(missing_ok=True)
            journal = stack.enter_context(socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM))
            journal.bind(str(journal_path))
            journal.setblocking(False)
            inside_socket = merged / journald.SOCKET.lstrip("/")
            try:
                inside_socket.parent.mkdir(parents=True, exist_ok=True)
                inside_socket.touch()
            except OSError:
                pass  # a machine whose /run is no directory (the lock scenarios): no journal
            else:
                _mount("--bind", str(journal_path), str(inside_socket))
            stack.enter_context(kernel_faults.readonly(self._readonly_in(merged)))
            limit = self.machine.fault("disk-full-after")
            stack.enter_context(kernel_faults.file_size_limit(
                None if limit is None else int(limit)))
            yield merged, (log, journal)

    def _readonly_in(self, merged: Path) -> list[str]:
        """The armed read-only faults, on the chroot's paths (the overlay, not its layers)."""
        root = str(self.state_dir / "root")
        return [str(merged) + path[len(root):] for path in self._readonly_paths()]

    def _collect_syslog(self, log: socket.socket, journal: socket.socket) -> None:
        machine = SimulatedMachine(self.state_dir)
        while True:
            try:
                entry = journald.decode(journal.recv(1 << 20))
            except BlockingIOError:
                break
            machine.syslog(entry.get("SYSLOG_IDENTIFIER", "?"), entry.get("MESSAGE", ""), entry)
        while True:
            try:
                data = log.recv(65536)
            except BlockingIOError:
                return
            text = data.decode(errors="replace").rstrip("\n\0")
            found = _SYSLOG_LINE.match(text)
            if found:
                machine.syslog(found["tag"], found["message"])
            else:
                machine.syslog("?", text)

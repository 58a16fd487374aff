"""The simulated machine: a state directory that behaves like a kernel and its disks.

Layout of a state directory::

    profile.toml     the profile it was made from (copied, so it stays diffable)
    state.json       what changes: boot phase, clock, faults, mounts, loaded kexec argv
    root/            the machine's file system (/proc, /sys, /boot, /etc, /var ...)
    remote/          the servers it talks to: nfs/<host>/<export>, ssh/<host>/, ftp/<host>/
    effects.jsonl    every operation performed, one JSON object per line
    syslog           what kdump-config logged
    journal.jsonl    the same, as the journal's structured fields (one JSON object a line)

What its kernel shows in /proc and /sys is written by sim.kernel_files; state.json and
profile.toml are checked and written by sim.statedir.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import posixpath
import shutil
import stat
from pathlib import Path

from sim import faults as registry
from sim import statedir
from sim.confine import host_path, link_problem, name_problem, read_bounded, target_problem
from sim.kernel_files import (
    kexec_paths,
    write_crash_hotplug,
    write_kernel_files,
    write_vmcore,
)
from sim.statedir import MachineError as MachineError
from sim.statedir import check_fault, describe, load_profile_from_state, read_state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from typing import Any

    from sim.profile import Profile

STATE_FILE = "state.json"
EFFECTS_FILE = "effects.jsonl"
SYSLOG_FILE = "syslog"
JOURNAL_FILE = "journal.jsonl"
DEFAULT_CLOCK = "2024-01-01T00:00:00"
# Where Debian installs each tool; `which` in the simulated machine answers with these.
TOOL_DIRS = {
    "kexec": "/usr/sbin", "makedumpfile": "/usr/bin", "sysctl": "/usr/sbin", "ip": "/usr/bin",
    "mount": "/usr/bin", "umount": "/usr/bin", "ssh": "/usr/bin", "scp": "/usr/bin",
    "ssh-keygen": "/usr/bin", "ssh-copy-id": "/usr/bin", "gzip": "/usr/bin",
    "bzip2": "/usr/bin", "xz": "/usr/bin", "lz4": "/usr/bin", "cat": "/usr/bin",
    "mkinitramfs": "/usr/sbin",
}
DEFAULT_VMCORE_SIZE = 4 << 20
MIN_VMCORE_SIZE = 4096  # one page: the ELF header and the kernel log fit in it
NOBODY_UID = 65534
# What Machine.read takes of one file (a kernel file, a config, a key): far more than any.
MAX_READ_BYTES = 64 << 20


class Machine:
    def __init__(self, state_dir: str | os.PathLike[str]) -> None:
        self.dir = Path(statedir.state_dir_argument(state_dir))
        self.root = self.dir / "root"
        self.remote = self.dir / "remote"
        state_path = self.dir / STATE_FILE
        if not state_path.is_file():
            raise MachineError(
                f"{self.dir} is not a simulated machine (run: kdump-sim init {self.dir})")
        for inner in (self.root, self.remote):
            # Everything the simulator writes goes below these two: a link here would
            # carry every write out of the state directory.
            if inner.is_symlink():
                raise MachineError(f"{inner} is a symbolic link, not the machine's own "
                                   f"directory; recreate the machine with: kdump-sim init "
                                   f"{self.dir}")
        self.state: dict[str, Any] = read_state(state_path)

    # -- creation --------------------------------------------------------------------
    @classmethod
    def create(cls, state_dir: str | os.PathLike[str], profile: str | Profile) -> Machine:
        from sim.profile import load_profile

        prof = load_profile(profile) if isinstance(profile, str) else profile
        base = Path(statedir.state_dir_argument(state_dir))
        statedir.make_empty(base, files=(STATE_FILE, STATE_FILE + ".tmp", EFFECTS_FILE,
                                         SYSLOG_FILE, JOURNAL_FILE, "profile.toml"))
        (base / "remote").mkdir(exist_ok=True)
        machine_facts = prof.data.get("machine", {})
        state = {
            "profile": prof.name,
            "description": prof.description,
            "phase": "normal",
            "clock": str(machine_facts.get("clock", DEFAULT_CLOCK)),
            "hostname": str(machine_facts.get("hostname", "debian")),
            "tools": prof.tools,
            "ipv4": list(prof.network.get("ipv4", ["127.0.0.1"])),
            "nfs_exports": list(prof.network.get("nfs_exports", [])),
            "ssh_hosts": list(prof.network.get("ssh_hosts", [])),
            "ftp_hosts": list(prof.network.get("ftp_hosts", [])),
            "faults": prof.faults,
            "mounts": {},
            "kexec_loaded": None,
            "kernel": prof.kernel,
        }
        (base / STATE_FILE).write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
        (base / "profile.toml").write_text(describe(prof))
        machine = cls(base)
        machine._materialize(prof)
        return machine

    def _materialize(self, prof: Profile) -> None:
        for path in prof.dirs:
            self.path(path).mkdir(parents=True, exist_ok=True)
        for path, text in prof.files.items():
            self.write(path, text)
        for path, text in prof.executables.items():
            self.write(path, text, mode=0o755)
        for path, size in prof.data.get("sizes", {}).items():
            self.set_size(path, int(size))
        for name in prof.tools:
            # The program files, where Debian installs them (the emulation runs by name):
            # `/sbin/kexec` exists on a merged-/usr machine as it does on a real one.
            self.write(f"{TOOL_DIRS.get(name, '/usr/bin')}/{name}",
                       f"#!/bin/sh\n# {name} (simulated by kdump-sim)\n", mode=0o755)
        for link, target in prof.symlinks.items():
            self.symlink(link, target)
        write_kernel_files(self, boot_cmdline=str(prof.kernel.get("cmdline", "")))
        for remote in self.state["ssh_hosts"]:
            self.remote_dir("ssh", _host_of(str(remote))).mkdir(parents=True, exist_ok=True)
        for public_key in prof.network.get("ssh_authorized_keys", []):
            self._authorize(self.read(str(public_key)) or "")
        for export in self.state["nfs_exports"]:
            server, _, path = str(export).partition(":")
            self.remote_dir("nfs", server, path).mkdir(parents=True, exist_ok=True)
        for host in self.state["ftp_hosts"]:
            self.remote_dir("ftp", str(host)).mkdir(parents=True, exist_ok=True)

    def _authorize(self, public_key: str) -> None:
        """Install a public key for every SSH server's user, as ssh-copy-id would have."""
        for remote in self.state["ssh_hosts"]:
            user, _, host = str(remote).rpartition("@")
            keys = self.remote_ssh_path(host, remote_home(user or "root") + "/.ssh/authorized_keys")
            keys.parent.mkdir(parents=True, exist_ok=True)
            with open(keys, "a") as handle:
                handle.write(public_key.strip() + "\n")

    def remote_ssh_path(self, host: str, path: str) -> Path:
        """Where a path of SSH server ``host`` lives (never above its directory)."""
        return self.remote_dir("ssh", host) / posixpath.normpath("/" + path).lstrip("/")

    def remote_dir(self, kind: str, server: str, path: str = "/") -> Path:
        """The directory of server ``server`` (an NFS export ``path`` of it): a name and a
        path that cannot leave remote/, whatever a profile or a state.json says."""
        problem = name_problem(server) or target_problem(path if path else "/")
        if problem is not None:
            raise MachineError(f"{kind} server {server!r} ({path!r}): {problem}")
        return self.remote / kind / server / path.strip("/")

    # -- NFS mounts: the export directory is moved over the mount point --------------------
    # Every view of the tree (this simulator, the real backend on a sandbox root, the
    # emulated programs) then sees the export at the mount point without any path
    # translation; umount moves both back.
    def attach_export(self, mountpoint: str, host_mountpoint: str, export: Path, label: str,
                      readonly: bool) -> None:
        under = Path(host_mountpoint)
        aside = under.with_name(f".{under.name}.under-nfs-mount")
        mode = stat.S_IMODE(export.stat().st_mode)
        os.rename(under, aside)
        try:
            os.rename(export, under)
        except OSError:
            os.rename(aside, under)
            raise
        if readonly:
            os.chmod(under, 0o555)  # refuses writes for real when not running as root
        self.state.setdefault("mounts", {})[mountpoint] = label
        self.state.setdefault("nfs_mounts", {})[mountpoint] = {
            "at": os.path.relpath(under, self.dir), "aside": os.path.relpath(aside, self.dir),
            "export": os.path.relpath(export, self.dir), "mode": mode, "readonly": readonly,
        }
        self.save()

    def detach_export(self, mountpoint: str) -> bool:
        entry = self.state.get("nfs_mounts", {}).pop(mountpoint, None)
        self.state.get("mounts", {}).pop(mountpoint, None)
        if entry is None:
            return False
        at = self.dir / entry["at"]
        os.chmod(at, int(entry["mode"]))
        os.rename(at, self.dir / entry["export"])
        os.rename(self.dir / entry["aside"], at)
        self.save()
        return True

    def readonly_mounts(self) -> list[str]:
        mounts: dict[str, dict[str, Any]] = self.state.get("nfs_mounts", {})
        return [mountpoint for mountpoint, entry in mounts.items() if entry.get("readonly")]

    # -- file helpers ------------------------------------------------------------------
    # A target path maps below the root as the product's rooted file layer maps it: links
    # on the way are resolved inside the machine (an absolute one re-rooted), so no write
    # of the simulator follows a link out of the state directory; ``..`` is refused.
    def path(self, target: str) -> Path:
        """Where target path ``target`` lives on this host (its last component as it is,
        a link not followed)."""
        return self._host(target, follow_last=False)

    def resolved(self, target: str) -> Path:
        """Where the file ``target`` names lives, a link at its end followed (inside)."""
        return self._host(target, follow_last=True)

    def _host(self, target: str, follow_last: bool) -> Path:
        problem = target_problem(target)
        if problem is not None:
            raise MachineError(f"{target!r}: {problem}")
        try:
            return Path(host_path(os.path.abspath(self.root), target, follow_last=follow_last))
        except OSError as exc:
            raise MachineError(f"{target}: {exc.strerror}") from exc

    def write(self, target: str, text: str, mode: int = 0o644) -> None:
        self.write_bytes(target, text.encode(), mode)

    def write_bytes(self, target: str, data: bytes, mode: int = 0o644) -> None:
        host = self.path(target)
        host.parent.mkdir(parents=True, exist_ok=True)
        if host.is_symlink():
            host.unlink()
        fd = os.open(host, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
                     | os.O_CLOEXEC, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(host, mode)

    def set_size(self, target: str, size: int) -> None:
        """Make file ``target`` (a link at its end followed inside) ``size`` bytes long."""
        host = self.resolved(target)
        host.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(host, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            os.ftruncate(fd, size)
        finally:
            os.close(fd)

    def symlink(self, link: str, target: str) -> Path:
        """A link at target path ``link``; its target never climbs above the root."""
        problem = link_problem(link, target)
        if problem is not None:
            raise MachineError(f"{link} -> {target}: {problem}")
        host = self.path(link)
        host.parent.mkdir(parents=True, exist_ok=True)
        host.symlink_to(target)
        return host

    def read(self, target: str) -> str | None:
        # A kernel file can hold any bytes (a scenario may put them there): never a
        # decoding error, as a kernel file read by the backends.
        try:
            data = read_bounded(self.resolved(target), MAX_READ_BYTES)
        except (OSError, MachineError):
            return None
        return data.decode("utf-8", "replace")

    # -- what another user planted ------------------------------------------------------
    def plant(self, target: str, *, link_to: str | None = None, directory: bool = False,
              text: str = "", uid: int = NOBODY_UID, fifo: bool = False) -> Path:
        """Another user (``uid``, nobody by default) puts a link, directory, FIFO or file here.

        The simulated machine has no other users: the owner is recorded in the state,
        with the entry's inode, and the simulated backend reports it as that entry's
        owner for as long as that entry is there (a file root renames over it is root's).
        """
        host = self.path(target)
        host.parent.mkdir(parents=True, exist_ok=True)
        if link_to is not None:
            self.symlink(target, link_to)
        elif directory:
            host.mkdir()
        elif fifo:
            os.mkfifo(host, 0o644)
        else:
            fd = os.open(host, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
                         | os.O_CLOEXEC, 0o644)
            with os.fdopen(fd, "w") as handle:
                handle.write(text)
        self.state.setdefault("planted", {})[posixpath.normpath(target)] = \
            [uid, os.lstat(host).st_ino]
        self.save()
        return host

    def foreign_owner(self, target: str) -> int | None:
        """The uid of another user who planted ``target``, if what is there is what they
        planted."""
        planted: dict[str, int | list[int]] = self.state.get("planted", {})
        entry = planted.get(posixpath.normpath(target))
        if entry is None:
            return None
        try:
            st = os.lstat(self.path(target))
        except OSError:
            return None
        if isinstance(entry, list):  # [uid, inode]
            return int(entry[0]) if st.st_ino == entry[1] else None
        return int(entry)  # (a state saved before inodes were recorded)

    # -- state -------------------------------------------------------------------------
    def reread(self) -> None:
        """Take the state another process may have saved since this one read it."""
        self.state = read_state(self.dir / STATE_FILE)

    def save(self) -> None:
        tmp = self.dir / (STATE_FILE + ".tmp")
        tmp.write_text(json.dumps(self.state, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, self.dir / STATE_FILE)

    @property
    def environ(self) -> dict[str, str]:
        """The environment kdump-config runs with on this machine (empty unless set)."""
        env = self.state.get("environ", {})
        return {str(k): str(v) for k, v in env.items()} if isinstance(env, dict) else {}

    def set_environ(self, name: str, value: str) -> None:
        env = self.state.setdefault("environ", {})
        env[name] = value
        self.save()

    @property
    def faults(self) -> dict[str, Any]:
        faults: dict[str, Any] = self.state.setdefault("faults", {})
        return faults

    def fault(self, name: str) -> Any:
        """The value of armed fault ``name`` (None when disarmed): the emulators' one way to
        a fault, so a name missing from the registry (sim/faults.py) fails loudly."""
        registry.lookup(name)
        return self.faults.get(name)

    def set_fault(self, name: str, value: Any = True) -> None:
        check_fault(name, value)
        self.faults[name] = value
        self.save()

    def clear_fault(self, name: str) -> None:
        check_fault(name, None, value_too=False)
        self.faults.pop(name, None)
        self.save()

    def now(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.state["clock"])

    def advance(self, seconds: float) -> None:
        self.state["clock"] = (self.now() + dt.timedelta(seconds=seconds)).isoformat()
        self.save()

    def log_effect(self, op: str, **fields: Any) -> None:
        record = {"op": op, **fields}
        with open(self.dir / EFFECTS_FILE, "a") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")

    def effects(self) -> Iterator[dict[str, Any]]:
        try:
            text = statedir.read_input(self.dir / EFFECTS_FILE, statedir.MAX_LOG_BYTES)
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as exc:
            raise MachineError(f"{self.dir / EFFECTS_FILE}: cannot read the effect log "
                               f"({exc})") from exc
        for line in text.splitlines():
            yield json.loads(line)

    def syslog(self, tag: str, message: str, fields: Mapping[str, str] | None = None,
               ) -> None:
        with open(self.dir / SYSLOG_FILE, "a") as handle:
            handle.write(f"{self.now().isoformat()} {tag}: {message}\n")
        if fields is not None:  # what journald would hold: every structured field
            with open(self.dir / JOURNAL_FILE, "a") as handle:
                handle.write(json.dumps(dict(fields), sort_keys=True) + "\n")

    def journal(self) -> list[dict[str, str]]:
        """The structured entries logged so far, oldest first."""
        try:
            text = statedir.read_input(self.dir / JOURNAL_FILE, statedir.MAX_LOG_BYTES)
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            raise MachineError(f"{self.dir / JOURNAL_FILE}: cannot read the journal "
                               f"({exc})") from exc
        return [json.loads(line) for line in text.splitlines()]

    # -- kernel transitions --------------------------------------------------------------
    def crash(self, vmcore_size: int = DEFAULT_VMCORE_SIZE) -> str:
        """Panic; boot the capture kernel if one is loaded (or fadump is registered)."""
        if isinstance(vmcore_size, bool) or not isinstance(vmcore_size, int) or \
                vmcore_size < MIN_VMCORE_SIZE:
            raise MachineError(f"the vmcore size must be a whole number of bytes >= "
                               f"{MIN_VMCORE_SIZE}, not {vmcore_size!r}")
        if self.state["phase"] != "normal":
            raise MachineError("the machine is already running its capture kernel")
        loaded = self.state.get("kexec_loaded")
        fadump = self.fadump_registered()
        if not loaded and not fadump:
            raise MachineError("kernel panic with no capture kernel loaded: nothing was saved; "
                               "the machine rebooted")
        # The vmcore is written for real, byte by byte: a size the state directory's file
        # system cannot hold (with room left for savecore's copy of it) would fill the
        # disk, which the whole host shares, before failing.
        vmcore = self.path("/proc/vmcore")
        free = shutil.disk_usage(self.root).free
        if vmcore_size > free // 2:
            raise MachineError(f"a vmcore of {vmcore_size} bytes does not fit: the file system "
                               f"of {self.root} has {free} bytes free, and savecore needs as "
                               f"much again for its copy")
        try:
            write_vmcore(vmcore, vmcore_size, self.state["kernel"])
        except OSError as exc:
            vmcore.unlink(missing_ok=True)
            raise MachineError(f"cannot write {vmcore}: {exc.strerror or exc}: the machine "
                               f"did not crash") from exc
        cmdline = self.read("/proc/cmdline") or ""
        if loaded:
            cmdline = next((a.split("=", 1)[1] for a in loaded if a.startswith("--command-line=")),
                           cmdline.strip())
        self.state["phase"] = "capture"
        self.state["crashed_at"] = self.now().isoformat()
        self.save()
        self.write("/proc/cmdline", cmdline.strip() + "\n")
        for path in kexec_paths(self.state["kernel"], "crash_loaded"):
            if self.path(path).exists():
                self.write(path, "0\n")
        if "crash_hotplug" in self.state["kernel"]:
            write_crash_hotplug(self, False)
        self.log_effect("crash", vmcore_size=vmcore_size, via="kexec" if loaded else "fadump")
        return "kexec" if loaded else "fadump"

    def reboot(self) -> None:
        """Back to a freshly booted first kernel: nothing loaded, no vmcore."""
        self.path("/proc/vmcore").unlink(missing_ok=True)
        for mountpoint in list(self.state.get("nfs_mounts", {})):
            self.detach_export(mountpoint)
        self.state["mounts"] = {}
        self.state["phase"] = "normal"
        self.state["kexec_loaded"] = None
        self.state.pop("crashed_at", None)
        self.save()
        profile = load_profile_from_state(self)
        write_kernel_files(self, boot_cmdline=str(profile.kernel.get("cmdline", "")))
        self.log_effect("reboot")

    def has_fadump(self) -> bool:
        """Does this machine's firmware offer fadump at all (POWER)?"""
        return any(self.path(p).exists() for p in ("/sys/kernel/fadump/enabled",
                                                    "/sys/kernel/fadump_enabled"))

    def fadump_registered(self) -> bool:
        for path in ("/sys/kernel/fadump/registered", "/sys/kernel/fadump_registered"):
            text = self.read(path)
            if text is not None:
                return text.strip() == "1"
        return False


def _host_of(destination: str) -> str:
    return destination.rpartition("@")[2]


def remote_home(user: str) -> str:
    return "/root" if user == "root" else f"/home/{user}"


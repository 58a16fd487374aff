"""The capture side's programs: makedumpfile, compressors, mount, ssh and friends.

Each one reads and writes real files, so a saved dump can be inspected in the
state directory: the machine's own files under ``root/``, the servers' under
``remote/nfs/<server>/<export>``, ``remote/ssh/<host>/`` (that host's whole
file system) and ``remote/ftp/<host>/``.  Which servers exist comes from the
profile's ``[network]`` table (``nfs_exports``, ``ssh_hosts``, ``ftp_hosts``).

An NFS mount *moves* the export directory over the mount point (and umount
moves it back), so the simulated backend, the real backend on a sandbox root
and these programs all see the same tree without any path translation.

Their faults (``makedumpfile``, ``nfs-mount``, ``ssh-unreachable``...) are listed, with the
values they take, in the one registry: sim/faults.py (``kdump-sim faults``).
"""

from __future__ import annotations

import bz2
import gzip as gzip_mod
import hashlib
import lzma
import os
import shlex
import shutil
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sim.machine import DMESG_BEGIN, DMESG_END, remote_home
from sim.tools import Call, Outcome, tool

if TYPE_CHECKING:
    from sim.machine import Machine

SSH_FAILED = 255
MOUNT_FAILED = 32
# makedumpfile -F: a 4 KiB header carrying this signature, then (offset, size) blocks.
FLAT_SIGNATURE = b"makedumpfile"
FLAT_HEADER_SIZE = 4096
FLAT_TYPE, FLAT_VERSION, FLAT_END = 1, 1, -1
KDUMP_SIGNATURE = b"KDUMP   "
PAGE_BLOCK = 1 << 20
DEFAULT_SHORT = 4096


def fires(machine: Machine, name: str) -> bool:
    """Is fault ``name`` armed for this call?  An integer N: only for the first N calls."""
    value = machine.fault(name)
    if not value:
        return False
    if value is True or not isinstance(value, int):
        return True
    counts: dict[str, int] = machine.state.setdefault("fault_counts", {})
    used = counts.get(name, 0)
    if used >= value:
        return False
    counts[name] = used + 1
    machine.save()
    return True


def _options(args: list[str], with_value: set[str]) -> tuple[dict[str, list[str]], list[str]]:
    """getopt-style: options (repeatable) and the positional words."""
    options: dict[str, list[str]] = {}
    positional: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            positional += args[index + 1:]
            break
        if arg.startswith("-") and len(arg) > 1 and not positional:
            if arg in with_value and index + 1 < len(args):
                options.setdefault(arg, []).append(args[index + 1])
                index += 2
                continue
            options.setdefault(arg, []).append("")
        else:
            positional.append(arg)
        index += 1
    return options, positional


# -- makedumpfile ------------------------------------------------------------------------------
_MDF_VALUE_OPTIONS = {"-d", "--message-level", "-x", "-i", "--config", "--num-threads",
                      "--splitblock-size", "--cyclic-buffer", "-b"}


@tool("makedumpfile")
def makedumpfile(call: Call) -> Outcome:
    if call.args[:1] == ["--dump-dmesg"]:
        return _dump_dmesg(call, call.args[1:])
    options, positional = _options(call.args, _MDF_VALUE_OPTIONS)
    flattened = "-F" in options
    if len(positional) != (1 if flattened else 2):
        return Outcome(1, b"", "makedumpfile: wrong number of arguments\n"
                               "Commandline parameter is invalid.\n")
    vmcore = call.files.host_path(positional[0])
    try:
        with open(vmcore, "rb") as handle:
            if handle.read(4) != b"\x7fELF":
                return Outcome(1, b"", f"makedumpfile: {positional[0]} is not an ELF core\n")
    except OSError as exc:
        return Outcome(1, b"", f"open_dump_memory: Can't open the dump memory"
                               f"({positional[0]}). {exc.strerror}\nmakedumpfile Failed.\n")
    if fires(call.machine, "makedumpfile"):
        return Outcome(1, b"", "readpage_elf: Can't read the dump memory.\nmakedumpfile Failed.\n")
    if fires(call.machine, "makedumpfile-empty"):
        return Outcome(0)
    body = _kdump_body(vmcore, compress="-c" in options, call=call)
    # The pieces are contiguous: joined, they are the file itself.
    data = _flatten(body) if flattened else b"".join(piece for _, piece in body)
    short = call.machine.fault("makedumpfile-short")
    if short:
        keep = short if isinstance(short, int) and short is not True else DEFAULT_SHORT
        return Outcome(1, data[:keep], "write_buffer: Can't write the dump file(-). "
                                       "No space left on device\nmakedumpfile Failed.\n")
    if flattened:
        return Outcome(0, data, "\nThe dumpfile is saved to STDOUT.\n\nmakedumpfile Completed.\n")
    return _create(call, positional[1], data, "The dumpfile is saved to")


def _kdump_body(vmcore: str, compress: bool, call: Call | None = None,
                ) -> list[tuple[int, bytes]]:
    """(offset, bytes) pieces of a kdump-compressed file: header, then the pages.

    As the real makedumpfile, it reports its progress on stderr while it copies: a
    ``Copying data`` line redrawn after a carriage return, ended by a newline.
    """
    header = KDUMP_SIGNATURE + struct.pack("<i", 6) + b"kdump-sim".ljust(56, b"\0")
    pieces = [(0, header.ljust(4096, b"\0"))]
    offset = 4096
    total = max(os.path.getsize(vmcore), 1)
    done, shown = 0, -1
    with open(vmcore, "rb") as handle:
        while block := handle.read(PAGE_BLOCK):
            data = zlib.compress(block, 1) if compress else block
            pieces.append((offset, data))
            offset += len(data)
            done += len(block)
            tenths = done * 1000 // total
            if call is not None and tenths // 10 != shown:  # at most once per percent
                shown = tenths // 10
                call.progress(_progress_line(tenths, len(pieces)))
    if call is not None:
        call.progress("\n")
    return pieces


_SPINNER = "/|\\-"


def _progress_line(tenths: int, step: int) -> str:
    """makedumpfile's progress indicator: label, percentage, spinner, estimate."""
    return (f"\r{'Copying data':<35}: [{tenths // 10:3d}.{tenths % 10} %] "
            f"{_SPINNER[step % 4]}  eta: 0s")


def _flatten(pieces: list[tuple[int, bytes]]) -> bytes:
    header = FLAT_SIGNATURE.ljust(16, b"\0") + struct.pack(">qq", FLAT_TYPE, FLAT_VERSION)
    out = [header.ljust(FLAT_HEADER_SIZE, b"\0")]
    for offset, data in pieces:
        out += [struct.pack(">qq", offset, len(data)), data]
    out.append(struct.pack(">qq", FLAT_END, FLAT_END))
    return b"".join(out)


def _create(call: Call, target: str, data: bytes, said: str) -> Outcome:
    """Write a new file as makedumpfile does: never over an existing one, mode 0600."""
    host = call.files.host_path(target, follow_last=False)  # O_EXCL: a link is a file
    try:
        fd = os.open(host, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        return Outcome(1, b"", f"open_dump_file: Can't open the dump file({target}). "
                               f"{exc.strerror}\nmakedumpfile Failed.\n")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return Outcome(0, f"{said} {target}.\n\nmakedumpfile Completed.\n".encode())


def _dump_dmesg(call: Call, args: list[str]) -> Outcome:
    if len(args) != 2:
        return Outcome(1, b"", "Commandline parameter is invalid.\n")
    if fires(call.machine, "dmesg"):
        return Outcome(1, b"", "dump_dmesg: Can't find the symbol of log_buf.\n"
                               "makedumpfile Failed.\n")
    if fires(call.machine, "dmesg-empty"):  # an empty log buffer, and a status that lies
        return _create(call, args[1], b"", "The dmesg log is saved to")
    try:
        with open(call.files.host_path(args[0]), "rb") as handle:
            head = handle.read(1 << 16)
    except OSError as exc:
        return Outcome(1, b"", f"open_dump_memory: Can't open the dump memory({args[0]}). "
                               f"{exc.strerror}\nmakedumpfile Failed.\n")
    begin, end = head.find(DMESG_BEGIN), head.find(DMESG_END)
    if begin < 0 or end < begin:
        return Outcome(1, b"", "dump_dmesg: Can't find the log buffer.\nmakedumpfile Failed.\n")
    text = head[begin + len(DMESG_BEGIN):end] + b"\n"
    return _create(call, args[1], text, "The dmesg log is saved to")


# -- compressors -------------------------------------------------------------------------------
def _xxh32(data: bytes, seed: int = 0) -> int:
    """xxHash32: the lz4 frame format's header checksum."""
    p1, p2, p3, p4, p5, mask = 2654435761, 2246822519, 3266489917, 668265263, 374761393, 0xFFFFFFFF

    def rotl(value: int, bits: int) -> int:
        return ((value << bits) | (value >> (32 - bits))) & mask

    index, length = 0, len(data)
    if length >= 16:
        lanes = [(seed + p1 + p2) & mask, (seed + p2) & mask, seed & mask, (seed - p1) & mask]
        while index + 16 <= length:
            for lane in range(4):
                word = int.from_bytes(data[index:index + 4], "little")
                lanes[lane] = (rotl((lanes[lane] + word * p2) & mask, 13) * p1) & mask
                index += 4
        digest = (rotl(lanes[0], 1) + rotl(lanes[1], 7) + rotl(lanes[2], 12)
                  + rotl(lanes[3], 18)) & mask
    else:
        digest = (seed + p5) & mask
    digest = (digest + length) & mask
    while index + 4 <= length:
        word = int.from_bytes(data[index:index + 4], "little")
        digest = (rotl((digest + word * p3) & mask, 17) * p4) & mask
        index += 4
    while index < length:
        digest = (rotl((digest + data[index] * p5) & mask, 11) * p1) & mask
        index += 1
    digest ^= digest >> 15
    digest = (digest * p2) & mask
    digest ^= digest >> 13
    digest = (digest * p3) & mask
    return digest ^ (digest >> 16)


def lz4_frame(data: bytes) -> bytes:
    """A valid LZ4 frame whose blocks are stored uncompressed (``lz4 -d`` reads it)."""
    descriptor = bytes([0x60, 0x70])  # version 1, independent blocks; 4 MiB blocks
    out = [b"\x04\x22\x4d\x18", descriptor, bytes([(_xxh32(descriptor) >> 8) & 0xFF])]
    block = 4 << 20
    for start in range(0, len(data), block):
        chunk = data[start:start + block]
        out += [struct.pack("<I", len(chunk) | 0x80000000), chunk]
    out.append(b"\0\0\0\0")
    return b"".join(out)


def _compressor(name: str, compress: Callable[[bytes], bytes]) -> None:
    def run(call: Call) -> Outcome:
        armed = call.machine.fault("compressor")
        if armed is True or armed == name:
            return Outcome(1, b"", f"{name}: (stdout): write error: Broken pipe\n")
        if "-c" not in call.args and "--stdout" not in call.args:
            return Outcome(1, b"", f"{name}: only -c (stdin to stdout) is simulated\n")
        return Outcome(0, compress(call.stdin))

    tool(name)(run)


_compressor("gzip", lambda data: gzip_mod.compress(data, mtime=0))
_compressor("bzip2", bz2.compress)
_compressor("xz", lambda data: lzma.compress(data, format=lzma.FORMAT_XZ))
_compressor("lz4", lz4_frame)


# -- NFS: mount and umount ---------------------------------------------------------------------
@tool("mount")
def mount(call: Call) -> Outcome:
    options, positional = _options(call.args, {"-t", "-o"})
    if options.get("-t") != ["nfs"] or len(positional) != 2:
        return Outcome(MOUNT_FAILED, b"", "mount: only 'mount -t nfs SERVER:/PATH DIR' "
                                          "is simulated\n")
    source, mountpoint = positional
    machine = call.machine
    server, _, export = source.partition(":")
    exports = {_export_key(str(e)) for e in machine.state.get("nfs_exports", [])}
    if fires(machine, "nfs-mount"):
        return Outcome(MOUNT_FAILED, b"", f"mount.nfs: Connection timed out for {source}\n")
    if _export_key(source) not in exports:
        return Outcome(MOUNT_FAILED, b"", f"mount.nfs: access denied by server while "
                                          f"mounting {source}\n")
    if mountpoint in machine.state.get("mounts", {}):
        return Outcome(MOUNT_FAILED, b"", f"mount.nfs: {mountpoint} is busy or already "
                                          "mounted\n")
    under = call.files.host_path(mountpoint)
    if not os.path.isdir(under):
        return Outcome(MOUNT_FAILED, b"", f"mount.nfs: mount point {mountpoint} does not "
                                          "exist\n")
    directory = machine.remote / "nfs" / server / export.strip("/")
    machine.attach_export(mountpoint, under, directory, source,
                          readonly=bool(machine.fault("nfs-readonly")))
    return Outcome(0)


def _export_key(source: str) -> str:
    server, _, export = source.partition(":")
    return f"{server}:/{export.strip('/')}"


@tool("umount")
def umount(call: Call) -> Outcome:
    _, positional = _options(call.args, set())
    if len(positional) != 1:
        return Outcome(1, b"", "umount: only 'umount DIR' is simulated\n")
    target = positional[0]
    if target not in call.machine.state.get("mounts", {}):
        return Outcome(MOUNT_FAILED, b"", f"umount: {target}: not mounted.\n")
    if fires(call.machine, "nfs-umount"):
        return Outcome(MOUNT_FAILED, b"", f"umount.nfs: {target}: device is busy\n")
    call.machine.detach_export(target)
    return Outcome(0)


# -- SSH: ssh, scp, ssh-keygen, ssh-copy-id -----------------------------------------------------
_SSH_VALUE_OPTIONS = {"-i", "-o", "-p", "-l", "-F", "-E", "-J", "-P", "-S", "-c", "-t"}


def _split_destination(destination: str) -> tuple[str, str]:
    user, _, host = destination.rpartition("@")
    return user or "root", host


def _public_key(call: Call, key: str) -> str | None:
    text = call.files.read_text(key if key.endswith(".pub") else key + ".pub")
    return " ".join(text.split()[:2]) if text else None


def _connect(call: Call, destination: str, key: str | None) -> str | None:
    """Why a connection to ``destination`` fails (ssh's words), or None when it works."""
    user, host = _split_destination(destination)
    machine = call.machine
    known = {str(h).rpartition("@")[2] for h in machine.state.get("ssh_hosts", [])}
    if host not in known:
        return f"ssh: Could not resolve hostname {host}: Name or service not known\n"
    if fires(machine, "ssh-unreachable"):
        return f"ssh: connect to host {host} port 22: Connection timed out\n"
    if key is None:  # ssh-copy-id: the administrator types the password
        return None
    public = _public_key(call, key)
    if not call.files.exists(key) or public is None:
        return (f"Warning: Identity file {key} not accessible: No such file or directory.\n"
                f"{user}@{host}: Permission denied (publickey).\n")
    keys = machine.remote_ssh_path(host, remote_home(user) + "/.ssh/authorized_keys")
    authorized = keys.read_text().splitlines() if keys.is_file() else []
    if not any(" ".join(line.split()[:2]) == public for line in authorized):
        return f"{user}@{host}: Permission denied (publickey).\n"
    return None


@tool("ssh")
def ssh(call: Call) -> Outcome:
    options, positional = _options(call.args, _SSH_VALUE_OPTIONS)
    if len(positional) < 2:
        return Outcome(SSH_FAILED, b"", "ssh: only 'ssh DEST COMMAND' is simulated\n")
    destination, command = positional[0], " ".join(positional[1:])
    key = (options.get("-i") or ["/root/.ssh/id_rsa"])[-1]
    refused = _connect(call, destination, key)
    if refused:
        return Outcome(SSH_FAILED, b"", refused)
    return RemoteShell(call, _split_destination(destination)[1]).run(command)


class RemoteShell:
    """The few commands kdump-config sends over ssh, joined by ``&&``."""

    def __init__(self, call: Call, host: str) -> None:
        self.call = call
        self.host = host
        self.umask = 0o022

    def path(self, remote: str) -> Path:
        return self.call.machine.remote_ssh_path(self.host, remote)

    def run(self, command: str) -> Outcome:
        try:
            words = shlex.split(command)
        except ValueError as exc:
            return Outcome(2, b"", f"sh: 1: Syntax error: {exc}\n")
        out = b""
        commands: list[list[str]] = [[]]
        for word in words:
            if word == "&&":
                commands.append([])
            else:
                commands[-1].append(word)
        for argv in commands:
            outcome = self.one(argv)
            out += outcome.stdout
            if outcome.returncode != 0:
                return Outcome(outcome.returncode, out, outcome.stderr)
        return Outcome(0, out)

    def one(self, argv: list[str]) -> Outcome:
        handlers: dict[str, Callable[[list[str]], Outcome]] = {
            "mkdir": self.mkdir, "ls": self.ls, "dd": self.dd, "mv": self.mv, "rm": self.rm,
            "sync": lambda _args: Outcome(0), "test": self.test, "umask": self.set_umask,
        }
        if not argv or argv[0] not in handlers:
            name = argv[0] if argv else ""
            return Outcome(127, b"", f"sh: 1: {name}: not found\n")
        return handlers[argv[0]](argv[1:])

    def set_umask(self, args: list[str]) -> Outcome:
        self.umask = int(args[0], 8)
        return Outcome(0)

    def mkdir(self, args: list[str]) -> Outcome:
        options, paths = _options(args, {"-m"})
        mode = int(options["-m"][-1], 8) if "-m" in options else 0o777 & ~self.umask
        for remote in paths:
            target = self.path(remote)
            if fires(self.call.machine, "ssh-mkdir"):
                return Outcome(1, b"", f"mkdir: cannot create directory '{remote}': "
                                       "Permission denied\n")
            if "-p" in options:
                target.mkdir(parents=True, exist_ok=True)
                continue
            try:
                target.mkdir()
            except OSError as exc:
                return Outcome(1, b"", f"mkdir: cannot create directory '{remote}': "
                                       f"{exc.strerror}\n")
            os.chmod(target, mode)
        return Outcome(0)

    def ls(self, args: list[str]) -> Outcome:
        _, paths = _options(args, set())
        target = self.path(paths[0] if paths else "/")
        if not target.is_dir():
            return Outcome(2, b"", f"ls: cannot access '{paths[0]}': No such file or directory\n")
        return Outcome(0, "".join(f"{name}\n" for name in sorted(os.listdir(target))).encode())

    def dd(self, args: list[str]) -> Outcome:
        out = next((a[3:] for a in args if a.startswith("of=")), None)
        if out is None:
            return Outcome(1, b"", "dd: only of=FILE is simulated\n")
        target = self.path(out)
        data = self.call.stdin
        failing = fires(self.call.machine, "ssh-dd")
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666 & ~self.umask)
        except OSError as exc:
            return Outcome(1, b"", f"dd: failed to open '{out}': {exc.strerror}\n")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data[: len(data) // 2] if failing else data)
        if failing:
            return Outcome(1, b"", f"dd: error writing '{out}': No space left on device\n")
        return Outcome(0)

    def mv(self, args: list[str]) -> Outcome:
        _, paths = _options(args, set())
        if len(paths) != 2:
            return Outcome(1, b"", "mv: only 'mv SOURCE DEST' is simulated\n")
        if fires(self.call.machine, "ssh-mv"):
            return Outcome(1, b"", f"mv: cannot move '{paths[0]}' to '{paths[1]}': "
                                   "Permission denied\n")
        try:
            os.replace(self.path(paths[0]), self.path(paths[1]))
        except OSError as exc:
            return Outcome(1, b"", f"mv: cannot stat '{paths[0]}': {exc.strerror}\n")
        return Outcome(0)

    def rm(self, args: list[str]) -> Outcome:
        _, paths = _options(args, set())
        for remote in paths:
            self.path(remote).unlink(missing_ok=True)
        return Outcome(0)

    def test(self, args: list[str]) -> Outcome:
        if len(args) == 2 and args[0] == "-s":
            target = self.path(args[1])
            return Outcome(0 if target.is_file() and target.stat().st_size > 0 else 1)
        return Outcome(2, b"", "test: only -s FILE is simulated\n")


@tool("scp")
def scp(call: Call) -> Outcome:
    options, positional = _options(call.args, _SSH_VALUE_OPTIONS)
    if len(positional) != 2 or ":" not in positional[1]:
        return Outcome(1, b"", "scp: only 'scp LOCAL [USER@]HOST:PATH' is simulated\n")
    source, target = positional
    destination, _, remote = target.partition(":")
    key = (options.get("-i") or ["/root/.ssh/id_rsa"])[-1]
    refused = _connect(call, destination, key)
    if refused:
        return Outcome(SSH_FAILED, b"", refused)
    local = call.files.host_path(source)
    if not os.path.isfile(local):
        return Outcome(1, b"", f"scp: {source}: No such file or directory\n")
    if fires(call.machine, "scp"):
        return Outcome(1, b"", "Connection closed by remote host\nscp: Connection closed\n")
    stored = call.machine.remote_ssh_path(_split_destination(destination)[1], remote)
    if not stored.parent.is_dir():
        return Outcome(1, b"", f"scp: dest open \"{remote}\": No such file or directory\n")
    shutil.copyfile(local, stored)  # streamed: a vmcore never sits in memory here
    os.chmod(stored, 0o600)
    return Outcome(0)


@tool("ssh-keygen")
def ssh_keygen(call: Call) -> Outcome:
    options, _ = _options(call.args, {"-t", "-b", "-N", "-f", "-C"})
    if "-f" not in options:
        return Outcome(1, b"", "ssh-keygen: only -f FILE is simulated\n")
    key = options["-f"][-1]
    kind = (options.get("-t") or ["rsa"])[-1]
    if call.files.exists(key):
        return Outcome(1, f"{key} already exists.\nOverwrite (y/n)? ".encode())
    host = call.files.host_path(key)
    if fires(call.machine, "ssh-keygen") or not os.path.isdir(os.path.dirname(host)):
        return Outcome(1, b"", f"Saving key \"{key}\" failed: Permission denied\n")
    blob = hashlib.sha256(f"{key} {call.machine.now().isoformat()}".encode()).hexdigest()
    comment = (options.get("-C") or [f"root@{call.machine.state.get('hostname', 'debian')}"])[-1]
    name = {"rsa": "ssh-rsa", "ed25519": "ssh-ed25519"}.get(kind, f"ecdsa-sha2-{kind}")
    call.write_target(key, (f"-----BEGIN OPENSSH PRIVATE KEY-----\nkdump-sim {kind} {blob}\n"
                            "-----END OPENSSH PRIVATE KEY-----\n").encode(), mode=0o600)
    call.write_target(key + ".pub", f"{name} AAAA{blob} {comment}\n".encode(), mode=0o644)
    return Outcome(0)


@tool("ssh-copy-id")
def ssh_copy_id(call: Call) -> Outcome:
    options, positional = _options(call.args, {"-i", "-o", "-p", "-F", "-t"})
    if len(positional) != 1:
        return Outcome(1, b"", "Usage: ssh-copy-id [-i [identity_file]] [user@]hostname\n")
    key = (options.get("-i") or ["/root/.ssh/id_rsa"])[-1]
    public = _public_key(call, key)
    if public is None:
        return Outcome(1, b"", f"/usr/bin/ssh-copy-id: ERROR: failed to open ID file "
                               f"'{key.removesuffix('.pub')}.pub': No such file or directory\n")
    destination = positional[0]
    refused = _connect(call, destination, None)
    if refused:
        return Outcome(1, b"", refused)
    user, host = _split_destination(destination)
    if fires(call.machine, "ssh-copy-id"):
        return Outcome(1, b"", f"{user}@{host}: Permission denied (publickey,password).\n")
    keys = call.machine.remote_ssh_path(host, remote_home(user) + "/.ssh/authorized_keys")
    keys.parent.mkdir(parents=True, exist_ok=True)
    present = keys.read_text().splitlines() if keys.is_file() else []
    if not any(" ".join(line.split()[:2]) == public for line in present):
        with open(keys, "a") as handle:
            handle.write(public + "\n")
    os.chmod(keys, 0o600)
    return Outcome(0, f"\nNumber of key(s) added: 1\n\nNow try logging into the machine, with:"
                      f"   \"ssh '{destination}'\"\n".encode())

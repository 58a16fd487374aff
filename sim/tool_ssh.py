"""The simulated ssh, scp, ssh-keygen and ssh-copy-id, and the remote shell ssh runs
commands in (a host's whole file system under remote/ssh/<host>/).  Faults:
sim/faults.py."""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path

from sim.machine import remote_home
from sim.tools import Call, Outcome, fires, split_options

SSH_FAILED = 255


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


def ssh(call: Call) -> Outcome:
    options, positional = split_options(call.args, _SSH_VALUE_OPTIONS)
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
        options, paths = split_options(args, {"-m"})
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
        _, paths = split_options(args, set())
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
        _, paths = split_options(args, set())
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
        _, paths = split_options(args, set())
        for remote in paths:
            self.path(remote).unlink(missing_ok=True)
        return Outcome(0)

    def test(self, args: list[str]) -> Outcome:
        if len(args) == 2 and args[0] == "-s":
            target = self.path(args[1])
            return Outcome(0 if target.is_file() and target.stat().st_size > 0 else 1)
        return Outcome(2, b"", "test: only -s FILE is simulated\n")


def scp(call: Call) -> Outcome:
    options, positional = split_options(call.args, _SSH_VALUE_OPTIONS)
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


def ssh_keygen(call: Call) -> Outcome:
    options, _ = split_options(call.args, {"-t", "-b", "-N", "-f", "-C"})
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


def ssh_copy_id(call: Call) -> Outcome:
    options, positional = split_options(call.args, {"-i", "-o", "-p", "-F", "-t"})
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

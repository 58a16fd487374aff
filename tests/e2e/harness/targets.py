"""Dump targets of the systemd guest, and the loopback servers behind the network ones.

A table, TARGETS: name -> Target (config lines for /etc/default/kdump-tools, the server it
needs, where a dump lands, how the host gets it back to check it). `Servers` is a context
manager that starts the servers the named targets need on this machine's loopback, each on a
free port, and stops them (and removes the SSH user) on exit:

    with Servers(workdir, ["ssh", "nfs", "ftp"]) as srv:
        qemu_argv += srv.qemu_net_args()          # a NIC on QEMU's user network + guestfwd
        for name in ("ssh", "nfs", "ftp", "local"):
            t = TARGETS[name]
            lines = t.config(srv)                   # KEY=VALUE lines for the guest's config
            ... crash, capture, reboot ...
            stamp_dir, problems = t.collect(srv, dest) # host-side copy of the one dump dir

The guest reaches every server at GUEST_ADDR ("dumphost" in its /etc/hosts) on the
service's own port (22, 2049, 21): QEMU's guestfwd runs harness/relay.py per connection,
which connects to the server's loopback port. Nothing listens beyond 127.0.0.1.

  ssh   OpenSSH's sshd with its own config and host key; a dedicated user (password for
        `kdump-config propagate`, which installs the key); dumps land in <work>/ssh/crash.
  nfs   nfs-ganesha, VFS backend, NFSv4 only, No_Root_Squash, export <work>/nfs as
        dumphost:/kdump. (This machine's kernel has no nfsd, so no kernel server.)
  ftp   pyftpdlib (harness/ftpd.py) as one user; dumps land flat in <work>/ftp/crash as
        <prefix>-dump.<stamp>, <prefix>-dmesg.<stamp>.
  local the guest's /var/crash (the host reads the disk image after poweroff).

Host packages: openssh-server (sshd), nfs-ganesha + nfs-ganesha-vfs, python3-pyftpdlib
(HOST_PACKAGES); stdlib otherwise (runs on Debian's /usr/bin/python3).
"""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from harness.host import log, run

HERE = Path(__file__).resolve().parent
# Debian's python3: the one python3-pyftpdlib installs for (run-systemd runs on it too).
HOST_PYTHON = "/usr/bin/python3"

GUEST_ADDR = "10.0.2.100"  # QEMU user network: 10.0.2.0/24
GUEST_IP = "10.0.2.15"  # what the user network's DHCP gives the guest
HOSTNAME = "dumphost"
HOSTS_LINE = f"{GUEST_ADDR} {HOSTNAME}"
NFS_PSEUDO = "/kdump"
FTP_DIR = "crash"  # below the FTP user's home
PASSIVE_PORTS = 4  # pyftpdlib's passive ports, each forwarded

HOST_PACKAGES = ["openssh-server", "nfs-ganesha", "nfs-ganesha-vfs", "python3-pyftpdlib"]
SERVER_OF = {"ssh": "ssh", "nfs": "nfs", "ftp": "ftp", "local": None}
# A remote dump directory: <HOSTTAG>-<stamp> (HOSTTAG is the guest's address by default, the
# hostname where savecore found no address).
REMOTE_DIR = re.compile(r"^.+-\d{12}(-\d+)?$")
FTP_FILE = re.compile(r"^(?P<prefix>.+)-(?P<kind>dump|vmcore|dmesg)\.(?P<stamp>\d{12}(-\d+)?)"
                      r"(?P<ext>.*)$")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{what} does not listen on 127.0.0.1:{port} after {timeout} s")


class Servers:
    """The loopback servers for the named targets; see the module docstring."""

    def __init__(self, work: Path, targets: Iterable[str]) -> None:
        self.work = work
        self.wanted = {SERVER_OF[t] for t in targets} - {None}
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.forwards: dict[int, int] = {}  # guest port at GUEST_ADDR -> host loopback port
        self.password = secrets.token_hex(12)
        self.user = ""
        self._user_made = False
        self.ssh_dir = work / "ssh" / "crash"
        self.nfs_dir = work / "nfs"
        self.ftp_home = work / "ftp"
        self.ftp_user = "kdump"

    # -------------------------------------------------------------- lifecycle ----------
    def __enter__(self) -> Servers:
        if self.work.exists():
            shutil.rmtree(self.work)
        self.work.mkdir(parents=True)
        self.work.chmod(0o755)
        try:
            if "ssh" in self.wanted:
                self._start_sshd()
            if "nfs" in self.wanted:
                self._start_ganesha()
            if "ftp" in self.wanted:
                self._start_ftpd()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for name, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    log(f"{name} ignored SIGTERM: killed")
                    proc.kill()
                    proc.wait()
        self.procs.clear()
        if self._user_made:
            run(["userdel", self.user], check=False)
            self._user_made = False

    def _spawn(self, name: str, argv: list[str], port: int) -> None:
        logf = open(self.work / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf,
                                stderr=subprocess.STDOUT, start_new_session=True)
        logf.close()
        self.procs.append((name, proc))
        wait_port(port, proc, name)

    def _start_sshd(self) -> None:
        d = self.work / "ssh"
        home = d / "home"
        home.mkdir(parents=True)
        port = free_port()
        # A dedicated user per run (its name carries the port: two runs never share one).
        self.user = f"kdump-e2e-{port}"
        run(["userdel", self.user], check=False)
        run(["useradd", "--system", "--no-create-home", "--home-dir", str(home),
             "--shell", "/bin/sh", self.user])
        self._user_made = True
        run(["chpasswd"], input=f"{self.user}:{self.password}\n")
        self.ssh_dir.mkdir(parents=True)
        run(["chown", "-R", f"{self.user}:", str(home), str(self.ssh_dir)])
        key = d / "ssh_host_ed25519_key"
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)])
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation
        config = d / "sshd_config"
        config.write_text(
            f"Port {port}\nListenAddress 127.0.0.1\nHostKey {key}\nPidFile {d / 'sshd.pid'}\n"
            "UsePAM no\nPasswordAuthentication yes\nKbdInteractiveAuthentication no\n"
            "PubkeyAuthentication yes\nAuthorizedKeysFile .ssh/authorized_keys\n"
            f"StrictModes no\nPermitRootLogin no\nAllowUsers {self.user}\n"
            "Subsystem sftp internal-sftp\nLogLevel VERBOSE\n"
        )
        self.ssh_host_key = (key.with_suffix(".pub")).read_text().split()[:2]
        self._spawn("sshd", ["/usr/sbin/sshd", "-D", "-e", "-f", str(config)], port)
        self.forwards[22] = port

    def _start_ganesha(self) -> None:
        d = self.work / "ganesha"
        d.mkdir()
        self.nfs_dir.mkdir()
        port = free_port()
        config = d / "ganesha.conf"
        config.write_text(
            "NFS_CORE_PARAM {\n"
            f"  Protocols = 4; NFS_Port = {port}; Bind_addr = 127.0.0.1;\n"
            "  Enable_NLM = false; Enable_RQUOTA = false;\n}\n"
            "NFSv4 { Graceless = true; RecoveryBackend = fs;\n"
            f"  RecoveryRoot = {d / 'recovery'}; }}\n"
            "NFS_KRB5 { Active_krb5 = false; }\n"
            "EXPORT {\n"
            f"  Export_Id = 1; Path = {self.nfs_dir}; Pseudo = {NFS_PSEUDO};\n"
            "  Protocols = 4; Transports = TCP; Access_Type = RW;\n"
            "  Squash = No_Root_Squash; SecType = sys;\n"
            "  FSAL { Name = VFS; }\n}\n"
        )
        self._spawn("ganesha", ["ganesha.nfsd", "-F", "-f", str(config), "-L",
                                str(d / "ganesha.log"), "-p", str(d / "ganesha.pid"),
                                "-N", "NIV_EVENT"], port)
        self.forwards[2049] = port

    def _start_ftpd(self) -> None:
        (self.ftp_home / FTP_DIR).mkdir(parents=True)
        port = free_port()
        passive = sorted({free_port() for _ in range(PASSIVE_PORTS)})
        self._spawn("ftpd", [HOST_PYTHON, str(HERE / "ftpd.py"), str(port), str(self.ftp_home),
                             self.ftp_user, self.password, ",".join(map(str, passive))], port)
        self.forwards[21] = port
        for p in passive:
            self.forwards[p] = p

    def landing(self, target: str) -> Path:
        """The host directory a network target's dumps land in."""
        return {"ssh": self.ssh_dir, "nfs": self.nfs_dir, "ftp": self.ftp_home / FTP_DIR}[target]

    def authorized_keys(self) -> str:
        path = self.work / "ssh" / "home" / ".ssh" / "authorized_keys"
        return path.read_text() if path.exists() else ""

    # -------------------------------------------------------------- what the guest gets --
    def qemu_net_args(self) -> list[str]:
        """A virtio NIC on QEMU's user network (DHCP 10.0.2.15), each server forwarded."""
        fwd = "".join(
            f",guestfwd=tcp:{GUEST_ADDR}:{gport}-cmd:{HOST_PYTHON} {HERE / 'relay.py'} {hport}"
            for gport, hport in sorted(self.forwards.items())
        )
        return ["-netdev", f"user,id=net0{fwd}",
                "-device", "virtio-net-pci,netdev=net0,addr=0x10"]

    def askpass(self) -> str:
        """An SSH_ASKPASS program for `kdump-config propagate` in the guest: what the
        administrator types (yes to the server's key, then the user's password)."""
        return ("#!/bin/sh\n"
                'case "$1" in *yes/no*) echo yes ;; *) echo ' f"'{self.password}' ;; esac\n")


def _config_ssh(srv: Servers) -> list[str]:
    return [f'SSH="{srv.user}@{HOSTNAME}"', f'KDUMP_COREDIR="{srv.ssh_dir}"']


def _config_nfs(srv: Servers) -> list[str]:
    return [f'NFS="{HOSTNAME}:{NFS_PSEUDO}"']


def _config_ftp(srv: Servers) -> list[str]:
    return [f'FTP="{HOSTNAME}:/{FTP_DIR}"', f'FTP_USER="{srv.ftp_user}"',
            f'FTP_PASSWORD="{srv.password}"']


def _config_local(srv: Servers) -> list[str]:
    return []


def _one_dir(base: Path, pattern: re.Pattern[str], what: str) -> tuple[Path | None, list[str]]:
    names = sorted(p.name for p in base.iterdir()) if base.is_dir() else []
    dirs = [n for n in names if pattern.match(n) and (base / n).is_dir()]
    if len(dirs) != 1:
        return None, [f"expected one dump directory in {what} ({base}), found {names}"]
    return base / dirs[0], []


def _collect_dir(base: Callable[[Servers], Path], what: str) -> Callable[[Servers, Path],
                                                                        tuple[Path | None,
                                                                              list[str]]]:
    def collect(srv: Servers, dest: Path) -> tuple[Path | None, list[str]]:
        return _one_dir(base(srv), REMOTE_DIR, what)
    return collect


def _collect_ftp(srv: Servers, dest: Path) -> tuple[Path | None, list[str]]:
    """FTP dumps share one flat directory: the files of the one stamp go into
    dest/<prefix>-<stamp>/ (as the other remote targets name it) under the names
    check_dump_dir expects (dump.<stamp>, dmesg.<stamp>)."""
    base = srv.ftp_home / FTP_DIR
    names = sorted(p.name for p in base.iterdir())
    matched = [(n, m) for n in names if (m := FTP_FILE.match(n))]
    stamps = sorted({(m["prefix"], m["stamp"]) for _, m in matched})
    problems = [f"left on the FTP server: {n}" for n in names if "incomplete" in n]
    if len(stamps) != 1:
        return None, [*problems, f"expected the files of one dump on the FTP server ({base}), "
                                 f"found {names}"]
    out = dest / "-".join(stamps[0])
    out.mkdir(parents=True)
    for name, m in matched:
        shutil.copy2(base / name, out / f"{m['kind']}.{m['stamp']}{m['ext']}")
    return out, problems


@dataclasses.dataclass(frozen=True)
class Target:
    name: str
    server: str | None  # the Servers part it needs
    config: Callable[[Servers], list[str]]  # lines for /etc/default/kdump-tools
    where: str  # where a dump lands, for messages
    # The host's copy of the one dump directory of this target, and problems; None for local
    # (the guest's disk: the harness reads /var/crash itself).
    collect: Callable[[Servers, Path], tuple[Path | None, list[str]]] | None
    modes: bool  # whether file modes are the guest's (0600) or the server's own choice


TARGETS: dict[str, Target] = {
    "ssh": Target("ssh", "ssh", _config_ssh, f"sshd at {HOSTNAME}:22, <work>/ssh/crash",
                  _collect_dir(lambda s: s.ssh_dir, "the SSH server's KDUMP_COREDIR"), True),
    "nfs": Target("nfs", "nfs", _config_nfs, f"nfs-ganesha {HOSTNAME}:{NFS_PSEUDO}",
                  _collect_dir(lambda s: s.nfs_dir, "the NFS export"), True),
    # pyftpdlib creates files with its own umask: the mode is the server's, not savecore's.
    "ftp": Target("ftp", "ftp", _config_ftp, f"pyftpdlib {HOSTNAME}:21 /{FTP_DIR}",
                  _collect_ftp, False),
    "local": Target("local", None, _config_local, "the guest's /var/crash", None, True),
}
ORDER = ("ssh", "nfs", "ftp", "local")

# Every target's block starts with these. lzo instead of the package's zlib default (-c):
# the same code path, and under TCG zlib took 93 s (NFS) to 144 s (SSH, plus the cipher)
# of a capture; run-qemu's guests do the same.
COMMON = ('MAKEDUMP_ARGS="-l -d 31"',)

# Each target's lines go in one marked block at the end of the file (later assignments win);
# the next target's block replaces it, so "local" is the package's own defaults.
BLOCK_START = "# --- tests/e2e: dump target"
BLOCK_END = "# --- tests/e2e: end"


def with_target(config_text: str, lines: list[str], name: str) -> str:
    """/etc/default/kdump-tools with the previous target's block replaced by this one's."""
    text = re.sub(rf"(?ms)^{re.escape(BLOCK_START)}.*?^{re.escape(BLOCK_END)}\n", "",
                  config_text)
    if not text.endswith("\n"):
        text += "\n"
    body = "".join(f"{line}\n" for line in lines)
    return text + f"{BLOCK_START} {name}\n{body}{BLOCK_END}\n"


def incomplete_left(base: Path) -> list[str]:
    return sorted(str(p.relative_to(base)) for p in base.rglob("*") if "incomplete" in p.name)


def env_for_propagate(askpass_path: str) -> list[str]:
    """`env` words that make ssh-copy-id ask SSH_ASKPASS (no terminal in the guest)."""
    return ["env", f"SSH_ASKPASS={askpass_path}", "SSH_ASKPASS_REQUIRE=force", "DISPLAY=:0"]


def _selftest() -> None:  # pragma: no cover - by hand: python3 -m harness.targets WORKDIR
    with Servers(Path(sys.argv[1]), ORDER) as srv:
        print(srv.qemu_net_args(), srv.user, os.getpid())
        time.sleep(float(sys.argv[2]) if len(sys.argv) > 2 else 5)


if __name__ == "__main__":
    _selftest()

"""The argv lists of the programs savecore and propagate run, and the remote shell commands.

makedumpfile, mount (NFS), ssh and scp, ssh-keygen and ssh-copy-id: every list is
data, never a shell string; what the remote shell runs has every word quoted.
Pure: nothing here touches the machine.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Sequence

SSH_CONNECT_TIMEOUT = 30
# BatchMode: in the capture kernel nobody can answer a password or host-key prompt,
# so ssh must fail (exit 255) instead of waiting forever.
SSH_OPTIONS = ("-o", "BatchMode=yes", "-o", f"ConnectTimeout={SSH_CONNECT_TIMEOUT}")
SSH_FAILED = 255  # ssh's own failure (connection, authentication), not the remote command's


# -- NFS -------------------------------------------------------------------------------------
def nfs_mount_argv(mount: str, nfs: str, mountpoint: str, timeo: int, retrans: int) -> list[str]:
    options = ["nolock", "tcp", "soft", f"timeo={timeo}", f"retrans={retrans}"]
    argv = [mount, "-t", "nfs"]
    for option in options:
        argv += ["-o", option]
    return [*argv, nfs, mountpoint]


# -- makedumpfile ----------------------------------------------------------------------------
def dump_stages(makedumpfile: str, args: Sequence[str], vmcore: str,
                compressor: Sequence[str] | None) -> list[list[str]]:
    stages = [[makedumpfile, *args, vmcore]]
    if compressor:
        stages.append(list(compressor))
    return stages


def dmesg_argv(makedumpfile: str, vmcore: str, out: str) -> list[str]:
    return [makedumpfile, "--dump-dmesg", vmcore, out]


# -- SSH -------------------------------------------------------------------------------------
def ssh_server(destination: str) -> str:
    return destination.rpartition("@")[2]


def remote_command(*commands: Sequence[str]) -> str:
    """Commands for the remote shell, every word quoted, joined with ``&&``."""
    return " && ".join(" ".join(shlex.quote(word) for word in words) for words in commands)


def ssh_argv(ssh: str, key: str, destination: str, command: str) -> list[str]:
    return [ssh, "-i", key, *SSH_OPTIONS, destination, command]


def scp_argv(scp: str, key: str, source: str, destination: str, remote_path: str) -> list[str]:
    # No quoting of the remote path: scp speaks SFTP (OpenSSH >= 9), which takes the
    # name literally; the parts we generate are plain [0-9A-Za-z.-] anyway.
    return [scp, "-i", key, *SSH_OPTIONS, source, f"{destination}:{remote_path}"]


def remote_listing(base: str) -> str:
    """Create the remote base directory and list it (to pick a unique dump name)."""
    return remote_command(["mkdir", "-p", "--", base], ["ls", "-1A", "--", base])


def remote_mkdir(directory: str) -> str:
    # Without -p: fails if it exists, so two runs can never share a directory.
    return remote_command(["mkdir", "-m", "700", "--", directory])


def remote_write(path: str) -> str:
    """Store stdin as ``path``, readable by its owner only, flushed before dd exits."""
    return remote_command(["umask", "077"], ["dd", f"of={path}", "conv=fsync", "status=none"])


def remote_finish(partial: str, final: str) -> str:
    """Non-empty check, rename, and flush of the file and its directory (each one checked)."""
    directory = posixpath.dirname(final)
    return remote_command(["test", "-s", partial], ["mv", "--", partial, final],
                          ["sync", "--", final, directory])


def remote_remove(path: str) -> str:
    return remote_command(["rm", "-f", "--", path])


# -- propagate -------------------------------------------------------------------------------
def key_type(key_path: str) -> str:
    """RSA, as the original, for the default ``kdump_id_rsa``; a key named for ed25519 or
    ECDSA gets that type, so the file name never lies about its content."""
    name = posixpath.basename(key_path)
    for kind in ("ed25519", "ecdsa"):
        if kind in name:
            return kind
    return "rsa"


def keygen_argv(ssh_keygen: str, key_path: str) -> list[str]:
    return [ssh_keygen, "-q", "-t", key_type(key_path), "-N", "", "-f", key_path]


def copy_id_argv(ssh_copy_id: str, key_path: str, destination: str) -> list[str]:
    # No BatchMode here: installing the key is the one time ssh may ask for a password,
    # on the administrator's terminal (ssh reads it from /dev/tty, never from our stdin).
    return [ssh_copy_id, "-i", key_path, "-o", f"ConnectTimeout={SSH_CONNECT_TIMEOUT}",
            destination]

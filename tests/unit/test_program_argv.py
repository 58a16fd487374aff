"""The argv lists savecore and propagate hand to their programs (kdump.program_argv)."""

from __future__ import annotations

import shlex

import pytest

from kdump import program_argv


def test_nfs_mount_argv() -> None:
    assert program_argv.nfs_mount_argv("/usr/bin/mount", "srv:/x", "/var/crash", 600, 3) == [
        "/usr/bin/mount", "-t", "nfs", "-o", "nolock", "-o", "tcp", "-o", "soft",
        "-o", "timeo=600", "-o", "retrans=3", "srv:/x", "/var/crash"]


def test_dump_stages() -> None:
    assert program_argv.dump_stages("mdf", ["-F", "-c"], "/proc/vmcore", None) == [
        ["mdf", "-F", "-c", "/proc/vmcore"]]
    assert program_argv.dump_stages("mdf", ["-F"], "/proc/vmcore", ["gz", "-c"]) == [
        ["mdf", "-F", "/proc/vmcore"], ["gz", "-c"]]
    assert program_argv.dmesg_argv("mdf", "/proc/vmcore", "/d") == ["mdf", "--dump-dmesg",
                                                              "/proc/vmcore", "/d"]


def test_ssh_argv_never_prompts() -> None:
    argv = program_argv.ssh_argv("ssh", "/k", "root@h", "true")
    assert argv == ["ssh", "-i", "/k", "-o", "BatchMode=yes", "-o", "ConnectTimeout=30",
                    "root@h", "true"]
    assert program_argv.scp_argv("scp", "/k", "/proc/vmcore", "root@h", "/d/v")[-2:] == [
        "/proc/vmcore", "root@h:/d/v"]
    assert program_argv.ssh_server("root@h") == "h"
    assert program_argv.ssh_server("h") == "h"


@pytest.mark.parametrize("hostile", ["/var/crash dumps", "/x; rm -rf ~", "/a'b", "/$(reboot)"])
def test_remote_commands_quote_every_path(hostile: str) -> None:
    command = program_argv.remote_finish(f"{hostile}/p", f"{hostile}/f")
    words = shlex.split(command)
    assert words == ["test", "-s", f"{hostile}/p", "&&", "mv", "--", f"{hostile}/p",
                     f"{hostile}/f", "&&", "sync", "--", f"{hostile}/f", hostile]
    assert shlex.split(program_argv.remote_listing(hostile)) == [
        "mkdir", "-p", "--", hostile, "&&", "ls", "-1A", "--", hostile]
    assert shlex.split(program_argv.remote_mkdir(hostile)) == ["mkdir", "-m", "700", "--", hostile]
    assert shlex.split(program_argv.remote_write(hostile)) == [
        "umask", "077", "&&", "dd", f"of={hostile}", "conv=fsync", "status=none"]
    assert shlex.split(program_argv.remote_remove(hostile)) == ["rm", "-f", "--", hostile]


@pytest.mark.parametrize(("key", "kind"), [
    ("/root/.ssh/kdump_id_rsa", "rsa"),
    ("/root/.ssh/kdump_id_ed25519", "ed25519"),
    ("/root/.ssh/id_ecdsa", "ecdsa"),
    ("/etc/kdump/key", "rsa"),
])
def test_key_type_follows_the_key_name(key: str, kind: str) -> None:
    assert program_argv.key_type(key) == kind
    assert program_argv.keygen_argv("ssh-keygen", key) == ["ssh-keygen", "-q", "-t", kind, "-N", "",
                                                    "-f", key]


def test_copy_id_argv_uses_the_server_as_given() -> None:
    assert program_argv.copy_id_argv("ssh-copy-id", "/k", "dumphost") == [
        "ssh-copy-id", "-i", "/k", "-o", "ConnectTimeout=30", "dumphost"]


# -- names that come from outside: the hostname, the FTP server's listing ---------------------

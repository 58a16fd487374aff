"""The capture side's programs: makedumpfile, compressors, mount, ssh and friends.

They live one module per job (sim/tool_makedumpfile.py, tool_compress.py, tool_nfs.py,
tool_ssh.py); this module holds what they share (faults that fire for the first N calls,
getopt-style options) and imports them, so that they register with sim.tools.

Each one reads and writes real files, so a saved dump can be inspected in the
state directory: the machine's own files under ``root/``, the servers' under
``remote/nfs/<server>/<export>``, ``remote/ssh/<host>/`` (that host's whole
file system) and ``remote/ftp/<host>/``.  Which servers exist comes from the
profile's ``[network]`` table (``nfs_exports``, ``ssh_hosts``, ``ftp_hosts``).

An NFS mount *moves* the export directory over the mount point (and umount
moves it back), so the simulated backend, the real backend on a sandbox root
and these programs all see the same tree without any path translation.

Faults (``kdump-sim fault DIR NAME [VALUE]``, or the step
``the fault "NAME" is armed [with "VALUE"]``):

=====================  ================================================================
fault                  effect
=====================  ================================================================
nfs-mount [N]          mount fails ("Connection timed out"); with N, only the first N
                       attempts fail
nfs-readonly           the export is mounted, but writing to it fails (EROFS)
nfs-umount             umount fails ("device is busy"); the export stays mounted
ssh-unreachable [N]    ssh, scp and ssh-copy-id cannot connect (exit 255); with N, only
                       the first N connections fail
ssh-mkdir              the remote mkdir fails (Permission denied)
ssh-dd                 the remote ``dd`` writes half its input, then fails
ssh-mv                 the remote ``mv`` fails
scp                    scp loses the connection (exit 1), nothing usable is stored
makedumpfile           makedumpfile exits 1 without output
makedumpfile-short [N] makedumpfile writes only its first N bytes (default 4096), exits 1
makedumpfile-empty     makedumpfile exits 0 without writing anything
dmesg                  ``makedumpfile --dump-dmesg`` exits 1
dmesg-empty            ``makedumpfile --dump-dmesg`` exits 0 and writes an empty file
compressor [NAME]      the compressor (or only NAME: gzip, bzip2, xz, lz4) exits 1
disk-full-after N      the machine's disk takes N bytes per new file, then ENOSPC
                       (copies and pipelines into a file; see backends/sim.py)
readonly PATH          writes under PATH fail with EROFS (see backends/sim.py)
vmcore-short-copy N    the plain copy of /proc/vmcore (the cp fallback) ends after N
                       bytes without an error (see backends/sim.py)
ftp-unreachable        the FTP server cannot be reached (see backends/sim.py)
ftp-login              the FTP server refuses the login (530)
hang NAME|[NAMES]      the program(s) never finish: only savecore's deadline ends them
                       (in virtual time; the sandbox's stubs really sleep)
vmcore-hang            reading /proc/vmcore blocks for good (the cp fallback, a raw FTP
                       upload); in the sandbox /proc/vmcore becomes a FIFO nobody writes
lock-held PID          process PID holds kdump-config's lock (see backends/sim.py)
ssh-keygen             ssh-keygen fails to save the key
ssh-copy-id            ssh-copy-id is refused by the server
=====================  ================================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.machine import Machine


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


# The programs, one module per job; each registers itself with sim.tools on import.
from sim import tool_compress, tool_makedumpfile, tool_nfs, tool_ssh  # noqa: E402, F401

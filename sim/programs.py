"""The programs of the simulated machine: the one table of what runs for each name.

A program kdump-config starts (by the name at the end of argv[0]) runs the emulator its
row names, if the machine's profile installs it (``[machine] tools``; ``cat`` always).
The kernel's side lives in sim/tools.py (kexec, sysctl, ip, cat, and what every tool is
handed and answers); the capture side, one module per job: makedumpfile
(sim/tool_makedumpfile.py), the compressors (tool_compress.py), NFS mounts
(tool_nfs.py), ssh and friends (tool_ssh.py).  This module loads them all: it is loaded
on the first program run, since `status` never runs one.

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

import os
from dataclasses import replace

from sim import tool_compress, tool_makedumpfile, tool_nfs, tool_ssh, tools
from sim.tools import Call, Outcome

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from sim.machine import SimulatedMachine
    from sim.tools import Files, Tool

PROGRAMS: dict[str, Tool] = {
    "kexec": tools.kexec,
    "sysctl": tools.sysctl,
    "ip": tools.ip,
    "cat": tools.cat,
    "makedumpfile": tool_makedumpfile.makedumpfile,
    "gzip": tool_compress.gzip,
    "bzip2": tool_compress.bzip2,
    "xz": tool_compress.xz,
    "lz4": tool_compress.lz4,
    "mount": tool_nfs.mount,
    "umount": tool_nfs.umount,
    "ssh": tool_ssh.ssh,
    "scp": tool_ssh.scp,
    "ssh-keygen": tool_ssh.ssh_keygen,
    "ssh-copy-id": tool_ssh.ssh_copy_id,
}


def emulate(machine: SimulatedMachine, files: Files, argv: list[str], stdin: bytes = b"",
            live: Callable[[str], None] | None = None) -> Outcome:
    """Run ``argv`` on the machine: its program's answer, or 127 when it has none."""
    name = os.path.basename(argv[0])
    installed = name in machine.state.get("tools", []) or name == "cat"
    if not installed or name not in PROGRAMS:
        return Outcome(127, b"", f"{argv[0]}: command not found\n")
    call = Call(machine, files, list(argv), stdin, live)
    outcome = PROGRAMS[name](call)
    if not call.said:
        return outcome
    said = "".join(call.said)
    return replace(outcome, stderr=said + outcome.stderr,
                   shown=len(said) if live is not None else 0)

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

Their faults (``makedumpfile``, ``nfs-mount``, ``ssh-unreachable``...) are listed, with the
values they take, in the one registry: sim/faults.py (``kdump-sim faults``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.machine import SimulatedMachine


def fires(machine: SimulatedMachine, name: str) -> bool:
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

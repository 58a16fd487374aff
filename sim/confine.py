"""What keeps the simulator inside its state directory.

Every path it writes comes from a profile, a scenario step, a command line or a
state.json somebody may have edited by hand; the checks here refuse what could reach
the host's own files (a ``..`` component, a server name that is a path, a link that
climbs above the machine's root), and every file the simulator reads as input is read
as the product reads a config file: a regular file only, opened without blocking, and
no more than a size cap.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat

# The kernel's limit of links followed in one path lookup.
MAX_SYMLINKS = 40


def target_problem(path: str) -> str | None:
    """Why ``path`` cannot name a file of the machine (None: it can).

    A target path is absolute and never climbs: ``..`` inside a machine is how a
    profile or a step would reach the host, so it is refused rather than interpreted.
    """
    if not path.startswith("/"):
        return "not an absolute path"
    if "\0" in path:
        return "NUL byte in the path"
    if ".." in path.split("/"):
        return "a '..' component would leave the machine"
    return None


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be one directory of the state (a server's name), or None."""
    if name in ("", ".", ".."):
        return "not a name"
    if "/" in name or "\0" in name:
        return "a name, not a path, is needed"
    return None


def link_problem(link: str, target: str) -> str | None:
    """Why a link at target path ``link`` cannot point at ``target``, or None.

    An absolute target is the machine's own path (the simulator resolves it inside the
    root, as the product's rooted file layer does); a relative one must not climb above
    the root from where the link is, or a host program following it would leave.
    """
    if not target or "\0" in target:
        return "an empty target or a NUL byte in it"
    if target.startswith("/"):
        return None
    depth = len([p for p in posixpath.dirname(posixpath.normpath(link)).split("/") if p])
    for part in target.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return "the relative target climbs above the machine's root"
        elif part not in ("", "."):
            depth += 1
    return None


def read_bounded(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of input file ``path``: OSError unless it is a regular file of at most
    ``limit`` bytes (a FIFO never blocks the open, /dev/zero is refused, not read)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        # Buffered, the read returns short only at the end of the file.
        with open(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit} bytes", str(path))
    return data


def inside(root: str, target: str, follow_last: bool = True) -> str:
    """Where target path ``target`` lives below ``root``, every link on the way (the last
    one too when ``follow_last``) followed inside the machine: an absolute link target is
    re-rooted and ``..`` stops at the root, as on the machine itself; OSError(ELOOP)
    past the kernel's limit of links.

    The simulator's own mapping: the product's file layer maps a target path the same
    way (tests/scenarios/test_sim_confinement.py holds the two to the same answers).
    """
    pending = [part for part in target.split("/") if part]
    resolved: list[str] = []
    hops = 0
    while pending:
        part = pending.pop(0)
        if part == ".":
            continue
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        host = os.path.join(root, *resolved, part)
        if (follow_last or pending) and os.path.islink(host):
            hops += 1
            if hops > MAX_SYMLINKS:
                raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), target)
            link = os.readlink(host)
            if link.startswith("/"):
                resolved = []
            pending = [p for p in link.split("/") if p] + pending
            continue
        resolved.append(part)
    return os.path.join(root, *resolved)

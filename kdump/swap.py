"""Replacing what is loaded for a crash without leaving less than there was: the decisions.

``kexec -p`` loads a new capture kernel over a loaded one: no unload first.  In the kernel,
a load that cannot take kexec's mutex fails with EBUSY before it touches anything (the old
image stays loaded: worth another try); every later failure comes after the kernel has
freed the old image (it reuses the same reserved memory).  So a load that fails leaves
either the previous capture kernel (kept) or nothing, and only then is the previous one
loaded again (restore).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

# strerror(EBUSY), as kexec prints it ("kexec_load failed: Device or resource busy").
BUSY = "Device or resource busy"
ATTEMPTS = 3  # in all, for a load that found kexec busy
RETRY_PAUSE = 1  # seconds between two of them

KEPT = "kept"  # the previous capture kernel is still loaded
RESTORE = "restore"  # nothing is loaded, and the previous command can load it again
LOST = "lost"  # nothing is loaded, and nothing can be restored


def transient(stderr: str) -> bool:
    """Did the load fail only because another kexec held the kernel's mutex?"""
    return BUSY in stderr


def retry(attempt: int, ok: bool, timed_out: bool, stderr: str) -> bool:
    """After load attempt ``attempt`` (1-based): try again?"""
    return not ok and not timed_out and transient(stderr) and attempt < ATTEMPTS


def after_failed_replace(still_loaded: bool, previous: Sequence[str] | None) -> str:
    """What a failed replacement left, and what to do about it."""
    if still_loaded:
        return KEPT
    return RESTORE if previous else LOST


def previous_argv(record: str | None, kexec: str | None) -> list[str] | None:
    """The command that loaded the kernel now replaced, from its record (kexec_cmd), when
    it is one that loads a capture kernel with this machine's kexec; else None.

    The record is root's own file (the file layer refuses to write over anyone else's);
    its shape is checked all the same, as it is run again.
    """
    if not record or kexec is None:
        return None
    import shlex  # a failed reload only: never on the start-up of a command

    try:
        argv = shlex.split(record.strip())
    except ValueError:
        return None
    loads = [arg for arg in argv[1:] if not arg.startswith("--")]
    if not argv or argv[0] != kexec or "-p" not in loads or \
            {"-u", "-e", "-l"} & set(loads) or "--unload" in argv:
        return None
    return argv

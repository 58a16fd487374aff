"""The advisory lock of the file layer: an flock on a file made through the safe walk."""

from __future__ import annotations

import fcntl
import os
import stat
from contextlib import contextmanager, suppress

from backends.rooted_queries import host_error
from backends.values import LockBusyError, UnsafePathError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from contextlib import AbstractContextManager

    from backends.rooted_walk import SafeWalk

PROC_LOCKS = "/proc/locks"


class FileLock:
    """Locks taken through the safe walk."""

    def __init__(self, walk: SafeWalk) -> None:
        self.walk = walk

    def lock(self, path: str) -> AbstractContextManager[None]:
        """Take the lock now or raise: LockBusyError names who holds it."""
        return self._lock(path)

    @contextmanager
    def _lock(self, path: str) -> Iterator[None]:
        target = path
        try:
            with self.walk.parent("lock", path, create=True) as (dir_fd, name, target):
                st = self.walk.existing("lock", dir_fd, name, target)
                if st is not None and stat.S_ISLNK(st.st_mode):
                    raise UnsafePathError("lock", target, "it is a symbolic link")
                fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK
                             | os.O_CLOEXEC, 0o600, dir_fd=dir_fd)
        except OSError as exc:
            raise host_error("lock", path, exc) from exc
        try:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode):
                raise UnsafePathError("lock", target, "it is not a regular file")
            self.walk.check_entry("lock", target, opened)
            if opened.st_nlink != 1:
                raise UnsafePathError("lock", target, "it has other names (hard links)")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise LockBusyError(path, _lock_holder(fd)) from exc
            except OSError as exc:
                raise host_error("lock", path, exc) from exc
            # Who holds it, for a root that finds it busy and cannot read /proc/locks.
            with suppress(OSError):
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            yield
        finally:
            os.close(fd)


def _lock_holder(fd: int) -> str:
    """``pid N`` of the process holding the flock on ``fd``'s file, from the kernel's list.

    /proc/locks is the running kernel's (the lock is a real one even on a root tree);
    failing that, the pid the holder wrote into the file.
    """
    st = os.fstat(fd)
    key = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    with suppress(OSError), open(PROC_LOCKS) as handle:
        for line in handle:
            words = line.split()
            if len(words) > 5 and words[1] == "FLOCK" and words[5] == key:
                return f"pid {words[4]}"
    with suppress(OSError, ValueError):
        return f"pid {int(os.pread(fd, 32, 0).decode().strip())}"
    return "another process"


"""Reads of kdump-config's own files, under the same rules as the writes.

What kdump-config wrote in a directory other users can write to (KDUMP_COREDIR,
/var/crash on Ubuntu, 1777) is read back only if it is still its own: reached
through the safe walk, without following a link at its name, a regular file that
root (or the running user) owns and that has no other name, opened without
blocking (a FIFO planted there must not hang ``status``), and read up to a cap.
A directory is streamed, never listed whole: a directory holding a million names
costs time in proportion, not memory.
"""

from __future__ import annotations

import errno as errno_mod
import os
import stat

from backends.rooted_queries import host_error
from backends.values import DirEntry, UnsafePathError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from backends.rooted_walk import SafeWalk

_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file"
    return "link" if stat.S_ISLNK(mode) else "other"


class OwnReads:
    """Reads of files and directories through the safe walk."""

    def __init__(self, walk: SafeWalk) -> None:
        self.walk = walk

    def read_own(self, path: str, limit: int) -> bytes | None:
        """At most ``limit`` bytes of a file kdump-config wrote; None when it is absent.

        UnsafePathError when it is a link, not a regular file, another user's, or has
        other names (a hard link to a file of root's another user made); HostError when
        a directory on the way cannot be opened.
        """
        try:
            with self.walk.parent("read", path) as (dir_fd, name, target):
                fd = self._open_own(dir_fd, name, target)
                if fd is None:
                    return None
                with os.fdopen(fd, "rb") as handle:
                    return handle.read(limit)  # buffered: short only at the end
        except FileNotFoundError:  # a directory on the way is missing
            return None
        except OSError as exc:
            raise host_error("read", path, exc) from exc

    def _open_own(self, dir_fd: int, name: str, target: str) -> int | None:
        try:
            fd = os.open(name, _READ_FLAGS, dir_fd=dir_fd)
        except FileNotFoundError:
            return None
        except OSError as exc:
            st = self.walk.lstat_at(dir_fd, name)
            if st is None:
                return None
            if stat.S_ISLNK(st.st_mode):  # ELOOP: O_NOFOLLOW met a link
                raise UnsafePathError("read", target, self._whose(target, st,
                                                                  "a symbolic link")) from exc
            if not stat.S_ISREG(st.st_mode):  # a socket (ENXIO)
                raise UnsafePathError("read", target, "it is not a regular file") from exc
            raise
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise UnsafePathError("read", target, "it is not a regular file")
            self.walk.check_entry("read", target, st)
            if st.st_nlink != 1:
                raise UnsafePathError("read", target, "it has other names (hard links)")
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _whose(self, target: str, st: os.stat_result, what: str) -> str:
        owner = self.walk.owner(target, st)
        if owner in self.walk.trusted_uids():
            return f"it is {what}"
        return f"it is {what} owned by another user (uid {owner})"

    def scan_dir(self, path: str) -> Iterator[DirEntry]:
        """The names in directory ``path``, one at a time, with what each is and whether
        it is ours (links are never followed); nothing when it is absent.

        The directory is reached by the safe walk (HostError when that refuses it).
        """
        try:
            fd, where = self.walk.open_dir("list", path)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise host_error("list", path, exc) from exc
        try:
            with os.scandir(fd) as entries:
                for entry in entries:
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except FileNotFoundError:  # gone since it was read
                        continue
                    target = f"{where.rstrip('/')}/{entry.name}"
                    yield DirEntry(entry.name, _kind(st.st_mode),
                                   self.walk.owner(target, st) in self.walk.trusted_uids())
        except OSError as exc:
            if exc.errno == errno_mod.ENOENT:
                return
            raise host_error("list", path, exc) from exc
        finally:
            os.close(fd)

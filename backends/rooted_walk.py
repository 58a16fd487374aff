"""The safe walk every change to a target tree goes through.

Every write goes through a directory opened from the root one component at a time,
without following a link the kernel would not trust (O_NOFOLLOW), each directory
checked on the way; the name itself is then created, replaced or removed relative to
that directory's descriptor.  So a link or file another user planted in a directory
they can write to (/var/crash, /run/lock, /tmp, an NFS export) is refused, never
followed and never reused.
"""

from __future__ import annotations

import errno as errno_mod
import os
import posixpath
import stat
from contextlib import contextmanager, suppress

from backends.rooted_queries import MAX_SYMLINKS, RootedQueries
from backends.values import HostError, UnsafePathError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# A rename over a directory fails with one of these.
_DIR_IN_THE_WAY = {errno_mod.EISDIR, errno_mod.ENOTEMPTY, errno_mod.EEXIST}
SET_ASIDE_ATTEMPTS = 5
NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class SafeWalk:
    """Directories opened beneath the root of ``paths``, and the checks on what the walk
    meets: the part of the file layer its changes, its own reads and its lock go through."""

    def __init__(self, paths: RootedQueries, *,
                 owner: Callable[[str], int | None] | None = None) -> None:
        """``owner``: who owns a target path, when the machine keeps its own records
        (None: the file system says)."""
        self.paths = paths
        self.root = paths.root
        self._recorded_owner = owner

    def owner(self, target: str, st: os.stat_result) -> int:
        """Who owns ``target`` (the simulated machine records planted files' owners)."""
        recorded = None if self._recorded_owner is None else self._recorded_owner(target)
        return st.st_uid if recorded is None else recorded

    @staticmethod
    def trusted_uids() -> set[int]:
        return {0, os.getuid(), os.geteuid()}

    def _untrusted(self, operation: str, target: str, st: os.stat_result,
                   what: str) -> UnsafePathError | None:
        owner = self.owner(target, st)
        trusted = self.trusted_uids()
        if owner in trusted:
            return None
        return UnsafePathError(operation, target, f"{what} owned by another user (uid {owner})")

    def check_entry(self, operation: str, target: str, st: os.stat_result) -> None:
        """An existing name kdump-config is about to replace or remove must be its own."""
        kind = "a symbolic link" if stat.S_ISLNK(st.st_mode) else \
            "a directory" if stat.S_ISDIR(st.st_mode) else "a file"
        refused = self._untrusted(operation, target, st, f"it is {kind}")
        if refused is not None:
            raise refused

    def _check_dir(self, operation: str, target: str, st: os.stat_result) -> None:
        """A directory to create or replace names in: only root (or we) may change it."""
        refused = self._untrusted(operation, target, st, "the directory is")
        if refused is not None:
            raise refused
        mode = st.st_mode
        if mode & stat.S_IWOTH and not mode & stat.S_ISVTX:
            raise UnsafePathError(operation, target, "the directory is writable by every user "
                                                     "and has no sticky bit")
        if mode & stat.S_IWGRP and not mode & stat.S_ISVTX and \
                st.st_gid not in {0, os.getgid(), os.getegid()}:
            raise UnsafePathError(operation, target, f"the directory is writable by group "
                                                     f"{st.st_gid} and has no sticky bit")

    def open_dir(self, operation: str, path: str, create: int | None = None,
                  leaf_mode: int | None = None) -> tuple[int, str]:
        """Open directory ``path`` safely; (descriptor, canonical target path).

        Links on the way are followed (inside the root) only when root or we own them.
        ``create``: make missing directories with that mode (``leaf_mode`` for the last).
        """
        if not path.startswith("/"):
            raise HostError(operation, path, "not an absolute target path")
        pending = [part for part in path.split("/") if part]
        stack = [(os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC), "/")]
        hops = 0
        try:
            while pending:
                part = pending.pop(0)
                if part == ".":
                    continue
                if part == "..":
                    if len(stack) > 1:
                        os.close(stack.pop()[0])
                    continue
                fd, where = stack[-1]
                target = posixpath.join(where, part)
                try:
                    st = os.lstat(part, dir_fd=fd)
                except FileNotFoundError:
                    if create is None:
                        raise
                    mode = leaf_mode if leaf_mode is not None and not pending else create
                    with suppress(FileExistsError):
                        os.mkdir(part, mode, dir_fd=fd)
                    st = os.lstat(part, dir_fd=fd)
                if stat.S_ISLNK(st.st_mode):
                    self.check_entry(operation, target, st)
                    hops += 1
                    if hops > MAX_SYMLINKS:
                        raise HostError(operation, path, os.strerror(errno_mod.ELOOP),
                                        errno_mod.ELOOP)
                    link = os.readlink(part, dir_fd=fd)
                    if link.startswith("/"):
                        while len(stack) > 1:
                            os.close(stack.pop()[0])
                    pending = [p for p in link.split("/") if p] + pending
                    continue
                if not stat.S_ISDIR(st.st_mode):
                    raise HostError(operation, target, "Not a directory", errno_mod.ENOTDIR)
                self._check_dir(operation, target, st)
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
                opened = os.fstat(child)
                stack.append((child, target))
                if (opened.st_dev, opened.st_ino) != (st.st_dev, st.st_ino):
                    raise UnsafePathError(operation, target,
                                          "the directory changed while it was being opened")
            return stack.pop()
        finally:
            for fd, _ in stack:
                os.close(fd)

    @contextmanager
    def parent(self, operation: str, path: str, create: bool = False,
                ) -> Iterator[tuple[int, str, str]]:
        """(directory descriptor, name, canonical target path) of ``path``'s last component."""
        parent, name = posixpath.split(posixpath.normpath(path))
        if name in ("", ".", ".."):
            raise HostError(operation, path, "not a file name")
        fd, where = self.open_dir(operation, parent, 0o755 if create else None)
        try:
            yield fd, name, posixpath.join(where, name)
        finally:
            os.close(fd)

    @staticmethod
    def lstat_at(fd: int, name: str) -> os.stat_result | None:
        try:
            return os.lstat(name, dir_fd=fd)
        except FileNotFoundError:
            return None

    def existing(self, operation: str, fd: int, name: str, target: str,
                  ) -> os.stat_result | None:
        st = self.lstat_at(fd, name)
        if st is not None:
            self.check_entry(operation, target, st)
        return st

    @staticmethod
    def _shared(dir_fd: int) -> bool:
        """Other users may create names in this directory (sticky, writable by others, as
        /var/crash is on Ubuntu): a name of ours they made first is a trap, not a record."""
        mode = os.fstat(dir_fd).st_mode
        return bool(mode & stat.S_ISVTX and mode & (stat.S_IWOTH | stat.S_IWGRP))

    def replaceable(self, operation: str, fd: int, name: str, target: str,
                     ) -> os.stat_result | None:
        """What is at ``name`` before a file or link of ours takes its place by rename.

        Another user's entry is refused where only root can create names (it cannot have
        come from a user there); in a shared directory it is replaced, never written
        through: otherwise any user could stop root from ever writing its state again.
        """
        st = self.lstat_at(fd, name)
        if st is not None and not self._shared(fd):
            self.check_entry(operation, target, st)
        return st

    def _set_aside(self, operation: str, dir_fd: int, name: str, target: str) -> None:
        """Move another user's directory off ``name`` (a rename cannot replace it): it
        stays theirs, beside it, under a hidden name."""
        st = self.lstat_at(dir_fd, name)
        if st is None or not stat.S_ISDIR(st.st_mode):
            return
        if not self._shared(dir_fd) or self.owner(target, st) in self.trusted_uids():
            return  # ours (or not a user's to have made): the rename says what is wrong

        def move(aside: str) -> None:
            if self.lstat_at(dir_fd, aside) is not None:
                raise FileExistsError(errno_mod.EEXIST, "File exists", aside)
            os.rename(name, aside, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)

        self.temp_name(name, move, "foreign")

    @staticmethod
    def temp_name(name: str, make: Callable[[str], None], kind: str = "tmp") -> str:
        """A fresh name beside ``name`` made by ``make`` (which must refuse an existing one)."""
        for _ in range(100):
            temp = f".{name}.{kind}-{os.getpid()}-{os.urandom(4).hex()}"
            try:
                make(temp)
            except FileExistsError:
                continue
            return temp
        raise FileExistsError(errno_mod.EEXIST, "no free temporary name", name)

    def swap_in(self, operation: str, dir_fd: int, temp: str, name: str, target: str,
                 fill: Callable[[], None] | None = None) -> None:
        """Finish ``temp`` (``fill``), then rename it over ``name`` once the name is checked
        again (see _replaceable); on any failure ``temp`` goes."""
        try:
            if fill is not None:
                fill()
            for attempt in range(1, SET_ASIDE_ATTEMPTS + 1):
                self.replaceable(operation, dir_fd, name, target)
                self._set_aside(operation, dir_fd, name, target)
                try:
                    os.rename(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
                    break
                except OSError as exc:
                    # Another directory took the name again between the two renames.
                    if attempt == SET_ASIDE_ATTEMPTS or exc.errno not in _DIR_IN_THE_WAY:
                        raise
        except BaseException:
            with suppress(OSError):
                os.unlink(temp, dir_fd=dir_fd)
            raise

    @contextmanager
    def socket_address(self, operation: str, path: str) -> Iterator[str]:
        """An address to send to the socket at target ``path``, under the write side's
        rules: directories and links on the way, and the socket itself, are root's or ours.

        The address names the socket through the checked directory's descriptor
        (/proc/self/fd), so nothing can swap a directory between the check and the send.
        Raises HostError (UnsafePathError for another user's entry) when it is no such
        socket.
        """
        for _ in range(MAX_SYMLINKS):
            with self.parent(operation, path) as (dir_fd, name, target):
                st = os.lstat(name, dir_fd=dir_fd)
                self.check_entry(operation, target, st)
                if stat.S_ISLNK(st.st_mode):
                    link = os.readlink(name, dir_fd=dir_fd)
                    path = posixpath.join(posixpath.dirname(target), link)
                    continue
                if not stat.S_ISSOCK(st.st_mode):
                    raise HostError(operation, target, "not a socket")
                through_fd = f"/proc/self/fd/{dir_fd}"
                yield f"{through_fd}/{name}" if os.path.isdir(through_fd) else \
                    self.paths.join(target)
                return
        raise HostError(operation, path, os.strerror(errno_mod.ELOOP), errno_mod.ELOOP)


def fsync_fd(fd: int) -> None:
    with suppress(OSError):
        os.fsync(fd)

"""Target paths under a root, and what the files there say (the read-only queries).

The one place that maps a target path (``/var/lib/kdump/vmlinuz``) to a path on
this host (``<root>/var/lib/kdump/vmlinuz``).  Symlinks are followed *inside* the
target: an absolute link target is re-rooted, and ``..`` never climbs above the
root.  With root ``/`` the kernel resolves paths itself.  The changes build on it
(backends.rooted_walk, backends.rooted), holding it rather than being it.
"""

from __future__ import annotations

import errno as errno_mod
import os
import stat

from backends.values import HostError

MAX_SYMLINKS = 40


class RootedQueries:
    """Path mapping and queries on a target tree; every public path is a target path."""

    def __init__(self, root: str = "/") -> None:
        self.root = os.path.abspath(root)

    # -- path mapping ----------------------------------------------------------------
    def join(self, target: str) -> str:
        """Where a canonical target path lives on this host (no link resolved)."""
        rel = target.lstrip("/")
        return os.path.join(self.root, rel) if rel else self.root

    def _resolve(self, path: str, follow_last: bool = True) -> str:
        """Target path with every symlink resolved inside the root."""
        if not path.startswith("/"):
            raise HostError("resolve", path, "not an absolute target path")
        if "\0" in path:  # from a kernel file in an odd shape (a NUL in osrelease...)
            raise HostError("resolve", path, "NUL byte in the path")
        if self.root == "/":
            if follow_last:
                return os.path.realpath(path)
            parent, name = os.path.split(os.path.normpath(path))
            return os.path.join(os.path.realpath(parent), name)
        pending = [part for part in path.split("/") if part]
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
            candidate = "/" + "/".join([*resolved, part])
            is_last = not pending
            host = self.join(candidate)
            if (follow_last or not is_last) and os.path.islink(host):
                hops += 1
                if hops > MAX_SYMLINKS:
                    raise HostError("resolve", path, os.strerror(errno_mod.ELOOP),
                                    errno_mod.ELOOP)
                link = os.readlink(host)
                if link.startswith("/"):
                    resolved = []
                pending = [p for p in link.split("/") if p] + pending
                continue
            resolved.append(part)
        return "/" + "/".join(resolved)

    def host_path(self, path: str, follow_last: bool = True) -> str:
        """Where a target path lives on this host."""
        return self.join(self._resolve(path, follow_last))

    def to_target(self, host_path: str) -> str:
        """Inverse of host_path for paths inside the root."""
        if self.root == "/":
            return host_path
        rel = os.path.relpath(host_path, self.root)
        return "/" if rel == "." else "/" + rel

    # -- queries -----------------------------------------------------------------------
    def read_bytes(self, path: str, limit: int | None = None) -> bytes | None:
        """A regular file's bytes; None when absent or anything else (a FIFO, a device or a
        socket planted under the root is never opened for blocking, nor read)."""
        try:
            fd = os.open(self.host_path(path), os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except (OSError, HostError):
            return None
        try:
            with os.fdopen(fd, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    return None
                return handle.read() if limit is None else handle.read(limit)
        except OSError:
            return None

    def read_config_file(self, path: str, limit: int) -> bytes | None:
        """See Host.read_config_file: absent is None, anything else unreadable says why."""
        try:
            host = self.host_path(path)
        except HostError as exc:  # a link loop inside the root
            raise HostError("read", path, exc.reason, exc.errno) from exc
        try:
            # O_NONBLOCK: a FIFO planted as the config must not hang the command.
            fd = os.open(host, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError as exc:
            if self.lexists(path):
                raise HostError("read", path, "dangling symbolic link", exc.errno) from exc
            return None
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise HostError("read", path, reason, getattr(exc, "errno", None)) from exc
        try:
            mode = os.fstat(fd).st_mode
            if stat.S_ISDIR(mode):
                raise HostError("read", path, "Is a directory", errno_mod.EISDIR)
            if not stat.S_ISREG(mode):
                raise HostError("read", path, "not a regular file")
            # Buffered, the read returns short only at the end of the file.
            with open(fd, "rb", closefd=False) as handle:
                return handle.read(limit + 1)
        except OSError as exc:
            raise host_error("read", path, exc) from exc
        finally:
            os.close(fd)

    def read_text(self, path: str) -> str | None:
        data = self.read_bytes(path)
        return None if data is None else data.decode("utf-8", errors="replace")

    def _stat(self, path: str, follow: bool = True) -> os.stat_result | None:
        try:
            host = self.host_path(path, follow_last=follow)
            return os.stat(host) if follow else os.lstat(host)
        except (OSError, HostError):
            return None

    def exists(self, path: str) -> bool:
        return self._stat(path) is not None

    def lexists(self, path: str) -> bool:
        return self._stat(path, follow=False) is not None

    def is_file(self, path: str) -> bool:
        st = self._stat(path)
        return st is not None and stat.S_ISREG(st.st_mode)

    def is_dir(self, path: str) -> bool:
        st = self._stat(path)
        return st is not None and stat.S_ISDIR(st.st_mode)

    def is_symlink(self, path: str) -> bool:
        st = self._stat(path, follow=False)
        return st is not None and stat.S_ISLNK(st.st_mode)

    def is_executable(self, path: str) -> bool:
        st = self._stat(path)
        return st is not None and stat.S_ISREG(st.st_mode) and bool(st.st_mode & 0o111)

    def readlink(self, path: str) -> str | None:
        try:
            return os.readlink(self.host_path(path, follow_last=False))
        except (OSError, HostError):
            return None

    def realpath(self, path: str) -> str:
        return self._resolve(path)

    def listdir(self, path: str) -> list[str]:
        try:
            return sorted(os.listdir(self.host_path(path)))
        except (OSError, HostError):
            return []

    def file_size(self, path: str) -> int | None:
        st = self._stat(path)
        return None if st is None else st.st_size

    def mode(self, path: str) -> int | None:
        st = self._stat(path)
        return None if st is None else stat.S_IMODE(st.st_mode)


def host_error(operation: str, path: str, exc: OSError) -> HostError:
    """What an OSError of ``operation`` on target ``path`` is to a Host's caller."""
    return HostError(operation, path, exc.strerror or str(exc), exc.errno)

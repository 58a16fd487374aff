"""File access under a target-root prefix.

The one place that maps a target path (``/var/lib/kdump/vmlinuz``) to a path on
this host (``<root>/var/lib/kdump/vmlinuz``).  Symlinks are followed *inside* the
target: an absolute link target is re-rooted, and ``..`` never climbs above the
root.  With root ``/`` the kernel resolves paths itself.
"""

from __future__ import annotations

import contextlib
import errno as errno_mod
import fcntl
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager

from backends.base import HostError, ProgressCallback

_MAX_SYMLINKS = 40
_CHUNK = 8 << 20


class RootedFiles:
    """File operations on a target tree; every public path is a target path."""

    def __init__(self, root: str = "/") -> None:
        self.root = os.path.abspath(root)

    # -- path mapping ----------------------------------------------------------------
    def _join(self, target: str) -> str:
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
            host = self._join(candidate)
            if (follow_last or not is_last) and os.path.islink(host):
                hops += 1
                if hops > _MAX_SYMLINKS:
                    raise HostError("resolve", path, "too many levels of symbolic links",
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
        return self._join(self._resolve(path, follow_last))

    def to_target(self, host_path: str) -> str:
        """Inverse of host_path for paths inside the root."""
        if self.root == "/":
            return host_path
        rel = os.path.relpath(host_path, self.root)
        return "/" if rel == "." else "/" + rel

    # -- queries -----------------------------------------------------------------------
    def read_bytes(self, path: str, limit: int | None = None) -> bytes | None:
        try:
            with open(self.host_path(path), "rb") as handle:
                return handle.read() if limit is None else handle.read(limit)
        except (OSError, HostError):
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
            chunks: list[bytes] = []
            size = 0
            while size <= limit:
                chunk = os.read(fd, limit + 1 - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            return b"".join(chunks)
        except OSError as exc:
            raise self._fail("read", path, exc) from exc
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

    def disk_free(self, path: str) -> int | None:
        try:
            vfs = os.statvfs(self.host_path(path))
        except (OSError, HostError):
            return None
        return vfs.f_bavail * vfs.f_frsize

    # -- changes ---------------------------------------------------------------------------
    def _fail(self, operation: str, path: str, exc: OSError) -> HostError:
        return HostError(operation, path, exc.strerror or str(exc), exc.errno)

    def mkdir(self, path: str, mode: int = 0o755) -> None:
        try:
            os.makedirs(self.host_path(path), mode=mode, exist_ok=True)
        except OSError as exc:
            raise self._fail("mkdir", path, exc) from exc

    def write_text(self, path: str, text: str, mode: int = 0o644) -> None:
        target = self.host_path(path)
        tmp = f"{target}.tmp-{os.getpid()}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
            try:
                os.write(fd, text.encode())
                os.fchmod(fd, mode)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, target)
            self._fsync_dir(os.path.dirname(target))
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise self._fail("write", path, exc) from exc

    def write_sysfs(self, path: str, value: str) -> None:
        try:
            with open(self.host_path(path), "w") as handle:
                handle.write(value)
        except OSError as exc:
            raise self._fail("write", path, exc) from exc

    def symlink(self, target: str, link: str) -> None:
        host_link = self.host_path(link, follow_last=False)
        tmp = f"{host_link}.tmp-{os.getpid()}"
        try:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            os.symlink(target, tmp)
            os.replace(tmp, host_link)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise self._fail("symlink", link, exc) from exc

    def remove(self, path: str) -> None:
        try:
            os.unlink(self.host_path(path, follow_last=False))
        except FileNotFoundError:
            return
        except OSError as exc:
            raise self._fail("remove", path, exc) from exc

    def remove_tree(self, path: str) -> None:
        import shutil

        host = self.host_path(path, follow_last=False)
        try:
            if os.path.islink(host) or not os.path.isdir(host):
                os.unlink(host)
            else:
                shutil.rmtree(host)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise self._fail("remove", path, exc) from exc

    def rename(self, src: str, dst: str) -> None:
        host_dst = self.host_path(dst, follow_last=False)
        if os.path.lexists(host_dst):
            raise HostError("rename", dst, "File exists", errno_mod.EEXIST)
        try:
            os.rename(self.host_path(src, follow_last=False), host_dst)
        except OSError as exc:
            raise self._fail("rename", src, exc) from exc

    def fsync(self, path: str) -> None:
        host = self.host_path(path)
        if os.path.isdir(host):
            self._fsync_dir(host)
            return
        try:
            fd = os.open(host, os.O_RDONLY)
        except OSError as exc:
            raise self._fail("fsync", path, exc) from exc
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    @staticmethod
    def _fsync_dir(host_dir: str) -> None:
        try:
            fd = os.open(host_dir, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)

    def copy_file(
        self, src: str, dst: str, mode: int = 0o600, progress: ProgressCallback | None = None
    ) -> int:
        try:
            source = os.open(self.host_path(src), os.O_RDONLY)
        except (OSError, HostError) as exc:
            raise HostError("open", src, getattr(exc, "strerror", None) or str(exc)) from exc
        try:
            total = os.fstat(source).st_size
            try:
                sink = os.open(self.host_path(dst, follow_last=False),
                               os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            except OSError as exc:
                raise self._fail("create", dst, exc) from exc
            try:
                copied = stream_fd(source, sink, total, progress)
                os.fsync(sink)
            except OSError as exc:
                raise self._fail("write", dst, exc) from exc
            finally:
                os.close(sink)
        finally:
            os.close(source)
        return copied

    @contextmanager
    def lock(self, path: str) -> Iterator[None]:
        host = self.host_path(path)
        os.makedirs(os.path.dirname(host), exist_ok=True)
        fd = os.open(host, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def stream_fd(source: int, sink: int, total: int, progress: ProgressCallback | None) -> int:
    """Copy source to sink without holding it in memory: copy_file_range, sendfile, read."""
    copied = 0
    strategies = [_copy_range, _sendfile, _read_write]
    while strategies:
        step = strategies[0]
        try:
            chunk = step(source, sink, copied)
        except OSError as exc:
            # Pseudo files such as /proc/vmcore refuse the zero-copy calls; fall back.
            if copied == 0 and exc.errno in (errno_mod.EXDEV, errno_mod.EINVAL, errno_mod.ENOSYS,
                                              errno_mod.EOPNOTSUPP, errno_mod.EBADF):
                strategies.pop(0)
                continue
            raise
        if chunk == 0:
            if copied == 0 and total > 0 and len(strategies) > 1:
                strategies.pop(0)
                continue
            break
        copied += chunk
        if progress is not None:
            progress(copied, total)
    return copied


def _copy_range(source: int, sink: int, offset: int) -> int:
    return os.copy_file_range(source, sink, _CHUNK, offset, offset)


def _sendfile(source: int, sink: int, offset: int) -> int:
    return os.sendfile(sink, source, offset, _CHUNK)


def _read_write(source: int, sink: int, offset: int) -> int:
    data = os.pread(source, 1 << 20, offset)
    view = memoryview(data)
    while view:
        written = os.write(sink, view)
        view = view[written:]
    return len(data)

"""File access under a target-root prefix.

The one place that maps a target path (``/var/lib/kdump/vmlinuz``) to a path on
this host (``<root>/var/lib/kdump/vmlinuz``).  Symlinks are followed *inside* the
target: an absolute link target is re-rooted, and ``..`` never climbs above the
root.  With root ``/`` the kernel resolves paths itself.

Neutral: both backends compose it (``host.files``), the real one over a root
directory, the simulated one over its machine's state directory; it starts no
process and knows no backend.  What differs between them is injected: who owns a
file (the simulated machine records planted owners) and who records an effect.
"""

from __future__ import annotations

import contextlib
import errno as errno_mod
import fcntl
import os
import posixpath
import stat
from contextlib import AbstractContextManager, contextmanager

from backends.values import HostError, LockBusyError, UnsafePathError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from backends.base import ProgressCallback, Recorder

_MAX_SYMLINKS = 40
_CHUNK = 8 << 20


class RootedFiles:
    """File operations on a target tree; every public path is a target path."""

    def __init__(self, root: str = "/", *, owner: Callable[[str], int | None] | None = None,
                 record: Recorder | None = None) -> None:
        """``owner``: who owns a target path, when the machine keeps its own records
        (None: the file system says); ``record``: told of each rename and fsync, so that
        the order of a dump's durability steps can be seen."""
        self.root = os.path.abspath(root)
        self._recorded_owner = owner
        self._record = record

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

    # -- changes ---------------------------------------------------------------------------
    # Every write goes through a directory opened from the root one component at a time,
    # without following a link the kernel would not trust (O_NOFOLLOW), each directory
    # checked on the way; the name itself is then created, replaced or removed relative to
    # that directory's descriptor.  So a link or file another user planted in a directory
    # they can write to (/var/crash, /run/lock, /tmp, an NFS export) is refused, never
    # followed and never reused.
    def _fail(self, operation: str, path: str, exc: OSError) -> HostError:
        return HostError(operation, path, exc.strerror or str(exc), exc.errno)

    def _owner(self, target: str, st: os.stat_result) -> int:
        """Who owns ``target`` (the simulated machine records planted files' owners)."""
        recorded = None if self._recorded_owner is None else self._recorded_owner(target)
        return st.st_uid if recorded is None else recorded

    @staticmethod
    def _trusted_uids() -> set[int]:
        return {0, os.getuid(), os.geteuid()}

    def _untrusted(self, operation: str, target: str, st: os.stat_result,
                   what: str) -> UnsafePathError | None:
        owner = self._owner(target, st)
        trusted = self._trusted_uids()
        if owner in trusted:
            return None
        return UnsafePathError(operation, target, f"{what} owned by another user (uid {owner})")

    def _check_entry(self, operation: str, target: str, st: os.stat_result) -> None:
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

    def _open_dir(self, operation: str, path: str, create: int | None = None,
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
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(part, mode, dir_fd=fd)
                    st = os.lstat(part, dir_fd=fd)
                if stat.S_ISLNK(st.st_mode):
                    self._check_entry(operation, target, st)
                    hops += 1
                    if hops > _MAX_SYMLINKS:
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
    def _parent(self, operation: str, path: str, create: bool = False,
                ) -> Iterator[tuple[int, str, str]]:
        """(directory descriptor, name, canonical target path) of ``path``'s last component."""
        parent, name = posixpath.split(posixpath.normpath(path))
        if name in ("", ".", ".."):
            raise HostError(operation, path, "not a file name")
        fd, where = self._open_dir(operation, parent, 0o755 if create else None)
        try:
            yield fd, name, posixpath.join(where, name)
        finally:
            os.close(fd)

    @staticmethod
    def _lstat_at(fd: int, name: str) -> os.stat_result | None:
        try:
            return os.lstat(name, dir_fd=fd)
        except FileNotFoundError:
            return None

    def _existing(self, operation: str, fd: int, name: str, target: str,
                  ) -> os.stat_result | None:
        st = self._lstat_at(fd, name)
        if st is not None:
            self._check_entry(operation, target, st)
        return st

    @staticmethod
    def _temp_name(name: str, make: Callable[[str], None]) -> str:
        """A fresh name beside ``name`` made by ``make`` (which must refuse an existing one)."""
        for _ in range(100):
            temp = f".{name}.tmp-{os.getpid()}-{os.urandom(4).hex()}"
            try:
                make(temp)
            except FileExistsError:
                continue
            return temp
        raise FileExistsError(errno_mod.EEXIST, "no free temporary name", name)

    def _swap_in(self, operation: str, dir_fd: int, temp: str, name: str, target: str,
                 fill: Callable[[], None] | None = None) -> None:
        """Finish ``temp`` (``fill``), then rename it over ``name`` once the name is checked
        again (it must still not be someone else's); on any failure ``temp`` goes."""
        try:
            if fill is not None:
                fill()
            self._existing(operation, dir_fd, name, target)
            os.rename(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp, dir_fd=dir_fd)
            raise

    def mkdir(self, path: str, mode: int = 0o755) -> None:
        try:
            fd, _ = self._open_dir("mkdir", path, create=0o755, leaf_mode=mode)
        except OSError as exc:
            raise self._fail("mkdir", path, exc) from exc
        os.close(fd)

    def write_text(self, path: str, text: str, mode: int = 0o644) -> None:
        try:
            with self._parent("write", path) as (dir_fd, name, target):
                self._existing("write", dir_fd, name, target)
                holder: list[int] = []

                def create(temp: str) -> None:
                    holder.append(os.open(temp, _NEW_FILE, mode, dir_fd=dir_fd))

                temp = self._temp_name(name, create)

                def fill() -> None:
                    fd = holder[0]
                    try:
                        os.write(fd, text.encode())
                        os.fchmod(fd, mode)
                        os.fsync(fd)
                    finally:
                        os.close(fd)

                self._swap_in("write", dir_fd, temp, name, target, fill)
                _fsync_fd(dir_fd)
        except OSError as exc:
            raise self._fail("write", path, exc) from exc

    def write_sysfs(self, path: str, value: str) -> None:
        try:
            with open(self.host_path(path), "w") as handle:
                handle.write(value)
        except OSError as exc:
            raise self._fail("write", path, exc) from exc

    def symlink(self, target: str, link: str) -> None:
        try:
            with self._parent("symlink", link) as (dir_fd, name, where):
                self._existing("symlink", dir_fd, name, where)
                temp = self._temp_name(name, lambda t: os.symlink(target, t, dir_fd=dir_fd))
                self._swap_in("symlink", dir_fd, temp, name, where)
        except OSError as exc:
            raise self._fail("symlink", link, exc) from exc

    def create_new(self, path: str, mode: int = 0o600) -> int:
        """A descriptor on a new file at ``path`` (never an existing file or a link)."""
        try:
            with self._parent("create", path) as (dir_fd, name, target):
                if self._existing("create", dir_fd, name, target) is not None:
                    raise FileExistsError(errno_mod.EEXIST, "File exists")
                return os.open(name, _NEW_FILE, mode, dir_fd=dir_fd)
        except OSError as exc:
            raise self._fail("create", path, exc) from exc

    def remove(self, path: str) -> None:
        try:
            with self._parent("remove", path) as (dir_fd, name, target):
                if self._existing("remove", dir_fd, name, target) is None:
                    return
                os.unlink(name, dir_fd=dir_fd)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise self._fail("remove", path, exc) from exc

    def remove_tree(self, path: str) -> None:
        import shutil

        try:
            with self._parent("remove", path) as (dir_fd, name, target):
                st = self._existing("remove", dir_fd, name, target)
                if st is None:
                    return
                if not stat.S_ISDIR(st.st_mode):
                    os.unlink(name, dir_fd=dir_fd)
                    return
                # The directories above were checked (no other user can swap them), and
                # rmtree never follows a link inside the tree it removes.
                shutil.rmtree(self._join(target))
        except FileNotFoundError:
            return
        except OSError as exc:
            raise self._fail("remove", path, exc) from exc

    def rename(self, src: str, dst: str) -> None:
        if self._record is not None:
            self._record("rename", src=src, dst=dst)
        try:
            with self._parent("rename", src) as (src_fd, src_name, src_target), \
                    self._parent("rename", dst) as (dst_fd, dst_name, _):
                if self._existing("rename", src_fd, src_name, src_target) is None:
                    raise FileNotFoundError(errno_mod.ENOENT, "No such file or directory")
                if self._lstat_at(dst_fd, dst_name) is not None:
                    raise HostError("rename", dst, "File exists", errno_mod.EEXIST)
                os.rename(src_name, dst_name, src_dir_fd=src_fd, dst_dir_fd=dst_fd)
        except OSError as exc:
            raise self._fail("rename", src, exc) from exc

    def fsync(self, path: str) -> None:
        if self._record is not None:
            self._record("fsync", path=path)
        try:
            if self.is_dir(path) and not self.is_symlink(path):
                fd, _ = self._open_dir("fsync", path)
            else:
                with self._parent("fsync", path) as (dir_fd, name, _):
                    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
                                 | os.O_CLOEXEC, dir_fd=dir_fd)
        except OSError as exc:
            raise self._fail("fsync", path, exc) from exc
        try:
            _fsync_fd(fd)
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
            sink = self.create_new(dst, mode)
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

    def lock(self, path: str) -> AbstractContextManager[None]:
        """Take the lock now or raise: LockBusyError names who holds it."""
        return self._lock(path)

    @contextmanager
    def _lock(self, path: str) -> Iterator[None]:
        target = path
        try:
            with self._parent("lock", path, create=True) as (dir_fd, name, target):
                st = self._existing("lock", dir_fd, name, target)
                if st is not None and stat.S_ISLNK(st.st_mode):
                    raise UnsafePathError("lock", target, "it is a symbolic link")
                fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK
                             | os.O_CLOEXEC, 0o600, dir_fd=dir_fd)
        except OSError as exc:
            raise self._fail("lock", path, exc) from exc
        try:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode):
                raise UnsafePathError("lock", target, "it is not a regular file")
            self._check_entry("lock", target, opened)
            if opened.st_nlink != 1:
                raise UnsafePathError("lock", target, "it has other names (hard links)")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise LockBusyError(path, _lock_holder(fd)) from exc
            except OSError as exc:
                raise self._fail("lock", path, exc) from exc
            # Who holds it, for a root that finds it busy and cannot read /proc/locks.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            yield
        finally:
            os.close(fd)


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
PROC_LOCKS = "/proc/locks"


def _fsync_fd(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.fsync(fd)


def _lock_holder(fd: int) -> str:
    """``pid N`` of the process holding the flock on ``fd``'s file, from the kernel's list.

    /proc/locks is the running kernel's (the lock is a real one even on a root tree);
    failing that, the pid the holder wrote into the file.
    """
    st = os.fstat(fd)
    key = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    with contextlib.suppress(OSError), open(PROC_LOCKS) as handle:
        for line in handle:
            words = line.split()
            if len(words) > 5 and words[1] == "FLOCK" and words[5] == key:
                return f"pid {words[4]}"
    with contextlib.suppress(OSError, ValueError):
        return f"pid {int(os.pread(fd, 32, 0).decode().strip())}"
    return "another process"


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

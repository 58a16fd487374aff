"""File access under a target-root prefix: the file layer both backends compose.

Neutral: both backends hold one (``host.files``), the real one over a root directory,
the simulated one over its machine's state directory; it starts no process and knows
no backend.  What differs between them is injected: who owns a file (the simulated
machine records planted owners), who records an effect, and (a test's fault) the byte
pump under a copy.

Assembled from parts, each held, none inherited: the path mapping and the read-only
queries (backends.rooted_queries.RootedQueries), the safe walk every change goes through
(backends.rooted_walk.SafeWalk), the reads of kdump-config's own files and the streamed
directory listing through that walk (backends.rooted_reads.OwnReads), the lock
(backends.rooted_lock.FileLock), and the byte pump (backends.fdcopy).  The changes
themselves are here.
"""

from __future__ import annotations

import errno as errno_mod
import os
import stat

from backends.fdcopy import stream_fd
from backends.rooted_lock import FileLock
from backends.rooted_queries import RootedQueries, host_error
from backends.rooted_reads import OwnReads
from backends.rooted_walk import NEW_FILE, SafeWalk, fsync_fd
from backends.values import HostError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from backends.base import ProgressCallback, Recorder
    from backends.fdcopy import BytePump


class RootedFiles:
    """File operations on a target tree; every public path is a target path.

    What a part answers as it is, the layer hands out as that part's own method (so
    ``files.exists`` is ``RootedQueries.exists``); the changes are defined below.
    """

    def __init__(self, root: str = "/", *, owner: Callable[[str], int | None] | None = None,
                 record: Recorder | None = None, pump: BytePump | None = None) -> None:
        """``owner``: who owns a target path, when the machine keeps its own records
        (None: the file system says); ``record``: told of each rename and fsync, so that
        the order of a dump's durability steps can be seen; ``pump``: the byte pump under
        copy_file (None: backends.fdcopy.stream_fd)."""
        self.paths = paths = RootedQueries(root)
        self.walk = walk = SafeWalk(paths, owner=owner)
        self.root = paths.root
        self._record = record
        self._pump: BytePump = pump or stream_fd
        # The path mapping and the queries.
        self.host_path = paths.host_path
        self.to_target = paths.to_target
        self.read_text = paths.read_text
        self.read_bytes = paths.read_bytes
        self.read_config_file = paths.read_config_file
        self.exists = paths.exists
        self.lexists = paths.lexists
        self.is_file = paths.is_file
        self.is_dir = paths.is_dir
        self.is_symlink = paths.is_symlink
        self.is_executable = paths.is_executable
        self.readlink = paths.readlink
        self.realpath = paths.realpath
        self.listdir = paths.listdir
        self.file_size = paths.file_size
        self.mode = paths.mode
        # Reads of its own files and listings, and the lock, through the safe walk.
        own = OwnReads(walk)
        self.read_own = own.read_own
        self.scan_dir = own.scan_dir
        self.lock = FileLock(walk).lock
        self.socket_address = walk.socket_address

    def mkdir(self, path: str, mode: int = 0o755) -> None:
        try:
            fd, _ = self.walk.open_dir("mkdir", path, create=0o755, leaf_mode=mode)
        except OSError as exc:
            raise host_error("mkdir", path, exc) from exc
        os.close(fd)

    def write_text(self, path: str, text: str, mode: int = 0o644) -> None:
        try:
            with self.walk.parent("write", path) as (dir_fd, name, target):
                self.walk.replaceable("write", dir_fd, name, target)
                holder: list[int] = []

                def create(temp: str) -> None:
                    holder.append(os.open(temp, NEW_FILE, mode, dir_fd=dir_fd))

                temp = self.walk.temp_name(name, create)

                def fill() -> None:
                    fd = holder[0]
                    try:
                        os.write(fd, text.encode())
                        os.fchmod(fd, mode)
                        os.fsync(fd)
                    finally:
                        os.close(fd)

                self.walk.swap_in("write", dir_fd, temp, name, target, fill)
                fsync_fd(dir_fd)
        except OSError as exc:
            raise host_error("write", path, exc) from exc

    def write_sysfs(self, path: str, value: str) -> None:
        try:
            with open(self.paths.host_path(path), "w") as handle:
                handle.write(value)
        except OSError as exc:
            raise host_error("write", path, exc) from exc

    def symlink(self, target: str, link: str) -> None:
        try:
            with self.walk.parent("symlink", link) as (dir_fd, name, where):
                self.walk.replaceable("symlink", dir_fd, name, where)
                temp = self.walk.temp_name(name, lambda t: os.symlink(target, t, dir_fd=dir_fd))
                self.walk.swap_in("symlink", dir_fd, temp, name, where)
        except OSError as exc:
            raise host_error("symlink", link, exc) from exc

    def create_new(self, path: str, mode: int = 0o600) -> int:
        """A descriptor on a new file at ``path`` (never an existing file or a link)."""
        try:
            with self.walk.parent("create", path) as (dir_fd, name, target):
                if self.walk.existing("create", dir_fd, name, target) is not None:
                    raise FileExistsError(errno_mod.EEXIST, "File exists")
                return os.open(name, NEW_FILE, mode, dir_fd=dir_fd)
        except OSError as exc:
            raise host_error("create", path, exc) from exc

    def remove(self, path: str) -> None:
        try:
            with self.walk.parent("remove", path) as (dir_fd, name, target):
                if self.walk.existing("remove", dir_fd, name, target) is None:
                    return
                os.unlink(name, dir_fd=dir_fd)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise host_error("remove", path, exc) from exc

    def remove_tree(self, path: str) -> None:
        import shutil

        try:
            with self.walk.parent("remove", path) as (dir_fd, name, target):
                st = self.walk.existing("remove", dir_fd, name, target)
                if st is None:
                    return
                if not stat.S_ISDIR(st.st_mode):
                    os.unlink(name, dir_fd=dir_fd)
                    return
                # The directories above were checked (no other user can swap them), and
                # rmtree never follows a link inside the tree it removes.
                shutil.rmtree(self.paths.join(target))
        except FileNotFoundError:
            return
        except OSError as exc:
            raise host_error("remove", path, exc) from exc

    def rename(self, src: str, dst: str) -> None:
        if self._record is not None:
            self._record("rename", src=src, dst=dst)
        try:
            with self.walk.parent("rename", src) as (src_fd, src_name, src_target), \
                    self.walk.parent("rename", dst) as (dst_fd, dst_name, _):
                if self.walk.existing("rename", src_fd, src_name, src_target) is None:
                    raise FileNotFoundError(errno_mod.ENOENT, "No such file or directory")
                if self.walk.lstat_at(dst_fd, dst_name) is not None:
                    raise HostError("rename", dst, "File exists", errno_mod.EEXIST)
                os.rename(src_name, dst_name, src_dir_fd=src_fd, dst_dir_fd=dst_fd)
        except OSError as exc:
            raise host_error("rename", src, exc) from exc

    def fsync(self, path: str) -> None:
        if self._record is not None:
            self._record("fsync", path=path)
        try:
            if self.paths.is_dir(path) and not self.paths.is_symlink(path):
                fd, _ = self.walk.open_dir("fsync", path)
            else:
                with self.walk.parent("fsync", path) as (dir_fd, name, _):
                    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
                                 | os.O_CLOEXEC, dir_fd=dir_fd)
        except OSError as exc:
            raise host_error("fsync", path, exc) from exc
        try:
            fsync_fd(fd)
        finally:
            os.close(fd)

    def copy_file(
        self, src: str, dst: str, mode: int = 0o600, progress: ProgressCallback | None = None
    ) -> int:
        try:
            source = os.open(self.paths.host_path(src), os.O_RDONLY)
        except (OSError, HostError) as exc:
            raise HostError("open", src, getattr(exc, "strerror", None) or str(exc)) from exc
        try:
            total = os.fstat(source).st_size
            sink = self.create_new(dst, mode)
            try:
                copied = self._pump(source, sink, total, progress)
                os.fsync(sink)
            except OSError as exc:
                raise host_error("write", dst, exc) from exc
            finally:
                os.close(sink)
        finally:
            os.close(source)
        return copied

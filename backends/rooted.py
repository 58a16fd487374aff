"""File access under a target-root prefix: the file layer both backends compose.

Neutral: both backends compose it (``host.files``), the real one over a root
directory, the simulated one over its machine's state directory; it starts no
process and knows no backend.  What differs between them is injected: who owns a
file (the simulated machine records planted owners), who records an effect, and
(a test's fault) the byte pump under a copy.

Built in layers, one job a module: path mapping and queries (backends.rooted_queries),
the safe walk every change goes through (backends.rooted_walk), the reads of kdump-config's
own files and the streamed directory listing under the same rules (backends.rooted_reads),
the lock
(backends.rooted_lock), and here the changes themselves; the byte pump is
backends.fdcopy.
"""

from __future__ import annotations

import errno as errno_mod
import os
import stat

from backends.fdcopy import stream_fd
from backends.rooted_lock import LockingWalk
from backends.rooted_walk import NEW_FILE, fsync_fd
from backends.values import HostError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from backends.base import ProgressCallback, Recorder
    from backends.fdcopy import BytePump


class RootedFiles(LockingWalk):
    """File operations on a target tree; every public path is a target path."""

    def __init__(self, root: str = "/", *, owner: Callable[[str], int | None] | None = None,
                 record: Recorder | None = None, pump: BytePump | None = None) -> None:
        """``owner``: who owns a target path, when the machine keeps its own records
        (None: the file system says); ``record``: told of each rename and fsync, so that
        the order of a dump's durability steps can be seen; ``pump``: the byte pump under
        copy_file (None: backends.fdcopy.stream_fd)."""
        super().__init__(root, owner=owner)
        self._record = record
        self._pump: BytePump = pump or stream_fd

    def mkdir(self, path: str, mode: int = 0o755) -> None:
        try:
            fd, _ = self._open_dir("mkdir", path, create=0o755, leaf_mode=mode)
        except OSError as exc:
            raise self._fail("mkdir", path, exc) from exc
        os.close(fd)

    def write_text(self, path: str, text: str, mode: int = 0o644) -> None:
        try:
            with self._parent("write", path) as (dir_fd, name, target):
                self._replaceable("write", dir_fd, name, target)
                holder: list[int] = []

                def create(temp: str) -> None:
                    holder.append(os.open(temp, NEW_FILE, mode, dir_fd=dir_fd))

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
                fsync_fd(dir_fd)
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
                self._replaceable("symlink", dir_fd, name, where)
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
                return os.open(name, NEW_FILE, mode, dir_fd=dir_fd)
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
            fsync_fd(fd)
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
                copied = self._pump(source, sink, total, progress)
                os.fsync(sink)
            except OSError as exc:
                raise self._fail("write", dst, exc) from exc
            finally:
                os.close(sink)
        finally:
            os.close(source)
        return copied

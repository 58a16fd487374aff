"""The Files part of a Host, answered by a composed file layer.

Both backends hold a ``RootedFiles`` (``self.files``) rather than being one: the
layer's internals (path resolution, the safe-write walk) cannot be overridden by
a backend, only configured through its constructor.  This class forwards the
Files protocol to it; a backend overrides what its machine does differently (the
simulated one refuses writes its faults refuse, and records effects).
"""

from __future__ import annotations

from backends.rooted import RootedFiles

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from contextlib import AbstractContextManager

    from backends.values import DirEntry


class OnRootedFiles:
    """The queries and changes of ``backends.base.Files``, forwarded to ``self.files``."""

    files: RootedFiles

    # -- queries ---------------------------------------------------------------------------
    def read_text(self, path: str) -> str | None:
        return self.files.read_text(path)

    def read_bytes(self, path: str, limit: int | None = None) -> bytes | None:
        return self.files.read_bytes(path, limit)

    def read_config_file(self, path: str, limit: int) -> bytes | None:
        return self.files.read_config_file(path, limit)

    def exists(self, path: str) -> bool:
        return self.files.exists(path)

    def is_file(self, path: str) -> bool:
        return self.files.is_file(path)

    def is_dir(self, path: str) -> bool:
        return self.files.is_dir(path)

    def is_symlink(self, path: str) -> bool:
        return self.files.is_symlink(path)

    def is_executable(self, path: str) -> bool:
        return self.files.is_executable(path)

    def readlink(self, path: str) -> str | None:
        return self.files.readlink(path)

    def realpath(self, path: str) -> str:
        return self.files.realpath(path)

    def listdir(self, path: str) -> list[str]:
        return self.files.listdir(path)

    def file_size(self, path: str) -> int | None:
        return self.files.file_size(path)

    def read_own(self, path: str, limit: int) -> bytes | None:
        return self.files.read_own(path, limit)

    def scan_dir(self, path: str) -> Iterator[DirEntry]:
        return self.files.scan_dir(path)

    # -- changes ---------------------------------------------------------------------------
    def mkdir(self, path: str, mode: int = 0o755) -> None:
        self.files.mkdir(path, mode)

    def write_text(self, path: str, text: str, mode: int = 0o644) -> None:
        self.files.write_text(path, text, mode)

    def write_sysfs(self, path: str, value: str) -> None:
        """A kernel attribute (fadump's): not in the Host protocol, FadumpSysfs uses it."""
        self.files.write_sysfs(path, value)

    def symlink(self, target: str, link: str) -> None:
        self.files.symlink(target, link)

    def remove(self, path: str) -> None:
        self.files.remove(path)

    def remove_tree(self, path: str) -> None:
        self.files.remove_tree(path)

    def rename(self, src: str, dst: str) -> None:
        self.files.rename(src, dst)

    def fsync(self, path: str) -> None:
        self.files.fsync(path)

    def lock(self, path: str) -> AbstractContextManager[None]:
        return self.files.lock(path)

"""Replacing a config file in place for kdump-setting (kdump/setting.py): atomically, with
its owner and mode, and only if it still holds what was read, so that an edit made
meanwhile is never lost and a link is never replaced by a file."""

from __future__ import annotations

import os
import stat
from contextlib import suppress

from backends.values import UnsafePathError


def replace_config_file(root: str | None, path: str, old: bytes, new: bytes) -> None:
    """Write ``new`` over the regular file ``path`` (under ``root``) if it holds ``old``.

    UnsafePathError (the file is left as it is) for a symbolic link, anything but a
    regular file, or a file that changed since it was read.
    """
    from backends.linux import LinuxHost

    host_path = LinuxHost(root or "/").host_path(path, follow_last=False)
    try:
        fd = os.open(host_path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if os.path.islink(host_path):
            reason = "it is a symbolic link: set the value in the file it points to"
        raise UnsafePathError("write", path, reason) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafePathError("write", path, "not a regular file")
        current = b""
        while len(current) <= len(old):
            chunk = os.read(fd, len(old) + 1 - len(current))
            if not chunk:
                break
            current += chunk
    finally:
        os.close(fd)
    if current != old:
        raise UnsafePathError("write", path, "it changed while being read: run the command "
                                             "again")
    directory, base = os.path.split(host_path)
    temp = os.path.join(directory, f".{base}.kdump-setting-{os.getpid()}")
    out = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                  0o600)
    try:
        try:
            view = memoryview(new)
            while view:
                view = view[os.write(out, view):]
            os.fchown(out, info.st_uid, info.st_gid)
            os.fchmod(out, stat.S_IMODE(info.st_mode))
            os.fsync(out)
        finally:
            os.close(out)
        os.replace(temp, host_path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
    dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)

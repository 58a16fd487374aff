"""Copying between two descriptors without holding the data in memory.

The byte pump under the file layer's copy (a vmcore can be most of a machine's
memory): copy_file_range, else sendfile, else read and write, whichever the two
files allow.  It knows no path and no root.
"""

from __future__ import annotations

import errno as errno_mod
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from backends.base import ProgressCallback

    # (source fd, sink fd, the source's size, progress) -> bytes copied
    BytePump = Callable[[int, int, int, ProgressCallback | None], int]

_CHUNK = 8 << 20


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

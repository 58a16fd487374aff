"""Faults the real kernel makes for the sandbox tier, where nothing is simulated.

A root-owned sandbox tree refuses no write by mode bits, so the faults that need
a refusal use the kernel's own mechanisms: a read-only bind mount (EROFS) and a
file-size limit (RLIMIT_FSIZE: writes past N bytes fail with EFBIG).  Mounting
needs root, as the sandbox tier does; mount(8) runs through the project's one
process runner.
"""

from __future__ import annotations

import os
import resource
import signal
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from backends.runner import Program, Runner

_runner = Runner()


class KernelFaultError(Exception):
    pass


def _mount(*args: str) -> None:
    result = _runner.run(Program.of(["mount", *args]), timeout=30)
    if not result.ok:
        raise KernelFaultError(f"mount {' '.join(args)}: {result.stderr.strip()}")


def make_readonly(host_path: str) -> None:
    """Bind-mount a file or directory onto itself, read-only."""
    _mount("--bind", host_path, host_path)
    _mount("-o", "remount,bind,ro", host_path)


def release(host_path: str) -> None:
    """Undo make_readonly (a no-op when nothing is mounted there)."""
    while is_mounted(host_path):
        if not _runner.run(Program.of(["umount", host_path]), timeout=30).ok:
            _runner.run(Program.of(["umount", "-l", host_path]), timeout=30)


def is_mounted(host_path: str) -> bool:
    real = os.path.realpath(host_path)
    try:
        with open("/proc/self/mountinfo") as handle:
            return any(line.split()[4] == real for line in handle)
    except OSError:
        return False


def mounts_under(host_dir: str) -> list[str]:
    real = os.path.realpath(host_dir).rstrip("/") + "/"
    try:
        with open("/proc/self/mountinfo") as handle:
            points = [line.split()[4] for line in handle]
    except OSError:
        return []
    return sorted({p for p in points if p.startswith(real)}, key=len, reverse=True)


@contextmanager
def readonly(host_paths: list[str]) -> Iterator[None]:
    with ExitStack() as stack:
        for path in host_paths:
            make_readonly(path)
            stack.callback(release, path)
        yield


@contextmanager
def file_size_limit(limit: int | None) -> Iterator[None]:
    """Writes past ``limit`` bytes of any file fail with EFBIG, like a disk that fills up."""
    if limit is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG, not a killed process
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


@contextmanager
def unlimited_bookkeeping() -> Iterator[None]:
    """Lift an inherited file-size limit for a stub's own records (effect log, state)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))

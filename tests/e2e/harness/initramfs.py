"""The small initramfs: static busybox, /init, the 9p modules and the guest-side scripts.

Written as a newc cpio directly (no host cpio, no root needed for /dev/console). The same
image boots the first kernel and is the kdump initrd kexec loads for the capture kernel.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from harness.kernel import Kernel

GUEST_DIR = Path(__file__).resolve().parent.parent / "guest"


class Cpio:
    """Minimal writer for the "newc" format the kernel unpacks."""

    def __init__(self) -> None:
        self.buf = io.BytesIO()
        self.ino = 1

    def _entry(
        self,
        name: str,
        mode: int,
        data: bytes = b"",
        rdev: tuple[int, int] = (0, 0),
        nlink: int = 1,
    ) -> None:
        fields = [
            self.ino,
            mode,
            0,
            0,
            nlink,
            0,
            len(data),
            0,
            0,
            rdev[0],
            rdev[1],
            len(name) + 1,
            0,
        ]
        self.ino += 1
        header = b"070701" + b"".join(b"%08X" % f for f in fields)
        self.buf.write(header + name.encode() + b"\0")
        self._pad()
        self.buf.write(data)
        self._pad()

    def _pad(self) -> None:
        self.buf.write(b"\0" * (-self.buf.tell() % 4))

    def dir(self, name: str) -> None:
        self._entry(name, 0o040755, nlink=2)

    def file(self, name: str, data: bytes, mode: int = 0o644) -> None:
        self._entry(name, 0o100000 | mode, data)

    def symlink(self, name: str, target: str) -> None:
        self._entry(name, 0o120777, target.encode())

    def chardev(self, name: str, major: int, minor: int) -> None:
        self._entry(name, 0o020600, rdev=(major, minor))

    def finish(self) -> bytes:
        self._entry("TRAILER!!!", 0)
        return self.buf.getvalue()


def build(sysroot: Path, kernel: Kernel, dest: Path) -> Path:
    c = Cpio()
    for d in ("bin", "dev", "proc", "sys", "mnt", "newroot", "modules", "e2e"):
        c.dir(d)
    # The kernel opens /dev/console for init's stdio before anything is mounted.
    c.chardev("dev/console", 5, 1)
    c.file("bin/busybox", (sysroot / "usr/bin/busybox").read_bytes(), 0o755)
    c.symlink("bin/sh", "busybox")
    c.file("init", (GUEST_DIR / "init").read_bytes(), 0o755)
    for name in ("phase.sh", "kexec-wrapper"):
        c.file(f"e2e/{name}", (GUEST_DIR / name).read_bytes(), 0o755)
    for ko in kernel.modules:
        c.file(f"modules/{ko.name}", ko.read_bytes())
    c.file("modules/order", "".join(f"{ko.name}\n" for ko in kernel.modules).encode())
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(gzip.compress(c.finish(), compresslevel=6, mtime=0))
    return dest

"""A chroot on an overlay of this machine's own root, for running the package's scripts.

The lower layer is ``/`` (so sh, python3 and the rest are the real programs); the upper
layer holds what a test puts there (the script as shipped, stubs, a config), and whatever
the script writes lands there too. The overlay and its mounts live in a mount namespace of
their own (unshare): nothing of them outlives the run. Needs root and unshare.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

SHIPPED = Path(__file__).resolve().parents[2] / "debian/root"
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


class Overlay:
    def __init__(self, tmp_path: Path) -> None:
        self.upper, self.work, self.merged = (tmp_path / n for n in ("upper", "work", "merged"))
        for path in (self.upper, self.work, self.merged):
            path.mkdir(parents=True)

    def put(self, target: str, text: str, mode: int = 0o644) -> None:
        path = self.upper / target.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(mode)

    def ship(self, target: str, source: Path | None = None) -> None:
        """The package's file ``target`` as shipped (from debian/root unless ``source``)."""
        text = (source or SHIPPED / target.lstrip("/")).read_text()
        self.put(target, text, 0o755)

    def run(self, *argv: str, path: str = SYSTEM_PATH) -> subprocess.CompletedProcess[str]:
        """``argv`` in the chroot, started with ``path`` as the caller's PATH."""
        inner = (f"mount -t overlay overlay -o lowerdir=/,upperdir={self.upper},"
                 f"workdir={self.work} {self.merged} && mount --bind /dev {self.merged}/dev && "
                 f"exec chroot {self.merged} \"$@\"")
        env = {"PATH": path, "LC_ALL": "C"}
        return subprocess.run(["unshare", "--mount", "--propagation", "private",
                               "sh", "-c", inner, "sh", *argv], env=env, capture_output=True,
                              text=True, timeout=120, check=False)

    def read(self, target: str) -> str | None:
        path = self.upper / target.lstrip("/")
        return path.read_text() if path.exists() else None

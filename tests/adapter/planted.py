"""Real trees another user (nobody) can reach and plant in, for the file layer's tests."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NOBODY = 65534


@contextmanager
def tree(prefix: str) -> Iterator[Path]:
    """A fresh tree under /tmp, traversable so that nobody reaches what it may write
    (pytest's own temporary directories are private to root); removed afterwards."""
    base = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    os.chmod(base, 0o755)
    try:
        yield base
    finally:
        subprocess.run(["rm", "-rf", "--one-file-system", str(base)], check=True)


def as_nobody(*argv: str) -> None:
    subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                    *argv], check=True)

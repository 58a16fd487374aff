"""What the two runners (run-qemu, run-systemd) share on their command line: the root
check and the phase timings they print."""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path


class Timer:
    """Wall time of each phase, printed as it ends."""

    def add(self, name: str, seconds: float) -> None:
        print(f"  {name:<44} {seconds:7.1f} s", flush=True)

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        t0 = time.monotonic()
        try:
            yield
        finally:
            self.add(name, time.monotonic() - t0)


def parse_as_root(
    ap: argparse.ArgumentParser, argv: list[str] | None, why: str
) -> tuple[argparse.Namespace, Path, Path] | None:
    """The command line of a runner (run-qemu, run-systemd): its arguments and its resolved
    --cache and --out; None, once it has said so, when not run as root (--help still works
    for anyone)."""
    args = ap.parse_args(argv)
    if os.geteuid() != 0:
        print(f"{ap.prog} must run as root ({why})")
        return None
    return args, args.cache.resolve(), args.out.resolve()

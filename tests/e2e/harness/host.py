"""The host side's plumbing: log lines, commands (argv lists, never a shell), host packages.

Shared by run-qemu and run-systemd; stdlib only (Debian's /usr/bin/python3 runs it).
"""

from __future__ import annotations

import os
import subprocess
import sys


def log(msg: str) -> None:
    print(f"[e2e] {msg}", file=sys.stderr, flush=True)


def run(argv: list[str], **kw) -> subprocess.CompletedProcess[str]:
    """Run a command (argv list, never a shell string); fail loudly with its output."""
    check = kw.pop("check", True)
    kw.setdefault("text", True)
    kw.setdefault("capture_output", True)
    done = subprocess.run(argv, **kw)
    if check and done.returncode != 0:
        raise SystemExit(
            f"command failed ({done.returncode}): {' '.join(argv)}\n"
            f"{done.stdout or ''}{done.stderr or ''}"
        )
    return done


# ---------------------------------------------------------------- host packages --------------


def host_has(package: str) -> bool:
    done = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return done.returncode == 0 and done.stdout.strip() == "install ok installed"


def ensure_host_packages(packages: list[str]) -> None:
    """apt-get install only what is missing (idempotent; no network when all present)."""
    missing = [p for p in packages if not host_has(p)]
    if not missing:
        return
    log(f"installing host packages: {' '.join(missing)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # CI runs other jobs beside this one (maintainer-check, run-qemu) that may install too:
    # wait for dpkg's lock instead of failing on it.
    lock = ["-o", "DPkg::Lock::Timeout=900"]
    run(["apt-get", *lock, "update", "-q"], env=env, check=False)
    run(["apt-get", *lock, "install", "-y", "-q", "--no-install-recommends", *missing], env=env)

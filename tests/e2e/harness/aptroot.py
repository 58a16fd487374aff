"""A private APT root per guest userland (<cache>/apt/<arch>/): its own sources, lists, empty
dpkg status and downloaded .debs. The host's dpkg is never told about foreign architectures."""

from __future__ import annotations

import hashlib
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from harness.arches import Arch
from harness.host import log, run

LIST_MAX_AGE = 24 * 3600  # re-run apt-get update for a private root after a day

DEBIAN_SOURCES = """\
deb [signed-by={keyring}] http://deb.debian.org/debian {release} main
deb [signed-by={keyring}] http://deb.debian.org/debian {release}-updates main
deb [signed-by={keyring}] http://deb.debian.org/debian-security {release}-security main
"""
# Only for the guests that boot a backports kernel (Arch.backports): the package lists are
# fetched per APT root, so the others do not pay for them.
BACKPORTS_SOURCE = (
    "deb [signed-by={keyring}] http://deb.debian.org/debian {release}-backports main\n"
)
BACKPORTS = "backports"
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"


class AptRoot:
    """apt-get/apt-cache confined to <cache>/apt/<arch>: its own lists, status and archives."""

    def __init__(self, cache: Path, arch: Arch) -> None:
        self.arch = arch
        self.root = cache / "apt" / arch.name
        self.archives = self.root / "var/cache/apt/archives"

    def _opts(self) -> list[str]:
        r = self.root
        settings = [
            f"Dir={r}",
            f"Dir::State::status={r}/var/lib/dpkg/status",
            f"APT::Architecture={self.arch.deb}",
            f"APT::Architectures={self.arch.deb}",
            "Acquire::Languages=none",
            "Acquire::Retries=3",
            "APT::Sandbox::User=root",  # the cache may not be readable by _apt
            "Debug::NoLocking=1",  # a private root: nobody else uses these locks
            "APT::Install-Recommends=false",
        ]
        return [arg for setting in settings for arg in ("-o", setting)]

    def apt(self, tool: str, *args: str, **kw) -> subprocess.CompletedProcess[str]:
        return run([tool, *self._opts(), *args], **kw)

    def prepare(self, refresh: bool) -> None:
        for d in (
            "etc/apt/apt.conf.d",
            "etc/apt/preferences.d",
            "etc/apt/sources.list.d",
            "etc/apt/trusted.gpg.d",
            "var/lib/dpkg",
            "var/lib/apt/lists/partial",
            "var/cache/apt/archives/partial",
        ):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        (self.root / "var/lib/dpkg/status").touch()
        sources = DEBIAN_SOURCES + (BACKPORTS_SOURCE if self.arch.backports else "")
        (self.root / "etc/apt/sources.list").write_text(
            sources.format(keyring=KEYRING, release=self.arch.release)
        )
        lists = self.root / "var/lib/apt/lists"
        stamp = self.root / "updated"
        fresh = stamp.exists() and time.time() - stamp.stat().st_mtime < LIST_MAX_AGE
        if fresh and not refresh:
            return
        log(f"apt-get update ({self.arch.name})")
        done = self.apt("apt-get", "update", "-q", check=False)
        # A mirror caught mid-sync fails one index ("File has unexpected size") while the
        # others are fine: go on with what we have, as long as <release> main is there.
        if not list(lists.glob(f"*_debian_dists_{self.arch.release}_main_binary-*_Packages*")):
            raise SystemExit(
                f"apt-get update for {self.arch.name} failed:\n{done.stdout}{done.stderr}"
            )
        if done.returncode != 0:
            log(
                f"warning: apt-get update ({self.arch.name}) partly failed; using the lists "
                "it did fetch:\n"
                + "\n".join(
                    line
                    for line in (done.stdout + done.stderr).splitlines()
                    if line.startswith(("E:", "Err"))
                )
            )
        stamp.touch()

    def memo(self, what: str, compute: Callable[[], list[str]]) -> list[str]:
        """Answers from apt-get/apt-cache are fixed until the next `update`: keep them, since
        each apt call here rebuilds its cache from the lists (seconds per call)."""
        memo = self.root / "memo" / hashlib.sha256(what.encode()).hexdigest()[:16]
        stamp = self.root / "updated"
        if memo.exists() and stamp.exists() and memo.stat().st_mtime >= stamp.stat().st_mtime:
            return memo.read_text().splitlines()
        lines = compute()
        memo.parent.mkdir(exist_ok=True)
        memo.write_text("".join(f"{line}\n" for line in lines))
        return lines

    def pins(self, packages: list[str]) -> list[tuple[str, str, str]]:
        lines = self.memo(
            "resolve " + " ".join(packages), lambda: [" ".join(p) for p in self.resolve(packages)]
        )
        return [tuple(line.split()) for line in lines]  # type: ignore[misc]

    def resolve(self, packages: list[str], suite: str = "") -> list[tuple[str, str, str]]:
        """The full dependency closure as (name, version, arch), from a simulated install
        into an empty system (preferring ``suite``'s versions when given)."""
        target = ["-t", suite] if suite else []
        done = self.apt("apt-get", "install", "-s", "-q", *target, *packages)
        found = re.findall(r"^Inst (\S+) \((\S+) .*?\[(\S+)\]\)", done.stdout, re.M)
        if not found:
            raise SystemExit(f"could not resolve {packages}:\n{done.stdout}{done.stderr}")
        return [(n.split(":")[0], v, a) for n, v, a in found]

    def kernel_pin(self, suite: str = "") -> tuple[str, str, str]:
        """The versioned kernel package the meta package depends on (it changes with point
        releases, so never hard-code it), pinned to its candidate version; with ``suite``
        (bookworm-backports), that suite's meta package instead."""
        suite = f"{self.arch.release}-{suite}" if suite else ""
        meta = f"{self.arch.kernel_meta}/{suite}" if suite else self.arch.kernel_meta

        def compute() -> list[str]:
            done = self.apt("apt-cache", "depends", meta)
            m = re.search(r"Depends: (linux-image-\S+)", done.stdout)
            if not m:
                raise SystemExit(f"cannot resolve {meta}:\n{done.stdout}")
            pin = next(p for p in self.resolve([m.group(1)], suite) if p[0] == m.group(1))
            return [" ".join(pin)]

        name, version, arch = self.memo("kernel " + meta, compute)[0].split()
        return name, version, arch

    def fetch(self, pins: list[tuple[str, str, str]]) -> list[Path]:
        """Download exactly these versions (already-present .debs are not fetched again)."""
        paths = [self.archives / deb_filename(n, v, a) for n, v, a in pins]
        wanted = [f"{n}={v}" for (n, v, _), p in zip(pins, paths, strict=True) if not p.exists()]
        if wanted:
            log(f"downloading {len(wanted)} packages ({self.arch.name})")
            self.apt("apt-get", "download", "-q", *wanted, cwd=self.archives)
        missing = [p for p in paths if not p.exists()]
        if missing:
            raise SystemExit(f"downloads missing: {missing}")
        return paths


def deb_filename(name: str, version: str, arch: str) -> str:
    # APT's archive names encode the epoch colon as %3a.
    return f"{name}_{version.replace(':', '%3a')}_{arch}.deb"

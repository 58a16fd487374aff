"""A guest's /usr (and /etc) (<cache>/sysroot/<arch>-<key>/): unpacked from a package closure
with `dpkg -x`, usr-merged, stdlib byte-compiled. Key = hash of the .debs.

Why a sysroot per architecture instead of the host's /usr: the POWER guest cannot run amd64
binaries anyway, and with one recipe for both arches kexec, makedumpfile and their Xen/ELF
libraries come in by dependency resolution, not by copying what `ldd` shows.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path

from harness.arches import Arch
from harness.host import log, run

# Bump when the way a sysroot is assembled changes, so old caches are not reused.
SYSROOT_RECIPE = "3"

MERGED_DIRS = ("bin", "sbin", "lib", "lib64", "lib32", "libx32")


def build_sysroot(cache: Path, arch: Arch, debs: list[Path]) -> Path:
    key = hashlib.sha256(
        "\n".join([SYSROOT_RECIPE, *sorted(d.name for d in debs)]).encode()
    ).hexdigest()[:16]
    dest = cache / "sysroot" / f"{arch.name}-{key}"
    if (dest / ".complete").exists():
        return dest
    log(f"building the {arch.name} guest sysroot from {len(debs)} packages")
    (cache / "sysroot").mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=cache / "sysroot", prefix=f".{arch.name}-"))
    try:
        for deb in debs:
            run(["dpkg-deb", "-x", str(deb), str(tmp)])
        usr_merge(tmp)
        # /usr/bin/python3 etc. come from the packages; Debian byte-compiles the stdlib in
        # postinst, which dpkg -x does not run. Without .pyc every guest python start
        # compiles what it imports, under TCG emulation. The host's /usr/bin/python3 is the
        # same 3.11 (pyc is architecture-independent and keyed on source mtime, which the
        # 9p share passes through unchanged).
        py_dirs = [p for p in tmp.glob("usr/lib/python3*") if p.is_dir()]
        if py_dirs:
            compile_python(arch, tmp, py_dirs)
        for stale in stale_entries(cache / "sysroot", arch):
            shutil.rmtree(stale, ignore_errors=True)
        tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    (dest / ".complete").touch()
    return dest


def stale_entries(parent: Path, arch: Arch) -> list[Path]:
    """Earlier builds for this guest userland (never another's: "arm64" is a prefix of
    "arm64-trixie")."""
    pattern = re.compile(rf"{re.escape(arch.name)}-[0-9a-f]{{16}}")
    return [p for p in parent.iterdir() if pattern.fullmatch(p.name)]


# qemu-user runs the guest's own python3 on the host to byte-compile for a release whose
# python3 is not the host's (pyc files are version-specific, not architecture-specific).
QEMU_USER_PACKAGE = "qemu-user-static"


def compile_python(arch: Arch, sysroot: Path, dirs: list[Path]) -> None:
    """Write the .pyc files Debian's postinst would have (dpkg -x runs no scripts): without
    them every guest python start compiles what it imports, under TCG emulation."""
    if arch.python == HOST_PYTHON:
        argv = ["/usr/bin/python3"]
    else:
        argv = [
            f"/usr/bin/qemu-{arch.uname}-static",
            "-L",
            str(sysroot),
            str(sysroot / f"usr/bin/python{arch.python}"),
        ]
    run([*argv, "-m", "compileall", "-q", "-j0", *map(str, dirs)], check=False)


HOST_PYTHON = "3.11"  # Debian 12's /usr/bin/python3, which runs this harness


def usr_merge(root: Path) -> None:
    """Move /bin, /lib... into /usr as Debian 12's merged-/usr does; the guest then makes
    /bin -> usr/bin etc. Bookworm packages still ship some files in the old places."""
    for name in MERGED_DIRS:
        top = root / name
        if top.is_symlink() or not top.is_dir():
            continue
        target = root / "usr" / name
        for src in sorted(top.rglob("*")):
            rel = src.relative_to(top)
            dst = target / rel
            if src.is_dir() and not src.is_symlink():
                dst.mkdir(parents=True, exist_ok=True)
            elif not dst.exists() and not dst.is_symlink():
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.rename(src, dst)
        shutil.rmtree(top)


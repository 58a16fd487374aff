"""Everything the QEMU guests need, fetched from Debian's archive and cached.

Layout of the cache directory (``--cache``, default /var/cache/kdump-e2e):

    apt/<arch>/          a private APT root per Debian architecture: its own sources, lists,
                         empty dpkg status and downloaded .debs. The host's dpkg is never told
                         about foreign architectures.
    kernel/<pkg>/        boot/ and the few modules the initramfs needs, from one kernel .deb
    sysroot/<arch>-<key>/
                         the guest's /usr (and /etc), unpacked from a package closure with
                         `dpkg -x`, usr-merged, stdlib byte-compiled. Key = hash of the .debs.
    venv/<key>/          the project's venv for the guests (pure Python, so one serves both
                         architectures: the guest sees it at the same absolute path)
    pip/                 pip's download cache

Why a sysroot per architecture instead of the host's /usr: the POWER guest cannot run amd64
binaries anyway, and with one recipe for both arches kexec, makedumpfile and their Xen/ELF
libraries come in by dependency resolution, not by copying what `ldd` shows.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# What the guest root must hold. python3 for the project's kdump-config; kexec-tools and
# makedumpfile are the real tools it drives; procps gives sysctl (panic_on_oops), mount and
# util-linux what NFS savecore would use, bsdutils gives logger, iproute2 gives ip (HOSTTAG).
# The rest of Debian's Essential set is listed too (a dependency closure never pulls in
# Essential packages: every Debian system is assumed to have them). busybox-static is only
# used for the initramfs. usr-is-merged stops dash pulling in usrmerge (and perl).
GUEST_PACKAGES = (
    "python3",
    "kexec-tools",
    "makedumpfile",
    "procps",
    "mount",
    "util-linux",
    "bsdutils",
    "iproute2",
    "base-files",
    "bash",
    "coreutils",
    "dash",
    "debianutils",
    "diffutils",
    "findutils",
    "grep",
    "gzip",
    "hostname",
    "libc-bin",
    "sed",
    "tar",
    "usr-is-merged",
    "busybox-static",
)

# Modules the initramfs loads to mount the 9p shares (per architecture: see Arch.modules).
# Dependencies are added from each module's own .modinfo, so only the leaves are listed.
INITRAMFS_MODULES = ("virtio_pci", "9pnet_virtio", "9p")
# arm64 guests use QEMU's virt board with virtio over MMIO (virtio-9p-device): no PCI bus
# to probe, and Debian builds virtio_mmio as a module there.
INITRAMFS_MODULES_MMIO = ("virtio_mmio", "9pnet_virtio", "9p")

# Bump when the way a sysroot is assembled changes, so old caches are not reused.
SYSROOT_RECIPE = "3"

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


@dataclasses.dataclass(frozen=True)
class Arch:
    """A guest userland: one Debian architecture of one Debian release."""

    name: str  # key in ARCHES; names the APT root, sysroot and venv in the cache
    deb: str  # Debian architecture name
    uname: str  # what `uname -m` says in the guest
    kernel_meta: str  # the meta package whose Depends names the current kernel
    image_prefix: str  # /boot/<prefix>-<ver>: vmlinuz (bzImage) or vmlinux (ELF)
    qemu_package: str
    qemu_binary: str
    modules: tuple[str, ...] = INITRAMFS_MODULES
    backports: bool = False  # also fetch <release>-backports' lists (a newer kernel)
    release: str = "bookworm"
    python: str = "3.11"  # the release's python3 (the guest venv is built for it)


_ARM64 = Arch(
    name="arm64",
    deb="arm64",
    uname="aarch64",
    kernel_meta="linux-image-arm64",
    image_prefix="vmlinuz",
    qemu_package="qemu-system-arm",
    qemu_binary="qemu-system-aarch64",
    modules=INITRAMFS_MODULES_MMIO,
    backports=True,
)

ARCHES = {
    "amd64": Arch(
        name="amd64",
        deb="amd64",
        uname="x86_64",
        kernel_meta="linux-image-amd64",
        image_prefix="vmlinuz",
        qemu_package="qemu-system-x86",
        qemu_binary="qemu-system-x86_64",
    ),
    "ppc64el": Arch(
        name="ppc64el",
        deb="ppc64el",
        uname="ppc64le",
        kernel_meta="linux-image-powerpc64le",
        image_prefix="vmlinux",
        qemu_package="qemu-system-ppc",
        qemu_binary="qemu-system-ppc64",
    ),
    # Debian's arm64 /boot/vmlinuz is a raw Image (with an EFI stub), which QEMU's virt
    # board boots with -kernel as it is.
    "arm64": _ARM64,
    # Debian 13: kernel 6.12 with CONFIG_KALLSYMS_ALL, kexec-tools and a makedumpfile that
    # reads its 52-bit-VA dumps; python3 is 3.13.
    "arm64-trixie": dataclasses.replace(_ARM64, name="arm64-trixie", backports=False,
                                        release="trixie", python="3.13"),
}


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
    run(["apt-get", "update", "-q"], env=env, check=False)
    run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing], env=env)


# ---------------------------------------------------------------- private APT root -----------


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


# ---------------------------------------------------------------- kernel ---------------------


@dataclasses.dataclass(frozen=True)
class Kernel:
    release: str  # `uname -r`
    image: Path  # boot/vmlinuz-<rel> or boot/vmlinux-<rel>
    config: Path
    modules: list[Path]  # in load order


def unpack_kernel(cache: Path, arch: Arch, deb: Path) -> Kernel:
    dest = cache / "kernel" / deb.stem
    if not (dest / ".complete").exists():
        log(f"unpacking {deb.name}")
        shutil.rmtree(dest, ignore_errors=True)
        (cache / "kernel").mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=cache / "kernel", prefix=".unpack-"))
        try:
            run(["dpkg-deb", "-x", str(deb), str(tmp)])
            (dest / "modules").mkdir(parents=True)
            shutil.copytree(tmp / "boot", dest / "boot")
            # Debian 13's kernel packages ship /usr/lib/modules (merged /usr).
            modules = next(d for d in (tmp / "lib/modules", tmp / "usr/lib/modules") if d.is_dir())
            mod_root = next(modules.iterdir())
            closure = module_closure(mod_root, arch.modules)
            if not closure:
                raise SystemExit(f"{deb.name}: none of the modules {arch.modules} found")
            names = []
            for ko in closure:
                # Newer kernels ship modules xz-compressed; busybox insmod wants them raw.
                name = ko.name.removesuffix(".xz")
                (dest / "modules" / name).write_bytes(read_module(ko))
                names.append(name)
            (dest / "modules/order").write_text("".join(f"{name}\n" for name in names))
            (dest / "release").write_text(mod_root.name + "\n")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        (dest / ".complete").touch()
    release = (dest / "release").read_text().strip()
    order = (dest / "modules/order").read_text().split()
    return Kernel(
        release=release,
        image=dest / "boot" / f"{arch.image_prefix}-{release}",
        config=dest / "boot" / f"config-{release}",
        modules=[dest / "modules" / name for name in order],
    )


def read_module(ko: Path) -> bytes:
    import lzma

    return lzma.decompress(ko.read_bytes()) if ko.suffix == ".xz" else ko.read_bytes()


def module_closure(mod_root: Path, leaves: tuple[str, ...]) -> list[Path]:
    """Modules to insmod, dependencies first. Reads `depends=` from each .ko's .modinfo
    strings, so no depmod (and no foreign-arch kmod) is needed on the host."""
    by_name: dict[str, Path] = {}
    for ko in [*mod_root.rglob("*.ko"), *mod_root.rglob("*.ko.xz")]:
        by_name[ko.name.split(".")[0].replace("-", "_")] = ko
    ordered: list[Path] = []

    def visit(name: str, stack: tuple[str, ...]) -> None:
        key = name.replace("-", "_")
        ko = by_name.get(key)
        if ko is None:  # built into the kernel
            return
        if ko in ordered or key in stack:
            return
        m = re.search(rb"depends=([^\0]*)\0", read_module(ko))
        for dep in m.group(1).decode().split(",") if m and m.group(1) else []:
            visit(dep, (*stack, key))
        ordered.append(ko)

    for leaf in leaves:
        visit(leaf, ())
    return ordered


# ---------------------------------------------------------------- sysroot --------------------

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


# ---------------------------------------------------------------- venv -----------------------

VENV_SKIP = {
    ".git",
    ".venv",
    "__pycache__",
    "build",
    "dist",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    "tests",
    "features",
    "bench",
}


def project_key(project: Path) -> str:
    """Hash of what `pip install DIR` would package: every file outside the usual
    caches and test trees (names, sizes and contents)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(project):
        dirnames[:] = sorted(set(dirnames) - set(_skipped(dirpath, dirnames)))
        for name in sorted(filenames):
            p = Path(dirpath, name)
            if p.is_file():
                h.update(str(p.relative_to(project)).encode() + b"\0")
                h.update(p.read_bytes())
    return h.hexdigest()[:16]


def build_venv(
    cache: Path,
    project: Path,
    arch: Arch,
    host_venv: Path | None = None,
    sysroot: Path | None = None,
) -> Path:
    """A venv with the project installed, for guests of one architecture; reused while the
    project is unchanged. Built with Debian's /usr/bin/python3 (the same 3.11 as the guest
    sysroot's), so its pyvenv.cfg says home = /usr/bin, which in the guest is the sysroot's
    python. The guest mounts the cache at the same absolute path, so shebangs stay valid.

    For the host's architecture this is `pip install PROJECT` in the venv. For another one
    (ppc64el) pip cannot run there, and the dependencies are not all pure Python (typer needs
    pydantic, whose core is compiled), so the host's pip installs that platform's wheels
    with --target --platform, and the console scripts are written here."""
    if not (project / "pyproject.toml").exists():
        raise SystemExit(f"--project {project}: no pyproject.toml")
    key = project_key(project)
    dest = cache / "venv" / f"{arch.name}-{key}"
    if (dest / ".complete").exists():
        return dest
    log(f"building the {arch.name} guest venv from {project}")
    (cache / "venv").mkdir(parents=True, exist_ok=True)
    for stale in stale_entries(cache / "venv", arch):
        shutil.rmtree(stale, ignore_errors=True)
    pip_common = ["-q", "--disable-pip-version-check", "--cache-dir", str(cache / "pip")]
    # pip builds a local tree in place: build/ and *.egg-info would land in the project, and
    # setuptools' build/lib keeps modules deleted since. Build from a clean copy of exactly
    # what project_key() hashed.
    src = dest.with_name(dest.name + ".src")
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(project, src, symlinks=True, ignore=_skipped)
    try:
        _install(dest, src, arch, host_venv, pip_common)
        if arch.python != HOST_PYTHON and sysroot is not None:
            compile_python(arch, sysroot, [next(dest.glob(f"lib/python{arch.python}/"))])
    finally:
        shutil.rmtree(src, ignore_errors=True)
    if not (dest / "bin/kdump-config").exists():
        raise SystemExit("the project installed no kdump-config console script")
    (dest / ".complete").touch()
    return dest


def _skipped(directory: str, names: list[str]) -> list[str]:
    return [n for n in names if n in VENV_SKIP or n.endswith(".egg-info")]


def _install(
    dest: Path, project: Path, arch: Arch, host_venv: Path | None, pip_common: list[str]
) -> None:
    if host_venv is None:
        run(["/usr/bin/python3", "-m", "venv", str(dest)])
        run([str(dest / "bin/pip"), "install", *pip_common, str(project)])
    else:
        run(["/usr/bin/python3", "-m", "venv", "--without-pip", str(dest)])
        wheels = dest / ".wheels"
        # Wheels for the project and every dependency: sdist-only ones get built here
        # (pure Python ones then install anywhere); compiled ones are fetched below.
        run([str(host_venv / "bin/pip"), "wheel", *pip_common, "-w", str(wheels), str(project)])
        platforms = [f"manylinux_2_{minor}_{arch.uname}" for minor in range(17, 42)]
        # The guest's python finds lib/python<its version>/site-packages (pyvenv.cfg's home
        # is /usr/bin, which in the guest is the release's python3).
        site = dest / f"lib/python{arch.python}/site-packages"
        site.mkdir(parents=True, exist_ok=True)
        cp = "cp" + arch.python.replace(".", "")
        run(
            [
                str(host_venv / "bin/pip"),
                "install",
                *pip_common,
                "--target",
                str(site),
                "--python-version",
                arch.python,
                "--implementation",
                "cp",
                "--abi",
                cp,
                *(f"--platform={p}" for p in ["manylinux2014_" + arch.uname, *platforms]),
                "--only-binary=:all:",
                "--find-links",
                str(wheels),
                *(str(w) for w in wheels.glob(f"{project_dist_name(project)}-*.whl")),
            ]
        )
        shutil.rmtree(site / "bin", ignore_errors=True)  # scripts for the host's python
        write_console_scripts(dest)


def project_dist_name(project: Path) -> str:
    """The wheel-file prefix of the project ("kdump-config" -> "kdump_config")."""
    import tomllib

    name = tomllib.loads((project / "pyproject.toml").read_text())["project"]["name"]
    return re.sub(r"[-_.]+", "_", name).lower()


def write_console_scripts(venv: Path) -> None:
    """What pip writes for [console_scripts] entry points, for a venv pip did not install."""
    import configparser

    python = venv / "bin/python3"
    for eps in venv.glob("lib/python3*/site-packages/*.dist-info/entry_points.txt"):
        parser = configparser.ConfigParser(delimiters=("=",))
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read(eps)
        if not parser.has_section("console_scripts"):
            continue
        for name, target in parser.items("console_scripts"):
            module, _, func = target.strip().partition(":")
            script = venv / "bin" / name
            script.write_text(
                f"#!{python}\nimport sys\nfrom {module} import {func.split('.')[0]}\n"
                f"if __name__ == '__main__':\n    sys.exit({func}())\n"
            )
            script.chmod(0o755)

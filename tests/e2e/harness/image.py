"""The systemd guest's disk: a Debian trixie root from debootstrap, cached by content hash.

Layout under the cache directory (``--cache``, default /var/cache/kdump-config-ci):

    systemd/debs/            debootstrap's downloaded .debs (--cache-dir), kept across recipes
    systemd/base-<key>/root  the configured trixie root, before any kdump package; key = hash
                             of BASE_PACKAGES, this file and tests/e2e/systemd-guest/*
    systemd/debian-debs/     Debian's kdump-tools .deb (the reference package), when used

A run copies the base root, installs the package under test into the copy with apt (in a
chroot; Depends come from Debian), then writes it into an ext4 image with `mkfs.ext4 -d` (no
loop devices, no mounts on the host). The guest kernel and initrd are read from the copy and
booted directly with QEMU's -kernel/-initrd.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from harness.host import log, run
from harness.targets import HOSTS_LINE

HERE = Path(__file__).resolve().parent
GUEST_FILES = HERE.parent / "systemd-guest"

SUITE = "trixie"
MIRROR = "http://deb.debian.org/debian"

# The guest: systemd as init, Debian's kernel and initramfs-tools, the tools kdump-config
# drives, and the Python libraries the project's package depends on (installed up front, so
# installing a package later needs the network only for what else it declares). minbase
# keeps out what a dump test never uses.
BASE_PACKAGES = (
    "systemd",
    "systemd-sysv",
    "udev",
    "linux-image-amd64",
    "initramfs-tools",
    "kexec-tools",
    "makedumpfile",
    "python3",
    "python3-typer",
    "python3-structlog",
    "procps",
    "kmod",
    "e2fsprogs",
    "busybox",
    "file",
    "ucf",
    "debconf",
    # The network as Debian's installer leaves a trixie server (ifupdown, DHCP by dhcpcd),
    # and the clients of the network dump targets (harness/targets.py).
    "ifupdown",
    "dhcpcd-base",
    "iproute2",
    "openssh-client",
    "nfs-common",
)

# The NIC QEMU gives the guest (harness/targets.py: virtio-net-pci at PCI slot 0x10): udev
# names it by that slot.
NIC = "ens16"

IMAGE_SIZE = "4G"  # sparse; the root takes ~1 GB, the rest is room for dumps


def _in_chroot(
    root: Path, *argv: str, check: bool = True, timeout: int = 1800
) -> subprocess.CompletedProcess[str]:
    """argv inside the root, in a private mount namespace (see systemd-guest/in-chroot)."""
    env = {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG": "C.UTF-8",
        "DEBIAN_FRONTEND": "noninteractive",
        "HOME": "/root",
    }
    return run(
        ["unshare", "--mount", str(GUEST_FILES / "in-chroot"), str(root), *argv],
        env=env,
        check=check,
        timeout=timeout,
    )


def recipe_key() -> str:
    """Hash of what goes into the base root: suite, mirror, packages, the code that builds
    and configures it, and the guest's files (not the rest of this module, so changing how
    a package is installed does not cost a debootstrap)."""
    h = hashlib.sha256()
    h.update("\n".join((SUITE, MIRROR, *BASE_PACKAGES, NIC, HOSTS_LINE)).encode())
    for fn in (base_root, configure, _in_chroot):
        h.update(inspect.getsource(fn).encode())
    for p in sorted(GUEST_FILES.iterdir()):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


def base_root(cache: Path) -> Path:
    """The configured trixie root (built once per recipe)."""
    top = cache / "systemd"
    dest = top / f"base-{recipe_key()}"
    if (dest / ".complete").exists():
        return dest / "root"
    top.mkdir(parents=True, exist_ok=True)
    (top / "debs").mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=top, prefix=".base-"))
    root = tmp / "root"
    try:
        log(f"debootstrap {SUITE} ({len(BASE_PACKAGES)} packages and their closure)")
        run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(BASE_PACKAGES)}",
                f"--cache-dir={top / 'debs'}",
                SUITE,
                str(root),
                MIRROR,
            ],
            timeout=3600,
        )
        configure(root)
        (tmp / ".complete").touch()
        # Older recipes go only once this one is complete: an interrupted build keeps them.
        for stale in [*top.glob("base-*"), *top.glob(".base-*")]:
            if stale != tmp:
                remove_tree(stale)
        tmp.rename(dest)
    except BaseException:
        remove_tree(tmp)
        raise
    return dest / "root"


def configure(root: Path) -> None:
    """What an installed Debian would have, plus the test agent."""
    (root / "etc/hostname").write_text("kdump-systemd\n")
    # dumphost: the loopback servers of the network targets, forwarded by QEMU.
    (root / "etc/hosts").write_text(
        f"127.0.0.1 localhost\n127.0.1.1 kdump-systemd\n{HOSTS_LINE}\n"
    )
    # What the installer writes for a DHCP interface (allow-hotplug: brought up by udev).
    (root / "etc/network/interfaces").write_text(
        "source /etc/network/interfaces.d/*\n\n"
        "auto lo\niface lo inet loopback\n\n"
        f"allow-hotplug {NIC}\niface {NIC} inet dhcp\n"
    )
    (root / "etc/fstab").write_text("/dev/vda / ext4 rw,errors=remount-ro 0 1\n")
    # A persistent journal: the capture kernel's boot is read from the next boot.
    (root / "var/log/journal").mkdir(parents=True, exist_ok=True)
    (root / "etc/apt/sources.list").write_text(
        f"deb {MIRROR} {SUITE} main\n"
        f"deb {MIRROR} {SUITE}-updates main\n"
        f"deb http://deb.debian.org/debian-security {SUITE}-security main\n"
    )
    shutil.copy2(GUEST_FILES / "e2e-agent", root / "usr/local/sbin/e2e-agent")
    shutil.copy2(GUEST_FILES / "e2e-agent.service", root / "etc/systemd/system/e2e-agent.service")
    wants = root / "etc/systemd/system/sysinit.target.wants"
    wants.mkdir(parents=True, exist_ok=True)
    (wants / "e2e-agent.service").symlink_to("/etc/systemd/system/e2e-agent.service")
    # No root password, no login: the host drives the guest through the agent only.
    shutil.copy2("/etc/resolv.conf", root / "etc/resolv.conf")
    _in_chroot(root, "apt-get", "update", "-q")
    # Pre-compile python3's stdlib (dpkg did, but typer/structlog imports cost seconds under
    # TCG, so the first kdump-config call should not also compile).
    _in_chroot(root, "py3compile", "-q", "/usr/lib/python3", check=False)


@dataclasses.dataclass(frozen=True)
class Installed:
    package: str  # the binary package name the .deb declares
    version: str
    release: str  # the guest kernel's `uname -r`
    kernel: Path  # /boot/vmlinuz-<release> copied out of the root
    initrd: Path
    crashkernel: str  # crashkernel= value from the package's grub snippet
    grub_snippet: str  # where it came from (path inside the guest)
    apt_log: str
    kdump_initrd_built: bool  # /var/lib/kdump/initrd.img-<release> right after the install


def deb_field(deb: Path, field: str) -> str:
    return run(["dpkg-deb", "-f", str(deb), field]).stdout.strip()


def install(base: Path, deb: Path, work: Path) -> tuple[Path, Installed]:
    """Copy the base root to work/root and install the .deb into it with apt. Returns the
    root and what was installed; raises SystemExit with apt's output on failure."""
    root = work / "root"
    if root.exists():
        run(["rm", "-rf", "--one-file-system", str(root)])
    work.mkdir(parents=True, exist_ok=True)
    run(["cp", "-a", "--reflink=auto", str(base), str(root)])
    policy = root / "usr/sbin/policy-rc.d"
    policy.write_text("#!/bin/sh\n# tests/e2e/run-systemd: start nothing in the chroot\nexit 101\n")
    policy.chmod(0o755)
    # /tmp is a fresh tmpfs inside the chroot: the .deb goes to a directory of the root.
    pkgdir = root / "var/cache/e2e-pkg"
    pkgdir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(deb, pkgdir / deb.name)
    done = _in_chroot(
        root,
        "apt-get",
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
        "-o",
        "Dpkg::Options::=--force-confnew",
        f"/var/cache/e2e-pkg/{deb.name}",
        check=False,
    )
    apt_log = done.stdout + done.stderr
    (work / "apt-install.log").write_text(apt_log)
    policy.unlink()
    shutil.rmtree(pkgdir)
    if done.returncode != 0:
        raise SystemExit(f"apt-get install {deb.name} exited {done.returncode}:\n{apt_log[-3000:]}")
    # The guest boots the kernel and initrd QEMU is given (copied out below): regenerating
    # /boot/initrd.img in the guest, as the initramfs-tools trigger does when the package
    # is purged, would cost minutes under TCG for a file nothing uses. Kdump initrds are
    # made by the package's kernel hook with mkinitramfs, which this setting does not touch.
    conf = root / "etc/initramfs-tools/update-initramfs.conf"
    conf.write_text(re.sub(r"(?m)^update_initramfs=.*$", "update_initramfs=no", conf.read_text()))
    package = deb_field(deb, "Package")
    status = _in_chroot(root, "dpkg-query", "-W", "-f=${Status} ${Version}", package, check=False)
    if not status.stdout.startswith("install ok installed"):
        raise SystemExit(f"dpkg says {package} is {status.stdout!r} after apt-get install")
    version = status.stdout.split()[-1]

    releases = sorted(p.name for p in (root / "usr/lib/modules").iterdir())
    if len(releases) != 1:
        raise SystemExit(f"expected one kernel in the guest, found {releases}")
    release = releases[0]
    kernel = work / f"vmlinuz-{release}"
    initrd = work / f"initrd.img-{release}"
    shutil.copy2(root / "boot" / kernel.name, kernel)
    shutil.copy2(root / "boot" / initrd.name, initrd)
    snippet, crashkernel = grub_crashkernel(root)
    built = (root / f"var/lib/kdump/initrd.img-{release}").is_file()
    return root, Installed(
        package, version, release, kernel, initrd, crashkernel, snippet, apt_log, built
    )


def check_man_pages(root: Path, work: Path) -> tuple[bool, str]:
    """``man kdump-config`` and ``man 5 kdump-tools`` as a reader of the guest sees them:
    man-db is installed into the guest's root and tests/deb/check_installed.py runs there.
    (ok, its output)."""
    done = _in_chroot(root, "apt-get", "install", "-y", "-q", "--no-install-recommends",
                      "man-db", check=False)
    if done.returncode != 0:
        return False, f"apt-get install man-db exited {done.returncode}: {done.stderr[-1000:]}"
    script = Path(__file__).resolve().parents[2] / "deb/check_installed.py"
    shutil.copy2(script, root / "var/tmp/check_installed.py")
    done = _in_chroot(root, "python3", "/var/tmp/check_installed.py", check=False)
    (root / "var/tmp/check_installed.py").unlink()
    output = (done.stdout + done.stderr).strip()
    (work / "man-pages.log").write_text(output + "\n")
    return done.returncode == 0, output


def grub_crashkernel(root: Path) -> tuple[str, str]:
    """The crashkernel= the package puts on the kernel command line through
    /etc/default/grub.d/. The guest boots without grub, so the snippets are evaluated here
    the way update-grub does (sourced by sh, in the guest root), and the value goes on QEMU's
    -append line."""
    snippets = sorted(p.name for p in (root / "etc/default/grub.d").glob("*.cfg"))
    done = _in_chroot(
        root,
        "sh",
        "-c",
        'for f in /etc/default/grub.d/*.cfg; do . "$f"; done; '
        'printf "%s\\n" "$GRUB_CMDLINE_LINUX_DEFAULT $GRUB_CMDLINE_LINUX"',
    )
    found = re.findall(r"(?:^|\s)crashkernel=(\S+)", done.stdout)
    if not found:
        raise SystemExit(
            f"the package's /etc/default/grub.d/ ({snippets}) sets no crashkernel=: {done.stdout!r}"
        )
    return "/etc/default/grub.d/{" + ",".join(snippets) + "}", found[-1]


def make_image(root: Path, image: Path) -> None:
    """An ext4 file system holding the root (owners, modes, links as they are)."""
    image.unlink(missing_ok=True)
    # What systemd-update-done leaves after a boot: without it the first boot rebuilds the
    # ld.so and journal catalog caches (ConditionNeedsUpdate), a minute under TCG.
    usr_ns = (root / "usr").stat().st_mtime_ns
    for stamp in (root / "etc/.updated", root / "var/.updated"):
        stamp.write_text(f"# tests/e2e/run-systemd\nTIMESTAMP_NSEC={usr_ns}\n")
        os.utime(stamp, ns=(usr_ns, usr_ns))
    run(
        [
            "mkfs.ext4",
            "-q",
            "-F",
            "-L",
            "kdump-root",
            "-E",
            "root_owner=0:0",
            "-d",
            str(root),
            str(image),
            IMAGE_SIZE,
        ]
    )


def extract(image: Path, path: str, dest: Path) -> None:
    """Copy a directory out of the (powered-off) guest's file system, modes preserved."""
    dest.mkdir(parents=True, exist_ok=True)
    run(["debugfs", "-R", f"rdump {path} {dest}", str(image)])


def remove_tree(path: Path) -> None:
    if path.exists():
        run(["rm", "-rf", "--one-file-system", str(path)])


def debian_package(cache: Path, base: Path, name: str) -> Path:
    """Debian's own .deb of NAME (the reference implementation) from the base root's lists."""
    dest = cache / "systemd" / "debian-debs"
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob(f"{name}_*.deb"):
        old.unlink()
    # The base root's sources, lists and keyrings; apt checks the download's hash.
    run(
        [
            "apt-get",
            "download",
            "-q",
            "-o",
            f"Dir={base}",
            "-o",
            f"Dir::State::status={base}/var/lib/dpkg/status",
            "-o",
            "APT::Sandbox::User=root",
            name,
        ],
        cwd=dest,
    )
    (path,) = dest.glob(f"{name}_*.deb")
    return path

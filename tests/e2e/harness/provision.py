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

prepare_arch fetches and builds them for one guest userland. What each piece is and how it
is built: harness/arches.py (the guest userlands), harness/aptroot.py, harness/kernel.py,
harness/sysroot.py, harness/guestvenv.py.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from harness.aptroot import AptRoot
from harness.arches import Arch
from harness.cli import Timer
from harness.guests import Guest
from harness.kernel import Kernel, unpack_kernel
from harness.sysroot import build_sysroot

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


@dataclasses.dataclass
class Prepared:
    arch: Arch
    kernels: dict[str, Kernel]  # by suite ("" = the release's own)
    sysroot: Path

    def kernel_for(self, guest: Guest) -> Kernel:
        return self.kernels[guest.kernel_suite]


def prepare_arch(
    cache: Path, arch: Arch, suites: list[str], refresh: bool, timer: Timer
) -> Prepared:
    apt = AptRoot(cache, arch)
    with timer.phase(f"{arch.name}: apt lists + resolve"):
        apt.prepare(refresh)
        kpins = {suite: apt.kernel_pin(suite) for suite in suites}
        closure = apt.pins(list(GUEST_PACKAGES))
    with timer.phase(f"{arch.name}: download"):
        debs = apt.fetch(closure)
        kernel_debs = {suite: apt.fetch([pin])[0] for suite, pin in kpins.items()}
    with timer.phase(f"{arch.name}: kernel + sysroot"):
        kernels = {s: unpack_kernel(cache, arch, d) for s, d in kernel_debs.items()}
        sysroot = build_sysroot(cache, arch, debs)
    return Prepared(arch, kernels, sysroot)

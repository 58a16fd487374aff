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


What each piece is and how it is built: harness/arches.py (the guest userlands),
harness/aptroot.py, harness/kernel.py, harness/sysroot.py, harness/guestvenv.py.
"""

from __future__ import annotations

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

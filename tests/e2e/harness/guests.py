"""The guests run-qemu boots: which userland, which kernel, which scenario, how long."""

from __future__ import annotations

import dataclasses

from harness.aptroot import BACKPORTS


@dataclasses.dataclass(frozen=True)
class Guest:
    name: str
    arch: str
    # "crash": full cycle; "nocrash": no crashkernel=, load must refuse; "nosymbols": an
    # arm64 kernel whose kexec_load cannot build a valid core header and that has no
    # kexec_file_load: load must refuse and nothing may say ready (a crash is still
    # forced, and must not leave a dump that passes)
    scenario: str
    crashkernel: str | None
    timeout: int  # seconds, hard limit for the whole qemu run
    kernel_suite: str = ""  # "" = the release's own kernel; or BACKPORTS
    memory_mib: int = 1024
    kexec_args: str = ""  # KDUMP_KEXEC_ARGS in the guest's /etc/default/kdump-tools
    optional: bool = False  # run only when named with --guest


# Timeouts are about 3x what a cycle takes with a CLI that needs ~5 s per command under TCG.
GUESTS = [
    Guest("x86_64", "amd64", "crash", "256M", 180),
    Guest("x86_64-no-crashkernel", "amd64", "nocrash", None, 120),
    Guest("ppc64el", "ppc64el", "crash", "256M", 240),
    # arm64: Debian 13 (kernel 6.12 with _text in /proc/kallsyms, makedumpfile 1.7.6) does
    # the whole cycle; bookworm's own kernel (6.1, no CONFIG_KALLSYMS_ALL, no
    # CONFIG_KEXEC_FILE) has no load method that yields a dump, so load must refuse.
    # 768 MiB keeps the vmcore (and makedumpfile's pass over it under TCG) small;
    # --no-checks skips purgatory's SHA-256 pass over the loaded segments, ~10 s under TCG.
    Guest("arm64", "arm64-trixie", "crash", "256M", 420, memory_mib=768, kexec_args="--no-checks"),
    Guest("arm64-bookworm", "arm64", "nosymbols", "256M", 300, memory_mib=768),
    # bookworm with bookworm-backports' 6.12 kernel: it loads and crashes, but bookworm's
    # makedumpfile 1.7.2 cannot read a 52-bit-VA dump ("VA Bits 52 not supported"), so
    # savecore falls back to cp and no dmesg is extracted: it fails the dmesg check. Kept
    # to reproduce that (--guest arm64-bookworm-bpo), not run by default.
    Guest(
        "arm64-bookworm-bpo",
        "arm64",
        "crash",
        "256M",
        420,
        BACKPORTS,
        memory_mib=768,
        kexec_args="--no-checks",
        optional=True,
    ),
]

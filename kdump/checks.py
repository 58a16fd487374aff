"""Pure decisions: which catalog findings follow from the facts and the config."""

from __future__ import annotations

from dataclasses import dataclass, field

from kdump.cmdline import has_param
from kdump.config import Config
from kdump.facts import Facts, LinkFact


@dataclass(frozen=True)
class Finding:
    """A check's outcome: a catalog code and its parameters."""

    code: str
    params: dict[str, object] = field(default_factory=dict)


def support_findings(config: Config, facts: Facts) -> list[Finding]:
    """The checks every load-side command starts with, in the original's order."""
    found: list[Finding] = []
    if not config.use_kdump:
        found.append(Finding("use-kdump-off", {"config": config.path}))
    if facts.dump_mode == "fadump":
        if facts.fadump.registered is None:
            found.append(Finding("fadump-not-configured"))
    else:
        if not facts.kexec_supported:
            found.append(Finding("kdump-not-supported"))
        if not has_param(facts.cmdline, "crashkernel"):
            found.append(Finding("no-crashkernel"))
    if config.ssh and config.nfs:
        found.append(Finding("ssh-nfs-conflict"))
    return found


def link_version(link: LinkFact) -> str:
    """The kernel version a /var/lib/kdump link points at, from its target's name."""
    base = link.resolved.rsplit("/", 1)[-1]
    name = link.path.rsplit("/", 1)[-1]
    for prefix in ("vmlinux-", "vmlinuz-", f"{name}-"):
        if base.startswith(prefix):
            return base[len(prefix):]
    return base


def invalid_links(facts: Facts) -> list[Finding]:
    """Links that are missing, dangling, or for another kernel than the running one."""
    found = []
    for link in facts.links:
        valid = link.is_symlink and link.resolved_exists and link_version(link) == facts.release
        if not valid:
            found.append(Finding("invalid-symlink", {"link": link.path}))
    return found


# -- arm64: can the capture kernel be loaded so that it finds a valid ELF core header? ------
#
# With kexec_load, kexec-tools builds the capture's ELF core header itself; on arm64 it takes
# the kernel's page_offset from the _text symbol in /proc/kallsyms. Kernels built without
# CONFIG_KALLSYMS_ALL (Debian bookworm's 6.1) list _stext but not _text: kexec-tools then
# warns "Can't get the symbol of _text ...", exits 0, and the header it loaded is bogus
# (/proc/vmcore unusable after a crash). With kexec_file_load (-s) the kernel builds the
# header, so a kernel with CONFIG_KEXEC_FILE needs no symbol.

KEXEC_LOAD_FLAGS = ("-c", "--kexec-syscall")
KEXEC_FILE_FLAGS = ("-s", "--kexec-file-syscall")


def kexec_load_unusable(facts: Facts) -> bool:
    """kexec_load would load a capture kernel whose core header is bogus."""
    return facts.arch == "aarch64" and facts.kallsyms_text is False


def forces_kexec_load(config: Config) -> bool:
    return any(a in KEXEC_LOAD_FLAGS for a in config.kdump_kexec_args)


def wants_kexec_file(config: Config, facts: Facts) -> bool:
    """Whether load must pass -s: lockdown/secure boot require it, or kexec_load cannot build
    a valid header and the kernel offers kexec_file_load."""
    if facts.needs_signed_kexec:
        return True
    return kexec_load_unusable(facts) and facts.kexec_file is True and \
        not forces_kexec_load(config)


# Debian's 6.12 arm64 kernels (trixie, bookworm-backports) are built with CONFIG_KALLSYMS_ALL.
UPGRADE = ("install a kernel whose /proc/kallsyms lists _text (CONFIG_KALLSYMS_ALL=y, as in "
           "linux-image-arm64 from bookworm-backports or Debian 13) or that has "
           "CONFIG_KEXEC_FILE=y, and reboot into it")


def symbols_finding(config: Config, facts: Facts) -> Finding | None:
    """Why no load method can give this kernel a usable dump, or None when one can."""
    if not kexec_load_unusable(facts) or wants_kexec_file(config, facts):
        return None
    if facts.kexec_file and forces_kexec_load(config):
        why = f"KDUMP_KEXEC_ARGS in {config.path} forces kexec_load (-c/--kexec-syscall)"
        remedy = f"remove -c/--kexec-syscall from KDUMP_KEXEC_ARGS in {config.path}"
    elif facts.kexec_file is None:
        why = (f"/boot/config-{facts.release} does not say whether the kernel has "
               "kexec_file_load (CONFIG_KEXEC_FILE)")
        remedy = UPGRADE
    else:
        why = "the kernel has no kexec_file_load (CONFIG_KEXEC_FILE is not set)"
        remedy = UPGRADE
    return Finding("kexec-symbols-missing",
                   {"release": facts.release, "why": why, "remedy": remedy})


def loaded_by_kexec_file(recorded: str | None) -> bool:
    """Whether the kexec command recorded by load (KDUMP_COREDIR/kexec_cmd) used -s."""
    return any(word in KEXEC_FILE_FLAGS for word in (recorded or "").split())


def loaded_finding(config: Config, facts: Facts, recorded: str | None) -> Finding | None:
    """A capture kernel is loaded, yet it cannot produce a dump: None when it can (or when
    nothing is loaded: that is reported on its own)."""
    if not facts.kexec_loaded or not kexec_load_unusable(facts):
        return None
    missing = symbols_finding(config, facts)
    if missing is not None:
        return missing
    if not loaded_by_kexec_file(recorded):
        return Finding("loaded-by-kexec-load", {"release": facts.release})
    return None

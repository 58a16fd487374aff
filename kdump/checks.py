"""Pure decisions: which catalog findings follow from the facts and the config.

The one readiness evaluator: every check (kdump/checktable.py: CHECKS) yields a CheckResult
that names the catalog message saying what is wrong, whose remedy says how to fix it.
`status`, `load` and `test` report the findings of the support checks (the original's
checks, in its order); `check` renders every result.
"""

from __future__ import annotations

from backends.record import Record, field
from kdump.cmdline import has_param, param_values
from kdump.config import Config
from kdump.facts import Facts, LinkFact
from kdump.paths import (
    CRASH_CMA_RANGES,
    KALLSYMS,
    KDUMP_DIR,
    KEXEC_CRASH_SIZE,
    KEXEC_LOAD_DISABLED,
    LOCKDOWN,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    from kdump.codes import Code
    from kdump.plan import KernelChoice

    Status = Literal["ok", "warn", "fail"]


class Finding(Record):
    """A check's outcome: a catalog code and its parameters."""

    code: Code
    params: dict[str, object] = field(default_factory=dict)


class CheckResult(Record):
    """One readiness check: passed (with the CHECKS ok template ``variant``), or not, with
    the catalog message saying what is wrong; ``remedy`` names the message whose remedy
    applies (the finding's own unless the fix it gives cannot work on this machine)."""

    name: str
    status: Status
    params: dict[str, object]
    code: Code | None = None
    variant: str = ""
    remedy: Code | None = None

    @property
    def finding(self) -> Finding | None:
        return None if self.code is None else Finding(self.code, self.params)


def _ok(name: str, variant: str = "", **params: object) -> CheckResult:
    return CheckResult(name, "ok", params, variant=variant)


def _bad(name: str, finding: Finding, warn: bool = False) -> CheckResult:
    return CheckResult(name, "warn" if warn else "fail", finding.params, finding.code)


def _use_kdump(config: Config) -> CheckResult:
    if config.use_kdump:
        return _ok("use-kdump", value=config.use_kdump_raw or "(unset)")
    return _bad("use-kdump", Finding("use-kdump-off", {"config": config.path}))


def _fadump_support(facts: Facts) -> CheckResult:
    if facts.fadump.registered is not None:
        return _ok("fadump-support", layout=facts.fadump.layout)
    return _bad("fadump-support", Finding("fadump-not-configured"))


def _kexec_support(facts: Facts) -> CheckResult:
    if facts.kexec_supported:
        return _ok("kexec-support", "kexec-dir" if facts.crash_size_path == KEXEC_CRASH_SIZE[0]
                   else "")
    return _bad("kexec-support", Finding("kdump-not-supported"))


def _crashkernel_param(facts: Facts) -> CheckResult:
    if has_param(facts.cmdline, "crashkernel"):
        return _ok("crashkernel-param", value=",".join(param_values(facts.cmdline,
                                                                     "crashkernel")))
    return _bad("crashkernel-param", Finding("no-crashkernel"))


def _dump_target(config: Config) -> CheckResult:
    if config.ssh and config.nfs:
        return _bad("dump-target", Finding("ssh-nfs-conflict"))
    return _ok("dump-target", target=config.ssh or config.nfs or config.ftp
               or config.kdump_coredir)


def support_checks(config: Config, facts: Facts) -> list[CheckResult]:
    """The checks every load-side command starts with, in the original's order."""
    if facts.dump_mode == "fadump":
        middle = [_fadump_support(facts)]
    else:
        middle = [_kexec_support(facts), _crashkernel_param(facts)]
    return [_use_kdump(config), *middle, _dump_target(config)]


def support_findings(config: Config, facts: Facts) -> list[Finding]:
    """What status, load and test report of the support checks, in the original's order."""
    return [r.finding for r in support_checks(config, facts) if r.finding is not None]


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


def uses_kexec_file(argv: list[str]) -> bool:
    """Which syscall kexec-tools will use: the last of -s and -c on its command line wins
    (KDUMP_KEXEC_ARGS come after the -s load adds)."""
    chosen = [word in KEXEC_FILE_FLAGS for word in argv
              if word in KEXEC_FILE_FLAGS or word in KEXEC_LOAD_FLAGS]
    return bool(chosen) and chosen[-1]


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


# -- the full readiness evaluation of `kdump-config check` ---------------------------------

# Findings whose remedy runs `kdump-config symlinks` (or `load`, which does the same): where
# that would fail (ReadinessInputs.links_blocker), the blocker's remedy comes first.
RUNS_SYMLINKS = frozenset({"kdump-kernel-missing", "kdump-initrd-missing", "no-kdump-initrd",
                           "kdump-dir-missing", "kernel-links-invalid"})


class ReadinessInputs(Record):
    """What `check` reads from the machine beyond the facts (commands/check.py)."""

    choice: KernelChoice | None  # None in fadump mode
    kernel_exists: bool = False
    initrd_exists: bool = False
    estimate_mib: int | None = None
    recorded: str | None = None  # the kexec command load recorded, if any
    # Why `kdump-config symlinks $(uname -r)` would fail on this machine, if it would: no
    # image of the running kernel in /boot (invalid-kernel-version), or no kdump initrd
    # and no kernel hook to build one (kernel-hook-missing).
    links_blocker: Code | None = None


def readiness(config: Config, facts: Facts, given: ReadinessInputs) -> list[CheckResult]:
    """Every readiness check, in the order `check` shows them."""
    support = support_checks(config, facts)
    if not config.present and support[0].status != "ok":
        # status, load and test keep the original's line; check says why USE_KDUMP is unset.
        support[0] = _bad("use-kdump", Finding("config-missing", {"config": config.path}))
    if facts.dump_mode == "fadump":
        loaded = _ok("loaded", "fadump") if facts.fadump.registered else \
            _bad("loaded", Finding("fadump-not-registered"))
        return [*support[:-1], loaded, support[-1]]
    assert given.choice is not None
    results = [*support[:-1], *_reservation(facts, given.estimate_mib)]
    results += [_kexec_tool(facts), *_kernel_files(config, facts, given),
                _links(facts), _secure_boot(config, facts)]
    if facts.arch == "aarch64":
        results.append(_symbols(config, facts, given.recorded))
    if facts.kexec_supported:
        results += [_kexec_allowed(facts), _lockdown(facts)]
    if facts.crash_hotplug is not None:  # kernels since 6.5: earlier output kept as it was
        results.append(_hotplug(facts))
    results.append(_ok("loaded", "kdump") if facts.kexec_loaded else
                   _bad("loaded", Finding("kdump-not-loaded")))
    results.append(support[-1])
    if given.links_blocker is not None:
        results = [r if r.code not in RUNS_SYMLINKS else
                   CheckResult(r.name, r.status, r.params, r.code, r.variant,
                               given.links_blocker) for r in results]
    return results


def cma_requested(cmdline: str) -> bool:
    """crashkernel=SIZE,cma on the command line (Linux 6.17): a CMA part of the reservation."""
    return any(value.endswith(",cma") for value in param_values(cmdline, "crashkernel"))


def _reservation(facts: Facts, estimate_mib: int | None) -> list[CheckResult]:
    total = facts.reserved_bytes
    if total is None:
        return [_bad("crashkernel-reserved", Finding("crashkernel-size-unknown",
                                                     {"path": facts.crash_size_path}),
                     warn=True)]
    reserved = total >> 20
    if not total:
        return [_bad("crashkernel-reserved", Finding("crashkernel-not-reserved"))]
    if facts.crash_cma:
        first = _ok("crashkernel-reserved", "cma", reserved=reserved, addr=facts.iomem_addr,
                    cma=facts.cma_bytes >> 20,
                    cma_addr=", ".join(f"{start:#x}" for start, _ in facts.crash_cma))
    elif cma_requested(facts.cmdline):
        # A 6.17 or 6.18 kernel reserves the CMA part but does not say how much.
        first = _bad("crashkernel-reserved", Finding("crashkernel-cma-unknown", {
            "reserved": reserved, "path": CRASH_CMA_RANGES}), warn=True)
    else:
        first = _ok("crashkernel-reserved", reserved=reserved, addr=facts.iomem_addr)
    results = [first]
    if estimate_mib is not None:
        suggested = f"{estimate_mib}M"
        results.append(_ok("crashkernel-size", reserved=reserved, suggested=suggested)
                       if reserved >= estimate_mib else
                       _bad("crashkernel-size", Finding("crashkernel-too-small", {
                           "reserved": reserved, "suggested": suggested}), warn=True))
    return results


def _kexec_tool(facts: Facts) -> CheckResult:
    if facts.kexec_path is not None:
        return _ok("kexec-tool", path=facts.kexec_path)
    return _bad("kexec-tool", Finding("kexec-missing", {"program": "kexec"}))


def _kernel_files(config: Config, facts: Facts, given: ReadinessInputs) -> list[CheckResult]:
    choice = given.choice
    assert choice is not None
    # What load would stop at: a configured initrd that is missing is fatal there, so it is
    # a failure here too; only an initrd that load leaves out on purpose is a warning.
    fatal = choice.fatal
    initrd_fatal = fatal is not None and fatal.code == "kdump-initrd-missing"
    if fatal is not None and not initrd_fatal:
        kernel = _bad("kdump-kernel", fatal)
    elif choice.kernel and given.kernel_exists:
        kernel = _ok("kdump-kernel", path=choice.kernel)
    else:
        kernel = _bad("kdump-kernel", Finding("no-kdump-kernel", {"config": config.path}))
    if fatal is not None and initrd_fatal:
        initrd = _bad("kdump-initrd", fatal)
    elif choice.initrd and given.initrd_exists:
        initrd = _ok("kdump-initrd", path=choice.initrd)
    else:
        warning = next((f for f in choice.findings if f.code == "no-kdump-initrd"), None)
        if warning is not None:
            finding = Finding(warning.code, {**warning.params, "config": config.path})
        elif config.kdump_kernel and not config.kdump_initrd:
            finding = Finding("kdump-initrd-unset", {"config": config.path})
        else:  # nothing configured, nothing found: the kernel row says why
            finding = Finding("kdump-initrd-no-kernel")
        initrd = _bad("kdump-initrd", finding, warn=True)
    return [kernel, initrd]


def _links(facts: Facts) -> CheckResult:
    if not facts.kdump_dir_is_dir:
        return _bad("kernel-links", Finding("kdump-dir-missing", {"path": KDUMP_DIR}), warn=True)
    bad = [str(f.params["link"]) for f in invalid_links(facts)]
    if not bad:
        return _ok("kernel-links", release=facts.release)
    return _bad("kernel-links", Finding("kernel-links-invalid", {
        "links": ", ".join(bad), "release": facts.release}), warn=True)


def _secure_boot(config: Config, facts: Facts) -> CheckResult:
    if not facts.needs_signed_kexec:
        return _ok("secure-boot", "kexec-file" if wants_kexec_file(config, facts)
                   else "kexec-load")
    if forces_kexec_load(config):
        why = f"lockdown {facts.lockdown or 'none'}, secure boot " + \
            ("on" if facts.secure_boot else "off")
        return _bad("secure-boot", Finding("kexec-load-forced-under-lockdown",
                                           {"why": why, "config": config.path}))
    return _ok("secure-boot", "required", lockdown=facts.lockdown or "none",
               secure_boot="on" if facts.secure_boot else "off")


def _symbols(config: Config, facts: Facts, recorded: str | None) -> CheckResult:
    """arm64: kexec_load needs _text in /proc/kallsyms to build the core header; without it
    only kexec_file_load (-s) gives a capture kernel that can produce a dump."""
    if facts.kallsyms_text is None:
        return _bad("kexec-symbols", Finding("kallsyms-unreadable", {"path": KALLSYMS}),
                    warn=True)
    if not kexec_load_unusable(facts):
        return _ok("kexec-symbols", "kexec-load")
    # The same decisions load and status make, so that they never disagree on readiness.
    finding = symbols_finding(config, facts) or loaded_finding(config, facts, recorded)
    if finding is None:
        return _ok("kexec-symbols", "kexec-file")
    return _bad("kexec-symbols", finding)


# -- what the kernel lets kexec do --------------------------------------------------------

def _kexec_allowed(facts: Facts) -> CheckResult:
    if facts.kexec_load_disabled is None:
        return _bad("kexec-allowed", Finding("kexec-load-disabled-unknown",
                                             {"path": KEXEC_LOAD_DISABLED}), warn=True)
    if not facts.kexec_load_disabled:
        return _ok("kexec-allowed")
    if facts.kexec_loaded:
        # What is loaded stays usable for a crash; only reloading it is refused.
        return _bad("kexec-allowed", Finding("kexec-load-disabled-loaded"), warn=True)
    return _bad("kexec-allowed", Finding("kexec-load-disabled"))


def lockdown_finding(facts: Facts) -> Finding | None:
    """Lockdown refuses kexec_load; without kexec_file_load nothing can be loaded at all."""
    if facts.locked_down and facts.kexec_file is False:
        return Finding("lockdown-no-kexec-file", {"lockdown": facts.lockdown,
                                                  "release": facts.release})
    return None


def _lockdown(facts: Facts) -> CheckResult:
    if facts.lockdown is None and facts.secure_boot:
        return _bad("kernel-lockdown", Finding("lockdown-unknown", {"path": LOCKDOWN}),
                    warn=True)
    if not facts.locked_down:
        return _ok("kernel-lockdown", "none", lockdown=facts.lockdown or "none",
                   secure_boot="on" if facts.secure_boot else "off")
    refused = lockdown_finding(facts)
    if refused is not None:
        return _bad("kernel-lockdown", refused)
    if facts.kexec_file is None:
        return _bad("kernel-lockdown", Finding("lockdown-kexec-file-unknown", {
            "lockdown": facts.lockdown, "release": facts.release}), warn=True)
    return _ok("kernel-lockdown", "signed", lockdown=facts.lockdown,
               secure_boot="on" if facts.secure_boot else "off")


def kernel_refusal(facts: Facts) -> Finding | None:
    """Why the kernel will refuse to load a capture kernel, when it will (for status)."""
    if facts.kexec_loaded or not facts.kexec_supported:
        return None
    if facts.kexec_load_disabled:
        return Finding("kexec-load-disabled")
    return lockdown_finding(facts)


def kexec_refused(config: Config, facts: Facts, argv: list[str]) -> Finding:
    """kexec failed with EPERM: the likeliest cause, from what the kernel says."""
    file_load = uses_kexec_file(argv)
    if facts.kexec_load_disabled:
        cause = "kernel.kexec_load_disabled is 1: the kernel refuses every kexec until reboot"
        remedy = ("remove kernel.kexec_load_disabled=1 from /etc/sysctl.conf and "
                  "/etc/sysctl.d/ (or set it only after kdump-tools has loaded), then reboot")
    elif facts.needs_signed_kexec and not file_load:
        cause = (f"lockdown {facts.lockdown or 'none'}, secure boot "
                 f"{'on' if facts.secure_boot else 'off'}: kexec_load is refused")
        remedy = f"remove -c/--kexec-syscall from KDUMP_KEXEC_ARGS in {config.path}"
    elif facts.needs_signed_kexec:
        cause = (f"lockdown {facts.lockdown or 'none'}, secure boot "
                 f"{'on' if facts.secure_boot else 'off'}: kexec_file_load accepts only a "
                 "kernel signed with a key the kernel trusts, and this one is not")
        remedy = ("use a signed kernel image as KDUMP_KERNEL (Debian's linux-image packages "
                  "are signed), or enroll its signing key with mokutil --import")
    else:
        cause = ("the process lacks CAP_SYS_BOOT: not run as root, or inside a container "
                 "that drops it")
        remedy = "run 'kdump-config load' as root on the host, not in a container"
    return Finding("kexec-refused", {"cause": cause, "remedy": remedy})


def _hotplug(facts: Facts) -> CheckResult:
    if facts.kernel_handles_hotplug:
        return _ok("crash-hotplug", "kernel")
    if not facts.kexec_loaded:
        return _ok("crash-hotplug", "unloaded")
    # A warning only: a reload per hotplug event works, it is just slow.
    return _bad("crash-hotplug", Finding("hotplug-reloads"), warn=True)

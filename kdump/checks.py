"""The readiness checks, one row each, and the decisions they share with load and status.

A check is one row of CHECKS: its name, its title (kdump-config(8)), the text it shows
for each way of passing, the catalog codes it can name when it does not pass (the catalog,
kdump/messages.py, says what is wrong and, in ``remedy``, how to fix it), and the function
that evaluates it.  ``check`` shows every check that applies, in the table's order;
`status`, `load` and `test` report the findings of the support checks (the original's
checks, in its order).
"""

from __future__ import annotations

from backends.record import Record
from kdump.cmdline import has_param, param_values
from kdump.config import Config
from kdump.facts import Facts, LinkFact
from kdump.finding import Finding
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
    from collections.abc import Callable
    from typing import Literal

    from kdump.codes import Code
    from kdump.plan import KernelChoice

    Status = Literal["ok", "warn", "fail"]
    Evaluate = Callable[["Situation"], "Outcome | None"]


# -- what a check is given, and what it gives ----------------------------------------------

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


class Situation(Record, eq=False):
    """What the checks evaluate: the config, the facts, what ``check`` read beyond them
    (``given``), and whether this is ``check`` itself (``full``) or the support checks of
    status, load and test."""

    config: Config
    facts: Facts
    given: ReadinessInputs
    full: bool


class Outcome(Record):
    """A check's verdict: passed (with its ok text ``variant``), or not, with the finding
    (catalog code and parameters) saying what is wrong."""

    status: Status
    params: dict[str, object]
    code: Code | None = None
    variant: str = ""


def _ok(variant: str = "", **params: object) -> Outcome:
    return Outcome("ok", params, variant=variant)


def _bad(finding: Finding, warn: bool = False) -> Outcome:
    return Outcome("warn" if warn else "fail", finding.params, finding.code)


class Check(Record, eq=False):
    """A readiness check of `kdump-config check`, described once (see the module)."""

    name: str
    title: str
    ok: dict[str, str]  # what it shows when it passes, by way of passing ("": the only one)
    codes: tuple[Code, ...]  # the catalog messages it names when it does not pass
    evaluate: Evaluate  # None: the check does not apply to this machine
    mode: str = ""  # "kdump" or "fadump": only in that dump mode; "": in both
    support: bool = False  # one of the original's checks, reported by status, load and test


class CheckResult(Record):
    """One check's outcome: passed (with its ok text ``variant``), or not, with the catalog
    message saying what is wrong; ``remedy`` names the message whose remedy applies (the
    finding's own unless the fix it gives cannot work on this machine)."""

    check: Check
    status: Status
    params: dict[str, object]
    code: Code | None = None
    variant: str = ""
    remedy: Code | None = None

    @property
    def name(self) -> str:
        return self.check.name

    @property
    def finding(self) -> Finding | None:
        return None if self.code is None else Finding(self.code, self.params)


# -- the evaluations ------------------------------------------------------------------------

def _use_kdump(s: Situation) -> Outcome:
    config = s.config
    if config.use_kdump:
        return _ok(value=config.use_kdump_raw or "(unset)")
    if s.full and not config.present:
        # status, load and test keep the original's line; check says why USE_KDUMP is unset.
        return _bad(Finding("config-missing", {"config": config.path}))
    return _bad(Finding("use-kdump-off", {"config": config.path}))


def _fadump_support(s: Situation) -> Outcome:
    if s.facts.fadump.registered is not None:
        return _ok(layout=s.facts.fadump.layout)
    return _bad(Finding("fadump-not-configured"))


def _kexec_support(s: Situation) -> Outcome:
    if s.facts.kexec_supported:
        return _ok("kexec-dir" if s.facts.crash_size_path == KEXEC_CRASH_SIZE[0] else "")
    return _bad(Finding("kdump-not-supported"))


def _crashkernel_param(s: Situation) -> Outcome:
    cmdline = s.facts.cmdline
    if has_param(cmdline, "crashkernel"):
        return _ok(value=",".join(param_values(cmdline, "crashkernel")))
    return _bad(Finding("no-crashkernel"))


def _dump_target(s: Situation) -> Outcome:
    config = s.config
    if config.ssh and config.nfs:
        return _bad(Finding("ssh-nfs-conflict"))
    return _ok(target=config.ssh or config.nfs or config.ftp or config.kdump_coredir)


def _reserved(s: Situation) -> Outcome:
    facts = s.facts
    total = facts.reserved_bytes
    if total is None:
        return _bad(Finding("crashkernel-size-unknown", {"path": facts.crash_size_path}),
                    warn=True)
    reserved = total >> 20
    if not total:
        return _bad(Finding("crashkernel-not-reserved"))
    if facts.crash_cma:
        return _ok("cma", reserved=reserved, addr=facts.iomem_addr, cma=facts.cma_bytes >> 20,
                   cma_addr=", ".join(f"{start:#x}" for start, _ in facts.crash_cma))
    if cma_requested(facts.cmdline):
        # A 6.17 or 6.18 kernel reserves the CMA part but does not say how much.
        return _bad(Finding("crashkernel-cma-unknown", {"reserved": reserved,
                                                        "path": CRASH_CMA_RANGES}), warn=True)
    return _ok(reserved=reserved, addr=facts.iomem_addr)


def _reservation_size(s: Situation) -> Outcome | None:
    total, estimate_mib = s.facts.reserved_bytes, s.given.estimate_mib
    if not total or estimate_mib is None:  # no reservation, or no estimate, to compare
        return None
    reserved = total >> 20
    suggested = f"{estimate_mib}M"
    if reserved >= estimate_mib:
        return _ok(reserved=reserved, suggested=suggested)
    return _bad(Finding("crashkernel-too-small", {"reserved": reserved,
                                                  "suggested": suggested}), warn=True)


def _kexec_tool(s: Situation) -> Outcome:
    if s.facts.kexec_path is not None:
        return _ok(path=s.facts.kexec_path)
    return _bad(Finding("kexec-missing", {"program": "kexec"}))


# What load would stop at: a configured initrd that is missing is fatal there, so it is a
# failure here too; only an initrd that load leaves out on purpose is a warning.

def _choice(s: Situation) -> KernelChoice:
    choice = s.given.choice
    assert choice is not None  # made by check in kdump mode
    return choice


def _kdump_kernel(s: Situation) -> Outcome:
    choice = _choice(s)
    fatal = choice.fatal
    if fatal is not None and fatal.code != "kdump-initrd-missing":
        return _bad(fatal)
    if choice.kernel and s.given.kernel_exists:
        return _ok(path=choice.kernel)
    return _bad(Finding("no-kdump-kernel", {"config": s.config.path}))


def _kdump_initrd(s: Situation) -> Outcome:
    choice, config = _choice(s), s.config
    fatal = choice.fatal
    if fatal is not None and fatal.code == "kdump-initrd-missing":
        return _bad(fatal)
    if choice.initrd and s.given.initrd_exists:
        return _ok(path=choice.initrd)
    warning = next((f for f in choice.findings if f.code == "no-kdump-initrd"), None)
    if warning is not None:
        finding = Finding(warning.code, {**warning.params, "config": config.path})
    elif config.kdump_kernel and not config.kdump_initrd:
        finding = Finding("kdump-initrd-unset", {"config": config.path})
    else:  # nothing configured, nothing found: the kernel row says why
        finding = Finding("kdump-initrd-no-kernel")
    return _bad(finding, warn=True)


def _links(s: Situation) -> Outcome:
    facts = s.facts
    if not facts.kdump_dir_is_dir:
        return _bad(Finding("kdump-dir-missing", {"path": KDUMP_DIR}), warn=True)
    bad = [str(f.params["link"]) for f in invalid_links(facts)]
    if not bad:
        return _ok(release=facts.release)
    return _bad(Finding("kernel-links-invalid", {"links": ", ".join(bad),
                                                 "release": facts.release}), warn=True)


def _secure_boot(s: Situation) -> Outcome:
    config, facts = s.config, s.facts
    if not facts.needs_signed_kexec:
        return _ok("kexec-file" if wants_kexec_file(config, facts) else "kexec-load")
    if forces_kexec_load(config):
        why = f"lockdown {facts.lockdown or 'none'}, secure boot " + \
            ("on" if facts.secure_boot else "off")
        return _bad(Finding("kexec-load-forced-under-lockdown",
                            {"why": why, "config": config.path}))
    return _ok("required", lockdown=facts.lockdown or "none",
               secure_boot="on" if facts.secure_boot else "off")


def _symbols(s: Situation) -> Outcome | None:
    """arm64: kexec_load needs _text in /proc/kallsyms to build the core header; without it
    only kexec_file_load (-s) gives a capture kernel that can produce a dump."""
    config, facts = s.config, s.facts
    if facts.arch != "aarch64":
        return None
    if facts.kallsyms_text is None:
        return _bad(Finding("kallsyms-unreadable", {"path": KALLSYMS}), warn=True)
    if not kexec_load_unusable(facts):
        return _ok("kexec-load")
    # The same decisions load and status make, so that they never disagree on readiness.
    finding = symbols_finding(config, facts) or loaded_finding(config, facts, s.given.recorded)
    if finding is None:
        return _ok("kexec-file")
    return _bad(finding)


def _kexec_allowed(s: Situation) -> Outcome | None:
    facts = s.facts
    if not facts.kexec_supported:
        return None
    if facts.kexec_load_disabled is None:
        return _bad(Finding("kexec-load-disabled-unknown", {"path": KEXEC_LOAD_DISABLED}),
                    warn=True)
    if not facts.kexec_load_disabled:
        return _ok()
    if facts.kexec_loaded:
        # What is loaded stays usable for a crash; only reloading it is refused.
        return _bad(Finding("kexec-load-disabled-loaded"), warn=True)
    return _bad(Finding("kexec-load-disabled"))


def _lockdown(s: Situation) -> Outcome | None:
    facts = s.facts
    if not facts.kexec_supported:
        return None
    if facts.lockdown is None and facts.secure_boot:
        return _bad(Finding("lockdown-unknown", {"path": LOCKDOWN}), warn=True)
    if not facts.locked_down:
        return _ok("none", lockdown=facts.lockdown or "none",
                   secure_boot="on" if facts.secure_boot else "off")
    refused = lockdown_finding(facts)
    if refused is not None:
        return _bad(refused)
    if facts.kexec_file is None:
        return _bad(Finding("lockdown-kexec-file-unknown", {
            "lockdown": facts.lockdown, "release": facts.release}), warn=True)
    return _ok("signed", lockdown=facts.lockdown,
               secure_boot="on" if facts.secure_boot else "off")


def _hotplug(s: Situation) -> Outcome | None:
    facts = s.facts
    if facts.crash_hotplug is None:  # kernels before 6.5: their output kept as it was
        return None
    if facts.kernel_handles_hotplug:
        return _ok("kernel")
    if not facts.kexec_loaded:
        return _ok("unloaded")
    # A warning only: a reload per hotplug event works, it is just slow.
    return _bad(Finding("hotplug-reloads"), warn=True)


def _loaded(s: Situation) -> Outcome:
    facts = s.facts
    if facts.dump_mode == "fadump":
        return _ok("fadump") if facts.fadump.registered else \
            _bad(Finding("fadump-not-registered"))
    return _ok("kdump") if facts.kexec_loaded else _bad(Finding("kdump-not-loaded"))


# -- the checks, in the order `check` shows them ----------------------------------------------

CHECKS: tuple[Check, ...] = (
    Check("use-kdump", "kdump enabled in {config}", {"": "USE_KDUMP={value}"},
          ("use-kdump-off", "config-missing"), _use_kdump, support=True),
    Check("kexec-support", "kernel supports kdump (/sys/kernel/kexec/crash_loaded, or "
          "/sys/kernel/kexec_crash_loaded before Linux 6.19)",
          {"": "supported", "kexec-dir": "supported (/sys/kernel/kexec/)"},
          ("kdump-not-supported",), _kexec_support, mode="kdump", support=True),
    Check("crashkernel-param", "crashkernel= on the kernel command line",
          {"": "crashkernel={value}"}, ("no-crashkernel",), _crashkernel_param, mode="kdump",
          support=True),
    Check("crashkernel-reserved", "memory reserved for the capture kernel",
          {"": "{reserved}M reserved at {addr}",
           "cma": "{reserved}M reserved at {addr}, {cma}M of it CMA at {cma_addr}"},
          ("crashkernel-size-unknown", "crashkernel-not-reserved", "crashkernel-cma-unknown"),
          _reserved, mode="kdump"),
    Check("crashkernel-size", "reservation large enough for the capture kernel",
          {"": "{reserved}M reserved, {suggested} suggested"}, ("crashkernel-too-small",),
          _reservation_size, mode="kdump"),
    Check("kexec-tool", "kexec installed", {"": "{path}"}, ("kexec-missing",), _kexec_tool,
          mode="kdump"),
    Check("kdump-kernel", "kdump kernel present", {"": "{path}"},
          ("kdump-kernel-missing", "no-kdump-kernel", "kdump-package-broken",
           "relocation-mismatch"), _kdump_kernel, mode="kdump"),
    Check("kdump-initrd", "kdump initrd present", {"": "{path}"},
          ("kdump-initrd-missing", "no-kdump-initrd", "kdump-initrd-unset",
           "kdump-initrd-no-kernel"), _kdump_initrd, mode="kdump"),
    Check("kernel-links", "/var/lib/kdump links match the running kernel",
          {"": "match {release}"}, ("kdump-dir-missing", "kernel-links-invalid"), _links,
          mode="kdump"),
    Check("secure-boot", "kexec mode suits secure boot and lockdown", {
        "required": "kexec -s (kexec_file_load): lockdown {lockdown}, secure boot {secure_boot}",
        "kexec-file": "not required: kexec_file_load is used for want of _text (kexec-symbols)",
        "kexec-load": "not required: kexec_load will be used"},
          ("kexec-load-forced-under-lockdown",), _secure_boot, mode="kdump"),
    Check("kexec-symbols", "arm64: a load method that builds a valid crash dump header", {
        "kexec-load": "_text in /proc/kallsyms: kexec_load works",
        "kexec-file": "no _text in /proc/kallsyms: kexec_file_load (-s) will be used"},
          ("kallsyms-unreadable", "kexec-symbols-missing", "loaded-by-kexec-load"), _symbols,
          mode="kdump"),
    Check("kexec-allowed", "the kernel allows kexec loads (kernel.kexec_load_disabled)",
          {"": "kernel.kexec_load_disabled is 0"},
          ("kexec-load-disabled-unknown", "kexec-load-disabled-loaded", "kexec-load-disabled"),
          _kexec_allowed, mode="kdump"),
    Check("kernel-lockdown", "what lockdown lets kexec load (/sys/kernel/security/lockdown)", {
        "none": "lockdown {lockdown}, secure boot {secure_boot}: kexec_load and "
                "kexec_file_load allowed",
        "signed": "lockdown {lockdown}, secure boot {secure_boot}: kexec_load refused, kexec "
                  "-s (kexec_file_load) loads only a kernel signed with a key the kernel "
                  "trusts"},
          ("lockdown-unknown", "lockdown-no-kexec-file", "lockdown-kexec-file-unknown"),
          _lockdown, mode="kdump"),
    Check("crash-hotplug", "CPU and memory hotplug keep the capture image current", {
        "kernel": "handled by the kernel",
        "unloaded": "supported by the kernel (nothing loaded yet)"}, ("hotplug-reloads",),
          _hotplug, mode="kdump"),
    Check("fadump-support", "firmware-assisted dump available",
          {"": "fadump sysfs layout: {layout}"}, ("fadump-not-configured",), _fadump_support,
          mode="fadump", support=True),
    Check("loaded", "capture kernel loaded (or fadump registered)",
          {"kdump": "kdump kernel loaded", "fadump": "fadump registered"},
          ("kdump-not-loaded", "fadump-not-registered"), _loaded),
    Check("dump-target", "one remote dump target kind", {"": "dump target: {target}"},
          ("ssh-nfs-conflict",), _dump_target, support=True),
)


def _results(situation: Situation, support_only: bool) -> list[CheckResult]:
    """The checks that apply, evaluated in the table's order."""
    mode = situation.facts.dump_mode
    results = []
    for check in CHECKS:
        if (check.mode and check.mode != mode) or (support_only and not check.support):
            continue
        outcome = check.evaluate(situation)
        if outcome is not None:
            results.append(CheckResult(check, outcome.status, outcome.params, outcome.code,
                                       outcome.variant))
    return results


def support_checks(config: Config, facts: Facts) -> list[CheckResult]:
    """The checks every load-side command starts with, in the original's order."""
    return _results(Situation(config, facts, ReadinessInputs(choice=None), full=False),
                    support_only=True)


def support_findings(config: Config, facts: Facts) -> list[Finding]:
    """What status, load and test report of the support checks, in the original's order."""
    return [r.finding for r in support_checks(config, facts) if r.finding is not None]


def readiness(config: Config, facts: Facts, given: ReadinessInputs) -> list[CheckResult]:
    """Every readiness check that applies, in the order `check` shows them."""
    results = _results(Situation(config, facts, given, full=True), support_only=False)
    if given.links_blocker is not None:
        results = [r if r.code not in RUNS_SYMLINKS else r._replace(remedy=given.links_blocker)
                   for r in results]
    return results


# -- decisions the checks share with load and status ----------------------------------------

# Findings whose remedy runs `kdump-config symlinks` (or `load`, which does the same): where
# that would fail (ReadinessInputs.links_blocker), the blocker's remedy comes first.
RUNS_SYMLINKS = frozenset({"kdump-kernel-missing", "kdump-initrd-missing", "no-kdump-initrd",
                           "kdump-dir-missing", "kernel-links-invalid"})


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


def cma_requested(cmdline: str) -> bool:
    """crashkernel=SIZE,cma on the command line (Linux 6.17): a CMA part of the reservation."""
    return any(value.endswith(",cma") for value in param_values(cmdline, "crashkernel"))


def lockdown_finding(facts: Facts) -> Finding | None:
    """Lockdown refuses kexec_load; without kexec_file_load nothing can be loaded at all."""
    if facts.locked_down and facts.kexec_file is False:
        return Finding("lockdown-no-kexec-file", {"lockdown": facts.lockdown,
                                                  "release": facts.release})
    return None


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

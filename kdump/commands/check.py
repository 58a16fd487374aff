"""check: every readiness check by name, ok/warn/fail, with a remedy; exit 0/3."""

from __future__ import annotations

from dataclasses import dataclass

from kdump.checks import (
    Finding,
    invalid_links,
    kexec_load_unusable,
    loaded_finding,
    symbols_finding,
    wants_kexec_file,
)
from kdump.cmdline import has_param, param_values
from kdump.commands.report import crash_estimate, hotplug_text
from kdump.context import Context
from kdump.facts import Facts
from kdump.messages import CHECKS
from kdump.plan import locate_kernel

NOT_READY = 3
DEFAULT_SUGGESTION_MIB = 512


@dataclass(frozen=True)
class CheckResult:
    """One named readiness check of `check`: ok, warn or fail, and why."""

    name: str
    status: str  # ok | warn | fail
    detail: str
    remedy: str = ""


def _result(name: str, ok: bool, detail: str, params: dict[str, object], warn: bool = False,
            ) -> CheckResult:
    if ok:
        return CheckResult(name, "ok", detail)
    return CheckResult(name, "warn" if warn else "fail", detail,
                       CHECKS[name].remedy.format(**params))


def readiness(ctx: Context) -> list[CheckResult]:
    config, facts = ctx.config, ctx.facts
    guess = crash_estimate(ctx) if facts.dump_mode == "kdump" else None
    suggested = f"{guess.size_mib}M" if guess and guess.size_mib else \
        f"{DEFAULT_SUGGESTION_MIB}M"
    params: dict[str, object] = {"config": config.path, "suggested": suggested}
    results = [_result("use-kdump", config.use_kdump,
                       f"USE_KDUMP={config.use_kdump_raw or '(unset)'}", params)]
    if facts.dump_mode == "fadump":
        supported = facts.fadump.registered is not None
        results.append(_result("fadump-support", supported,
                               f"fadump sysfs layout: {facts.fadump.layout}", params))
        results.append(_result("loaded", bool(facts.fadump.registered),
                               "fadump registered" if facts.fadump.registered
                               else "fadump not registered", params))
    else:
        results += _kdump_checks(ctx, params, guess.size_mib if guess else None)
    results.append(_result("dump-target", not (config.ssh and config.nfs),
                           "SSH and NFS both set" if config.ssh and config.nfs
                           else "dump target: " + (config.ssh or config.nfs or config.ftp
                                                   or config.kdump_coredir), params))
    return results


def _kdump_checks(ctx: Context, params: dict[str, object], estimate_mib: int | None,
                  ) -> list[CheckResult]:
    config, facts = ctx.config, ctx.facts
    reserved = facts.crash_size or 0
    has_crashkernel = has_param(facts.cmdline, "crashkernel")
    choice = locate_kernel(config, facts, ctx.host)
    # What load would stop at: a configured initrd that is missing is fatal there, so it is
    # a failure here too; only an initrd that load leaves out on purpose is a warning.
    fatal = choice.fatal
    initrd_fatal = fatal is not None and fatal.code == "kdump-initrd-missing"
    kernel_fatal = fatal is not None and not initrd_fatal
    kernel_ok = bool(choice.kernel) and ctx.host.exists(choice.kernel) and not kernel_fatal
    initrd_ok = bool(choice.initrd) and ctx.host.exists(choice.initrd)
    bad_links = [f.params["link"] for f in invalid_links(facts)]
    forced_syscall = any(a in ("-c", "--kexec-syscall") for a in config.kdump_kexec_args)
    results = [
        _result("kexec-support", facts.kexec_supported,
                "supported" if facts.kexec_supported else
                "/sys/kernel/kexec_crash_loaded does not exist", params),
        _result("crashkernel-param", has_crashkernel,
                "crashkernel=" + ",".join(param_values(facts.cmdline, "crashkernel"))
                if has_crashkernel else "no crashkernel= parameter in the kernel cmdline", params),
        _result("crashkernel-reserved", reserved > 0,
                f"{reserved >> 20}M reserved at {facts.iomem_addr}" if reserved
                else "no memory reserved (kexec_crash_size is 0)", params),
    ]
    if reserved > 0 and estimate_mib is not None:
        enough = (reserved >> 20) >= estimate_mib
        results.append(_result("crashkernel-size", enough,
                               f"{reserved >> 20}M reserved, {estimate_mib}M suggested", params,
                               warn=True))
    results += [
        _result("kexec-tool", facts.kexec_path is not None,
                facts.kexec_path or "kexec not found", params),
        _result("kdump-kernel", kernel_ok,
                _finding_text(ctx, fatal) if kernel_fatal and fatal else
                choice.kernel or "none found", params),
        _result("kdump-initrd", initrd_ok,
                f"{choice.initrd} does not exist" if initrd_fatal else
                choice.initrd or "none: an initrd will not be used",
                params, warn=not initrd_fatal),
        _links_result(facts, bad_links, params),
        _result("secure-boot", not (facts.needs_signed_kexec and forced_syscall),
                ("kexec -s (kexec_file_load): lockdown "
                 f"{facts.lockdown or 'none'}, secure boot {'on' if facts.secure_boot else 'off'}")
                if facts.needs_signed_kexec else
                "not required: kexec_file_load is used for want of _text (kexec-symbols)"
                if wants_kexec_file(config, facts) else "not required: kexec_load will be used",
                params),
    ]
    if facts.arch == "aarch64":
        results.append(_symbols_result(ctx, params))
    if facts.crash_hotplug is not None:  # kernels since 6.5: earlier output kept as it was
        # A warning only: a reload per hotplug event works, it is just slow.
        results.append(_result("crash-hotplug",
                               facts.kernel_handles_hotplug or not facts.kexec_loaded,
                               hotplug_text(facts) or "", params, warn=True))
    results.append(_result("loaded", facts.kexec_loaded,
                           "kdump kernel loaded" if facts.kexec_loaded
                           else "kdump kernel not loaded", params))
    return results


def _symbols_result(ctx: Context, params: dict[str, object]) -> CheckResult:
    """arm64: kexec_load needs _text in /proc/kallsyms to build the core header; without it
    only kexec_file_load (-s) gives a capture kernel that can produce a dump."""
    config, facts = ctx.config, ctx.facts
    if facts.kallsyms_text is None:
        return _result("kexec-symbols", False, "/proc/kallsyms unreadable: cannot tell "
                       "whether kexec_load can build the crash dump header",
                       {**params, "symbols_remedy": "check that /proc/kallsyms is readable"},
                       warn=True)
    if not kexec_load_unusable(facts):
        return _result("kexec-symbols", True, "_text in /proc/kallsyms: kexec_load works", params)
    # The same decisions load and status make, so that they never disagree on readiness.
    finding = symbols_finding(config, facts)
    if finding is None and facts.kexec_loaded:
        finding = loaded_finding(config, facts, ctx.host.read_text(ctx.kexec_cmd_file))
    if finding is None:
        return _result("kexec-symbols", True, "no _text in /proc/kallsyms: kexec_file_load "
                       "(-s) will be used", params)
    if finding.code == "loaded-by-kexec-load":
        detail = "no _text in /proc/kallsyms, and the loaded kernel was loaded with kexec_load"
        remedy = "run 'kdump-config reload' (it loads with kexec_file_load, -s)"
    else:
        detail = f"no _text in /proc/kallsyms, and {finding.params['why']}"
        remedy = str(finding.params["remedy"])
    return _result("kexec-symbols", False, detail, {**params, "symbols_remedy": remedy})


def _finding_text(ctx: Context, finding: Finding) -> str:
    from kdump.messages import CATALOG

    lines = CATALOG[finding.code].lines({"name": ctx.reporter.name, **finding.params})
    return " ".join(lines)


def _links_result(facts: Facts, bad_links: list[object], params: dict[str, object],
                  ) -> CheckResult:
    if not facts.kdump_dir_is_dir:
        return _result("kernel-links", False, "/var/lib/kdump does not exist", params, warn=True)
    return _result("kernel-links", not bad_links,
                   "match " + facts.release if not bad_links
                   else "invalid: " + ", ".join(str(link) for link in bad_links), params,
                   warn=True)


def check(ctx: Context) -> tuple[int, dict[str, object]]:
    results = readiness(ctx)
    width = max(len(r.name) for r in results)
    for result in results:
        ctx.reporter.line(f"{result.status:<5} {result.name:<{width}}  {result.detail}")
        if result.remedy:
            ctx.reporter.line(f"      {'':<{width}}  remedy: {result.remedy}")
    ready = all(r.status != "fail" for r in results)
    failing = [r.name for r in results if r.status == "fail"]
    ctx.reporter.line(f"ready to {ctx.facts.dump_mode}" if ready else
                      f"not ready to {ctx.facts.dump_mode}: " + ", ".join(failing))
    data: dict[str, object] = {
        "dump_mode": ctx.facts.dump_mode,
        "ready": ready,
        "failing": failing,
        "checks": [r.__dict__ for r in results],
    }
    return (0 if ready else NOT_READY), data

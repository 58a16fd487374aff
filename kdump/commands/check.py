"""check: every readiness check by name, ok/warn/fail, with a remedy; exit 0/3.

The checks and their texts are the one readiness evaluator's (kdump/checks.py: CHECKS)
and the catalog's (kdump/messages.py); this module only reads what the evaluator needs
from the machine and lays the results out.
"""

from __future__ import annotations

from kdump.checks import CheckResult, ReadinessInputs, readiness
from kdump.codes import Code
from kdump.context import Context
from kdump.messages import CATALOG

NOT_READY = 3
DEFAULT_SUGGESTION_MIB = 512


def _inputs(ctx: Context) -> ReadinessInputs:
    """The impure part: what the evaluator needs beyond the facts."""
    from kdump.commands.show import crash_estimate
    from kdump.paths import KDUMP_DIR, KERNEL_HOOK
    from kdump.plan import boot_image, locate_kernel

    config, facts, host = ctx.config, ctx.facts, ctx.host
    if facts.dump_mode == "fadump":
        return ReadinessInputs(choice=None)
    choice = locate_kernel(config, facts, host)
    blocker: Code | None = None
    if not boot_image(host, facts.release):
        blocker = "invalid-kernel-version"
    elif not host.is_file(f"{KDUMP_DIR}/initrd.img-{facts.release}") and \
            not host.is_executable(KERNEL_HOOK):
        blocker = "kernel-hook-missing"
    return ReadinessInputs(
        choice=choice,
        kernel_exists=bool(choice.kernel) and host.exists(choice.kernel),
        initrd_exists=bool(choice.initrd) and host.exists(choice.initrd),
        estimate_mib=crash_estimate(ctx, say=False).size_mib,
        recorded=ctx.read_own_text(ctx.kexec_cmd_file, say=False) if facts.kexec_loaded
        else None,
        links_blocker=blocker,
    )


def _texts(ctx: Context, result: CheckResult, suggested: str) -> tuple[str, str]:
    """The detail (what passed, or the catalog message saying what is wrong) and remedy."""
    params = {"config": ctx.config.path, "suggested": suggested, "release": ctx.facts.release,
              "version": ctx.facts.release, **result.params}
    if result.code is None:
        return result.check.ok[result.variant].format(**params), ""
    remedy = CATALOG[result.remedy or result.code].remedy.format(**params)
    # A line of the message that only says the remedy is left to the remedy line.
    lines = ctx.reporter.note(result.code, params)
    detail = " ".join(line for index, line in enumerate(lines)
                      if not index or not remedy or remedy not in line)
    return detail, remedy


def check(ctx: Context) -> tuple[int, dict[str, object]]:
    given = _inputs(ctx)
    results = readiness(ctx.config, ctx.facts, given)
    suggested = f"{given.estimate_mib or DEFAULT_SUGGESTION_MIB}M"
    width = max(len(r.name) for r in results)
    rows = []
    for result in results:
        detail, remedy = _texts(ctx, result, suggested)
        ctx.reporter.line(f"{result.status:<5} {result.name:<{width}}  {detail}")
        if remedy:
            ctx.reporter.line(f"      {'':<{width}}  remedy: {remedy}")
        rows.append({"name": result.name, "status": result.status, "code": result.code,
                     "detail": detail, "remedy": remedy})
    ready = all(r.status != "fail" for r in results)
    failing = [r.name for r in results if r.status == "fail"]
    ctx.reporter.line(f"ready to {ctx.facts.dump_mode}" if ready else
                      f"not ready to {ctx.facts.dump_mode}: " + ", ".join(failing))
    data: dict[str, object] = {
        "dump_mode": ctx.facts.dump_mode,
        "ready": ready,
        "failing": failing,
        "checks": rows,
        "kernel": None if ctx.facts.dump_mode == "fadump" else _kernel_data(ctx),
    }
    return (0 if ready else NOT_READY), data


def _kernel_data(ctx: Context) -> dict[str, object]:
    from kdump.paths import KEXEC_CRASH_SIZE

    facts = ctx.facts
    new = facts.crash_size_path == KEXEC_CRASH_SIZE[0]
    return {"lockdown": facts.lockdown, "secure_boot": facts.secure_boot,
            "kexec_load_disabled": facts.kexec_load_disabled,
            "kexec_sysfs": "/sys/kernel/kexec/" if new else "/sys/kernel/kexec_*",
            "reserved_bytes": facts.reserved_bytes, "crash_cma_bytes": facts.cma_bytes}

"""load, unload, reload, try-reload: kexec for kdump, sysfs for fadump."""

from __future__ import annotations

from backends.values import HostError, RunResult, UnsafePathError
from kdump.checks import kexec_refused, support_findings, symbols_finding
from kdump.cmdline import render_argv
from kdump.commands.links import sysctl_changed, update_links
from kdump.context import Context
from kdump.paths import VMCORE
from kdump.plan import (
    KernelChoice,
    boot_image,
    kexec_load_argv,
    kexec_unload_argv,
    locate_kernel,
)
from kdump.swap import (
    KEPT,
    RESTORE,
    RETRY_PAUSE,
    after_failed_replace,
    previous_argv,
    retry,
)

ELF_MAGIC = b"\x7fELF"
PANIC_TRIGGER = "kernel.panic_on_oops=1"
# What kexec-tools prints for EPERM (strerror), whichever syscall refused.
EPERM_TEXT = "Operation not permitted"


def _first_failure(ctx: Context) -> int:
    """Report the first failed support check (load stops there, as the original)."""
    findings = support_findings(ctx.config, ctx.facts)
    if findings:
        return ctx.report(findings[0])
    return 0



def in_capture_kernel(ctx: Context, command: str) -> bool:
    """Whether this is the capture kernel (/proc/vmcore exists); says so when it is.

    There the dump is what matters: loading another capture kernel would be pointless,
    and udev's coldplug of the capture kernel's CPUs and memory must not reload anything.
    """
    if not ctx.host.exists(VMCORE):
        return False
    ctx.emit("capture-kernel-skip", vmcore=VMCORE, command=command)
    return True


def load(ctx: Context) -> int:
    if in_capture_kernel(ctx, "load"):
        return 0
    status = _first_failure(ctx)
    if status:
        return status
    if ctx.facts.dump_mode == "fadump":
        return _fadump_register(ctx)
    # Checked before anything changes: a loaded kernel's files must stay as they are.
    if ctx.facts.kexec_loaded:
        status = ctx.emit("symlinks-while-loaded")  # the original's line and exit status
        ctx.emit("load-while-loaded-hint")
        return status
    argv = _prepare(ctx)
    if isinstance(argv, int):
        return argv
    return _swap(ctx, argv, replacing=False)


def _prepare(ctx: Context) -> list[str] | int:
    """Everything a kexec load needs, checked and built before the kernel is touched: the
    kexec argv, or the exit status of what stopped it (already reported)."""
    facts = ctx.facts
    if facts.kexec_path is None:
        return ctx.emit("kexec-missing", program="kexec")
    # Refused before anything changes: kexec would "succeed" and leave a capture kernel
    # that can never produce a dump.
    no_method = symbols_finding(ctx.config, facts)
    if no_method is not None:
        return ctx.report(no_method)
    status = _update_links_for_load(ctx, facts.release)
    if status:
        return status
    choice = locate_kernel(ctx.config, facts, ctx.host)
    for finding in choice.findings:
        ctx.report(finding)
    if choice.fatal is not None:
        return 1
    return load_argv(ctx, choice, facts.kexec_path)


def _swap(ctx: Context, argv: list[str], *, replacing: bool) -> int:
    """Load ``argv`` (over the loaded capture kernel when ``replacing``: kexec -p replaces
    it in one step, so there is no unloaded gap to fall into)."""
    host = ctx.host
    # Read back only as root's own record: a FIFO or a link another user planted at the
    # name (a KDUMP_COREDIR changed since the load) would block the reload or be read.
    previous = ctx.read_own_text(ctx.kexec_cmd_file, say=False) if replacing else None
    # Recorded first: a record the file layer refuses (another user's link or file in
    # KDUMP_COREDIR) stops the load before anything is loaded, so the exit status and
    # the kernel's state agree.
    host.mkdir(ctx.config.kdump_coredir)
    host.write_text(ctx.kexec_cmd_file, render_argv(argv) + "\n")
    result = _run_load(ctx, argv)
    if result.ok:
        ctx.reporter.log("kexec-command", command=render_argv(argv))
        ctx.emit("loaded")
        _panic_triggers(ctx)
        return 0
    status = ctx.emit("load-failed")
    _why_refused(ctx, argv, result.stderr)
    if not replacing:
        host.remove(ctx.kexec_cmd_file)  # it describes nothing that is loaded
        return status
    facts = ctx.refresh()
    old_argv = previous_argv(previous, facts.kexec_path)
    step = after_failed_replace(facts.kexec_loaded, old_argv)
    if step == RESTORE and old_argv is not None and _run_load(ctx, old_argv).ok:
        step = KEPT
        ctx.emit("reload-restored")
    elif step == KEPT:
        ctx.emit("reload-kept-previous", what="capture kernel", state="loaded")
    if step == KEPT and previous is not None:
        host.write_text(ctx.kexec_cmd_file, previous)  # what is loaded, again
        return status
    host.remove(ctx.kexec_cmd_file)
    ctx.emit("reload-lost", what="capture kernel")
    return status


def _run_load(ctx: Context, argv: list[str]) -> RunResult:
    """Run a kexec load; a load that found kexec busy (nothing changed) is tried again."""
    attempt = 1
    while True:
        result = ctx.host.run(argv, timeout=300)
        ctx.echo_output(result.stdout, result.stderr)
        if not retry(attempt, result.ok, result.timed_out, result.stderr):
            return result
        ctx.emit("load-retry", reason="kexec is busy (another kexec is running)",
                 seconds=RETRY_PAUSE)
        ctx.host.sleep(RETRY_PAUSE)
        attempt += 1


def _why_refused(ctx: Context, argv: list[str], stderr: str) -> None:
    """kexec says only "Operation not permitted": name the likely cause and its fix."""
    if EPERM_TEXT in stderr:
        ctx.report(kexec_refused(ctx.config, ctx.facts, argv))


def _update_links_for_load(ctx: Context, release: str) -> int:
    """Point the links at the running kernel; 1 when its kdump initrd could not be built.

    As in the original, a running kernel without an image in /boot is reported and load
    goes on (KDUMP_KERNEL may name another); but a kdump initrd that could not be built,
    or rebuilt after a sysctl change, stops load: never a stale or missing initrd loaded.
    """
    if not boot_image(ctx.host, release):
        ctx.emit("invalid-kernel-version", version=release)
        return 0
    return update_links(ctx, release, rebuild_initrd=sysctl_changed(ctx, release))


def load_argv(ctx: Context, choice: KernelChoice, kexec: str) -> list[str]:
    head = ctx.host.read_bytes(choice.kernel, 4) if choice.kernel else None
    initrd_exists = bool(choice.initrd) and ctx.host.exists(choice.initrd)
    return kexec_load_argv(kexec, ctx.config, ctx.facts, choice, head == ELF_MAGIC,
                           initrd_exists)


def _panic_triggers(ctx: Context) -> None:
    """Turn an oops into a panic, so that it is captured too."""
    sysctl = ctx.host.which("sysctl")
    if sysctl is None:
        ctx.emit("panic-trigger-unavailable")
        return
    ctx.host.run([sysctl, "-w", PANIC_TRIGGER], timeout=30)


def _fadump_register(ctx: Context, attempts: int = 1) -> int:
    for attempt in range(1, attempts + 1):
        try:
            ctx.host.fadump_set_registered(True)
        except HostError:
            if attempt == attempts:
                return ctx.emit("fadump-register-failed")
            ctx.emit("load-retry", reason="fadump registering failed", seconds=RETRY_PAUSE)
            ctx.host.sleep(RETRY_PAUSE)
        else:
            break
    ctx.emit("fadump-registered")
    _panic_triggers(ctx)
    return 0


def unload(ctx: Context) -> int:
    facts = ctx.facts
    if facts.dump_mode == "fadump":
        if facts.fadump.registered is None:
            return ctx.emit("fadump-not-configured")
        try:
            ctx.host.fadump_set_registered(False)
        except HostError:
            return ctx.emit("fadump-unregister-failed")
        ctx.emit("fadump-unregistered")
        return 0
    if facts.kexec_path is None:
        return ctx.emit("kexec-missing", program="kexec")
    argv = kexec_unload_argv(facts.kexec_path, facts)
    result = ctx.host.run(argv, timeout=120)
    ctx.echo_output(result.stdout, result.stderr)
    if not result.ok:
        status = ctx.emit("unload-failed")
        _why_refused(ctx, argv, result.stderr)
        return status
    # The recorded command no longer describes what is loaded.
    try:
        ctx.host.remove(ctx.kexec_cmd_file)
    except UnsafePathError as exc:  # another user's name, not our record: left to them
        ctx.emit("path-ignored", path=exc.path, reason=exc.reason)
    ctx.emit("unloaded")
    return 0


def reload(ctx: Context) -> int:
    """Load again, never leaving less loaded than there was: everything is checked and
    prepared before the loaded capture kernel is touched, and a failure keeps it (or loads
    it again) and says so."""
    if ctx.facts.dump_mode == "fadump":
        return _fadump_reload(ctx)
    loaded = ctx.facts.kexec_loaded
    status = _first_failure(ctx)
    argv = status if status else _prepare(ctx)
    if isinstance(argv, int):
        if loaded:
            ctx.emit("reload-kept-previous", what="capture kernel", state="loaded")
        return argv
    return _swap(ctx, argv, replacing=loaded)


def _fadump_reload(ctx: Context) -> int:
    """Unregister, then register again: a kernel without in-place re-registration answers
    EEXIST to a second registration and keeps the stale one."""
    registered = bool(ctx.facts.fadump.registered)
    status = _first_failure(ctx)
    if status:
        if registered:
            ctx.emit("reload-kept-previous", what="fadump registration", state="in place")
        return status
    if registered:
        try:
            ctx.host.fadump_set_registered(False)
        except HostError:
            status = ctx.emit("fadump-unregister-failed")
            if ctx.host.fadump_state().registered:
                ctx.emit("reload-kept-previous", what="fadump registration", state="in place")
            return status
        ctx.emit("fadump-unregistered")
    # Nothing is registered until this succeeds: worth a second attempt.
    status = _fadump_register(ctx, attempts=2 if registered else 1)
    if status and registered:
        ctx.emit("reload-lost", what="fadump registration")
    return status


def try_reload(ctx: Context) -> int:
    """Reload only if something is loaded (udev calls this on memory and CPU hotplug)."""
    if in_capture_kernel(ctx, "try-reload"):
        return 0
    facts = ctx.facts
    if facts.dump_mode == "fadump":
        status = _first_failure(ctx)
        if status:
            return status
        return reload(ctx) if facts.fadump.registered else 0
    if facts.kernel_handles_hotplug:
        ctx.emit("hotplug-by-kernel", command="try-reload")
        return 0
    return reload(ctx) if facts.kexec_loaded else 0

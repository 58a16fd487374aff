"""savecore: store /proc/vmcore (and the kernel log) on every configured target.

Runs in the capture kernel, once: a dump that is lost or silently broken is the
worst failure this tool can have.  So every stage's status is checked,
files carry ``-incomplete`` names until they are complete, a finished dump is
renamed (never over another one) and flushed, and the exit status says whether
every configured target holds a complete vmcore, so the service runs
KDUMP_FAIL_CMD when one does not.

Names and argv come from kdump.dumpname (pure); this package asks the Host and
reports: ``local`` (local disk and NFS), ``ssh`` and ``ftp`` store, ``common``
holds what they share.
"""

from __future__ import annotations

from collections.abc import Callable

from backends.values import HostError, UnsafePathError
from kdump import dumpname as names
from kdump.commands.savecore.common import Run, live_stderr, progress
from kdump.commands.savecore.ftp import save_ftp
from kdump.commands.savecore.local import save_local
from kdump.commands.savecore.ssh import save_ssh
from kdump.context import Context
from kdump.paths import VMCORE

__all__ = ["savecore"]

IP_ATTEMPTS = 5  # the capture kernel's network may still be coming up


def savecore(ctx: Context) -> int:
    config = ctx.config
    if not ctx.host.exists(VMCORE):  # not a capture kernel
        return ctx.emit("no-vmcore", vmcore=VMCORE)
    if config.ssh and config.nfs:
        return ctx.emit("ssh-nfs-conflict")
    run = _prepare(ctx)
    stored = []
    if config.ftp:
        stored.append(_guarded(run, save_ftp))
    if config.ssh:
        stored.append(_guarded(run, save_ssh))
    if config.nfs or not (config.ftp or config.ssh):
        stored.append(_guarded(run, save_local))
    return 0 if all(stored) else 1


def _prepare(ctx: Context) -> Run:
    config, host = ctx.config, ctx.host
    compressor, extension = _compression(ctx)
    makedumpfile = host.which("makedumpfile")
    if makedumpfile is None and config.kdump_dump_dmesg:
        ctx.emit("makedumpfile-missing-dmesg")  # once for all targets
    remote = bool(config.nfs or config.ssh or config.ftp)
    # One deadline for every transfer of this run, so the capture kernel always gets to
    # KDUMP_FAIL_CMD or the reboot, whatever hangs.
    deadline = host.monotonic() + config.kdump_savecore_timeout
    return Run(ctx, names.stamp(host.now()), makedumpfile, compressor, extension,
               _host_tag(ctx) if remote else "", progress(ctx), deadline,
               live_stderr=live_stderr(ctx))


def _compression(ctx: Context) -> tuple[list[str] | None, str]:
    method = ctx.config.kdump_compression
    if not method:
        return None, ""
    choice = names.COMPRESSIONS.get(method)
    if choice is None:
        ctx.emit("compression-unsupported", method=method)
        return None, ""
    program = ctx.host.which(choice.program)
    if program is None:
        ctx.emit("compression-missing", method=method, tool=choice.program)
        return None, ""
    return choice.argv(program), choice.extension


def _host_tag(ctx: Context) -> str:
    host = ctx.host
    if ctx.config.hosttag == "hostname":
        return _hostname(ctx)
    for attempt in range(1, IP_ATTEMPTS + 1):
        address = names.pick_ipv4(host.ipv4_addresses())
        if address:
            return address
        if attempt < IP_ATTEMPTS:
            host.sleep(1)
    ctx.emit("no-ip")
    ctx.emit("hosttag-fallback")
    return _hostname(ctx)


def _hostname(ctx: Context) -> str:
    """The hostname as a dump name: never an option, a path, or a climb out (``..``)."""
    hostname = ctx.host.hostname()
    tag = names.safe_tag(hostname)
    if tag != hostname:
        ctx.emit("hostname-unsafe", hostname=hostname, tag=tag)
    return tag


def _guarded(run: Run, target: Callable[[Run], bool]) -> bool:
    """One target's failure the code did not foresee must not cost the other targets."""
    if run.out_of_time():  # an earlier target used up the time
        return False
    try:
        return target(run)
    except UnsafePathError as exc:
        run.emit("path-refused", path=exc.path, reason=exc.reason)
        return False
    except HostError as exc:
        run.emit("host-error", detail=str(exc))
        return False

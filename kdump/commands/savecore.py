"""savecore: store /proc/vmcore (and the kernel log) on every configured target.

Runs in the capture kernel, once: a dump that is lost or silently broken is the
worst failure this tool can have.  So every stage's status is checked (B29),
files carry ``-incomplete`` names until they are complete, a finished dump is
renamed (never over another one) and flushed, and the exit status says whether
every configured target holds a complete vmcore (B30), so the service runs
KDUMP_FAIL_CMD when one does not.

Names and argv come from kdump.dumpname (pure); this module asks the Host and
reports.
"""

from __future__ import annotations

import contextlib
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field

from backends.base import FtpTarget, Host, HostError, PipelineResult, RunResult
from kdump import dumpname as names
from kdump.cmdline import render_argv
from kdump.context import Context

VMCORE = "/proc/vmcore"
RETRY_PAUSE = 3  # seconds between NFS mount / ssh attempts, as the original
IP_ATTEMPTS = 5  # the capture kernel's network may still be coming up
DMESG_TIMEOUT = 300
NFS_TIMEOUT = 600
SSH_TIMEOUT = 600
DUMP_MODE, DIR_MODE = 0o600, 0o700


@dataclass
class Run:
    """What every target of one savecore run shares."""

    ctx: Context
    stamp: str
    makedumpfile: str | None
    compressor: list[str] | None
    extension: str
    prefix: str  # HOSTTAG, when a remote target is configured
    progress: Callable[[int, int], None] | None = field(default=None)

    @property
    def host(self) -> Host:
        return self.ctx.host

    @property
    def dmesg_wanted(self) -> bool:
        return self.ctx.config.kdump_dump_dmesg and self.makedumpfile is not None

    def dump_stages(self) -> list[list[str]]:
        assert self.makedumpfile is not None
        return names.dump_stages(self.makedumpfile, self.ctx.config.makedump_args, VMCORE,
                                 self.compressor)

    def emit(self, code: str, **params: object) -> int:
        return self.ctx.emit(code, **params)

    def tell(self, result: RunResult | PipelineResult | HostError) -> None:
        """A failed child's own words, on stderr, for whoever reads the console."""
        if isinstance(result, HostError):
            text = str(result)
        else:
            stage = result.failed_stage if isinstance(result, PipelineResult) else result
            text = (stage.stderr or stage.stdout) if stage is not None else ""
        if text.strip() and not self.ctx.reporter.json_mode:
            self.ctx.reporter.err.write(text if text.endswith("\n") else text + "\n")


def savecore(ctx: Context) -> int:
    config = ctx.config
    if not ctx.host.exists(VMCORE):  # B49: not a capture kernel
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
        ctx.emit("makedumpfile-missing-dmesg")  # once for all targets (B37)
    remote = bool(config.nfs or config.ssh or config.ftp)
    return Run(ctx, names.stamp(host.now()), makedumpfile, compressor, extension,
               _host_tag(ctx) if remote else "", _progress(ctx))


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
        return host.hostname()
    for attempt in range(1, IP_ATTEMPTS + 1):
        address = names.pick_ipv4(host.ipv4_addresses())
        if address:
            return address
        if attempt < IP_ATTEMPTS:
            host.sleep(1)
    ctx.emit("no-ip")
    ctx.emit("hosttag-fallback")
    return host.hostname()


def _progress(ctx: Context) -> Callable[[int, int], None] | None:
    """A progress line on a terminal; nothing in the journal."""
    stream = ctx.reporter.err
    if ctx.reporter.json_mode or not stream.isatty():
        return None
    shown = [-1]

    def show(done: int, total: int) -> None:
        percent = done * 100 // total if total else 100
        if percent == shown[0]:
            return
        shown[0] = percent
        end = "\n" if done >= total else ""
        stream.write(f"\rcopying {VMCORE}: {percent:3d}% ({done >> 20} of {total >> 20} MiB)"
                     + end)
        stream.flush()

    return show


def _guarded(run: Run, target: Callable[[Run], bool]) -> bool:
    """One target's failure the code did not foresee must not cost the other targets."""
    try:
        return target(run)
    except HostError as exc:
        run.emit("host-error", detail=str(exc))
        return False


def _quietly(action: Callable[[], object]) -> None:
    """Best-effort cleanup: its failure changes nothing about the dump."""
    with contextlib.suppress(HostError):
        action()


# -- local disk and NFS ------------------------------------------------------------------------
def save_local(run: Run) -> bool:
    config = run.ctx.config
    if not config.nfs:
        return _store_local(run, nfs=False)
    if not _mount_nfs(run):
        return False
    try:
        return _store_local(run, nfs=True)
    finally:
        umount = run.host.which("umount") or "umount"
        result = run.host.run([umount, config.kdump_coredir], timeout=NFS_TIMEOUT)
        if not result.ok:
            run.tell(result)
            run.emit("nfs-umount-failed")


def _mount_nfs(run: Run) -> bool:
    config, host = run.ctx.config, run.host
    run.emit("nfs-mounting", nfs=config.nfs)
    try:
        host.mkdir(config.kdump_coredir)  # the mount point
    except HostError as exc:
        run.tell(exc)
        run.emit("nfs-mount-failed", nfs=config.nfs)
        return False
    argv = names.nfs_mount_argv(host.which("mount") or "mount", config.nfs,
                                config.kdump_coredir, config.nfs_timeo, config.nfs_retrans)
    attempts = config.nfs_mount_retry
    for attempt in range(1, attempts + 1):
        result = host.run(argv, timeout=NFS_TIMEOUT)
        if result.ok:
            return True
        run.tell(result)
        if attempt < attempts:  # B32: no pause after the last try
            run.emit("network-retry", count=attempts - attempt)
            host.sleep(RETRY_PAUSE)
    run.emit("nfs-mount-failed", nfs=config.nfs)
    return False


def _store_local(run: Run, nfs: bool) -> bool:
    config, host = run.ctx.config, run.host
    base = config.kdump_coredir.rstrip("/") or "/"
    directory = f"{base}/{names.dump_dir_name(run.stamp, run.prefix)}"
    try:
        if not nfs:
            host.mkdir(base)
        name = names.unique_name(names.dump_dir_name(run.stamp, run.prefix),
                                 set(host.listdir(base)))
        directory = f"{base}/{name}"
        host.mkdir(directory, DIR_MODE)
    except HostError as exc:
        run.tell(exc)
        if nfs:  # B31: stop here; the caller unmounts
            run.emit("nfs-write-failed", nfs=config.nfs)
        else:
            run.emit("vmcore-save-failed", where=directory)
        return False
    if nfs:
        run.emit("nfs-dumping", where=f"{config.nfs.rstrip('/')}/{name}")
    _local_dmesg(run, directory)
    if not _local_vmcore(run, directory):
        return False
    if not nfs and config.kdump_num_dumps > 0:
        _purge(run, base, name)
    return True


def _finish(run: Run, partial: str, final: str) -> bool:
    """Complete file -> its real name (never over another file), durably."""
    try:
        run.host.fsync(partial)
        run.host.rename(partial, final)
        run.host.fsync(posixpath.dirname(final))
    except HostError as exc:
        run.tell(exc)
        return False
    return True


def _local_dmesg(run: Run, directory: str) -> None:
    if not run.dmesg_wanted:
        return
    assert run.makedumpfile is not None
    partial, final = f"{directory}/dmesg-incomplete", f"{directory}/dmesg.{run.stamp}"
    run.emit("running-dmesg", vmcore=VMCORE, path=partial)
    result = run.host.run(names.dmesg_argv(run.makedumpfile, VMCORE, partial),
                          timeout=DMESG_TIMEOUT)
    if not result.ok or not run.host.file_size(partial):
        run.tell(result)
        run.emit("dmesg-failed")
        _quietly(lambda: run.host.remove(partial))
        run.emit("dmesg-save-failed", where=directory)
        return
    if _finish(run, partial, final):
        run.emit("dmesg-saved", where=directory)
    else:
        _quietly(lambda: run.host.remove(partial))
        run.emit("dmesg-save-failed", where=directory)


def _local_vmcore(run: Run, directory: str) -> bool:
    host, config = run.host, run.ctx.config
    if run.makedumpfile is not None:
        partial = f"{directory}/dump-incomplete{run.extension}"
        run.emit("running-makedumpfile", args=render_argv(config.makedump_args), vmcore=VMCORE,
                 path=partial)
        if _pipe_to_file(run, partial) and \
                _finish(run, partial, f"{directory}/dump.{run.stamp}{run.extension}"):
            run.emit("vmcore-saved", where=directory)
            return True
        run.emit("makedumpfile-failed")
        # The partial output would only take the space the full copy needs.
        _quietly(lambda: host.remove(partial))
    partial = f"{directory}/vmcore-incomplete"
    run.emit("running-cp", vmcore=VMCORE, path=partial)
    if _copy(run, partial) and _finish(run, partial, f"{directory}/vmcore.{run.stamp}"):
        run.emit("vmcore-saved", where=directory)
        return True
    _quietly(lambda: host.remove(partial))
    run.emit("vmcore-save-failed", where=directory)
    return False


def _pipe_to_file(run: Run, partial: str) -> bool:
    try:
        result = run.host.pipeline(run.dump_stages(), stdout_path=partial, stdout_mode=DUMP_MODE)
    except HostError as exc:
        run.tell(exc)
        return False
    if not result.ok:  # any stage, makedumpfile's above all (B29)
        run.tell(result)
        return False
    return result.bytes_written > 0


def _copy(run: Run, partial: str) -> bool:
    expected = run.host.file_size(VMCORE)
    try:
        copied = run.host.copy_file(VMCORE, partial, DUMP_MODE, progress=run.progress)
    except HostError as exc:
        run.tell(exc)
        return False
    return copied > 0 and (not expected or copied == expected)


def _purge(run: Run, base: str, current: str) -> None:
    host = run.host
    dirs = [entry for entry in host.listdir(base) if host.is_dir(f"{base}/{entry}")]
    victims = names.retention_victims(dirs, run.ctx.config.kdump_num_dumps, current)
    if not victims:
        return
    run.emit("purging", victims=" ".join(f"{base}/{victim}" for victim in victims))
    for victim in victims:
        path = f"{base}/{victim}"
        try:
            host.remove_tree(path)
        except HostError as exc:
            run.emit("purge-failed", path=path, reason=exc.reason)


# -- SSH ----------------------------------------------------------------------------------------
@dataclass
class Remote:
    run: Run
    ssh_program: str
    scp_program: str

    @property
    def destination(self) -> str:
        return self.run.ctx.config.ssh

    @property
    def key(self) -> str:
        return self.run.ctx.config.ssh_key

    def argv(self, command: str) -> list[str]:
        return names.ssh_argv(self.ssh_program, self.key, self.destination, command)

    def ssh(self, command: str) -> RunResult:
        result = self.run.host.run(self.argv(command), timeout=SSH_TIMEOUT)
        if not result.ok:
            self.run.tell(result)
        return result

    def scp(self, source: str, remote_path: str) -> bool:
        argv = names.scp_argv(self.scp_program, self.key, source, self.destination, remote_path)
        result = self.run.host.run(argv, timeout=None)
        if not result.ok:
            self.run.tell(result)
        return result.ok


def save_ssh(run: Run) -> bool:
    config, host = run.ctx.config, run.host
    remote = Remote(run, host.which("ssh") or "ssh", host.which("scp") or "scp")
    base = config.kdump_coredir.rstrip("/") or "/"
    listing = _reach(run, remote, base)
    if listing is None:
        run.emit("ssh-unreachable", server=names.ssh_server(config.ssh))
        return False
    name = names.unique_name(names.dump_dir_name(run.stamp, run.prefix),
                             set(listing.stdout.splitlines()))
    directory = f"{base}/{name}"
    if not listing.ok or not remote.ssh(names.remote_mkdir(directory)).ok:
        run.emit("ssh-mkdir-failed", ssh=config.ssh, path=base if not listing.ok else directory)
        return False
    where = f"{config.ssh}:{directory}"
    _ssh_dmesg(run, remote, directory, where)
    return _ssh_vmcore(run, remote, directory, where)


def _reach(run: Run, remote: Remote, base: str) -> RunResult | None:
    """SSH_KDUMP_RETRY tries while ssh itself fails; None if the server never answered."""
    attempts = run.ctx.config.ssh_kdump_retry
    for attempt in range(1, attempts + 1):
        result = remote.ssh(names.remote_listing(base))
        if result.returncode != names.SSH_FAILED:
            return result  # reached: the remote command's own status decides
        if attempt < attempts:
            run.emit("network-retry", count=attempts - attempt)
            run.host.sleep(RETRY_PAUSE)
    return None


def _ssh_dmesg(run: Run, remote: Remote, directory: str, where: str) -> None:
    if not run.dmesg_wanted:
        return
    assert run.makedumpfile is not None
    local = f"/tmp/dmesg.ssh.{run.stamp}"
    saved = _extract_dmesg(run, local) and remote.scp(local, f"{directory}/dmesg-incomplete") \
        and remote.ssh(names.remote_finish(f"{directory}/dmesg-incomplete",
                                           f"{directory}/dmesg.{run.stamp}")).ok
    _quietly(lambda: run.host.remove(local))  # B40: no leftovers in the capture kernel
    run.emit("dmesg-saved" if saved else "dmesg-save-failed", where=where)


def _extract_dmesg(run: Run, local: str) -> bool:
    """The kernel log into a local temporary file (makedumpfile will not overwrite one)."""
    assert run.makedumpfile is not None
    _quietly(lambda: run.host.remove(local))
    run.emit("running-dmesg", vmcore=VMCORE, path=local)
    result = run.host.run(names.dmesg_argv(run.makedumpfile, VMCORE, local),
                          timeout=DMESG_TIMEOUT)
    if result.ok and run.host.file_size(local):
        return True
    run.tell(result)
    run.emit("dmesg-failed")
    return False


def _ssh_vmcore(run: Run, remote: Remote, directory: str, where: str) -> bool:
    config = run.ctx.config
    if run.makedumpfile is not None:
        partial = f"{directory}/dump-incomplete{run.extension}"
        run.emit("ssh-sending-makedumpfile", args=render_argv(config.makedump_args),
                 vmcore=VMCORE, ssh=config.ssh, path=partial)
        # makedumpfile | compressor | ssh dd: the processes are connected to each other.
        stages = [*run.dump_stages(), remote.argv(names.remote_write(partial))]
        if _pipeline_ok(run, stages) and remote.ssh(names.remote_finish(
                partial, f"{directory}/dump.{run.stamp}{run.extension}")).ok:
            run.emit("vmcore-saved", where=where)
            return True
        run.emit("ssh-makedumpfile-failed")
        remote.ssh(names.remote_remove(partial))
    partial = f"{directory}/vmcore-incomplete"  # B36: a raw vmcore is never called dump.*
    run.emit("ssh-sending-vmcore", vmcore=VMCORE, ssh=config.ssh, path=partial)
    if not remote.scp(VMCORE, partial):
        run.emit("scp-failed")
    elif remote.ssh(names.remote_finish(partial, f"{directory}/vmcore.{run.stamp}")).ok:
        run.emit("vmcore-saved", where=where)
        return True
    run.emit("vmcore-save-failed", where=where)
    return False


def _pipeline_ok(run: Run, stages: list[list[str]]) -> bool:
    try:
        result = run.host.pipeline(stages)
    except HostError as exc:
        run.tell(exc)
        return False
    if not result.ok:
        run.tell(result)
    return result.ok


# -- FTP ----------------------------------------------------------------------------------------
def save_ftp(run: Run) -> bool:
    config, host = run.ctx.config, run.host
    place = names.parse_ftp(config.ftp)
    # The password travels inside FtpTarget only: never argv, never a message (repr=False).
    target = FtpTarget(place.host, int(config.ftp_port or 21), config.ftp_user,
                       config.ftp_password)
    _ftp_dmesg(run, target, place)
    if run.makedumpfile is not None:
        core = place.file(run.prefix, f"dump.{run.stamp}{run.extension}")
        where = f"{place.host}:{core}"
        run.emit("ftp-sending-makedumpfile", args=render_argv(config.makedump_args),
                 vmcore=VMCORE, where=where)
        if _uploaded(run, target, core, run.dump_stages(), None):
            run.emit("ftp-vmcore-saved", where=where)
            return True
        run.emit("ftp-makedumpfile-failed")
    core = place.file(run.prefix, f"vmcore.{run.stamp}")  # B36: the raw vmcore, by its name
    where = f"{place.host}:{core}"
    run.emit("ftp-sending-vmcore", vmcore=VMCORE, where=where)
    if _uploaded(run, target, core, None, host.file_size(VMCORE) or None):
        run.emit("ftp-vmcore-saved", where=where)
        return True
    run.emit("ftp-vmcore-failed", where=where)
    return False


def _ftp_dmesg(run: Run, target: FtpTarget, place: names.FtpPlace) -> None:
    if not run.dmesg_wanted:
        return
    local = f"/tmp/dmesg.ftp.{run.stamp}"
    remote = place.file(run.prefix, f"dmesg.{run.stamp}")
    saved = _extract_dmesg(run, local) and \
        _uploaded(run, target, remote, None, run.host.file_size(local), source=local)
    _quietly(lambda: run.host.remove(local))
    run.emit("ftp-dmesg-saved" if saved else "ftp-dmesg-failed", where=f"{place.host}:{remote}")


def _uploaded(run: Run, target: FtpTarget, remote: str, stages: list[list[str]] | None,
              expected: int | None, source: str = VMCORE) -> bool:
    """Stored, every stage succeeded, and the server got bytes (all of them, when known)."""
    try:
        result = run.host.ftp_upload(target, remote, stages,
                                     source_path=None if stages else source)
    except HostError as exc:
        run.tell(exc)
        return False
    if not result.ok:
        run.tell(result)
        return False
    return result.bytes_written > 0 and (expected is None or result.bytes_written == expected)

"""savecore into KDUMP_COREDIR: a local directory, or an NFS export mounted there."""

from __future__ import annotations

import contextlib
import errno

from backends.values import HostError, RunResult, UnsafePathError
from kdump import dumpname as names
from kdump import program_argv
from kdump.cmdline import render_argv
from kdump.commands.savecore.common import (
    NAME_ATTEMPTS,
    Run,
    completed,
    extract_dmesg,
    finish,
    quietly,
    retrying,
)
from kdump.paths import VMCORE

NFS_TIMEOUT = 600
CLEANUP_TIMEOUT = 30  # an unmount still gets this long once the deadline has passed
DUMP_MODE, DIR_MODE = 0o600, 0o700


def save_local(run: Run) -> bool:
    config = run.ctx.config
    if not config.nfs:
        return _store(run, nfs=False)
    if not _mount_nfs(run):
        return False
    try:
        return _store(run, nfs=True)
    finally:
        _umount(run)


def _umount(run: Run, quiet: bool = False) -> None:
    umount = run.host.which("umount") or "umount"
    result = run.host.run([umount, run.ctx.config.kdump_coredir],
                          timeout=max(run.remaining(NFS_TIMEOUT), CLEANUP_TIMEOUT))
    if not result.ok and not quiet:
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
    argv = program_argv.nfs_mount_argv(host.which("mount") or "mount", config.nfs,
                                config.kdump_coredir, config.nfs_timeo, config.nfs_retrans)

    def mount() -> RunResult | None:
        result = run.execute(argv, NFS_TIMEOUT)
        if result.timed_out:
            # Killed at its deadline, it may still have mounted: never leave it so.
            _umount(run, quiet=True)
        return result if result.ok else None

    if retrying(run, config.nfs_mount_retry, mount) is not None:
        return True
    run.emit("nfs-mount-failed", nfs=config.nfs)
    return False


def _store(run: Run, nfs: bool) -> bool:
    config, host, base = run.ctx.config, run.host, run.coredir
    directory = f"{base}/{run.dump_dir()}"  # what a failure names if even listing fails
    try:
        if not nfs:
            host.mkdir(base)
        # Streamed: a directory other users can fill with names costs no memory.
        free = names.FreeDumpDir(run.dump_dir())
        with contextlib.suppress(HostError):  # unlisted, the names are tried one by one
            for entry in host.scan_dir(base):
                free.see(entry.name)
        for attempt in range(1, NAME_ATTEMPTS + 1):
            name = free.name()
            directory = f"{base}/{name}"
            try:
                host.mkdir(directory, DIR_MODE)
                break
            except HostError as exc:
                # Another user's link, directory or file took the name since it was
                # listed: never write there, and do not lose the dump for it: take the
                # next name.
                taken = isinstance(exc, UnsafePathError) or exc.errno == errno.ENOTDIR
                if attempt == NAME_ATTEMPTS or not taken:
                    raise
                run.tell(exc)
                free.see(name)
    except HostError as exc:
        run.tell(exc)
        if nfs:  # never into the directory under the mount point: stop here; the caller unmounts
            run.emit("nfs-write-failed", nfs=config.nfs)
        else:
            run.emit("vmcore-save-failed", where=directory)
        return False
    if nfs:
        run.emit("nfs-dumping", where=f"{config.nfs.rstrip('/')}/{name}")
    _dmesg(run, directory)
    if not _vmcore(run, directory):
        return False
    # The reference purges local disk only, never an export (section 4.2).
    if not nfs and config.kdump_num_dumps > 0:
        _purge(run, base, name)
    return True


def _dmesg(run: Run, directory: str) -> None:
    if not run.dmesg_wanted:
        return
    if run.out_of_time():
        return
    partial, final = f"{directory}/dmesg-incomplete", f"{directory}/dmesg.{run.stamp}"
    if extract_dmesg(run, partial) and finish(run, partial, final):
        run.emit("dmesg-saved", where=directory)
        return
    if not run.out_of_time():  # past the deadline, an unfinished file keeps its name
        quietly(lambda: run.host.remove(partial))
    run.emit("dmesg-save-failed", where=directory)


def _vmcore(run: Run, directory: str) -> bool:
    host, config = run.host, run.ctx.config
    if run.makedumpfile is not None and not run.out_of_time():
        partial = f"{directory}/dump-incomplete{run.extension}"
        run.emit("running-makedumpfile", args=render_argv(config.makedump_args), vmcore=VMCORE,
                 path=partial)
        if _pipe_to_file(run, partial) and \
                finish(run, partial, f"{directory}/dump.{run.stamp}{run.extension}"):
            run.emit("vmcore-saved", where=directory)
            return True
        if not run.out_of_time():
            run.emit("makedumpfile-failed")
            # The partial output would only take the space the full copy needs.
            quietly(lambda: host.remove(partial))
    if run.out_of_time():  # no time for the fallback: what was written stays -incomplete
        run.emit("vmcore-save-failed", where=directory)
        return False
    partial = f"{directory}/vmcore-incomplete"
    run.emit("running-cp", vmcore=VMCORE, path=partial)
    if _copy(run, partial) and finish(run, partial, f"{directory}/vmcore.{run.stamp}"):
        run.emit("vmcore-saved", where=directory)
        return True
    if not run.out_of_time():
        quietly(lambda: host.remove(partial))
    run.emit("vmcore-save-failed", where=directory)
    return False


def _pipe_to_file(run: Run, partial: str) -> bool:
    result = completed(run, lambda: run.host.pipeline(run.dump_stages(), stdout_path=partial,
                                                      stdout_mode=DUMP_MODE,
                                                      timeout=run.remaining(), **run.live()))
    return result is not None and result.bytes_written > 0


def _copy(run: Run, partial: str) -> bool:
    expected = run.host.file_size(VMCORE)
    try:
        copied = run.host.copy_file(VMCORE, partial, DUMP_MODE, progress=run.progress,
                                    timeout=run.remaining())
    except HostError as exc:
        run.tell(exc)
        return False
    # A size of 0 means the kernel did not say: then any bytes at all must do.
    return copied > 0 and (not expected or copied == expected)


def _purge(run: Run, base: str, current: str) -> None:
    host = run.host
    retention = names.Retention(run.ctx.config.kdump_num_dumps, current)
    try:
        # Only a directory of ours named like a dump: another user's directories, files
        # and links are neither counted nor removed, nor remembered.  (What is kept is
        # the names of root's own dump directories: no other user can add to them.)
        ours: list[tuple[tuple[str, int], str]] = []
        for entry in host.scan_dir(base):
            key = names.dump_dir_key(entry.name)
            if key is not None and entry.kind == "dir" and entry.own and \
                    entry.name != current:
                ours.append((key, entry.name))
    except HostError:  # the dump is saved: a directory that cannot be read keeps its dumps
        return
    for _, name in sorted(ours):  # in order: what is looked at is the same on every disk
        if _holds_complete_dump(run, f"{base}/{name}", name):
            retention.offer(name)
    victims = retention.victims()
    if not victims:
        return
    # As the original prints it: every name followed by a space, so the line ends " ."
    run.emit("purging", victims="".join(f"{base}/{victim} " for victim in victims))
    for victim in victims:
        path = f"{base}/{victim}"
        try:
            host.remove_tree(path)
        except HostError as exc:
            run.emit("purge-failed", path=path, reason=exc.reason)


def _holds_complete_dump(run: Run, path: str, dir_name: str) -> bool:
    """A dump file of this directory's stamp that savecore wrote: root's (or ours) regular
    file, not a link, not empty, starting as that kind of dump does.

    Only the few names savecore gives a dump are looked at, never a listing.
    """
    key = names.dump_dir_key(dir_name)
    if key is None:
        return False
    for name in sorted(names.dump_file_names(key[0])):
        try:
            head = run.host.read_own(f"{path}/{name}", names.HEADER_BYTES)
        except HostError:  # another user's, a link, not a regular file: not a dump
            continue
        if head and names.dump_header_ok(name, head):
            return True
    return False

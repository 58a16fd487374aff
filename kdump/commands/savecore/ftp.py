"""savecore over FTP, through the backend: the password never reaches argv or a message."""

from __future__ import annotations

from backends.base import FtpTarget
from kdump import dumpname as names
from kdump.cmdline import render_argv
from kdump.commands.savecore.common import VMCORE, Run, completed, send_dmesg


def save_ftp(run: Run) -> bool:
    config, host = run.ctx.config, run.host
    place = names.parse_ftp(config.ftp)
    # FtpTarget keeps the password out of its repr, so no log line can carry it.
    target = FtpTarget(place.host, int(config.ftp_port or 21), config.ftp_user,
                       config.ftp_password)
    _dmesg(run, target, place)
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


def _dmesg(run: Run, target: FtpTarget, place: names.FtpPlace) -> None:
    if not run.dmesg_wanted:
        return
    remote = place.file(run.prefix, f"dmesg.{run.stamp}")
    saved = send_dmesg(run, "ftp", lambda local: _uploaded(
        run, target, remote, None, run.host.file_size(local), source=local))
    run.emit("ftp-dmesg-saved" if saved else "ftp-dmesg-failed", where=f"{place.host}:{remote}")


def _uploaded(run: Run, target: FtpTarget, remote: str, stages: list[list[str]] | None,
              expected: int | None, source: str = VMCORE) -> bool:
    """Stored, every stage succeeded, and the server got bytes (all of them, when known)."""
    result = completed(run, lambda: run.host.ftp_upload(
        target, remote, stages, source_path=None if stages else source))
    return result is not None and result.bytes_written > 0 and \
        (expected is None or result.bytes_written == expected)

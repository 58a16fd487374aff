"""savecore over FTP, through the backend: the password never reaches argv or a message.

As safe as a local save: every file is uploaded as ``NAME-incomplete`` and renamed
to NAME only once the server holds all of it (a failed upload is deleted); NAME is
unique on the server (a second run in the same minute gets ``STAMP-1``); a login the
server refuses is reported as such and ends the FTP target.
"""

from __future__ import annotations

import enum

from backends.values import FTP_NOT_LOGGED_IN, FtpTarget, HostError, PipelineResult, RunResult
from kdump import dumpname as names
from kdump.cmdline import render_argv
from kdump.commands.savecore.common import Run, send_dmesg
from kdump.paths import VMCORE

FTP_TIMEOUT = 600  # one listing, rename or delete; uploads have the whole deadline


class Stored(enum.Enum):
    SAVED = "saved"
    FAILED = "failed"
    REFUSED = "refused"  # the server refused the login: no other attempt can do better


class Ftp:
    """One savecore run's FTP destination."""

    def __init__(self, run: Run, target: FtpTarget, place: names.FtpPlace, stamp: str,
                 ) -> None:
        self.run = run
        self.target = target
        self.place = place
        self.stamp = stamp  # unique among the server's files of this host

    def file(self, kind: str, extension: str = "") -> str:
        return self.place.file(self.run.prefix, f"{kind}.{self.stamp}{extension}")

    def where(self, remote: str) -> str:
        return f"{self.target.host}:{remote}"

    def refused(self, result: RunResult) -> bool:
        if result.returncode != FTP_NOT_LOGGED_IN:
            return False
        self.run.tell(result)
        self.run.emit("ftp-login-failed", user=self.target.user or "anonymous",
                      host=self.target.host)
        return True

    def upload(self, final: str, stages: list[list[str]] | None, expected: int | None,
               source: str = VMCORE) -> Stored:
        """``final`` stored complete (every stage succeeded, all bytes, when known)."""
        run, host = self.run, self.run.host
        partial = names.ftp_partial(final)
        try:
            result = host.ftp_upload(self.target, partial, stages,
                                     source_path=None if stages else source,
                                     timeout=run.remaining(), **(run.live() if stages else {}))
        except HostError as exc:
            run.tell(exc)
            return Stored.FAILED
        if self.refused(result.stages[-1]):
            return Stored.REFUSED
        if not _complete(result, expected):
            run.tell(result)
            if not run.out_of_time():  # past the deadline, the partial file keeps its name
                host.ftp_remove(self.target, partial, timeout=run.remaining(FTP_TIMEOUT))
            return Stored.FAILED
        renamed = host.ftp_rename(self.target, partial, final,
                                  timeout=run.remaining(FTP_TIMEOUT))
        if renamed.ok:
            return Stored.SAVED
        if self.refused(renamed):
            return Stored.REFUSED
        run.tell(renamed)
        return Stored.FAILED


def _complete(result: PipelineResult, expected: int | None) -> bool:
    return result.ok and result.bytes_written > 0 and \
        (expected is None or result.bytes_written == expected)


def save_ftp(run: Run) -> bool:
    config, host = run.ctx.config, run.host
    place = names.parse_ftp(config.ftp)
    # FtpTarget keeps the password out of its repr, so no log line can carry it.
    target = FtpTarget(place.host, int(config.ftp_port or 21), config.ftp_user,
                       config.ftp_password)
    listing = host.ftp_list(target, place.directory or "/", timeout=run.remaining(FTP_TIMEOUT))
    ftp = Ftp(run, target, place, run.stamp)
    if ftp.refused(listing):
        return False
    # A directory that cannot be listed (not there yet) holds nothing of ours.
    taken = listing.stdout.splitlines() if listing.ok else []
    ftp.stamp = names.ftp_unique_stamp(run.stamp, run.prefix, taken)
    if _dmesg(ftp) is Stored.REFUSED:
        return False
    if run.makedumpfile is not None and not run.out_of_time():
        core = ftp.file("dump", run.extension)
        run.emit("ftp-sending-makedumpfile", args=render_argv(config.makedump_args),
                 vmcore=VMCORE, where=ftp.where(core))
        stored = ftp.upload(core, run.dump_stages(), None)
        if stored is Stored.SAVED:
            run.emit("ftp-vmcore-saved", where=ftp.where(core))
            return True
        if stored is Stored.REFUSED:
            return False
        if not run.out_of_time():
            run.emit("ftp-makedumpfile-failed")
    core = ftp.file("vmcore")  # the raw vmcore, by its name (never dump.*)
    if not run.out_of_time():
        run.emit("ftp-sending-vmcore", vmcore=VMCORE, where=ftp.where(core))
        stored = ftp.upload(core, None, host.file_size(VMCORE) or None)
        if stored is Stored.SAVED:
            run.emit("ftp-vmcore-saved", where=ftp.where(core))
            return True
        if stored is Stored.REFUSED:
            return False
        run.out_of_time()  # says so when the deadline is why
    run.emit("ftp-vmcore-failed", where=ftp.where(core))
    return False


def _dmesg(ftp: Ftp) -> Stored | None:
    run = ftp.run
    if not run.dmesg_wanted:
        return None
    remote = ftp.file("dmesg")
    outcome: list[Stored] = []

    def send(local: str) -> bool:
        outcome.append(ftp.upload(remote, None, run.host.file_size(local), source=local))
        return outcome[-1] is Stored.SAVED

    saved = send_dmesg(run, "ftp", send)
    if outcome and outcome[-1] is Stored.REFUSED:
        return Stored.REFUSED
    run.emit("ftp-dmesg-saved" if saved else "ftp-dmesg-failed", where=ftp.where(remote))
    return Stored.SAVED if saved else Stored.FAILED

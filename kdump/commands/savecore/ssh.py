"""savecore over SSH: makedumpfile streamed into a remote dd, scp as the fallback."""

from __future__ import annotations

from backends.values import RunResult
from kdump import program_argv
from kdump.cmdline import render_argv
from kdump.commands.savecore.common import Run, completed, retrying, send_dmesg
from kdump.paths import VMCORE

SSH_TIMEOUT = 600


class Remote:
    """One savecore run's ssh destination and the programs that reach it."""

    def __init__(self, run: Run, ssh_program: str, scp_program: str) -> None:
        self.run = run
        self.ssh_program = ssh_program
        self.scp_program = scp_program

    @property
    def destination(self) -> str:
        return self.run.ctx.config.ssh

    @property
    def key(self) -> str:
        return self.run.ctx.config.ssh_key

    def argv(self, command: str) -> list[str]:
        return program_argv.ssh_argv(self.ssh_program, self.key, self.destination, command)

    def ssh(self, command: str) -> RunResult:
        return self.run.execute(self.argv(command), SSH_TIMEOUT)

    def scp(self, source: str, remote_path: str) -> bool:
        argv = program_argv.scp_argv(self.scp_program, self.key, source, self.destination,
                                     remote_path)
        return self.run.execute(argv).ok  # as long as the deadline allows

    def finish(self, partial: str, final: str) -> bool:
        return self.ssh(program_argv.remote_finish(partial, final)).ok


def save_ssh(run: Run) -> bool:
    config, host = run.ctx.config, run.host
    remote = Remote(run, host.which("ssh") or "ssh", host.which("scp") or "scp")
    base = run.coredir
    listing = _reach(run, remote, base)
    if listing is None:
        if not run.out_of_time():
            run.emit("ssh-unreachable", server=program_argv.ssh_server(config.ssh))
        return False
    directory = f"{base}/{run.dump_dir(listing.stdout.splitlines())}"
    if not listing.ok or not remote.ssh(program_argv.remote_mkdir(directory)).ok:
        run.out_of_time()  # says so when the deadline is why
        run.emit("ssh-mkdir-failed", ssh=config.ssh, path=base if not listing.ok else directory)
        return False
    where = f"{config.ssh}:{directory}"
    _dmesg(remote, directory, where)
    return _vmcore(remote, directory, where)


def _reach(run: Run, remote: Remote, base: str) -> RunResult | None:
    """None if the server never answered; otherwise the remote command's own status decides."""

    def listing() -> RunResult | None:
        result = remote.ssh(program_argv.remote_listing(base))
        unanswered = result.returncode == program_argv.SSH_FAILED or result.timed_out
        return None if unanswered else result

    return retrying(run, run.ctx.config.ssh_kdump_retry, listing)


def _dmesg(remote: Remote, directory: str, where: str) -> None:
    run = remote.run
    if not run.dmesg_wanted:
        return
    partial, final = f"{directory}/dmesg-incomplete", f"{directory}/dmesg.{run.stamp}"
    saved = send_dmesg(run, "ssh",
                       lambda local: remote.scp(local, partial) and remote.finish(partial, final))
    run.emit("dmesg-saved" if saved else "dmesg-save-failed", where=where)


def _vmcore(remote: Remote, directory: str, where: str) -> bool:
    run = remote.run
    config = run.ctx.config
    if run.makedumpfile is not None and not run.out_of_time():
        partial = f"{directory}/dump-incomplete{run.extension}"
        run.emit("ssh-sending-makedumpfile", args=render_argv(config.makedump_args),
                 vmcore=VMCORE, ssh=config.ssh, path=partial)
        # The processes are connected to each other: no vmcore byte passes through Python.
        stages = [*run.dump_stages(), remote.argv(program_argv.remote_write(partial))]
        if completed(run, lambda: run.host.pipeline(stages, timeout=run.remaining(),
                                                    **run.live())) \
                is not None and \
                remote.finish(partial, f"{directory}/dump.{run.stamp}{run.extension}"):
            run.emit("vmcore-saved", where=where)
            return True
        if not run.out_of_time():
            run.emit("ssh-makedumpfile-failed")
            remote.ssh(program_argv.remote_remove(partial))
    if run.out_of_time():  # no time for scp: what was written stays -incomplete
        run.emit("vmcore-save-failed", where=where)
        return False
    partial = f"{directory}/vmcore-incomplete"  # a raw vmcore is never called dump.*
    run.emit("ssh-sending-vmcore", vmcore=VMCORE, ssh=config.ssh, path=partial)
    if not remote.scp(VMCORE, partial):
        run.emit("scp-failed")
    elif remote.finish(partial, f"{directory}/vmcore.{run.stamp}"):
        run.emit("vmcore-saved", where=where)
        return True
    run.out_of_time()  # says so when the deadline is why
    run.emit("vmcore-save-failed", where=where)
    return False

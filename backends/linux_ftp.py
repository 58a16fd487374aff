"""FTP on the real backend, through the standard library: the password never reaches an
argv, and every wait is bounded by the operation's deadline."""

from __future__ import annotations

import contextlib
import errno
import posixpath
import time

from backends.deadlines import Bounded, Expired, alarm
from backends.values import FTP_NOT_LOGGED_IN, TIMED_OUT, HostError, PipelineResult, RunResult

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ftplib
    from collections.abc import Callable, Sequence

    from backends.base import Resolver
    from backends.linux import LinuxHost
    from backends.values import FtpTarget

_FTP_TIMEOUT = 60.0


class StdlibFtp:
    """The Ftp part of LinuxHost: each operation one session (connect, log in, act, quit);
    what to send is the host's (its files, its programs)."""

    def __init__(self, host: LinuxHost, resolver: Resolver | None) -> None:
        """``resolver``: where a server's name is reached (None: the system resolves it)."""
        self.host = host
        self._resolve_name = resolver

    def upload(
        self, target: FtpTarget, remote_path: str, stages: Sequence[Sequence[str]] | None,
        source_path: str | None = None, *, timeout: float | None = None,
        live_stderr: int | None = None,
    ) -> PipelineResult:
        label = ("ftp-stor", f"{target.host}:{remote_path}")
        deadline = None if timeout is None else time.monotonic() + timeout
        # savecore holds this against the vmcore's size: count what the data connection
        # took, since the server's side cannot be asked.
        sent = 0

        def count(block: bytes) -> None:
            nonlocal sent
            sent += len(block)

        if not stages:
            try:
                with alarm(timeout, "open", source_path or "-"):  # a FIFO may never open
                    path = self.host.host_path(source_path or "/dev/null")
                    source = open(path, "rb")  # noqa: SIM115
            except HostError as exc:
                timed_out = exc.errno == errno.ETIME
                return PipelineResult((RunResult(label, TIMED_OUT if timed_out else 1, "",
                                                 str(exc), timed_out=timed_out),))
            except OSError as exc:
                return PipelineResult((RunResult(label, 1, "", f"{source_path}: {exc}"),))
            with source:
                stored = self._session(target, label, deadline, lambda ftp: ftp.storbinary(
                    f"STOR {remote_path}", Bounded(source, deadline), callback=count))
            return PipelineResult((stored,), sent)
        chain = self.host.runner.producers([self.host.program(a) for a in stages],
                                           timeout=timeout, live_stderr=live_stderr)
        if chain.failed is not None or chain.stdout is None:
            return PipelineResult(tuple(chain.wait()))
        stream = chain.stdout
        try:
            stored = self._session(target, label, deadline, lambda ftp: ftp.storbinary(
                f"STOR {remote_path}", Bounded(stream, deadline), callback=count))
        finally:
            producers = chain.wait()
        return PipelineResult((*producers, stored), sent)

    def names(self, target: FtpTarget, directory: str, *,
              timeout: float | None = None) -> RunResult:
        label = ("ftp-nlst", f"{target.host}:{directory}")
        deadline = None if timeout is None else time.monotonic() + timeout
        names: list[str] = []

        def nlst(ftp: ftplib.FTP) -> object:
            names.extend(posixpath.basename(n.rstrip("/")) for n in ftp.nlst(directory))
            return None

        listed = self._session(target, label, deadline, nlst)
        return listed._replace(stdout="".join(f"{n}\n" for n in names)) if listed.ok else listed

    def rename(self, target: FtpTarget, src: str, dst: str, *,
               timeout: float | None = None) -> RunResult:
        deadline = None if timeout is None else time.monotonic() + timeout
        return self._session(target, ("ftp-rename", f"{target.host}:{src}", dst), deadline,
                             lambda ftp: ftp.rename(src, dst))

    def remove(self, target: FtpTarget, path: str, *,
               timeout: float | None = None) -> RunResult:
        deadline = None if timeout is None else time.monotonic() + timeout
        return self._session(target, ("ftp-delete", f"{target.host}:{path}"), deadline,
                             lambda ftp: ftp.delete(path))

    def _session(self, target: FtpTarget, label: tuple[str, ...], deadline: float | None,
                 action: Callable[[ftplib.FTP], object]) -> RunResult:
        """One session: connect, log in, ``action``, quit; every wait bounded."""
        import ftplib  # brings ssl along: only when an FTP target is used

        def failed(exc: BaseException, status: int = 1) -> RunResult:
            # ftplib's EOFError has no words of its own.
            reason = str(exc) or ("connection closed by the server"
                                  if isinstance(exc, EOFError) else type(exc).__name__)
            return RunResult(label, status, "", _without(reason, target.password))

        def wait() -> float:
            if deadline is None:
                return _FTP_TIMEOUT
            return max(min(_FTP_TIMEOUT, deadline - time.monotonic()), 0.001)

        host, port = (target.host, target.port) if self._resolve_name is None else \
            self._resolve_name(target.host, target.port)
        ftp = ftplib.FTP()
        try:
            ftp.connect(host, port, timeout=wait())
            ftp.login(target.user or "anonymous", target.password or "anonymous@")
        except ftplib.error_perm as exc:
            ftp.close()
            refused = str(exc).startswith(str(FTP_NOT_LOGGED_IN))
            return failed(exc, FTP_NOT_LOGGED_IN if refused else 1)
        except ftplib.all_errors as exc:  # EOFError too: a server that hangs up at once
            ftp.close()
            return failed(exc)
        try:
            if ftp.sock is not None:
                ftp.sock.settimeout(wait())
            action(ftp)
            result = RunResult(label, 0)
        except Expired:
            result = RunResult(label, TIMED_OUT, "", "stopped: the deadline passed",
                               timed_out=True)
        except ftplib.error_perm as exc:
            refused = str(exc).startswith(str(FTP_NOT_LOGGED_IN))
            result = failed(exc, FTP_NOT_LOGGED_IN if refused else 1)
        except ftplib.all_errors as exc:
            result = failed(exc)
        finally:
            with contextlib.suppress(*ftplib.all_errors):
                ftp.quit()
            ftp.close()
        if deadline is not None and time.monotonic() >= deadline and result.ok:
            # A transfer that ran into its deadline is not a transfer that finished.
            result = result._replace(returncode=TIMED_OUT, timed_out=True)
        return result


def _without(text: str, secret: str) -> str:
    """A server may echo what it was sent; the password must not reach a message."""
    return text.replace(secret, "********") if secret else text

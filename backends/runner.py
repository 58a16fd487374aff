"""The one module that starts processes on the real machine.

argv lists only: a configuration value is data and never reaches a shell.
Pipelines are connected process to process (the bytes never pass through
Python), and every stage's exit status is kept.

Three rules hold for every process started here:

* argv[0] is the name the program is invoked as; where the file lives on this
  host is passed separately (``Program.executable``), so a multi-call program
  (busybox) still knows which applet it is.
* A chain never waits on a stage that could not start: the stages that did start
  are stopped at once (they could never finish a broken chain).
* A deadline covers the whole chain: when it passes, every stage still running
  is killed and reported ``timed_out`` (never a success, whatever it exits with).
  Output goes to files, not pipes Python must drain, so nothing blocks after a kill.
* Nothing is orphaned: every process starts in a session (and process group) of its
  own, and a kill reaches the whole group, so what a stage started itself (the kernel
  hook's mkinitramfs) goes with it, at a deadline and when kdump-config is itself
  stopped by SIGTERM, SIGINT or SIGHUP (see _Groups).  A session of its own also keeps a
  terminal's job control away from it: no SIGTTOU for progress written to a terminal.
  Not covered: SIGKILL of kdump-config (nothing of ours runs then; under systemd the
  unit's cgroup is killed whole), and a grandchild left running by a stage that ended
  on its own (its group id may be reused once that stage is reaped).
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from types import FrameType
from typing import IO, NamedTuple

from backends.values import TIMED_OUT, HostError, PipelineResult, RunResult

_NOT_FOUND = 127
_NOT_EXECUTABLE = 126


class Program(NamedTuple):
    """A process to start: the file to execute on this host, and its argv."""

    executable: str
    argv: tuple[str, ...]  # argv[0]: the name the program is invoked as

    @classmethod
    def of(cls, argv: Sequence[str]) -> Program:
        """``argv`` as it stands: a bare name is looked up on PATH."""
        return cls(argv[0], tuple(argv))


def _deadline(timeout: float | None) -> float | None:
    return None if timeout is None else time.monotonic() + max(timeout, 0.0)


class _Groups:
    """The process groups of the children running now, killed whole when this process is
    stopped by a signal it can catch (then the signal does what it did before).

    A signal that comes while a child is being started waits until it is registered, so
    that no child is started and then missed.
    """

    SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

    def __init__(self) -> None:
        self.running: set[subprocess.Popen[bytes]] = set()
        self._installed = False
        self._starting = 0
        self._pending: tuple[int, object, FrameType | None] | None = None

    def _install(self) -> None:
        if self._installed or threading.current_thread() is not threading.main_thread():
            return
        self._installed = True
        for signum in self.SIGNALS:
            previous = signal.getsignal(signum)
            if previous is not signal.SIG_IGN and previous is not None:
                signal.signal(signum, self._handler(previous))

    @contextmanager
    def starting(self) -> Iterator[None]:
        self._install()
        self._starting += 1
        try:
            yield
        finally:
            self._starting -= 1
            pending, self._pending = self._pending, None
            if pending is not None and not self._starting:
                self._stop(*pending)

    def add(self, proc: subprocess.Popen[bytes]) -> None:
        self.running.add(proc)

    def discard(self, proc: subprocess.Popen[bytes]) -> None:
        self.running.discard(proc)

    def _handler(self, previous: object) -> Callable[[int, FrameType | None], None]:
        def stopped(signum: int, frame: FrameType | None) -> None:
            if self._starting:
                self._pending = (signum, previous, frame)
                return
            self._stop(signum, previous, frame)

        return stopped

    def _stop(self, signum: int, previous: object, frame: FrameType | None) -> None:
        for proc in list(self.running):
            kill_group(proc)
        if callable(previous):
            previous(signum, frame)
            return
        signal.signal(signum, signal.SIG_DFL)  # die of it, as before
        os.kill(os.getpid(), signum)


_GROUPS = _Groups()


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill ``proc`` and everything in its process group.

    Only while it is not reaped (returncode None): until then its pid, which is its group
    id, cannot name anyone else's group.
    """
    if proc.returncode is not None:
        return
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # setsid ran before Popen returned


def _start(program: Program, stdin: int | IO[bytes] | None, stdout: int | IO[bytes] | None,
           stderr: IO[bytes], env: dict[str, str] | None, tee: _Tee | None = None,
           ) -> subprocess.Popen[bytes]:
    try:
        with _GROUPS.starting():
            proc = subprocess.Popen(list(program.argv), executable=program.executable,
                                    stdin=stdin, stdout=stdout,
                                    stderr=stderr if tee is None else tee.write_end, env=env,
                                    start_new_session=True)
            _GROUPS.add(proc)
    finally:
        if tee is not None:
            tee.started()
    return proc


# After the processes have ended, how long their stderr may still take to arrive (a
# grandchild that kept the pipe open must not hold up savecore for good).
TEE_DRAIN_SECONDS = 10.0


class _Tee:
    """A stage's stderr kept in ``err`` (for its result) and copied to ``live`` (a terminal)
    as it is written: a program's own progress is seen while it runs.

    A thread drains the pipe, so a chatty program never blocks on it.
    """

    def __init__(self, err: IO[bytes], live: int) -> None:
        read_end, self.write_end = os.pipe()
        self.thread = threading.Thread(target=self._copy, args=(read_end, err, live),
                                       daemon=True)
        self.thread.start()

    @staticmethod
    def _copy(read_end: int, err: IO[bytes], live: int) -> None:
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                err.write(chunk)
                try:
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(live, view):]
                except OSError:
                    pass  # the terminal went away: the result still keeps every word

    def started(self) -> None:
        """The child has its copy of the write end (or never will): ours goes."""
        os.close(self.write_end)

    def finish(self) -> None:
        self.thread.join(TEE_DRAIN_SECONDS)


def _tees(errs: Sequence[IO[bytes]], live: int | None) -> list[_Tee | None]:
    return [None if live is None else _Tee(err, live) for err in errs]


def _drain(tees: Sequence[_Tee | None]) -> None:
    for tee in tees:
        if tee is not None:
            tee.finish()


def _not_started(program: Program, exc: OSError) -> RunResult:
    status = _NOT_FOUND if isinstance(exc, FileNotFoundError) else _NOT_EXECUTABLE
    return RunResult(program.argv, status, "", f"{program.argv[0]}: {exc.strerror or exc}\n")


def _stop(procs: Sequence[subprocess.Popen[bytes]]) -> set[int]:
    """Kill every process still running; the indexes of those that were."""
    killed = set()
    for index, proc in enumerate(procs):
        if proc.poll() is None:
            kill_group(proc)
            killed.add(index)
    for proc in procs:
        proc.wait()
        _GROUPS.discard(proc)
    return killed


def _wait(procs: Sequence[subprocess.Popen[bytes]], deadline: float | None) -> set[int]:
    """Wait for every process until the deadline; the indexes of those killed at it."""
    for proc in procs:
        remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
        try:
            proc.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            return _stop(procs)
        _GROUPS.discard(proc)
    return set()


def _result(program: Program, proc: subprocess.Popen[bytes], err: IO[bytes], killed: bool,
            timeout: float | None, broken: RunResult | None = None,
            live: bool = False) -> RunResult:
    err.seek(0)
    stderr = err.read().decode(errors="replace")
    shown = len(stderr) if live else 0
    if broken is not None and proc.returncode != 0:
        stderr += f"{program.argv[0]}: stopped: {broken.argv[0]} could not start\n"
    if killed:
        stderr += f"{program.argv[0]}: killed: still running after {timeout:g} s\n"
        return RunResult(program.argv, TIMED_OUT, "", stderr, timed_out=True, shown=shown)
    return RunResult(program.argv, proc.returncode, "", stderr, shown=shown)


class Chain:
    """Processes piped into each other: the one place a chain is started and reported.

    The first reads ``stdin`` (nothing when None); the last writes to ``stdout`` (a
    descriptor or file), or, when that is None, into a pipe Python reads
    (``self.stdout``: FTP).  With ``live_stderr``, every stage's stderr also goes
    there as it is written (a terminal).  ``failed`` is set when a stage could not start (the
    others are stopped at once: a broken chain can never finish).  The deadline
    covers the whole chain: ``wait`` kills what still runs at it; while Python reads
    the last pipe, a watchdog does, so the reader sees the stream end.
    """

    def __init__(self, stages: Sequence[Program], env: dict[str, str] | None, *,
                 stdin: IO[bytes] | None = None, stdout: int | IO[bytes] | None = None,
                 timeout: float | None = None, live_stderr: int | None = None) -> None:
        self.stages = list(stages)
        self.timeout = timeout
        self.deadline = _deadline(timeout)
        self.procs: list[subprocess.Popen[bytes]] = []
        self.failed: RunResult | None = None
        self.killed: set[int] = set()
        self._lock = threading.Lock()
        # stderr to files, not pipes: a chatty stage must not block on a full pipe.
        self.errs = [tempfile.TemporaryFile() for _ in stages]  # noqa: SIM115 - closed in wait
        self.tees: list[_Tee | None] = []  # one for each stage that was tried
        previous: IO[bytes] | None = None
        for index, program in enumerate(self.stages):
            last = index == len(self.stages) - 1
            out = (subprocess.PIPE if stdout is None else stdout) if last else subprocess.PIPE
            source: IO[bytes] | int = previous if previous is not None else \
                (stdin if stdin is not None else subprocess.DEVNULL)
            self.tees.append(_tees([self.errs[index]], live_stderr)[0])
            try:
                proc = _start(program, source, out, self.errs[index], env, self.tees[index])
            except OSError as exc:
                self.failed = _not_started(program, exc)
                break
            finally:
                # Ours is never needed again: with it closed, a writer whose reader
                # could not start gets EPIPE instead of blocking forever.
                if previous is not None:
                    previous.close()
                previous = None
            self.procs.append(proc)
            previous = proc.stdout
        if self.failed is not None:
            _stop(self.procs)
            if previous is not None:
                previous.close()
            previous = None
        self.stdout: IO[bytes] | None = previous
        self._watchdog: threading.Timer | None = None
        if timeout is not None and self.failed is None and self.stdout is not None:
            self._watchdog = threading.Timer(max(timeout, 0.0), self._expire)
            self._watchdog.daemon = True
            self._watchdog.start()

    def _expire(self) -> None:
        with self._lock:
            self.killed = {i for i, proc in enumerate(self.procs) if proc.poll() is None}
            for index in self.killed:
                kill_group(self.procs[index])

    def wait(self) -> list[RunResult]:
        """Every stage's result, once each has ended or was killed at the deadline."""
        if self.stdout is not None:
            self.stdout.close()
        if self._watchdog is not None:
            # The stream has ended: what is still running gets the rest of the deadline.
            self._watchdog.cancel()
        if self.failed is None:
            self.killed |= _wait(self.procs, self.deadline)
        _drain(self.tees)
        results = []
        for index, program in enumerate(self.stages):
            if index < len(self.procs):
                results.append(_result(program, self.procs[index], self.errs[index],
                                       index in self.killed, self.timeout, self.failed,
                                       self.tees[index] is not None))
            elif self.failed is not None and index == len(self.procs):
                results.append(self.failed)
            else:
                results.append(RunResult(program.argv, _NOT_FOUND, "", "not started\n"))
        for handle in self.errs:
            handle.close()
        return results


class Runner:
    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = dict(env) if env is not None else None

    def run(
        self, program: Program, *, timeout: float | None = None, input_text: str | None = None
    ) -> RunResult:
        stdin: IO[bytes] | None = None
        if input_text is not None:
            # From a file, not a pipe: nothing to feed while we wait for the deadline.
            stdin = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
            stdin.write(input_text.encode())
            stdin.seek(0)
        try:
            return self._chain([program], stdin=stdin, timeout=timeout).stages[0]
        finally:
            if stdin is not None:
                stdin.close()

    def producers(self, stages: Sequence[Program], *, timeout: float | None = None,
                  live_stderr: int | None = None) -> Chain:
        """A chain whose final output Python reads (``chain.stdout``), then ``wait``s."""
        return Chain(stages, self.env, timeout=timeout, live_stderr=live_stderr)

    def pipeline(
        self,
        stages: Sequence[Program],
        *,
        stdout_fd: int | None = None,
        timeout: float | None = None,
        live_stderr: int | None = None,
    ) -> PipelineResult:
        """Run ``stages`` as a pipe chain; the last writes to ``stdout_fd`` (or is captured).

        ``live_stderr``: a descriptor that also gets every stage's stderr as it comes.
        """
        if not stages:
            raise HostError("pipeline", "-", "no stages")
        return self._chain(stages, stdout_fd=stdout_fd, timeout=timeout,
                           live_stderr=live_stderr)

    def _chain(self, stages: Sequence[Program], *, stdin: IO[bytes] | None = None,
               stdout_fd: int | None = None, timeout: float | None = None,
               live_stderr: int | None = None) -> PipelineResult:
        # Output to a file, not a pipe Python must drain: nothing blocks after a kill.
        captured = tempfile.TemporaryFile() if stdout_fd is None else None  # noqa: SIM115
        try:
            chain = Chain(stages, self.env, stdin=stdin,
                          stdout=captured if stdout_fd is None else stdout_fd, timeout=timeout,
                          live_stderr=live_stderr)
            results = chain.wait()
            if captured is not None and chain.failed is None:
                captured.seek(0)
                results[-1] = results[-1]._replace(stdout=captured.read().decode(errors="replace"))
            return PipelineResult(tuple(results))
        finally:
            if captured is not None:
                captured.close()

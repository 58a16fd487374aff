"""The one module that starts processes on the real machine.

argv lists only: a configuration value is data and never reaches a shell.
Pipelines are connected process to process (the bytes never pass through
Python), and every stage's exit status is kept.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from typing import IO

from backends.base import HostError, PipelineResult, RunResult

_NOT_FOUND = 127


class ProducerChain:
    """Processes piped into each other whose final output Python reads (for FTP)."""

    def __init__(self, stages: Sequence[Sequence[str]], env: dict[str, str] | None) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        # stderr to files, not pipes: a chatty stage must not block on a full pipe
        # while we only read the last stage's stdout.
        self.errs = [tempfile.TemporaryFile() for _ in stages]  # noqa: SIM115 - closed in wait
        previous: IO[bytes] | None = None
        try:
            for argv, err in zip(stages, self.errs, strict=True):
                proc = subprocess.Popen(list(argv), stdin=previous or subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=err, env=env)
                if previous is not None:
                    previous.close()
                previous = proc.stdout
                self.procs.append(proc)
        except OSError:
            # A later stage could not start: reap the ones that did, then report it.
            if previous is not None:
                previous.close()
            for proc in self.procs:
                proc.kill()
                proc.wait()
            for handle in self.errs:
                handle.close()
            raise
        assert previous is not None
        self.stdout: IO[bytes] = previous

    def wait(self) -> list[RunResult]:
        self.stdout.close()
        results = []
        for proc, err in zip(self.procs, self.errs, strict=True):
            proc.wait()
            err.seek(0)
            results.append(RunResult(tuple(str(a) for a in proc.args),  # type: ignore[union-attr]
                                     proc.returncode, "", err.read().decode(errors="replace")))
            err.close()
        return results


class Runner:
    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = dict(env) if env is not None else None

    def run(
        self, argv: Sequence[str], *, timeout: float | None = None, input_text: str | None = None
    ) -> RunResult:
        args = tuple(argv)
        try:
            done = subprocess.run(
                list(args), input=input_text, capture_output=True, text=True,
                timeout=timeout, env=self.env, check=False,
                stdin=subprocess.DEVNULL if input_text is None else None,
            )
        except FileNotFoundError as exc:
            return RunResult(args, _NOT_FOUND, "", str(exc))
        except subprocess.TimeoutExpired:
            return RunResult(args, 124, "", f"timed out after {timeout} s")
        return RunResult(args, done.returncode, done.stdout, done.stderr)

    def producers(self, stages: Sequence[Sequence[str]]) -> ProducerChain:
        return ProducerChain(stages, self.env)

    def pipeline(
        self,
        stages: Sequence[Sequence[str]],
        *,
        stdout_fd: int | None = None,
        timeout: float | None = None,
    ) -> PipelineResult:
        """Run ``stages`` as a pipe chain; the last writes to ``stdout_fd`` (or is captured)."""
        if not stages:
            raise HostError("pipeline", "-", "no stages")
        procs: list[subprocess.Popen[bytes]] = []
        errs = [tempfile.TemporaryFile() for _ in stages]  # noqa: SIM115 - closed below
        failures: dict[int, RunResult] = {}
        previous: int | None = None
        try:
            for index, argv in enumerate(stages):
                last = index == len(stages) - 1
                out: int | None = (stdout_fd if stdout_fd is not None else subprocess.PIPE) \
                    if last else subprocess.PIPE
                try:
                    proc = subprocess.Popen(
                        list(argv), stdin=previous if previous is not None else subprocess.DEVNULL,
                        stdout=out, stderr=errs[index], env=self.env,
                    )
                except OSError as exc:
                    failures[index] = RunResult(tuple(argv), _NOT_FOUND, "", str(exc))
                    break
                if previous is not None:
                    os.close(previous)
                previous = None
                procs.append(proc)
                if not last and proc.stdout is not None:
                    # Hand the read end to the next stage, and drop our copy of it there.
                    previous = os.dup(proc.stdout.fileno())
                    proc.stdout.close()
            captured = b""
            if procs and procs[-1].stdout is not None and len(procs) == len(stages):
                captured = procs[-1].stdout.read()
            for proc in procs:
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        finally:
            if previous is not None:
                os.close(previous)
        results: list[RunResult] = []
        for index, argv in enumerate(stages):
            if index in failures:
                results.append(failures[index])
                continue
            if index >= len(procs):
                results.append(RunResult(tuple(argv), _NOT_FOUND, "", "not started"))
                continue
            errs[index].seek(0)
            stderr = errs[index].read().decode(errors="replace")
            stdout = captured.decode(errors="replace") if index == len(stages) - 1 else ""
            results.append(RunResult(tuple(argv), procs[index].returncode, stdout, stderr))
        for handle in errs:
            handle.close()
        return PipelineResult(tuple(results))

"""What every savecore target shares: the run's choices, reporting a failed step,
network retries, the kernel log, and finishing a file durably."""

from __future__ import annotations

import contextlib
import math
import posixpath
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, TypedDict, TypeVar

from backends.base import Host
from backends.values import HostError, PipelineResult, RunResult, UnsafePathError
from kdump import dumpname as names
from kdump import program_argv
from kdump.context import Context
from kdump.paths import VMCORE

if TYPE_CHECKING:
    from kdump.codes import Code

RETRY_PAUSE = 3  # seconds between NFS mount / ssh attempts, as the original
DMESG_TIMEOUT = 300
NAME_ATTEMPTS = 10  # names tried when another user's trap takes the wanted one

T = TypeVar("T")


class Live(TypedDict, total=False):
    live_stderr: int


class Run:
    """What every target of one savecore run shares."""

    def __init__(self, ctx: Context, stamp: str, makedumpfile: str | None,
                 compressor: list[str] | None, extension: str, prefix: str,
                 progress: Callable[[int, int], None] | None = None,
                 deadline: float = math.inf, live_stderr: int | None = None) -> None:
        self.ctx = ctx
        self.stamp = stamp
        self.makedumpfile = makedumpfile
        self.compressor = compressor
        self.extension = extension
        self.prefix = prefix  # HOSTTAG, when a remote target is configured
        self.progress = progress
        self.deadline = deadline  # Host.monotonic() by which every transfer must be over
        self.stopped = False  # the deadline passed and savecore said so
        # The terminal's descriptor, when one shows the programs' own progress
        # (makedumpfile's) as they run: their stderr goes there live (not on a pipe, not
        # with --json).
        self.live_stderr = live_stderr

    def live(self) -> Live:
        """The keyword that sends the programs' stderr to the terminal live (or none)."""
        return {} if self.live_stderr is None else {"live_stderr": self.live_stderr}

    def remaining(self, cap: float | None = None) -> float:
        """Seconds left before the deadline (at most ``cap``): a step's timeout."""
        left = max(self.deadline - self.host.monotonic(), 0.0)
        return left if cap is None else min(cap, left)

    def out_of_time(self) -> bool:
        """True once the deadline has passed (said once): no further step may start.

        What was running has been killed; its unfinished files keep their
        ``-incomplete`` names, and savecore exits 1 so KDUMP_FAIL_CMD still runs.
        """
        if self.stopped:
            return True
        if self.host.monotonic() < self.deadline:
            return False
        self.stopped = True
        self.emit("savecore-timeout", timeout=self.ctx.config.kdump_savecore_timeout)
        return True

    @property
    def host(self) -> Host:
        return self.ctx.host

    @property
    def dmesg_wanted(self) -> bool:
        return self.ctx.config.kdump_dump_dmesg and self.makedumpfile is not None

    @property
    def coredir(self) -> str:
        return self.ctx.config.kdump_coredir.rstrip("/") or "/"

    def dump_dir(self, taken: Iterable[str] = ()) -> str:
        return names.unique_name(names.dump_dir_name(self.stamp, self.prefix), set(taken))

    def dump_stages(self) -> list[list[str]]:
        assert self.makedumpfile is not None
        return program_argv.dump_stages(self.makedumpfile, self.ctx.config.makedump_args, VMCORE,
                                 self.compressor)

    def emit(self, code: Code, **params: object) -> int:
        return self.ctx.emit(code, **params)

    def tell(self, result: RunResult | PipelineResult | HostError) -> None:
        """A failed child's own words, on stderr, for whoever reads the console."""
        if isinstance(result, UnsafePathError):  # a trap: the catalog says what and why
            self.emit("path-refused", path=result.path, reason=result.reason)
            return
        if isinstance(result, HostError):
            text = str(result)
        else:
            stage = result.failed_stage if isinstance(result, PipelineResult) else result
            # (what reached the terminal as the program wrote it is not repeated)
            unseen = stage.stderr[stage.shown:] if stage is not None else ""
            text = (unseen or ("" if stage is None or stage.shown else stage.stdout))
            # A progress line redrawn after carriage returns: what a terminal ends up showing.
            text = "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))
        self.ctx.reporter.passthrough(text)

    def execute(self, argv: Sequence[str], cap: float | None = None) -> RunResult:
        """Run ``argv`` until it ends, ``cap`` seconds pass, or the deadline does."""
        result = self.host.run(argv, timeout=self.remaining(cap))
        if not result.ok:
            self.tell(result)
        return result


def completed(run: Run, action: Callable[[], PipelineResult]) -> PipelineResult | None:
    """The pipeline's result when every stage succeeded, else None, told why."""
    try:
        result = action()
    except HostError as exc:
        run.tell(exc)
        return None
    if not result.ok:
        run.tell(result)
        return None
    return result


def retrying(run: Run, attempts: int, once: Callable[[], T | None]) -> T | None:
    """The capture kernel's network may still be coming up: try again after a pause."""
    for attempt in range(1, attempts + 1):
        if run.out_of_time():
            return None
        outcome = once()
        if outcome is not None:
            return outcome
        if attempt < attempts and not run.out_of_time():  # no pause after the last try
            run.emit("network-retry", count=attempts - attempt)
            run.host.sleep(RETRY_PAUSE)
    return None


def quietly(action: Callable[[], object]) -> None:
    """Best-effort cleanup: its failure changes nothing about the dump."""
    with contextlib.suppress(HostError):
        action()


def finish(run: Run, partial: str, final: str) -> bool:
    """Complete file -> its real name (never over another file), durably."""
    try:
        run.host.fsync(partial)
        run.host.rename(partial, final)
        run.host.fsync(posixpath.dirname(final))
    except HostError as exc:
        run.tell(exc)
        return False
    return True


def extract_dmesg(run: Run, path: str) -> bool:
    assert run.makedumpfile is not None
    run.emit("running-dmesg", vmcore=VMCORE, path=path)
    result = run.host.run(program_argv.dmesg_argv(run.makedumpfile, VMCORE, path),
                          timeout=run.remaining(DMESG_TIMEOUT))
    # An empty file is no kernel log, whatever makedumpfile's status says; and what is
    # sent or kept must be the file makedumpfile made, not a link or a file another user
    # put there (in /tmp) since.
    if result.ok and _own_nonempty(run.host, path):
        return True
    run.tell(result)
    run.emit("dmesg-failed")
    return False


def _own_nonempty(host: Host, path: str) -> bool:
    try:
        return bool(host.read_own(path, 1))
    except HostError:
        return False


def send_dmesg(run: Run, label: str, send: Callable[[str], bool]) -> bool:
    """The kernel log through a local temporary file, for a target that is not a directory."""
    if run.out_of_time():
        return False
    local = free_name(run, f"/tmp/dmesg.{label}.{run.stamp}")
    if local is None:
        return False
    saved = extract_dmesg(run, local) and send(local)
    quietly(lambda: run.host.remove(local))  # no leftovers in the capture kernel
    return saved


def free_name(run: Run, wanted: str) -> str | None:
    """``wanted`` cleared of an earlier run's leftover (makedumpfile will not overwrite a
    file); when another user planted something there, the next of ``wanted-1``... instead.
    """
    for suffix in ("", *(f"-{n}" for n in range(1, NAME_ATTEMPTS))):
        candidate = wanted + suffix
        try:
            run.host.remove(candidate)
        except UnsafePathError as exc:
            run.tell(exc)
            continue
        except HostError:
            pass
        return candidate
    return None


def live_stderr(ctx: Context) -> int | None:
    """The terminal that shows the programs' own progress live: stderr, when it is one and
    the output is text (never on a pipe or in the journal, never with --json)."""
    stream = ctx.reporter.err
    if ctx.reporter.json_mode or not stream.isatty():
        return None
    try:
        stream.flush()
        return stream.fileno()
    except (OSError, ValueError):  # a stream without a descriptor (tests' captures)
        return None


def progress(ctx: Context) -> Callable[[int, int], None] | None:
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

"""Every backend operation of `kdump-config savecore` fails once, in turn.

For each kind of target, a clean run records the Host operations savecore
performs.  Then, for each operation (and for each stage of a pipeline), a fresh
machine runs savecore with that one operation failing the way it fails on a
real machine: a process exits non-zero, a file operation raises HostError, a
query finds nothing.  Whatever fails:

* no traceback: the command returns an exit status and says only catalog messages;
* the documented message for that operation, where there is one;
* exit 0 exactly when every configured target reported a saved vmcore;
* a vmcore reported as saved is complete, and no file carries a final dump name
  (``dump.*``, ``vmcore.*``) unless it is complete;
* no earlier dump is removed, except by retention after a successful save.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import re
import shlex
import struct
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from backends.values import HostError, HostParts, PipelineResult, RunResult, UnsafePathError
from kdump.messages import CATALOG
from kdump.reporter import observe, render
from sim.machine import SimulatedMachine
from tests.steps.savecore import flattened_complete

VMCORE_SIZE = 96 << 10
EARLIER = "202312310000"
EARLIER_LOCAL = ("202312300100", "202312300200", EARLIER)


@dataclass(frozen=True)
class Target:
    profile: str
    config: dict[str, str] = field(default_factory=dict)
    without: tuple[str, ...] = ()
    saves: int = 1  # how many targets must report a saved vmcore for exit 0


TARGETS = {
    "local": Target("x86_64-ready"),
    "local-gzip-retention": Target("x86_64-ready", {"KDUMP_COMPRESSION": "gzip",
                                                    "KDUMP_NUM_DUMPS": "2"}),
    "local-raw": Target("x86_64-ready", without=("makedumpfile",)),
    "nfs": Target("x86_64-nfs"),
    "ssh": Target("x86_64-ssh", {"KDUMP_COMPRESSION": "bzip2"}),
    "ssh-raw": Target("x86_64-ssh", without=("makedumpfile",)),
    "ftp": Target("x86_64-ftp", {"KDUMP_COMPRESSION": "xz"}),
    "ftp-raw": Target("x86_64-ftp", without=("makedumpfile",)),
}


# -- the machine -------------------------------------------------------------------------------
def _crashed_machine(state: Path, target: Target) -> SimulatedMachine:
    machine = SimulatedMachine.create(state, target.profile)
    config = machine.read("/etc/default/kdump-tools") or ""
    config += "".join(f"{key}={value}\n" for key, value in target.config.items())
    machine.write("/etc/default/kdump-tools", config)
    machine.state["tools"] = [t for t in machine.state["tools"] if t not in target.without]
    machine.state["kexec_loaded"] = ["/usr/sbin/kexec", "-p", "/var/lib/kdump/vmlinuz"]
    machine.save()
    machine.crash(VMCORE_SIZE)
    for place in _earlier_dumps(machine, target):
        place.mkdir(parents=True, exist_ok=True)
        _earlier_file(place).write_bytes(EARLIER_DUMP)
    return machine


# As makedumpfile -F output starts: retention counts only what looks like a dump.
EARLIER_DUMP = b"makedumpfile\0\0\0\0an earlier dump\n"


def _earlier_file(place: Path) -> Path:
    """The dump an earlier savecore left there: named by its own stamp, as savecore does."""
    return place / f"dump.{place.name[-12:]}"


def _earlier_dumps(machine: SimulatedMachine, target: Target) -> list[Path]:
    if target.profile == "x86_64-nfs":
        return [machine.remote / "nfs/nfs.example/srv/crash" / f"192.0.2.10-{EARLIER}",
                machine.root / "var/crash" / EARLIER]
    if target.profile == "x86_64-ssh":
        return [machine.remote / "ssh/dumphost/var/crash" / f"192.0.2.10-{EARLIER}"]
    if target.profile == "x86_64-ftp":
        return [machine.remote / "ftp/ftp.example/incoming" / f"192.0.2.10-{EARLIER}"]
    return [machine.root / "var/crash" / stamp for stamp in EARLIER_LOCAL]


# -- the failing host --------------------------------------------------------------------------
_ABSENT: dict[str, object] = {
    "exists": False, "lexists": False, "is_file": False, "is_dir": False, "is_symlink": False,
    "is_executable": False, "which": None, "read_text": None, "read_bytes": None,
    "readlink": None, "file_size": None, "mode": None, "disk_free": None, "listdir": [],
    "ipv4_addresses": [],
}
_QUIET = {"sleep", "syslog"}  # their real failure is silence: no pause, a lost log line
# A monotonic clock cannot fail; it is read before every step (for the deadline), so
# it is not an operation of the walk either.
_INFALLIBLE = {"monotonic", "environ"}
_FTP_SESSIONS = {"ftp_list", "ftp_rename", "ftp_remove"}  # each one FTP session


@dataclass
class Op:
    method: str
    args: tuple[Any, ...]
    stages: int = 0  # for pipelines and uploads: how many stages can fail
    kwargs: dict[str, Any] = field(default_factory=dict)

    def pinned(self) -> str:
        """One line for the checked-in list of what a clean run does
        (tests/scenarios/savecore_ops/)."""
        def text(value: Any) -> str:
            if hasattr(value, "_fields"):  # FtpTarget: its repr keeps the password out
                return repr(value)
            if isinstance(value, list | tuple) and value and \
                    all(isinstance(v, list | tuple) for v in value):
                return "[" + " | ".join(shlex.join(str(w) for w in stage) for stage in value) + "]"
            if isinstance(value, list | tuple):
                return "[" + shlex.join(str(w) for w in value) + "]"
            if callable(value):
                return "<callable>"
            return oct(value) if isinstance(value, int) and not isinstance(value, bool) \
                and self.method in ("mkdir", "copy_file", "pipeline") else repr(value)

        words = [text(a) for a in self.args]
        words += [f"{key}={text(value)}" for key, value in sorted(self.kwargs.items())]
        return " ".join([self.method, *words])

    def words(self) -> list[str]:
        if self.method == "run":
            return [str(w) for w in self.args[0]]
        if self.method in ("pipeline", "ftp_upload"):
            stages = self.args[0] if self.method == "pipeline" else (self.args[2] or [])
            return [str(w) for stage in stages for w in stage] + [str(a) for a in self.args[1:]]
        return [str(a) for a in self.args]


class FailingHost:
    """A SimHost whose ``fail_at``-th operation fails (stage ``stage`` of a pipeline)."""

    def __init__(self, inner: Any, fail_at: int | None = None, stage: int = 0,
                 trap: bool = False) -> None:
        self._inner = inner
        self.kind = inner.kind
        self.fail_at = fail_at
        self.stage = stage
        self.trap = trap  # the failure is another user's trap the file layer refused
        self.ops: list[Op] = []

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr) or name in _INFALLIBLE:
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            index = len(self.ops)
            stages = len(args[0]) if name == "pipeline" else \
                len(args[2] or []) + 1 if name == "ftp_upload" else 0
            self.ops.append(Op(name, args, stages, kwargs))
            if index != self.fail_at:
                return attr(*args, **kwargs)
            return self._fail(name, attr, args, kwargs)

        return call

    def _fail(self, name: str, attr: Callable[..., Any], args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> Any:
        if self.trap and name in TRAPPABLE:
            raise UnsafePathError(name, str(args[1] if name in ("copy_file", "rename") else
                                            args[0]), "it is a symbolic link owned by another "
                                                      "user (uid 65534)")
        if name in _QUIET:
            return None
        if name in _ABSENT:
            return _ABSENT[name]
        if name == "run":
            program = os.path.basename(str(args[0][0]))
            return RunResult(tuple(args[0]), 255 if program in ("ssh", "scp") else 1, "",
                             "injected failure\n")
        if name in _FTP_SESSIONS:
            return RunResult((name, str(args[1])), 1, "", "injected failure\n")
        if name in ("pipeline", "ftp_upload"):
            # The processes ran; one of them says it failed (B29: whatever the others did).
            real: PipelineResult = attr(*args, **kwargs)
            stages = list(real.stages)
            victim = stages[self.stage]
            stages[self.stage] = RunResult(victim.argv, 1, victim.stdout, "injected failure\n")
            return PipelineResult(tuple(stages), real.bytes_written)
        if name == "copy_file":
            attr(*args, **kwargs)  # the bytes went out, then the write-back failed
            raise HostError("write", str(args[1]), "Input/output error", 5)
        raise HostError(name, str(args[0]) if args else "-", "injected failure", 5)


# -- running savecore ----------------------------------------------------------------------------
@dataclass
class Outcome:
    status: int
    stdout: str
    stderr: str
    codes: list[str]
    ops: list[Op]


def _savecore(state: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int | None = None,
              stage: int = 0, kind: type[FailingHost] = FailingHost,
              trap: bool = False) -> Outcome:
    from kdump.cli import main

    hosts: list[FailingHost] = []
    codes: list[str] = []

    def wrap(host: Any) -> Any:  # the fault injector goes around the host that was selected
        hosts.append(kind(host, fail_at, stage, trap))
        return hosts[-1]

    out, err = io.StringIO(), io.StringIO()
    with monkeypatch.context() as patch:
        patch.delenv("NAME", raising=False)
        with redirect_stdout(out), redirect_stderr(err), observe(codes.append):
            status = main(["--backend", "sim", "--sim-state", str(state), "savecore"],
                          parts=HostParts(wrap=wrap))
    return Outcome(status, out.getvalue(), err.getvalue(), codes, hosts[0].ops)


# -- what must hold ------------------------------------------------------------------------------
def _catalog_patterns() -> list[re.Pattern[str]]:
    patterns = []
    for message in CATALOG.values():
        for line in (message.template, *message.more):
            text = render(message.severity, "\0".join(re.split(r"\{[a-z_]+\}", line)))
            parts = [re.escape(part) for part in text.split("\0")]
            patterns.append(re.compile(".*".join(parts)))
    return patterns


CATALOG_LINES = _catalog_patterns()


def _lz4_stored(frame: bytes) -> bytes:
    index, out = 7, []
    while (size := struct.unpack_from("<I", frame, index)[0]) != 0:
        out.append(frame[index + 4:index + 4 + (size & 0x7FFFFFFF)])
        index += 4 + (size & 0x7FFFFFFF)
    return b"".join(out)


_DECODE: dict[str, Callable[[bytes], bytes]] = {
    ".gz": gzip.decompress, ".bz2": bz2.decompress, ".lz4": _lz4_stored,
    ".xz": lzma.decompress,
}
_FINAL = re.compile(r"(?:.*-)?(dump|vmcore)\.\d{12}(\.[a-z0-9]+)?")


def _complete(path: Path, vmcore: bytes) -> bool:
    match = _FINAL.fullmatch(path.name)
    assert match, path
    data = path.read_bytes()
    if match.group(1) == "vmcore":
        return data == vmcore
    if match.group(2):
        try:
            data = _DECODE[match.group(2)](data)
        except Exception:  # noqa: BLE001 - a truncated stream is exactly what we look for
            return False
    return flattened_complete(data)


def _final_files(machine: SimulatedMachine) -> Iterator[Path]:
    for top in (machine.root / "var", machine.remote):
        for folder, _, files in os.walk(top):
            for name in files:
                if _FINAL.fullmatch(name) and not any(s in name for s in EARLIER_LOCAL):
                    yield Path(folder) / name


def _check(machine: SimulatedMachine, target: Target, outcome: Outcome, failed: Op | None) -> None:
    context = f"failing {failed}\nstdout:\n{outcome.stdout}\nstderr:\n{outcome.stderr}"
    if failed is None or not (failed.method == "run" and "umount" in failed.words()[0]):
        assert not machine.state.get("mounts"), f"left mounted\n{context}"
    for mountpoint in list(machine.state.get("nfs_mounts", {})):
        machine.detach_export(mountpoint)  # to find every file where it belongs
    assert "Traceback" not in outcome.stderr, context
    for line in outcome.stdout.splitlines():
        assert any(p.fullmatch(line) for p in CATALOG_LINES), f"not a catalog line: {line!r}"
    saved = sum(code in ("vmcore-saved", "ftp-vmcore-saved") for code in outcome.codes)
    assert outcome.status == (0 if saved == target.saves else 1), context
    if outcome.status:
        assert any(CATALOG[c].severity == "failure" for c in outcome.codes), context
    vmcore = (machine.root / "proc/vmcore").read_bytes()
    finals = list(_final_files(machine))
    for path in finals:
        assert _complete(path, vmcore), f"incomplete {path}\n{context}"
    if saved:
        assert finals, f"a vmcore was reported saved, none is stored\n{context}"
    purged = " ".join(re.findall(r"Too many dumps, purging: (.*)\.", outcome.stdout))
    for place in _earlier_dumps(machine, target):
        if saved and f"/{place.name}" in purged:
            continue
        assert _earlier_file(place).read_bytes() == EARLIER_DUMP, context


# -- what each operation's failure must say -----------------------------------------------------
def _documented(target_name: str, op: Op, stage: int) -> str | None:
    """The catalog code the failure of ``op`` must produce, where the design names one."""
    words = op.words()
    text = " ".join(words)
    program = os.path.basename(words[0]) if words else ""
    if op.method == "exists" and words == ["/proc/vmcore"]:
        return "no-vmcore"
    if op.method == "which" and words == ["makedumpfile"]:
        return "makedumpfile-missing-dmesg"
    if op.method == "which" and words[0] in ("gzip", "bzip2", "xz", "lz4"):
        return "compression-missing"
    if op.method == "run" and "--dump-dmesg" in words:
        return "dmesg-failed"
    if op.method == "run" and program == "mount":
        return "network-retry"
    if op.method == "run" and program == "umount":
        return "nfs-umount-failed"
    if op.method == "run" and program == "ssh" and "ls -1A" in text:
        return "network-retry"
    if op.method == "run" and program == "ssh" and "mkdir -m 700" in text:
        return "ssh-mkdir-failed"
    if op.method == "run" and program == "scp" and "/proc/vmcore" in words:
        return "scp-failed"
    if op.method == "run" and "dmesg-incomplete" in text:
        return "dmesg-save-failed"
    if op.method == "run" and program == "ssh" and "dump-incomplete" in text:
        return "ssh-makedumpfile-failed"
    if op.method == "run" and program == "ssh" and "vmcore-incomplete" in text:
        return "vmcore-save-failed"
    if op.method == "pipeline":
        return "ssh-makedumpfile-failed" if target_name.startswith("ssh") \
            else "makedumpfile-failed"
    if op.method in ("ftp_upload", "ftp_rename"):
        if "dmesg." in text:
            return "ftp-dmesg-failed"
        if op.method == "ftp_rename":
            return "ftp-makedumpfile-failed" if "-dump." in text else "ftp-vmcore-failed"
        return "ftp-makedumpfile-failed" if op.stages > 1 else "ftp-vmcore-failed"
    if op.method == "copy_file":
        return "vmcore-save-failed"
    if op.method == "mkdir" and re.search(r"/(\S+-)?\d{12}$", words[0]):
        return "nfs-write-failed" if target_name == "nfs" else "vmcore-save-failed"
    if op.method in ("rename", "fsync") and "dmesg" in text:
        return "dmesg-save-failed"
    if op.method in ("rename", "fsync") and "dump-incomplete" in text:
        return "makedumpfile-failed"
    if op.method in ("rename", "fsync") and "vmcore-incomplete" in text:
        return "vmcore-save-failed"
    if op.method == "remove_tree":
        return "purge-failed"
    if op.method == "lock":  # savecore never gives up a dump for the lock
        return "lock-skipped"
    if op.method in ("now", "uname"):
        return "host-error"
    return None


# -- the tests -------------------------------------------------------------------------------
CLEAN_OPS: dict[str, list[Op]] = {}


def _cases() -> Iterator[tuple[str, int, int]]:
    """(target, operation index, stage) for every operation of a clean run of each target."""
    import tempfile

    for name, target in TARGETS.items():
        with tempfile.TemporaryDirectory() as tmp:
            state = Path(tmp) / "m"
            _crashed_machine(state, target)
            mp = pytest.MonkeyPatch()
            try:
                clean = _savecore(state, mp)
            finally:
                mp.undo()
        assert clean.status == 0, (name, clean.stdout, clean.stderr)
        CLEAN_OPS[name] = clean.ops
        for index, op in enumerate(clean.ops):
            for stage in range(max(op.stages, 1)):
                yield name, index, stage


CASES = list(_cases())
# The file operations the layer can refuse as another user's trap (UnsafePathError).
TRAPPABLE = {"mkdir", "rename", "copy_file", "fsync", "remove", "remove_tree", "lock"}
TRAP_CASES = [(name, index) for name, ops in CLEAN_OPS.items()
              for index, op in enumerate(ops) if op.method in TRAPPABLE]


def test_the_walk_covers_every_kind_of_operation() -> None:
    methods = {op.method for ops in CLEAN_OPS.values() for op in ops}
    assert methods >= {"exists", "which", "now", "ipv4_addresses", "mkdir", "scan_dir", "run",
                       "pipeline", "copy_file", "rename", "fsync", "remove", "remove_tree",
                       "file_size", "read_own", "ftp_upload", "ftp_list", "ftp_rename",
                       "syslog", "lock"}, methods
    programs = {os.path.basename(op.words()[0]) for ops in CLEAN_OPS.values() for op in ops
                if op.method == "run"}
    assert programs >= {"makedumpfile", "mount", "umount", "ssh", "scp"}, programs


PINNED = Path(__file__).parent / "savecore_ops"
UPDATE_PINNED = "KDUMP_UPDATE_SAVECORE_OPS"


@pytest.mark.parametrize("target_name", sorted(TARGETS))
def test_a_clean_run_performs_the_pinned_operations(target_name: str) -> None:
    """The walk fails each operation of a clean run: one dropped (an fsync, a rename...)
    would silently take its case away.  So the operations are pinned, per target kind;
    after a deliberate change, rewrite the lists with
    ``KDUMP_UPDATE_SAVECORE_OPS=1 pytest tests/scenarios/test_savecore_faults.py -k pinned``
    and review the diff."""
    import difflib

    path = PINNED / f"{target_name}.txt"
    actual = [op.pinned() for op in CLEAN_OPS[target_name]]
    if os.environ.get(UPDATE_PINNED):
        path.write_text("".join(f"{line}\n" for line in actual))
    expected = path.read_text().splitlines() if path.is_file() else []
    diff = "\n".join(difflib.unified_diff(expected, actual, str(path), "this run", lineterm=""))
    if actual != expected:
        pytest.fail(f"savecore's operations for {target_name!r} changed (- pinned, + now); "
                    f"if that is meant, set {UPDATE_PINNED}=1 to rewrite {path.name}:\n{diff}",
                    pytrace=False)


@pytest.mark.parametrize(("target_name", "index", "stage"), CASES,
                         ids=[f"{t}-op{i}-stage{s}" for t, i, s in CASES])
def test_one_failing_operation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               target_name: str, index: int, stage: int) -> None:
    target = TARGETS[target_name]
    state = tmp_path / "m"
    _crashed_machine(state, target)
    outcome = _savecore(state, monkeypatch, index, stage)
    failed = outcome.ops[index]
    _check(SimulatedMachine(state), target, outcome, failed)
    code = _documented(target_name, failed, stage)
    if code is not None:
        assert code in outcome.codes, (
            f"failing {failed.method}{failed.args} should say {code}; said {outcome.codes}\n"
            f"{outcome.stdout}")


@pytest.mark.parametrize("target_name", sorted(TARGETS))
def test_a_clean_run_saves_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      target_name: str) -> None:
    target = TARGETS[target_name]
    state = tmp_path / "m"
    _crashed_machine(state, target)
    outcome = _savecore(state, monkeypatch)
    _check(SimulatedMachine(state), target, outcome, None)
    assert outcome.status == 0


# -- every process and transfer can also run into the deadline ------------------------------------
_TIMED = ("run", "pipeline", "ftp_upload", "copy_file")


class TimingOutHost(FailingHost):
    """The ``fail_at``-th operation runs into savecore's deadline: the clock jumps past it,
    and its stage ``stage`` is marked timed out, with the exit status it would have had
    (0): a program stopped at the deadline must never count as a success."""

    def _fail(self, name: str, attr: Callable[..., Any], args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> Any:
        machine = self._inner.machine
        if name == "copy_file":
            attr(*args, **kwargs)
            machine.advance(kwargs.get("timeout") or 0)
            raise HostError("copy", str(args[1]), "timed out", 62)
        timeout = kwargs.get("timeout")
        assert timeout is not None, f"{name}{args} was started without a deadline"
        if name == "run":
            machine.advance(timeout)  # (after the real run, which takes no virtual time)
            return attr(*args, **kwargs)._replace(timed_out=True)
        real: PipelineResult = attr(*args, **kwargs)
        machine.advance(timeout)
        stages = list(real.stages)
        stages[self.stage] = stages[self.stage]._replace(timed_out=True)
        return PipelineResult(tuple(stages), real.bytes_written)


TIMED_CASES = [(name, index, stage) for name, index, stage in CASES
               if CLEAN_OPS[name][index].method in _TIMED]


@pytest.mark.parametrize(("target_name", "index", "stage"), TIMED_CASES,
                         ids=[f"{t}-op{i}-stage{s}" for t, i, s in TIMED_CASES])
def test_one_operation_running_into_the_deadline(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target_name: str, index: int,
        stage: int) -> None:
    target = TARGETS[target_name]
    state = tmp_path / "m"
    machine = _crashed_machine(state, target)
    # Shorter than any one step's own cap, so a step that times out used up the run's time.
    config = machine.read("/etc/default/kdump-tools") or ""
    machine.write("/etc/default/kdump-tools", config + "KDUMP_SAVECORE_TIMEOUT=60\n")
    outcome = _savecore(state, monkeypatch, index, stage, TimingOutHost)
    failed = outcome.ops[index]
    _check(SimulatedMachine(state), target, outcome, failed)
    # Past the deadline nothing else starts: the stopped operation is the last of its kind,
    # but for the cleanup that must still happen (unmounting an NFS export).
    later = [op for op in outcome.ops[index + 1:] if op.method in _TIMED
             and not (op.method == "run" and os.path.basename(op.words()[0]) == "umount")]
    assert not later, later
    if outcome.status:
        assert "savecore-timeout" in outcome.codes, outcome.stdout


def _trap_documented(op: Op) -> str | None:
    if op.method == "lock":
        return "lock-skipped"  # and the dump is saved all the same
    if op.method == "remove_tree":
        return "purge-failed"
    if op.method == "remove":
        return None  # clearing a leftover or a cleanup: path-refused, or nothing to say
    return "path-refused"


def test_the_trap_walk_covers_every_writer() -> None:
    methods = {CLEAN_OPS[name][index].method for name, index in TRAP_CASES}
    assert methods == TRAPPABLE, methods


@pytest.mark.parametrize(("target_name", "index"), TRAP_CASES,
                         ids=[f"{t}-op{i}" for t, i in TRAP_CASES])
def test_one_refused_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                           target_name: str, index: int) -> None:
    """A write the file layer refuses as a trap: said by name, and the dump still counts."""
    target = TARGETS[target_name]
    state = tmp_path / "m"
    _crashed_machine(state, target)
    outcome = _savecore(state, monkeypatch, index, trap=True)
    failed = outcome.ops[index]
    _check(SimulatedMachine(state), target, outcome, failed)
    code = _trap_documented(failed)
    if code is not None:
        assert code in outcome.codes, (
            f"refusing {failed.method}{failed.args} should say {code}; said {outcome.codes}\n"
            f"{outcome.stdout}")
    if failed.method == "mkdir" and re.search(r"/\d{12}$", str(failed.args[0])):
        assert outcome.status == 0, outcome.stdout  # the next name was taken

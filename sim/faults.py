"""The one registry of faults a simulated machine can be made to have.

A fault is armed with ``kdump-sim fault DIR NAME [VALUE]``, by a profile's ``[faults]``
table, or by the scenario step ``the fault "NAME" is armed [with "VALUE"]``.  The
emulators (sim/tools.py, sim/tool_*.py, backends/sim.py, the sandbox's stubs)
look faults up only through ``SimulatedMachine.fault(NAME)``, which refuses a name missing
here; ``kdump-sim faults`` and the README's fault table are rendered from this list
(tests/scenarios/test_sim_faults.py checks both directions: every name an emulator reads is
registered, and every registered name is read by an emulator).
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple

from sim.confine import target_problem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class FaultError(Exception):
    """An unknown fault name, or a value the fault cannot take."""


class Kind(Enum):
    FLAG = "flag"              # true
    COUNT = "count"            # true (every call) or N >= 1 (only the first N calls)
    MESSAGE = "message"        # true (the default message) or the error text
    BYTES = "bytes"            # N >= 0 bytes
    BYTES_OR_TRUE = "bytes?"   # true (a default size) or N >= 0 bytes
    PATHS = "paths"            # an absolute path (a list of them in a profile)
    PID = "pid"                # a process id >= 1
    PROGRAMS = "programs"      # a program name (a list of them in a profile)
    COMPRESSOR = "compressor"  # true (every compressor) or one of them


COMPRESSORS = ("gzip", "bzip2", "xz", "lz4")

_TAKES = {
    Kind.FLAG: "",
    Kind.COUNT: "[N]",
    Kind.MESSAGE: "[MESSAGE]",
    Kind.BYTES: "N",
    Kind.BYTES_OR_TRUE: "[N]",
    Kind.PATHS: "PATH",
    Kind.PID: "PID",
    Kind.PROGRAMS: "PROGRAM",
    Kind.COMPRESSOR: "[NAME]",
}


class Fault(NamedTuple):
    """One fault: its name, the kind of value it takes and what it does when armed."""

    name: str
    kind: Kind
    effect: str

    @property
    def takes(self) -> str:
        """The value as the command line shows it: ``N``, ``[N]``, ``PATH``..."""
        return _TAKES[self.kind]

    def allowed(self) -> str:
        """The values this fault takes, in words."""
        return {
            Kind.FLAG: "no value (or true)",
            Kind.COUNT: "no value (or true), or a whole number N >= 1",
            Kind.MESSAGE: "no value (or true), or an error message",
            Kind.BYTES: "a whole number of bytes N >= 0",
            Kind.BYTES_OR_TRUE: "no value (or true), or a whole number of bytes N >= 0",
            Kind.PATHS: "an absolute path on the machine (without '..')",
            Kind.PID: "a process id (a whole number >= 1)",
            Kind.PROGRAMS: "a program name: " + ", ".join(programs()),
            Kind.COMPRESSOR: "no value (or true), or one of " + ", ".join(COMPRESSORS),
        }[self.kind]

    # -- from the command line ----------------------------------------------------------
    def parse(self, text: str | None) -> Any:
        """The value ``kdump-sim fault DIR NAME [TEXT]`` arms, or FaultError."""
        if text is None or text == "true":
            value: Any = True
        elif _is_number(text) and self.kind not in (Kind.MESSAGE, Kind.PROGRAMS,
                                                    Kind.COMPRESSOR, Kind.PATHS):
            value = int(text)
        else:
            value = text
        self.check(value)
        return value

    # -- from any source (command line, profile, state.json) ----------------------------
    def check(self, value: Any) -> None:
        """Refuse a value this fault cannot use (``disk-full-after abc``)."""
        kind = self.kind
        number = isinstance(value, int) and not isinstance(value, bool)
        ok = {
            Kind.FLAG: value is True,
            Kind.COUNT: value is True or (number and value >= 1),
            Kind.MESSAGE: value is True or (isinstance(value, str) and value.strip() != ""),
            Kind.BYTES: number and value >= 0,
            Kind.BYTES_OR_TRUE: value is True or (number and value >= 0),
            Kind.PATHS: _all(value, lambda p: isinstance(p, str) and target_problem(p) is None),
            Kind.PID: number and value >= 1,
            Kind.PROGRAMS: _all(value, lambda p: p in programs()),
            Kind.COMPRESSOR: value is True or value in COMPRESSORS,
        }[kind]
        if not ok:
            shown = "no value" if value is True else repr(value)
            raise FaultError(f"fault {self.name} takes {self.allowed()}, not {shown}")


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 18


def _all(value: Any, good: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return bool(items) and all(good(item) for item in items)


def programs() -> list[str]:
    """The programs a simulated machine runs (the ``hang`` fault's values)."""
    from sim.profile import TOOL_DIRS

    return sorted(TOOL_DIRS)


_F = Fault
FAULTS: dict[str, Fault] = {f.name: f for f in (
    # the first kernel: kexec, fadump, sysctl, the kernel hook, the lock
    _F("kexec-load", Kind.MESSAGE,
       "kexec -p fails (exit 1, the message on stderr); a loaded capture kernel stays only "
       "when the message says Device or resource busy, as in the kernel"),
    _F("kexec-unload", Kind.MESSAGE, "kexec -p -u fails (exit 1, the message on stderr)"),
    _F("kexec-busy", Kind.COUNT,
       "kexec -p finds kexec busy (EBUSY) and changes nothing; with N, only the first N "
       "loads"),
    _F("kexec-rejects", Kind.PATHS,
       "the kernel rejects the image PATH after freeing the loaded one (as it does for any "
       "failure past EBUSY): kexec -p PATH fails and nothing is loaded"),
    _F("fadump-register", Kind.FLAG,
       "the firmware ignores writing 1 to fadump's registered file"),
    _F("fadump-unregister", Kind.FLAG,
       "the firmware ignores writing 0 to fadump's registered file"),
    _F("sysctl", Kind.MESSAGE, "sysctl fails to apply /etc/kdump/sysctl.conf"),
    _F("kernel-hook", Kind.MESSAGE, "the kernel hook fails to build the kdump initrd"),
    _F("kernel-hook-skip", Kind.FLAG, "the kernel hook exits 0 without building the initrd"),
    _F("lock-held", Kind.PID, "process PID holds kdump-config's lock"),
    _F("lock-queued", Kind.PID, "process PID waits in try-reload's queue behind the holder"),
    _F("readonly", Kind.PATHS, "writes under PATH fail with EROFS"),
    _F("hang", Kind.PROGRAMS,
       "PROGRAM never finishes: only savecore's deadline ends it (in virtual time; the "
       "sandbox's stubs really sleep)"),
    # the capture kernel: reading the old memory and writing the dump
    _F("makedumpfile", Kind.COUNT, "makedumpfile exits 1 without output"),
    _F("makedumpfile-short", Kind.BYTES_OR_TRUE,
       "makedumpfile writes only its first N bytes (default 4096), then exits 1"),
    _F("makedumpfile-empty", Kind.COUNT, "makedumpfile exits 0 without writing anything"),
    _F("dmesg", Kind.COUNT, "makedumpfile --dump-dmesg exits 1"),
    _F("dmesg-empty", Kind.COUNT,
       "makedumpfile --dump-dmesg exits 0 and writes an empty file"),
    _F("compressor", Kind.COMPRESSOR, "the compressor (or only NAME) exits 1"),
    _F("disk-full-after", Kind.BYTES,
       "the machine's disk takes N bytes per new file, then ENOSPC"),
    _F("vmcore-short-copy", Kind.BYTES,
       "the plain copy of /proc/vmcore (the cp fallback) ends after N bytes, no error"),
    _F("vmcore-short-upload", Kind.BYTES,
       "the raw FTP upload of /proc/vmcore ends after N bytes, no error"),
    _F("vmcore-hang", Kind.FLAG,
       "reading /proc/vmcore blocks for good (the cp fallback, a raw FTP upload)"),
    # the dump servers
    _F("nfs-mount", Kind.COUNT,
       "mount fails (Connection timed out); with N, only the first N attempts"),
    _F("nfs-readonly", Kind.FLAG, "the export mounts, but writing to it fails (EROFS)"),
    _F("nfs-umount", Kind.COUNT, "umount fails (device is busy); the export stays mounted"),
    _F("ssh-unreachable", Kind.COUNT,
       "ssh, scp and ssh-copy-id cannot connect (exit 255); with N, only the first N"),
    _F("ssh-mkdir", Kind.COUNT, "the remote mkdir fails (Permission denied)"),
    _F("ssh-dd", Kind.COUNT, "the remote dd writes half its input, then fails"),
    _F("ssh-mv", Kind.COUNT, "the remote mv fails"),
    _F("scp", Kind.COUNT, "scp loses the connection (exit 1); nothing usable is stored"),
    _F("ssh-keygen", Kind.COUNT, "ssh-keygen fails to save the key"),
    _F("ssh-copy-id", Kind.COUNT, "ssh-copy-id is refused by the server"),
    _F("ftp-unreachable", Kind.FLAG, "the FTP server cannot be reached"),
    _F("ftp-login", Kind.FLAG, "the FTP server refuses the login (530)"),
)}


def lookup(name: str) -> Fault:
    """The registered fault ``name``, or FaultError naming the close ones and the list."""
    fault = FAULTS.get(name)
    if fault is None:
        import difflib  # only on a misspelt name: the status fast path never pays for it

        close = difflib.get_close_matches(name, FAULTS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise FaultError(f"unknown fault {name!r}{hint}: kdump-sim faults lists the known ones")
    return fault


def check(name: str, value: Any) -> None:
    """A fault armed in a profile or a state file: registered, with a value it takes."""
    lookup(name).check(value)


def listing() -> str:
    """``kdump-sim faults``: one line per fault, NAME VALUE  effect."""
    width = max(len(f"{f.name} {f.takes}") for f in FAULTS.values())
    return "\n".join(f"{(f.name + ' ' + f.takes).strip():<{width}}  {f.effect}"
                     for f in FAULTS.values())


def markdown_table() -> str:
    """The README's fault table (tests/scenarios/test_sim_faults.py keeps the README equal
    to it)."""
    rows = ["| fault | value | what it does |", "|---|---|---|"]
    rows += [f"| `{f.name}` | {f'`{f.takes}`' if f.takes else ''} | {f.effect} |"
             for f in FAULTS.values()]
    return "\n".join(rows)


if __name__ == "__main__":  # python -m sim.faults: the README table, to paste
    print(markdown_table())

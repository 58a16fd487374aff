"""Why a kernel crashed, from its log: a signature that names the bug and a short hash
that is the same for the same bug on any dump or machine.

The crash is read from the kernel log saved next to the dump (``makedumpfile
--dump-dmesg``): the panic line, the oops or BUG report that led to it, the task, the
taint flags and the first call-trace frames.  What differs between two occurrences of one
bug is left out of the hashed text: timestamps, addresses, offsets, PIDs, CPU numbers,
the task (the same bug is hit by different processes), the taint flags (a machine with an
out-of-tree module loaded is tainted, its twin is not), the kernel release, and the frames
that only report the crash (``panic``, ``dump_stack``, the page-fault path...).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SCHEME = "crash-signature v1"
"""Hashed first: a change of the normalisation is a new scheme, never a silent reshuffle."""

FRAMES = 5
"""Frames in the signature: enough to tell callers apart, few enough that an inlining
difference deep in the stack does not split one bug in two."""

_HASH_CHARS = 12

# Prefixes the log may carry: the printk time, the caller id (CONFIG_PRINTK_CALLER), a
# console's own time stamp, a syslog level or the journal's "kernel:" tag.
_PREFIX = re.compile(r"^(?:\s*<\d>|\s*\[\s*\d+\.\d+\]|\s*\[\s*[TC]\d+\]"
                     r"|(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\S+) \S+ kernel: )")

_PANIC = re.compile(r"Kernel panic - not syncing: ?(.*)")
# Panics that an oops, a warning or a lockup report caused: the report is the crash.
_CAUSED_PANIC = re.compile(
    r"Fatal exception|Attempted to kill|panic_on_warn|softlockup|hard ?LOCKUP|hung_task"
    r"|Oops|Aiee|Fatal hardware error|Fatal Machine check")

# Report headlines, most telling first: (kind, pattern, detail group or None).
_HEADLINES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("null-pointer-dereference", re.compile(r"NULL pointer dereference", re.I)),
    ("paging-request", re.compile(
        r"unable to handle (?:kernel )?(?:paging request|page fault)", re.I)),
    ("bug", re.compile(r"kernel BUG at (?P<detail>\S+?)(?::\d+)?!", re.I)),
    ("general-protection-fault", re.compile(r"general protection fault")),
    # only WARN()'s report: "WARNING: nvram corruption detected" is a plain message
    ("warning", re.compile(r"WARNING: CPU: \d+ PID: \d+ at (?P<detail>\S+?)(?::\d+)? ")),
    ("soft-lockup", re.compile(r"BUG: soft lockup")),
    ("hard-lockup", re.compile(r"Watchdog detected hard LOCKUP|NMI watchdog: .*hard LOCKUP")),
    ("hung-task", re.compile(r"INFO: task \S+ blocked for more than")),
    ("bug", re.compile(r"BUG: (?P<detail>.*)")),
    ("user-page-access", re.compile(r"Kernel attempted to (?:read|write|access) user page")),
    ("oops", re.compile(r"^Oops\b|Internal error: |^(?:divide error|invalid opcode|"
                        r"stack segment|double fault)\b")),
)
_REPORT_HEAD_LINES = 40
_REPORT_END = re.compile(r"---\[ end (?:trace|Kernel panic)")
_TRACE_START = re.compile(r"^Call [Tt]race:")
_TRACE_MARKER = re.compile(r"^(?:</?(?:TASK|IRQ|NMI|EOI|SOFTIRQ)>|--- interrupt:|Exception stack)")
_FRAME = re.compile(
    r"^(?:\[[0-9a-fx<>]+\]\s*)*(?P<unreliable>\? )?(?P<name>[A-Za-z_.$][\w.$]*)"
    r"\+0x(?P<offset>[0-9a-f]+)/0x[0-9a-f]+(?: \[[\w.-]+\])?(?P<flag> \(unreliable\))?")
_FAULT_AT = re.compile(
    r"^(?:R?IP: (?:[0-9a-f]{4}:)?(?:\[<[0-9a-f]+>\]\s*)*|pc ?: |PC is at |NIP \[[0-9a-f]+\] )"
    r"(?:\[<[0-9a-f]+>\]\s*)*(?P<name>[A-Za-z_.$][\w.$]*)\+0x")
_TASK = re.compile(r"^CPU: \d+ (?:UID: \d+ )?PID: (?P<pid>\d+) Comm: (?P<comm>\S+)")
_TAINT = re.compile(r"(?:Not tainted|Tainted: (?P<flags>[A-Z][A-Z ]*?))\s+(?P<release>\d\S*)")

# Frames that report or route the crash rather than cause it.
_MACHINERY = frozenset((
    "dump_backtrace", "show_stack", "dump_stack", "dump_stack_lvl", "__dump_stack", "panic",
    "vpanic", "nmi_panic", "check_panic_on_warn", "__warn", "warn_slowpath_fmt",
    "warn_slowpath_null", "report_bug", "handle_bug", "exc_invalid_op", "asm_exc_invalid_op",
    "do_error_trap", "do_invalid_op", "invalid_op", "die", "__die", "__die_body", "oops_end",
    "page_fault_oops", "no_context", "__bad_area_nosemaphore", "bad_area_nosemaphore",
    "do_user_addr_fault", "handle_page_fault", "exc_page_fault", "asm_exc_page_fault",
    "do_page_fault", "page_fault", "do_general_protection", "exc_general_protection",
    "asm_exc_general_protection", "die_kernel_fault", "__do_kernel_fault", "do_translation_fault",
    "do_mem_abort", "el1_abort", "el1_da", "el1h_64_sync_handler", "el1h_64_sync", "el1_sync",
    "bug_handler", "brk_handler", "call_break_hook", "do_debug_exception", "el1_dbg", "el1_brk64",
    "arm64_notify_die", "bad_page_fault", "__bad_page_fault", "___do_page_fault",
    "hash__do_page_fault", "data_access_common_virt", "program_check_exception",
    "program_check_common_virt", "show_regs", "show_trace_log_lvl", "show_stack_log_lvl",
    "__show_regs",
))


@dataclass(frozen=True)
class CrashSignature:
    """One crash, read from its kernel log.  ``hash`` is what to compare across dumps."""

    kind: str  # "panic", "null-pointer-dereference", "bug", "warning", "oops"...
    headline: str  # the report's (or the panic's) line, normalised
    panic: str | None  # the panic message, normalised
    where: str | None  # the function that faulted, when the report names one
    frames: tuple[str, ...]
    task: str | None
    pid: int | None
    taint: str  # the taint letters ("" when not tainted; G, the default, left out)
    release: str | None
    text: str  # what is hashed
    hash: str

    @property
    def summary(self) -> str:
        """One line for a listing: what happened and where."""
        what = f"panic: {self.panic}" if self.kind == "panic" else self.headline
        place = self.where or (self.frames[0] if self.frames else None)
        return f"{what} in {place}" if place else what


def normalise(line: str) -> str:
    """One log line without what changes between occurrences of the same event."""
    line = re.sub(r"\b0x[0-9a-fA-F]+\b", "X", line)
    line = re.sub(r"\b(?=[0-9a-fA-F]*[0-9])[0-9a-fA-F]{6,}\b", "X", line)
    line = re.sub(r"(?<![\w.])\d+(?:\.\d+)*\b", "N", line)
    line = re.sub(r"\(null\)", "X", line)
    return " ".join(line.split())


def strip_prefixes(line: str) -> str:
    """The message of one log line, without time stamps, caller ids or syslog tags."""
    previous = None
    while previous != line:
        previous = line
        line = _PREFIX.sub("", line, count=1)
    return line.strip()


def base_name(symbol: str) -> str:
    """A function's name without the compiler's clone suffixes (.cold, .isra.0...)."""
    return symbol.split(".", 1)[0] or symbol


def crash_signature(log: str | Iterable[str]) -> CrashSignature | None:
    """The crash a kernel log ends with, None when it holds neither panic nor oops."""
    lines = [strip_prefixes(raw) for raw in (log.splitlines() if isinstance(log, str) else log)]
    panic_at = next((i for i in range(len(lines) - 1, -1, -1) if _PANIC.search(lines[i])), None)
    panic = None
    if panic_at is not None:
        match = _PANIC.search(lines[panic_at])
        panic = normalise(match.group(1)) if match else ""
    report = _report(lines, panic_at, panic)
    if report is None and panic_at is None:
        return None
    if report is not None:
        start, kind, headline, detail = report
        where = _fault_function(lines, start)
    else:
        assert panic_at is not None and panic is not None
        start, kind, headline, detail, where = panic_at, "panic", panic, panic, None
    frames = _frames(lines, start, where)
    task, pid, taint, release = _task(lines, start)
    text = "\n".join((SCHEME, f"kind: {kind}", f"detail: {detail}",
                      "frames: " + " ".join(frames)))
    digest = hashlib.sha256(text.encode()).hexdigest()[:_HASH_CHARS]
    return CrashSignature(kind=kind, headline=headline, panic=panic, where=where,
                          frames=frames, task=task, pid=pid, taint=taint, release=release,
                          text=text, hash=digest)


def _report(lines: Sequence[str], panic_at: int | None,
            panic: str | None) -> tuple[int, str, str, str] | None:
    """The oops/BUG/warning report that the crash is: (first line, kind, headline,
    detail).  A panic of its own (sysrq, no root fs...) has none, even after an earlier
    oops the machine survived."""
    if panic is not None and not _CAUSED_PANIC.search(panic):
        return None
    end = panic_at if panic_at is not None else len(lines)
    last = next((i for i in range(end - 1, -1, -1) if _is_headline(lines[i])), None)
    if last is None:
        return None
    first = last
    # the same report: its headlines sit a few lines apart, no trace or end mark between
    for i in range(last - 1, max(-1, last - _REPORT_HEAD_LINES), -1):
        if _TRACE_START.search(lines[i]) or _REPORT_END.search(lines[i]):
            break
        if _is_headline(lines[i]):
            first = i
    for kind, pattern in _HEADLINES:
        for i in range(first, last + 1):
            if not _is_headline(lines[i]):
                continue
            match = pattern.search(lines[i])
            if match:
                named = match.groupdict().get("detail")
                return first, kind, normalise(lines[i]), _detail(kind, named)
    return None


def _detail(kind: str, named: str | None) -> str:
    if named is None:
        return ""
    if kind in ("bug", "warning") and "/" in named and " " not in named:
        return named  # a source file: its line number moves between builds, the file not
    return normalise(named)


def _is_headline(line: str) -> bool:
    return any(pattern.search(line) for _, pattern in _HEADLINES)


def _fault_function(lines: Sequence[str], start: int) -> str | None:
    """The function the report says faulted (x86 RIP/IP, arm64 pc, POWER NIP)."""
    for line in lines[start:]:
        if _TRACE_START.search(line) or _REPORT_END.search(line):
            break
        match = _FAULT_AT.search(line)
        if match:
            return base_name(match.group("name"))
    return None


def _frames(lines: Sequence[str], start: int, where: str | None) -> tuple[str, ...]:
    frames: list[str] = [where] if where else []
    trace = next((i for i in range(start, len(lines)) if _TRACE_START.search(lines[i])), None)
    if trace is not None:
        for line in lines[trace + 1:]:
            if _TRACE_MARKER.search(line):
                continue
            match = _FRAME.search(line)
            if match is None:
                break
            if match.group("unreliable") or match.group("flag"):
                continue  # the unwinder's guesses
            if int(match.group("offset"), 16) == 0:
                continue  # a return address at a function's start: a noreturn call's neighbour
            name = base_name(match.group("name"))
            if name in _MACHINERY or (frames and frames[-1] == name):
                continue
            frames.append(name)
            if len(frames) == FRAMES:
                break
    return tuple(frames)


def _task(lines: Sequence[str], start: int) -> tuple[str | None, int | None, str, str | None]:
    """The task, PID, taint letters and release from the report's ``CPU: ... Comm:`` line."""
    for line in lines[start:]:
        match = _TASK.search(line)
        if match:
            taint = _TAINT.search(line)
            flags = (taint.group("flags") or "") if taint else ""
            letters = "".join(c for c in flags if c.isalpha() and c != "G")
            return (match.group("comm"), int(match.group("pid")), letters,
                    taint.group("release") if taint else None)
    return None, None, "", None

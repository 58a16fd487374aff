"""Host-side judgement of what a guest left in its results directory.

Every check returns a list of problems (empty = passed), so one run reports all of them.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import re
import shlex
import struct
from pathlib import Path
from typing import BinaryIO

# ---------------------------------------------------------------- dump formats ----------------

KDUMP_SIG = b"KDUMP   "
FLAT_SIG = b"makedumpfile\0"
ELF_SIG = b"\x7fELF"
DUMP_DH_COMPRESSED_INCOMPLETE = 0x8


def open_dump(path: Path) -> BinaryIO:
    """Dumps may be wrapped by KDUMP_COMPRESSION; read through the stdlib decompressors."""
    opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}.get(path.suffix, open)
    return opener(path, "rb")  # type: ignore[operator,no-any-return]


def check_kdump_header(
    head: bytes, size: int | None, release: str, machine: str | None = None
) -> list[str]:
    """A kdump-compressed (makedumpfile -c/-l/-p) disk_dump_header: signature, the
    incomplete flag makedumpfile sets when it could not finish, and the crashed kernel's
    release (and, when given, machine: aarch64...) in the embedded utsname."""
    problems = []
    if len(head) < 464:
        return ["kdump header truncated"]
    utsname = [
        head[12 + 65 * i : 12 + 65 * (i + 1)].split(b"\0")[0].decode(errors="replace")
        for i in range(6)
    ]
    (status, block_size, sub_hdr_size, bitmap_blocks) = struct.unpack_from("<IiII", head, 424)
    if status & DUMP_DH_COMPRESSED_INCOMPLETE:
        problems.append("kdump header has the INCOMPLETE flag")
    if utsname[2] != release:
        problems.append(f"dump is of kernel {utsname[2]!r}, expected {release!r}")
    if machine is not None and utsname[4] != machine:
        problems.append(f"dump is of machine {utsname[4]!r}, expected {machine!r}")
    if size is not None and block_size > 0:
        minimum = (1 + sub_hdr_size + bitmap_blocks) * block_size
        if size <= minimum:
            problems.append(f"dump has {size} bytes, less than its own headers ({minimum})")
    return problems


def check_flattened(f: BinaryIO, release: str, machine: str | None = None) -> list[str]:
    """makedumpfile -F: a 4096-byte header, then (offset, size) big-endian records, ending
    with the (-1, -1) end marker. A stream cut short has no end marker."""
    head = f.read(4096)
    if not head.startswith(FLAT_SIG):
        return ["no flattened makedumpfile signature"]
    first = b""
    total = 0
    while True:
        rec = f.read(16)
        if len(rec) < 16:
            return ["flattened dump ends without its end marker (truncated?)"]
        offset, size = struct.unpack(">qq", rec)
        if offset == -1 and size == -1:
            break
        if size < 0 or offset < 0:
            return [f"corrupt flattened record ({offset}, {size})"]
        data = f.read(size)
        if len(data) < size:
            return ["flattened dump truncated inside a record"]
        if offset == 0:
            first = data
        total += size
    if f.read(1):
        return ["data after the flattened end marker"]
    if first.startswith(KDUMP_SIG):
        return check_kdump_header(first, None, release, machine)
    if first.startswith(ELF_SIG):
        return []
    return ["flattened dump holds neither a kdump nor an ELF image"]


ELF_MACHINES = {"x86_64": 62, "aarch64": 183, "ppc64le": 21}


def check_elf(
    f: BinaryIO, size: int, release: str | None = None, machine: str | None = None
) -> list[str]:
    """A raw /proc/vmcore copy (the cp fallback): every PT_LOAD lies inside the file, and
    (when given) the ELF machine and the VMCOREINFO note's OSRELEASE are the crashed
    kernel's. A core header built from wrong kernel facts fails these."""
    eh = f.read(64)
    if eh[:4] != ELF_SIG or eh[4] != 2:
        return ["not an ELF64 file"]
    endian = "<" if eh[5] == 1 else ">"
    (e_machine,) = struct.unpack_from(endian + "H", eh, 18)
    (e_phoff,) = struct.unpack_from(endian + "Q", eh, 32)
    e_phentsize, e_phnum = struct.unpack_from(endian + "HH", eh, 54)
    problems = []
    if machine is not None and e_machine != ELF_MACHINES.get(machine):
        problems.append(f"ELF machine {e_machine}, expected {machine}")
    f.seek(e_phoff)
    phdrs = [f.read(e_phentsize) for _ in range(e_phnum)]
    loads = 0
    notes: list[tuple[int, int]] = []
    for ph in phdrs:
        (p_type,) = struct.unpack_from(endian + "I", ph, 0)
        (p_offset,) = struct.unpack_from(endian + "Q", ph, 8)
        (p_filesz,) = struct.unpack_from(endian + "Q", ph, 32)
        if p_type == 1:
            loads += 1
            if p_offset + p_filesz > size:
                return [f"ELF segment past the end of the file ({p_offset}+{p_filesz} > {size})"]
        elif p_type == 4:
            notes.append((p_offset, p_filesz))
    if not loads:
        problems.append("ELF dump has no PT_LOAD segment")
    if release is not None:
        info = vmcoreinfo(f, endian, notes)
        if f"OSRELEASE={release}\n" not in info:
            problems.append(f"no VMCOREINFO note with OSRELEASE={release}")
    return problems


def vmcoreinfo(f: BinaryIO, endian: str, notes: list[tuple[int, int]]) -> str:
    """The VMCOREINFO note's text ("" when there is none)."""
    for offset, length in notes:
        f.seek(offset)
        data = f.read(min(length, 1 << 20))
        pos = 0
        while pos + 12 <= len(data):
            namesz, descsz, _ = struct.unpack_from(endian + "III", data, pos)
            name_end = pos + 12 + namesz
            desc_start = name_end + (-namesz % 4)
            name = data[pos + 12 : name_end].rstrip(b"\0")
            if name == b"VMCOREINFO":
                return data[desc_start : desc_start + descsz].decode(errors="replace")
            pos = desc_start + descsz + (-descsz % 4)
    return ""


PANIC_TEXTS = (b"sysrq: Trigger a crash", b"Kernel panic - not syncing")


def memory_has_panic(path: Path) -> list[str]:
    """Which of the panic's log lines the dump's memory lacks: the kernel log ring holds
    its text as plain bytes, so a raw vmcore of the crash shows them."""
    found = set()
    keep = max(len(t) for t in PANIC_TEXTS)
    tail = b""
    with open_dump(path) as f:
        while len(found) < len(PANIC_TEXTS):
            chunk = f.read(1 << 24)
            if not chunk:
                break
            window = tail + chunk
            found.update(t for t in PANIC_TEXTS if t in window)
            tail = window[-keep:]
    return [t.decode() for t in PANIC_TEXTS if t not in found]


def check_dump_file(path: Path, release: str, machine: str | None = None) -> list[str]:
    size = path.stat().st_size
    if size == 0:
        return [f"{path.name} is empty"]
    with open_dump(path) as f:
        head = f.read(4096)
        f.seek(0)
        if head.startswith(FLAT_SIG):
            return check_flattened(f, release, machine)
        if head.startswith(KDUMP_SIG):
            return check_kdump_header(
                head, None if path.suffix in (".gz", ".bz2", ".xz") else size, release, machine
            )
        if head.startswith(ELF_SIG):
            return check_elf(f, size, release, machine)
    return [f"{path.name}: no makedumpfile, KDUMP or ELF signature"]


# ---------------------------------------------------------------- results directory ---------


def read_text(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""


def rc_of(path: Path) -> int | None:
    text = read_text(path).strip()
    return int(text) if text.lstrip("-").isdigit() else None


def kexec_calls(res: Path) -> list[tuple[list[str], int | None]]:
    calls = []
    argv_dir = res / "argv"
    n = 0
    while (argv_dir / f"kexec.{n}").exists():
        argv = (argv_dir / f"kexec.{n}").read_bytes().split(b"\0")[:-1]
        calls.append(
            ([a.decode(errors="surrogateescape") for a in argv], rc_of(argv_dir / f"kexec.{n}.rc"))
        )
        n += 1
    return calls


def printed_kexec_command(test_out: str) -> list[str] | None:
    """The command `kdump-config test` prints under "kexec command to be used:"."""
    lines = test_out.splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith("kexec command to be used") and i + 1 < len(lines):
            try:
                return shlex.split(lines[i + 1].strip())
            except ValueError:
                return None
    return None


def same_kexec(run: list[str], printed: list[str]) -> bool:
    # argv[0] as the wrapper saw it is the path the caller executed (/sbin/kexec, or the
    # PATH-resolved /usr/sbin/kexec); the rest must be identical, word for word.
    return (Path(run[0]).name == Path(printed[0]).name) and run[1:] == printed[1:]


def check_cmd(
    res: Path, phase: str, name: str, want_rc: int | None = 0, want_text: str | None = None
) -> list[str]:
    base = res / phase / name
    rc = rc_of(base.with_suffix(".rc"))
    if rc is None:
        return [f"{phase}/{name} never finished"]
    problems = []
    output = read_text(base.with_suffix(".out")) + read_text(base.with_suffix(".err"))
    if want_rc is not None and rc != want_rc:
        problems.append(
            f"{phase}/{name} exited {rc}, expected {want_rc}: {output.strip()[-300:]!r}"
        )
    if want_text is not None and want_text not in output:
        problems.append(f"{phase}/{name} output lacks {want_text!r}: {output.strip()[-300:]!r}")
    return problems


def check_crash_guest(
    res: Path,
    release: str,
    plain: bool,
    machine: str | None = None,
    notes: list[str] | None = None,
) -> list[str]:
    """The whole cycle. Where makedumpfile cannot read the crashed kernel's dump (arm64
    6.12 with 52-bit VA before makedumpfile 1.7.7), savecore's fallback is a raw vmcore and
    no dmesg file: then the vmcore itself must hold the panic's log lines (noted in
    ``notes``)."""
    problems = check_cmd(res, "first", "load")
    problems += check_cmd(res, "first", "status")
    status = read_text(res / "first/status.out")
    if not re.search(r"current state\s*:\s*ready to kdump", status):
        problems.append(f"status does not say 'ready to kdump': {status.strip()!r}")
    problems += check_cmd(res, "first", "test")
    if (res / "first/check.rc").exists() and not plain:
        problems += check_cmd(res, "first", "check", 0, "ready to kdump")

    # The argv kexec really got equals what `test` printed.
    loads = [
        (argv, rc) for argv, rc in kexec_calls(res) if "-p" in argv and "-u" not in argv and rc == 0
    ]
    printed = printed_kexec_command(read_text(res / "first/test.out"))
    if not loads:
        problems.append("no successful `kexec -p` load was recorded")
    elif printed is None:
        problems.append("`test` printed no parsable 'kexec command to be used:' line")
    elif not same_kexec(loads[-1][0], printed):
        problems.append(f"kexec ran {loads[-1][0]} but `test` printed {printed}")

    if not (res / "capture").is_dir():
        return [*problems, "the capture kernel never ran the capture phase"]
    problems += check_cmd(res, "capture", "savecore")

    dump_dirs = [d for d in sorted((res / "crash").glob("*")) if d.is_dir()]
    if len(dump_dirs) != 1:
        return [*problems, f"expected one dump directory in crash/, found {dump_dirs}"]
    return problems + check_dump_dir(dump_dirs[0], release, modes=not plain, machine=machine,
                                     savecore_out=read_text(res / "capture/savecore.out"),
                                     notes=notes)


def check_dump_dir(
    stamp_dir: Path,
    release: str,
    modes: bool = True,
    machine: str | None = None,
    savecore_out: str = "",
    notes: list[str] | None = None,
) -> list[str]:
    """One KDUMP_COREDIR/<stamp>/ as savecore leaves it: one complete dump.*/vmcore.*, one
    dmesg.* holding the sysrq panic, no *incomplete* files, every file 0600 (when `modes`).
    Where savecore said makedumpfile failed and kept the raw vmcore without dmesg, the
    vmcore itself must hold the panic's log lines (noted in ``notes``)."""
    if not stamp_dir.is_dir():
        return [f"{stamp_dir} is missing"]
    problems = []
    files = sorted(p for p in stamp_dir.iterdir() if p.is_file())
    dumps = [p for p in files if p.name.startswith(("dump.", "vmcore."))]
    dmesgs = [p for p in files if p.name.startswith("dmesg.")]
    leftovers = [p.name for p in files if "incomplete" in p.name]
    if leftovers:
        problems.append(f"incomplete files left: {leftovers}")
    if len(dumps) != 1:
        problems.append(f"expected one dump.* or vmcore.* file, found {[p.name for p in files]}")
    for dump in dumps:
        problems += check_dump_file(dump, release, machine)
    raw = [p for p in dumps if p.name.startswith("vmcore.")]
    if not dmesgs and raw and "makedumpfile failed" in savecore_out:
        lacking = memory_has_panic(raw[0])
        if lacking:
            problems.append(f"{raw[0].name} (no dmesg file) lacks the panic's log: {lacking}")
        elif notes is not None:
            notes.append(
                "makedumpfile could not read this kernel's dump: savecore saved the raw "
                f"vmcore ({raw[0].stat().st_size >> 20} MiB) without dmesg; the panic's log "
                "lines were found in it"
            )
    elif len(dmesgs) != 1:
        problems.append(f"expected one dmesg.* file, found {[p.name for p in files]}")
    for dmesg in dmesgs:
        text = read_text(dmesg)
        if "sysrq" not in text.lower() or "Kernel panic" not in text:
            problems.append(f"{dmesg.name} lacks the sysrq panic ({len(text)} bytes)")
    if modes:
        for p in files:
            mode = p.stat().st_mode & 0o777
            if mode != 0o600:
                problems.append(f"{p.name} has mode {mode:o}, expected 600")
    return problems


def check_nocrash_guest(res: Path, plain: bool) -> list[str]:
    problems = []
    if plain:
        # The kernel itself refuses: no crash kernel memory was reserved.
        loads = [rc for argv, rc in kexec_calls(res) if "-p" in argv and "-u" not in argv]
        if not loads:
            problems.append("kexec -p was never tried")
        elif any(rc == 0 for rc in loads):
            problems.append("kexec -p succeeded without crashkernel=")
    else:
        problems += check_cmd(
            res, "first", "load", 1, "no crashkernel= parameter in the kernel cmdline ... failed!"
        )
        problems += check_cmd(res, "first", "check", 3, "crashkernel")
        loads = [argv for argv, rc in kexec_calls(res) if "-u" not in argv]
        if loads:
            problems.append(f"load ran kexec although it had to stop first: {loads}")
    if read_text(res / "first/kexec_crash_loaded").strip() not in ("0", ""):
        problems.append("kexec_crash_loaded is set")
    if (res / "capture").exists():
        problems.append("a capture phase ran")
    return problems


# The catalog text `load` prints where kexec_load cannot build a valid core header and the
# kernel has no kexec_file_load (kdump/messages.py, code kexec-symbols-missing).
NOSYMBOLS_TEXT = "_text"


def check_nosymbols_guest(res: Path, release: str, plain: bool) -> list[str]:
    """An arm64 kernel on which no load method yields a dump: load refuses (exit 1, saying
    why), check names the failing check (exit 3), status never says ready, kexec_load was
    never run, and the forced crash captured nothing. If a capture did run (something
    loaded anyway), whatever it saved is judged too, so the report says what came of it."""
    problems = []
    if not plain:
        problems += check_cmd(res, "first", "load", 1, NOSYMBOLS_TEXT)
        problems += check_cmd(res, "first", "check", 3, "kexec-symbols")
    status = read_text(res / "first/status.out")
    if re.search(r"current state\s*:\s*ready to kdump", status):
        problems.append(f"status says 'ready to kdump': {status.strip()!r}")
    # Plain mode tries kexec -s, which this kernel refuses (253): only a success counts.
    loads = [
        argv
        for argv, rc in kexec_calls(res)
        if "-p" in argv and "-u" not in argv and (rc == 0 or not plain)
    ]
    if loads:
        problems.append(f"kexec was asked to load on a kernel where no method works: {loads}")
    if read_text(res / "first/kexec_crash_loaded").strip() not in ("0", ""):
        problems.append("kexec_crash_loaded is set")
    if (res / "capture").exists():
        problems.append("a capture kernel ran after the crash")
        for dump in sorted((res / "crash").glob("*/*")):
            if dump.name.startswith(("dump.", "vmcore.")):
                found = check_dump_file(dump, release, "aarch64")
                problems += [f"captured {dump.name}: {p}" for p in found] or [
                    f"captured {dump.name} looks valid"
                ]
        savecore = read_text(res / "capture/savecore.err").strip()
        if savecore:
            problems.append(f"savecore said: {savecore[-300:]!r}")
    return problems

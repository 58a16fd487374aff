"""Whether one saved dump file is complete and of the crashed kernel: makedumpfile's
kdump-compressed and flattened formats, a raw ELF vmcore, each maybe compressed again."""

from __future__ import annotations

import bz2
import gzip
import lzma
import struct
from pathlib import Path
from typing import BinaryIO

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

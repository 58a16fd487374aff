"""What a saved dump is, from its headers only: format, crashed kernel, dump level, complete.

Listing dumps must stay cheap on a directory of many multi-GiB files, so nothing here reads
page data: every read goes through a ``read_at(offset, length)`` callable (the file layer's,
in the product) and the whole look at one dump is capped at ``READ_BUDGET`` bytes.

Formats (facts from makedumpfile's and the kernel's public headers):

* kdump-compressed (``KDUMP   ``): ``disk_dump_header`` (utsname, status flags, block
  size), then one block later ``kdump_sub_header`` (dump level, VMCOREINFO offset/size).
  Written in the crashed machine's byte order.
* flattened (``makedumpfile -F``): a 4096-byte header, then big-endian (offset, size)
  records each followed by its data, ending with the (-1, -1) marker.  The records rebuild
  a kdump-compressed (or ELF) image; the first one is that image's header.
* ELF core (``/proc/vmcore`` copied, or ``makedumpfile -E``): the PT_NOTE VMCOREINFO note
  gives the release and crash time; a complete copy holds every PT_LOAD.
* any of these inside gzip, bzip2, xz or lz4 (``KDUMP_COMPRESSION``): only a bounded
  prefix is decompressed; what can be checked at the wrapper's end is checked there.
"""

from __future__ import annotations

import binascii
import bz2
import lzma
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

ReadAt = Callable[[int, int], bytes]
"""``read_at(offset, length)``: the bytes there, fewer only at the end of the file."""

READ_BUDGET = 1 << 20
"""Most bytes read from one dump file to describe it."""

_INFLATE_LIMIT = 512 << 10  # decompressed prefix kept from a compressed dump
_FLAT_RECORD_LIMIT = 64  # flattened records indexed: the headers are the first three
_NOTE_LIMIT = 256 << 10  # ELF note bytes read when looking for VMCOREINFO

KDUMP_SIGNATURE = b"KDUMP   "
FLAT_SIGNATURE = b"makedumpfile\0"
ELF_MAGIC = b"\x7fELF"
_FLAT_HEADER_SIZE = 4096
_FLAT_END = struct.pack(">qq", -1, -1)

DUMP_DH_COMPRESSED_INCOMPLETE = 0x8
_PAGE_COMPRESSION = ((0x1, "zlib"), (0x2, "lzo"), (0x4, "snappy"), (0x20, "zstd"))

_ELF_MACHINES = {62: "x86_64", 183: "aarch64", 22: "s390x", 243: "riscv64",
                 258: "loongarch64", 3: "i686", 40: "armv7l"}
_EM_PPC64 = 21
_PT_LOAD, _PT_NOTE = 1, 4

_GZIP_MAGIC = b"\x1f\x8b"
_BZIP2_MAGIC = b"BZh"
_XZ_MAGIC = b"\xfd7zXZ\x00"
_LZ4_FRAME_MAGIC = b"\x04\x22\x4d\x18"
_LZ4_LEGACY_MAGIC = b"\x02\x21\x4c\x18"


PROBLEM_CODES = {
    # not complete
    "dump-empty": "the file is empty",
    "dump-format-unknown": "no dump format this reader knows",
    "dump-header-truncated": "the kdump header is cut short",
    "dump-header-corrupt": "the kdump header makes no sense",
    "dump-incomplete-flag": "makedumpfile marked the dump incomplete",
    "dump-shorter-than-headers": "the kdump-compressed file ends inside its own headers",
    "dump-flattened-truncated": "the flattened stream ends without its end marker",
    "dump-flattened-trailing": "bytes follow the flattened end marker",
    "dump-flattened-corrupt": "a flattened record header makes no sense",
    "dump-elf-short": "the ELF headers are cut short or malformed",
    "dump-elf-no-memory": "the ELF core has no memory segment",
    "dump-elf-truncated": "the ELF core ends before its last memory segment",
    "dump-wrapper-truncated": "the compressed stream is cut short",
    "dump-wrapper-corrupt": "the compressed stream does not decompress",
    # cannot tell
    "dump-end-unchecked": "the end of a compressed dump is not checked without reading it",
    "dump-read-budget": "the headers need more than the read budget",
}
"""Every ``Problem.code`` there is, for the callers' messages."""


@dataclass(frozen=True)
class Problem:
    """Why a dump is not (known to be) complete: a stable code and the facts behind it."""

    code: str
    detail: str


@dataclass(frozen=True)
class DumpHeader:
    """What the headers of one dump file say.

    ``complete`` is True when every check the headers allow passed, False when one
    failed (``problems`` says which), None when the headers cannot tell (``problems``
    says what could not be checked, e.g. the end of a gzip stream)."""

    format: str  # "kdump-compressed", "flattened", "elf" or "unknown"
    size: int
    wrapper: str = ""  # "", "gzip", "bzip2", "xz" or "lz4"
    inner: str = ""  # what the flattened records rebuild: "kdump-compressed" or "elf"
    release: str | None = None
    machine: str | None = None
    hostname: str | None = None
    dump_level: int | None = None
    page_compression: str | None = None
    crash_time: int | None = None  # seconds since the epoch
    complete: bool | None = None
    problems: tuple[Problem, ...] = ()
    vmcoreinfo: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def reason(self) -> str:
        """One line: why the dump is not (known to be) complete, "" when it is."""
        return "; ".join(p.detail for p in self.problems)


class _OverBudget(Exception):
    pass


class _Budget:
    """Counts what one look at a dump reads and stops the look past ``READ_BUDGET``: a
    short read would pass for a truncated file, so the look ends as "cannot tell"."""

    def __init__(self, read_at: ReadAt, limit: int = READ_BUDGET) -> None:
        self._read_at = read_at
        self.left = limit

    def __call__(self, offset: int, length: int) -> bytes:
        if length <= 0 or offset < 0:
            return b""
        if length > self.left:
            raise _OverBudget
        data = self._read_at(offset, length)
        self.left -= len(data)
        return data


class _Findings:
    """What the format readers learn, turned into a ``DumpHeader`` at the end."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}
        self.failed: list[Problem] = []
        self.unchecked: list[Problem] = []

    def fail(self, code: str, detail: str) -> None:
        self.failed.append(Problem(code, detail))

    def cannot_tell(self, code: str, detail: str) -> None:
        self.unchecked.append(Problem(code, detail))


def read_dump_header(read_at: ReadAt, size: int) -> DumpHeader:
    """Describe the dump file that ``read_at`` reads (``size`` bytes long)."""
    budget = _Budget(read_at)
    found = _Findings()
    if size == 0:
        found.fail("dump-empty", "the file is empty")
    else:
        try:
            head = budget(0, 16)
            wrapper = _wrapper_of(head)
            if wrapper:
                found.values["wrapper"] = wrapper
                image = _decompressed_prefix(wrapper, budget, size, found)
                _read_image(_bytes_reader(image), None, found)
            else:
                _read_image(budget, size, found)
            _check_gzip_length(found)
        except _OverBudget:
            found.cannot_tell("dump-read-budget",
                              f"its headers need more than {READ_BUDGET} bytes read")
    problems = tuple(found.failed or found.unchecked)
    complete = False if found.failed else (None if found.unchecked else True)
    v = found.values
    return DumpHeader(
        format=str(v.get("format", "unknown")), size=size, complete=complete, problems=problems,
        wrapper=str(v.get("wrapper", "")), inner=str(v.get("inner", "")),
        release=_opt_str(v.get("release")), machine=_opt_str(v.get("machine")),
        hostname=_opt_str(v.get("hostname")), dump_level=_opt_int(v.get("dump_level")),
        page_compression=_opt_str(v.get("page_compression")),
        crash_time=_opt_int(v.get("crash_time")),
        vmcoreinfo=_vmcoreinfo_of(v.get("vmcoreinfo")),
    )


def file_reader(f: BinaryIO) -> ReadAt:
    """``read_at`` over an open binary file (seekable)."""
    def read_at(offset: int, length: int) -> bytes:
        f.seek(offset)
        return f.read(length)
    return read_at


def _vmcoreinfo_of(value: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _opt_int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _bytes_reader(data: bytes) -> ReadAt:
    return lambda offset, length: data[offset:offset + length] if offset >= 0 else b""


def _read_image(read_at: ReadAt, size: int | None, found: _Findings) -> None:
    """Read one dump image; ``size`` None when only a prefix of it is at hand."""
    head = read_at(0, 16)
    for signature, fmt, reader in ((FLAT_SIGNATURE, "flattened", _read_flattened),
                                   (KDUMP_SIGNATURE, "kdump-compressed", _read_kdump),
                                   (ELF_MAGIC, "elf", _read_elf)):
        if head.startswith(signature):
            found.values["format"] = fmt
            reader(read_at, size, found)
            return
    found.fail("dump-format-unknown", "no makedumpfile, KDUMP or ELF signature")


# ---- kdump-compressed ---------------------------------------------------------------

_UTS_FIELD = 65
_UTS_OFFSET = 12
# disk_dump_header after the utsname, as a 64-bit and as a 32-bit makedumpfile lays it
# out: the timeval's field format and offset, the offset of the status word.
_LAYOUT_64 = ("q", 408, 424)
_LAYOUT_32 = ("i", 404, 412)
# A 32-bit capture runs a 32-bit makedumpfile: its machine picks the layout to try first.
_MACHINES_32 = ("i386", "i486", "i586", "i686", "arm", "mips", "ppc", "s390")


def _kdump_endian(head: bytes) -> str | None:
    for endian in "<>":
        (version,) = struct.unpack_from(endian + "i", head, 8)
        if 0 < version < 64:
            return endian
    return None


def _plausible_block(head: bytes, endian: str, status_at: int) -> bool:
    (block_size,) = struct.unpack_from(endian + "i", head, status_at + 4)
    return bool(block_size >= 512 and block_size & (block_size - 1) == 0)


def _read_kdump(read_at: ReadAt, size: int | None, found: _Findings) -> None:
    head = read_at(0, 464)
    endian = _kdump_endian(head) if len(head) >= 12 else None
    if len(head) < 440 or endian is None:
        found.fail("dump-header-truncated", "the kdump header is cut short or unreadable")
        return
    uts = [head[_UTS_OFFSET + _UTS_FIELD * i:_UTS_OFFSET + _UTS_FIELD * (i + 1)]
           .split(b"\0")[0].decode("utf-8", "replace") for i in range(6)]
    found.values.update(hostname=uts[1], release=uts[2], machine=uts[4])
    narrow = uts[4] in _MACHINES_32 or uts[4].startswith("armv")
    layouts = (_LAYOUT_32, _LAYOUT_64) if narrow else (_LAYOUT_64, _LAYOUT_32)
    layout = next((lay for lay in layouts if _plausible_block(head, endian, lay[2])), None)
    if layout is None:
        found.fail("dump-header-corrupt", "the kdump header has no plausible block size")
        return
    tv_fmt, tv_at, status_at = layout
    (header_version,) = struct.unpack_from(endian + "i", head, 8)
    (seconds,) = struct.unpack_from(endian + tv_fmt, head, tv_at)
    status, block_size, sub_blocks, bitmap_blocks = struct.unpack_from(
        endian + "IiII", head, status_at)
    found.values["crash_time"] = seconds
    found.values["page_compression"] = next(
        (name for bit, name in _PAGE_COMPRESSION if status & bit), "none")
    if status & DUMP_DH_COMPRESSED_INCOMPLETE:
        found.fail("dump-incomplete-flag",
                   "makedumpfile marked the dump incomplete (it could not write every page)")
    headers_end = (1 + sub_blocks + bitmap_blocks) * block_size
    if size is not None and size <= headers_end:
        found.fail("dump-shorter-than-headers",
                   f"{size} bytes, not more than its own headers ({headers_end})")
    elif size is None:
        found.cannot_tell("dump-end-unchecked",
                          "the end of the compressed file cannot be checked without reading it")
    # kdump_sub_header: phys_base (an unsigned long), dump_level, split, start_pfn, end_pfn,
    # then (version 3 and later) the VMCOREINFO offset and size.  The 32-bit layout of
    # those two depends on the ABI's alignment of off_t: only the dump level is read there.
    ulong = 8 if layout is _LAYOUT_64 else 4
    sub = read_at(block_size, 48)
    if len(sub) >= ulong + 4:
        (found.values["dump_level"],) = struct.unpack_from(endian + "i", sub, ulong)
    if layout is _LAYOUT_64 and header_version >= 3 and len(sub) >= 48:
        offset, length = struct.unpack_from(endian + "qQ", sub, 32)
        if offset > 0 and 0 < length <= _NOTE_LIMIT:
            _take_vmcoreinfo(read_at(offset, length).decode("utf-8", "replace"), found)


def _take_vmcoreinfo(text: str, found: _Findings) -> None:
    info = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    found.values["vmcoreinfo"] = info
    if info.get("OSRELEASE"):
        found.values.setdefault("release", info["OSRELEASE"])
    crash_time = info.get("CRASHTIME", "")
    if crash_time.isdigit():
        # the kernel's own clock at the crash beats makedumpfile's when it ran
        found.values["crash_time"] = int(crash_time)


# ---- flattened ----------------------------------------------------------------------

class _FlatImage:
    """The image a flattened stream rebuilds, read through its first records only."""

    def __init__(self, read_at: ReadAt, records: list[tuple[int, int, int]]) -> None:
        self._read_at = read_at
        self._records = records  # (image offset, size, file position of the data)

    def __call__(self, offset: int, length: int) -> bytes:
        out = bytearray()
        pos = offset
        while len(out) < length:
            piece = b""
            for start, size, at in self._records:
                if start <= pos < start + size:
                    piece = self._read_at(at + pos - start,
                                          min(length - len(out), start + size - pos))
                    break
            if not piece:
                break
            out += piece
            pos += len(piece)
        return bytes(out)


def _read_flattened(read_at: ReadAt, size: int | None, found: _Findings) -> None:
    records: list[tuple[int, int, int]] = []
    pos = _FLAT_HEADER_SIZE
    ended = False
    failed_before = len(found.failed)
    while len(records) < _FLAT_RECORD_LIMIT:
        raw = read_at(pos, 16)
        if len(raw) < 16:
            if size is not None:
                found.fail("dump-flattened-truncated",
                           "the flattened stream ends without its end marker")
            break
        if raw == _FLAT_END:
            ended = True
            if size is not None and pos + 16 != size:
                found.fail("dump-flattened-trailing",
                           f"{size - pos - 16} bytes after the flattened end marker")
            break
        offset, length = struct.unpack(">qq", raw)
        if offset < 0 or length < 0:
            found.fail("dump-flattened-corrupt",
                       f"flattened record at byte {pos} says ({offset}, {length})")
            break
        if size is not None and pos + 16 + length > size:
            found.fail("dump-flattened-truncated",
                       f"the flattened stream ends inside the record at byte {pos}")
            break
        records.append((offset, length, pos + 16))
        pos += 16 + length
    if not records or records[0][0] != 0:
        if len(found.failed) == failed_before:
            found.fail("dump-flattened-corrupt", "the first flattened record is not the header")
        return
    # cut short or corrupt further on, the headers still say whose dump it is
    if len(found.failed) == failed_before and not ended:
        if size is None:
            found.cannot_tell("dump-end-unchecked",
                              "the end of the compressed file cannot be checked without "
                              "reading it")
        elif read_at(size - 16, 16) != _FLAT_END:
            found.fail("dump-flattened-truncated",
                       "the flattened stream ends without its end marker")
    image = _FlatImage(read_at, records)
    inner = _Findings()
    head = image(0, 16)
    # The image's size is not the stream's: the end marker above judged the end, so
    # what the inner reader could not check for want of a size is dropped.
    if head.startswith(KDUMP_SIGNATURE):
        found.values["inner"] = "kdump-compressed"
        _read_kdump(image, None, inner)
    elif head.startswith(ELF_MAGIC):
        found.values["inner"] = "elf"
        _read_elf(image, None, inner)
    else:
        found.fail("dump-format-unknown", "the flattened records hold neither KDUMP nor ELF")
        return
    inner.values.pop("elf_end", None)
    found.values.update(inner.values)
    found.failed += inner.failed


# ---- ELF ----------------------------------------------------------------------------

def _read_elf(read_at: ReadAt, size: int | None, found: _Findings) -> None:
    ident = read_at(0, 64)
    if len(ident) < 52 or ident[4] not in (1, 2) or ident[5] not in (1, 2):
        found.fail("dump-elf-short", "the ELF header is cut short or malformed")
        return
    endian = "<" if ident[5] == 1 else ">"
    wide = ident[4] == 2
    (e_machine,) = struct.unpack_from(endian + "H", ident, 18)
    if wide:
        (phoff,) = struct.unpack_from(endian + "Q", ident, 32)
        phentsize, phnum = struct.unpack_from(endian + "HH", ident, 54)
        ph_fmt, ph_fields = endian + "IIQQQQ", (0, 2, 5)  # type, offset, filesz
    else:
        (phoff,) = struct.unpack_from(endian + "I", ident, 28)
        phentsize, phnum = struct.unpack_from(endian + "HH", ident, 42)
        ph_fmt, ph_fields = endian + "IIIIII", (0, 1, 4)
    machine = _ELF_MACHINES.get(e_machine)
    if e_machine == _EM_PPC64:
        machine = "ppc64le" if endian == "<" else "ppc64"
    if machine:
        found.values["machine"] = machine
    table = read_at(phoff, phentsize * phnum) if phentsize >= struct.calcsize(ph_fmt) else b""
    if phnum == 0 or len(table) < phentsize * phnum:
        found.fail("dump-elf-short", "the ELF program headers are cut short or missing")
        return
    loads = 0
    end = 0
    notes: list[tuple[int, int]] = []
    for i in range(phnum):
        fields = struct.unpack_from(ph_fmt, table, i * phentsize)
        p_type, p_offset, p_filesz = (fields[k] for k in ph_fields)
        if p_type == _PT_LOAD:
            loads += 1
            end = max(end, p_offset + p_filesz)
        elif p_type == _PT_NOTE:
            notes.append((p_offset, p_filesz))
    if not loads:
        found.fail("dump-elf-no-memory", "the ELF core has no PT_LOAD segment")
    elif size is not None and end > size:
        found.fail("dump-elf-truncated",
                   f"memory segments end at byte {end}, the file at {size}")
    elif size is None:
        found.values["elf_end"] = end
        found.cannot_tell("dump-end-unchecked",
                          "the end of the compressed file cannot be checked without reading it")
    text = _vmcoreinfo_note(read_at, endian, notes)
    if text:
        _take_vmcoreinfo(text, found)


def _vmcoreinfo_note(read_at: ReadAt, endian: str, notes: list[tuple[int, int]]) -> str:
    for offset, length in notes:
        data = read_at(offset, min(length, _NOTE_LIMIT))
        pos = 0
        while pos + 12 <= len(data):
            namesz, descsz, _ = struct.unpack_from(endian + "III", data, pos)
            name_end = pos + 12 + namesz
            desc_at = name_end + (-namesz % 4)
            if data[pos + 12:name_end].rstrip(b"\0") == b"VMCOREINFO":
                return data[desc_at:desc_at + descsz].decode("utf-8", "replace")
            pos = desc_at + descsz + (-descsz % 4)
    return ""


# ---- compressed wrappers ------------------------------------------------------------

def _wrapper_of(head: bytes) -> str:
    for magic, name in ((_GZIP_MAGIC, "gzip"), (_BZIP2_MAGIC, "bzip2"), (_XZ_MAGIC, "xz"),
                        (_LZ4_FRAME_MAGIC, "lz4"), (_LZ4_LEGACY_MAGIC, "lz4")):
        if head.startswith(magic):
            return name
    return ""


_CHUNK = 64 << 10


def _decompressed_prefix(wrapper: str, read_at: _Budget, size: int, found: _Findings) -> bytes:
    """The first ``_INFLATE_LIMIT`` bytes inside the wrapper, and the wrapper's own end
    checked where its format allows it without reading the middle."""
    if wrapper == "lz4":
        return _lz4_prefix(read_at, size, found)
    if wrapper == "xz":
        _check_xz_footer(read_at, size, found)
    decompressor: zlib._Decompress | bz2.BZ2Decompressor | lzma.LZMADecompressor
    if wrapper == "gzip":
        decompressor = zlib.decompressobj(wbits=31)
    elif wrapper == "bzip2":
        decompressor = bz2.BZ2Decompressor()
    else:
        decompressor = lzma.LZMADecompressor()
    out = bytearray()
    pos = 0
    try:
        # what stays in the budget is for the trailer read below
        while len(out) < _INFLATE_LIMIT and pos < size and read_at.left > 64:
            chunk = read_at(pos, min(_CHUNK, size - pos, read_at.left - 64))
            if not chunk:
                break
            pos += len(chunk)
            out += decompressor.decompress(chunk, _INFLATE_LIMIT - len(out))
            if getattr(decompressor, "eof", False):
                break
    except (OSError, EOFError, ValueError, lzma.LZMAError, zlib.error) as err:
        found.fail("dump-wrapper-corrupt", f"the {wrapper} stream does not decompress: {err}")
    if wrapper == "gzip" and size >= 18:
        found.values["gzip_isize"] = struct.unpack("<I", read_at(size - 4, 4))[0]
    return bytes(out)


def _check_gzip_length(found: _Findings) -> None:
    """gzip's trailer holds the uncompressed length modulo 2**32, and an ELF core ends
    with its last memory segment: the two agree only when the whole core is there."""
    isize, end = found.values.get("gzip_isize"), found.values.get("elf_end")
    if not isinstance(isize, int) or not isinstance(end, int):
        return
    found.unchecked = [p for p in found.unchecked if p.code != "dump-end-unchecked"]
    if end % (1 << 32) != isize:
        found.fail("dump-wrapper-truncated",
                   "the gzip stream's recorded length is not the ELF core's (cut short)")


def _check_xz_footer(read_at: ReadAt, size: int, found: _Findings) -> None:
    """An xz file ends with a 12-byte stream footer: CRC32 of the next 6 bytes, then "YZ";
    a file cut short ends anywhere else."""
    footer = read_at(size - 12, 12) if size >= 24 else b""
    if len(footer) != 12 or footer[10:] != b"YZ" \
            or struct.unpack("<I", footer[:4])[0] != binascii.crc32(footer[4:10]):
        found.fail("dump-wrapper-truncated", "the xz stream has no end (the file is cut short)")


def _lz4_prefix(read_at: _Budget, size: int, found: _Findings) -> bytes:
    """LZ4 is not in the standard library: walk the block headers to the end mark (a few
    bytes per 4 MiB block) and decode the first block's sequences in Python."""
    head = read_at(0, 15)
    legacy = head.startswith(_LZ4_LEGACY_MAGIC)
    if legacy:
        pos, checksum, block_checksum = 4, 0, 0
    else:
        if len(head) < 7 or head[4] >> 6 != 1:
            found.fail("dump-wrapper-corrupt", "the lz4 frame header is not version 1")
            return b""
        flags = head[4]
        block_checksum = 4 if flags & 0x10 else 0
        checksum = 4 if flags & 0x04 else 0
        pos = 4 + 2 + (8 if flags & 0x08 else 0) + (4 if flags & 0x01 else 0) + 1
    first = b""
    ended = False
    while pos + 4 <= size:
        raw = read_at(pos, 4)
        if len(raw) < 4:
            break
        (word,) = struct.unpack("<I", raw)
        if legacy and word == 0x184C2102:  # a concatenated legacy stream
            pos += 4
            continue
        if not legacy and word == 0:
            ended = pos + 4 + checksum == size
            break
        length = word & 0x7FFFFFFF
        if not first:
            data = read_at(pos + 4, min(length, read_at.left // 2))
            first = data if word & 0x80000000 and not legacy else _lz4_block(data)
        pos += 4 + length + block_checksum
        if legacy and pos == size:
            ended = True
            break
    if not ended:
        found.fail("dump-wrapper-truncated", "the lz4 stream has no end (the file is cut short)")
    return first[:_INFLATE_LIMIT]


def _lz4_block(data: bytes) -> bytes:
    """Decode an LZ4 block's sequences until ``_INFLATE_LIMIT`` bytes are out (or the
    input, possibly cut by the read budget, ends)."""
    out = bytearray()
    i = 0
    n = len(data)
    while i < n and len(out) < _INFLATE_LIMIT:
        token = data[i]
        i += 1
        literals = token >> 4
        if literals == 15:
            while i < n:
                literals += data[i]
                i += 1
                if data[i - 1] != 255:
                    break
        out += data[i:i + literals]
        i += literals
        if i + 2 > n:
            break
        distance = data[i] | data[i + 1] << 8
        i += 2
        match = (token & 15) + 4
        if match == 19:
            while i < n:
                match += data[i]
                i += 1
                if data[i - 1] != 255:
                    break
        if distance == 0 or distance > len(out):
            break
        start = len(out) - distance
        for k in range(match):  # overlapping copies repeat the pattern
            out.append(out[start + k])
    return bytes(out)

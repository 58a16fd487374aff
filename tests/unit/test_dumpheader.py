"""kdump.dumpheader: the guests' real dump headers (tests/unit/crashdata/dumps), rebuilt into
each format and wrapper savecore writes, cut short, flagged incomplete, grown sparse to
many GiB, read through a counter of every byte read."""

from __future__ import annotations

import bz2
import glob
import gzip
import lzma
import os
import re
import struct
import sys
from pathlib import Path
from typing import BinaryIO

import pytest

from kdump import dumpheader
from kdump.crashsig import crash_signature
from kdump.dumpheader import READ_BUDGET, DumpHeader, file_reader, read_dump_header

DATA = Path(__file__).resolve().parent / "crashdata"
DUMPS = DATA / "dumps"
END = struct.pack(">qq", -1, -1)
GIB = 1 << 30


class Counted:
    """A read_at over an open file that counts what the reader asked for."""

    def __init__(self, f: BinaryIO) -> None:
        self.read_at = file_reader(f)
        self.bytes = 0
        self.calls = 0

    def __call__(self, offset: int, length: int) -> bytes:
        data = self.read_at(offset, length)
        self.bytes += len(data)
        self.calls += 1
        return data


def look(path: Path) -> tuple[DumpHeader, Counted]:
    with open(path, "rb") as f:
        counted = Counted(f)
        header = read_dump_header(counted, os.fstat(f.fileno()).st_size)
    assert counted.bytes <= READ_BUDGET
    assert {p.code for p in header.problems} <= set(dumpheader.PROBLEM_CODES)
    return header, counted


def write(path: Path, data: bytes, size: int | None = None) -> Path:
    with open(path, "wb") as f:
        f.write(data)
        if size is not None:
            f.truncate(size)  # sparse: the page data is never read
    return path


def head(name: str) -> bytes:
    return (DUMPS / name).read_bytes()


def records(flat: bytes) -> list[tuple[int, bytes]]:
    out, pos = [], 4096
    while pos + 16 <= len(flat):
        offset, size = struct.unpack_from(">qq", flat, pos)
        if offset == -1:
            break
        out.append((offset, flat[pos + 16:pos + 16 + size]))
        pos += 16 + size
    return out


def unflatten(flat: bytes) -> bytes:
    """The kdump-compressed image the records rebuild (what makedumpfile writes without -F)."""
    image = bytearray()
    for offset, data in records(flat):
        image[len(image):offset] = bytes(max(0, offset - len(image)))
        image[offset:offset + len(data)] = data
    return bytes(image)


def release_in_log(name: str) -> str | None:
    s = crash_signature((DATA / "dmesg" / name).read_text(errors="replace"))
    return s.release if s else None


FLAT = [
    ("x86_64-6.1-flat.head", "x86_64-6.1-sysrq.dmesg", "x86_64", "kdump-e2e", "lzo",
     1796695095),
    ("ppc64el-6.1-flat.head", "ppc64el-6.1-sysrq.dmesg", "ppc64le", "kdump-e2e", "lzo",
     1796695155),
    ("x86_64-6.12-flat.head", "x86_64-6.12-sysrq.dmesg", "x86_64", "kdump-systemd", "zlib",
     1796695860),
]


@pytest.mark.parametrize(("name", "log", "machine", "host", "pages", "crash_time"), FLAT)
def test_the_guests_flattened_dumps(tmp_path: Path, name: str, log: str, machine: str,
                                    host: str, pages: str, crash_time: int) -> None:
    h, counted = look(write(tmp_path / "dump", head(name) + END))
    assert (h.format, h.inner, h.wrapper, h.complete, h.problems) == (
        "flattened", "kdump-compressed", "", True, ())
    assert h.release == release_in_log(log) == h.vmcoreinfo["OSRELEASE"]
    assert (h.machine, h.hostname, h.dump_level, h.page_compression, h.crash_time) == (
        machine, host, 31, pages, crash_time)
    assert counted.bytes < 16 << 10


@pytest.mark.parametrize(("name", "log", "machine", "host", "pages", "crash_time"), FLAT)
def test_the_same_dumps_kdump_compressed(tmp_path: Path, name: str, log: str, machine: str,
                                         host: str, pages: str, crash_time: int) -> None:
    image = unflatten(head(name))
    block = struct.unpack_from("<i", image, 428)[0]
    sub_blocks, bitmap_blocks = struct.unpack_from("<II", image, 432)
    headers_end = (1 + sub_blocks + bitmap_blocks) * block
    h, _ = look(write(tmp_path / "dump", image, 8 * GIB))
    assert (h.format, h.inner, h.complete) == ("kdump-compressed", "", True)
    assert (h.release, h.machine, h.dump_level, h.crash_time) == (
        release_in_log(log), machine, 31, crash_time)
    short, _ = look(write(tmp_path / "short", image, headers_end))
    assert short.complete is False
    assert [p.code for p in short.problems] == ["dump-shorter-than-headers"]


def set_incomplete(kdump_header: bytearray, at: int) -> None:
    (status,) = struct.unpack_from("<I", kdump_header, at + 424)
    struct.pack_into("<I", kdump_header, at + 424, status | 0x8)


def test_the_incomplete_flag_in_either_format(tmp_path: Path) -> None:
    flat = bytearray(head("x86_64-6.1-flat.head") + END)
    set_incomplete(flat, 4096 + 16)  # the first record's data is the kdump header
    h, _ = look(write(tmp_path / "flat", bytes(flat)))
    assert h.complete is False and [p.code for p in h.problems] == ["dump-incomplete-flag"]
    assert h.release == "6.1.0-57-amd64"
    image = bytearray(unflatten(head("x86_64-6.1-flat.head")))
    set_incomplete(image, 0)
    h, _ = look(write(tmp_path / "kdump", bytes(image), GIB))
    assert h.complete is False and [p.code for p in h.problems] == ["dump-incomplete-flag"]
    assert "incomplete" in h.reason


def test_a_flattened_stream_cut_short(tmp_path: Path) -> None:
    flat = head("x86_64-6.1-flat.head")
    for data, size in ((flat, None), (flat + bytes(16 * 70), None), (flat[:6000], None),
                       (flat + END[:8], None), (flat, 4 * GIB)):
        h, _ = look(write(tmp_path / "dump", data, size))
        assert h.complete is False, (len(data), size)
        assert h.problems[0].code in ("dump-flattened-truncated", "dump-flattened-corrupt")
        if len(data) > 4096 + 16 + 464:
            assert h.release == "6.1.0-57-amd64"  # whose dump it was is still known


def test_a_flattened_stream_cut_inside_a_record(tmp_path: Path) -> None:
    h, _ = look(write(tmp_path / "dump", head("x86_64-6.1-flat.head")[:6000]))
    assert h.complete is False and h.problems[0].code == "dump-flattened-truncated"
    assert "inside the record at byte 4576" in h.reason


def test_data_after_the_end_marker(tmp_path: Path) -> None:
    h, _ = look(write(tmp_path / "dump", head("x86_64-6.1-flat.head") + END + b"junk"))
    assert h.complete is False and h.problems[0].code == "dump-flattened-trailing"


def test_a_flattened_dump_grown_to_many_gib_reads_only_its_headers(tmp_path: Path) -> None:
    """Records follow each other up to the end marker: the reader indexes the first ones
    and checks that the file ends with the marker, without walking the rest."""
    flat = head("x86_64-6.1-flat.head")
    filler = struct.pack(">qq", 1 << 20, 61440) + bytes(61440)
    path = tmp_path / "dump"
    with open(path, "wb") as f:
        f.write(flat)
        for _ in range(80):
            f.write(filler)
        f.truncate(8 * GIB - 16)
        f.seek(0, 2)
        f.write(END)
    h, counted = look(path)
    assert h.complete is True and h.release == "6.1.0-57-amd64"
    assert counted.bytes < 16 << 10 and counted.calls < 100


ARM64_SIZE = 575741952  # the arm64 guest's vmcore.STAMP


def test_the_arm64_guests_elf_core(tmp_path: Path) -> None:
    h, counted = look(write(tmp_path / "vmcore", head("arm64-6.12-elf.head"), ARM64_SIZE))
    assert (h.format, h.complete, h.machine, h.crash_time) == ("elf", True, "aarch64",
                                                               1796695233)
    assert h.release == release_in_log("arm64-6.12-sysrq.console") == "6.12.118+deb13-arm64"
    assert h.dump_level is None and counted.bytes < 16 << 10
    cut, _ = look(write(tmp_path / "cut", head("arm64-6.12-elf.head"), ARM64_SIZE - 1))
    assert cut.complete is False and [p.code for p in cut.problems] == ["dump-elf-truncated"]
    assert cut.release == "6.12.118+deb13-arm64"


def elf(endian: str, machine: int, loads: list[tuple[int, int]], info: str) -> bytes:
    """An ELF64 core header: PT_NOTE with a VMCOREINFO note, then the PT_LOADs."""
    name, desc = b"VMCOREINFO\0\0", info.encode()
    note = struct.pack(endian + "III", 11, len(desc), 0) + name + desc + bytes(-len(desc) % 4)
    phnum = 1 + len(loads)
    note_at = 64 + 56 * phnum
    ident = b"\x7fELF" + bytes([2, 1 if endian == "<" else 2, 1]) + bytes(9)
    out = ident + struct.pack(endian + "HHIQQQIHHHHHH", 4, machine, 1, 0, 64, 0, 0, 64, 56,
                              phnum, 0, 0, 0)
    out += struct.pack(endian + "IIQQQQQQ", 4, 0, note_at, 0, 0, len(note), len(note), 0)
    for offset, size in loads:
        out += struct.pack(endian + "IIQQQQQQ", 1, 7, offset, 0, 0, size, size, 0)
    return out + note


def test_big_endian_elf_cores(tmp_path: Path) -> None:
    data = elf(">", 21, [(4096, GIB)], "OSRELEASE=6.1.0-57-powerpc64\nCRASHTIME=1700000000\n")
    h, _ = look(write(tmp_path / "vmcore", data, 4096 + GIB))
    assert (h.complete, h.machine, h.release, h.crash_time) == (
        True, "ppc64", "6.1.0-57-powerpc64", 1700000000)
    none = elf("<", 62, [], "OSRELEASE=6.1.0-57-amd64\n")
    h, _ = look(write(tmp_path / "noload", none, 8192))
    assert h.complete is False and h.problems[0].code == "dump-elf-no-memory"


def test_a_big_endian_kdump_header(tmp_path: Path) -> None:
    """s390x writes the kdump-compressed headers big-endian."""
    uts = b"".join(s.ljust(65, b"\0") for s in (b"Linux", b"zhost", b"6.1.0-57-s390x",
                                                 b"#1 SMP Debian", b"s390x", b"(none)"))
    main = b"KDUMP   " + struct.pack(">i", 6) + uts + bytes(6) + struct.pack(">qq", 1700, 0)
    main += struct.pack(">IiIIIIIIIi", 0x1, 4096, 1, 2, 0, 0, 0, 0, 0, 1)
    info = b"OSRELEASE=6.1.0-57-s390x\n"
    sub = struct.pack(">QiiQQqQqQqQQQQ", 0, 17, 0, 0, 0, 4096 + 104, len(info), 0, 0, 0, 0, 0,
                      0, 0)
    image = main.ljust(4096, b"\0") + sub + info
    h, _ = look(write(tmp_path / "dump", image, 5 * 4096))
    assert (h.complete, h.release, h.machine, h.hostname, h.dump_level, h.page_compression,
            h.crash_time) == (True, "6.1.0-57-s390x", "s390x", "zhost", 17, "zlib", 1700)


def test_a_32_bit_kdump_header(tmp_path: Path) -> None:
    """i386 and armhf makedumpfile: a 4-byte timeval moves the status word to 412.  The
    maximum page number at 428 there is often a power of two, so the machine picks the
    layout tried first."""
    uts = b"".join(s.ljust(65, b"\0") for s in (b"Linux", b"box", b"6.1.0-57-686-pae",
                                                 b"#1 SMP Debian", b"i686", b"(none)"))
    main = b"KDUMP   " + struct.pack("<i", 6) + uts + bytes(2) + struct.pack("<ii", 1700, 0)
    main += struct.pack("<IiIIIIIIIi", 0x8 | 0x2, 4096, 1, 2, 262144, 0, 0, 0, 0, 1)
    sub = struct.pack("<Ii", 0, 23)
    image = main.ljust(4096, b"\0") + sub
    h, _ = look(write(tmp_path / "dump", image, 64 * 4096))
    assert (h.release, h.machine, h.dump_level, h.page_compression, h.crash_time) == (
        "6.1.0-57-686-pae", "i686", 23, "lzo", 1700)
    assert h.complete is False and [p.code for p in h.problems] == ["dump-incomplete-flag"]


COMPLETE_FLAT = head("x86_64-6.1-flat.head") + END
COMPRESSORS = {
    "gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress,
}


@pytest.mark.parametrize("wrapper", sorted(COMPRESSORS))
def test_compressed_dumps_are_read_through(tmp_path: Path, wrapper: str) -> None:
    h, _ = look(write(tmp_path / "dump", COMPRESSORS[wrapper](COMPLETE_FLAT)))
    assert (h.wrapper, h.format, h.inner, h.release, h.dump_level, h.complete) == (
        wrapper, "flattened", "kdump-compressed", "6.1.0-57-amd64", 31, True)


@pytest.mark.parametrize("wrapper", sorted(COMPRESSORS))
def test_a_compressed_dump_longer_than_the_prefix_read(tmp_path: Path, wrapper: str) -> None:
    """Only a bounded prefix is decompressed: past it, the end marker cannot be seen."""
    page_data = os.urandom(300 << 10)
    flat = head("x86_64-6.1-flat.head") + b"".join(
        struct.pack(">qq", (1 << 20) + i * len(page_data), len(page_data)) + page_data
        for i in range(3)) + END
    h, counted = look(write(tmp_path / "dump", COMPRESSORS[wrapper](flat)))
    assert (h.release, h.dump_level, h.complete) == ("6.1.0-57-amd64", 31, None)
    assert [p.code for p in h.problems] == ["dump-end-unchecked"]
    assert counted.bytes <= READ_BUDGET


def test_an_xz_dump_cut_short(tmp_path: Path) -> None:
    data = lzma.compress(COMPLETE_FLAT)
    h, _ = look(write(tmp_path / "dump.xz", data[:-1]))
    assert h.complete is False and h.problems[0].code == "dump-wrapper-truncated"
    assert h.release == "6.1.0-57-amd64"


def test_a_gzip_elf_core_is_checked_by_its_recorded_length(tmp_path: Path) -> None:
    core = elf("<", 62, [(4096, 200 << 10)], "OSRELEASE=6.1.0-57-amd64\n").ljust(4096, b"\0")
    core += os.urandom(200 << 10)
    data = gzip.compress(core)
    h, _ = look(write(tmp_path / "vmcore.gz", data))
    assert (h.wrapper, h.format, h.complete, h.release) == ("gzip", "elf", True,
                                                           "6.1.0-57-amd64")
    h, _ = look(write(tmp_path / "cut.gz", data[:len(data) * 2 // 3]))
    assert h.complete is False and h.problems[0].code == "dump-wrapper-truncated"


@pytest.mark.parametrize("name", ["x86_64-6.1-flat.lz4", "x86_64-6.1-flat.legacy.lz4"])
def test_lz4_dumps(tmp_path: Path, name: str) -> None:
    data = (DUMPS / name).read_bytes()
    h, _ = look(write(tmp_path / "dump.lz4", data))
    assert (h.wrapper, h.inner, h.release, h.dump_level, h.complete) == (
        "lz4", "kdump-compressed", "6.1.0-57-amd64", 31, True)
    h, _ = look(write(tmp_path / "cut.lz4", data[:-5]))
    assert h.complete is False and h.problems[0].code == "dump-wrapper-truncated"


def test_what_is_no_dump(tmp_path: Path) -> None:
    h, _ = look(write(tmp_path / "empty", b""))
    assert (h.format, h.complete, h.problems[0].code) == ("unknown", False, "dump-empty")
    h, _ = look(write(tmp_path / "text", b"hello, world\n" * 100))
    assert (h.format, h.complete, h.problems[0].code) == ("unknown", False,
                                                          "dump-format-unknown")
    h, _ = look(write(tmp_path / "cut", head("x86_64-6.1-flat.head")[:4096 + 16 + 100]))
    assert h.complete is False


def test_headers_that_would_need_more_than_the_budget_are_not_read(tmp_path: Path) -> None:
    """65535 program headers are 3.5 MiB: the look stops at the budget and says it
    cannot tell, rather than reading on or calling the dump truncated."""
    data = bytearray(elf("<", 62, [(4096, 4096)], "OSRELEASE=6.1.0-57-amd64\n"))
    struct.pack_into("<H", data, 56, 0xFFFF)
    h, counted = look(write(tmp_path / "vmcore", bytes(data), 8 << 20))
    assert h.complete is None and [p.code for p in h.problems] == ["dump-read-budget"]
    assert h.format == "elf" and counted.bytes <= READ_BUDGET


# The QEMU guests' own dumps, when a run of tests/e2e left them on this machine. CI runs
# pytest before the guests, so there the fixtures above carry the proof.
REAL = sorted(glob.glob("/tmp/kdump-e2e/*/crash/*/dump.*")
              + glob.glob("/tmp/kdump-e2e/*/crash/*/vmcore.*")
              + glob.glob("/tmp/kdump-systemd/crash/crash/*/dump.*"))


@pytest.mark.skipif(not REAL, reason="no dump from a tests/e2e guest run on this machine")
@pytest.mark.parametrize("path", REAL)
def test_the_guests_full_dumps(path: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
    from harness.dumpfile import check_dump_file  # type: ignore[import-not-found]

    h, counted = look(Path(path))
    assert h.complete is True and h.release and h.machine
    assert check_dump_file(Path(path), h.release, h.machine) == []
    assert counted.bytes < 64 << 10


def test_every_problem_code_the_reader_can_give_is_listed() -> None:
    source = Path(dumpheader.__file__).read_text()
    used = set(re.findall(r'(?:fail|cannot_tell)\(\s*"([a-z0-9-]+)"', source))
    assert used == set(dumpheader.PROBLEM_CODES)

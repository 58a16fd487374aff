"""The simulated compressors gzip, bzip2, xz and lz4 (an LZ4 frame writer in pure Python,
as the standard library has none).  Faults: sim/faults.py."""

from __future__ import annotations

import bz2
import gzip as gzip_mod
import lzma
import struct
from collections.abc import Callable

from sim.tools import Call, Outcome, Tool


# -- compressors -------------------------------------------------------------------------------
def _xxh32(data: bytes, seed: int = 0) -> int:
    """xxHash32: the lz4 frame format's header checksum."""
    p1, p2, p3, p4, p5, mask = 2654435761, 2246822519, 3266489917, 668265263, 374761393, 0xFFFFFFFF

    def rotl(value: int, bits: int) -> int:
        return ((value << bits) | (value >> (32 - bits))) & mask

    index, length = 0, len(data)
    if length >= 16:
        lanes = [(seed + p1 + p2) & mask, (seed + p2) & mask, seed & mask, (seed - p1) & mask]
        while index + 16 <= length:
            for lane in range(4):
                word = int.from_bytes(data[index:index + 4], "little")
                lanes[lane] = (rotl((lanes[lane] + word * p2) & mask, 13) * p1) & mask
                index += 4
        digest = (rotl(lanes[0], 1) + rotl(lanes[1], 7) + rotl(lanes[2], 12)
                  + rotl(lanes[3], 18)) & mask
    else:
        digest = (seed + p5) & mask
    digest = (digest + length) & mask
    while index + 4 <= length:
        word = int.from_bytes(data[index:index + 4], "little")
        digest = (rotl((digest + word * p3) & mask, 17) * p4) & mask
        index += 4
    while index < length:
        digest = (rotl((digest + data[index] * p5) & mask, 11) * p1) & mask
        index += 1
    digest ^= digest >> 15
    digest = (digest * p2) & mask
    digest ^= digest >> 13
    digest = (digest * p3) & mask
    return digest ^ (digest >> 16)


def lz4_frame(data: bytes) -> bytes:
    """A valid LZ4 frame whose blocks are stored uncompressed (``lz4 -d`` reads it)."""
    descriptor = bytes([0x60, 0x70])  # version 1, independent blocks; 4 MiB blocks
    out = [b"\x04\x22\x4d\x18", descriptor, bytes([(_xxh32(descriptor) >> 8) & 0xFF])]
    block = 4 << 20
    for start in range(0, len(data), block):
        chunk = data[start:start + block]
        out += [struct.pack("<I", len(chunk) | 0x80000000), chunk]
    out.append(b"\0\0\0\0")
    return b"".join(out)


def _compressor(name: str, compress: Callable[[bytes], bytes]) -> Tool:
    def run(call: Call) -> Outcome:
        armed = call.machine.fault("compressor")
        if armed is True or armed == name:
            return Outcome(1, b"", f"{name}: (stdout): write error: Broken pipe\n")
        if "-c" not in call.args and "--stdout" not in call.args:
            return Outcome(1, b"", f"{name}: only -c (stdin to stdout) is simulated\n")
        return Outcome(0, compress(call.stdin))

    return run


gzip = _compressor("gzip", lambda data: gzip_mod.compress(data, mtime=0))
bzip2 = _compressor("bzip2", bz2.compress)
xz = _compressor("xz", lambda data: lzma.compress(data, format=lzma.FORMAT_XZ))
lz4 = _compressor("lz4", lz4_frame)

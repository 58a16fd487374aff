"""The journal's native protocol on the wire, byte by byte.

A field whose value holds a newline is sent as ``NAME\\n``, the value's length in
*bytes* as a little-endian 64-bit integer, the bytes, and ``\\n`` (systemd's "Native
Journal Protocol").  journald reads exactly that many bytes: a length counted in
characters cuts a non-ASCII value short and desynchronises every field after it.  The
expected datagrams here are built by hand, never with backends.journald itself.
"""

from __future__ import annotations

import struct

import pytest

from backends import journald


def _framed(name: str, data: bytes) -> bytes:
    return name.encode() + b"\n" + struct.pack("<Q", len(data)) + data + b"\n"


@pytest.mark.parametrize("value", [
    "vmcore gespeichert in\n/var/crash/202401010000 – größe 1 GiB",  # Latin, a dash: 2-3 bytes
    "ダンプ\n保存",                                                   # 3 bytes each
    "a\n\U0001f4a5",                                                 # 4 bytes
])
def test_a_multi_line_value_is_framed_with_its_utf8_byte_length(value: str) -> None:
    data = value.encode()
    assert len(data) > len(value)  # the example must tell bytes from characters

    assert journald.encode({"MESSAGE": value}) == _framed("MESSAGE", data)


def test_the_field_after_a_non_ascii_multi_line_one_stays_whole() -> None:
    value = "größe\nüber"
    datagram = journald.encode({"MESSAGE": value, "PRIORITY": "3"})

    assert datagram == _framed("MESSAGE", value.encode()) + b"PRIORITY=3\n"
    # What journald does with it: read the length, skip that many bytes and the newline.
    (size,) = struct.unpack("<Q", datagram[8:16])
    assert datagram[16 + size:] == b"\n" + b"PRIORITY=3\n"


def test_bytes_that_are_not_utf8_count_one_each() -> None:
    # A file name with a Latin-1 byte reaches a message as a surrogate; it goes out as the
    # byte it was, and counts as one.
    value = "caf\udce9\nsaved"
    assert journald.encode({"MESSAGE": value}) == _framed("MESSAGE", b"caf\xe9\nsaved")


def test_decode_reads_the_length_in_bytes_too() -> None:
    # The stand-in journals (tests, maintainer mode) read with decode: it must split a
    # datagram journald would split, built here by hand.
    value = "größe\nüber"
    datagram = _framed("MESSAGE", value.encode()) + b"KDUMP_CODE=vmcore-saved\n"

    assert journald.decode(datagram) == {"MESSAGE": value, "KDUMP_CODE": "vmcore-saved"}

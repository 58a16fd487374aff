"""systemd-journald's native protocol: structured fields in one AF_UNIX datagram.

No library needed: each field is ``NAME=value\\n``, or, for a value holding a newline,
``NAME\\n`` then the value's length as a little-endian 64-bit integer, the value and
``\\n`` (systemd's "Native Journal Protocol").  Used by backends/linux.py; the fields
come from kdump/logging.py.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Mapping

SOCKET = "/run/systemd/journal/socket"


def encode(fields: Mapping[str, str]) -> bytes:
    parts = []
    for name, value in fields.items():
        data = value.encode("utf-8", "surrogateescape")
        if b"\n" in data:
            parts.append(name.encode() + b"\n" + struct.pack("<Q", len(data)) + data + b"\n")
        else:
            parts.append(name.encode() + b"=" + data + b"\n")
    return b"".join(parts)


def decode(datagram: bytes) -> dict[str, str]:
    """The inverse of encode (for tests and stand-in journals)."""
    fields: dict[str, str] = {}
    rest = datagram
    while rest:
        line, sep, after = rest.partition(b"\n")
        if b"=" in line:
            name, _, value = line.partition(b"=")
            fields[name.decode()] = value.decode("utf-8", "surrogateescape")
            rest = after
            continue
        (size,) = struct.unpack("<Q", after[:8])
        fields[line.decode()] = after[8:8 + size].decode("utf-8", "surrogateescape")
        rest = after[8 + size + 1:]
    return fields


def send_datagram(address: str, data: bytes) -> bool:
    """One datagram (an ``encode``d entry, or a syslog line) to the AF_UNIX socket at
    ``address``; False when it could not be queued at once (no listener, a full queue, too
    large).

    Never waits: a journal whose queue is full (or that is stopped) costs one failed
    send, not a hung command (a reload that has already unloaded must go on to load).
    """
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.setblocking(False)
            sock.sendto(data, address)
    except OSError:
        return False
    return True

"""The simulated makedumpfile: a flattened (-F) KDUMP file from /proc/vmcore, and
--dump-dmesg.  Faults: sim/faults.py."""

from __future__ import annotations

import os
import struct
import zlib

from sim.kernel_files import DMESG_BEGIN, DMESG_END
from sim.tools import Call, Outcome, fires, split_options

# makedumpfile -F: a 4 KiB header carrying this signature, then (offset, size) blocks.
FLAT_SIGNATURE = b"makedumpfile"
FLAT_HEADER_SIZE = 4096
FLAT_TYPE, FLAT_VERSION, FLAT_END = 1, 1, -1
KDUMP_SIGNATURE = b"KDUMP   "
PAGE_BLOCK = 1 << 20
DEFAULT_SHORT = 4096


# -- makedumpfile ------------------------------------------------------------------------------
_MDF_VALUE_OPTIONS = {"-d", "--message-level", "-x", "-i", "--config", "--num-threads",
                      "--splitblock-size", "--cyclic-buffer", "-b"}


def makedumpfile(call: Call) -> Outcome:
    if call.args[:1] == ["--dump-dmesg"]:
        return _dump_dmesg(call, call.args[1:])
    options, positional = split_options(call.args, _MDF_VALUE_OPTIONS)
    flattened = "-F" in options
    if len(positional) != (1 if flattened else 2):
        return Outcome(1, b"", "makedumpfile: wrong number of arguments\n"
                               "Commandline parameter is invalid.\n")
    vmcore = call.files.host_path(positional[0])
    try:
        with open(vmcore, "rb") as handle:
            if handle.read(4) != b"\x7fELF":
                return Outcome(1, b"", f"makedumpfile: {positional[0]} is not an ELF core\n")
    except OSError as exc:
        return Outcome(1, b"", f"open_dump_memory: Can't open the dump memory"
                               f"({positional[0]}). {exc.strerror}\nmakedumpfile Failed.\n")
    if fires(call.machine, "makedumpfile"):
        return Outcome(1, b"", "readpage_elf: Can't read the dump memory.\nmakedumpfile Failed.\n")
    if fires(call.machine, "makedumpfile-empty"):
        return Outcome(0)
    body = _kdump_body(vmcore, compress="-c" in options, call=call)
    # The pieces are contiguous: joined, they are the file itself.
    data = _flatten(body) if flattened else b"".join(piece for _, piece in body)
    short = call.machine.fault("makedumpfile-short")
    if short:
        keep = short if isinstance(short, int) and short is not True else DEFAULT_SHORT
        return Outcome(1, data[:keep], "write_buffer: Can't write the dump file(-). "
                                       "No space left on device\nmakedumpfile Failed.\n")
    if flattened:
        return Outcome(0, data, "\nThe dumpfile is saved to STDOUT.\n\nmakedumpfile Completed.\n")
    return _create(call, positional[1], data, "The dumpfile is saved to")


def _kdump_body(vmcore: str, compress: bool, call: Call | None = None,
                ) -> list[tuple[int, bytes]]:
    """(offset, bytes) pieces of a kdump-compressed file: header, then the pages.

    As the real makedumpfile, it reports its progress on stderr while it copies: a
    ``Copying data`` line redrawn after a carriage return, ended by a newline.
    """
    header = KDUMP_SIGNATURE + struct.pack("<i", 6) + b"kdump-sim".ljust(56, b"\0")
    pieces = [(0, header.ljust(4096, b"\0"))]
    offset = 4096
    total = max(os.path.getsize(vmcore), 1)
    done, shown = 0, -1
    with open(vmcore, "rb") as handle:
        while block := handle.read(PAGE_BLOCK):
            data = zlib.compress(block, 1) if compress else block
            pieces.append((offset, data))
            offset += len(data)
            done += len(block)
            tenths = done * 1000 // total
            if call is not None and tenths // 10 != shown:  # at most once per percent
                shown = tenths // 10
                call.progress(_progress_line(tenths, len(pieces)))
    if call is not None:
        call.progress("\n")
    return pieces


_SPINNER = "/|\\-"


def _progress_line(tenths: int, step: int) -> str:
    """makedumpfile's progress indicator: label, percentage, spinner, estimate."""
    return (f"\r{'Copying data':<35}: [{tenths // 10:3d}.{tenths % 10} %] "
            f"{_SPINNER[step % 4]}  eta: 0s")


def _flatten(pieces: list[tuple[int, bytes]]) -> bytes:
    header = FLAT_SIGNATURE.ljust(16, b"\0") + struct.pack(">qq", FLAT_TYPE, FLAT_VERSION)
    out = [header.ljust(FLAT_HEADER_SIZE, b"\0")]
    for offset, data in pieces:
        out += [struct.pack(">qq", offset, len(data)), data]
    out.append(struct.pack(">qq", FLAT_END, FLAT_END))
    return b"".join(out)


def _create(call: Call, target: str, data: bytes, said: str) -> Outcome:
    """Write a new file as makedumpfile does: never over an existing one, mode 0600."""
    host = call.files.host_path(target, follow_last=False)  # O_EXCL: a link is a file
    try:
        fd = os.open(host, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        return Outcome(1, b"", f"open_dump_file: Can't open the dump file({target}). "
                               f"{exc.strerror}\nmakedumpfile Failed.\n")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return Outcome(0, f"{said} {target}.\n\nmakedumpfile Completed.\n".encode())


def _dump_dmesg(call: Call, args: list[str]) -> Outcome:
    if len(args) != 2:
        return Outcome(1, b"", "Commandline parameter is invalid.\n")
    if fires(call.machine, "dmesg"):
        return Outcome(1, b"", "dump_dmesg: Can't find the symbol of log_buf.\n"
                               "makedumpfile Failed.\n")
    if fires(call.machine, "dmesg-empty"):  # an empty log buffer, and a status that lies
        return _create(call, args[1], b"", "The dmesg log is saved to")
    try:
        with open(call.files.host_path(args[0]), "rb") as handle:
            head = handle.read(1 << 16)
    except OSError as exc:
        return Outcome(1, b"", f"open_dump_memory: Can't open the dump memory({args[0]}). "
                               f"{exc.strerror}\nmakedumpfile Failed.\n")
    begin, end = head.find(DMESG_BEGIN), head.find(DMESG_END)
    if begin < 0 or end < begin:
        return Outcome(1, b"", "dump_dmesg: Can't find the log buffer.\nmakedumpfile Failed.\n")
    text = head[begin + len(DMESG_BEGIN):end] + b"\n"
    return _create(call, args[1], text, "The dmesg log is saved to")

"""Pure decisions of savecore: dump names, retention, compression, FTP places.

The argv lists of the programs it runs are built in ``kdump.program_argv``.

Nothing here touches the machine; ``kdump.commands.savecore`` asks the Host for
facts, asks this module what to do, and does it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Collection, Iterable, Mapping, Sequence

from backends.record import Record

# Minute resolution, as the original: scripts and people find dumps by this name.
STAMP_FORMAT = "%Y%m%d%H%M"
# A local dump directory: the stamp, or the stamp and a rerun counter (an existing dump
# is never overwritten).
_DUMP_DIR = re.compile(r"([0-9]{12})(?:-([0-9]{1,9}))?")


def stamp(now: dt.datetime) -> str:
    return now.strftime(STAMP_FORMAT)


def dump_dir_name(stamp_text: str, prefix: str = "") -> str:
    """``STAMP`` locally, ``PREFIX-STAMP`` when a remote target is configured."""
    return f"{prefix}-{stamp_text}" if prefix else stamp_text


def unique_name(base: str, taken: Collection[str]) -> str:
    """``base``, else ``base-1``, ``base-2`` ...: a same-minute rerun never reuses a dump."""
    if base not in taken:
        return base
    counter = 1
    while f"{base}-{counter}" in taken:
        counter += 1
    return f"{base}-{counter}"


def dump_dir_key(name: str) -> tuple[str, int] | None:
    """Sort key (stamp, rerun) of a local dump directory name, None for anything else."""
    match = _DUMP_DIR.fullmatch(name)
    if match is None:
        return None
    return match.group(1), int(match.group(2) or 0)


def dump_file_names(stamp_text: str) -> frozenset[str]:
    """The names a complete dump gets from savecore: ``dump.STAMP[.ext]``, ``vmcore.STAMP``.

    ``-incomplete`` files and the kernel log (``dmesg.STAMP``) are no dump.
    """
    dumps = {f"dump.{stamp_text}{c.extension}" for c in COMPRESSIONS.values()}
    return frozenset({f"dump.{stamp_text}", f"vmcore.{stamp_text}", *dumps})


def holds_dump(dir_name: str, files: Iterable[str]) -> bool:
    """A local dump directory that holds a complete dump of its own stamp."""
    key = dump_dir_key(dir_name)
    if key is None:
        return False
    return not dump_file_names(key[0]).isdisjoint(files)


def retention_victims(dump_dirs: Mapping[str, Iterable[str]], keep: int,
                      current: str) -> list[str]:
    """Dump directories to delete, oldest first, so that at most ``keep`` dumps remain.

    ``dump_dirs`` maps each directory of KDUMP_COREDIR to the files it holds.  Only a
    directory named by a dump stamp that holds the complete dump savecore writes
    there counts, and only such a directory is ever a victim (never the dump just written): a user's
    ``2099...`` directory, a failed attempt's leftovers (a kernel log, an
    ``-incomplete`` file), a host-prefixed directory are neither counted nor touched.
    The dump just written counts, and is never a victim, even when a clock step
    makes it look older than the others.  (savecore streams its directory into a
    Retention instead: this is the same decision over a whole listing.)
    """
    retention = Retention(keep, current)
    for name, files in dump_dirs.items():
        if holds_dump(name, files):
            retention.offer(name)
    return retention.victims()


# At most this many old dumps are removed by one savecore; the rest go the next time.
MAX_PURGE = 100


class Retention:
    """Which dumps go, decided from a stream of the complete dumps found, one at a time.

    Whatever KDUMP_COREDIR holds, it keeps at most ``keep`` names (the newest dumps,
    which stay) and MAX_PURGE more (the oldest of the others, which go): a directory
    of a million names costs no more memory than one of three.  ``peak`` is the most
    it ever held.
    """

    def __init__(self, keep: int, current: str, max_victims: int = MAX_PURGE) -> None:
        self.keep = keep
        self.current = current
        self.max_victims = max_victims
        # The dump just written counts (never a victim) when it is named like a dump.
        self._room = keep - (1 if dump_dir_key(current) is not None else 0)
        self._kept: list[tuple[tuple[str, int], str]] = []  # min-heap: oldest on top
        self._victims: list[tuple[tuple[int, int], str]] = []  # max-heap: newest on top
        self.peak = 0

    def offer(self, name: str) -> None:
        """A directory holding a complete dump savecore wrote (the caller checked)."""
        import heapq

        key = dump_dir_key(name)
        if key is None or name == self.current or self.keep <= 0:
            return
        heapq.heappush(self._kept, (key, name))
        if len(self._kept) > max(self._room, 0):
            (stamp_text, rerun), old = heapq.heappop(self._kept)
            heapq.heappush(self._victims, ((-int(stamp_text), -rerun), old))
            if len(self._victims) > self.max_victims:
                heapq.heappop(self._victims)  # the newest of them: it goes next time
        self.peak = max(self.peak, len(self._kept) + len(self._victims))

    def victims(self) -> list[str]:
        """The directories to remove, oldest first."""
        return [name for _, name in sorted(self._victims, reverse=True)]


class FreeDumpDir:
    """``unique_name`` over a streamed directory, in bounded memory: the counters of
    ``base`` up to ``cap`` (so the first free one is found, as unique_name finds it), and
    past that only the highest seen (a directory filled with ``base-N`` names gets the
    next one above them all), whatever else the directory holds."""

    def __init__(self, base: str, cap: int = 1000) -> None:
        self.base = base
        self.cap = cap
        self.used: set[int] = set()
        self.highest = 0

    def see(self, name: str) -> None:
        counter = self._counter(name)
        if counter is None:
            return
        if counter <= self.cap:
            self.used.add(counter)
        self.highest = max(self.highest, counter)

    def _counter(self, name: str) -> int | None:
        if name == self.base:
            return 0
        head, dash, tail = name.rpartition("-")
        # Canonical (no "-01") and at most the rerun counter's nine digits.
        if head != self.base or not dash or not (tail.isascii() and tail.isdigit()) or \
                len(tail) > 9 or str(int(tail)) != tail:
            return None
        return int(tail)

    def name(self) -> str:
        counter = next((n for n in range(self.cap + 1) if n not in self.used),
                       self.highest + 1)
        return self.base if counter == 0 else f"{self.base}-{counter}"


# -- compression ---------------------------------------------------------------------------
class Compression(Record):
    """A KDUMP_COMPRESSION method: its program, file extension and the magic numbers its
    files start with."""

    method: str  # the KDUMP_COMPRESSION value
    program: str  # looked up on PATH like every other program (xz too)
    extension: str
    magic: tuple[bytes, ...]

    def argv(self, program_path: str) -> list[str]:
        return [program_path, "-c"]


COMPRESSIONS = {
    c.method: c for c in (
        Compression("bzip2", "bzip2", ".bz2", (b"BZh",)),
        Compression("gzip", "gzip", ".gz", (b"\x1f\x8b",)),
        # the frame format, and the legacy one lz4 -l still writes
        Compression("lz4", "lz4", ".lz4", (b"\x04\x22\x4d\x18", b"\x02\x21\x4c\x18")),
        Compression("xz", "xz", ".xz", (b"\xfd7zXZ\x00",)),
    )
}

ELF_MAGIC = b"\x7fELF"
# What makedumpfile writes: flattened (-F), kdump-compressed, or ELF (-E).
MAKEDUMPFILE_MAGIC = (b"makedumpfile", b"KDUMP   ", ELF_MAGIC)
HEADER_BYTES = 16  # enough of a file's start to tell every magic above


def dump_header_ok(file_name: str, head: bytes) -> bool:
    """Whether a dump file named ``file_name`` starts as savecore's output of that name does:
    makedumpfile's formats (``dump.STAMP``), the compressor's magic (``dump.STAMP.gz``...),
    an ELF core (``vmcore.STAMP``, the raw copy).  An empty or foreign file is no dump."""
    if file_name.startswith("vmcore."):
        return head.startswith(ELF_MAGIC)
    for compression in COMPRESSIONS.values():
        if file_name.endswith(compression.extension):
            return head.startswith(compression.magic)
    return head.startswith(MAKEDUMPFILE_MAGIC)


# -- HOSTTAG ---------------------------------------------------------------------------------
_UNSAFE_TAG = re.compile(r"[^A-Za-z0-9._-]")


def safe_tag(hostname: str) -> str:
    """``hostname`` as one file-name component that no program reads as an option.

    Anything but letters, digits, ``.``, ``_`` and ``-`` becomes ``_`` (so no ``/``),
    and a leading ``-`` or ``.`` does too (so no option, no ``..``, no hidden file).
    """
    tag = _UNSAFE_TAG.sub("_", hostname)
    if tag[:1] in ("-", "."):
        tag = "_" + tag[1:]
    return tag or "_"


def pick_ipv4(addresses: Sequence[str]) -> str | None:
    """The address that names this machine's dumps on a shared server.

    The first address, in the kernel's interface order, that another machine could
    reach us by: loopback, link-local and unspecified addresses are skipped.  The
    original took the *last* address of any interface, so a bridge (docker0,
    virbr0) brought up after the NIC named the dumps.
    """
    for text in addresses:
        try:
            address = ipaddress.IPv4Address(text)
        except ValueError:
            continue
        if not (address.is_loopback or address.is_link_local or address.is_unspecified):
            return text
    return None


# -- FTP -------------------------------------------------------------------------------------
class FtpPlace(Record):
    """Where dumps go on an FTP server."""

    host: str
    directory: str  # "" for the server's root; otherwise as given, without trailing "/"

    def file(self, prefix: str, name: str) -> str:
        """The remote file: dumps share one directory, named ``PREFIX-NAME`` (as the original)."""
        return f"{self.directory}/{prefix}-{name}"


def ftp_partial(final: str) -> str:
    """The name a file is uploaded under until the server holds all of it."""
    return f"{final}-incomplete"


def ftp_unique_stamp(stamp_text: str, prefix: str, taken: Iterable[str]) -> str:
    """``STAMP``, else ``STAMP-1``... : no file of this run shares a name with an earlier one.

    ``taken`` are the names already in the remote directory (finished or not).
    """
    pattern = re.compile(rf"{re.escape(prefix)}-(?:dmesg|dump|vmcore)\.(\d{{12}}(?:-\d+)?)")
    used = set()
    for name in taken:
        match = pattern.match(name.rpartition("/")[2])
        if match:
            used.add(match.group(1))
    return unique_name(stamp_text, used)


def parse_ftp(value: str) -> FtpPlace:
    """``host[:path]``; no path, or ``host:``, means the root (no ``//x`` names)."""
    host, _, path = value.partition(":")
    return FtpPlace(host, path.rstrip("/"))

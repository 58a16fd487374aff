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
# A local dump directory: the stamp, or the stamp and a rerun counter (B35).
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
    there counts, and only such a directory is ever a victim (B34): a user's
    ``2099...`` directory, a failed attempt's leftovers (a kernel log, an
    ``-incomplete`` file), a host-prefixed directory are neither counted nor touched.
    The dump just written counts, and is never a victim, even when a clock step
    makes it look older than the others.
    """
    if keep <= 0:
        return []
    dumps = sorted((key, name) for name, files in dump_dirs.items()
                   if (key := dump_dir_key(name)) and (name == current or holds_dump(name, files)))
    if current not in dump_dirs and (key := dump_dir_key(current)):
        dumps = sorted([*dumps, (key, current)])
    excess = len(dumps) - keep
    if excess <= 0:
        return []
    return [name for _, name in dumps if name != current][:excess]


# -- compression ---------------------------------------------------------------------------
class Compression(Record):
    """A KDUMP_COMPRESSION method: its program and file extension."""

    method: str  # the KDUMP_COMPRESSION value
    program: str  # looked up on PATH like every other program (B50: xz too)
    extension: str

    def argv(self, program_path: str) -> list[str]:
        return [program_path, "-c"]


COMPRESSIONS = {
    c.method: c for c in (
        Compression("bzip2", "bzip2", ".bz2"),
        Compression("gzip", "gzip", ".gz"),
        Compression("lz4", "lz4", ".lz4"),
        Compression("xz", "xz", ".xz"),
    )
}


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
    """The address that names this machine's dumps on a shared server (B41).

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
    """``host[:path]``; no path, or ``host:``, means the root (B42: no ``//x`` names)."""
    host, _, path = value.partition(":")
    return FtpPlace(host, path.rstrip("/"))

"""The settings of ``/etc/default/kdump-tools``: one row per setting.

Each setting is one field of ``Config``, declared by one call (``boolean``, ``integer``,
``text``...) that says everything about it: its name in the file, how its value is
parsed, its default, its limits, its documentation and the rules its value must pass.
kdump/config.py parses the file from these rows, kdump/docgen.py documents them
(kdump-tools(5) and the packaged template), so parser, type and documentation cannot
drift apart.  Adding a setting is adding one field here (and its scenario).
"""

from __future__ import annotations

from backends.record import Record
from kdump.configerrors import MAX_CONFIG_INTEGER, ConfigError
from kdump.configvalues import ftp_host, one_word
from kdump.paths import DEFAULTS_PATH

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Protocol, TypedDict, Unpack

    from kdump.configvalues import Rule

    class Reader(Protocol):
        """The raw values of a file being parsed (kdump/config.py: _Settings)."""

        arch: str

        def raw(self, key: str) -> str: ...
        def fail(self, key: str, problem: str) -> ConfigError: ...

    Parse = Callable[[Reader, "Key"], object]

    class Options(TypedDict, total=False):
        """What every declaration may add (Key's fields of the same names)."""

        meaning: str
        example: str | None
        active: bool
        absolute: bool
        argument: tuple[tuple[str, Rule], ...] | None
        secret: bool


__all__ = ["ABSOLUTE_PATH_KEYS", "BY_NAME", "DEFAULTS_PATH", "HISTORICAL_KEYS", "KEYS",
           "KNOWN_KEYS", "Config", "Key", "default_cmdline_append", "parse_bool"]


class Key(Record, eq=False):
    """One setting of /etc/default/kdump-tools, described once (see the module)."""

    name: str
    parse: Parse  # the typed value from the raw text; an empty value gives ``default``
    default: int | str  # the typed value an absent or empty setting has
    doc: str
    meaning: str = ""  # the default in words, beside (or, for "", instead of) its value
    example: str | None = None  # the template's line (None: the default); commented out
    active: bool = False  # ... unless active
    minimum: int = 0  # integers only
    maximum: int = MAX_CONFIG_INTEGER
    choices: tuple[str, ...] = ()  # the only values allowed, when not empty
    absolute: bool = False  # names a file or directory on this machine
    # Becomes a program's argument: (program, rule) pairs its value must pass, each giving
    # the problem or None; () for control characters only; None: not an argument.
    argument: tuple[tuple[str, Rule], ...] | None = None
    secret: bool = False  # never shown in a message

    @property
    def field(self) -> str:
        """The Config field (and kdump-setting's NAME): the name in lower case."""
        return self.name.lower()

    @property
    def written(self) -> str:
        """The default as the file would spell it ("" when it has none)."""
        value = self.default
        if isinstance(value, bool):
            return str(int(value))
        return str(value)

    @property
    def shown(self) -> str:
        """The default as the documentation gives it."""
        written = self.written
        if not written:
            return self.meaning or "none"
        return f"{written} ({self.meaning})" if self.meaning else written

    @property
    def template_value(self) -> str:
        return self.written if self.example is None else self.example


# ---------------------------------------------------------------------------
# Parsers: the raw text (already checked as text) to the field's type
# ---------------------------------------------------------------------------

_TRUE = frozenset({"1", "yes", "true", "on"})
_FALSE = frozenset({"0", "no", "false", "off"})


def parse_bool(text: str) -> bool | None:
    """0/1, yes/no, true/false, on/off in any case; None for anything else."""
    word = text.lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


def is_integer(value: str) -> bool:
    """ASCII digits only (no sign, no blank, no other script's digits)."""
    return value.isascii() and value.isdigit()


def too_many_digits(value: str, maximum: int) -> bool:
    # int() of a very long digit string costs time and, past 4300 digits, raises.
    return len(value.lstrip("0")) > len(str(maximum))


def number(digits: str) -> int:
    """int() of ASCII digits that too_many_digits has bounded (leading zeros need not be)."""
    return int(digits.lstrip("0") or "0")


def _text(settings: Reader, key: Key) -> str:
    # Like the original's ${KEY:=default}: an empty value gets the default too.
    return settings.raw(key.name) or str(key.default)


def _choice(settings: Reader, key: Key) -> str:
    value = _text(settings, key)
    if value not in key.choices:
        raise settings.fail(key.name, "must be " + " or ".join(f"'{c}'" for c in key.choices))
    return value


def _boolean(settings: Reader, key: Key) -> bool:
    value = settings.raw(key.name)
    if value == "":
        return bool(key.default)
    parsed = parse_bool(value)
    if parsed is None:
        raise settings.fail(key.name, "is not a boolean (use 0/1, yes/no, true/false)")
    return parsed


def _integer(settings: Reader, key: Key) -> int:
    value = settings.raw(key.name)
    if value == "":
        return int(key.default)
    if not is_integer(value):
        raise settings.fail(key.name, f"must be an integer >= {key.minimum}")
    if too_many_digits(value, key.maximum) or number(value) > key.maximum:
        raise settings.fail(key.name, f"is too large (at most {key.maximum})")
    if number(value) < key.minimum:
        raise settings.fail(key.name, f"must be an integer >= {key.minimum}")
    return number(value)


def _port(settings: Reader, key: Key) -> str:
    value = settings.raw(key.name)
    if value and not (is_integer(value) and not too_many_digits(value, key.maximum)
                      and key.minimum <= number(value) <= key.maximum):
        raise settings.fail(key.name, f"must be a port number from {key.minimum} to "
                                      f"{key.maximum}")
    return str(number(value)) if value else value  # leading zeros dropped: int()-safe


def _makedump_words(settings: Reader, key: Key) -> list[str]:
    # The original word-split this value without quote removal; do the same.
    # -F (flattened output) is added unless some token already is -F, not merely
    # when the value starts with it (the original lost it in some spellings).
    value = _text(settings, key)
    tokens = [token for token in value.replace("\t", " ").replace("\n", " ").split(" ")
              if token]
    return tokens if "-F" in tokens else [*tokens, "-F"]


def _shell_words(settings: Reader, key: Key) -> list[str]:
    # Data for a program's argv, split like a shell would, never evaluated.
    value = settings.raw(key.name)
    if not value.strip(" \t\n"):
        return []
    import shlex  # a start-up cost only for those who set the key

    try:
        return shlex.split(value)
    except ValueError as error:
        raise settings.fail(key.name, f"cannot be split into arguments ({error})") from None


_CMDLINE_APPEND_BASE = "reset_devices systemd.unit=kdump-tools-dump.service"


def default_cmdline_append(arch: str) -> str:
    """The kdump kernel's extra command line for a ``uname -m`` architecture."""
    if arch in ("aarch64", "arm64"):
        return f"{_CMDLINE_APPEND_BASE} nr_cpus=1"
    if arch in ("ppc64le", "ppc64", "ppc64el"):
        return f"{_CMDLINE_APPEND_BASE} maxcpus=1 irqpoll noirqdistrib usbcore.nousb"
    return f"{_CMDLINE_APPEND_BASE} nr_cpus=1 irqpoll usbcore.nousb"


def _per_arch_append(settings: Reader, key: Key) -> str:
    return settings.raw(key.name) or default_cmdline_append(settings.arch)


# ---------------------------------------------------------------------------
# The declarations: each makes a Key and tells mypy the field's type (as
# dataclasses.field() does, the row stands in the class body where the value will be)
# ---------------------------------------------------------------------------

def text(name: str, doc: str, default: str = "", **more: Unpack[Options]) -> str:
    return Key(name, _text, default, doc, **more)  # type: ignore[return-value]


def choice(name: str, doc: str, choices: tuple[str, ...], **more: Unpack[Options]) -> str:
    return Key(name, _choice, choices[0], doc,  # type: ignore[return-value]
               choices=choices, **more)


def boolean(name: str, doc: str, default: bool, **more: Unpack[Options]) -> bool:
    return Key(name, _boolean, default, doc, **more)  # type: ignore[return-value]


def integer(name: str, doc: str, default: int, *, minimum: int, **more: Unpack[Options]) -> int:
    return Key(name, _integer, default, doc,  # type: ignore[return-value]
               minimum=minimum, **more)


def port(name: str, doc: str, **more: Unpack[Options]) -> str:
    return Key(name, _port, "", doc,  # type: ignore[return-value]
               minimum=1, maximum=65535, **more)


def words(name: str, doc: str, parse: Parse, default: str = "",
          **more: Unpack[Options]) -> list[str]:
    return Key(name, parse, default, doc, **more)  # type: ignore[return-value]


def per_arch(name: str, doc: str, **more: Unpack[Options]) -> str:
    return Key(name, _per_arch_append, "", doc, **more)  # type: ignore[return-value]


# ---------------------------------------------------------------------------
# The settings
# ---------------------------------------------------------------------------

class Config(Record):
    """The parsed /etc/default/kdump-tools, with typed access to its keys.

    Every field after ``values`` is a setting, declared by its row (see the module);
    kdump/config.py's load_config makes the only Config, giving every field.
    """

    path: str
    use_kdump_raw: str  # USE_KDUMP as written (check shows it)
    values: Mapping[str, str]  # every assignment of the file, by name (its last value)
    use_kdump: bool = boolean(
        "USE_KDUMP", "1 enables kdump; 0 or empty disables it (the package's debconf "
        "question kdump-tools/use_kdump sets it). Also yes/no, true/false, on/off.",
        False, meaning="disabled", example="1", active=True)
    kdump_kernel: str = text(
        "KDUMP_KERNEL", "The kernel kexec loads as the capture kernel. kdump-config load keeps "
        "the link /var/lib/kdump/vmlinuz pointing at the running kernel.",
        meaning="the running kernel, when it is relocatable",
        example="/var/lib/kdump/vmlinuz", active=True, absolute=True)
    kdump_initrd: str = text(
        "KDUMP_INITRD", "The initrd of the capture kernel; the kernel postinst hook builds a "
        "small one in /var/lib/kdump for every installed kernel.",
        example="/var/lib/kdump/initrd.img", active=True, absolute=True)
    kdump_coredir: str = text(
        "KDUMP_COREDIR", "Where dumps are saved: the local directory, the NFS mount point, or "
        "the base directory on the SSH server. Each dump goes in a directory named by date.",
        "/var/crash", example='"/var/crash"', active=True, absolute=True)
    kdump_fail_cmd: str = text(
        "KDUMP_FAIL_CMD", "Run by kdump-tools-dump.service when savecore fails, instead of "
        "rebooting; e.g. a shell to inspect the capture kernel.",
        meaning="reboot -f", example='"reboot -f"')
    kdump_dump_dmesg: bool = boolean(
        "KDUMP_DUMP_DMESG",
        "1 saves the crashed kernel's log as dmesg.STAMP next to the dump; 0 skips it.", True)
    kdump_num_dumps: int = integer(
        "KDUMP_NUM_DUMPS", "Keep at most this many local dumps: older ones are removed before "
        "a new one is saved. 0 keeps every dump.", 0, minimum=0, meaning="keep all")
    kdump_compression: str = text(
        "KDUMP_COMPRESSION", "Compress the saved dump with bzip2, gzip, lz4 or xz.")
    makedump_args: list[str] = words(
        "MAKEDUMP_ARGS", "Arguments for makedumpfile; -F (flattened output) is added when "
        "absent.", _makedump_words, "-F -c -d 31", example='"-c -d 31"')
    kdump_kexec_args: list[str] = words(
        "KDUMP_KEXEC_ARGS", "Extra kexec arguments, split like a shell would but never run; "
        "e.g. -s to load with kexec_file_load on a locked-down kernel.", _shell_words,
        example='""')
    kdump_cmdline: str = text(
        "KDUMP_CMDLINE", "The whole command line of the capture kernel.",
        meaning="/proc/cmdline without crashkernel=, hugepages=, hugepagesz= and abm=",
        example='""')
    kdump_cmdline_append: str = per_arch(
        "KDUMP_CMDLINE_APPEND", "Added to the capture kernel's command line. The default "
        "starts with reset_devices systemd.unit=kdump-tools-dump.service, which boots the "
        "capture kernel into the dump service.", meaning="per architecture (see kdump-config "
        "show)", example='"reset_devices systemd.unit=kdump-tools-dump.service"')
    hosttag: str = choice(
        "HOSTTAG", "ip or hostname: how remote dumps (NFS, SSH, FTP) are prefixed.",
        ("ip", "hostname"), example="hostname")
    nfs: str = text(
        "NFS", "Save dumps to this NFS export (host:/path) instead of locally.",
        example='"server:/export/crash"', argument=(("mount", one_word),))
    nfs_timeo: int = integer("NFS_TIMEO", "NFS mount option timeo.", 600, minimum=1)
    nfs_retrans: int = integer("NFS_RETRANS", "NFS mount option retrans.", 3, minimum=0)
    nfs_mount_retry: int = integer(
        "NFS_MOUNT_RETRY", "NFS mount attempts, 3 seconds apart.", 4, minimum=1)
    ssh: str = text(
        "SSH", "Send dumps to user@host over SSH (see kdump-config propagate).",
        example='"root@server"', argument=(("ssh", one_word),))
    ssh_key: str = text(
        "SSH_KEY", "The private key used for SSH dumps.", "/root/.ssh/kdump_id_rsa",
        absolute=True)
    ssh_kdump_retry: int = integer(
        "SSH_KDUMP_RETRY", "Attempts to reach the SSH server, 3 seconds apart.", 16, minimum=1)
    ftp: str = text(
        "FTP", "Send dumps to host[:path] over FTP.", example='"server:/crash"',
        argument=(("the FTP server", ftp_host),))
    ftp_user: str = text(
        "FTP_USER", "FTP user name.", meaning="anonymous", example='""', argument=())
    ftp_password: str = text(
        "FTP_PASSWORD", "FTP password.", example='""', argument=(), secret=True)
    ftp_port: str = port("FTP_PORT", "FTP port.", meaning="21", example="21")
    kdump_config: str = text(
        "KDUMP_CONFIG", "The .config of a kdump kernel that is not relocatable, to read its "
        "load address.", example='""', absolute=True)
    # Seconds savecore may spend on all its transfers together: generous (a slow network
    # and a large dump), but finite, so the capture kernel always reaches the reboot.
    kdump_savecore_timeout: int = integer(
        "KDUMP_SAVECORE_TIMEOUT", "savecore's whole run, in seconds: after it every program "
        "still running is stopped, unfinished files keep their -incomplete names and savecore "
        "exits 1, so KDUMP_FAIL_CMD or the reboot still happens.", 6 * 3600, minimum=1,
        meaning="6 hours")
    present: bool = True  # False: there is no config file; every key has its default


KEYS: tuple[Key, ...] = tuple(row for row in vars(Config).values() if isinstance(row, Key))
KNOWN_KEYS = tuple(key.name for key in KEYS)
BY_NAME = {key.name: key for key in KEYS}
ABSOLUTE_PATH_KEYS = tuple(key.name for key in KEYS if key.absolute)

# Keys older packages read; say what took their place instead of "unknown".
HISTORICAL_KEYS = {
    "KDUMP_SYSCTL": "sysctl overrides for the kdump kernel now live in /etc/kdump/sysctl.conf",
    "DEBUG_KERNEL": "a debug kernel is not used for dumping any more",
}

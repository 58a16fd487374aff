"""Read ``/etc/default/kdump-tools`` as data: the typed ``Config`` of a file.

The shell kdump-config *sourced* this file; here it is parsed with a restricted shell
grammar (kdump/configsyntax.py; errors and limits: kdump/configerrors.py), its keys are
those of kdump/configkeys.py, and values that become a program's argument or a path are
checked by kdump/configvalues.py.  Every
file the grammar accepts yields exactly the values bash would give its variables, and
every other file is rejected with a ``ConfigError`` naming the file and line.  Nothing
in a config file is ever executed.

The module is pure: callers read the file and pass its text (and, where wanted, the
process environment) in.  The names of the modules above are re-exported here.
"""

from __future__ import annotations

from backends.record import Record
from kdump.configerrors import (
    MAX_CONFIG_BYTES,
    MAX_CONFIG_INTEGER,
    MAX_EXPANDED_CHARS,
    MAX_VALUE_CHARS,
    SYNTAX_ERROR,
    TOO_LARGE,
    UNKNOWN_KEY,
    UNREADABLE,
    VALUE_ERROR,
    Assignment,
    ConfigError,
    ConfigWarning,
)
from kdump.configkeys import (
    DEFAULT_MAKEDUMP_ARGS,
    DEFAULT_SAVECORE_TIMEOUT,
    DEFAULT_SSH_KEY,
    HISTORICAL_KEYS,
    KEYS,
    KNOWN_KEYS,
    Key,
)
from kdump.configsyntax import parse_assignments
from kdump.configvalues import (
    ABSOLUTE_PATH_KEYS,
    ARGUMENT_ERROR,
    check_absolute_paths,
    check_arguments,
    check_text_values,
    decode_config,
)
from kdump.paths import DEFAULTS_PATH

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "ABSOLUTE_PATH_KEYS", "ARGUMENT_ERROR", "DEFAULTS_PATH", "DEFAULT_MAKEDUMP_ARGS",
    "DEFAULT_SAVECORE_TIMEOUT", "DEFAULT_SSH_KEY", "KEYS", "KNOWN_KEYS", "MAX_CONFIG_BYTES",
    "MAX_CONFIG_INTEGER", "MAX_EXPANDED_CHARS", "MAX_VALUE_CHARS", "SYNTAX_ERROR", "TOO_LARGE",
    "UNKNOWN_KEY", "UNREADABLE", "VALUE_ERROR", "Assignment", "Config", "ConfigError",
    "ConfigWarning", "Key", "decode_config", "default_cmdline_append", "load_config",
    "parse_assignments", "parse_bool",
]


# ---------------------------------------------------------------------------
# Typed configuration
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


_CMDLINE_APPEND_BASE = "reset_devices systemd.unit=kdump-tools-dump.service"


def default_cmdline_append(arch: str) -> str:
    """The kdump kernel's extra command line for a ``uname -m`` architecture."""
    if arch in ("aarch64", "arm64"):
        return f"{_CMDLINE_APPEND_BASE} nr_cpus=1"
    if arch in ("ppc64le", "ppc64", "ppc64el"):
        return f"{_CMDLINE_APPEND_BASE} maxcpus=1 irqpoll noirqdistrib usbcore.nousb"
    return f"{_CMDLINE_APPEND_BASE} nr_cpus=1 irqpoll usbcore.nousb"


class Config(Record):
    """The parsed /etc/default/kdump-tools, with typed access to its keys."""

    path: str
    use_kdump: bool
    use_kdump_raw: str
    kdump_kernel: str
    kdump_initrd: str
    kdump_coredir: str
    kdump_fail_cmd: str
    kdump_dump_dmesg: bool
    kdump_num_dumps: int
    kdump_compression: str
    makedump_args: list[str]
    kdump_kexec_args: list[str]
    kdump_cmdline: str
    kdump_cmdline_append: str
    hosttag: str
    nfs: str
    nfs_timeo: int
    nfs_retrans: int
    nfs_mount_retry: int
    ssh: str
    ssh_key: str
    ssh_kdump_retry: int
    ftp: str
    ftp_user: str
    ftp_password: str
    ftp_port: str
    kdump_config: str
    values: Mapping[str, str]
    kdump_savecore_timeout: int = DEFAULT_SAVECORE_TIMEOUT
    present: bool = True  # False: there is no config file; every key has its default




def _is_integer(value: str) -> bool:
    """ASCII digits only (no sign, no blank, no other script's digits)."""
    return value.isascii() and value.isdigit()


def _too_many_digits(value: str, maximum: int) -> bool:
    # int() of a very long digit string costs time and, past 4300 digits, raises.
    return len(value.lstrip("0")) > len(str(maximum))


def _number(digits: str) -> int:
    """int() of ASCII digits that _too_many_digits has bounded (leading zeros need not be)."""
    return int(digits.lstrip("0") or "0")


class _Settings:
    """Raw values of the known keys: the file's last assignment, else the environment."""

    def __init__(
        self, path: str, assigned: Mapping[str, Assignment], environ: Mapping[str, str]
    ) -> None:
        self.path = path
        self.assigned = assigned
        self.environ = environ

    def raw(self, key: str) -> str:
        if key in self.assigned:
            return self.assigned[key].value
        return self.environ.get(key, "")

    def text(self, key: str, default: str = "") -> str:
        # Like the original's ${KEY:=default}: an empty value gets the default too.
        return self.raw(key) or default

    def fail(self, key: str, problem: str) -> ConfigError:
        value = self.raw(key)
        if len(value) > 80:  # a value can be 64 KiB: the message stays one readable line
            value = value[:60] + f"... ({len(value)} characters)"
        assignment = self.assigned.get(key)
        reason = f"{key}='{value}' {problem}"
        if assignment is None:
            reason += " (set in the environment)"
        line = assignment.line if assignment else None
        return ConfigError(VALUE_ERROR, self.path, line, reason)

    def boolean(self, key: str, default: bool) -> bool:
        value = self.raw(key)
        if value == "":
            return default
        parsed = parse_bool(value)
        if parsed is None:
            raise self.fail(key, "is not a boolean (use 0/1, yes/no, true/false)")
        return parsed

    def integer(self, key: str, default: int, minimum: int,
                maximum: int = MAX_CONFIG_INTEGER) -> int:
        value = self.raw(key)
        if value == "":
            return default
        if not _is_integer(value):
            raise self.fail(key, f"must be an integer >= {minimum}")
        if _too_many_digits(value, maximum) or _number(value) > maximum:
            raise self.fail(key, f"is too large (at most {maximum})")
        if _number(value) < minimum:
            raise self.fail(key, f"must be an integer >= {minimum}")
        return _number(value)

    def hosttag(self) -> str:
        value = self.text("HOSTTAG", "ip")
        if value not in ("ip", "hostname"):
            raise self.fail("HOSTTAG", "must be 'ip' or 'hostname'")
        return value

    def ftp_port(self) -> str:
        value = self.raw("FTP_PORT")
        if value and not (_is_integer(value) and not _too_many_digits(value, 65535)
                          and 1 <= _number(value) <= 65535):
            raise self.fail("FTP_PORT", "must be a port number from 1 to 65535")
        return str(_number(value)) if value else value  # leading zeros dropped: int()-safe

    def makedump_args(self) -> list[str]:
        # The original word-split this value without quote removal; do the same.
        # -F (flattened output) is added unless some token already is -F, not merely
        # when the value starts with it (the original lost it in some spellings).
        value = self.text("MAKEDUMP_ARGS", DEFAULT_MAKEDUMP_ARGS)
        tokens = [token for token in value.replace("\t", " ").replace("\n", " ").split(" ")
                  if token]
        return tokens if "-F" in tokens else [*tokens, "-F"]

    def kexec_args(self) -> list[str]:
        # Data for kexec's argv, split like a shell would, never evaluated.
        value = self.raw("KDUMP_KEXEC_ARGS")
        if not value.strip(" \t\n"):
            return []
        import shlex  # a start-up cost only for those who set the key

        try:
            return shlex.split(value)
        except ValueError as error:
            raise self.fail(
                "KDUMP_KEXEC_ARGS", f"cannot be split into arguments ({error})"
            ) from None


def _key_warnings(assignments: list[Assignment], path: str) -> list[ConfigWarning]:
    """One warning per unknown upper-case name, at its first assignment."""
    warnings: list[ConfigWarning] = []
    seen: set[str] = set()
    for assignment in assignments:
        name = assignment.name
        # Names with a lower-case letter are the user's helper variables.
        if name in KNOWN_KEYS or name in seen or name != name.upper():
            continue
        seen.add(name)
        if name in HISTORICAL_KEYS:
            text = f"{name} is no longer used ({HISTORICAL_KEYS[name]})"
        else:
            import difflib  # only for a did-you-mean hint (~9 ms of every start otherwise)

            text = f"unknown setting {name}"
            close = difflib.get_close_matches(name, KNOWN_KEYS, n=1)
            if close:
                text += f" (did you mean {close[0]}?)"
        warnings.append(ConfigWarning(UNKNOWN_KEY, path, assignment.line, text))
    return warnings


def load_config(
    text: str | None,
    path: str = DEFAULTS_PATH,
    *,
    arch: str,
    environ: Mapping[str, str] | None = None,
) -> tuple[Config, list[ConfigWarning]]:
    """Parse ``text`` (None: the file is absent) into a typed Config.

    A known key the file does not assign is taken from ``environ``, as when the
    original sourced the file into its own environment.  Raises ConfigError.
    """
    env: Mapping[str, str] = environ or {}
    assignments = [] if text is None else parse_assignments(text, path, env)
    last = {assignment.name: assignment for assignment in assignments}
    settings = _Settings(path, last, {key: env[key] for key in KNOWN_KEYS if key in env})
    check_text_values(settings, assignments)
    check_absolute_paths(settings)
    config = Config(
        path=path,
        use_kdump=settings.boolean("USE_KDUMP", False),
        use_kdump_raw=settings.raw("USE_KDUMP"),
        kdump_kernel=settings.text("KDUMP_KERNEL"),
        kdump_initrd=settings.text("KDUMP_INITRD"),
        kdump_coredir=settings.text("KDUMP_COREDIR", "/var/crash"),
        kdump_fail_cmd=settings.text("KDUMP_FAIL_CMD"),
        kdump_dump_dmesg=settings.boolean("KDUMP_DUMP_DMESG", True),
        kdump_num_dumps=settings.integer("KDUMP_NUM_DUMPS", 0, minimum=0),
        kdump_compression=settings.text("KDUMP_COMPRESSION"),
        makedump_args=settings.makedump_args(),
        kdump_kexec_args=settings.kexec_args(),
        kdump_cmdline=settings.text("KDUMP_CMDLINE"),
        kdump_cmdline_append=settings.text("KDUMP_CMDLINE_APPEND", default_cmdline_append(arch)),
        hosttag=settings.hosttag(),
        nfs=settings.text("NFS"),
        nfs_timeo=settings.integer("NFS_TIMEO", 600, minimum=1),
        nfs_retrans=settings.integer("NFS_RETRANS", 3, minimum=0),
        nfs_mount_retry=settings.integer("NFS_MOUNT_RETRY", 4, minimum=1),
        ssh=settings.text("SSH"),
        ssh_key=settings.text("SSH_KEY", DEFAULT_SSH_KEY),
        ssh_kdump_retry=settings.integer("SSH_KDUMP_RETRY", 16, minimum=1),
        ftp=settings.text("FTP"),
        ftp_user=settings.text("FTP_USER"),
        ftp_password=settings.text("FTP_PASSWORD"),
        ftp_port=settings.ftp_port(),
        kdump_config=settings.text("KDUMP_CONFIG"),
        values={name: assignment.value for name, assignment in last.items()},
        kdump_savecore_timeout=settings.integer("KDUMP_SAVECORE_TIMEOUT",
                                                DEFAULT_SAVECORE_TIMEOUT, minimum=1),
        present=text is not None,
    )
    check_arguments(settings)
    return config, _key_warnings(assignments, path)


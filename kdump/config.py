"""Read ``/etc/default/kdump-tools`` as data.

The shell kdump-config *sourced* this file. Here it is parsed with a restricted
shell grammar instead: every file the grammar accepts yields exactly the values
bash would give its variables (``tests/unit/test_config_bash.py`` checks this by
running bash), and every other file is rejected with a ``ConfigError`` naming the
file and line.  Nothing in a config file is ever executed.

The module is pure: callers read the file and pass its text (and, where wanted,
the process environment) in.

Grammar (one statement per line)::

    NAME=VALUE            export NAME=VALUE            export NAME
    # comment             blank lines                  leading blanks

Decisions where the grammar is narrower than, or has to pick among, shell rules:

* Multi-line values are accepted as bash reads them: a newline may appear inside
  '...' or "..." and a backslash-newline outside single quotes joins lines.  An
  ``Assignment`` carries the line its statement starts on; a syntax error names
  the line of the offending construct (an unterminated quote: the line it opened).
* Glob characters ``* ? [`` are accepted literally: bash and dash never expand
  them in an assignment, ``export NAME=VALUE`` included.
* An unquoted ``{`` is rejected: bash brace-expands ``export A={x,y}`` (into two
  words), so accepting it would give a different value on export lines.
* An unquoted ``~`` is rejected (tilde expansion depends on HOME and the user
  database); quote it or write the full path.
* ``$`` must start ``$NAME`` or ``${NAME}``; write ``\\$`` or ``'$'`` for a literal
  dollar.  Variables the shell maintains itself ($RANDOM, $LINENO, $PPID, $_ ...)
  are rejected, because no environment can tell what the shell would substitute.
* A carriage return outside quotes (a DOS line ending) is an error rather than a
  silent trailing ``\\r`` in the value.
* Only one assignment per line: ``A=1 B=2`` is rejected with the other cases of
  unquoted whitespace.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

DEFAULTS_PATH = "/etc/default/kdump-tools"

SYNTAX_ERROR = "config-syntax"
VALUE_ERROR = "config-value"
UNKNOWN_KEY = "config-unknown-key"
UNREADABLE = "config-unreadable"
TOO_LARGE = "config-too-large"

# Bounds that keep a hostile or broken file from taking the machine's memory (a 254-byte
# file of X=$X$X lines once needed 2 GB).  A real kdump-tools config is a few KiB.
MAX_CONFIG_BYTES = 1 << 20  # the file
MAX_VALUE_CHARS = 1 << 16  # one value, once $VAR expansions are done
MAX_EXPANDED_CHARS = 1 << 22  # every value of the file together
MAX_CONFIG_INTEGER = 10**9  # counts, retries, timeouts: far beyond any sane setting

class Key(NamedTuple):
    """One setting of /etc/default/kdump-tools, documented once.

    The man page kdump-tools(5) and the packaged config template are generated from this
    table (kdump/docgen.py), so documentation and parser cannot drift apart.
    """

    name: str
    default: str  # what an absent or empty value means, in words
    doc: str
    example: str = ""  # the template's line; commented out unless ``active``
    active: bool = False


KEYS: tuple[Key, ...] = (
    Key("USE_KDUMP", "0 (disabled)",
        "1 enables kdump; 0 or empty disables it (the package's debconf question "
        "kdump-tools/use_kdump sets it). Also yes/no, true/false, on/off.", "1", active=True),
    Key("KDUMP_KERNEL", "the running kernel, when it is relocatable",
        "The kernel kexec loads as the capture kernel. kdump-config load keeps the link "
        "/var/lib/kdump/vmlinuz pointing at the running kernel.",
        "/var/lib/kdump/vmlinuz", active=True),
    Key("KDUMP_INITRD", "none",
        "The initrd of the capture kernel; the kernel postinst hook builds a small one in "
        "/var/lib/kdump for every installed kernel.", "/var/lib/kdump/initrd.img", active=True),
    Key("KDUMP_COREDIR", "/var/crash",
        "Where dumps are saved: the local directory, the NFS mount point, or the base "
        "directory on the SSH server. Each dump goes in a directory named by date.",
        '"/var/crash"', active=True),
    Key("KDUMP_FAIL_CMD", "reboot -f",
        "Run by kdump-tools-dump.service when savecore fails, instead of rebooting; "
        "e.g. a shell to inspect the capture kernel.", '"reboot -f"'),
    Key("KDUMP_DUMP_DMESG", "1",
        "1 saves the crashed kernel's log as dmesg.STAMP next to the dump; 0 skips it.", "1"),
    Key("KDUMP_NUM_DUMPS", "0 (keep all)",
        "Keep at most this many local dumps: older ones are removed before a new one is "
        "saved. 0 keeps every dump.", "0"),
    Key("KDUMP_COMPRESSION", "none",
        "Compress the saved dump with bzip2, gzip, lz4 or xz.", ""),
    Key("MAKEDUMP_ARGS", "-F -c -d 31",
        "Arguments for makedumpfile; -F (flattened output) is added when absent.",
        '"-c -d 31"'),
    Key("KDUMP_KEXEC_ARGS", "none",
        "Extra kexec arguments, split like a shell would but never run; e.g. -s to load "
        "with kexec_file_load on a locked-down kernel.", '""'),
    Key("KDUMP_CMDLINE", "/proc/cmdline without crashkernel=, hugepages=, hugepagesz= and abm=",
        "The whole command line of the capture kernel.", '""'),
    Key("KDUMP_CMDLINE_APPEND", "per architecture (see kdump-config show)",
        "Added to the capture kernel's command line. The default starts with "
        "reset_devices systemd.unit=kdump-tools-dump.service, which boots the capture kernel "
        "into the dump service.", '"reset_devices systemd.unit=kdump-tools-dump.service"'),
    Key("HOSTTAG", "ip",
        "ip or hostname: how remote dumps (NFS, SSH, FTP) are prefixed.", "hostname"),
    Key("NFS", "none", "Save dumps to this NFS export (host:/path) instead of locally.",
        '"server:/export/crash"'),
    Key("NFS_TIMEO", "600", "NFS mount option timeo.", "600"),
    Key("NFS_RETRANS", "3", "NFS mount option retrans.", "3"),
    Key("NFS_MOUNT_RETRY", "4", "NFS mount attempts, 3 seconds apart.", "4"),
    Key("SSH", "none", "Send dumps to user@host over SSH (see kdump-config propagate).",
        '"root@server"'),
    Key("SSH_KEY", "/root/.ssh/kdump_id_rsa", "The private key used for SSH dumps.",
        "/root/.ssh/kdump_id_rsa"),
    Key("SSH_KDUMP_RETRY", "16", "Attempts to reach the SSH server, 3 seconds apart.", "16"),
    Key("FTP", "none", "Send dumps to host[:path] over FTP.", '"server:/crash"'),
    Key("FTP_USER", "anonymous", "FTP user name.", '""'),
    Key("FTP_PASSWORD", "none", "FTP password.", '""'),
    Key("FTP_PORT", "21", "FTP port.", "21"),
    Key("KDUMP_CONFIG", "none",
        "The .config of a kdump kernel that is not relocatable, to read its load address.",
        '""'),
    Key("KDUMP_SAVECORE_TIMEOUT", "21600 (6 hours)",
        "savecore's whole run, in seconds: after it every program still running is stopped, "
        "unfinished files keep their -incomplete names and savecore exits 1, so "
        "KDUMP_FAIL_CMD or the reboot still happens.", "21600"),
)

KNOWN_KEYS = tuple(key.name for key in KEYS)

# Keys older packages read; say what took their place instead of "unknown".
_HISTORICAL_KEYS = {
    "KDUMP_SYSCTL": "sysctl overrides for the kdump kernel now live in /etc/kdump/sysctl.conf",
    "DEBUG_KERNEL": "a debug kernel is not used for dumping any more",
}

DEFAULT_MAKEDUMP_ARGS = "-F -c -d 31"
DEFAULT_SSH_KEY = "/root/.ssh/kdump_id_rsa"
# Seconds savecore may spend on all its transfers together: generous (a slow network
# and a large dump), but finite, so the capture kernel always reaches the reboot.
DEFAULT_SAVECORE_TIMEOUT = 6 * 3600


class ConfigError(Exception):
    """A config file that cannot be used; ``code`` is config-syntax or config-value."""

    def __init__(self, code: str, path: str, line: int | None, reason: str) -> None:
        where = path if line is None else f"{path}:{line}"
        super().__init__(f"{where}: {reason}")
        self.code = code
        self.path = path
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class ConfigWarning:
    """A config line worth a warning (an unknown or retired key)."""

    code: str
    path: str
    line: int
    text: str


@dataclass(frozen=True)
class Assignment:
    """One NAME=VALUE of the config file, with its line."""

    name: str
    value: str
    line: int
    exported: bool


# ---------------------------------------------------------------------------
# The restricted shell grammar
# ---------------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAME_START = re.compile(r"[A-Za-z_]")
_NAME_CHAR = re.compile(r"[A-Za-z0-9_]")
_BLANKS = " \t"
_SPECIAL_PARAMETERS = "0123456789?$@*#!-"
_DQ_ESCAPABLE = '"\\$`'

# Variables the shell sets or computes itself: their value never comes from the
# environment, so a pure parser cannot know it.  Names starting with BASH are
# added by _shell_owned().
_SHELL_OWNED = frozenset(
    {
        "_", "COLUMNS", "DIRSTACK", "EPOCHREALTIME", "EPOCHSECONDS", "EUID", "FUNCNAME",
        "GROUPS", "HISTCMD", "HOSTNAME", "HOSTTYPE", "IFS", "LINENO", "LINES", "MACHTYPE",
        "OPTARG", "OPTERR", "OPTIND", "OSTYPE", "PIPESTATUS", "PPID", "PS1", "PS2", "PS4",
        "RANDOM", "SECONDS", "SHELLOPTS", "SHLVL", "SRANDOM", "UID",
    }
)  # fmt: skip

# Unquoted characters that would make the shell do something other than assign.
_SHELL_SYNTAX = {
    ";": "';' (command separator)",
    "&": "'&' (background job or && list)",
    "|": "'|' (pipe)",
    "<": "'<' (redirection)",
    ">": "'>' (redirection)",
    "(": "'(' (subshell or array)",
    ")": "')' (subshell or array)",
    "{": "'{' (brace expansion)",
}

_BACKTICK_REASON = "command substitution `...` is not allowed: the file is read as data, not run"


def _shell_owned(name: str) -> bool:
    return name in _SHELL_OWNED or name.startswith("BASH")


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


class _Parser:
    """A hand-written scanner: a cursor over the whole text plus the current line.

    bash deletes every backslash-newline before it tokenizes, except inside
    single quotes, in comments, and when the backslash is itself escaped; it may
    even split a variable name.  ``peek``/``advance`` therefore skip such pairs
    ("joins"), while quoted text, comments and escaped characters are read raw.
    """

    def __init__(self, text: str, path: str, environ: Mapping[str, str]) -> None:
        self.text = text
        self.path = path
        self.environ = environ
        self.pos = 0
        self.line = 1
        self.variables: dict[str, str] = {}
        self.assignments: list[Assignment] = []
        self.expanded = 0  # characters $VAR expansions added to the value being read
        self.total = 0  # characters of every value so far

    # -- cursor helpers -----------------------------------------------------

    def skip_joins(self) -> None:
        while self.text.startswith("\\\n", self.pos):
            self.pos += 2
            self.line += 1

    def peek(self, offset: int = 0) -> str:
        """The character ``offset`` places ahead, looking through joins."""
        self.skip_joins()
        index = self.pos
        for _ in range(offset):
            index += 1
            while self.text.startswith("\\\n", index):
                index += 2
        return self.text[index] if index < len(self.text) else ""

    def advance(self) -> str:
        self.skip_joins()
        return self.advance_raw()

    def advance_raw(self) -> str:
        char = self.text[self.pos]
        self.pos += 1
        if char == "\n":
            self.line += 1
        return char

    def read_name(self) -> str:
        """A shell NAME at the cursor (ASCII only, like bash in the C locale), or ""."""
        if not _NAME_START.fullmatch(self.peek()):
            return ""
        chars = [self.advance()]
        while _NAME_CHAR.fullmatch(self.peek()):
            chars.append(self.advance())
        return "".join(chars)

    def at_word_end(self) -> bool:
        char = self.peek()
        return char == "" or char == "\n" or char in _BLANKS

    def skip_blanks(self) -> None:
        while self.peek() and self.peek() in _BLANKS:
            self.pos += 1

    def skip_comment(self) -> None:
        # A comment ends at the newline even after a backslash.
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end

    def error(self, reason: str, line: int | None = None) -> ConfigError:
        return ConfigError(SYNTAX_ERROR, self.path, self.line if line is None else line, reason)

    def snippet(self, start: int, stop_chars: str = " \t\n", limit: int = 40) -> str:
        end = start
        while end < len(self.text) and self.text[end] not in stop_chars and end - start < limit:
            end += 1
        return self.text[start:end]

    # -- statements ---------------------------------------------------------

    def parse(self) -> list[Assignment]:
        nul = self.text.find("\0")
        if nul >= 0:
            raise self.error("NUL byte in the file", _line_of(self.text, nul))
        while True:
            self.skip_blanks()
            char = self.peek()
            if char == "":
                return self.assignments
            if char == "\n":
                self.advance()
            elif char == "#":
                self.skip_comment()
            else:
                self.statement()

    def statement(self) -> None:
        start, start_line = self.pos, self.line
        name = self.read_name()
        if name == "export" and self.peek() and self.peek() in _BLANKS:
            self.export_statement(start, start_line)
        elif name and self.peek() == "=":
            self.advance()
            self.assign(name, self.value(), start_line, exported=False)
        else:
            raise self.not_an_assignment(start)
        self.end_of_statement()

    def export_statement(self, start: int, start_line: int) -> None:
        self.skip_blanks()
        name = self.read_name()
        if not name:
            raise self.not_an_assignment(start)
        if self.peek() == "=":
            self.advance()
            self.assign(name, self.value(), start_line, exported=True)
        elif not self.at_word_end():
            raise self.not_an_assignment(start)
        # `export NAME` alone only marks NAME for export, which changes no value.

    def end_of_statement(self) -> None:
        self.skip_blanks()
        char = self.peek()
        if char == "" or char == "\n":
            return
        if char == "#":
            self.skip_comment()
            return
        self.check_unquoted(char)
        raise self.error(
            f"unquoted whitespace before {self.snippet(self.pos)!r}: quote a value that "
            'contains spaces ("a b"), one assignment per line (bash would run the rest '
            "as a command)"
        )

    def not_an_assignment(self, start: int) -> ConfigError:
        """Explain why the statement starting at ``start`` is not an assignment."""
        match = _NAME.match(self.text, start)
        after = match.end() if match else start
        rest = self.text[after:]
        if match and rest.startswith("+="):
            return self.error("appending with '+=' is not supported: write NAME=\"${NAME}...\"")
        if match and rest.startswith("["):
            return self.error("array assignments are not supported")
        if match and rest.lstrip(_BLANKS).startswith("="):
            return self.error(
                f"no spaces are allowed around '=' (bash would run {match.group()!r} as a command)"
            )
        if match and match.group() == "export":
            return self.error("'export' must be followed by NAME or NAME=VALUE")
        if not match:
            self.check_unquoted(self.text[start])
        return self.error(
            f"{self.snippet(start)!r} is not an assignment: only NAME=VALUE and "
            "export NAME[=VALUE] lines are allowed (the file is read as data, not run)"
        )

    def check_unquoted(self, char: str) -> None:
        """Reject a character that means shell syntax when it is not quoted."""
        if char == "`":
            raise self.error(_BACKTICK_REASON)
        if char == "\r":
            raise self.error(
                "carriage return (DOS line ending): convert the file to Unix line endings"
            )
        if char == "~":
            raise self.error(
                "'~' (tilde expansion) is not supported: write the full path, "
                "or quote the '~' if it is meant literally"
            )
        if char in _SHELL_SYNTAX:
            raise self.error(
                f"{_SHELL_SYNTAX[char]} is not allowed: quote it if it is meant literally"
            )

    def assign(self, name: str, value: str, line: int, *, exported: bool) -> None:
        if _shell_owned(name):
            raise self.error(f"{name} is maintained by the shell and cannot be set here", line)
        self.charge_total(name, value, line)
        self.variables[name] = value
        self.assignments.append(Assignment(name, value, line, exported))

    # -- values ---------------------------------------------------------------

    def value(self) -> str:
        """One word, the right-hand side of ``=``; stops at unquoted whitespace."""
        parts: list[str] = []
        self.expanded = 0
        while not self.at_word_end():
            char = self.peek()
            if char == "'":
                parts.append(self.single_quoted())
            elif char == '"':
                parts.append(self.double_quoted())
            elif char == "$":
                parts.append(self.expansion())
            elif char == "\\":
                parts.append(self.unquoted_escape())
            else:
                self.check_unquoted(char)
                parts.append(self.advance())
        return "".join(parts)

    def unquoted_escape(self) -> str:
        # The cursor is on a backslash that is not a join; the escaped
        # character is taken raw: backslash, backslash, newline is one backslash, then the end.
        self.advance_raw()
        if self.pos >= len(self.text):
            raise self.error("backslash at the end of the file escapes nothing")
        return self.advance_raw()

    def single_quoted(self) -> str:
        start_line = self.line
        end = self.text.find("'", self.pos + 1)
        if end < 0:
            raise self.error("unterminated single quote (') starting on this line", start_line)
        content = self.text[self.pos + 1 : end]
        self.line += content.count("\n")
        self.pos = end + 1
        return content

    def double_quoted(self) -> str:
        start_line = self.line
        self.advance()
        parts: list[str] = []
        while True:
            char = self.peek()
            if char == "":
                raise self.error('unterminated double quote (") starting on this line', start_line)
            if char == '"':
                self.advance()
                return "".join(parts)
            if char == "$":
                parts.append(self.expansion())
            elif char == "`":
                raise self.error(_BACKTICK_REASON)
            elif char == "\\":
                parts.append(self.double_quoted_escape())
            else:
                parts.append(self.advance())

    def double_quoted_escape(self) -> str:
        # Inside "..." a backslash escapes only " \ $ ` (and newline, a join);
        # before any other character it stays, like in bash.
        self.advance_raw()
        char = self.text[self.pos : self.pos + 1]
        if char and char in _DQ_ESCAPABLE:
            return self.advance_raw()
        return "\\"

    def expansion(self) -> str:
        """``$NAME`` or ``${NAME}``; the cursor is on the ``$``."""
        start = self.pos
        following = self.peek(1)
        if following == "(":
            if self.peek(2) == "(":
                raise self.error(
                    "arithmetic expansion $((...)) is not allowed: the file is read as data"
                )
            raise self.error(
                "command substitution $(...) is not allowed: the file is read as data, not run"
            )
        if following == "{":
            self.advance()
            self.advance()
            name = self.read_name()
            if name and self.peek() == "}":
                self.advance()
                return self.lookup(name)
            construct = self.snippet(start, "}\n") + "}"
            raise self.error(
                f"parameter expansion {construct!r} is not supported: only $NAME and "
                "${NAME} are (no operators such as ${NAME:-default})"
            )
        if _NAME_START.fullmatch(following):
            self.advance()
            return self.lookup(self.read_name())
        if following and following in _SPECIAL_PARAMETERS:
            raise self.error(f"special parameter ${following} is not allowed")
        raise self.error(
            "a '$' must start $NAME or ${NAME}: write \\$ or '$' for a literal dollar sign"
        )

    def lookup(self, name: str) -> str:
        if _shell_owned(name):
            raise self.error(f"${name} is set by the shell itself and is not supported here")
        value = self.variables[name] if name in self.variables else self.environ.get(name, "")
        self.charge_expansion(name, value)
        return value

    # -- bounds (issue 12): expansion must not take the machine's memory ---------------------

    def charge_expansion(self, name: str, value: str) -> None:
        self.expanded += len(value)
        if self.expanded > MAX_VALUE_CHARS:
            raise ConfigError(TOO_LARGE, self.path, self.line,
                              f"the value expands to more than {MAX_VALUE_CHARS} characters "
                              f"(at ${name}): refused")

    def charge_total(self, name: str, value: str, line: int) -> None:
        if len(value) > MAX_VALUE_CHARS:
            raise ConfigError(TOO_LARGE, self.path, line,
                              f"{name} is longer than {MAX_VALUE_CHARS} characters: refused")
        self.total += len(value)
        if self.total > MAX_EXPANDED_CHARS:
            raise ConfigError(TOO_LARGE, self.path, line,
                              f"the values of the file expand to more than "
                              f"{MAX_EXPANDED_CHARS} characters (at {name}): refused")


def parse_assignments(
    text: str, path: str, environ: Mapping[str, str] | None = None
) -> list[Assignment]:
    """Every assignment in ``text``, in order, with values expanded as bash would.

    ``$NAME`` takes the value assigned earlier in the file, else ``environ[NAME]``,
    else "".  Raises ConfigError("config-syntax", ...) naming the offending line.
    """
    return _Parser(text, path, environ or {}).parse()


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


@dataclass(frozen=True, repr=False)  # made once per run: keep it cheap
class Config:
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


_INTEGER = re.compile(r"[0-9]+")


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
        if not _INTEGER.fullmatch(value):
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
        if value and not (_INTEGER.fullmatch(value) and not _too_many_digits(value, 65535)
                          and 1 <= _number(value) <= 65535):
            raise self.fail("FTP_PORT", "must be a port number from 1 to 65535")
        return str(_number(value)) if value else value  # leading zeros dropped: int()-safe

    def makedump_args(self) -> list[str]:
        # The original word-split this value without quote removal; do the same.
        # B7 fixed: -F (flattened output) is added unless some token already is -F,
        # not merely when the value starts with it.
        value = self.text("MAKEDUMP_ARGS", DEFAULT_MAKEDUMP_ARGS)
        tokens = [token for token in re.split(r"[ \t\n]+", value) if token]
        return tokens if "-F" in tokens else [*tokens, "-F"]

    def kexec_args(self) -> list[str]:
        # Data for kexec's argv, split like a shell would, never evaluated.
        try:
            return shlex.split(self.raw("KDUMP_KEXEC_ARGS"))
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
        if name in _HISTORICAL_KEYS:
            text = f"{name} is no longer used ({_HISTORICAL_KEYS[name]})"
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
    )
    _check_arguments(settings)
    return config, _key_warnings(assignments, path)


# ---------------------------------------------------------------------------
# Values that become a program's arguments
# ---------------------------------------------------------------------------

ARGUMENT_ERROR = "config-argument"
_SECRET_KEYS = frozenset({"FTP_PASSWORD"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BLANK = re.compile(r"\s")


def _option(value: str, program: str) -> str | None:
    if value.startswith("-"):
        return f"starts with '-': {program} would read it as an option"
    return None


def _one_word(value: str, program: str) -> str | None:
    if _BLANK.search(value):
        return _option(value, program) or f"contains white space: {program} would get it " \
            "as one argument"
    return _option(value, program)


def _ftp_host(value: str, program: str) -> str | None:
    host = value.partition(":")[0]
    if not host:
        return "has no host name before ':'"
    if "/" in host or host in (".", ".."):
        return f"host {host!r} is not a host name"
    return _one_word(host, program)


# Key -> the checks its (non-empty) value must pass, each giving the problem or None.
# Control characters first everywhere: in an FTP setting CR/LF would end the command
# and start another one on the server's control connection.
_Rule = Callable[[str, str], "str | None"]
_ARGUMENT_RULES: dict[str, tuple[tuple[str, _Rule], ...]] = {
    "SSH": (("ssh", _one_word),),
    "NFS": (("mount", _one_word),),
    "FTP": (("the FTP server", _ftp_host),),
    "FTP_USER": (),
    "FTP_PASSWORD": (),
}


def _check_arguments(settings: _Settings) -> None:
    """Reject, with file:line, a value that would reach a program as something else."""
    for key, rules in _ARGUMENT_RULES.items():
        value = settings.raw(key)
        if not value:
            continue
        problem = None
        if _CONTROL.search(value):
            problem = "contains a control character (CR, LF, TAB...)"
        for program, rule in rules:
            if problem is None:
                problem = rule(value, program)
        if problem is None:
            continue
        # Shown escaped (a CR must not rewrite the line it is reported on), and a
        # password never at all.
        shown = "********" if key in _SECRET_KEYS else value.encode("unicode_escape").decode()
        assignment = settings.assigned.get(key)
        reason = f"{key}='{shown}' {problem}"
        if assignment is None:
            reason += " (set in the environment)"
        raise ConfigError(ARGUMENT_ERROR, settings.path, assignment.line if assignment else None,
                          reason)


# ---------------------------------------------------------------------------
# Bytes, encodings and paths (issue 12, class 4)
# ---------------------------------------------------------------------------

# Settings that name a file or directory on this machine: a relative path would depend
# on the directory kdump-config happens to be started from.
ABSOLUTE_PATH_KEYS = ("KDUMP_COREDIR", "KDUMP_KERNEL", "KDUMP_INITRD", "SSH_KEY", "KDUMP_CONFIG")


def decode_config(data: bytes, path: str) -> str:
    """The file's text.  Bytes that are not UTF-8 survive as surrogates, so that a
    comment in another encoding stays harmless and a value holding them is refused
    (check_text_values) with its line, never silently replaced."""
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(TOO_LARGE, path, None,
                          f"the file is larger than {MAX_CONFIG_BYTES} bytes (a kdump-tools "
                          "config is a few kilobytes): refused")
    return data.decode("utf-8", "surrogateescape")


def _has_undecodable(text: str) -> bool:
    return any("\udc80" <= char <= "\udcff" for char in text)


def _shown(text: str) -> str:
    """``text`` with undecodable bytes written as \\xNN, safe to print."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def check_text_values(settings: _Settings, assignments: list[Assignment]) -> None:
    """Every value (and every known key taken from the environment) is UTF-8 text."""
    for assignment in assignments:
        if _has_undecodable(assignment.value):
            raise ConfigError(VALUE_ERROR, settings.path, assignment.line,
                              f"{assignment.name}='{_shown(assignment.value)}' holds bytes "
                              "that are not UTF-8 text")
    for key, value in settings.environ.items():
        if key not in settings.assigned and _has_undecodable(value):
            raise ConfigError(VALUE_ERROR, settings.path, None,
                              f"{key}='{_shown(value)}' holds bytes that are not UTF-8 text "
                              "(set in the environment)")


def check_absolute_paths(settings: _Settings) -> None:
    """A path-valued setting must be absolute (an empty one takes its default)."""
    for key in ABSOLUTE_PATH_KEYS:
        value = settings.raw(key)
        if value and not value.startswith("/"):
            raise settings.fail(key, "must be an absolute path (starting with /)")

"""What reading ``/etc/default/kdump-tools`` can end in: the error and warning types, their
catalog codes, the assignments it yields, and the size limits that bound it."""

from __future__ import annotations

from backends.record import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from kdump.codes import Code

SYNTAX_ERROR: Code = "config-syntax"
VALUE_ERROR: Code = "config-value"
UNKNOWN_KEY: Code = "config-unknown-key"
UNREADABLE: Code = "config-unreadable"
TOO_LARGE: Code = "config-too-large"

# Bounds that keep a hostile or broken file from taking the machine's memory (a 254-byte
# file of X=$X$X lines once needed 2 GB).  A real kdump-tools config is a few KiB.
MAX_CONFIG_BYTES = 1 << 20  # the file
MAX_VALUE_CHARS = 1 << 16  # one value, once $VAR expansions are done
MAX_EXPANDED_CHARS = 1 << 22  # every value of the file together
MAX_CONFIG_INTEGER = 10**9  # counts, retries, timeouts: far beyond any sane setting


class ConfigError(Exception):
    """A config file that cannot be used; ``code`` is config-syntax or config-value."""

    def __init__(self, code: Code, path: str, line: int | None, reason: str) -> None:
        where = path if line is None else f"{path}:{line}"
        super().__init__(f"{where}: {reason}")
        self.code = code
        self.path = path
        self.line = line
        self.reason = reason


class ConfigWarning(Record):
    """A config line worth a warning (an unknown or retired key)."""

    code: Code
    path: str
    line: int
    text: str


class Assignment(Record):
    """One NAME=VALUE of the config file, with its line."""

    name: str
    value: str
    line: int
    exported: bool


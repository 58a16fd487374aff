"""Read ``/etc/default/kdump-tools`` as data: the typed ``Config`` of a file.

The shell kdump-config *sourced* this file; here it is parsed with a restricted shell
grammar (kdump/configsyntax.py; errors and limits: kdump/configerrors.py), its keys, their
types, defaults and rules are the rows of kdump/configkeys.py, and values that become a
program's argument or a path are checked by kdump/configvalues.py.  Every
file the grammar accepts yields exactly the values bash would give its variables, and
every other file is rejected with a ``ConfigError`` naming the file and line.  Nothing
in a config file is ever executed.

The module is pure: callers read the file and pass its text (and, where wanted, the
process environment) in.  The names of the modules above are re-exported here.
"""

from __future__ import annotations

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
    ABSOLUTE_PATH_KEYS,
    HISTORICAL_KEYS,
    KEYS,
    KNOWN_KEYS,
    Config,
    Key,
    default_cmdline_append,
    parse_bool,
)
from kdump.configsyntax import parse_assignments
from kdump.configvalues import (
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
    from typing import Any

__all__ = [
    "ABSOLUTE_PATH_KEYS", "ARGUMENT_ERROR", "DEFAULTS_PATH", "KEYS", "KNOWN_KEYS",
    "MAX_CONFIG_BYTES", "MAX_CONFIG_INTEGER", "MAX_EXPANDED_CHARS", "MAX_VALUE_CHARS",
    "SYNTAX_ERROR", "TOO_LARGE",
    "UNKNOWN_KEY", "UNREADABLE", "VALUE_ERROR", "Assignment", "Config", "ConfigError",
    "ConfigWarning", "Key", "decode_config", "default_cmdline_append", "load_config",
    "parse_assignments", "parse_bool",
]


class _Settings:
    """Raw values of the known keys: the file's last assignment, else the environment."""

    def __init__(self, path: str, assigned: Mapping[str, Assignment],
                 environ: Mapping[str, str], arch: str) -> None:
        self.path = path
        self.assigned = assigned
        self.environ = environ
        self.arch = arch

    def raw(self, key: str) -> str:
        if key in self.assigned:
            return self.assigned[key].value
        return self.environ.get(key, "")

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
    settings = _Settings(path, last, {key: env[key] for key in KNOWN_KEYS if key in env}, arch)
    check_text_values(settings, assignments)
    check_absolute_paths(settings, KEYS)
    parsed: dict[str, Any] = {key.field: key.parse(settings, key) for key in KEYS}
    config = Config(
        path=path,
        use_kdump_raw=settings.raw("USE_KDUMP"),
        values={name: assignment.value for name, assignment in last.items()},
        present=text is not None,
        **parsed,
    )
    check_arguments(settings, KEYS)
    return config, _key_warnings(assignments, path)

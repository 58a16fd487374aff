"""Checks of config values beyond their syntax: values that become a program's
arguments, bytes that are not text, and paths that must be absolute."""

from __future__ import annotations

from kdump.configerrors import MAX_CONFIG_BYTES, TOO_LARGE, VALUE_ERROR, Assignment, ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from kdump.codes import Code
    from kdump.config import _Settings
    from kdump.configkeys import Key

# ---------------------------------------------------------------------------
# Values that become a program's arguments
# ---------------------------------------------------------------------------

ARGUMENT_ERROR: Code = "config-argument"


def _option(value: str, program: str) -> str | None:
    if value.startswith("-"):
        return f"starts with '-': {program} would read it as an option"
    return None


def one_word(value: str, program: str) -> str | None:
    if any(char.isspace() for char in value):  # what re's \s matches
        return _option(value, program) or f"contains white space: {program} would get it " \
            "as one argument"
    return _option(value, program)


def ftp_host(value: str, program: str) -> str | None:
    host = value.partition(":")[0]
    if not host:
        return "has no host name before ':'"
    if "/" in host or host in (".", ".."):
        return f"host {host!r} is not a host name"
    return one_word(host, program)


if TYPE_CHECKING:
    Rule = Callable[[str, str], "str | None"]  # (value, program) -> the problem, or None


def check_arguments(settings: _Settings, keys: Iterable[Key]) -> None:
    """Reject, with file:line, a value that would reach a program as something else."""
    # Control characters first everywhere: in an FTP setting CR/LF would end the command
    # and start another one on the server's control connection.
    for row in keys:
        if row.argument is None:
            continue
        key, rules = row.name, row.argument
        value = settings.raw(key)
        if not value:
            continue
        problem = None
        if any(char < " " or char == "\x7f" for char in value):
            problem = "contains a control character (CR, LF, TAB...)"
        for program, rule in rules:
            if problem is None:
                problem = rule(value, program)
        if problem is None:
            continue
        # Shown escaped (a CR must not rewrite the line it is reported on), and a
        # password never at all.
        shown = "********" if row.secret else value.encode("unicode_escape").decode()
        assignment = settings.assigned.get(key)
        reason = f"{key}='{shown}' {problem}"
        if assignment is None:
            reason += " (set in the environment)"
        raise ConfigError(ARGUMENT_ERROR, settings.path, assignment.line if assignment else None,
                          reason)



# ---------------------------------------------------------------------------
# Bytes, encodings and paths
# ---------------------------------------------------------------------------


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


def check_absolute_paths(settings: _Settings, keys: Iterable[Key]) -> None:
    """A setting that names a file or directory on this machine must be an absolute path
    (a relative one would depend on the directory kdump-config is started from); an empty
    one takes its default."""
    for row in keys:
        value = settings.raw(row.name)
        if row.absolute and value and not value.startswith("/"):
            raise settings.fail(row.name, "must be an absolute path (starting with /)")

"""Kernel command lines as tokens, and argv as text a shell would read back."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


# Parameters that must not reach the capture kernel (it would reserve memory again,
# or allocate huge pages it does not have).
STRIPPED_FOR_CAPTURE = frozenset({"crashkernel", "hugepages", "hugepagesz", "abm"})


def tokens(cmdline: str) -> list[str]:
    """Split like the kernel: on blanks, except inside double quotes (kept as written)."""
    out: list[str] = []
    current: list[str] = []
    quoted = False
    for char in cmdline.strip():
        if char == '"':
            quoted = not quoted
        if char.isspace() and not quoted:
            if current:
                out.append("".join(current))
                current = []
            continue
        current.append(char)
    if current:
        out.append("".join(current))
    return out


def param_name(token: str) -> str:
    return token.split("=", 1)[0].strip('"')


def has_param(cmdline: str, name: str) -> bool:
    """True if a token is exactly ``name=...`` (``xcrashkernel=`` is not ``crashkernel=``)."""
    return any(param_name(tok) == name and "=" in tok for tok in tokens(cmdline))


def param_values(cmdline: str, name: str) -> list[str]:
    return [tok.split("=", 1)[1] for tok in tokens(cmdline) if param_name(tok) == name
            and "=" in tok]


def strip_params(cmdline: str, names: Iterable[str] = STRIPPED_FOR_CAPTURE) -> str:
    drop = set(names)
    return " ".join(tok for tok in tokens(cmdline) if param_name(tok) not in drop)


_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_")


def _quote(text: str) -> str:
    if text and all(char in _SAFE for char in text):
        return text
    if "$" in text or "`" in text:
        # Inside double quotes a shell reads \$ and \` as $ and `, but shlex.split keeps
        # the backslash; single quotes mean the same text to both.
        return "'" + text.replace("'", "'\\''") + "'"
    escaped = "".join("\\" + char if char in '"\\' else char for char in text)
    return f'"{escaped}"'


def render_argv(argv: Sequence[str]) -> str:
    """Show argv as a shell command that means exactly this argv.

    ``--opt=value`` keeps the option bare and quotes the value, which reads like
    the original's ``--command-line="..."`` and still round-trips through a shell.
    """
    words = []
    for arg in argv:
        if arg.startswith("--") and "=" in arg:
            option, value = arg.split("=", 1)
            if all(char in _SAFE for char in option):
                words.append(f"{option}={_quote(value)}" if value else f"{option}=")
                continue
        words.append(_quote(arg))
    return " ".join(words)

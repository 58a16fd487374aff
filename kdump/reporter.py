"""Rendering catalog messages the way Debian's lsb init-functions do, and --json."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

from backends.record import Record
from kdump.messages import CATALOG

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import TextIO

    from kdump.codes import Code
    from kdump.messages import Severity

SCHEMA_VERSION = 1
_RED, _YELLOW, _RESET = "\033[31m", "\033[33m", "\033[0m"


def fancy_terminal(stream: TextIO) -> bool:
    """Colour only on a real terminal that can show it (as lsb's FANCYTTY), and never
    when NO_COLOR is set to anything but the empty string (https://no-color.org)."""
    term = os.environ.get("TERM", "")
    return stream.isatty() and term not in ("", "dumb") and not os.environ.get("NO_COLOR")


def render(severity: Severity, text: str, colour: bool = False) -> str:
    if severity == "failure":
        tail = f"{_RED}failed!{_RESET}" if colour else "failed!"
        return f"{text} ... {tail}"
    if severity == "warning":
        tail = f"{_YELLOW}(warning).{_RESET}" if colour else "(warning)."
        return f"{text} ... {tail}"
    if severity in ("action", "success"):
        return f"{text}."
    return text


_NAMED_CONTROLS = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str, keep: str = "") -> str:
    """``text`` as it may reach a terminal or a log: every control character (C0, DEL,
    C1) in a visible form (``\\n``, ``\\t``, ``\\x1b``, ``\\u009b``) but those in
    ``keep``, and bytes that are not UTF-8 as ``\\xNN`` (see ``undecodable``).

    The one rendering rule of text output: a newline in a path cannot forge a line
    (``current state: ready to kdump``), an escape sequence in a file name cannot drive
    the terminal.  Backslashes are kept as they are.
    """
    text = undecodable(text)
    if text.isprintable():  # the usual case, and all a status line needs
        return text
    out = []
    for char in text:
        code = ord(char)
        if (code < 0x20 or 0x7F <= code < 0xA0) and char not in keep:
            out.append(_NAMED_CONTROLS.get(char)
                       or (f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"))
        else:
            out.append(char)
    return "".join(out)


def undecodable(text: str) -> str:
    """Bytes that are not UTF-8 (from argv, the environment, a file or link name) written
    as \\xNN.

    They reach Python as lone surrogates, which a strict UTF-8 stdout refuses and a JSON
    reader may reject.
    """
    if text.isascii():
        return text
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def json_safe(value: object) -> object:
    """``value`` with every string (keys too) valid UTF-8 (``undecodable``); control
    characters stay, as JSON escapes them itself."""
    if isinstance(value, str):
        return undecodable(value)
    if isinstance(value, dict):
        return {undecodable(str(k)): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


# Who is told of every catalog code any Reporter emits (see ``observe``).
_OBSERVERS: list[Callable[[str], None]] = []


@contextmanager
def observe(callback: Callable[[str], None]) -> Iterator[None]:
    """Tell ``callback`` the code of every message emitted meanwhile, by any Reporter.

    The seam for what watches the messages from outside (the catalog coverage of the
    scenarios): the composition root builds its Reporters itself.
    """
    _OBSERVERS.append(callback)
    try:
        yield
    finally:
        _OBSERVERS.remove(callback)


def unpadded(line: str) -> str:
    """A message line without the padding that aligns it in a text report: the indent, and
    the blanks before a label's colon (``current state   : ready`` -> ``current state: ready``).
    """
    line = line.strip()
    pad = line.find("  :")
    return line if pad < 0 else line[:pad].rstrip() + line[pad + 2:]


class Emitted(Record, frozen=False):
    """A message shown (or collected for --json)."""

    code: Code
    severity: Severity
    lines: list[str]
    text: str = ""  # the message's own words, without the indent a report layout adds


class Reporter:
    """Prints messages (or collects them for --json) and sends flagged ones to syslog."""

    def __init__(self, name: str = "kdump-config", json_mode: bool = False,
                 out: TextIO | None = None, err: TextIO | None = None,
                 syslog: object | None = None, command: str = "") -> None:
        self.name = name
        self.json_mode = json_mode
        self.out: TextIO = sys.stdout if out is None else out
        self.err: TextIO = sys.stderr if err is None else err
        self.syslog = syslog  # Host.syslog(tag, message, fields), once the host is known
        self.command = command  # the kdump-config command, a field of every journal entry
        self.emitted: list[Emitted] = []
        # Journal entries kept back (hold_journal) until release_journal: savecore's, while
        # the dump is not safe yet. The first entry imports structlog (seconds on a slow
        # CPU), which must not come before the dump. A warning or a failure goes at once,
        # with everything kept before it.
        self.held: list[tuple[Code, list[str]]] | None = None

    def emit(self, code: Code, **params: object) -> int:
        """Show catalog message ``code``; returns its exit code (for fatal use)."""
        return self.emit_indented(code, "", params)

    def emit_indented(self, code: Code, indent: str, params: dict[str, object]) -> int:
        message = CATALOG[code]
        lines = self.note(code, params, indent)
        if not self.json_mode:
            stream = self.err if message.stderr else self.out
            colour = fancy_terminal(stream)
            for line in lines:
                stream.write(render(message.severity, line, colour) + "\n")
            stream.flush()
        if message.syslog:
            self._journal(code, lines)
        return message.exit_code

    def log(self, code: Code, **params: object) -> None:
        """Journal catalog message ``code`` without showing it (a journal-only message)."""
        self._journal(code, self.lines(code, params))

    def hold_journal(self) -> None:
        if self.held is None:
            self.held = []

    def release_journal(self) -> None:
        """Send what was kept back, in order, and stop keeping entries back."""
        held, self.held = self.held or [], None
        for code, lines in held:
            self._journal(code, lines)

    def _journal(self, code: Code, lines: list[str]) -> None:
        if self.syslog is None:
            return
        if self.held is not None:
            self.held.append((code, lines))
            if CATALOG[code].severity in ("failure", "warning"):
                self.release_journal()
                self.hold_journal()
            return
        from kdump.logging import log_message

        prefix = f"{self.name}: "
        text = " ".join(line.removeprefix(prefix) for line in lines)
        log_message(self.syslog, printable(self.name), code, CATALOG[code].severity,
                    text, self.command)

    def note(self, code: Code, params: dict[str, object], indent: str = "") -> list[str]:
        """Catalog message ``code`` as lines, noted for --json but not printed: for a
        command that lays messages out itself (check)."""
        words = self.lines(code, params)
        lines = [indent + word for word in words]
        self.emitted.append(Emitted(code, CATALOG[code].severity, lines,
                                    "\n".join(unpadded(word) for word in words)))
        return lines

    def lines(self, code: Code, params: dict[str, object], indent: str = "") -> list[str]:
        """Catalog message ``code`` as the lines it prints (every message passes here:
        shown, laid out by check, or journal-only)."""
        for observer in _OBSERVERS:
            observer(code)
        return [printable(indent + line)
                for line in CATALOG[code].lines({"name": self.name, **params})]

    def line(self, text: str = "") -> None:
        """A report line of show/test/help (not a message: no code); its layout's tabs are
        kept, every other control character is shown escaped."""
        if not self.json_mode:
            self.out.write(printable(text, keep="\t") + "\n")

    def passthrough(self, text: str) -> None:
        """A child program's own words, on stderr (nothing with --json): its lines as it
        wrote them, but no other control character reaches the terminal raw."""
        if text.strip() and not self.json_mode:
            shown = printable(text, keep="\n\t")
            self.err.write(shown if shown.endswith("\n") else shown + "\n")

    def codes(self) -> list[str]:
        return [entry.code for entry in self.emitted]

    def has_failure(self) -> bool:
        return any(entry.severity == "failure" for entry in self.emitted)

    def json_document(self, command: str, exit_code: int, data: dict[str, object]) -> str:
        document = {
            "schema_version": SCHEMA_VERSION,
            "command": command,
            "exit_code": exit_code,
            "messages": [
                {"code": e.code, "severity": e.severity, "text": e.text}
                for e in self.emitted
            ],
            **data,
        }
        import json  # --json only: not on the start-up of every status

        return json.dumps(json_safe(document), indent=2, sort_keys=False)

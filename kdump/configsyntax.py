"""The restricted shell grammar of ``/etc/default/kdump-tools``, and its errors.

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

from kdump.configerrors import (
    MAX_EXPANDED_CHARS,
    MAX_VALUE_CHARS,
    TOO_LARGE,
    Assignment,
    ConfigError,
)
from kdump.configscanner import BLANKS, NAME_START, Scanner, name_end

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

# ---------------------------------------------------------------------------
# The restricted shell grammar
# ---------------------------------------------------------------------------

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


class _Parser(Scanner):
    """The grammar: statements, quoting and expansion, over the Scanner's cursor."""

    def __init__(self, text: str, path: str, environ: Mapping[str, str]) -> None:
        super().__init__(text, path)
        self.environ = environ
        self.variables: dict[str, str] = {}
        self.assignments: list[Assignment] = []
        self.spans: list[tuple[int, int]] = []  # where each assignment's value is written
        self.value_end = 0
        self.expanded = 0  # characters $VAR expansions added to the value being read
        self.total = 0  # characters of every value so far

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
        if name == "export" and self.peek() and self.peek() in BLANKS:
            self.export_statement(start, start_line)
        elif name and self.peek() == "=":
            self.advance()
            self.assign_value(name, start_line, exported=False)
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
            self.assign_value(name, start_line, exported=True)
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
        after = name_end(self.text, start)
        name = self.text[start:after]
        rest = self.text[after:]
        if name and rest.startswith("+="):
            return self.error("appending with '+=' is not supported: write NAME=\"${NAME}...\"")
        if name and rest.startswith("["):
            return self.error("array assignments are not supported")
        if name and rest.lstrip(BLANKS).startswith("="):
            return self.error(
                f"no spaces are allowed around '=' (bash would run {name!r} as a command)"
            )
        if name == "export":
            return self.error("'export' must be followed by NAME or NAME=VALUE")
        if not name:
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

    def assign_value(self, name: str, line: int, *, exported: bool) -> None:
        """The value after ``=`` (the cursor is just past it), assigned to ``name``."""
        start = self.pos
        value = self.value()
        self.assign(name, value, line, exported=exported)
        self.spans.append((start, max(start, self.value_end)))

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
        self.value_end = self.pos
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
            # Not past the backslash-newline joins peek() may skip after the last part.
            self.value_end = self.pos
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
        if following in NAME_START:
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

    # -- bounds: expansion must not take the machine's memory ---------------------

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


def parse_assignment_spans(
    text: str, path: str, environ: Mapping[str, str] | None = None
) -> list[tuple[Assignment, int, int]]:
    """Like parse_assignments, with where each value is written: ``text[start:end]`` is
    the value as the file spells it (quotes and escapes included), so that a tool can
    change one value and keep the rest of the line, comments and line endings as they are.
    """
    parser = _Parser(text, path, environ or {})
    assignments = parser.parse()
    return [(assignment, start, end)
            for assignment, (start, end) in zip(assignments, parser.spans, strict=True)]


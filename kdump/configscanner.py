"""The cursor the config grammar (kdump/configsyntax.py) reads the file with.

bash deletes every backslash-newline before it tokenizes, except inside single
quotes, in comments, and when the backslash is itself escaped; it may even split a
variable name.  ``peek``/``advance`` therefore skip such pairs ("joins"), while
quoted text, comments and escaped characters are read raw (``advance_raw``).
"""

from __future__ import annotations

from kdump.configerrors import SYNTAX_ERROR, ConfigError

BLANKS = " \t"

# A shell NAME, ASCII only as bash reads one in the C locale (no ``re``: start-up cost).
NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
NAME_CHAR = NAME_START | frozenset("0123456789")


def name_end(text: str, start: int) -> int:
    """Where the NAME starting at ``start`` ends (``start`` when none starts there)."""
    if start >= len(text) or text[start] not in NAME_START:
        return start
    end = start + 1
    while end < len(text) and text[end] in NAME_CHAR:
        end += 1
    return end


class Scanner:
    """A cursor over the whole text plus the current line, for ``path``'s errors."""

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.pos = 0
        self.line = 1

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
        if self.peek() not in NAME_START:
            return ""
        chars = [self.advance()]
        while self.peek() in NAME_CHAR:
            chars.append(self.advance())
        return "".join(chars)

    def at_word_end(self) -> bool:
        char = self.peek()
        return char == "" or char == "\n" or char in BLANKS

    def skip_blanks(self) -> None:
        while self.peek() and self.peek() in BLANKS:
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

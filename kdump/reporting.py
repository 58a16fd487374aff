"""How the core reports: the interface it owns, which a renderer satisfies.

The commands and the lock say what happened through these; how it is shown (text or
--json, colours, the journal) is the renderer's (kdump.reporter.Reporter, made by the
command line).  Types only: nothing here is loaded at run time.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol, TextIO

    from kdump.codes import Code

    class Emits(Protocol):
        """What the lock needs: say a catalog message, get its exit status."""

        def emit(self, code: Code, **params: object) -> int: ...

    class Reports(Emits, Protocol):
        """What a command needs: messages, its report's lines, and a program's words."""

        @property
        def json_mode(self) -> bool: ...

        @property
        def err(self) -> TextIO: ...

        def emit_indented(self, code: Code, indent: str, params: dict[str, object]) -> int: ...

        def note(self, code: Code, params: dict[str, object],
                 indent: str = "") -> list[str]: ...

        def log(self, code: Code, **params: object) -> None: ...

        def line(self, text: str = "") -> None: ...

        def passthrough(self, text: str) -> None: ...

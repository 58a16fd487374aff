"""Importing a library as if rich were not installed, for that import only.

typer before 0.16 (Debian trixie ships 0.15.2) and structlog import rich when rich is
installed (Debian's python3-typer brings it), for consoles and tracebacks kdump-config never
shows: most of the start-up of a command under a slow CPU, and memory of the capture kernel,
where savecore runs and logs. Neither has a switch for it; both take rich as missing when
`import rich` fails while they load. Hiding it only for that import leaves rich importable
for whatever else runs in the process.
"""

from __future__ import annotations

import sys


def import_without_rich(module: str) -> None:
    """Import ``module`` (once) with rich hidden; nothing if it or rich is loaded already."""
    if module in sys.modules or "rich" in sys.modules:
        return
    sys.modules["rich"] = None  # type: ignore[assignment]
    try:
        __import__(module)
    finally:
        del sys.modules["rich"]

"""Start-up stays lean with every typer in the supported range (trixie's 0.15.2 included)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.real_processes  # a fresh interpreter measures imports


def test_importing_the_cli_loads_neither_rich_nor_structlog() -> None:
    # typer 0.15 imports rich eagerly unless kdump.cli keeps it out; structlog loads only
    # when a message is logged. Run in a fresh interpreter: this one has imported both.
    probe = ("import sys, kdump.cli; "
             "print(sorted(m for m in ('rich', 'structlog') if sys.modules.get(m)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"

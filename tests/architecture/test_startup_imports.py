"""Start-up stays lean with every typer in the supported range (trixie's 0.15.2 included)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.machine import SimulatedMachine

pytestmark = pytest.mark.real_processes  # a fresh interpreter measures imports


def test_importing_the_cli_loads_neither_rich_nor_structlog() -> None:
    # typer 0.15 imports rich eagerly unless kdump.cli keeps it out; structlog loads only
    # when a message is logged. Run in a fresh interpreter: this one has imported both.
    probe = ("import sys, kdump.cli; "
             "print(sorted(m for m in ('rich', 'structlog') if sys.modules.get(m)))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_a_typer_command_runs_without_rich_and_leaves_rich_importable(tmp_path: Path) -> None:
    # typer 0.15 imports rich when it is imported: kdump.typer_app keeps rich out of that
    # import only, never out of the process (an `import rich` after it still works).
    SimulatedMachine.create(tmp_path / "m", "x86_64-ready")
    probe = ("import sys; from kdump.cli import main; "
             f"status = main(['--backend', 'sim', '--sim-state', {str(tmp_path / 'm')!r}, "
             "'show']); "
             "loaded = sorted(m for m in sys.modules if m == 'rich' or m.startswith('rich.')); "
             "import rich.text; "
             "print(status, 'typer' in sys.modules, loaded, rich.text.Text('x').plain)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()
    assert out[-1] == "0 True [] x"

"""Every well-known path of the target machine is spelled once: kdump/paths.py.

The core and the backends name these paths through kdump/paths.py (the simulated machine,
sim/, spells its own: it is the machine the paths describe and never imports the core), so
moving one is a one-line change and two modules can never disagree about where a file is.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kdump.paths

TOP = Path(__file__).resolve().parents[2]
PATHS = TOP / "kdump" / "paths.py"
CHECKED = sorted(p for p in [*(TOP / "kdump").rglob("*.py"), *(TOP / "backends").rglob("*.py")]
                 if p != PATHS)


def _well_known() -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in vars(kdump.paths).items():
        if name.isupper():
            for path in value if isinstance(value, tuple) else (value,):
                found[path] = name
    return found


def test_the_module_lists_the_paths_the_core_names() -> None:
    # The guard below is empty if the table is: it must hold the paths named in the issue.
    assert {"/var/lib/kdump", "/proc/vmcore", "/etc/default/kdump-tools"} <= set(_well_known())


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: p.relative_to(TOP).as_posix())
def test_no_other_module_spells_a_well_known_path(path: Path) -> None:
    known = _well_known()
    spelled = [f"{node.lineno}: {node.value!r} (kdump.paths.{known[node.value]})"
               for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
               if isinstance(node, ast.Constant) and isinstance(node.value, str)
               and node.value in known]
    assert not spelled, f"{path.relative_to(TOP)} spells {spelled}"

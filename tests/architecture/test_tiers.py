"""Where test code lives: bench/ and the sandbox tier's machinery never import tests/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[2]
OUTSIDE_TESTS = sorted([*(TOP / "bench").glob("*.py"), *(TOP / "sandbox").glob("*.py")])


def _rel(path: Path) -> str:
    return path.relative_to(TOP).as_posix()


@pytest.mark.parametrize("path", OUTSIDE_TESTS, ids=_rel)
def test_bench_and_the_sandbox_use_no_test_code(path: Path) -> None:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert not {name for name in imported if name.split(".")[0] == "tests"}, \
        f"{_rel(path)} imports test code: move what it needs to sandbox/ or the product"

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


TESTS = TOP / "tests"
TIERS = ("unit", "adapter", "scenarios", "processes", "architecture", "packaging",
         "maintainer", "e2e", "host")
# Not tiers: the scenario steps and test machines, the Debian package check dev/deb runs.
HELPERS = ("steps", "deb")


def test_every_tier_is_a_folder_with_a_readme() -> None:
    for tier in TIERS:
        readme = TESTS / tier / "README.md"
        assert readme.is_file(), f"tests/{tier} has no README.md"
        lines = [line for line in readme.read_text().splitlines() if line.strip()]
        assert len(lines) >= 2 and lines[0].startswith(f"# tests/{tier}"), readme


def test_no_test_file_sits_outside_a_tier() -> None:
    loose = sorted(_rel(path) for path in TESTS.rglob("test_*.py")
                   if path.relative_to(TESTS).parts[0] not in TIERS)
    assert not loose, f"test files outside a tier folder: {loose}"
    folders = {path.name for path in TESTS.iterdir() if path.is_dir()
               and not path.name.startswith((".", "__"))}
    assert folders <= {*TIERS, *HELPERS}, sorted(folders - {*TIERS, *HELPERS})

"""The architecture's rules, enforced: the backends are the only door to the machine.

ruff's banned-api rule (pyproject.toml) keeps `subprocess` inside backends/runner.py;
this test covers what a linter cannot say: the core never touches files or
processes itself, and never picks a concrete backend.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[1]
CORE = sorted((TOP / "kdump").rglob("*.py"))
PRODUCT = sorted([*CORE, *(TOP / "backends").rglob("*.py"), *(TOP / "sim").rglob("*.py")])

# Only environment reads are allowed from os in the core (NAME, TERM, KDUMP_*).
CORE_OS_ALLOWED = {"environ"}
CORE_BANNED_MODULES = {"subprocess", "shutil", "pathlib", "tempfile", "fcntl", "ftplib",
                       "socket", "backends.linux", "backends.sim", "backends.rooted",
                       "backends.runner", "backends.power", "sim"}
PROCESS_MODULES = {"backends/runner.py"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _imports(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _rel(path: Path) -> str:
    return path.relative_to(TOP).as_posix()


@pytest.mark.parametrize("path", CORE, ids=_rel)
def test_core_reaches_the_machine_only_through_a_host(path: Path) -> None:
    tree = _tree(path)
    banned = {name for name in _imports(tree)
              if any(name == b or name.startswith(b + ".") for b in CORE_BANNED_MODULES)}
    assert not banned, f"{_rel(path)} imports {sorted(banned)}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in ("open", "exec", "eval", "compile"), \
                f"{_rel(path)}:{node.lineno} calls {node.func.id}()"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "os":
            assert node.attr in CORE_OS_ALLOWED, f"{_rel(path)}:{node.lineno} uses os.{node.attr}"


@pytest.mark.parametrize("path", PRODUCT, ids=_rel)
def test_only_the_runner_starts_processes(path: Path) -> None:
    tree = _tree(path)
    if _rel(path) not in PROCESS_MODULES:
        assert "subprocess" not in _imports(tree), f"{_rel(path)} imports subprocess"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr not in ("system", "popen", "execv", "execvp", "spawnv"), \
                f"{_rel(path)}:{node.lineno} starts a process outside the runner"
        if isinstance(node, ast.keyword) and node.arg == "shell":
            assert isinstance(node.value, ast.Constant) and node.value.value is False, \
                f"{_rel(path)}:{node.lineno} passes shell="


def test_the_factory_is_the_only_place_that_picks_a_backend() -> None:
    offenders = []
    for path in PRODUCT:
        if _rel(path) in ("backends/__init__.py",) or _rel(path).startswith("sim/"):
            continue
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Compare) and any(
                    isinstance(c, ast.Constant) and c.value in ("sim", "linux")
                    for c in node.comparators):
                offenders.append(f"{_rel(path)}:{node.lineno}")
    assert not offenders, f"branches on the backend kind: {offenders}"

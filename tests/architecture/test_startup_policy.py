"""The start-up policy (docs/architecture.md): Record for values only, the standard
library's context managers everywhere (none entered or left by hand)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[2]
PRODUCT = sorted([*(TOP / "kdump").rglob("*.py"), *(TOP / "backends").rglob("*.py"),
                  *(TOP / "sim").rglob("*.py")])
# What a service holds: a machine, a stream, a reporter, a command's context or run.
SERVICES = {"Host", "Reporter", "Context", "Run", "TextIO", "IO", "SimulatedMachine"}


def _rel(path: Path) -> str:
    return path.relative_to(TOP).as_posix()


def _names(annotation: ast.expr) -> set[str]:
    """The names an annotation holds; a Callable's signature is not held (a seam that
    takes a Host holds a function)."""
    if isinstance(annotation, ast.Subscript) and "Callable" in _names(annotation.value):
        return {"Callable"}
    if isinstance(annotation, ast.Name):
        return {annotation.id}
    if isinstance(annotation, ast.Attribute):
        return {annotation.attr}
    return set().union(*map(_names, ast.iter_child_nodes(annotation)))


def _records(tree: ast.Module) -> list[ast.ClassDef]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
            and any("Record" in _names(base) for base in node.bases)]


@pytest.mark.parametrize("path", PRODUCT, ids=_rel)
def test_a_record_holds_values_never_a_service(path: Path) -> None:
    for record in _records(ast.parse(path.read_text(), filename=str(path))):
        for statement in record.body:
            if isinstance(statement, ast.AnnAssign):
                held = _names(statement.annotation) & SERVICES
                assert not held, (f"{_rel(path)}:{statement.lineno}: record {record.name} "
                                  f"holds {sorted(held)}: a service is a plain class")


@pytest.mark.parametrize("path", PRODUCT, ids=_rel)
def test_no_context_is_entered_or_left_by_hand(path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr not in ("__enter__", "__exit__"), \
                f"{_rel(path)}:{node.lineno}: use with, ExitStack or contextmanager"


def test_the_record_rule_sees_a_service_field() -> None:
    """The rule above is no rule if it cannot see this (the guard's own check)."""
    tree = ast.parse("class Reporter(Record, frozen=False):\n    out: TextIO | None\n")
    (record,) = _records(tree)
    statement = record.body[0]
    assert isinstance(statement, ast.AnnAssign)
    assert _names(statement.annotation) & SERVICES == {"TextIO"}



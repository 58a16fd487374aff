"""Issue 10: docs/schema holds the JSON Schema of every command's --json document, current
with kdump/schemas.py, every field documented; the scenarios validate against them
(tests/steps/cli.py)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

import kdump
from kdump.commands.table import TABLE
from kdump.schemas import SCHEMA_DIR, files
from tests.steps.cli import schema_problems

TOP = Path(__file__).resolve().parents[2]
PUBLISHED = TOP / SCHEMA_DIR


def test_the_published_schemas_are_current() -> None:
    wanted = files()
    on_disk = {path.name: path.read_text(encoding="utf-8") for path in PUBLISHED.glob("*.json")}
    assert on_disk == wanted, "docs/schema is stale: run dev/gen-schemas"


def test_one_schema_per_command() -> None:
    commands = {spec.command for spec in TABLE} | {"usage", "version"}
    assert {path.stem for path in PUBLISHED.glob("*.json")} == commands


def _undocumented(node: Any, where: str) -> list[str]:
    missing = []
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            if "description" not in sub:
                missing.append(f"{where}/{name}")
            missing += _undocumented(sub, f"{where}/{name}")
        if isinstance(node.get("items"), dict):
            if "description" not in node["items"]:
                missing.append(f"{where}[]")
            missing += _undocumented(node["items"], f"{where}[]")
    return missing


@pytest.mark.parametrize("path", sorted(PUBLISHED.glob("*.json")), ids=lambda p: p.stem)
def test_every_field_is_documented_and_none_undeclared(path: Path) -> None:
    import jsonschema

    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema.get("description") and not _undocumented(schema, path.stem)
    assert schema["additionalProperties"] is False


def test_a_field_the_schema_does_not_know_is_refused() -> None:
    document = {"schema_version": 1, "command": "status", "exit_code": 0, "messages": [],
                "dump_mode": "kdump", "ready": True}
    assert schema_problems(document) == []
    assert schema_problems({**document, "surprise": 1})
    assert schema_problems({k: v for k, v in document.items() if k != "ready"})
    assert schema_problems({**document, "messages": [
        {"code": "no-such-code", "severity": "plain", "text": "x"}]})


def test_the_version_is_the_release_everywhere() -> None:
    project = tomllib.loads((TOP / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    changelog = (TOP / "debian" / "changelog").read_text(encoding="utf-8").splitlines()[0]
    assert project["version"] == kdump.__version__
    assert changelog.startswith(f"kdump-config ({kdump.__version__})")

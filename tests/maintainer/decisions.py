"""The decisions of docs/compatibility.md: each ``### <id>`` heading, once."""

from __future__ import annotations

import re
from pathlib import Path

COMPATIBILITY = Path(__file__).resolve().parents[2] / "docs" / "compatibility.md"
TAG_PREFIX = "decision-"


def decision_headings(text: str | None = None) -> list[str]:
    """Every ``### id`` heading in order, repeats included (a test refuses repeats)."""
    source = COMPATIBILITY.read_text() if text is None else text
    return re.findall(r"^### ([a-z0-9][a-z0-9-]*)\s*$", source, re.MULTILINE)


def decision_ids() -> list[str]:
    return sorted(set(decision_headings()))

"""Every @decision-<id> tag on a scenario names a decision of docs/compatibility.md.

Maintainer mode (dev/maintainer-check) excuses a scenario's difference from the shell
original only by such a tag, so a tag must resolve to exactly one decision that says why.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.maintainer.decisions import COMPATIBILITY, TAG_PREFIX, decision_headings

FEATURES = Path(__file__).resolve().parents[2] / "features"


def feature_tags() -> list[tuple[str, int, str]]:
    """(feature file, line, decision id) of every decision tag."""
    found = []
    for feature in sorted(FEATURES.glob("*.feature")):
        for number, line in enumerate(feature.read_text().splitlines(), 1):
            if line.lstrip().startswith("@"):
                for tag in re.findall(r"@(\S+)", line):
                    if tag.startswith(TAG_PREFIX):
                        found.append((feature.name, number, tag[len(TAG_PREFIX):]))
    return found


def unresolved(tags: list[tuple[str, int, str]], headings: list[str]) -> list[str]:
    known = set(headings)
    return [f"{name}:{line}: @{TAG_PREFIX}{ident}" for name, line, ident in tags
            if ident not in known]


def sections(text: str) -> dict[str, str]:
    """Each decision's text, up to the next heading."""
    parts = re.split(r"^(#{2,3} .*)$", text, flags=re.MULTILINE)
    bodies: dict[str, str] = {}
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        if heading.startswith("### "):
            bodies[heading[4:].strip()] = body.strip()
    return bodies


def test_every_decision_tag_names_a_decision() -> None:
    tags = feature_tags()
    assert tags, "no scenario carries a decision tag"
    assert unresolved(tags, decision_headings()) == []


def test_an_unknown_tag_is_reported() -> None:
    assert unresolved([("x.feature", 3, "no-such-decision")], decision_headings()) == \
        ["x.feature:3: @decision-no-such-decision"]


def test_each_decision_is_listed_once_with_its_reason() -> None:
    headings = decision_headings()
    assert sorted({h for h in headings if headings.count(h) > 1}) == []
    bodies = sections(COMPATIBILITY.read_text())
    assert [h for h in headings if len(bodies.get(h, "")) < 40] == []


def test_every_decision_tag_is_a_registered_marker(pytestconfig: pytest.Config) -> None:
    # --strict-markers refuses a scenario whose tag is not one of these.
    registered = {line.split(":")[0] for line in pytestconfig.getini("markers")}
    assert {f"{TAG_PREFIX}{ident}" for _, _, ident in feature_tags()} <= registered


def test_the_verdicts() -> None:
    from tests.maintainer.report import verdict

    assert verdict(False, None, [], own=False) == "same"
    assert verdict(True, None, ["fix-no-eval"], own=False) == "decided"
    assert verdict(True, None, [], own=False) == "unexpected"
    # Against this project's own package a decision excuses nothing.
    assert verdict(True, None, ["fix-no-eval"], own=True) == "unexpected"
    assert verdict(False, "not applicable in a chroot: x", [], own=False) == "not-applicable"
    # Any other skip hides something: it is not a verdict of "same".
    assert verdict(False, "no reason", [], own=False) == "unexpected"

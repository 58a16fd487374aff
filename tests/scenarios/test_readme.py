"""The README's walk-throughs run as written (issue 10).

Every ```sh block of README.md is a walk-through unless the line before it says
``<!-- not run by tests/scenarios/test_readme.py: REASON -->``; each walk-through is followed by
a ```text block with what it prints (stdout and stderr, in order).  In that block a
line ``[...]`` stands for any number of lines, and ``[...]`` inside a line for any text
(a plain ``...``, as in ``X ... failed!``, is literal).
The blocks run in order, in one shell, as a user would type them after the first
command (``dev/demo``): in a fresh directory whose ``.venv`` is the venv running the
tests, with an environment holding nothing of ours.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SKIP = re.compile(r"<!-- not run by tests/scenarios/test_readme\.py: .+ -->")
FENCE = re.compile(r"^```(\S*)\s*$")
MARK = "@@kdump-readme-block@@"
WILD = "[...]"


@dataclass
class Block:
    line: int
    lang: str
    text: str
    skipped: bool


def blocks(text: str) -> list[Block]:
    found: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if not fence:
            index += 1
            continue
        start, body = index, []
        index += 1
        while index < len(lines) and not lines[index].startswith("```"):
            body.append(lines[index])
            index += 1
        previous = lines[start - 1] if start else ""
        found.append(Block(start + 1, fence.group(1), "\n".join(body),
                           bool(SKIP.fullmatch(previous.strip()))))
        index += 1
    return found


def walk_throughs(text: str) -> list[tuple[Block, Block]]:
    """Each runnable sh block with the text block right after it."""
    found = blocks(text)
    pairs = []
    for position, block in enumerate(found):
        if block.lang != "sh" or block.skipped:
            continue
        after = found[position + 1] if position + 1 < len(found) else None
        assert after is not None and after.lang == "text", \
            f"README.md:{block.line}: a walk-through needs its output in a ```text block"
        pairs.append((block, after))
    return pairs


def expected_pattern(expected: str) -> re.Pattern[str]:
    parts = []
    for line in expected.splitlines():
        if line == WILD:
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(piece) for piece in line.split(WILD)) + r"\n")
    return re.compile("".join(parts))


def test_the_readme_points_nowhere_outside_the_repository() -> None:
    text = README.read_text()
    outside = re.findall(r"(?<![.\w])\.\./\S*", text)
    assert outside == [], f"README.md points outside the repository: {outside}"
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        assert "://" in target or (ROOT / target).exists(), target
    for path in re.findall(r"`((?:docs|sim|tests|dev|debian|features|kdump|backends)/[^`\s*<]+)`",
                           text):
        assert (ROOT / path.rstrip("/")).exists(), f"README.md names {path}, which is not here"


@pytest.mark.real_processes  # the walk-throughs run as a shell would run them
def test_every_readme_walk_through_prints_what_the_readme_says(tmp_path: Path) -> None:
    pairs = walk_throughs(README.read_text())
    assert len(pairs) >= 3
    home = tmp_path / "checkout"
    home.mkdir()
    (home / ".venv").symlink_to(Path(sys.executable).parent.parent)
    script = ["exec 2>&1"]
    for index, (command, _) in enumerate(pairs):
        script += [f"echo {MARK}{index}", command.text]
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path),
           "TMPDIR": str(tmp_path), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=home, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    outputs = re.split(rf"^{MARK}\d+\n", done.stdout, flags=re.M)[1:]
    assert len(outputs) == len(pairs), done.stdout
    for (command, expected), output in zip(pairs, outputs, strict=True):
        pattern = expected_pattern(expected.text + "\n" if expected.text else "")
        assert pattern.fullmatch(output), (
            f"README.md:{command.line}: the walk-through printed\n{output}\n"
            f"but README.md:{expected.line} says\n{expected.text}")


@pytest.mark.parametrize(("expected", "output", "matches"), [
    ("a\n[...]\nz", "a\nb\nc\nz\n", True),
    ("a\n[...]\nz", "a\nz\n", True),
    ("total [...]", "total 48\n", True),
    ("x ... failed!", "x ... failed!\n", True),
    ("x ... failed!", "x is fine failed!\n", False),
    ("a\nz", "a\nb\nz\n", False),
    ("loaded.", "loaded!\n", False),
])
def test_the_output_pattern(expected: str, output: str, matches: bool) -> None:
    assert bool(expected_pattern(expected + "\n").fullmatch(output)) is matches

"""The catalog against its contract and its scenarios.

1. Every diagnostic of the seed man page (the contract, ``shared/seed`` beside the
   repository) has a catalog entry worded as the seed words it.
2. Every catalog message's wording is asserted somewhere in ``features/``: each line
   of its template, rendered the way kdump-config prints it, matches a line of a
   feature file.  A template that is nothing but fields ("{detail}") would match
   any line, so there the scenario must name the code: in a JSON assertion, or in
   a ``# code: NAME`` comment above a text-mode scenario.
   tests/scenarios/test_catalog_coverage.py checks the other half: that running the
   scenarios makes kdump-config emit every code.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from kdump.messages import CATALOG, Message

TOP = Path(__file__).resolve().parents[2]
FEATURES = TOP / "features"

# The seed's DIAGNOSTICS headings, in seed order, as the seed prints them (its
# placeholders included).  Kept here so the check runs in a checkout without the
# seed; when the seed is there, the two must agree.
SEED_DIAGNOSTICS = (
    "USE_KDUMP is not set or zero",
    "kdump is not supported by this kernel",
    "no crashkernel= parameter in the kernel cmdline",
    "can't find a kdump package directory in /usr/lib",
    "found a linux-kdump package in $KDUMP_PKG_DIR",
    "but can't find a kdump kernel in $KDUMP_PKG_DIR",
    "no kdump initrd image: $KDUMP_INITRD",
    "an initrd will not be used",
    "kdump kernel relocation address does not match crashkernel= parameter",
    "failed to load kdump kernel",
    "failed to unload kdump kernel",
    "makedumpfile failed, falling back to 'cp'",
    "failed to save vmcore in $KDUMP_STAMPDIR",
    "Invalid argument : missing kernel version",
    "Invalid symlink : {symbolic link}",
    "Cannot change symbolic links when kdump is loaded",
    "Unable to locate kernel hook",
    "Invalid kernel version : {kernel version}",
    "fadump is not configured in this kernel.",
    "SSH and NFS cannot be defined concurrently",
    "Unable to mount remote NFS directory {directory}. Cannot save core",
    "Unable to write to the remote NFS directory {directory}. Cannot save core",
    "makedumpfile --dump-dmesg failed. dmesg content will be unavailable",
    "Unable to reach remote server {server}. No reason to continue",
    "makedumpfile scp failed. The vmcore file will not be available",
    "Remote ssh dump is not configured. No reason to propagate",
)

# Headings the seed's rendering lost (decisions.md, "The contract"): only their
# explanations survive in the seed, but they are messages all the same.
DROPPED_HEADINGS = (
    "KDUMP_KERNEL does not exist: $KDUMP_KERNEL",
    "KDUMP_INITRD does not exist: $KDUMP_INITRD",
    "no KDUMP_KERNEL in /etc/default/kdump-tools and",
)

# Diagnostics of two lines: one message prints both, in this order (decisions.md).
TWO_LINE_DIAGNOSTICS = (
    ("no KDUMP_KERNEL in /etc/default/kdump-tools and",
     "can't find a kdump package directory in /usr/lib"),
    ("found a linux-kdump package in $KDUMP_PKG_DIR",
     "but can't find a kdump kernel in $KDUMP_PKG_DIR"),
    ("no kdump initrd image: $KDUMP_INITRD", "an initrd will not be used"),
)

# How the seed's explanations start (the man page's indented paragraphs, whose
# indentation the rendering lost).  decisions.md names "no kdump kernel could be
# found." an explanation too.
_EXPLANATION_STARTS = ("The ", "A ", "a ", "For ", "Both ", "this ", "kexec reported",
                       "kdump-tools is configured")
_EXPLANATION_LINES = ("no kdump kernel could be found.",)

_SHELL_VARIABLE = re.compile(r"\$[A-Z_]+")
_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:![rsa])?\}")
_LEADING_FIELD = re.compile(r"^\{[A-Za-z_][A-Za-z0-9_]*\}: ")


def seed_path() -> Path:
    configured = os.environ.get("KDUMP_SEED")
    if configured:
        return Path(configured)
    return TOP.parent / "shared" / "seed" / "kdump-config.8.txt"


def seed_headings(text: str) -> list[str]:
    """The headings of the seed's DIAGNOSTICS section (the one before the author line)."""
    sections = re.split(r"\n[ \t]*\n[ \t]*\n+", text.strip())
    assert len(sections) >= 2 and sections[-1].startswith("Written by"), \
        "the seed's layout changed: no author section after DIAGNOSTICS"
    headings = []
    for line in sections[-2].splitlines():
        if not line.strip() or line[0].isspace():  # blank, or an explanation's continuation
            continue
        if line.startswith(_EXPLANATION_STARTS) or line in _EXPLANATION_LINES:
            continue
        headings.append(line)
    return headings


def _template_regex(template: str, *, optional_prefix: bool) -> re.Pattern[str]:
    """A catalog template line as a regex: each ``{field}`` matches any text."""
    prefix = ""
    if optional_prefix and _LEADING_FIELD.match(template):
        # "{name}: " / "{config}: " is the program or config prefix the seed leaves out.
        template = _LEADING_FIELD.sub("", template, count=1)
        prefix = "(?:.+: )?"
    literal = template.replace("{{", "\0").replace("}}", "\1")
    parts = _FIELD.split(literal)
    pattern = "".join(re.escape(part) if index % 2 == 0 else ".+"
                      for index, part in enumerate(parts))
    pattern = pattern.replace("\0", re.escape("{")).replace("\1", re.escape("}"))
    return re.compile(prefix + pattern)


def _has_words(template_line: str) -> bool:
    """Literal words besides the fields: "{detail}" alone would match any line."""
    return bool(re.search(r"[A-Za-z0-9]", _FIELD.sub("", template_line)))


def _message_lines(message: Message) -> tuple[str, ...]:
    return (message.template, *message.more)


def _catalog_match(heading: str) -> list[str]:
    """Codes with a template line that prints ``heading`` (placeholders standing for fields)."""
    return [code for code, message in CATALOG.items()
            if any(_has_words(line) and _template_regex(line, optional_prefix=True)
                   .fullmatch(heading) for line in _message_lines(message))]


# -- 1. the seed's diagnostics are in the catalog ----------------------------------------------
def test_the_seed_lists_the_diagnostics_this_test_knows() -> None:
    path = seed_path()
    if not path.is_file():
        pytest.skip(f"no seed man page at {path} (set KDUMP_SEED)")
    assert seed_headings(path.read_text()) == list(SEED_DIAGNOSTICS)


def test_every_seed_diagnostic_has_a_catalog_entry() -> None:
    missing = [heading for heading in (*SEED_DIAGNOSTICS, *DROPPED_HEADINGS)
               if not _catalog_match(heading)]
    assert not missing, f"seed diagnostics without a catalog entry: {missing}"


def test_seed_placeholders_are_fields_of_the_catalog_entry() -> None:
    # "$KDUMP_INITRD" is where the message shows a value: the entry must have a
    # {field} there, not the shell variable's name as text.
    literal = sorted({code for heading in (*SEED_DIAGNOSTICS, *DROPPED_HEADINGS)
                      if _SHELL_VARIABLE.search(heading)
                      for code in _catalog_match(heading)
                      if any(_SHELL_VARIABLE.search(line)
                             for line in _message_lines(CATALOG[code]))})
    assert not literal, f"shell variable names copied into catalog templates: {literal}"


@pytest.mark.parametrize("first, second", TWO_LINE_DIAGNOSTICS)
def test_two_line_diagnostics_are_one_message(first: str, second: str) -> None:
    both = [code for code, message in CATALOG.items()
            if [bool(_template_regex(line, optional_prefix=True).fullmatch(text))
                for line, text in zip(_message_lines(message)[:2], (first, second), strict=False)]
            == [True, True]]
    assert both, f"no single catalog message prints {first!r} then {second!r}"


# -- 2. every message's wording is asserted by a scenario --------------------------------------
_SUFFIX = {
    "failure": " ... failed!",
    "warning": " ... (warning).",
    "action": ".",
    "success": ".",
    "plain": "",
}
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"(?=\s|$)')
# Where a scenario names the code it proves: a JSON assertion, or a "# code: NAME"
# comment for a text-mode scenario whose template is nothing but fields.
_NAMED_CODE = re.compile(r'(?:the JSON messages include|the journal holds) "([a-z0-9-]+)"'
                         r'|#\s*code:\s*([a-z0-9-]+)')


def _feature_texts() -> tuple[set[str], set[str]]:
    """Lines a scenario expects kdump-config to print, and the codes scenarios name."""
    lines: set[str] = set()
    codes: set[str] = set()
    for path in sorted(FEATURES.glob("*.feature")):
        for raw in path.read_text().splitlines():
            text = raw.replace("<TAB>", "\t").replace("␠", " ")
            lines.add(text.strip())
            # Step arguments: 'stdout contains the line "..."' and the like.  A quoted
            # argument may itself contain quotes, so try the whole tail as well.
            stripped = text.strip()
            if stripped.startswith("|"):  # an Examples row: each cell
                lines.update(cell.strip() for cell in stripped.strip("|").split("|"))
            for match in _QUOTED.finditer(stripped):
                lines.add(match.group(1).strip())
            if stripped.endswith('"') and '"' in stripped[:-1]:
                lines.add(stripped[stripped.index('"') + 1:-1].strip())
            codes.update(a or b for a, b in _NAMED_CODE.findall(text))
    return lines, codes


def uncovered_codes() -> list[str]:
    lines, named_codes = _feature_texts()
    missing = []
    for code, message in sorted(CATALOG.items()):
        # A journal-only message (never printed) is proved by a scenario reading the journal.
        if message.journal_only or not any(_has_words(line) for line in _message_lines(message)):
            # "{detail}" matches any line: only a scenario that names the code proves it.
            if code not in named_codes:
                missing.append(code)
            continue
        suffix = re.escape(_SUFFIX[message.severity])
        covered = all(
            _has_words(line) and any(
                re.fullmatch(_template_regex(line, optional_prefix=False).pattern + suffix,
                             candidate)
                for candidate in lines)
            for line in _message_lines(message))
        if not covered and not _in_a_check_row(message, lines):
            missing.append(code)
    return missing


# `check` lays a finding out as "warn  NAME  TEXT" (lines joined by a space, no lsb suffix).
_CHECK_ROW = re.compile(r"(?:warn|fail)\s+[a-z0-9-]+\s+(.*)")


def _in_a_check_row(message: Message, lines: set[str]) -> bool:
    rows = [m.group(1) for m in map(_CHECK_ROW.fullmatch, lines) if m]
    pattern = " ".join(_template_regex(line, optional_prefix=False).pattern
                       for line in _message_lines(message))
    return any(re.fullmatch(pattern, row) for row in rows)


def test_every_catalog_message_is_asserted_word_for_word_by_a_scenario() -> None:
    missing = uncovered_codes()
    assert not missing, (
        f"{len(missing)} catalog codes whose wording no feature asserts "
        f"(assert the printed line in a scenario, or name the code): {missing}")

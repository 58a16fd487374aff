"""The message catalog: unique kebab-case codes, exit codes, typed codes, remedies.

Codes are typed (kdump/messages.py: Code), so mypy --strict refuses an ``emit("code")``
or ``Finding("code")`` whose code is not in the catalog; a template field a call site
forgets fails the scenario that produces the code (tests/scenarios/test_catalog_coverage.py).
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from kdump import messages
from kdump.checks import CHECKS
from kdump.messages import CATALOG

KEBAB = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


def fields(template: str) -> set[str]:
    names = set()
    for _literal, field, _spec, _conv in string.Formatter().parse(template):
        if field is not None:
            names.add(re.split(r"[.\[]", field, maxsplit=1)[0])
    return names


def message_fields(code: str) -> set[str]:
    message = CATALOG[code]
    return set().union(*(fields(line) for line in (message.template, *message.more)))


# -- the catalog itself ----------------------------------------------------------------------


def test_codes_are_unique() -> None:
    all_codes = [message.code for message in messages._ALL]
    assert len(all_codes) == len(set(all_codes)) == len(CATALOG)


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_code_is_kebab_case(code: str) -> None:
    assert KEBAB.fullmatch(code), code
    assert CATALOG[code].code == code


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_template_formats_with_its_own_fields(code: str) -> None:
    message = CATALOG[code]
    params = {field: f"<{field}>" for field in message_fields(code)}
    lines = message.lines(params)
    assert len(lines) == 1 + len(message.more)
    assert not any("\n" in line for line in lines)
    for field in params:
        assert any(f"<{field}>" in line for line in lines), field


@pytest.mark.parametrize("code", sorted(CATALOG))
def test_exit_codes(code: str) -> None:
    message = CATALOG[code]
    assert message.exit_code in (0, 1)
    if message.exit_code:
        # Only a failure (or the usage line, as the original) ends a command with 1.
        assert message.severity == "failure" or code == "usage"


def test_the_code_type_lists_every_catalog_code_in_catalog_order() -> None:
    # mypy checks every emit("...") and Finding("...") against Code: it must be the catalog.
    # At run time Code is str (kdump/codes.py): the list is read from the source mypy reads.
    tree = ast.parse((Path(__file__).parents[2] / "kdump" / "codes.py").read_text())
    literal = next(node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
                   and ast.unparse(node.targets[0]) == "Code"
                   and isinstance(node.value, ast.Subscript))
    assert isinstance(literal, ast.Subscript) and isinstance(literal.slice, ast.Tuple)
    listed = tuple(ast.literal_eval(element) for element in literal.slice.elts)
    assert listed == tuple(CATALOG), (
        "kdump/codes.py: Code and the catalog disagree; paste this:\n"
        + "Code = Literal[\n" + "".join(f'    "{code}",\n' for code in CATALOG) + "]")


def test_mypy_refuses_a_code_that_is_not_in_the_catalog(tmp_path: Path) -> None:
    # dev/test has mypy (the lint extra); dev/test-lowest installs the test extra only.
    api = pytest.importorskip("mypy.api", reason="mypy is the lint extra: dev/test runs this")

    source = tmp_path / "typo.py"
    source.write_text("from kdump.reporter import Reporter\n"
                      "from kdump.finding import Finding\n"
                      "Reporter().emit('loaded')\n"
                      "Reporter().emit('lodaed')\n"
                      "Finding('no-crashkernal')\n")
    out, _err, status = api.run(["--strict", "--follow-imports=silent",
                                 str(source)])
    assert status == 1, out
    assert [line.split(":")[1] for line in out.splitlines() if ": error:" in line] == \
        ["4", "5"], out


# Fields `check` supplies to every finding's remedy (kdump/commands/check.py: _texts).
CHECK_FIELDS = {"config", "suggested", "release", "version"}


@pytest.mark.parametrize("code", sorted(c for c, m in CATALOG.items() if m.remedy))
def test_a_remedy_uses_only_its_messages_fields_and_those_check_supplies(code: str) -> None:
    assert fields(CATALOG[code].remedy) <= message_fields(code) | CHECK_FIELDS, code


def test_every_check_has_an_ok_text_and_no_remedy_of_its_own() -> None:
    for check in CHECKS:
        assert check.ok and all(check.ok.values()), check.name

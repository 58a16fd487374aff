"""The message catalog: unique kebab-case codes, exit codes, and call sites that fit it.

Call sites are found in the kdump/ sources with ast, so a new ``emit("code", ...)`` or
``Finding("code", {...})`` is checked the moment it is written.
"""

from __future__ import annotations

import ast
import re
import string
from dataclasses import dataclass
from pathlib import Path

import pytest

import kdump
from kdump import messages
from kdump.messages import CATALOG, CHECKS, Severity

PACKAGE = Path(kdump.__file__).parent
SOURCES = sorted(PACKAGE.rglob("*.py"))
KEBAB = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
# Reporter.emit supplies this field to every template.
ALWAYS_SUPPLIED = {"name"}
# Classes whose first argument is a catalog code (raised or returned, emitted later).
CODE_CARRIERS = {"Finding", "ConfigError", "ConfigWarning"}


def fields(template: str) -> set[str]:
    names = set()
    for _literal, field, _spec, _conv in string.Formatter().parse(template):
        if field is not None:
            names.add(re.split(r"[.\[]", field, maxsplit=1)[0])
    return names


def message_fields(code: str) -> set[str]:
    message = CATALOG[code]
    return set().union(*(fields(line) for line in (message.template, *message.more)))


@dataclass(frozen=True)
class CallSite:
    where: str
    codes: tuple[str, ...] | None  # None: the code is computed at run time
    kwargs: frozenset[str] | None  # None: parameters passed as **mapping (not checkable)
    returned: bool  # the call's value is the command's exit status
    kind: str


def _constants(tree: ast.Module) -> dict[str, str]:
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and \
                isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


def _all_constants() -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in SOURCES:
        merged.update(_constants(ast.parse(path.read_text())))
    return merged


def _codes(node: ast.expr, constants: dict[str, str]) -> tuple[str, ...] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, ast.IfExp):
        body, orelse = _codes(node.body, constants), _codes(node.orelse, constants)
        return None if body is None or orelse is None else body + orelse
    if isinstance(node, ast.Name) and node.id in constants:
        return (constants[node.id],)
    return None


def _dict_keys(node: ast.expr) -> frozenset[str] | None:
    if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) for k in node.keys):
        return frozenset(k.value for k in node.keys)  # type: ignore[union-attr]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
            node.func.id == "dict" and not node.args:
        return _keywords(node)
    return None


def _keywords(call: ast.Call) -> frozenset[str] | None:
    if any(keyword.arg is None for keyword in call.keywords):
        return None
    return frozenset(keyword.arg for keyword in call.keywords)  # type: ignore[misc]


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def call_sites() -> list[CallSite]:
    constants = _all_constants()
    sites = []
    for path in SOURCES:
        tree = ast.parse(path.read_text())
        returned_calls = {
            id(node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Call)
        } | {
            id(node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
            and any(isinstance(t, ast.Name) and t.id == "status" for t in node.targets)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = _call_name(node)
            where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            codes = _codes(node.args[0], constants)
            if name == "emit":
                kwargs = _keywords(node)
            elif name == "emit_indented" and len(node.args) >= 3:
                kwargs = _dict_keys(node.args[2])
            elif name in CODE_CARRIERS:
                if name == "Finding":
                    kwargs = _dict_keys(node.args[1]) if len(node.args) > 1 else frozenset()
                else:
                    kwargs = frozenset({"detail"})  # the CLI emits them with detail=
            else:
                continue
            sites.append(CallSite(where, codes, kwargs, id(node) in returned_calls, name))
    return sites


SITES = call_sites()
STATIC = [site for site in SITES if site.codes is not None]


def _site_id(site: CallSite) -> str:
    return site.where


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
        assert message.severity is Severity.FAILURE or code == "usage"


def test_messages_ending_a_command_exit_1() -> None:
    enders = {code for site in STATIC if site.returned for code in site.codes or ()}
    assert enders, "no `return ...emit(...)` call site found: the scan is broken"
    for code in sorted(enders):
        if CATALOG.get(code) and CATALOG[code].severity is Severity.FAILURE:
            assert CATALOG[code].exit_code == 1, f"{code} ends a command but exits 0"


def test_check_remedies_use_only_the_fields_check_supplies() -> None:
    for check in CHECKS.values():
        # kexec-symbols' remedy depends on why no load method works (kdump/checks.py).
        extra = {"symbols_remedy"} if check.name == "kexec-symbols" else set()
        assert fields(check.title) | fields(check.remedy) <= {"config", "suggested", *extra}, \
            check.name


# -- call sites --------------------------------------------------------------------------------


def test_the_scan_finds_the_known_call_sites() -> None:
    kinds = {site.kind for site in SITES}
    assert {"emit", "Finding", "ConfigError", "ConfigWarning"} <= kinds
    codes = {code for site in STATIC for code in site.codes or ()}
    assert {"kdump-not-supported", "no-kdump-kernel", "state-ready", "state-not-ready",
            "config-syntax", "config-value", "config-unknown-key"} <= codes


@pytest.mark.parametrize("site", STATIC, ids=_site_id)
def test_call_site_code_is_in_the_catalog(site: CallSite) -> None:
    for code in site.codes or ():
        assert code in CATALOG, f"{site.where}: unknown message code {code!r}"


@pytest.mark.parametrize("site", [s for s in STATIC if s.kwargs is not None], ids=_site_id)
def test_call_site_supplies_every_template_field(site: CallSite) -> None:
    for code in site.codes or ():
        missing = message_fields(code) - ALWAYS_SUPPLIED - (site.kwargs or frozenset())
        assert not missing, f"{site.where}: {code} needs {sorted(missing)}"


def test_computed_codes_are_config_diagnostics() -> None:
    # cli.py emits ConfigError/ConfigWarning codes as they come; every code those carry
    # must be satisfied by what the dynamic emit calls pass.
    carried = {code for site in STATIC if site.kind in ("ConfigError", "ConfigWarning")
               for code in site.codes or ()}
    dynamic = [site for site in SITES if site.codes is None and site.kind == "emit"
               and site.kwargs is not None]
    for site in dynamic:
        for code in carried:
            missing = message_fields(code) - ALWAYS_SUPPLIED - (site.kwargs or frozenset())
            assert not missing, f"{site.where}: {code} needs {sorted(missing)}"

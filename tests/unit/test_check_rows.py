"""kdump/checks.py: each readiness check is one row (name, title, ok texts, catalog codes,
evaluation), and what the evaluation names is what the row declares."""

from __future__ import annotations

import ast
import inspect
import itertools
import textwrap

import pytest

from backends.values import FadumpState
from kdump.checks import CHECKS, Check, ReadinessInputs, readiness
from kdump.config import load_config
from kdump.facts import LinkFact
from kdump.finding import Finding
from kdump.messages import CATALOG
from kdump.plan import KernelChoice
from tests.unit.factories import ready_facts

R = "6.1.0-18-amd64"


def test_each_check_is_one_row_and_each_code_names_one_check() -> None:
    names = [check.name for check in CHECKS]
    assert len(set(names)) == len(names)
    codes = [code for check in CHECKS for code in check.codes]
    assert len(set(codes)) == len(codes), "a catalog code must name one check"
    assert set(codes) <= set(CATALOG)
    assert {check.mode for check in CHECKS} <= {"", "kdump", "fadump"}


def _literal_codes(check: Check) -> set[str]:
    """The codes the check's evaluation writes as Finding("...")."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(check.evaluate)))
    return {node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "Finding" and node.args
            and isinstance(node.args[0], ast.Constant)}


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.name)
def test_a_row_declares_every_code_its_evaluation_writes(check: Check) -> None:
    assert _literal_codes(check) <= set(check.codes)


# Machines in many states: each change is one way a check can come out.
CHANGES: list[dict[str, object]] = [
    {}, {"cmdline": "ro quiet"},
    {"links": (LinkFact("/var/lib/kdump/vmlinuz", False, None, "", False),)},
    {"crash_size": None}, {"crash_size": 0}, {"crash_size": 64 << 20},
    {"cmdline": "ro crashkernel=256M,cma"}, {"crash_cma": ((0x40000000, 0x4fffffff),)},
    {"kexec_path": None}, {"kexec_supported": False}, {"kdump_dir_is_dir": False},
    {"kexec_loaded": True}, {"kexec_load_disabled": None}, {"kexec_load_disabled": True},
    {"kexec_load_disabled": True, "kexec_loaded": True}, {"crash_hotplug": False},
    {"crash_hotplug": True, "kexec_loaded": True}, {"crash_hotplug": False, "kexec_loaded": True},
    {"secure_boot": True}, {"lockdown": "integrity", "kexec_file": False},
    {"lockdown": "integrity"}, {"lockdown": "integrity", "kexec_file": True},
    {"arch": "aarch64"}, {"arch": "aarch64", "kallsyms_text": False},
    {"arch": "aarch64", "kallsyms_text": False, "kexec_file": True, "kexec_loaded": True},
    {"arch": "aarch64", "kallsyms_text": False, "kexec_file": False},
    {"arch": "aarch64", "kallsyms_text": True},
    {"fadump": FadumpState(True, None, "none")}, {"fadump": FadumpState(True, False, "new")},
    {"fadump": FadumpState(True, True, "new")},
]
CONFIGS = ["USE_KDUMP=1\n", "USE_KDUMP=0\nSSH=root@h\nNFS=n:/e\n",
           "USE_KDUMP=1\nKDUMP_KEXEC_ARGS=-c\n", "USE_KDUMP=1\nKDUMP_KERNEL=/k\n", None]
CHOICES = [KernelChoice("/k", "/i"), KernelChoice("/k", ""), KernelChoice(),
           *(KernelChoice(findings=(Finding(code, {"config": "c"}),)) for code in (
               "no-kdump-kernel", "kdump-kernel-missing", "kdump-package-broken",
               "relocation-mismatch")),
           KernelChoice("/k", "", findings=(Finding("no-kdump-initrd", {"path": "/i"}),)),
           KernelChoice("/k", "/i", findings=(Finding("kdump-initrd-missing",
                                                      {"config": "c", "path": "/i"}),))]


def test_every_code_a_check_gives_is_declared_by_its_row() -> None:
    seen: set[tuple[str, str]] = set()
    for change, text, choice in itertools.product(CHANGES, CONFIGS, CHOICES):
        facts = ready_facts(**{"release": R, "kexec_path": "/sbin/kexec",
                               "cmdline": "ro crashkernel=512M", **change})
        config = load_config(text, arch=facts.arch, environ={})[0]
        given = ReadinessInputs(choice=choice, kernel_exists=True, initrd_exists=True,
                                estimate_mib=300, recorded="kexec -p")
        for result in readiness(config, facts, given):
            if result.code is not None:
                assert result.code in result.check.codes, (result.name, result.code)
                seen.add((result.name, result.code))
    # Not vacuous: today the walk reaches every code the rows declare (34). A new check
    # needs no entry here; its scenario (tests/scenarios/test_catalog_coverage.py) produces
    # its codes.
    assert len(seen) >= 34

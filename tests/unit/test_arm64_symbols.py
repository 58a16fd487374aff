"""arm64: which kexec method can give the capture kernel a valid ELF core header.

kexec-tools' kexec_load path needs _text in /proc/kallsyms on arm64; without it (Debian
bookworm's 6.1 arm64 kernel) only kexec_file_load (-s) works, and where the kernel has none
of the two, load must refuse and status/check must never say ready.
"""

from __future__ import annotations

import pytest

from backends.values import FadumpState
from kdump.checks import (
    kexec_load_unusable,
    loaded_by_kexec_file,
    loaded_finding,
    symbols_finding,
    wants_kexec_file,
)
from kdump.config import Config, load_config
from kdump.facts import Facts, has_symbol, kconfig_flag
from kdump.messages import CATALOG
from kdump.plan import KernelChoice, kexec_load_argv
from tests.unit.factories import ready_facts

R = "6.1.0-57-arm64"
PATH = "/etc/default/kdump-tools"
KEXEC = "/usr/sbin/kexec"
KALLSYMS_NO_TEXT = (
    "ffff800008000000 T _stext\n"
    "ffff800008010000 T __traceiter_initcall_level\n"
    "ffff80000a000000 t virtio_dev_probe\t[virtio]\n"
)


def config(text: str = "USE_KDUMP=1\n") -> Config:
    return load_config(text, PATH, arch="aarch64")[0]


def arm64(**changes: object) -> Facts:
    base: dict[str, object] = {"release": R, "arch": "aarch64", "kexec_path": KEXEC,
                               "kallsyms_text": False, "kexec_file": False,
                               "fadump": FadumpState(False, None, "none")}
    return ready_facts(**{**base, **changes})


# -- facts ---------------------------------------------------------------------------------

def test_has_symbol_needs_the_exact_name() -> None:
    assert not has_symbol(KALLSYMS_NO_TEXT, "_text")  # _stext is not _text
    assert has_symbol(KALLSYMS_NO_TEXT + "ffff800008000000 T _text\n", "_text")
    assert has_symbol("ffff800008000000 T _text", "_text")  # last line, no newline
    assert not has_symbol("ffff800008000000 T my_text\n", "_text")


@pytest.mark.parametrize(("text", "value"), [
    ("CONFIG_KEXEC_FILE=y\n", True),
    ("# CONFIG_KEXEC_FILE is not set\n", False),
    ("CONFIG_KEXEC=y\n", None),
    (None, None),
])
def test_kconfig_flag(text: str | None, value: bool | None) -> None:
    assert kconfig_flag(text, "CONFIG_KEXEC_FILE") is value


# -- decisions -----------------------------------------------------------------------------

def test_only_arm64_without_text_is_affected() -> None:
    assert kexec_load_unusable(arm64())
    assert not kexec_load_unusable(arm64(kallsyms_text=True))
    assert not kexec_load_unusable(arm64(kallsyms_text=None))  # unknown: not claimed
    assert not kexec_load_unusable(arm64(arch="x86_64"))


def test_no_method_refuses_with_the_upgrade() -> None:
    finding = symbols_finding(config(), arm64())
    assert finding is not None and finding.code == "kexec-symbols-missing"
    assert "CONFIG_KEXEC_FILE is not set" in str(finding.params["why"])
    assert "bookworm-backports" in str(finding.params["remedy"])
    assert CATALOG[finding.code].exit_code == 1


def test_unknown_kernel_config_refuses_too() -> None:
    finding = symbols_finding(config(), arm64(kexec_file=None))
    assert finding is not None
    assert f"/boot/config-{R}" in str(finding.params["why"])


def test_kexec_file_is_used_where_the_kernel_has_it() -> None:
    facts = arm64(kexec_file=True)
    assert symbols_finding(config(), facts) is None
    assert wants_kexec_file(config(), facts)
    argv = kexec_load_argv(KEXEC, config(), facts, KernelChoice("/k", "/i"), False, True)
    assert argv[:3] == [KEXEC, "-p", "-s"]


def test_text_present_keeps_kexec_load() -> None:
    facts = arm64(kallsyms_text=True, kexec_file=True)
    assert symbols_finding(config(), facts) is None
    argv = kexec_load_argv(KEXEC, config(), facts, KernelChoice("/k", "/i"), False, True)
    assert "-s" not in argv


def test_forcing_kexec_load_is_refused() -> None:
    cfg = config('USE_KDUMP=1\nKDUMP_KEXEC_ARGS="-c"\n')
    facts = arm64(kexec_file=True)
    assert not wants_kexec_file(cfg, facts)
    finding = symbols_finding(cfg, facts)
    assert finding is not None and "-c/--kexec-syscall" in str(finding.params["remedy"])


def test_loaded_is_not_ready_without_a_method() -> None:
    finding = loaded_finding(config(), arm64(kexec_loaded=True), None)
    assert finding is not None and finding.code == "kexec-symbols-missing"


def test_loaded_with_kexec_load_is_not_ready() -> None:
    facts = arm64(kexec_loaded=True, kexec_file=True)
    recorded = f"{KEXEC} -p --command-line=ro /var/lib/kdump/vmlinuz\n"
    finding = loaded_finding(config(), facts, recorded)
    assert finding is not None and finding.code == "loaded-by-kexec-load"
    assert loaded_finding(config(), facts, None) is not None  # loaded by someone else


def test_loaded_with_kexec_file_is_ready() -> None:
    facts = arm64(kexec_loaded=True, kexec_file=True)
    recorded = f"{KEXEC} -p -s --command-line=ro /var/lib/kdump/vmlinuz\n"
    assert loaded_by_kexec_file(recorded)
    assert loaded_finding(config(), facts, recorded) is None


def test_loaded_with_text_is_ready() -> None:
    assert loaded_finding(config(), arm64(kexec_loaded=True, kallsyms_text=True), None) is None

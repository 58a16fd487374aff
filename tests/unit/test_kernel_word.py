"""The kernel's word on kexec, read from a real tree by the Linux backend and judged by
the pure core: the /sys/kernel/kexec/ layout before the old names, CMA counted in the
reservation, kernel.kexec_load_disabled, lockdown without kexec_file_load, and the
likely cause of an EPERM."""

from __future__ import annotations

from pathlib import Path

from backends.linux import LinuxHost
from kdump.checks import kernel_refusal, kexec_refused, readiness
from kdump.facts import Facts, cma_ranges, gather
from tests.unit.factories import ready_facts
from tests.unit.test_checks import by_name, config, ready_inputs
from tests.unit.test_facts import R, machine, put


def _gather(root: Path) -> Facts:
    return gather(LinuxHost(str(root), env={}))


def test_the_new_kexec_directory_is_read_before_the_old_names(tmp_path: Path) -> None:
    root = machine(tmp_path)  # old names: loaded, 512M
    put(root, "/sys/kernel/kexec/crash_loaded", "0\n")
    put(root, "/sys/kernel/kexec/crash_size", "268435456\n")
    facts = _gather(root)
    assert not facts.kexec_loaded and facts.crash_size == 256 << 20
    assert facts.crash_size_path == "/sys/kernel/kexec/crash_size"


def test_the_old_names_answer_where_the_kernel_has_no_kexec_directory(tmp_path: Path) -> None:
    facts = _gather(machine(tmp_path))
    assert facts.kexec_supported and facts.kexec_loaded and facts.crash_size == 512 << 20
    assert facts.crash_size_path == "/sys/kernel/kexec_crash_size"


def test_only_the_new_directory_is_enough(tmp_path: Path) -> None:
    root = machine(tmp_path)
    for name in ("kexec_crash_loaded", "kexec_crash_size"):
        (root / "sys/kernel" / name).unlink()
    put(root, "/sys/kernel/kexec/crash_loaded", "1\n")
    put(root, "/sys/kernel/kexec/crash_size", "536870912\n")
    facts = _gather(root)
    assert facts.kexec_supported and facts.kexec_loaded and facts.crash_size == 512 << 20


def test_cma_ranges_are_counted_in_the_reservation(tmp_path: Path) -> None:
    root = machine(tmp_path)
    put(root, "/sys/kernel/kexec/crash_cma_ranges", "100000000-10fffffff\n200000000-207ffffff\n")
    facts = _gather(root)
    assert facts.crash_cma == ((0x100000000, 0x10fffffff), (0x200000000, 0x207ffffff))
    assert facts.cma_bytes == (256 + 128) << 20
    assert facts.reserved_bytes == (512 + 256 + 128) << 20
    rows = by_name(readiness(config(), facts._replace(kexec_loaded=True), ready_inputs()))
    assert rows["crashkernel-reserved"].variant == "cma"
    assert rows["crashkernel-reserved"].params["reserved"] == 512 + 256 + 128


def test_cma_range_text_that_is_not_a_range_is_ignored() -> None:
    assert cma_ranges("garbage\n10-0f\n-1\n0-fff\n") == ((0, 0xfff),)
    assert cma_ranges(None) == ()


def test_kexec_load_disabled_and_kexec_file_under_lockdown(tmp_path: Path) -> None:
    root = machine(tmp_path)  # lockdown integrity
    put(root, "/proc/sys/kernel/kexec_load_disabled", "1\n")
    put(root, f"/boot/config-{R}", "# CONFIG_KEXEC_FILE is not set\n")
    facts = _gather(root)
    assert facts.kexec_load_disabled is True and facts.kexec_file is False
    put(root, "/proc/sys/kernel/kexec_load_disabled", "0\n")
    assert _gather(root).kexec_load_disabled is False
    (root / "proc/sys/kernel/kexec_load_disabled").unlink()
    assert _gather(root).kexec_load_disabled is None


def test_status_names_a_refusal_only_while_nothing_is_loaded() -> None:
    facts = ready_facts(kexec_load_disabled=True)
    assert kernel_refusal(facts) is not None
    assert kernel_refusal(facts._replace(kexec_loaded=True)) is None
    locked = ready_facts(lockdown="integrity", kexec_file=False)
    refusal = kernel_refusal(locked)
    assert refusal is not None and refusal.code == "lockdown-no-kexec-file"
    assert kernel_refusal(locked._replace(kexec_file=True)) is None


def test_the_eperm_cause_follows_what_the_kernel_says() -> None:
    def cause(argv: list[str], **changes: object) -> str:
        return str(kexec_refused(config(), ready_facts(**changes), argv).params["cause"])

    assert "kexec_load_disabled" in cause(["kexec", "-p", "-s"], kexec_load_disabled=True,
                                          lockdown="integrity")
    assert "kexec_load is refused" in cause(["kexec", "-p", "-c"], lockdown="integrity")
    assert "signed" in cause(["kexec", "-p", "-s"], lockdown="integrity")
    assert "CAP_SYS_BOOT" in cause(["kexec", "-p"])
    # kexec-tools obeys the last of -s and -c: KDUMP_KEXEC_ARGS="-c" after load's -s wins.
    assert "kexec_load is refused" in cause(["kexec", "-p", "-s", "-c"], lockdown="integrity")
    assert "signed" in cause(["kexec", "-p", "-c", "-s"], lockdown="integrity")

"""The simulated arm64 kexec behaves as the real kexec-tools 2.0.25 does on a kernel whose
/proc/kallsyms lacks _text: kexec_load warns, still loads and exits 0; kexec_file_load on a
kernel without CONFIG_KEXEC_FILE fails with 253."""

from __future__ import annotations

from pathlib import Path

from backends.rooted import RootedFiles
from sim.machine import SimulatedMachine
from sim.programs import emulate

KERNEL = "/var/lib/kdump/vmlinuz"
INITRD = "--initrd=/var/lib/kdump/initrd.img"


def machine(tmp_path: Path, profile: str) -> tuple[SimulatedMachine, RootedFiles]:
    m = SimulatedMachine.create(tmp_path / "m", profile)
    return m, RootedFiles(str(m.root))


def test_kexec_load_without_text_warns_and_still_loads(tmp_path: Path) -> None:
    m, files = machine(tmp_path, "arm64-bookworm-no-text")
    out = emulate(m, files, ["/usr/sbin/kexec", "-p", INITRD, KERNEL])
    assert out.returncode == 0
    assert out.stderr == "Can't get the symbol of _text to calculate page_offset.\n"
    assert files.read_text("/sys/kernel/kexec_crash_loaded") == "1\n"


def test_kexec_file_load_needs_config_kexec_file(tmp_path: Path) -> None:
    m, files = machine(tmp_path, "arm64-bookworm-no-text")
    out = emulate(m, files, ["/usr/sbin/kexec", "-p", "-s", INITRD, KERNEL])
    assert out.returncode == 253
    assert files.read_text("/sys/kernel/kexec_crash_loaded") == "0\n"


def test_with_text_kexec_load_is_quiet(tmp_path: Path) -> None:
    m, files = machine(tmp_path, "arm64-ready")
    out = emulate(m, files, ["/usr/sbin/kexec", "-p", INITRD, KERNEL])
    assert (out.returncode, out.stderr) == (0, "")

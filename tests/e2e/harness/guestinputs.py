"""What one run-qemu guest is given in its results directory (in/): e2e.conf for the guest's
init, its /etc/default/kdump-tools, its sysctl.conf and the initramfs."""

from __future__ import annotations

from pathlib import Path

from harness import initramfs
from harness.guests import Guest
from harness.provision import Prepared


def write_guest_inputs(
    res: Path, guest: Guest, prep: Prepared, cache: Path, venv: Path | None, profile: str
) -> Path:
    inp = res / "in"
    inp.mkdir(parents=True)
    kernel = prep.kernel_for(guest)
    kver = kernel.release
    conf = {
        "E2E_MODE": "project" if venv else "plain",
        "E2E_SCENARIO": guest.scenario,
        "E2E_CACHE": str(cache),
        "E2E_SYSROOT": str(prep.sysroot),
        "E2E_KERNEL_IMAGE": str(kernel.image),
        "E2E_KERNEL_CONFIG": str(kernel.config),
        "E2E_KVER": kver,
        "E2E_IMAGE_NAME": kernel.image.name,
        "E2E_VENV": str(venv or ""),
        "E2E_PROFILE": profile,
    }
    for key, value in conf.items():
        if "\n" in value:
            raise SystemExit(f"{key} contains a newline: {value!r}")
    (inp / "e2e.conf").write_text("".join(f"{k}={v}\n" for k, v in conf.items()))
    append = DEFAULT_APPEND[prep.arch.deb]
    tools = KDUMP_TOOLS.format(guest=guest.name, append=append)
    if guest.kexec_args:
        tools += f'KDUMP_KEXEC_ARGS="{guest.kexec_args}"\n'
    (inp / "kdump-tools").write_text(tools)
    (inp / "sysctl.conf").write_text("vm.nr_hugepages=0\nvm.nr_hugepages_mempolicy=0\n")
    return initramfs.build(prep.sysroot, kernel, inp / "initrd.img")


# Debian's default KDUMP_CMDLINE_APPEND (kdump-tools 1:1.8.1 and later).
DEFAULT_APPEND = {
    "amd64": "reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1 irqpoll usbcore.nousb",
    "ppc64el": "reset_devices systemd.unit=kdump-tools-dump.service maxcpus=1 irqpoll "
    "noirqdistrib usbcore.nousb",
    "arm64": "reset_devices systemd.unit=kdump-tools-dump.service nr_cpus=1",
}

# The guest's /etc/default/kdump-tools. Kernel and initrd are Debian's defaults: the init
# makes /var/lib/kdump/{vmlinuz,initrd.img} point at /boot/<image>-<ver> and at this
# harness's initramfs, as the kernel postinst hook would.
KDUMP_TOOLS = """\
# /etc/default/kdump-tools for the e2e guest {guest} (written by tests/e2e/run-qemu)
USE_KDUMP=1
KDUMP_KERNEL=/var/lib/kdump/vmlinuz
KDUMP_INITRD=/var/lib/kdump/initrd.img
KDUMP_COREDIR="/e2e/results/crash"
KDUMP_DUMP_DMESG=1
# lzo instead of Debian's default zlib (-c): the same code path, ~10 s less per capture
# under TCG.
MAKEDUMP_ARGS="-l -d 31"
KDUMP_CMDLINE_APPEND="{append}"
"""

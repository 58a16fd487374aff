"""What the simulated kernel shows: the procfs and sysfs files a kernel with the
profile's facts would have, and the vmcore a crash leaves behind."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from sim.machine import SimulatedMachine

EFI_GUID = "8be4df61-93ca-11d2-aa0d-00e098032b8c"
PANIC_TEXT = "sysrq: Trigger a crash\nKernel panic - not syncing: sysrq triggered crash"
DMESG_BEGIN = b"\n--kdump-sim-dmesg-begin--\n"
DMESG_END = b"\n--kdump-sim-dmesg-end--\n"
# Where a crash leaves the dump for the capture kernel (the product names it in kdump/paths.py;
# the simulated machine never imports the product).
VMCORE = "/proc/vmcore"
CRASH_HOTPLUG_FILES = ("/sys/devices/system/cpu/crash_hotplug",
                       "/sys/devices/system/memory/crash_hotplug")


def write_kernel_files(machine: SimulatedMachine, boot_cmdline: str) -> None:
    """The procfs and sysfs files a kernel with these facts would show."""
    kernel = machine.state["kernel"]
    release = str(kernel.get("release", "6.1.0-18-amd64"))
    machine.write("/proc/sys/kernel/osrelease", release + "\n")
    machine.write("/proc/sys/kernel/arch", str(kernel.get("arch", "x86_64")) + "\n")
    machine.write("/proc/sys/kernel/hostname", machine.state["hostname"] + "\n")
    machine.write("/proc/sys/kernel/panic_on_oops", "0\n")
    machine.write("/proc/cmdline", boot_cmdline + "\n")
    machine.write("/proc/iomem", _iomem(kernel, boot_cmdline))
    machine.write("/proc/meminfo", _meminfo(int(kernel.get("memory_mib", 4096))))
    cpus = int(kernel.get("nproc", 2))
    machine.write("/sys/devices/system/cpu/online", f"0-{cpus - 1}\n" if cpus > 1 else "0\n")
    if kernel.get("kexec", True):
        reserved = _crash_bytes(kernel, boot_cmdline)
        for name, value in (("crash_loaded", 0), ("loaded", 0), ("crash_size", reserved)):
            for path in kexec_paths(kernel, name):
                machine.write(path, f"{value}\n")
        cma = int(kernel.get("crash_cma_mib", 0)) << 20
        if cma and kernel.get("kexec_sysfs", "legacy") != "legacy":
            machine.write(CRASH_CMA_RANGES, f"{CMA_BASE:x}-{CMA_BASE + cma - 1:x}\n")
        machine.write("/proc/sys/kernel/kexec_load_disabled",
                      "1\n" if kernel.get("kexec_load_disabled") else "0\n")
    if "crash_hotplug" in kernel:
        # Kernels since 6.5 (CONFIG_CRASH_HOTPLUG) show whether they update the loaded
        # crash image themselves on hotplug: 1 only once an image that allows it is loaded.
        write_crash_hotplug(machine, False)
    if kernel.get("arch") == "aarch64":
        # kexec-tools' kexec_load path reads _text from here on arm64; kernels built
        # without CONFIG_KALLSYMS_ALL (Debian bookworm's) list _stext only.
        head = "ffff800008000000 T _text\n" if kernel.get("kallsyms_text", True) else ""
        machine.write("/proc/kallsyms", head + "ffff800008010000 T _stext\n"
                      "ffff800008010040 T __do_softirq\n"
                      "ffff800008e20000 T _etext\n", mode=0o444)
    lockdown = kernel.get("lockdown")
    if lockdown:
        modes = ["none", "integrity", "confidentiality"]
        machine.write("/sys/kernel/security/lockdown",
                      " ".join(f"[{m}]" if m == lockdown else m for m in modes) + "\n")
    if "securelevel" in kernel:
        machine.write("/sys/kernel/security/securelevel", f"{kernel['securelevel']}\n")
    if "secure_boot" in kernel:
        efivars = "/sys/firmware/efi/efivars"
        machine.write_bytes(f"{efivars}/SecureBoot-{EFI_GUID}",
                            b"\x06\x00\x00\x00" + bytes([1 if kernel["secure_boot"] else 0]))
        machine.write_bytes(f"{efivars}/SetupMode-{EFI_GUID}", b"\x06\x00\x00\x00\x00")
    fadump = kernel.get("fadump")
    if fadump in ("new", "legacy"):
        prefix = "/sys/kernel/fadump/" if fadump == "new" else "/sys/kernel/fadump_"
        machine.write(prefix + "enabled", "1\n" if kernel.get("fadump_enabled", True) else "0\n")
        if kernel.get("fadump_registration", True):
            machine.write(prefix + "registered", "0\n")


# Linux 6.19 moved the kexec files into /sys/kernel/kexec/ (the old names stay, deprecated):
# "legacy" kernels have the old names only, "both" the two, "dir" the new ones only.
KEXEC_DIR = "/sys/kernel/kexec/"
KEXEC_OLD = "/sys/kernel/kexec_"
CRASH_CMA_RANGES = "/sys/kernel/kexec/crash_cma_ranges"
CMA_BASE = 0x100000000


def kexec_paths(kernel: dict[str, Any], name: str) -> list[str]:
    """Where this kernel shows the kexec file ``name`` (crash_loaded, loaded, crash_size)."""
    layout = kernel.get("kexec_sysfs", "legacy")
    return [prefix + name for prefix, shown in ((KEXEC_DIR, layout != "legacy"),
                                                (KEXEC_OLD, layout != "dir")) if shown]


def _cmdline_has_crashkernel(cmdline: str) -> bool:
    return any(token.split("=", 1)[0] == "crashkernel" for token in cmdline.split())


def _crash_bytes(kernel: dict[str, Any], cmdline: str) -> int:
    if not _cmdline_has_crashkernel(cmdline):
        return 0
    return int(kernel.get("crash_size_mib", 0)) << 20


def _iomem(kernel: dict[str, Any], cmdline: str) -> str:
    lines = [
        "00000000-00000fff : Reserved",
        "00001000-0009fbff : System RAM",
        "00100000-bffdffff : System RAM",
    ]
    size = _crash_bytes(kernel, cmdline)
    if size:
        base = int(str(kernel.get("crash_base", "0x2b000000")), 0)
        lines.append(f"  {base:08x}-{base + size - 1:08x} : Crash kernel")
        low = int(kernel.get("crash_low_mib", 0)) << 20
        if low:
            low_base = 0x6000000
            lines.append(f"  {low_base:08x}-{low_base + low - 1:08x} : Crash kernel")
    return "\n".join(lines) + "\n"


def _meminfo(total_mib: int) -> str:
    total = total_mib * 1024
    fields = {
        "MemTotal": total, "MemFree": total * 6 // 10, "MemAvailable": total * 8 // 10,
        "Buffers": total // 50, "Cached": total // 10, "SReclaimable": total // 100,
        "Hugetlb": 0,
    }
    return "".join(f"{name + ':':<16}{value:>8} kB\n" for name, value in fields.items())


def write_vmcore(path: Path, size: int, kernel: dict[str, Any]) -> None:
    """An ELF64 core header, a dmesg region, then memory-like filler up to ``size``.

    Written in chunks: a multi-gigabyte vmcore never sits in memory.
    """
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\x00" * 8
    machine = {"x86_64": 62, "aarch64": 183, "ppc64le": 21}.get(str(kernel.get("arch")), 62)
    import struct

    header = ident + struct.pack("<HHIQQQIHHHHHH", 4, machine, 1, 0, 64, 0, 0, 64, 56, 1, 0, 0, 0)
    release = str(kernel.get("release", ""))
    dmesg = (f"[    0.000000] Linux version {release}\n"
             f"[  120.000000] {PANIC_TEXT.splitlines()[0]}\n"
             f"[  120.000001] {PANIC_TEXT.splitlines()[1]}\n").encode()
    body = header + DMESG_BEGIN + dmesg + DMESG_END
    chunk = bytes(range(256)) * 4096
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with open(path, "wb") as handle:
        handle.write(body)
        remaining = size - len(body)
        while remaining > 0:
            handle.write(chunk[: min(remaining, len(chunk))])
            remaining -= len(chunk)
    os.chmod(path, 0o400)



def write_crash_hotplug(machine: SimulatedMachine, on: bool) -> None:
    for path in CRASH_HOTPLUG_FILES:
        machine.write(path, "1\n" if on else "0\n")

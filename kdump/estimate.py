"""How much memory the capture kernel needs: the crashkernel= size to suggest."""

from __future__ import annotations

from backends.record import Record

MIB = 1 << 20

# Kernel image grows this many times once decompressed and running.
_IMAGE_FACTOR = {"x86_64": 6, "i386": 6, "i686": 6, "s390x": 6, "ppc64le": 2, "ppc64": 2,
                 "powerpc": 2}


class EstimateInputs(Record):
    """What the crashkernel size estimate is computed from."""

    arch: str
    nproc: int
    initrd_version: str | None  # None: the initrd path names no kernel version
    decompressed_initrd_mib: str | None  # text of size_initrd.img-VER, None if absent
    early_meminfo: str | None  # text of mem-VER, None if absent
    kernel_bytes: int
    initrd_bytes: int


class Estimate(Record):
    """A crashkernel size estimate, or why there is none."""

    size_mib: int | None
    reason: str = ""
    below_minimum: bool = False
    surplus_mib: int = 0
    raw_mib: int | None = None  # the estimate before the floor was applied


def initrd_version(initrd_realpath: str) -> str | None:
    marker = "initrd.img-"
    if marker not in initrd_realpath:
        return None
    version = initrd_realpath.split(marker, 1)[1]
    return version or None


def meminfo(text: str) -> dict[str, int]:
    values = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        fields = rest.split()
        if fields and _is_number(fields[0]):
            values[name.strip()] = int(fields[0])
    return values


def _is_number(text: str) -> bool:
    """ASCII digits of a sane length: int() of "²" or of 5000 digits would raise."""
    return text.isascii() and text.isdigit() and len(text) <= 20


def _mib_rounded_up(size: int) -> int:
    return -(-size // MIB)


def surplus_mib(arch: str, nproc: int, mem_total_kib: int) -> int:
    """Per-CPU and per-GiB overhead the early-boot snapshot already contains (x86 only)."""
    if arch not in ("x86_64", "i386", "i686"):
        return 0
    cpus = max(nproc - 1, 0)
    gib = mem_total_kib // 1048576 + 1
    cpu_kib = (5000 * min(cpus, 32) + 3500 * min(max(cpus - 32, 0), 32)
               + 2500 * max(cpus - 64, 0))
    ram_kib = 6000 * min(gib, 32) + 600 * max(gib - 32, 0)
    return (cpu_kib + ram_kib) // 1024


def estimate(inputs: EstimateInputs) -> Estimate:
    if inputs.initrd_version is None:
        return Estimate(None, "can't parse kernel version from initrd filename")
    if inputs.decompressed_initrd_mib is None:
        return Estimate(None, "can't find decompressed initrd size")
    decompressed_text = inputs.decompressed_initrd_mib.strip()
    if not decompressed_text:
        return Estimate(None, "zero-sized decompressed initrd size")
    if not _is_number(decompressed_text):
        return Estimate(None, "can't parse decompressed initrd size")
    if inputs.early_meminfo is None:
        return Estimate(None, "can't find early boot memory info, it's only available after "
                              "a reboot")
    early = meminfo(inputs.early_meminfo)
    used_kib = (early.get("MemTotal", 0) - (early.get("MemFree", 0) + early.get("Buffers", 0)
                + early.get("Cached", 0) + early.get("SReclaimable", 0))
                - early.get("Hugetlb", 0))
    early_mib = used_kib // 1024
    vmlinux = _mib_rounded_up(inputs.kernel_bytes) * _IMAGE_FACTOR.get(inputs.arch, 4)
    initrd = _mib_rounded_up(inputs.initrd_bytes)
    decompressed = int(decompressed_text)
    # The RAM the surplus counts is the snapshot's MemTotal, as the original's (it reads
    # MemTotal once, from mem-VER), not the running kernel's /proc/meminfo.
    surplus = surplus_mib(inputs.arch, inputs.nproc, early.get("MemTotal", 0))
    size = vmlinux + initrd + decompressed + early_mib - surplus
    floor = vmlinux + initrd + decompressed + 32
    if size < floor:
        return Estimate(floor, below_minimum=True, surplus_mib=surplus, raw_mib=size)
    return Estimate(size, surplus_mib=surplus)

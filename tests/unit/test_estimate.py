"""kdump.estimate against reference-behaviour section 4.8, with hand-computed cases."""

from __future__ import annotations

import pytest

from kdump.estimate import (
    MIB,
    Estimate,
    EstimateInputs,
    estimate,
    initrd_version,
    meminfo,
    surplus_mib,
)


def early(total: int, free: int, buffers: int = 0, cached: int = 0, sreclaimable: int = 0,
          hugetlb: int = 0) -> str:
    """A /proc/meminfo snapshot (values in kB) as kdump_mem_estimator writes it."""
    return (
        f"MemTotal:       {total} kB\n"
        f"MemFree:        {free} kB\n"
        f"MemAvailable:   {free + cached} kB\n"
        f"Buffers:        {buffers} kB\n"
        f"Cached:         {cached} kB\n"
        f"SwapCached:            0 kB\n"
        f"SReclaimable:   {sreclaimable} kB\n"
        f"HugePages_Total:       0\n"
        f"Hugetlb:        {hugetlb} kB\n"
    )


def inputs(**changes: object) -> EstimateInputs:
    base = EstimateInputs(
        arch="x86_64",
        nproc=8,
        initrd_version="6.1.0-18-amd64",
        decompressed_initrd_mib="120\n",
        early_meminfo=early(16318176, 15000000, 10000, 500000, 40000),
        kernel_bytes=8 * MIB,
        initrd_bytes=30 * MIB + 1,
    )
    return base._replace(**changes)


# -- hand-computed estimates -------------------------------------------------------------


def test_x86_64_subtracts_the_cpu_and_memory_surplus() -> None:
    # VMLINUX = 8M x 6 = 48; INITRD = ceil(30M + 1 byte) = 31; DECOMP = 120
    # EARLY = (16318176 - (15000000 + 10000 + 500000 + 40000) - 0) / 1024 = 768176/1024 = 750
    # SURPLUS: n = 7, g = 16318176/1048576 + 1 = 16 -> (5000*7 + 6000*16)/1024 = 131000/1024 = 127
    result = estimate(inputs())
    assert result == Estimate(48 + 31 + 120 + 750 - 127, surplus_mib=127)
    assert result.size_mib == 822 and not result.below_minimum


def test_hugetlb_pages_are_not_counted_as_early_use() -> None:
    # 102400 kB of hugetlb = 100 MiB less than the case above.
    result = estimate(inputs(early_meminfo=early(16318176, 15000000, 10000, 500000, 40000,
                                                 hugetlb=102400)))
    assert result.size_mib == 722


def test_ppc64le_uses_factor_two_and_no_surplus() -> None:
    # VMLINUX = 40 x 2 = 80; INITRD = 20; DECOMP = 100; EARLY = (1000000 - 488000)/1024 = 500
    result = estimate(inputs(arch="ppc64le", nproc=64, kernel_bytes=40 * MIB,
                             initrd_bytes=20 * MIB, decompressed_initrd_mib="100",
                             early_meminfo=early(1000000, 400000, 8000, 80000)))
    assert result == Estimate(80 + 20 + 100 + 500, surplus_mib=0)


@pytest.mark.parametrize("arch", ["aarch64", "arm64", "riscv64"])
def test_other_architectures_use_factor_four(arch: str) -> None:
    # VMLINUX = 30 x 4 = 120; INITRD = 25; DECOMP = 90; EARLY = 307200/1024 = 300
    result = estimate(inputs(arch=arch, nproc=128, kernel_bytes=30 * MIB - 100,
                             initrd_bytes=25 * MIB, decompressed_initrd_mib="90",
                             early_meminfo=early(2000000, 1692800)))
    assert result == Estimate(120 + 25 + 90 + 300, surplus_mib=0)


@pytest.mark.parametrize(("arch", "factor"), [("s390x", 6), ("i386", 6), ("x86_64", 6),
                                              ("ppc64le", 2), ("aarch64", 4)])
def test_image_factor_per_architecture(arch: str, factor: int) -> None:
    # One CPU and no memory: only the x86 RAM part (6000 kB -> 5 MiB) of the surplus is left.
    base = inputs(arch=arch, nproc=1, kernel_bytes=0)
    bigger = base._replace(kernel_bytes=10 * MIB)
    assert estimate(bigger).size_mib - estimate(base).size_mib == 10 * factor


def test_below_minimum_uses_the_floor() -> None:
    # VMLINUX 60, INITRD 10, DECOMP 50, EARLY 100; SURPLUS: n = 63, g = 257
    #   cpu = 5000*32 + 3500*31 = 268500; ram = 6000*32 + 600*225 = 327000 -> 595500/1024 = 581
    # EST = 220 - 581 < floor = 60 + 10 + 50 + 32 = 152
    result = estimate(inputs(nproc=64, kernel_bytes=10 * MIB, initrd_bytes=10 * MIB,
                             decompressed_initrd_mib="50",
                             early_meminfo=early(256 * 1048576, 256 * 1048576 - 102400)))
    assert result == Estimate(152, below_minimum=True, surplus_mib=581, raw_mib=220 - 581)


def test_exactly_at_the_floor_is_not_below_minimum() -> None:
    # EARLY - SURPLUS == 32: EST equals the floor, which is not "below".
    # nproc 1, MemTotal 0 -> SURPLUS = 6000/1024 = 5; EARLY = 37 MiB = 37888 kB.
    result = estimate(inputs(nproc=1, early_meminfo=early(37888, 0)))
    floor = 48 + 31 + 120 + 32
    assert result == Estimate(floor, surplus_mib=5)
    one_less = estimate(inputs(nproc=1, early_meminfo=early(37887, 0)))
    assert one_less == Estimate(floor, below_minimum=True, surplus_mib=5, raw_mib=floor - 1)


@pytest.mark.parametrize(
    ("arch", "nproc", "mem_kib", "expected"),
    [
        ("x86_64", 1, 0, 6000 // 1024),
        ("x86_64", 33, 0, (5000 * 32 + 6000) // 1024),
        ("x86_64", 34, 0, (5000 * 32 + 3500 * 1 + 6000) // 1024),
        ("x86_64", 100, 64 * 1048576,
         (5000 * 32 + 3500 * 32 + 2500 * 35 + 6000 * 32 + 600 * 33) // 1024),
        ("i386", 2, 1048575, (5000 + 6000) // 1024),
        ("i386", 2, 1048576, (5000 + 12000) // 1024),
        ("x86_64", 0, 0, 6000 // 1024),  # no negative CPU part
        ("ppc64le", 100, 64 * 1048576, 0),
        ("aarch64", 100, 64 * 1048576, 0),
        ("s390x", 100, 64 * 1048576, 0),
    ],
)
def test_surplus(arch: str, nproc: int, mem_kib: int, expected: int) -> None:
    assert surplus_mib(arch, nproc, mem_kib) == expected


# -- "Unknown (...)" reasons -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"initrd_version": None}, "can't parse kernel version from initrd filename"),
        ({"decompressed_initrd_mib": None}, "can't find decompressed initrd size"),
        ({"decompressed_initrd_mib": ""}, "zero-sized decompressed initrd size"),
        ({"decompressed_initrd_mib": "\n"}, "zero-sized decompressed initrd size"),
        ({"decompressed_initrd_mib": "12M"}, "can't parse decompressed initrd size"),
        ({"decompressed_initrd_mib": "-3"}, "can't parse decompressed initrd size"),
        ({"early_meminfo": None},
         "can't find early boot memory info, it's only available after a reboot"),
        # Checked in the original's order: the first missing input names the reason.
        ({"decompressed_initrd_mib": None, "early_meminfo": None},
         "can't find decompressed initrd size"),
        ({"initrd_version": None, "decompressed_initrd_mib": None},
         "can't parse kernel version from initrd filename"),
    ],
)
def test_unknown_reasons(changes: dict[str, object], reason: str) -> None:
    result = estimate(inputs(**changes))
    assert result.size_mib is None
    assert result.reason == reason
    assert not result.below_minimum


def test_zero_decompressed_size_is_a_value_not_an_unknown() -> None:
    assert estimate(inputs(decompressed_initrd_mib="0")).size_mib == 822 - 120


# -- B45: the kernel version is parsed explicitly from the initrd name -----------------------


@pytest.mark.parametrize(
    ("path", "version"),
    [
        ("/var/lib/kdump/initrd.img-6.1.0-18-amd64", "6.1.0-18-amd64"),
        ("/boot/initrd.img-6.12.9+deb13-arm64", "6.12.9+deb13-arm64"),
        ("/var/lib/kdump/initrd.img", None),  # B45: no "initrd.img-", never the whole path
        ("/var/lib/kdump/initrd.img-", None),
        ("", None),
        ("/srv/kdump/my-initrd", None),
    ],
)
def test_initrd_version(path: str, version: str | None) -> None:
    assert initrd_version(path) == version


def test_meminfo_reads_kib_values_and_skips_other_lines() -> None:
    text = early(100, 50, hugetlb=7) + "garbage line\nEmpty:\nDirectMap4k: abc kB\n"
    values = meminfo(text)
    assert values["MemTotal"] == 100 and values["MemFree"] == 50 and values["Hugetlb"] == 7
    assert values["HugePages_Total"] == 0
    assert "Empty" not in values and "DirectMap4k" not in values and "garbage line" not in values

"""Kernel files in odd shapes: numbers, CPU lists, iomem, meminfo (issue 12, class 4)."""

from __future__ import annotations

import pytest

from backends.fadump_sysfs import FadumpSysfs
from backends.values import MAX_CPUS, parse_cpu_list, parse_kernel_int
from kdump.dumpname import dump_dir_key
from kdump.estimate import EstimateInputs, estimate, meminfo
from kdump.facts import crash_ranges


@pytest.mark.parametrize(("text", "value"), [("1\n", 1), ("0", 0), (" 42 \n", 42),
                                             ("00000000000000000001", 1)])
def test_kernel_numbers(text: str, value: int) -> None:
    assert parse_kernel_int(text) == value


@pytest.mark.parametrize("text", [None, "", "\n", "１", "١", "1_0", "+1", "-1", "0x1", "1.0",
                                  "\ufffd", "9" * 5000, "1\x1c", "1 2"])
def test_anything_else_is_not_a_kernel_number(text: str | None) -> None:
    assert parse_kernel_int(text) is None


@pytest.mark.parametrize(("text", "count"), [("0\n", 1), ("0-3\n", 4), ("0-3,8,10-11", 7),
                                             ("0-99999999999999999", MAX_CPUS)])
def test_cpu_lists(text: str, count: int) -> None:
    assert parse_cpu_list(text) == count


@pytest.mark.parametrize("text", ["a-b", "0-", "-3", "3-1", "", "0,,1", "0-3-5", "²", "0-٣"])
def test_cpu_lists_in_odd_shapes_are_not_lists(text: str) -> None:
    assert parse_cpu_list(text) is None


def test_iomem_ranges_in_odd_shapes_are_skipped() -> None:
    text = ("zz-yy : Crash kernel\n"
            "  ١٠-٢٠ : Crash kernel\n"
            f"  {'f' * 5000}-1 : Crash kernel\n"
            "  2b000000-3affffff : Crash kernel\n")
    assert crash_ranges(text) == ((0x2B000000, 0x3AFFFFFF),)


def test_meminfo_numbers_in_odd_shapes_are_skipped() -> None:
    assert meminfo("MemTotal: ² kB\nMemFree: " + "9" * 5000 + " kB\nCached: 10 kB\n") == \
        {"Cached": 10}


@pytest.mark.parametrize("size", ["²", "9" * 5000, "1_0"])
def test_an_odd_decompressed_initrd_size_gives_no_estimate(size: str) -> None:
    result = estimate(EstimateInputs("x86_64", 2, "6.1", size, "", 1 << 20, 1 << 20))
    assert result.size_mib is None and result.reason == "can't parse decompressed initrd size"


class _Files:
    def __init__(self, files: dict[str, str]) -> None:
        self.files = files

    def read_text(self, path: str) -> str | None:
        return self.files.get(path)

    def write_sysfs(self, path: str, value: str) -> None:
        self.files[path] = value


@pytest.mark.parametrize(("text", "registered"), [("1\n", True), ("0\n", False), ("１", False),
                                                  ("9" * 5000, False), ("\ufffd", False)])
def test_fadump_flags_in_odd_shapes(text: str, registered: bool) -> None:
    files = _Files({"/sys/kernel/fadump/enabled": "1\n", "/sys/kernel/fadump/registered": text})
    assert FadumpSysfs(files).state().registered is registered


@pytest.mark.parametrize("name", ["202401010000-" + "9" * 5000, "２０２４０１０１００００",
                                  "202401010000-١"])
def test_directory_names_in_odd_shapes_are_not_dumps(name: str) -> None:
    assert dump_dir_key(name) is None


def test_ip_output_in_odd_shapes_gives_the_addresses_it_can(tmp_path: object,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            ) -> None:
    from backends.linux import LinuxHost
    from backends.values import RunResult

    host = LinuxHost(str(tmp_path))
    text = "1: lo    inet\n2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global\n\n"
    monkeypatch.setattr(host, "run", lambda argv, **_: RunResult(tuple(argv), 0, text))
    assert host.ipv4_addresses() == ["10.0.0.5"]

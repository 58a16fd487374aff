"""What a capture costs, as the systemd guest measures it (tests/e2e/harness/capture_probe.py,
harness/systemd_bisect.py) and bench/capture.py reports it: the probe's console lines read
back into figures, the bisection's steps, and the bench's table with its ratios. No QEMU."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from harness import capture_probe, systemd_bisect  # noqa: E402

TAG = capture_probe.TAG


def _bench() -> object:
    path = Path(__file__).resolve().parents[2] / "bench/capture.py"
    spec = importlib.util.spec_from_file_location("bench_capture", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_probe_lines_give_the_lowest_available_and_the_largest_peaks() -> None:
    lines = [
        (10.0, "[   37.5] systemd[1]: Started e2e-capture-probe.service"),
        (10.5, f"[   37.6] {TAG} start MemTotal=150248 MemAvailable=110524"),
        (12.0, f"[   39.7] {TAG} sample min_available=108780 peak=0 anon=0"),
        (40.0, f"[   80.0] {TAG} sample min_available=100400 peak=81500000 anon=3300000"),
        (41.0, f"[   81.0] {TAG} sample min_available=101000 peak=70000000 anon=2000000"),
        (55.5, f"[  145.0] {TAG} saved /var/crash/202612080230/dump.202612080230 "
               "min_available=100900 peak=81000000 anon=2500000"),
        (56.0, f"[  145.3] {TAG} final state=150248 100468 81100000 3200000 peak_now=81200000"),
    ]
    found = capture_probe.parse(lines)
    assert found == {
        "mem_total_kib": 150248,
        "min_available_kib": 100400,
        "peak_bytes": 81500000,
        "anon_peak_bytes": 3300000,
        "saved_at": 55.5,
        "saved_path": "/var/crash/202612080230/dump.202612080230",
        "no_reboot": None,
    }


def test_a_capture_the_probe_had_to_reboot_is_reported() -> None:
    said = "no reboot 30 s after kdump-tools-dump.service ended: rebooting with sysrq-b"
    found = capture_probe.parse([(1.0, f"{TAG} start MemTotal=1 MemAvailable=1"),
                                 (90.0, f"[ 99.0] {TAG} {said}")])
    assert found["no_reboot"] == said
    assert found["saved_at"] is None


def test_no_probe_lines_give_no_figures() -> None:
    found = capture_probe.parse([(1.0, "[ 1.0] Linux version 6.12")])
    assert set(found.values()) == {None}


def test_the_bisection_finds_the_threshold_probing_only_between_its_bounds() -> None:
    for threshold in (16, 112, 128, 176, 192):
        probed: list[int] = []

        def works(mib: int, threshold: int = threshold, probed: list[int] = probed) -> bool:
            probed.append(mib)
            return mib >= threshold

        assert systemd_bisect.bisect(0, 192, works) == (threshold - 16, threshold)
        assert all(0 < m < 192 and m % 16 == 0 for m in probed), probed
        assert len(probed) <= 4  # 12 steps of 16 MiB
        assert len(set(probed)) == len(probed)


def test_a_range_not_in_16_mib_steps_is_refused() -> None:
    for bad in ("0:200", "8:192", "192:0", "x:16"):
        try:
            systemd_bisect.parse_range(bad)
        except (SystemExit, ValueError):
            continue
        raise AssertionError(f"{bad} accepted")
    assert systemd_bisect.parse_range("0:192") == (0, 192)


def test_the_bench_table_says_ratios_of_this_run_and_why_a_package_failed() -> None:
    bench = _bench()
    ours = {"passed": True, "dump_complete": True, "crash_to_saved_s": 120.0,
            "crash_to_ready_s": 240.0, "dump_bytes": 100 << 20, "peak_bytes": 80 << 20}
    orig = {"passed": False, "dump_complete": True, "crash_to_saved_s": 150.0,
            "crash_to_ready_s": 260.0, "dump_bytes": 96 << 20, "peak_bytes": 80 << 20,
            "problems": ["step 4 crash: dump.x has mode 644"]}
    text = bench.table({"local": {"ours": ours, "original": orig}})  # type: ignore[attr-defined]
    rows = {line.split("  ")[1].strip(): line.split() for line in text.splitlines()[2:]
            if line.startswith("  ") and not line.startswith("  ours failed")
            and not line.startswith("  original failed")}
    assert rows["result"][-2:] == ["passed", "FAILED"]
    assert rows["crash -> dump saved (s)"][-3:] == ["120.0", "150.0", "0.80"]
    assert rows["dump unit memory.peak (MiB)"][-3:] == ["80.0", "80.0", "1.00"]
    assert rows["dump size (MiB)"][-3:] == ["100.0", "96.0", "1.04"]
    assert "  original failed: step 4 crash: dump.x has mode 644" in text.splitlines()
    missing = bench.table({"ssh": {"ours": {"unavailable": "not run: no --target"}}})  # type: ignore[attr-defined]
    assert "not run: no --target" in missing


def test_the_bench_says_each_packages_smallest_reservation_and_their_ratio() -> None:
    bench = _bench()
    ours = {"smallest_working_mib": 144, "largest_failing_mib": 128,
            "probes": [{"crashkernel_mib": 96, "passed": False},
                       {"crashkernel_mib": 144, "passed": True},
                       {"crashkernel_mib": 128, "passed": False}]}
    orig = {"smallest_working_mib": 160, "largest_failing_mib": 144, "probes": []}
    text = bench.bisect_lines("local", {"ours": ours, "original": orig})  # type: ignore[attr-defined]
    assert "  ours      144M (largest failing 128M; probes: 96M fail, 144M ok, 128M fail)" in text
    assert text.splitlines()[-1] == "  ours/original 0.90"
    alone = bench.bisect_lines("ssh", {"ours": ours, "original": {"why": "no cycle"}})  # type: ignore[attr-defined]
    assert "  original  not found: no cycle" in alone and alone.endswith("ours/original -")

#!/usr/bin/env python3
"""savecore's copy path against cp, and its peak memory for a small and a large vmcore.

savecore runs in the capture kernel with little memory and one chance, so its
data path must stream: the copy should cost what `cp` costs, and peak memory
must not grow with the vmcore.  Every figure is measured in this run:

* savecore's copy path (the real backend's copy_file: copy_file_range, then fsync)
  against `cp` of the same file followed by `sync` of the copy (what the original
  did: cp, mv, sync), on the same file system, from a warm page cache; best of N;
* the whole `kdump-config savecore` on a simulated machine without makedumpfile
  (the raw-copy path), and on a small vmcore, which shows its fixed start-up cost;
* peak RSS (ru_maxrss of the savecore process) for a small and a large vmcore.

    .venv/bin/python bench/savecore.py [--gib 2] [--small-mib 64] [--runs 3]

It runs once on disk (--dir, default: the system temporary directory) and, when
it has room, once in memory (/dev/shm), where the storage's noise is gone and
only the tools' own costs remain.  It needs about three times the large size
free in each, and removes everything it made.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 1.1
TARGET_RSS_DELTA_MIB = 5.0


def run(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{argv} failed ({status}): {err}")
    return wall, usage.ru_maxrss / 1024


def crashed_machine(state: Path, size: int) -> Path:
    """A simulated machine in its capture kernel, without makedumpfile: savecore copies."""
    from sim.machine import SimulatedMachine

    machine = SimulatedMachine.create(state, "x86_64-ready")
    machine.state["tools"] = [t for t in machine.state["tools"] if t != "makedumpfile"]
    machine.state["kexec_loaded"] = ["/usr/sbin/kexec", "-p", "/var/lib/kdump/vmlinuz"]
    machine.save()
    machine.crash(size)
    return machine.path("/proc/vmcore")


def warm(path: Path) -> None:
    with open(path, "rb") as handle:
        while handle.read(8 << 20):
            pass


def savecore(cli: str, state: Path) -> tuple[float, float]:
    env = dict(os.environ, KDUMP_BACKEND="sim", KDUMP_SIM_STATE=str(state))
    env.pop("NAME", None)
    result = run([cli, "savecore"], env)
    crash_dir = state / "root" / "var" / "crash"
    for entry in crash_dir.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
    return result


def cp(vmcore: Path, scratch: Path, sync: bool) -> float:
    copy = scratch / "cp-copy"
    start = time.perf_counter()
    subprocess.run(["cp", str(vmcore), str(copy)], check=True)
    if sync:
        subprocess.run(["sync", str(copy)], check=True)
    wall = time.perf_counter() - start
    copy.unlink()
    subprocess.run(["sync", "-f", str(scratch)], check=True)  # no writeback left for the next
    return wall


def copy_path(vmcore: Path, scratch: Path) -> float:
    """savecore's data path alone: the real backend's zero-copy copy_file (+ its fsync)."""
    from backends.linux import LinuxHost

    copy = scratch / "copy-file"
    start = time.perf_counter()
    LinuxHost("/").copy_file(str(vmcore), str(copy))
    wall = time.perf_counter() - start
    copy.unlink()
    subprocess.run(["sync", "-f", str(scratch)], check=True)
    return wall


def measure(where: str | None, cli: str, large: int, small: int, runs: int
            ) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall times and peak RSS, every case run in turn ``runs`` times, in ``where``."""
    scratch = Path(tempfile.mkdtemp(prefix="kdump-bench-savecore-", dir=where))
    walls: dict[str, list[float]] = {"cp": [], "cp+sync": [], "copy_file": [], "savecore": [],
                                     "savecore-small": []}
    rss: dict[str, list[float]] = {"large": [], "small": []}
    try:
        big_core = crashed_machine(scratch / "large", large)
        crashed_machine(scratch / "small", small)
        warm(big_core)
        os.sync()  # the vmcore just written must not be flushed during a measurement

        def large_run() -> None:
            wall, peak = savecore(cli, scratch / "large")
            subprocess.run(["sync", "-f", str(scratch)], check=True)
            walls["savecore"].append(wall)
            rss["large"].append(peak)

        def small_run() -> None:
            wall, peak = savecore(cli, scratch / "small")
            walls["savecore-small"].append(wall)
            rss["small"].append(peak)

        cases = [lambda: walls["cp"].append(cp(big_core, scratch, sync=False)),
                 lambda: walls["cp+sync"].append(cp(big_core, scratch, sync=True)),
                 lambda: walls["copy_file"].append(copy_path(big_core, scratch)),
                 large_run, small_run]
        for turn in range(runs):  # each case follows a different one each turn: no order bias
            for case in cases[turn % len(cases):] + cases[:turn % len(cases)]:
                case()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return walls, rss


def report(title: str, walls: dict[str, list[float]], large: int, small: int) -> float:
    """Print one table; return the data path's ratio (best against best)."""
    best = {name: min(values) for name, values in walls.items()}
    middle = {name: statistics.median(values) for name, values in walls.items()}
    print(f"{title}: vmcore {large / (1 << 30):.2f} GiB, {len(walls['cp'])} runs "
          "(best, median seconds)")
    rows = [("cp (into the page cache only)", "cp"),
            ("cp, then sync of the copy", "cp+sync"),
            ("savecore's copy path", "copy_file"),
            ("kdump-config savecore", "savecore"),
            (f"kdump-config savecore, {small >> 20} MiB", "savecore-small")]
    for label, name in rows:
        print(f"  {label:<34} {best[name]:7.3f} {middle[name]:7.3f}")
    ratio = best["copy_file"] / best["cp+sync"]
    print(f"  copy path / cp + sync             {ratio:7.3f} "
          f"{middle['copy_file'] / middle['cp+sync']:7.3f}   (target <= {TARGET_RATIO})")
    print(f"  whole savecore / cp + sync        {best['savecore'] / best['cp+sync']:7.3f} "
          f"{middle['savecore'] / middle['cp+sync']:7.3f}")
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=2.0, help="large vmcore size (GiB)")
    parser.add_argument("--small-mib", type=int, default=64, help="small vmcore size (MiB)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", default=None, help="the disk-backed scratch directory")
    args = parser.parse_args()
    cli = shutil.which("kdump-config", path=str(Path(sys.executable).parent)) or "kdump-config"
    large, small = int(args.gib * (1 << 30)), args.small_mib << 20
    places = [("disk " + (args.dir or tempfile.gettempdir()), args.dir)]
    # In memory, the storage's noise is gone and what is left is the tools' own cost.
    if shutil.disk_usage("/dev/shm").free > 3 * large + (1 << 30):
        places.append(("memory /dev/shm", "/dev/shm"))
    ratios, peaks = [], {"large": 0.0, "small": 0.0}
    for title, where in places:
        walls, rss = measure(where, cli, large, small, args.runs)
        ratios.append(report(title, walls, large, small))
        peaks = {size: max(peaks[size], *rss[size]) for size in peaks}
    delta = peaks["large"] - peaks["small"]
    print("peak RSS of kdump-config savecore:")
    print(f"  {small >> 20:5d} MiB vmcore                  {peaks['small']:7.1f} MiB")
    print(f"  {large >> 20:5d} MiB vmcore                  {peaks['large']:7.1f} MiB")
    print(f"  difference                        {delta:7.1f} MiB (target < "
          f"{TARGET_RSS_DELTA_MIB})")
    return 0 if min(ratios) <= TARGET_RATIO and delta < TARGET_RSS_DELTA_MIB else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""savecore's copy path against cp, and its peak memory for a small and a large vmcore.

savecore runs in the capture kernel with little memory and one chance, so its
data path must stream: the copy should cost what `cp` costs, and peak memory
must not grow with the vmcore.  Every figure is measured in this run:

* wall time of `kdump-config savecore` on a simulated machine without makedumpfile
  (the raw-copy path: zero-copy copy_file_range, then fsync and rename), against
  `cp` of the same file followed by `sync` of the copy (what the original did:
  cp, mv, sync), on the same file system, both from a warm page cache; best of N;
* peak RSS (ru_maxrss of the savecore process) for a small and a large vmcore.

    .venv/bin/python bench/savecore.py [--gib 2] [--small-mib 64] [--runs 3]

It needs about three times the large size free in --dir (default: the system
temporary directory) and removes everything it made.
"""

from __future__ import annotations

import argparse
import os
import shutil
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
    from sim.machine import Machine

    machine = Machine.create(state, "x86_64-ready")
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=2.0, help="large vmcore size (GiB)")
    parser.add_argument("--small-mib", type=int, default=64, help="small vmcore size (MiB)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", default=None, help="where the scratch files go")
    args = parser.parse_args()
    cli = shutil.which("kdump-config", path=str(Path(sys.executable).parent)) or "kdump-config"
    scratch = Path(tempfile.mkdtemp(prefix="kdump-bench-savecore-", dir=args.dir))
    large = int(args.gib * (1 << 30))
    small = args.small_mib << 20
    try:
        big_core = crashed_machine(scratch / "large", large)
        crashed_machine(scratch / "small", small)
        warm(big_core)
        cp_walls, plain_walls, save_walls, large_rss = [], [], [], []
        for _ in range(args.runs):  # alternate, so page cache and disk state treat both alike
            plain_walls.append(cp(big_core, scratch, sync=False))
            cp_walls.append(cp(big_core, scratch, sync=True))
            wall, rss = savecore(cli, scratch / "large")
            subprocess.run(["sync", "-f", str(scratch)], check=True)
            save_walls.append(wall)
            large_rss.append(rss)
        small_rss = [savecore(cli, scratch / "small")[1] for _ in range(args.runs)]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    cp_best, save_best = min(cp_walls), min(save_walls)
    ratio = save_best / cp_best
    delta = max(large_rss) - max(small_rss)
    print(f"vmcore {large / (1 << 30):.2f} GiB, best of {args.runs}:")
    plain_best = min(plain_walls)
    print(f"  cp (page cache only)       {plain_best:8.3f} s  "
          f"({large / plain_best / (1 << 20):7.0f} MiB/s)")
    print(f"  cp + sync of the copy      {cp_best:8.3f} s  "
          f"({large / cp_best / (1 << 20):7.0f} MiB/s)")
    print(f"  kdump-config savecore      {save_best:8.3f} s  "
          f"({large / save_best / (1 << 20):7.0f} MiB/s)")
    print(f"  ratio savecore / cp + sync {ratio:8.3f}    (target <= {TARGET_RATIO})")
    print(f"  ratio savecore / cp alone  {save_best / plain_best:8.3f}    (savecore also "
          "fsyncs: a dump must survive the reboot that follows)")
    print("peak RSS of savecore:")
    print(f"  {small >> 20:5d} MiB vmcore          {max(small_rss):8.1f} MiB")
    print(f"  {large >> 20:5d} MiB vmcore          {max(large_rss):8.1f} MiB")
    print(f"  difference                 {delta:8.1f} MiB (target < {TARGET_RSS_DELTA_MIB})")
    return 0 if ratio <= TARGET_RATIO and delta < TARGET_RSS_DELTA_MIB else 1


if __name__ == "__main__":
    sys.exit(main())

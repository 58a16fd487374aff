#!/usr/bin/env python3
"""Hotplug storm: 64 concurrent `try-reload` against one loaded machine (issue 11).

On the simulator and on the sandbox tier (the real backend over a root tree with the
stub kexec), five runs each: the reloads actually performed in a storm (kexec unloads
recorded by the simulated kernel or the stub), the storm's wall time as a ratio to one
`try-reload` on the same machine (medians), and the state left behind.

    .venv/bin/python bench/hotplug.py [--runs 5] [--requests 64]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOP = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOP))

from tests.steps.common import programs_run  # noqa: E402
from tests.steps.machine import TestMachine  # noqa: E402
from tests.steps.sandbox import SandboxMachine  # noqa: E402


def unloads(machine: TestMachine) -> int:
    return sum(1 for argv in programs_run(machine)
               if Path(argv[0]).name == "kexec" and "-u" in argv)


def storm(machine: TestMachine, requests: int) -> tuple[float, int, list[int]]:
    """Wall seconds, reloads performed, exit codes."""
    argv = [sys.executable, "-m", "kdump.cli", *machine.cli_argv(["try-reload"])]
    before = unloads(machine)
    start = time.perf_counter()
    procs = [subprocess.Popen(argv, cwd=TOP, stdout=subprocess.DEVNULL,  # noqa: S603
                              stderr=subprocess.DEVNULL) for _ in range(requests)]
    codes = [proc.wait() for proc in procs]
    return time.perf_counter() - start, unloads(machine) - before, codes


def tier(kind: str, runs: int, requests: int) -> None:
    cls = SandboxMachine if kind == "sandbox" else TestMachine
    machine = cls(state_dir=Path(tempfile.mkdtemp(prefix="kdump-hotplug-")) / "machine")
    machine.build("x86_64-ready")
    assert machine.run("kdump-config load").exit_code == 0
    single = [storm(machine, 1)[0] for _ in range(runs)]
    walls, reloads, failed = [], [], 0
    for _ in range(runs):
        wall, count, codes = storm(machine, requests)
        walls.append(wall)
        reloads.append(count)
        failed += sum(1 for code in codes if code != 0)
    status = machine.run("kdump-config status").stdout.strip().splitlines()[-1]
    one, many = statistics.median(single), statistics.median(walls)
    print(f"{kind:8} {requests} concurrent try-reload, {runs} runs:")
    print(f"  reloads performed per storm: median {statistics.median(reloads):g}, "
          f"max {max(reloads)}, runs {reloads}  (target <= 2)")
    print(f"  wall: one try-reload {one * 1000:.0f} ms, storm {many * 1000:.0f} ms "
          f"= {many / one:.1f}x  (target <= 3x)")
    print(f"  non-zero exits: {failed}; final state: {status}")
    machine.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=64)
    args = parser.parse_args()
    for kind in ("sim", "sandbox"):
        tier(kind, args.runs, args.requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())

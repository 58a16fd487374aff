#!/usr/bin/env python3
"""Hotplug storm: 64 concurrent `try-reload` against one loaded machine (issue 11).

On the simulator and on the sandbox tier (the real backend over a root tree with the
stub kexec), with kdump-config laid out as the package installs it (bench/layout.py):
the reloads actually performed in a storm (kexec unloads recorded by the simulated
kernel or the stub), the storm's wall time as a ratio to one `try-reload` on the same
machine, and the state left behind.  The physical floor is measured in the same rounds:
64 concurrent `python3 -I -c pass` (the interpreter alone) and 64 concurrent
`kdump-config status` (the same start-up, no lock, no reload), each against one
`try-reload`.  Five rounds, interleaved so that a burst of load hits every figure
alike; medians.

    .venv/bin/python bench/hotplug.py [--runs 5] [--requests 64]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOP = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOP))

from bench.layout import Installed  # noqa: E402
from sandbox import machines  # noqa: E402
from sim.machine import SimulatedMachine  # noqa: E402

TARGET_RELOADS = 2
TARGET_RATIO = 3.0


def unloads(machine: SimulatedMachine) -> int:
    return sum(1 for argv in machines.programs_run(machine.effects())
               if Path(argv[0]).name == "kexec" and "-u" in argv)


def concurrently(argv: list[str], count: int) -> tuple[float, list[int]]:
    """Wall seconds for ``count`` processes started together; their exit codes."""
    start = time.perf_counter()
    procs = [subprocess.Popen(argv, cwd=TOP, stdout=subprocess.DEVNULL,  # noqa: S603
                              stderr=subprocess.DEVNULL) for _ in range(count)]
    codes = [proc.wait() for proc in procs]
    return time.perf_counter() - start, codes


def tier(kind: str, installed: Installed, runs: int, requests: int) -> bool:
    state = Path(tempfile.mkdtemp(prefix="kdump-hotplug-"))
    if kind == "sandbox":
        machine, options = machines.build(state / "machine", "x86_64-ready"), \
            machines.linux_argv(state / "machine")
    else:
        machine, options = SimulatedMachine.create(state / "machine", "x86_64-ready"), \
            machines.sim_argv(state / "machine")
    cli = installed.command
    subprocess.run([*cli, *options, "load"], check=True, stdout=subprocess.DEVNULL)
    reload_argv = [*cli, *options, "try-reload"]
    figures: dict[str, list[float]] = {"one": [], "pass": [], "status": [], "storm": []}
    reloads: list[int] = []
    failed = 0
    for _ in range(runs):
        figures["one"].append(concurrently(reload_argv, 1)[0])
        figures["pass"].append(concurrently([installed.python, "-I", "-c", "pass"],
                                            requests)[0])
        figures["status"].append(concurrently([*cli, *options, "status"], requests)[0])
        before = unloads(machine)
        wall, codes = concurrently(reload_argv, requests)
        figures["storm"].append(wall)
        reloads.append(unloads(machine) - before)
        failed += sum(1 for code in codes if code != 0)
    status = subprocess.run([*cli, *options, "status"], capture_output=True, text=True,
                            check=False).stdout.strip().splitlines()[-1]
    one, floor_pass, floor_status, many = (statistics.median(figures[name]) for name in
                                           ("one", "pass", "status", "storm"))
    print(f"{kind}: {requests} concurrent try-reload, {runs} runs, medians")
    print(f"  reloads performed per storm: median {statistics.median(reloads):g}, "
          f"max {max(reloads)}, runs {reloads}  (target <= {TARGET_RELOADS})")
    print(f"  one try-reload (loaded: a reload) {one * 1000:.0f} ms")
    print(f"  floor: {requests} x python3 -I -c pass {floor_pass * 1000:.0f} ms "
          f"= {floor_pass / one:.2f}x one try-reload; {requests} x kdump-config status "
          f"{floor_status * 1000:.0f} ms = {floor_status / one:.2f}x")
    print(f"  storm {many * 1000:.0f} ms = {many / one:.2f}x one try-reload  "
          f"(target <= {TARGET_RATIO:g}x)")
    print(f"  non-zero exits: {failed}; final state: {status}")
    shutil.rmtree(state, ignore_errors=True)
    return max(reloads) <= TARGET_RELOADS and many / one <= TARGET_RATIO and failed == 0 \
        and "ready to kdump" in status and "Not" not in status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=64)
    args = parser.parse_args()
    installed = Installed()
    try:
        ok = [tier(kind, installed, args.runs, args.requests) for kind in ("sim", "sandbox")]
    finally:
        installed.cleanup()
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())

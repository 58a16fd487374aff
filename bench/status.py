#!/usr/bin/env python3
"""Start-up cost of `kdump-config status` on the simulated default, against two floors.

`status` runs at boot and `savecore` in a capture kernel with little memory, so
both must stay close to the cost of the CLI framework itself.  Every figure is
measured in this run, on this machine: ratios, never absolute thresholds.

    .venv/bin/python bench/status.py [--runs N]
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

TARGET_RATIO = 1.3
TARGET_RSS_MIB = 30.0


def measure(argv: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Median wall seconds and peak RSS (MiB) over ``runs`` runs."""
    walls, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{argv} failed with status {status}")
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(walls), max(peaks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    python = sys.executable
    cli = shutil.which("kdump-config", path=str(Path(python).parent)) or "kdump-config"
    state = Path(tempfile.mkdtemp(prefix="kdump-bench-")) / "machine"
    env = dict(os.environ, KDUMP_BACKEND="sim", KDUMP_SIM_STATE=str(state))
    from sim.machine import Machine

    Machine.create(state, "x86_64-ready")
    # An installed package has its bytecode compiled (pip and dpkg do it); an editable
    # checkout under PYTHONDONTWRITEBYTECODE would otherwise recompile on every run.
    import compileall

    top = Path(__file__).resolve().parents[1]
    for package in ("kdump", "backends", "sim"):
        compileall.compile_dir(str(top / package), quiet=1)
    cases = {
        "python3 -c pass": [python, "-c", "pass"],
        "python3 -c 'import typer'": [python, "-c", "import typer"],
        "kdump-config status": [cli, "status"],
    }
    for argv in cases.values():  # warm the page cache
        measure(argv, 2, env)
    # Interleaved rounds: a burst of load on the machine hits every command alike.
    walls: dict[str, list[float]] = {name: [] for name in cases}
    peaks: dict[str, float] = dict.fromkeys(cases, 0.0)
    for _ in range(args.runs):
        for name, argv in cases.items():
            wall, rss = measure(argv, 1, env)
            walls[name].append(wall)
            peaks[name] = max(peaks[name], rss)
    results = {name: (statistics.median(walls[name]), peaks[name]) for name in cases}
    shutil.rmtree(state.parent, ignore_errors=True)
    typer_wall = results["python3 -c 'import typer'"][0]
    print(f"{'command':<28} {'median ms':>10} {'peak RSS MiB':>13} {'x typer':>8}")
    for name, (wall, rss) in results.items():
        print(f"{name:<28} {wall * 1000:>10.1f} {rss:>13.1f} {wall / typer_wall:>8.2f}")
    wall, rss = results["kdump-config status"]
    ratio = wall / typer_wall
    print(f"\nstatus / typer floor: {ratio:.2f}x (target <= {TARGET_RATIO}x); "
          f"peak RSS {rss:.1f} MiB (target < {TARGET_RSS_MIB} MiB)")
    return 0 if ratio <= TARGET_RATIO and rss < TARGET_RSS_MIB else 1


if __name__ == "__main__":
    sys.exit(main())

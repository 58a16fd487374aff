#!/usr/bin/env python3
"""Start-up cost of `kdump-config status` and `try-reload` against `python3 -c pass`.

`status` runs at boot and in monitoring, `try-reload` on every hotplug event: both are
dispatched without typer (issue 11) and must stay within 2.5x a bare interpreter's
start.  Every figure is measured in this run, on this machine: ratios, never absolute
thresholds.  Run it with each dependency set's interpreter (.venv: the newest typer and
structlog; .venv-lowest from dev/test-lowest: Debian trixie's 0.15.2 / 25.3.0).

    .venv/bin/python bench/status.py [--runs N]
    .venv-lowest/bin/python bench/status.py [--runs N]
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

TARGET_RATIO = 2.5
TARGET_RSS_MIB = 20.0


def measure(argv: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Median wall seconds and peak RSS (MiB) over ``runs`` runs.

    The peak RSS comes from GNU time, whose child is forked from that small process:
    a child forked from this one would inherit this interpreter's high-water mark
    (ru_maxrss survives exec), and every command would read the same ~20 MiB.
    """
    walls, peaks = [], []
    gnu_time = shutil.which("time", path="/usr/bin:/bin")
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{argv} failed with status {status}")
        if gnu_time:
            done = subprocess.run([gnu_time, "-f", "%M", *argv], env=env, check=True,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            peaks.append(int(done.stderr.strip().splitlines()[-1]) / 1024)
        else:
            peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(walls), max(peaks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
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
        "kdump-config try-reload": [cli, "try-reload"],  # not loaded: nothing to do
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
    from importlib.metadata import version

    floor = results["python3 -c pass"][0]
    print(f"typer {version('typer')}, structlog {version('structlog')}, {args.runs} runs, "
          "medians")
    print(f"{'command':<28} {'median ms':>10} {'peak RSS MiB':>13} {'x pass':>8}")
    for name, (wall, rss) in results.items():
        print(f"{name:<28} {wall * 1000:>10.1f} {rss:>13.1f} {wall / floor:>8.2f}")
    ok = True
    for name in ("kdump-config status", "kdump-config try-reload"):
        wall, rss = results[name]
        ratio = wall / floor
        ok = ok and ratio <= TARGET_RATIO and rss <= TARGET_RSS_MIB
        print(f"{name} / python3 -c pass: {ratio:.2f}x (target <= {TARGET_RATIO}x); "
              f"peak RSS {rss:.1f} MiB (target <= {TARGET_RSS_MIB} MiB)")
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Start-up cost of `kdump-config status` and `try-reload` against `python3 -c pass`.

`status` runs at boot and in monitoring, `try-reload` on every hotplug event: both are
dispatched without typer (issue 11) and must stay within 2.5x a bare interpreter's
start.  Every figure is measured in this run, on this machine: ratios, never absolute
thresholds.  What is measured is what production runs: the package's layout (private
module directory, compiled bytecode, the `python3 -I` launcher: bench/layout.py), on
the real backend over a sandbox root (stub programs, as the sandbox tier builds it: the
target applies here, as on a real host) and on the simulator (shown, not gated: its JSON
state and pathlib tree are the simulator's own cost); the baseline is the same
interpreter's `python3 -I -c pass`.  Run it
with each dependency set's interpreter (.venv: the newest typer and structlog;
.venv-lowest from dev/test-lowest: Debian trixie's 0.15.2 / 25.3.0).

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
# The standard modules the fast path is built on (tests/architecture/test_dispatch_paths.py
# keeps the rest out), and what it was built on before (typing, re, enum, dataclasses, shlex).
STDLIB_FLOOR = "import contextlib, collections.abc, errno, fcntl"
STDLIB_BEFORE = ("import sys, types; sys.modules['inspect'] = types.ModuleType('inspect'); "
                 "import contextlib, dataclasses, enum, fcntl, re, shlex, typing")  # as it ran
# What machines run is the real backend; the simulator (CI's machine) is shown, not gated:
# its state is JSON and its tree pathlib, which the real backend never loads.
GATED = ("status (linux, sandbox)", "try-reload (linux, sandbox)")


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
    top = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(top))
    from bench.layout import Installed
    from sandbox import machines
    from sim.machine import SimulatedMachine

    installed = Installed()
    python, cli = installed.python, installed.command
    state = Path(tempfile.mkdtemp(prefix="kdump-bench-"))
    SimulatedMachine.create(state / "sim", "x86_64-ready")
    machines.build(state / "sandbox", "x86_64-ready")
    sim = machines.sim_argv(state / "sim")
    linux = machines.linux_argv(state / "sandbox")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("KDUMP_") and key != "NAME"}
    cases = {
        "python3 -I -c pass": [python, "-I", "-c", "pass"],
        "python3 -I -c 'import typer'": [python, "-I", "-c", "import typer"],
        "stdlib floor of the fast path": [python, "-I", "-c", STDLIB_FLOOR],
        "stdlib of the former fast path": [python, "-I", "-c", STDLIB_BEFORE],
        "status (linux, sandbox)": [*cli, *linux, "status"],
        "try-reload (linux, sandbox)": [*cli, *linux, "try-reload"],  # not loaded
        "status (sim)": [*cli, *sim, "status"],
        "try-reload (sim)": [*cli, *sim, "try-reload"],
        "dev venv: python3 -c pass": [sys.executable, "-c", "pass"],
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
    shutil.rmtree(state, ignore_errors=True)
    installed.cleanup()
    from importlib.metadata import version

    floor = results["python3 -I -c pass"][0]
    print(f"typer {version('typer')}, structlog {version('structlog')}, {args.runs} runs, "
          "medians")
    print(f"{'command':<30} {'median ms':>10} {'peak RSS MiB':>13} {'x pass':>8}")
    for name, (wall, rss) in results.items():
        print(f"{name:<30} {wall * 1000:>10.1f} {rss:>13.1f} {wall / floor:>8.2f}")
    ok = True
    for name in ("status (linux, sandbox)", "try-reload (linux, sandbox)", "status (sim)",
                 "try-reload (sim)"):
        wall, rss = results[name]
        ratio = wall / floor
        gated = name in GATED
        if gated:
            ok = ok and ratio <= TARGET_RATIO and rss <= TARGET_RSS_MIB
        print(f"{name} / python3 -I -c pass: {ratio:.2f}x "
              f"({f'target <= {TARGET_RATIO}x' if gated else 'simulator: shown, not gated'}); "
              f"peak RSS {rss:.1f} MiB (target <= {TARGET_RSS_MIB} MiB)")
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())

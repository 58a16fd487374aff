"""A machine for the tests and the benchmarks alike: one tree, reached by either backend.

The simulated machine (sim/) keeps its files under ``root/`` of its state directory;
with the stub programs installed there (sandbox/stub.py), the real backend runs on the
same tree (``--backend linux --root``) as it would on a host.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from sandbox import stub
from sim.machine import SimulatedMachine


def build(state_dir: Path, profile: str, python: str | None = None) -> SimulatedMachine:
    """A new simulated machine from ``profile`` whose tree holds the stub programs (run
    by ``python``, this interpreter by default)."""
    machine = SimulatedMachine.create(state_dir, profile)
    stub.install(machine, python or sys.executable)
    return machine


def sim_argv(state_dir: Path) -> list[str]:
    """kdump-config's options that point it at the simulated machine."""
    return ["--backend", "sim", "--sim-state", str(state_dir)]


def linux_argv(state_dir: Path) -> list[str]:
    """kdump-config's options that point the real backend at the machine's tree."""
    return ["--backend", "linux", "--root", str(state_dir / "root")]


def programs_run(effects: Iterable[Mapping[str, object]]) -> list[list[str]]:
    """Every program started, alone or as a pipeline stage, in order.

    The simulator records a pipeline as one effect; the sandbox's stubs record each
    stage as it runs: both read the same here.
    """
    found: list[list[str]] = []
    for effect in effects:
        argv, stages = effect.get("argv"), effect.get("stages")
        if effect.get("op") == "run" and isinstance(argv, list):
            found.append([str(arg) for arg in argv])
        elif effect.get("op") == "pipeline" and isinstance(stages, list):
            found += [[str(arg) for arg in stage] for stage in stages]
    return found

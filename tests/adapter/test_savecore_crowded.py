"""savecore in a KDUMP_COREDIR crowded with names: what it holds stays bounded.

The capture kernel has the memory crashkernel= reserved (192M is common); a directory any
user can fill must cost savecore time in proportion, not memory.  Asserted on what is
kept (the retention heap, the free-name set), not on time.
"""

from __future__ import annotations

import io
import os
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from kdump import dumpname as names
from kdump.cli import main
from sim.machine import SimulatedMachine

CROWD = 20_000
NOBODY = 65534


def _savecore(state: Path) -> list[str]:
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        status = main(["--backend", "sim", "--sim-state", str(state), "savecore"])
    lines = out.getvalue().splitlines()
    assert status == 0, lines
    return lines


def test_savecore_among_20000_names_holds_bounded_state_and_purges_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kept: list[names.Retention] = []
    chosen: list[names.FreeDumpDir] = []

    class Watched(names.Retention):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            kept.append(self)

    class WatchedFree(names.FreeDumpDir):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            chosen.append(self)

    monkeypatch.setattr(names, "Retention", Watched)
    monkeypatch.setattr(names, "FreeDumpDir", WatchedFree)
    state = tmp_path / "m"
    machine = SimulatedMachine.create(state, "x86_64-ready")
    config = machine.read("/etc/default/kdump-tools") or ""
    machine.write("/etc/default/kdump-tools",
                  config + "KDUMP_NUM_DUMPS=1\nKDUMP_COMPRESSION=gzip\n")
    machine.state["kexec_loaded"] = ["/usr/sbin/kexec", "-p", "/var/lib/kdump/vmlinuz"]
    machine.save()
    machine.crash()
    crash = state / "root/var/crash"
    crash.mkdir(parents=True, exist_ok=True)
    os.chmod(crash, 0o1777)
    # Another user's names: like dumps, and like this minute's reruns (planted in bulk:
    # the simulated machine records each one's owner, as `kdump-sim plant` does).
    planted = machine.state.setdefault("planted", {})
    for i in range(CROWD // 2):
        for name in (f"2099{i:08d}", f"202401010000-{i + 1}"):
            (crash / name).write_bytes(b"")
            planted[f"/var/crash/{name}"] = [NOBODY, (crash / name).lstat().st_ino]
    (crash / "202401010000").mkdir()
    planted["/var/crash/202401010000"] = [NOBODY, (crash / "202401010000").lstat().st_ino]
    machine.save()
    saved = []
    for _ in range(2):  # two crashes, a minute apart: real dumps, gzip'd
        lines = _savecore(state)
        saved += [line for line in lines if "saved vmcore in" in line]
        again = SimulatedMachine(state)
        again.advance(60)
        again.save()
    assert saved == [f"kdump-config: saved vmcore in /var/crash/202401010000-{CROWD // 2 + 1}.",
                     "kdump-config: saved vmcore in /var/crash/202401010001."]
    assert lines[-1] == f"Too many dumps, purging: /var/crash/202401010000-{CROWD // 2 + 1} ."
    assert not (crash / f"202401010000-{CROWD // 2 + 1}").exists()
    assert (crash / "202401010001/dump.202401010001.gz").is_file()
    assert len(list(crash.iterdir())) == CROWD + 2  # nothing else was touched
    assert len(kept) == 2 and max(r.peak for r in kept) <= 1 + names.MAX_PURGE
    assert chosen and max(len(f.used) for f in chosen) <= chosen[0].cap + 1

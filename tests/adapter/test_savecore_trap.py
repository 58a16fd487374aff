"""savecore does not lose the dump to a trap set between listing KDUMP_COREDIR and
making the dump directory: the trap is refused, and the next name is taken."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from backends.sim import SimHost
from backends.values import DirEntry, HostParts
from kdump.cli import main
from sim.machine import SimulatedMachine


class _ListingBeforeTheTrap:
    """The race, made certain: the host's listings do not see the planted link yet."""

    def __init__(self, host: Any) -> None:
        self._host = host

    def __getattr__(self, name: str) -> Any:
        return getattr(self._host, name)

    def scan_dir(self, path: str) -> Iterator[DirEntry]:
        return (entry for entry in self._host.scan_dir(path) if entry.name != "202401010000")


def test_a_dump_directory_planted_after_the_listing_costs_only_its_name(
        tmp_path: Path) -> None:
    machine = SimulatedMachine.create(tmp_path / "m", "x86_64-ready")
    machine.state["kexec_loaded"] = ["/usr/sbin/kexec", "-p", "/var/lib/kdump/vmlinuz"]
    machine.save()
    machine.crash()
    SimulatedMachine(tmp_path / "m").plant("/var/crash/202401010000", link_to="/etc")
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        status = main(["--backend", "sim", "--sim-state", str(tmp_path / "m"), "savecore"],
                      parts=HostParts(wrap=_ListingBeforeTheTrap))
    lines = out.getvalue().splitlines()
    assert status == 0, lines
    assert lines[0] == ("kdump-config: refusing to write /var/crash/202401010000: it is a "
                        "symbolic link owned by another user (uid 65534) ... failed!")
    assert "kdump-config: saved vmcore in /var/crash/202401010000-1." in lines
    root = tmp_path / "m/root"
    assert (root / "var/crash/202401010000-1/dump.202401010000").is_file()
    assert not any(name.startswith(("dump", "dmesg")) for name in
                   [p.name for p in (root / "etc").iterdir()])


def test_kdump_sim_plant_makes_a_trap_the_simulated_backend_refuses(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from backends.values import UnsafePathError
    from sim.cli import app

    SimulatedMachine.create(tmp_path / "m", "x86_64-ready")
    done = CliRunner().invoke(app, ["plant", str(tmp_path / "m"), "/var/crash/kexec_cmd",
                                    "--link", "/etc/passwd"])
    assert done.exit_code == 0, done.output
    assert done.output == "planted /var/crash/kexec_cmd owned by uid 65534\n"
    host = SimHost(SimulatedMachine(tmp_path / "m"))
    with pytest.raises(UnsafePathError) as refused:
        host.write_text("/var/crash/kexec_cmd", "kexec -p\n")
    assert refused.value.reason == "it is a symbolic link owned by another user (uid 65534)"
    assert (tmp_path / "m/root/var/crash/kexec_cmd").is_symlink()

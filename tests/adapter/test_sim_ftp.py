"""The simulated FTP server never writes (or renames, or deletes) outside its own directory.

Like a chrooted server, ``..`` stops at the login directory; a name that would still
resolve outside it (through a link planted in the server's tree) is refused.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backends.sim import SimHost
from backends.values import FTP_NOT_LOGGED_IN, FtpTarget
from sim.machine import SimulatedMachine

TARGET = FtpTarget("ftp.example", 21, "kdump", "s3cret-Passw0rd")


@pytest.fixture
def machine(tmp_path: Path) -> SimulatedMachine:
    machine = SimulatedMachine.create(tmp_path / "m", "x86_64-ftp")
    machine.write("/tmp/dmesg", "kernel log\n")
    return machine


def _everything(top: Path) -> set[Path]:
    return {Path(folder) / name for folder, dirs, files in os.walk(top) for name in dirs + files}


@pytest.mark.parametrize("remote", [
    "../../../../escaped", "/../../escaped", "incoming/../../../escaped", "../ftp.other/x",
])
def test_an_upload_never_lands_outside_the_server(machine: SimulatedMachine, tmp_path: Path,
                                                  remote: str) -> None:
    home = machine.remote / "ftp/ftp.example"
    before = _everything(tmp_path)

    result = SimHost(machine).ftp_upload(TARGET, remote, None, source_path="/tmp/dmesg")

    new = _everything(tmp_path) - before - {machine.dir / "effects.jsonl"}
    assert new, result
    assert all(path.is_relative_to(home) for path in new), new
    assert result.ok  # clamped at the login directory, as a chrooted server does


def test_a_link_out_of_the_server_is_refused(machine: SimulatedMachine, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    home = machine.remote / "ftp/ftp.example"
    home.mkdir(parents=True, exist_ok=True)
    (home / "link").symlink_to(outside)
    host = SimHost(machine)

    stored = host.ftp_upload(TARGET, "/link/x", None, source_path="/tmp/dmesg")
    (outside / "victim").write_text("keep me\n")
    renamed = host.ftp_rename(TARGET, "/link/victim", "/moved")
    removed = host.ftp_remove(TARGET, "/link/victim")

    assert not stored.ok and not renamed.ok and not removed.ok
    assert sorted(os.listdir(outside)) == ["victim"]
    assert (outside / "victim").read_text() == "keep me\n"


def test_a_rename_cannot_move_a_file_out(machine: SimulatedMachine, tmp_path: Path) -> None:
    host = SimHost(machine)
    host.ftp_upload(TARGET, "/incoming/a", None, source_path="/tmp/dmesg")
    before = _everything(tmp_path)

    renamed = host.ftp_rename(TARGET, "/incoming/a", "../../../../moved-out")

    assert renamed.ok
    assert (machine.remote / "ftp/ftp.example/moved-out").is_file()
    new = _everything(tmp_path) - before - {machine.dir / "effects.jsonl"}
    assert all(path.is_relative_to(machine.remote / "ftp/ftp.example") for path in new), new


def test_a_refused_login_is_its_own_status(machine: SimulatedMachine) -> None:
    machine.set_fault("ftp-login")
    host = SimHost(machine)

    results = [host.ftp_list(TARGET, "/incoming"),
               host.ftp_upload(TARGET, "/x", None, source_path="/tmp/dmesg").stages[-1],
               host.ftp_rename(TARGET, "/x", "/y"), host.ftp_remove(TARGET, "/x")]

    assert [r.returncode for r in results] == [FTP_NOT_LOGGED_IN] * 4

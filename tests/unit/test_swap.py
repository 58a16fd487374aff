"""The decisions behind a reload that never leaves less loaded than there was."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from kdump import cli
from kdump.cmdline import render_argv
from kdump.swap import (
    ATTEMPTS,
    KEPT,
    LOST,
    RESTORE,
    after_failed_replace,
    previous_argv,
    retry,
    transient,
)
from sim.machine import SimulatedMachine

KEXEC = "/sbin/kexec"
ARGV = [KEXEC, "-p", "--command-line=root=/dev/sda1 ro 'quoted' $x nr_cpus=1",
        "--initrd=/var/lib/kdump/initrd.img", "/var/lib/kdump/vmlinuz"]


def test_only_ebusy_is_transient() -> None:
    assert transient("kexec_load failed: Device or resource busy\n")
    assert transient("kexec_file_load failed: Device or resource busy\n")
    assert not transient("kexec_load failed: Cannot assign requested address\n")
    assert not transient("")


def test_a_busy_load_is_tried_again_a_bounded_number_of_times() -> None:
    busy = "kexec_load failed: Device or resource busy"
    tries = [attempt for attempt in range(1, 10)
             if retry(attempt, ok=False, timed_out=False, stderr=busy)]
    assert tries == list(range(1, ATTEMPTS))  # ATTEMPTS runs in all, then it stops
    assert not retry(1, ok=True, timed_out=False, stderr=busy)
    assert not retry(1, ok=False, timed_out=True, stderr=busy)  # a hang is not transient
    assert not retry(1, ok=False, timed_out=False, stderr="Key was rejected by service")


@pytest.mark.parametrize(("still_loaded", "previous", "step"), [
    (True, ARGV, KEPT),
    (True, None, KEPT),  # kept even when no record says what it is
    (False, ARGV, RESTORE),
    (False, None, LOST),
    (False, [], LOST),
])
def test_what_a_failed_replacement_leaves(still_loaded: bool, previous: list[str] | None,
                                          step: str) -> None:
    assert after_failed_replace(still_loaded, previous) == step


def test_the_previous_command_is_read_back_exactly_from_its_record() -> None:
    assert previous_argv(render_argv(ARGV) + "\n", KEXEC) == ARGV


@pytest.mark.parametrize("record", [
    None,
    "",
    "/tmp/evil -p /boot/vmlinuz",  # not this machine's kexec
    "/sbin/kexec -p -u",  # an unload
    "/sbin/kexec -p --unload",
    "/sbin/kexec -l /boot/vmlinuz",  # a kexec reboot, not a capture kernel
    "/sbin/kexec -e",
    "/sbin/kexec /boot/vmlinuz",  # no -p
    "/sbin/kexec -p '/boot/vmlinuz",  # unbalanced quote
])
def test_a_record_that_is_not_a_capture_kernel_load_by_this_kexec_is_never_run(
        record: str | None) -> None:
    assert previous_argv(record, KEXEC) is None


def test_no_kexec_no_previous_command() -> None:
    assert previous_argv(render_argv(ARGV), None) is None


def _run(state: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        code = cli.main(["--backend", "sim", "--sim-state", str(state), *args])
    return code, out.getvalue()


def test_fadump_registration_failing_after_the_unregistration_is_tried_again(
        tmp_path: Path) -> None:
    """Simulator only: the sandbox can fail fadump's sysfs file only for both writes (a
    read-only bind mount), never for registering alone."""
    machine = SimulatedMachine.create(tmp_path / "m", "ppc64le-fadump")
    assert _run(machine.dir, "load")[0] == 0
    machine.set_fault("fadump-register")
    code, out = _run(machine.dir, "reload")
    assert code == 1
    assert out.splitlines() == [
        "fadump un-registered successfully.",
        "kdump-config: fadump registering failed: trying again in 1 seconds ... (warning).",
        "fadump registering failed ... failed!",
        "kdump-config: nothing is loaded for a crash now: the previous fadump registration "
        "could not be restored ... failed!",
    ]
    writes = [e["value"] for e in machine.effects() if e["op"] == "sysfs-write"]
    assert writes == ["1", "0", "1", "1"]

"""What a test machine cannot do is data (its ``lacks``), not methods overridden to skip."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.maintainer.chroot import ChrootMachine
from tests.steps.machine import CAPABILITIES, TestMachine
from tests.steps.sandbox import SandboxMachine

KINDS = (TestMachine, SandboxMachine, ChrootMachine)


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_a_machine_lacks_only_named_capabilities(kind: type[TestMachine]) -> None:
    assert set(kind.lacks) <= set(CAPABILITIES)


def test_the_chroot_machine_skips_by_its_data_not_by_overriding_steps() -> None:
    # The base's steps ask need(); the chroot machine only says what it lacks.
    for method in ("observe", "hold_lock", "hold_queue", "need", "needed_by_a_run"):
        assert method not in vars(ChrootMachine), method


def test_the_simulated_and_sandbox_machines_lack_nothing() -> None:
    assert TestMachine.lacks == {} and SandboxMachine.lacks == {}


@pytest.mark.parametrize("capability", sorted(ChrootMachine.lacks))
def test_a_chroot_step_that_needs_what_it_lacks_is_not_applicable(capability: str,
                                                                    tmp_path: Path) -> None:
    machine = ChrootMachine(tmp_path / "m")
    with pytest.raises(pytest.skip.Exception, match=r"^not applicable in a chroot: "):
        machine.need(capability)
    TestMachine(tmp_path / "m").need(capability)  # the simulated machine has it


def test_a_run_needs_what_the_scenario_set_up(tmp_path: Path) -> None:
    machine = TestMachine(tmp_path / "m")
    machine.build("x86_64-ready")
    assert machine.needed_by_a_run(["status"]) == []
    assert machine.needed_by_a_run(["--root", "/x", "status"]) == ["machine-options"]
    machine.arm_fault("lock-held", 4242)
    machine.unexpected = RuntimeError("bug")
    assert machine.needed_by_a_run(["status"]) == ["in-process", "lock-fault"]
    chroot = ChrootMachine(tmp_path / "m")
    chroot.unexpected = RuntimeError("bug")
    with pytest.raises(pytest.skip.Exception, match="injected into the in-process CLI"):
        chroot.run("status")


@pytest.mark.parametrize("step", [lambda m: m.observe("durability"),
                                  lambda m: m.observe("virtual-clock"),
                                  lambda m: m.hold_lock(), lambda m: m.hold_queue()],
                         ids=["durability", "virtual-clock", "hold_lock", "hold_queue"])
def test_the_steps_ask_the_machine_what_it_has(step: object, tmp_path: Path) -> None:
    assert callable(step)
    with pytest.raises(pytest.skip.Exception, match=r"^not applicable in a chroot: "):
        step(ChrootMachine(tmp_path / "m"))

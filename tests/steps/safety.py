"""Steps for what another user can do to kdump-config: plant links and files, hold its lock.

Both backends express it: the simulated machine records the planted entry's owner in
its state; the sandbox gives the entry a real foreign owner (nobody) and holds the
lock from a real process.
"""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from tests.steps.machine import CliResult, TestMachine


def _last(machine: TestMachine) -> CliResult:
    assert machine.last is not None, "no kdump-config command has run in this scenario"
    return machine.last


@given(parsers.parse('another user planted the link "{path}" pointing to "{target}"'))
def given_planted_link(machine: TestMachine, path: str, target: str) -> None:
    machine.plant(path, link_to=target)


@given(parsers.parse('another user planted the file "{path}"'))
def given_planted_file(machine: TestMachine, path: str) -> None:
    machine.plant(path, text="planted by another user\n")


@given(parsers.parse('another user planted the directory "{path}"'))
def given_planted_directory(machine: TestMachine, path: str) -> None:
    machine.plant(path, directory=True)


@given("another process holds the kdump-config lock")
def given_lock_held(machine: TestMachine) -> None:
    machine.hold_lock()


@when("the other process lets go of the lock")
def when_lock_released(machine: TestMachine) -> None:
    machine.release_lock()


@given("another try-reload is queued behind it")
def given_queue_held(machine: TestMachine) -> None:
    machine.hold_queue()


@then(parsers.parse('stdout contains the line with the lock holder "{line}"'))
def then_stdout_holder(machine: TestMachine, line: str) -> None:
    assert machine.lock_holder, "no lock holder in this scenario"
    wanted = line.replace("<holder>", machine.lock_holder)
    lines = _last(machine).stdout.splitlines()
    assert wanted in lines, "\n".join(lines)


@then(parsers.parse('the file "{path}" still holds "{text}"'))
def then_file_still(machine: TestMachine, path: str, text: str) -> None:
    assert machine.read(path) == text.replace("\\n", "\n"), machine.read(path)


@then(parsers.parse('the planted file "{path}" is untouched'))
def then_planted_untouched(machine: TestMachine, path: str) -> None:
    assert machine.read(path) == "planted by another user\n", machine.read(path)

"""Steps for what another user can do to kdump-config: plant links and files, hold its lock.

Both backends express it: the simulated machine records the planted entry's owner in
its state; the sandbox gives the entry a real foreign owner (nobody) and holds the
lock from a real process.
"""

from __future__ import annotations

import os
import posixpath
import stat

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


@given(parsers.parse('another user planted a file holding "{text}" at "{path}"'))
def given_planted_file_text(machine: TestMachine, path: str, text: str) -> None:
    machine.plant(path, text=text.replace("\\n", "\n"))


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


@given(parsers.parse('the directory "{path}" is writable by every user, with the sticky bit'))
def given_shared_directory(machine: TestMachine, path: str) -> None:
    """As Ubuntu ships /var/crash (1777): any user may create names there."""
    directory = machine.host_path(path)
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o1777)


@given(parsers.parse('another user planted the FIFO "{path}"'))
def given_planted_fifo(machine: TestMachine, path: str) -> None:
    machine.plant(path, fifo=True)


@then(parsers.parse('the file "{path}" is a file of root\'s holding "{text}"'))
def then_roots_file(machine: TestMachine, path: str, text: str) -> None:
    """Ours, in place of what was planted: a regular file (not a link) whose owner is the
    user kdump-config ran as, with the record in it."""
    st = os.lstat(machine.host_path(path))
    assert stat.S_ISREG(st.st_mode), oct(st.st_mode)
    assert st.st_uid == os.getuid(), st.st_uid
    assert machine.machine.foreign_owner(path) is None  # nor another user's to the simulator
    content = machine.read(path) or ""
    assert text in content, content


@then(parsers.parse('another user\'s entry was set aside beside "{path}"'))
def then_set_aside(machine: TestMachine, path: str) -> None:
    parent, name = posixpath.split(path)
    aside = [n for n in machine.listdir(parent) if n.startswith(f".{name}.foreign-")]
    assert len(aside) == 1, machine.listdir(parent)

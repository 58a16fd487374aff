"""The step vocabulary shared by every feature: machine, config, faults, CLI, assertions."""

from __future__ import annotations

import re

from pytest_bdd import given, parsers, then, when

from sim import faults
from tests.steps.machine import CliResult, TestMachine

CONFIG = "/etc/default/kdump-tools"


def _result(machine: TestMachine) -> CliResult:
    assert machine.last is not None, "no kdump-config command has run in this scenario"
    return machine.last


def _lines(text: str) -> list[str]:
    return text.splitlines()


def _expected(docstring: str) -> list[str]:
    # Gherkin strips trailing blanks from doc strings; "␠" stands for a significant one.
    return [line.replace("␠", " ").replace("<TAB>", "\t") for line in docstring.splitlines()]


# -- Given: the machine -----------------------------------------------------------------------
@given(parsers.parse('a simulated machine "{profile}"'))
@given(parsers.parse('a machine "{profile}"'))
def given_machine(machine: TestMachine, profile: str) -> None:
    machine.build(profile)


@given("the config file contains:")
def given_config_text(machine: TestMachine, docstring: str) -> None:
    machine.write(CONFIG, docstring + "\n")


@given(parsers.parse('the config sets {key} to "{value}"'))
def given_config_key(machine: TestMachine, key: str, value: str) -> None:
    text = machine.read(CONFIG) or ""
    kept = [line for line in text.splitlines() if not re.match(rf"\s*(export\s+)?{key}=", line)]
    machine.write(CONFIG, "\n".join([*kept, f"{key}={value}"]) + "\n")


@given(parsers.parse("the config does not set {key}"))
def given_config_unset(machine: TestMachine, key: str) -> None:
    text = machine.read(CONFIG) or ""
    kept = [line for line in text.splitlines() if not re.match(rf"\s*(export\s+)?{key}=", line)]
    machine.write(CONFIG, "\n".join(kept) + "\n")


@given(parsers.parse('the file "{path}" contains "{text}"'))
def given_file_text(machine: TestMachine, path: str, text: str) -> None:
    machine.write(path, text.replace("\\n", "\n"))


@given(parsers.parse('the file "{path}" is empty'))
def given_file_empty(machine: TestMachine, path: str) -> None:
    machine.write(path, "")


@given(parsers.parse('the file "{path}" contains:'))
def given_file_docstring(machine: TestMachine, path: str, docstring: str) -> None:
    machine.write(path, docstring + "\n")


@given(parsers.parse('the executable "{path}" exists'))
def given_executable(machine: TestMachine, path: str) -> None:
    machine.write(path, "#!/bin/sh\nexit 0\n", mode=0o755)


@given(parsers.parse('the file "{path}" is absent'))
@given(parsers.parse('the directory "{path}" is absent'))
@given(parsers.parse('the link "{path}" is absent'))
def given_absent(machine: TestMachine, path: str) -> None:
    machine.remove(path)


@given(parsers.parse('the link "{link}" points to "{target}"'))
def given_link(machine: TestMachine, link: str, target: str) -> None:
    machine.symlink(link, target)


@given(parsers.parse('the tool "{name}" is not installed'))
def given_tool_missing(machine: TestMachine, name: str) -> None:
    machine.uninstall_tool(name)


@given(parsers.parse('the fault "{name}" is armed'))
def given_fault(machine: TestMachine, name: str) -> None:
    machine.arm_fault(name)


@given(parsers.parse('the fault "{name}" is armed with "{value}"'))
def given_fault_value(machine: TestMachine, name: str, value: str) -> None:
    machine.arm_fault(name, faults.lookup(name).parse(value))


@given(parsers.parse('the environment sets {key} to "{value}"'))
def given_env(machine: TestMachine, key: str, value: str) -> None:
    machine.set_env(key, value)


@given(parsers.parse('"{command}" has run'))
def given_command_ran(machine: TestMachine, command: str) -> None:
    result = machine.run(command)
    assert result.exit_code == 0, f"{command} failed:\n{result.stdout}{result.stderr}"


@given("kdump is loaded")
def given_loaded(machine: TestMachine) -> None:
    given_command_ran(machine, "kdump-config load")


@given("the machine has crashed into the capture kernel")
def given_crashed(machine: TestMachine) -> None:
    machine.crash()


@given(parsers.parse("the machine has crashed with a vmcore of {size:d} bytes"))
def given_crashed_size(machine: TestMachine, size: int) -> None:
    machine.crash(size)


# -- When ----------------------------------------------------------------------------------------
@when(parsers.parse('I run "{command}"'))
def when_run(machine: TestMachine, command: str) -> None:
    machine.run(command)


# -- Then: exit code and output ---------------------------------------------------------------
@then(parsers.parse("the exit code is {code:d}"))
def then_exit_code(machine: TestMachine, code: int) -> None:
    result = _result(machine)
    assert result.exit_code == code, (
        f"exit code {result.exit_code}, expected {code}\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")


@then("stdout is exactly:")
def then_stdout_exact(machine: TestMachine, docstring: str) -> None:
    assert _lines(_result(machine).stdout) == _expected(docstring)


@then("stdout is empty")
def then_stdout_empty(machine: TestMachine) -> None:
    assert _result(machine).stdout == ""


@then("stdout starts with:")
def then_stdout_starts(machine: TestMachine, docstring: str) -> None:
    expected = _expected(docstring)
    assert _lines(_result(machine).stdout)[: len(expected)] == expected


@then("stdout ends with:")
def then_stdout_ends(machine: TestMachine, docstring: str) -> None:
    expected = _expected(docstring)
    assert _lines(_result(machine).stdout)[-len(expected):] == expected


@then(parsers.parse('stdout is the same as for "{command}"'))
def then_stdout_same_as(machine: TestMachine, command: str) -> None:
    first = _result(machine)
    other = machine.run(command)
    machine.last = first
    assert first.stdout == other.stdout


@then(parsers.parse('stdout contains the line "{line}"'))
def then_stdout_line(machine: TestMachine, line: str) -> None:
    lines = _lines(_result(machine).stdout)
    assert line.replace("<TAB>", "\t") in lines, "\n".join(lines)


@then(parsers.parse('stdout does not contain "{text}"'))
def then_stdout_lacks(machine: TestMachine, text: str) -> None:
    assert text not in _result(machine).stdout


@then(parsers.parse('stderr contains the line "{line}"'))
def then_stderr_line(machine: TestMachine, line: str) -> None:
    lines = _lines(_result(machine).stderr)
    assert line in lines, "\n".join(lines)


@then(parsers.parse('stderr contains "{text}"'))
def then_stderr_contains(machine: TestMachine, text: str) -> None:
    assert text in _result(machine).stderr, _result(machine).stderr


@then("stderr is empty")
def then_stderr_empty(machine: TestMachine) -> None:
    assert _result(machine).stderr == ""


@then(parsers.parse('the JSON field "{field}" is {value}'))
def then_json_field(machine: TestMachine, field: str, value: str) -> None:
    import json

    document = _result(machine).json
    current: object = document
    for part in field.split("."):
        assert isinstance(current, dict), f"{field}: not an object at {part}"
        current = current[part]
    assert current == json.loads(value), f"{field} = {current!r}"


@then(parsers.parse('the JSON messages include "{code}"'))
def then_json_code(machine: TestMachine, code: str) -> None:
    messages = _result(machine).json["messages"]
    assert isinstance(messages, list)
    assert code in [m["code"] for m in messages], messages


# -- Then: the machine ----------------------------------------------------------------------------
@then(parsers.parse('the file "{path}" exists'))
def then_file_exists(machine: TestMachine, path: str) -> None:
    assert machine.exists(path), f"{path} is missing"


@then(parsers.parse('the file "{path}" does not exist'))
def then_file_absent(machine: TestMachine, path: str) -> None:
    assert not machine.exists(path), f"{path} exists"


@then(parsers.parse('the file "{path}" contains "{text}"'))
def then_file_contains(machine: TestMachine, path: str, text: str) -> None:
    content = machine.read(path)
    assert content is not None and text in content, f"{path}: {content!r}"


@then(parsers.parse('the link "{link}" points to "{target}"'))
def then_link(machine: TestMachine, link: str, target: str) -> None:
    assert machine.readlink(link) == target


@then(parsers.parse('"{command}" reports "{line}"'))
def then_command_reports(machine: TestMachine, command: str, line: str) -> None:
    result = machine.run(command)
    assert line in _lines(result.stdout), result.stdout


def programs_run(machine: TestMachine) -> list[list[str]]:
    """Every program started, alone or as a pipeline stage, in order (either backend)."""
    from sandbox.machines import programs_run as run

    return run(machine.effects())


def _same_argv(wanted: list[str], argv: list[str]) -> bool:
    """A wanted program without a directory matches wherever the backend found it."""
    import os

    if not wanted or len(wanted) != len(argv):
        return False
    program = argv[0] if "/" in wanted[0] else os.path.basename(argv[0])
    return [program, *argv[1:]] == wanted


@then(parsers.parse('kexec was run as "{argv}"'))
@then(parsers.parse('the command "{argv}" was run'))
def then_kexec_argv(machine: TestMachine, argv: str) -> None:
    import shlex

    wanted = shlex.split(argv)
    runs = programs_run(machine)
    assert any(_same_argv(wanted, run) for run in runs), runs


@then(parsers.parse('"{program}" was not run'))
@then(parsers.parse('"{program}" never ran'))
def then_not_run(machine: TestMachine, program: str) -> None:
    import os

    runs = programs_run(machine)
    assert not any(os.path.basename(argv[0]) == program for argv in runs), runs


@then(parsers.parse('"{program}" was run {count:d} times'))
@then(parsers.parse('"{program}" ran {count:d} times'))
@then(parsers.parse('"{program}" was run {count:d} time'))
def then_run_count(machine: TestMachine, program: str, count: int) -> None:
    import os

    runs = [argv for argv in programs_run(machine) if os.path.basename(argv[0]) == program]
    assert len(runs) == count, runs


# -- Robustness (issue 12, classes 4 and 7) ------------------------------------------------------
def _unescaped(text: str) -> bytes:
    r"""Gherkin text with \n, \t and \xNN escapes, as the bytes to write."""
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape").encode("latin-1")


@given(parsers.parse('the config file holds the bytes "{text}"'))
def given_config_bytes(machine: TestMachine, text: str) -> None:
    machine.write_bytes(CONFIG, _unescaped(text))


@given(parsers.parse('the file "{path}" holds the bytes "{text}"'))
def given_file_bytes(machine: TestMachine, path: str, text: str) -> None:
    machine.write_bytes(path, _unescaped(text))


@given(parsers.parse('the config file is {size:d} bytes of comments'))
def given_config_size(machine: TestMachine, size: int) -> None:
    line = b"# " + b"x" * 77 + b"\n"
    machine.write_bytes(CONFIG, (b"USE_KDUMP=1\n" + line * (size // len(line) + 1))[:size])


@given(parsers.parse('"{path}" is a directory'))
def given_directory(machine: TestMachine, path: str) -> None:
    machine.remove(path)
    machine.host_path(path).mkdir(parents=True)


@given(parsers.parse('the environment sets {key} to an empty value'))
def given_env_empty(machine: TestMachine, key: str) -> None:
    machine.env[key] = ""


@given("kdump-config will hit an unexpected error")
def given_unexpected_error(machine: TestMachine) -> None:
    machine.unexpected = RuntimeError("simulated bug\nwith a second line")


@when(parsers.parse('I run "{command}" with no machine options'))
def when_run_bare(machine: TestMachine, command: str) -> None:
    # MACHINE: the directory of the machine's root (a path no scenario can know).
    machine.run(command.replace("MACHINE", str(machine.host_path("/")).rstrip("/")), bare=True)


@then("no traceback was printed")
def then_no_traceback(machine: TestMachine) -> None:
    result = _result(machine)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr

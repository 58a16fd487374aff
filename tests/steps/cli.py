"""Steps of the command line itself (issue 10): global options anywhere, usage errors,
--json documents validated against docs/schema, colour."""

from __future__ import annotations

import json
import os
import re
import shlex
from functools import cache
from pathlib import Path
from typing import Any

from pytest_bdd import given, parsers, then, when

from tests.steps.machine import CliResult, TestMachine

TOP = Path(__file__).resolve().parents[2]


@cache
def schema_of(command: str) -> dict[str, Any]:
    path = TOP / "docs" / "schema" / f"{command}.json"
    assert path.is_file(), f"no schema {path.relative_to(TOP)} for the command {command!r}"
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def schema_problems(document: object) -> list[str]:
    """Why ``document`` is not a valid --json document of the command it names ([] if it is)."""
    import jsonschema

    from kdump.messages import CATALOG

    if not isinstance(document, dict) or not isinstance(document.get("command"), str):
        return [f"not a document naming its command: {document!r:.200}"]
    schema = schema_of(document["command"])
    validator = jsonschema.Draft202012Validator(schema)
    problems = [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
                for e in validator.iter_errors(document)]
    for message in document.get("messages", []):
        if isinstance(message, dict) and message.get("code") not in CATALOG:
            problems.append(f"messages: {message.get('code')!r} is no catalog code")
    return problems


def check_json_output(result: CliResult) -> None:
    """Every --json run: exactly one JSON document on stdout, valid against its schema."""
    words = result.argv[:result.argv.index("--")] if "--" in result.argv else result.argv
    if "--json" not in words:
        return
    try:
        document = json.loads(result.stdout)
    except ValueError as exc:
        raise AssertionError(f"--json: stdout is not one JSON document ({exc}):\n"
                             f"{result.stdout}") from None
    problems = schema_problems(document) + not_unicode(document)
    assert not problems, "--json output against docs/schema:\n" + "\n".join(problems)


def not_unicode(value: object, where: str = "") -> list[str]:
    """The strings of a decoded document that are no Unicode text (a lone surrogate, from
    an escape such as \\udcff): a strict UTF-8 reader rejects the document."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return [f"{where or '(top)'}: {value!r} is not valid UTF-8 text"]
        return []
    if isinstance(value, dict):
        return [problem for key, item in value.items()
                for problem in not_unicode(key, where) + not_unicode(item, f"{where}/{key}")]
    if isinstance(value, list):
        return [problem for index, item in enumerate(value)
                for problem in not_unicode(item, f"{where}/{index}")]
    return []


def _words_with_machine(machine: TestMachine, command: str) -> str:
    return command.replace("MACHINE", str(machine.host_path("/")).rstrip("/"))


@given(parsers.parse('the directory "{path}" exists'))
def given_directory_exists(machine: TestMachine, path: str) -> None:
    machine.host_path(path).mkdir(parents=True, exist_ok=True)


@when(parsers.parse('I run "{command}" with the machine options after the command'))
def when_run_options_after(machine: TestMachine, command: str) -> None:
    words = shlex.split(command)
    words = words[1:] if words and words[0] == "kdump-config" else words
    options = machine.cli_argv([])
    machine.run(shlex.join(["kdump-config", *words[:1], *options, *words[1:]]), bare=True)


@when(parsers.parse('I run "{command}" with the machine options split around it'))
def when_run_options_split(machine: TestMachine, command: str) -> None:
    """The backend before the command, the machine's directory after it."""
    words = shlex.split(command)
    words = words[1:] if words and words[0] == "kdump-config" else words
    backend, where = machine.cli_argv([])[:2], machine.cli_argv([])[2:]
    machine.run(shlex.join(["kdump-config", *backend, *words, *where]), bare=True)


@then("stderr is exactly:")
def then_stderr_exact(machine: TestMachine, docstring: str) -> None:
    result = machine.last
    assert result is not None
    expected = _words_with_machine(machine, docstring).splitlines()
    assert result.stderr.splitlines() == expected, result.stderr


@then("the JSON document is valid against its schema")
def then_json_valid(machine: TestMachine) -> None:
    result = machine.last
    assert result is not None
    problems = schema_problems(json.loads(result.stdout))
    assert not problems, problems


@then(parsers.parse('the JSON messages are "{codes}"'))
def then_json_codes(machine: TestMachine, codes: str) -> None:
    result = machine.last
    assert result is not None
    messages = result.json["messages"]
    assert isinstance(messages, list)
    wanted = [] if codes == "(none)" else codes.split()
    assert [m["code"] for m in messages] == wanted, messages


@then(parsers.parse('no JSON message text starts or ends with a blank'))
def then_json_unpadded(machine: TestMachine) -> None:
    result = machine.last
    assert result is not None
    messages = result.json["messages"]
    assert isinstance(messages, list) and messages
    for message in messages:
        text = message["text"]
        assert all(line == line.strip() and "  :" not in line
                   for line in text.splitlines()), repr(text)


@then("the output has no colour")
def then_no_colour(machine: TestMachine) -> None:
    result = machine.last
    assert result is not None
    assert "\033[" not in result.stdout + result.stderr, repr(result.stdout)


@then("the output is coloured")
def then_colour(machine: TestMachine) -> None:
    result = machine.last
    assert result is not None
    assert "\033[31m" in result.stdout, repr(result.stdout)


@given("stdout is a terminal")
def given_terminal(machine: TestMachine) -> None:
    machine.tty = True


@then(parsers.parse('"{command}" reports nothing but one JSON document'))
def then_only_json(machine: TestMachine, command: str) -> None:
    first = machine.last
    result = machine.run(command)  # checked against its schema as it runs
    machine.last = first
    assert result.stderr == "", result.stderr
    assert isinstance(result.json, dict)


def _listed(machine: TestMachine, field: str, key: str) -> list[str]:
    result = machine.last
    assert result is not None
    entries = result.json[field]
    assert isinstance(entries, list)
    return [str(entry[key]) for entry in entries]


@then(parsers.parse('the JSON lists the commands "{names}"'))
def then_json_commands(machine: TestMachine, names: str) -> None:
    assert _listed(machine, "commands", "name") == names.split()


@then(parsers.parse('the JSON lists the global options "{options}"'))
def then_json_options(machine: TestMachine, options: str) -> None:
    assert _listed(machine, "global_options", "option") == options.split()


# -- output boundaries: what a path or a name holds never drives the terminal -------------------
# C0 and C1 controls and DEL; a report's layout uses newline and tab only.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@given(parsers.parse('the link "{path}" points to the bytes "{target}"'))
def given_link_bytes(machine: TestMachine, path: str, target: str) -> None:
    from tests.steps.common import _unescaped

    machine.remove(path)
    link = machine.host_path(path)
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(_unescaped(target), os.fsencode(link))


@when(parsers.parse('I run "{command}" with the argument bytes "{argument}"'))
def when_run_with_argument_bytes(machine: TestMachine, command: str, argument: str) -> None:
    """One more argument, with \\n, \\xNN... escapes made real (bytes that are not UTF-8
    reach kdump-config as Python gives them: lone surrogates)."""
    from tests.steps.common import _unescaped

    word = os.fsdecode(_unescaped(argument))
    machine.run(shlex.join([*shlex.split(command), word]))


@then(parsers.parse('the output shows "{text}"'))
def then_output_shows(machine: TestMachine, text: str) -> None:
    """``text`` verbatim (a backslash is a backslash) on stdout or stderr."""
    result = machine.last
    assert result is not None
    assert text in result.stdout + result.stderr, result.stdout + result.stderr


@then(parsers.parse('no output line is "{line}"'))
def then_no_output_line(machine: TestMachine, line: str) -> None:
    result = machine.last
    assert result is not None
    lines = [shown.strip() for shown in (result.stdout + result.stderr).splitlines()]
    assert line.strip() not in lines, result.stdout + result.stderr


@then("the output holds no control character but the layout's")
def then_no_raw_control(machine: TestMachine) -> None:
    result = machine.last
    assert result is not None
    for stream in (result.stdout, result.stderr):
        found = _CONTROL.search(stream)
        assert found is None, f"raw {found.group()!r} in {stream!r}"

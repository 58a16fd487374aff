"""--json is exactly one JSON document, valid UTF-8 and valid against its schema
(docs/schema), for every command line: every command of the table, with the odd argv
a caller can write (arguments after ``--`` that look like options, bytes that are not
UTF-8, control characters, missing or empty option values, help and version mixed in),
on both backends; then command lines drawn by hypothesis on the simulated machine.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kdump.commands.table import BY_NAME
from sandbox import stub
from sim.machine import SimulatedMachine
from tests.inprocess import run_in_process
from tests.steps.cli import check_json_output
from tests.steps.machine import CliResult

# The linux backend runs the machine's stub programs (load, reload...) as processes.
pytestmark = pytest.mark.real_processes

WORDS: list[str | None] = [*sorted(BY_NAME), None, "bogus"]
ODD = "\udcff\x1b[2J\n"  # a byte that is not UTF-8 (as Python gives it), ESC, a newline
Tail = Callable[[list[str]], list[str]]
VARIANTS: dict[str, Tail] = {
    "first": lambda cmd: ["--json", *cmd],
    "last": lambda cmd: [*cmd, "--json"],
    "bare --": lambda cmd: ["--json", *cmd, "--"],
    "-- -x": lambda cmd: ["--json", *cmd, "--", "-x"],
    "-- --json": lambda cmd: ["--json", *cmd, "--", "--json"],
    "-x": lambda cmd: ["--json", *cmd, "-x"],
    "extra": lambda cmd: ["--json", *cmd, "6.1.0-18-amd64", "extra"],
    "odd bytes": lambda cmd: ["--json", *cmd, ODD],
    "-- odd bytes": lambda cmd: ["--json", *cmd, "--", ODD],
    "--help": lambda cmd: ["--json", *cmd, "--help"],
    "--version": lambda cmd: ["--json", "--version", *cmd],
    "no value": lambda cmd: ["--json", *cmd, "--sim-state"],
    "empty value": lambda cmd: ["--json", *cmd, "--root="],
    "flag value": lambda cmd: ["--json=1", *cmd, "--json"],
}


@pytest.fixture(scope="module")
def machine(tmp_path_factory: pytest.TempPathFactory) -> SimulatedMachine:
    made = SimulatedMachine.create(tmp_path_factory.mktemp("json") / "machine", "x86_64-ready")
    stub.install(made, None)
    return made


def _options(machine: SimulatedMachine, backend: str) -> list[str]:
    return ["--backend", "sim", "--sim-state", str(machine.dir)] if backend == "sim" else \
        ["--backend", "linux", "--root", str(machine.root)]


def _run(argv: list[str]) -> CliResult:
    """kdump-config in this process; stdout and stderr as a real one takes them (strict)."""
    return CliResult(argv, *run_in_process(argv))


def assert_one_document(argv: list[str]) -> None:
    result = _run(argv)
    where = f"{argv!r}: exit {result.exit_code}\n{result.stdout}{result.stderr}"
    assert "Traceback" not in result.stderr, where
    try:
        # One document and nothing else: a second one (or a usage line) is "extra data".
        document = json.loads(result.stdout)
    except ValueError as exc:
        raise AssertionError(f"not one JSON document ({exc}): {where}") from None
    assert isinstance(document, dict) and document.get("exit_code") == result.exit_code, where
    check_json_output(result)  # its schema, and valid UTF-8 text throughout


@pytest.mark.parametrize("backend", ["sim", "linux"])
@pytest.mark.parametrize("word", WORDS, ids=lambda w: str(w))
def test_every_command_line_prints_one_valid_document(machine: SimulatedMachine, backend: str,
                                                      word: str | None) -> None:
    command = [] if word is None else [word]
    for variant in VARIANTS.values():
        assert_one_document([*_options(machine, backend), *variant(command)])


# Never a token that could point kdump-config at the live host (a later --backend or --root
# overrides the machine's): only empty values, which are usage errors.
TOKENS = st.sampled_from(["--", "-", "-x", "--json", "--help", "-h", "--version", "--root=",
                          "--sim-state=", "--backend=", "--json=0", "symlinks", "status",
                          "help", "show", "test", "check", "bogus", "6.1.0-18-amd64", ODD,
                          "\x9b", "--\udcfe", "="])
# What a real argv can hold: anything but NUL (bytes that are not UTF-8 are in TOKENS).
ARGUMENT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]),
                   max_size=12).filter(lambda w: not w.startswith(("--backend", "--root")))


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(words=st.lists(st.one_of(TOKENS, ARGUMENT), max_size=5), last=st.booleans())
def test_drawn_command_lines_print_one_valid_document(machine: SimulatedMachine, words: list[str],
                                                      last: bool) -> None:
    tail = [*words, "--json"] if last and "--" not in words else ["--json", *words]
    assert_one_document([*_options(machine, "sim"), *tail])

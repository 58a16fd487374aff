"""The kdump-config command line: taken apart once into an Invocation, then dispatched;
the one exception boundary."""

from __future__ import annotations

import os
import sys

from backends.record import Record
from kdump.commands.table import BY_NAME, FAST, GLOBAL_OPTION_ROWS
from kdump.dispatch import dispatch, option_empty, unexpected

TYPE_CHECKING = False
if TYPE_CHECKING:
    from backends.values import HostParts

    Problem = tuple[str, dict[str, object]]


class Invocation(Record):
    """One run of kdump-config: what its command line and KDUMP_* environment ask for.

    Made once, before anything runs, and never changed: the dispatcher (and typer, which
    receives it as its context's object) read it; nothing of a run outlives it. Parsed
    here rather than by typer: typer coerces every non-flag option through pydantic, which
    would double the start-up time of `status` at boot.
    """

    words: tuple[str, ...] = ()  # the command and its arguments
    backend: str = "linux"  # the machine: --backend, else KDUMP_BACKEND, else this host
    root: str | None = None
    sim_state: str | None = None
    as_json: bool = False  # --json, wherever it stood
    help: bool = False  # -h/--help (or a word starting -h/--h before the command)
    version: bool = False
    problems: tuple[Problem, ...] = ()  # why it cannot run (catalog codes, in order)
    parts: HostParts | None = None  # the real backend's seams, given to main() by tests

    @property
    def command(self) -> str | None:
        return self.words[0] if self.words else None

    @property
    def arguments(self) -> tuple[str, ...]:
        return self.words[1:]


# The global options that take a value, by their word; the flags that take none.
VALUE_OPTIONS = {row.option: row for row in GLOBAL_OPTION_ROWS if row.field}
FLAGS = {"--json", "--help", "-h", "--version"}


class EmptyOptionError(Exception):
    """A global option (or its KDUMP_* variable) given with an empty value."""

    def __init__(self, option: str) -> None:
        super().__init__(option)
        self.option = option


def _reject_empty(values: dict[str, str], given_as: dict[str, str]) -> None:
    """An empty --root (or KDUMP_ROOT="") must never mean this host: refuse every empty value.

    The same for --backend and --sim-state: an empty value is a mistake (an unset shell
    variable), never a request for the default.
    """
    for row in VALUE_OPTIONS.values():
        if row.field in values:
            if values[row.field] == "":
                raise EmptyOptionError(given_as[row.field])
        elif os.environ.get(row.environment) == "":
            raise EmptyOptionError(f"{row.environment} (from the environment)")


def parse_command_line(args: list[str], parts: HostParts | None = None) -> Invocation:
    """The invocation ``args`` (and KDUMP_*) ask for: the global options wherever they stand.

    What is wrong with the command line is in ``problems``, said before the usage line.
    Raises EmptyOptionError for an empty value.
    """
    words: list[str] = []
    problems: list[Problem] = []
    as_json = help_asked = version = False
    values: dict[str, str] = {}
    given_as: dict[str, str] = {}
    rest = list(args)
    while rest:
        word = rest.pop(0)
        if word == "--":  # what follows is arguments only
            words += rest
            break
        option, sep, value = word.partition("=")
        if option in VALUE_OPTIONS:
            if not sep:
                if not rest or rest[0] in FLAGS or rest[0].split("=", 1)[0] in VALUE_OPTIONS:
                    problems.append(("usage-missing-value", {"option": option}))
                    continue
                value = rest.pop(0)
            values[VALUE_OPTIONS[option].field] = value
            given_as[VALUE_OPTIONS[option].field] = option
        elif option in FLAGS and sep:
            problems.append(("usage-option-value", {"option": option}))
        elif word == "--json":
            as_json = True
        elif word == "--version":
            version = True
        elif word in ("--help", "-h") or (not words and word.startswith(("-h", "--h"))):
            help_asked = True
        elif word.startswith("-") and len(word) > 1:
            problems.append(("usage-unknown-option", {"option": word}))
        else:
            words.append(word)
    _reject_empty(values, given_as)
    chosen = {row.field: values.get(row.field) or os.environ.get(row.environment) or None
              for row in VALUE_OPTIONS.values()}
    backend, root = chosen["backend"] or "linux", chosen["root"]
    problems = _command_problems(problems, words, help_asked or version, backend, root,
                                 given_as.get("root", "KDUMP_ROOT"))
    return Invocation(tuple(words), backend, root, chosen["sim_state"], as_json, help_asked,
                      version, tuple(problems), parts)


def _command_problems(problems: list[Problem], words: list[str], asked_about: bool,
                      backend: str, root: str | None, root_given_as: str) -> list[Problem]:
    """``problems`` and what else keeps these words from running (in the order said).

    ``asked_about``: --help or --version, which need neither a command nor a machine.
    """
    if not words:
        if not asked_about and not problems:
            problems.append(("usage-no-command", {}))
        return problems
    command = words[0]
    if command not in BY_NAME:
        return [*problems, ("usage-unknown-command", {"command": command})]
    allowed = len(BY_NAME[command].arguments.split())
    for extra in words[1 + allowed:]:
        problems.append(("usage-extra-argument", {"argument": extra, "command": command}))
    if problems or asked_about or not BY_NAME[command].machine or root is None:
        return problems
    from backends import root_problem

    problem = root_problem(backend, root)
    if problem is not None:
        problems.append((f"usage-root-{problem}", {"option": root_given_as, "root": root}))
    return problems


def main(argv: list[str] | None = None, *, parts: HostParts | None = None) -> int:
    """``parts``: a clock, syslog sink, name resolver, effect recorder or byte pump for the
    real backend instead of its own (the sandbox tier's seams), or a wrapper around either
    backend's host (fault injection); None in production."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return _main(args, parts)
    except Exception as exc:  # the one exception boundary: no traceback reaches a user
        # (what the command line asked for is unknown here: its words say it)
        word = next((w for w in args if w in BY_NAME), None)
        return unexpected(exc, as_json="--json" in args,
                              command="usage" if word is None else BY_NAME[word].command)


def _main(args: list[str], parts: HostParts | None) -> int:
    try:
        invocation = parse_command_line(args, parts)
    except EmptyOptionError as exc:
        return option_empty(exc.option, as_json="--json" in args)
    if invocation.problems or invocation.help or invocation.version \
            or invocation.command in FAST:
        # What machines run (boot, monitoring, udev), and what runs no command: no typer,
        # rich or pydantic to import.
        return dispatch(invocation)
    from kdump.typer_app import run

    return run(invocation)


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()

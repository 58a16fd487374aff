"""The kdump-config command line: the composition root and the one exception boundary."""

from __future__ import annotations

import os
import sys

from backends.record import Record, field
from backends.scoped import nullcontext, suppress
from kdump.commands.table import BY_NAME, FAST, Spec
from kdump.report import Reporter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager

    from backends.base import Host
    from backends.values import HostParts
    from kdump.config import Config
    from kdump.context import Context

    CommandResult = int | tuple[int, dict[str, object]]
    Command = Callable[[Context], CommandResult]


class Machine(Record, frozen=False):
    """Which machine to act on: global options, else KDUMP_* environment, else this host.

    Parsed before typer sees the command line: typer coerces every non-flag option
    through pydantic, which would double the start-up time of `status` at boot.
    """

    backend: str = "linux"
    root: str | None = None
    sim_state: str | None = None
    as_json: bool = False  # --json, wherever it stood (for the typer commands)
    parts: HostParts | None = None  # the real backend's seams, given to main() by tests


_machine = Machine()
GLOBAL_OPTIONS = {"--backend": "backend", "--root": "root", "--sim-state": "sim_state"}
GLOBAL_ENV = {"backend": "KDUMP_BACKEND", "root": "KDUMP_ROOT", "sim_state": "KDUMP_SIM_STATE"}


def _name() -> str:
    # NAME is the one piece of state taken from the environment (the init script sets it).
    return os.environ.get("NAME") or "kdump-config"


def run_spec(spec: Spec, as_json: bool = False) -> int:
    """Run one command of the table (both dispatchers come here); its exit status."""
    def func(ctx: Context) -> CommandResult:
        # __import__ with a fromlist gives the module itself, without the importlib
        # package (and the warnings module it brings) on the fast path.
        module = __import__(spec.module, fromlist=[spec.function])
        command: Command = getattr(module, spec.function)
        return command(ctx)

    return execute(spec.command, func, as_json=as_json, mutating=spec.mutating,
                   coalesce=spec.coalesce)


def _run_pending(host: Host, config: Config, reporter: Reporter) -> int:
    """The reload a queued try-reload could not run (it timed out or was killed): the
    command that held the lock runs it once it has finished (kdump.locking)."""
    from kdump.locking import LockFailed, coalesced, pending

    if not pending(host):
        return 0
    from kdump.commands.load import try_reload
    from kdump.context import Context

    try:
        with coalesced(host, reporter, taking_over=True) as held:
            if not held:
                return 0  # a queued request holds the queue: it will run it
            reporter.emit("reload-pending")
            return try_reload(Context(host, config, reporter))
    except LockFailed as exc:
        return exc.status


def execute(command: str, func: Command, *, as_json: bool = False, mutating: bool = False,
            coalesce: bool = False) -> int:
    import backends
    from backends.values import HostError, UnsafePathError
    from kdump.config import DEFAULTS_PATH, ConfigError, load_config
    from kdump.configfile import read_config_text
    from kdump.context import Context
    from kdump.locking import LockFailed, coalesced, exclusive

    reporter = Reporter(name=_name(), json_mode=as_json, command=command)
    if command == "savecore":  # its journal entries go once the dump is safe (Reporter.held)
        reporter.hold_journal()
    data: dict[str, object] = {}
    try:
        host = backends.select(_machine.backend, root=_machine.root, state=_machine.sim_state,
                               parts=_machine.parts)
    except backends.BackendError as exc:
        status = reporter.emit("backend-error", detail=str(exc))
    except Exception as exc:  # the exception boundary
        status = internal_error(reporter, exc)
    else:
        reporter.syslog = host.syslog
        try:
            config, warnings = load_config(read_config_text(host, DEFAULTS_PATH), DEFAULTS_PATH,
                                           arch=host.uname().machine, environ=host.environ())
            for warning in warnings:
                reporter.emit(warning.code, detail=f"{warning.path}:{warning.line}: "
                                                   f"{warning.text}")
            # savecore never gives up a dump for the lock: it goes on without it.
            lock: AbstractContextManager[bool] = exclusive(
                host, reporter, best_effort=command == "savecore") if mutating \
                else nullcontext(True)
            if coalesce:  # try-reload: collapse a storm of requests into at most two reloads
                lock = coalesced(host, reporter)
            with lock as held:
                # (not held: a queued request will do this one's work)
                outcome = func(Context(host, config, reporter)) if held or not coalesce else 0
            status, data = outcome if isinstance(outcome, tuple) else (outcome, {})
            if held and (coalesce or mutating) and command != "savecore":
                status = max(status, _run_pending(host, config, reporter))
        except LockFailed as exc:
            status = exc.status
        except ConfigError as exc:
            status = reporter.emit(exc.code, detail=str(exc))
        except UnsafePathError as exc:
            status = reporter.emit("path-refused", path=exc.path, reason=exc.reason)
        except HostError as exc:
            status = reporter.emit("host-error", detail=str(exc))
        except Exception as exc:  # the exception boundary
            # savecore too: exit 1, so that the service's KDUMP_FAIL_CMD still runs.
            status = internal_error(reporter, exc)
    with suppress(Exception):  # a journal that fails to take them changes no exit status
        reporter.release_journal()
    if as_json:
        sys.stdout.write(reporter.json_document(command, status, data) + "\n")
    return status


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
    for field_name, env in GLOBAL_ENV.items():
        if field_name in values:
            if values[field_name] == "":
                raise EmptyOptionError(given_as[field_name])
        elif os.environ.get(env) == "":
            raise EmptyOptionError(f"{env} (from the environment)")


class Invocation(Record, frozen=False):
    """The command line, taken apart: the global options may stand anywhere in it."""

    words: list[str] = field(default_factory=list)  # the command and its arguments
    as_json: bool = False
    help: bool = False  # -h/--help (or a word starting -h/--h before the command)
    version: bool = False
    problems: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    root_given_as: str = "KDUMP_ROOT"

    @property
    def command(self) -> str | None:
        return self.words[0] if self.words else None


FLAGS = {"--json", "--help", "-h", "--version"}


def take_global_options(args: list[str]) -> Invocation:
    """Fill ``_machine`` from the global options wherever they stand (and KDUMP_*).

    What was wrong with the command line is collected in ``problems`` (catalog codes,
    said before the usage line). Raises EmptyOptionError for an empty value.
    """
    found = Invocation()
    values: dict[str, str] = {}
    given_as: dict[str, str] = {}
    rest = list(args)
    while rest:
        word = rest.pop(0)
        if word == "--":  # what follows is arguments only
            found.words += rest
            break
        option, sep, value = word.partition("=")
        if option in GLOBAL_OPTIONS:
            if not sep:
                if not rest or rest[0] in FLAGS or rest[0].split("=", 1)[0] in GLOBAL_OPTIONS:
                    found.problems.append(("usage-missing-value", {"option": option}))
                    continue
                value = rest.pop(0)
            values[GLOBAL_OPTIONS[option]] = value
            given_as[GLOBAL_OPTIONS[option]] = option
        elif option in FLAGS and sep:
            found.problems.append(("usage-option-value", {"option": option}))
        elif word == "--json":
            found.as_json = True
        elif word == "--version":
            found.version = True
        elif word in ("--help", "-h") or (not found.words and word.startswith(("-h", "--h"))):
            found.help = True
        elif word.startswith("-") and len(word) > 1:
            found.problems.append(("usage-unknown-option", {"option": word}))
        else:
            found.words.append(word)
    _reject_empty(values, given_as)
    for field_name, env in GLOBAL_ENV.items():
        chosen = values.get(field_name) or os.environ.get(env) or None
        if field_name == "backend":
            _machine.backend = chosen or "linux"
        else:
            setattr(_machine, field_name, chosen)
    _machine.as_json = found.as_json
    found.root_given_as = given_as.get("root", "KDUMP_ROOT")
    return found


COMMANDS = {"help", "symlinks", *BY_NAME}


def usage(prog: str, reporter: Reporter | None = None) -> int:
    reporter = reporter or Reporter(name=_name())
    return reporter.emit("usage", prog=prog)


def _problems(found: Invocation) -> list[tuple[str, dict[str, object]]]:
    """Why this command line cannot run (in the order said), or nothing."""
    problems = list(found.problems)
    command = found.command
    if command is None:
        if not found.help and not found.version and not problems:
            problems.append(("usage-no-command", {}))
        return problems
    if command not in COMMANDS:
        return [*problems, ("usage-unknown-command", {"command": command})]
    allowed = 1 if command == "symlinks" else 0
    for extra in found.words[1 + allowed:]:
        problems.append(("usage-extra-argument", {"argument": extra, "command": command}))
    if problems or found.help or found.version or command == "help":
        return problems
    if _machine.root is not None:
        from backends import root_problem

        problem = root_problem(_machine.backend, _machine.root)
        if problem is not None:
            problems.append((f"usage-root-{problem}",
                             {"option": found.root_given_as, "root": _machine.root}))
    return problems


def _usage_error(found: Invocation, problems: list[tuple[str, dict[str, object]]],
                 prog: str) -> int:
    reporter = Reporter(name=_name(), json_mode=found.as_json)
    for code, params in problems:
        # Usage codes are computed (usage-root-<problem>); each is a catalog code that a
        # scenario produces on both backends (tests/test_catalog_coverage.py).
        reporter.emit(code, **params)  # type: ignore[arg-type]
    status = usage(prog, reporter)
    if found.as_json:
        sys.stdout.write(reporter.json_document("usage", status, {
            "requested": found.command if found.command in COMMANDS else None}) + "\n")
    return status


def _command_help(found: Invocation, prog: str) -> int:
    from kdump.commands.report import command_help
    from kdump.commands.table import OTHERS

    command = found.command or "help"
    summary, arguments = OTHERS.get(command) or (BY_NAME[command].doc, "")
    lines = command_help(prog, command, arguments, summary)
    if found.as_json:
        reporter = Reporter(name=_name(), json_mode=True)
        sys.stdout.write(reporter.json_document("help", 0, {
            "about": command, "usage": lines[0], "summary": summary}) + "\n")
    else:
        sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _version(found: Invocation, prog: str) -> int:
    from kdump import FOLLOWS, __version__

    reporter = Reporter(name=_name(), json_mode=found.as_json)
    reporter.emit("version", version=__version__, follows=FOLLOWS)
    if found.as_json:
        sys.stdout.write(reporter.json_document("version", 0, {
            "version": __version__, "follows": f"kdump-tools {FOLLOWS}"}) + "\n")
    return 0


def internal_error(reporter: Reporter, exc: BaseException) -> int:
    """The last resort of the exception boundary: one catalog line, exit 1.

    The traceback is for developers: only with KDUMP_DEBUG=1, on stderr.
    """
    if os.environ.get("KDUMP_DEBUG") == "1":
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    text = " ".join(str(exc).split())
    detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    if len(detail) > 300:
        detail = detail[:297] + "..."
    # Whatever the exception carried must not fail the output a second time.
    detail = detail.encode("utf-8", "backslashreplace").decode("utf-8")
    try:
        return reporter.emit("internal-error", detail=detail)
    except Exception:  # the output or the syslog sink is what broke
        return 1  # the line was written if it could be (and is in the JSON document)


def main(argv: list[str] | None = None, *, parts: HostParts | None = None) -> int:
    """``parts``: a clock, syslog sink, name resolver, effect recorder or byte pump for the
    real backend instead of its own (the sandbox tier's seams), or a wrapper around either
    backend's host (fault injection); None in production."""
    _machine.parts = parts
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        status = _main(args)
    except Exception as exc:  # the one exception boundary: no traceback reaches a user
        as_json = "--json" in args
        reporter = Reporter(name=_name(), json_mode=as_json)
        status = internal_error(reporter, exc)
        if as_json:  # still exactly one document on stdout, under the command's schema
            word = next((w for w in args if w in COMMANDS), None)
            command = "usage" if word is None else \
                BY_NAME[word].command if word in BY_NAME else word
            # (when stdout itself is what broke, the exit status still says so)
            with suppress(Exception):
                sys.stdout.write(reporter.json_document(command, status, {}) + "\n")
    return status


def _main(args: list[str]) -> int:
    # The usage line names the program, not the path it was started by (the original
    # printed $0): the same words whichever way kdump-config is invoked.
    prog = "kdump-config"
    try:
        found = take_global_options(args)
    except EmptyOptionError as exc:
        as_json = "--json" in args
        reporter = Reporter(name=_name(), json_mode=as_json)
        reporter.emit("option-empty", option=exc.option)
        status = usage(prog, reporter)
        if as_json:
            sys.stdout.write(reporter.json_document("usage", status, {"requested": None})
                             + "\n")
        return status
    problems = _problems(found)
    if problems:
        return _usage_error(found, problems, prog)
    if found.version:
        return _version(found, prog)
    if found.help and found.command is not None:
        return _command_help(found, prog)
    words = found.words if found.command is not None else ["help"]
    word = words[0]
    if word in FAST and len(words) == 1:
        # What machines run (boot, monitoring, udev, the capture kernel): no typer, rich or
        # pydantic to import.
        return run_spec(BY_NAME[word], as_json=found.as_json)
    from kdump.typer_app import app

    # The global options are taken already: what follows the command is its arguments
    # only, even a word that looks like an option (`symlinks -- -x`).
    arguments = ["--", *words[1:]] if len(words) > 1 else []
    try:
        result = app(args=[word, *arguments], prog_name="kdump-config", standalone_mode=False)
    except Exception as exc:  # a usage error from the parser: our usage line, exit 1
        if getattr(exc, "exit_code", None) == 2 and hasattr(exc, "format_message"):
            from kdump.report import printable

            sys.stderr.write(f"kdump-config: {printable(exc.format_message())}\n")
            return _usage_error(found, [], prog)  # with --json, still one document
        raise
    return result if isinstance(result, int) else 0


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    # `python -m kdump.cli`: run the module kdump.typer_app shares _machine with, not this
    # __main__ copy of it (whose options typer's commands would never see).
    from kdump import cli

    cli.entry()

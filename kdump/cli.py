"""The kdump-config command line: the composition root and the one exception boundary."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kdump.commands.table import BY_NAME, FAST, Spec
from kdump.report import Reporter

if TYPE_CHECKING:
    from kdump.context import Context

CommandResult = int | tuple[int, dict[str, object]]
Command = Callable[["Context"], CommandResult]

@dataclass
class Machine:
    """Which machine to act on: global options, else KDUMP_* environment, else this host.

    Parsed before typer sees the command line: typer coerces every non-flag option
    through pydantic, which would double the start-up time of `status` at boot.
    """

    backend: str = "linux"
    root: str | None = None
    sim_state: str | None = None


_machine = Machine()
GLOBAL_OPTIONS = {"--backend": "backend", "--root": "root", "--sim-state": "sim_state"}
GLOBAL_ENV = {"backend": "KDUMP_BACKEND", "root": "KDUMP_ROOT", "sim_state": "KDUMP_SIM_STATE"}


def _name() -> str:
    # NAME is the one piece of state taken from the environment (the init script sets it).
    return os.environ.get("NAME") or "kdump-config"


def run_spec(spec: Spec, as_json: bool = False) -> int:
    """Run one command of the table (both dispatchers come here); its exit status."""
    def func(ctx: Context) -> CommandResult:
        import importlib

        command: Command = getattr(importlib.import_module(spec.module), spec.function)
        return command(ctx)

    return execute(spec.command, func, as_json=as_json, mutating=spec.mutating,
                   coalesce=spec.coalesce)


def execute(command: str, func: Command, *, as_json: bool = False, mutating: bool = False,
            coalesce: bool = False) -> int:
    import backends
    from backends.base import HostError, UnsafePathError
    from kdump.config import DEFAULTS_PATH, ConfigError, load_config
    from kdump.configfile import read_config_text
    from kdump.context import Context
    from kdump.locking import LockFailed, coalesced, exclusive

    reporter = Reporter(name=_name(), json_mode=as_json, command=command)
    data: dict[str, object] = {}
    try:
        host = backends.select(_machine.backend, root=_machine.root, state=_machine.sim_state)
    except backends.BackendError as exc:
        status = reporter.emit("backend-error", detail=str(exc))
    except Exception as exc:  # the exception boundary
        status = internal_error(reporter, exc)
    else:
        reporter.syslog = host.syslog
        try:
            config, warnings = load_config(read_config_text(host, DEFAULTS_PATH), DEFAULTS_PATH,
                                           arch=host.uname().machine, environ=os.environ)
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


def take_global_options(args: list[str]) -> list[str] | None:
    """Fill ``_machine`` from leading global options; the rest of argv, or None if malformed.

    Raises EmptyOptionError for an empty value.
    """
    values: dict[str, str] = {}
    given_as: dict[str, str] = {}
    rest = list(args)
    while rest and rest[0].split("=", 1)[0] in GLOBAL_OPTIONS:
        option, sep, value = rest.pop(0).partition("=")
        if not sep:
            if not rest:
                return None
            value = rest.pop(0)
        values[GLOBAL_OPTIONS[option]] = value
        given_as[GLOBAL_OPTIONS[option]] = option
    _reject_empty(values, given_as)
    for field_name, env in GLOBAL_ENV.items():
        chosen = values.get(field_name) or os.environ.get(env) or None
        if field_name == "backend":
            _machine.backend = chosen or "linux"
        else:
            setattr(_machine, field_name, chosen)
    return rest


COMMANDS = {"help", "symlinks", *BY_NAME}


def usage(prog: str) -> int:
    reporter = Reporter(name=_name())
    return reporter.emit("usage", prog=prog)


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


def main(argv: list[str] | None = None) -> int:
    try:
        status = _main(argv)
    except Exception as exc:  # the one exception boundary: no traceback reaches a user
        status = internal_error(Reporter(name=_name()), exc)
    return status


def _main(argv: list[str] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    # The usage line names the program, not the path it was started by (the original
    # printed $0): the same words whichever way kdump-config is invoked.
    prog = "kdump-config"
    try:
        rest = take_global_options(args)
    except EmptyOptionError as exc:
        Reporter(name=_name()).emit("option-empty", option=exc.option)
        return usage(prog)
    if not rest:
        return usage(prog)
    args = rest
    word = args[0]
    if word.startswith("-h") or word.startswith("--h"):
        args[0] = "help"
    elif word not in COMMANDS:
        return usage(prog)
    if word in FAST and (args == [word] or (BY_NAME[word].json and args == [word, "--json"])):
        # What machines run (boot, monitoring, udev): no typer, rich or pydantic to import.
        return run_spec(BY_NAME[word], as_json=len(args) == 2)
    from kdump.typer_app import app

    try:
        result = app(args=args, prog_name="kdump-config", standalone_mode=False)
    except Exception as exc:  # a usage error from the parser: our usage line, exit 1
        if getattr(exc, "exit_code", None) == 2 and hasattr(exc, "format_message"):
            sys.stderr.write(f"kdump-config: {exc.format_message()}\n")
            return usage(prog)
        raise
    return result if isinstance(result, int) else 0


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()

"""Running an invocation: the one dispatcher over the command table.

kdump.cli calls it straight for what machines run and for what runs no command (usage
errors, --version, COMMAND --help); kdump.typer_app's commands call it for the rest.
"""

from __future__ import annotations

import os
import sys
from contextlib import nullcontext, suppress

from kdump.commands.table import BY_NAME
from kdump.reporter import Reporter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager

    from backends.base import Host
    from kdump.cli import Invocation, Problem
    from kdump.commands.table import Spec
    from kdump.config import Config
    from kdump.context import Context

    CommandResult = int | tuple[int, dict[str, object]]

# The usage line names the program, not the path it was started by (the original
# printed $0): the same words whichever way kdump-config is invoked.
PROG = "kdump-config"


def _name() -> str:
    # NAME is the one piece of state taken from the environment (the init script sets it).
    return os.environ.get("NAME") or "kdump-config"


def dispatch(invocation: Invocation) -> int:
    """Run what ``invocation`` asks for; its exit status."""
    if invocation.problems:
        return usage_error(invocation, invocation.problems)
    if invocation.version:
        return _version(invocation)
    if invocation.help and invocation.command is not None:
        return _command_help(invocation)
    spec = BY_NAME[invocation.command or "help"]
    # __import__ with a fromlist gives the module itself, without the importlib package
    # (and the warnings module it brings) on the fast path.
    function = getattr(__import__(spec.module, fromlist=[spec.function]), spec.function)
    if not spec.machine:
        reporter = Reporter(name=_name(), json_mode=invocation.as_json, command=spec.command)
        status, data = function(reporter)
        _document(reporter, spec.command, status, data)
        return int(status)
    return execute(spec, invocation, lambda ctx: function(ctx, *invocation.arguments))


def _document(reporter: Reporter, command: str, status: int, data: dict[str, object]) -> None:
    """With --json, the run's one document on stdout."""
    if reporter.json_mode:
        sys.stdout.write(reporter.json_document(command, status, data) + "\n")


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


def execute(spec: Spec, invocation: Invocation, func: Callable[[Context], CommandResult],
            ) -> int:
    """Run ``func`` on the invocation's machine with its config, under the row's lock."""
    import backends
    from backends.values import HostError, UnsafePathError
    from kdump.config import DEFAULTS_PATH, ConfigError, load_config
    from kdump.configfile import read_config_text
    from kdump.context import Context
    from kdump.locking import LockFailed, coalesced, exclusive

    command = spec.command
    reporter = Reporter(name=_name(), json_mode=invocation.as_json, command=command)
    if spec.capture:
        reporter.hold_journal()
    data: dict[str, object] = {}
    try:
        host = backends.select(invocation.backend, root=invocation.root,
                               state=invocation.sim_state, parts=invocation.parts)
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
            lock: AbstractContextManager[bool] = exclusive(
                host, reporter, best_effort=spec.capture) if spec.mutating \
                else nullcontext(True)
            if spec.coalesce:  # try-reload: collapse a storm of requests into at most two
                lock = coalesced(host, reporter)
            with lock as held:
                # (not held: a queued request will do this one's work)
                outcome = func(Context(host, config, reporter)) \
                    if held or not spec.coalesce else 0
            status, data = outcome if isinstance(outcome, tuple) else (outcome, {})
            if held and (spec.coalesce or spec.mutating) and not spec.capture:
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
    _document(reporter, command, status, data)
    return status


def usage(reporter: Reporter) -> int:
    return reporter.emit("usage", prog=PROG)


def usage_error(invocation: Invocation, problems: tuple[Problem, ...]) -> int:
    reporter = Reporter(name=_name(), json_mode=invocation.as_json)
    for code, params in problems:
        # Usage codes are computed (usage-root-<problem>); each is a catalog code that a
        # scenario produces on both backends (tests/scenarios/test_catalog_coverage.py).
        reporter.emit(code, **params)  # type: ignore[arg-type]
    status = usage(reporter)
    _document(reporter, "usage", status, {
        "requested": invocation.command if invocation.command in BY_NAME else None})
    return status


def option_empty(option: str, *, as_json: bool) -> int:
    """A global option given empty: said before the usage line (no invocation was made)."""
    reporter = Reporter(name=_name(), json_mode=as_json)
    reporter.emit("option-empty", option=option)
    status = usage(reporter)
    _document(reporter, "usage", status, {"requested": None})
    return status


def _command_help(invocation: Invocation) -> int:
    from kdump.commands.show import command_help

    spec = BY_NAME[invocation.command or "help"]
    lines = command_help(PROG, spec.name, spec.arguments, spec.doc)
    if invocation.as_json:
        reporter = Reporter(name=_name(), json_mode=True)
        _document(reporter, "help", 0,
                  {"about": spec.name, "usage": lines[0], "summary": spec.doc})
    else:
        sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _version(invocation: Invocation) -> int:
    from kdump import FOLLOWS, __version__

    reporter = Reporter(name=_name(), json_mode=invocation.as_json)
    reporter.emit("version", version=__version__, follows=FOLLOWS)
    _document(reporter, "version", 0,
              {"version": __version__, "follows": f"kdump-tools {FOLLOWS}"})
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


def unexpected(exc: BaseException, *, as_json: bool, command: str) -> int:
    """An exception outside any command (option handling, the framework): the internal
    error, and with --json still exactly one document, under the command's schema."""
    reporter = Reporter(name=_name(), json_mode=as_json)
    status = internal_error(reporter, exc)
    # (when stdout itself is what broke, the exit status still says so)
    with suppress(Exception):
        _document(reporter, command, status, {})
    return status

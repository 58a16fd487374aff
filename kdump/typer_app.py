"""The typer application: every command of kdump.commands.table, plus help and symlinks.

kdump.cli.main comes here for everything but the commands machines run (status,
try-reload, savecore), which it dispatches from the same table without importing typer.
"""

from __future__ import annotations

import sys
from typing import Annotated

# typer before 0.16 (Debian trixie ships 0.15.2) imports rich and its help renderer
# eagerly, though kdump-config renders nothing with rich (no typer help, errors formatted
# here): keep rich out of the start-up of `status` at boot and of `savecore` in the capture
# kernel's little memory. Newer typer imports rich only when it renders with it.
if "rich" not in sys.modules:
    sys.modules["rich"] = None  # type: ignore[assignment]

import typer  # noqa: E402

from kdump.cli import _machine, _name, execute, run_spec  # noqa: E402
from kdump.commands.table import TABLE, Spec  # noqa: E402

app = typer.Typer(
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=False,
    context_settings={"help_option_names": []},
)

JsonFlag = Annotated[bool, typer.Option("--json", help="one JSON document with message codes")]


@app.callback()
def group() -> None:
    """kdump-config: set up kernel crash dumps."""


@app.command("help")
def help_command(as_json: JsonFlag = False) -> None:
    """Print a usage summary."""
    from kdump.commands.report import HELP, HELP_OPTIONS, help_data
    from kdump.report import Reporter

    reporter = Reporter(name=_name(), json_mode=as_json or _machine.as_json)
    if reporter.json_mode:
        sys.stdout.write(reporter.json_document("help", 0, help_data()) + "\n")
    else:
        sys.stdout.write(HELP + "\n" + HELP_OPTIONS + "\n")
    raise typer.Exit(0)


def _register(spec: Spec) -> None:
    def command(as_json: JsonFlag = False) -> None:
        raise typer.Exit(run_spec(spec, as_json or _machine.as_json))

    command.__doc__ = spec.doc
    app.command(spec.name, hidden=spec.hidden)(command)


for _spec in TABLE:
    _register(_spec)


@app.command()
def symlinks(kernel_version: Annotated[str, typer.Argument()] = "",
             as_json: JsonFlag = False) -> None:
    """Point /var/lib/kdump/{vmlinuz,initrd.img} at a kernel version."""
    from kdump.commands.links import symlinks as run

    raise typer.Exit(execute("symlinks", lambda ctx: run(ctx, kernel_version),
                             as_json=as_json or _machine.as_json, mutating=True))

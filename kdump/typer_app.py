"""The typer application: one command per row of kdump.commands.table.

kdump.cli comes here for every command but those machines run (status, try-reload,
savecore), which it dispatches without importing typer. The command line is parsed already: typer
receives the invocation as its context's object and runs it with the same dispatcher.
"""

from __future__ import annotations

from kdump.commands.table import TABLE, Spec
from kdump.dispatch import dispatch
from kdump.withoutrich import import_without_rich

TYPE_CHECKING = False
if TYPE_CHECKING:
    from kdump.cli import Invocation


import_without_rich("typer")  # newer typer never loads rich with rich_markup_mode=None

import typer  # noqa: E402

app = typer.Typer(
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=False,
    context_settings={"help_option_names": []},
)


@app.callback()
def group() -> None:
    """kdump-config: set up kernel crash dumps."""


def _register(spec: Spec) -> None:
    def command(ctx: typer.Context) -> None:
        raise typer.Exit(dispatch(ctx.obj))

    command.__doc__ = spec.doc
    app.command(spec.name, hidden=spec.hidden)(command)


for _spec in TABLE:
    _register(_spec)


def run(invocation: Invocation) -> int:
    """Run ``invocation`` (its command a row of the table, its arguments its own) through
    typer."""
    result = app(args=[invocation.command], prog_name="kdump-config", standalone_mode=False,
                 obj=invocation)
    return result if isinstance(result, int) else 0

"""kdump-sim: create, inspect, crash and reboot simulated machines."""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated

import typer

from sim import faults
from sim.machine import DEFAULT_VMCORE_SIZE, NOBODY_UID, MachineError, SimulatedMachine
from sim.profile import DEFAULT_PROFILE, ProfileError, shipped_profiles

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False,
                  no_args_is_help=True, help="Simulated machines for kdump-config.")

StateDir = Annotated[str, typer.Argument(help="state directory of the machine")]


def _open(state: str) -> SimulatedMachine:
    try:
        return SimulatedMachine(state)
    except MachineError as exc:
        typer.echo(f"kdump-sim: {exc}", err=True)
        raise typer.Exit(1) from exc


@app.command()
def init(
    state: StateDir,
    profile: Annotated[str, typer.Option(help="shipped profile name or a TOML file")] = \
        DEFAULT_PROFILE,
) -> None:
    """Create (or reset) a machine from a profile."""
    try:
        machine = SimulatedMachine.create(state, profile)
    except (ProfileError, MachineError) as exc:
        typer.echo(f"kdump-sim: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"created {machine.dir} from profile {machine.state['profile']}")


@app.command()
def profiles() -> None:
    """List the shipped profiles."""
    for name, description in shipped_profiles().items():
        typer.echo(f"{name:<24} {description}")


_PHASES = {"capture": "capture kernel (/proc/vmcore present)", "normal": "first kernel"}


def _mounts(mounts: dict[str, str]) -> str:
    return ", ".join(f"{k} <- {v}" for k, v in mounts.items()) or "none"


@app.command()
def state(state: StateDir) -> None:
    """What the machine looks like now."""
    machine = _open(state)
    info = machine.state
    loaded = next((text.strip() for text in (machine.read(path) for path in (
        "/sys/kernel/kexec/crash_loaded", "/sys/kernel/kexec_crash_loaded")) if text), "")
    lines = [
        f"profile:      {info['profile']}",
        f"phase:        {_PHASES.get(info['phase'], info['phase'])}",
        f"clock:        {info['clock']}",
        f"kernel:       {info['kernel'].get('release')} ({info['kernel'].get('arch')})",
        f"cmdline:      {(machine.read('/proc/cmdline') or '').strip()}",
        f"kexec loaded: {'yes' if loaded == '1' else 'no' if loaded else 'not supported'}",
        f"mounts:       {_mounts(info.get('mounts', {}))}",
        f"faults:       {json.dumps(info.get('faults', {}), sort_keys=True)}",
        f"root:         {machine.root}",
    ]
    if machine.has_fadump():  # POWER only: other machines have no fadump to report
        lines.insert(6, "fadump:       " + ("registered" if machine.fadump_registered()
                                            else "not registered"))
    typer.echo("\n".join(lines))


@app.command()
def crash(
    state: StateDir,
    vmcore_size: Annotated[int, typer.Option(help="bytes of /proc/vmcore")] = DEFAULT_VMCORE_SIZE,
) -> None:
    """Panic the machine: the capture kernel boots and /proc/vmcore appears."""
    machine = _open(state)
    try:
        via = machine.crash(vmcore_size)
    except MachineError as exc:
        typer.echo(f"kdump-sim: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"kernel panic: capture kernel booted ({via}); /proc/vmcore has "
               f"{vmcore_size} bytes")


@app.command()
def reboot(state: StateDir) -> None:
    """Boot the first kernel again: nothing loaded, no vmcore."""
    machine = _open(state)
    machine.reboot()
    typer.echo("rebooted into the first kernel")


@app.command("faults")
def list_faults() -> None:
    """List the faults a machine can be given, the value each takes and what it does."""
    typer.echo(faults.listing())


@app.command()
def fault(
    state: StateDir,
    name: Annotated[str, typer.Argument(help="fault name (see: kdump-sim faults)")],
    value: Annotated[str | None, typer.Argument(
        help="the fault's value: a number, a path, a program or a message")] = None,
    clear: Annotated[bool, typer.Option(help="disarm the fault")] = False,
) -> None:
    """Arm (or --clear) a fault; kdump-sim faults lists them."""
    try:
        armed = faults.lookup(name)
        parsed = None if clear else armed.parse(value)
    except faults.FaultError as exc:
        typer.echo(f"kdump-sim: {exc}\n\nfaults:\n{faults.listing()}", err=True)
        raise typer.Exit(1) from exc
    machine = _open(state)
    if clear:
        machine.clear_fault(name)
        return
    machine.set_fault(name, parsed)


@app.command()
def plant(
    state: StateDir,
    path: Annotated[str, typer.Argument(help="path on the machine, e.g. /var/crash/kexec_cmd")],
    link: Annotated[str | None, typer.Option(help="make a symbolic link to this target")] = None,
    directory: Annotated[bool, typer.Option("--dir", help="make a directory")] = False,
    text: Annotated[str, typer.Option(help="contents of a planted file")] = "",
    uid: Annotated[int, typer.Option(help="the other user's uid")] = NOBODY_UID,
    fifo: Annotated[bool, typer.Option("--fifo", help="make a FIFO (a named pipe)")] = False,
) -> None:
    """Plant a link, directory, FIFO or file owned by another user (an attacker's trap)."""
    machine = _open(state)
    try:
        machine.plant(path, link_to=link, directory=directory, text=text, uid=uid, fifo=fifo)
    except OSError as exc:
        typer.echo(f"kdump-sim: {path}: {exc.strerror}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"planted {path} owned by uid {uid}")


@app.command()
def effects(state: StateDir) -> None:
    """The operations performed on the machine, one JSON object per line."""
    for record in _open(state).effects():
        typer.echo(json.dumps(record, sort_keys=True))


def main(argv: list[str] | None = None) -> int:
    """The simulator's one exception boundary: a line on stderr and exit 1, no traceback."""
    try:
        result = app(args=argv, standalone_mode=False)
    except (MachineError, ProfileError) as exc:
        sys.stderr.write(f"kdump-sim: {exc}\n")
        return 1
    except OSError as exc:  # a state directory that cannot be made or read
        sys.stderr.write(f"kdump-sim: {exc}\n")
        return 1
    except Exception as exc:
        if getattr(exc, "exit_code", None) == 2 and hasattr(exc, "format_message"):
            sys.stderr.write(f"kdump-sim: {exc.format_message()}\n")
            return 1
        if os.environ.get("KDUMP_DEBUG") == "1":
            import traceback

            traceback.print_exception(exc, file=sys.stderr)
        text = " ".join(str(exc).split())
        sys.stderr.write(f"kdump-sim: internal error: {type(exc).__name__}: {text} "
                         "(set KDUMP_DEBUG=1 for a traceback)\n")
        return 1
    return result if isinstance(result, int) else 0

"""One invocation, one dispatcher: status and try-reload run without typer, the rest
through it, and both ways come to kdump.dispatch.dispatch with the invocation parsed once.

What is left with two ways in: that typer hands every row of the table the invocation as
it was parsed and gives back the dispatcher's status; that the fast path imports no CLI
framework; and that nothing of one run reaches the next (no module-level state).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import kdump.cli as cli
import kdump.dispatch
import kdump.typer_app as typer_app
from backends.base import Host
from backends.values import HostParts
from kdump.commands.table import TABLE, Spec
from sim.machine import SimulatedMachine
from tests.inprocess import run_in_process

pytestmark = pytest.mark.real_processes  # a fresh interpreter measures imports


def _machine(path: Path) -> Path:
    SimulatedMachine.create(path, "x86_64-ready")
    return path


@pytest.mark.parametrize("spec", TABLE, ids=[spec.name for spec in TABLE])
def test_typer_runs_every_row_with_the_invocation_as_parsed(
        spec: Spec, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[cli.Invocation] = []

    def dispatch(invocation: cli.Invocation) -> int:
        seen.append(invocation)
        return 42

    monkeypatch.setattr(typer_app, "dispatch", dispatch)
    invocation = cli.parse_command_line(
        ["--backend", "sim", "--sim-state", "/nowhere", spec.name, "--json",
         *(["6.1.0-18-amd64"] if spec.arguments else [])])
    assert not invocation.problems
    assert typer_app.run(invocation) == 42
    assert seen == [invocation] and seen[0] is invocation


def _state_of(*modules: ModuleType) -> dict[str, str]:
    """What the CLI modules hold at module level, as text (a record changed in place
    shows in its repr)."""
    return {f"{module.__name__}.{name}": repr(value)
            for module in modules for name, value in vars(module).items()
            if not isinstance(value, (type, ModuleType)) and not callable(value)}


@pytest.mark.parametrize("command", ["status", "show"], ids=["fast", "typer"])
def test_a_json_run_never_leaves_the_next_in_json(command: str, tmp_path: Path) -> None:
    # Once, the --json of one in-process run stayed in a module global for the next.
    state = _machine(tmp_path / "m")
    machine = ["--backend", "sim", "--sim-state", str(state)]
    modules = (cli, kdump.dispatch, typer_app)
    before = _state_of(*modules)
    first = run_in_process([*machine, "--json", command])
    second = run_in_process([*machine, command])
    assert first[1].startswith("{") and first[0] == second[0] == 0
    assert second[1] and not second[1].lstrip().startswith("{"), second
    assert second[1] == run_in_process([*machine, command])[1]  # as a first run prints it
    assert _state_of(*modules) == before


def test_the_seams_of_one_run_never_reach_the_next(tmp_path: Path) -> None:
    state = _machine(tmp_path / "m")
    wrapped: list[object] = []

    def wrap(host: Host) -> Host:
        wrapped.append(host)
        return host

    argv = ["--backend", "sim", "--sim-state", str(state), "status"]
    assert cli.main(argv, parts=HostParts(wrap=wrap)) == 0
    assert cli.main(argv) == 0
    assert len(wrapped) == 1


def test_python_m_kdump_cli_runs_the_command_line_as_given(tmp_path: Path) -> None:
    # `python -m kdump.cli` runs a second copy of the module (__main__): the options must
    # reach typer's commands all the same (nothing is shared through the module).
    state = _machine(tmp_path / "m")
    done = subprocess.run([sys.executable, "-m", "kdump.cli", "--backend", "sim",
                           "--sim-state", str(state), "show", "--json"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("{") and '"command": "show"' in done.stdout


def _loaded(path: Path) -> Path:
    """A simulated machine with its capture kernel loaded: try-reload reloads, and logs."""
    machine = SimulatedMachine.create(path, "x86_64-ready")
    machine.state["kexec_loaded"] = ["/usr/sbin/kexec", "-p", "/var/lib/kdump/vmlinuz"]
    machine.save()
    return path


def _crashed(path: Path) -> Path:
    """A simulated machine in its capture kernel (loaded, then crashed)."""
    _loaded(path)
    SimulatedMachine(path).crash()
    return path


# savecore runs in the capture kernel: typer's and pydantic's start-up would come out of the
# time before the dump is safe and out of the reservation. savecore and a reload log, and the
# logger must not bring rich in either.
@pytest.mark.parametrize("command", ["status", "status --json", "try-reload", "condreload",
                                     "savecore", "try-reload on a loaded machine"])
def test_what_machines_run_imports_no_cli_framework(command: str, tmp_path: Path) -> None:
    make = {"savecore": _crashed, "try-reload on a loaded machine": _loaded}.get(command,
                                                                                _machine)
    state = make(tmp_path / "m")
    command = command.split(" on ")[0]
    probe = ("import sys; from kdump.cli import main; "
             f"status = main(['--backend', 'sim', '--sim-state', {str(state)!r}, "
             f"*{command.split()!r}]); "
             "print(sorted(m for m in ('typer', 'click', 'rich', 'pydantic') "
             "if sys.modules.get(m)), status)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()
    assert out[-1] == "[] 0"


# Imported on the fast path, each would cost a few ms of every boot, monitoring probe and
# hotplug event: the CLI framework, dataclasses (and inspect behind it), --json's encoder,
# did-you-mean; on the real backend (what machines run) also typing and re (typing imports
# re, re imports enum), shlex (a load's KDUMP_KEXEC_ARGS only), importlib, the simulator's
# pathlib and json, the threads and signals of savecore's copy (backends/record.py,
# kdump/codes.py).  contextlib (with collections and functools) is allowed: the lock's
# context managers are the standard library's (docs/architecture.md, start-up policy).
NEVER = ("typer", "click", "rich", "pydantic", "difflib", "dataclasses", "inspect")
NEVER_ON_LINUX = (*NEVER, "typing", "re", "enum", "shlex", "importlib", "json", "pathlib",
                  "threading", "signal", "datetime", "sim.machine")
PROBE = """
import sys
sys.path.insert(0, {top!r})
from kdump.cli import main
status = main({argv!r})
executed = {{name for name in sys.modules if sys.modules[name] is not None}}
print(sorted(executed.intersection({names!r})), status)
"""


@pytest.mark.parametrize("command", ["status", "try-reload"])
@pytest.mark.parametrize("kind", ["sim", "linux"])
def test_the_fast_path_leaves_out_what_it_does_not_use(kind: str, command: str,
                                                        tmp_path: Path) -> None:
    if kind == "linux":
        from tests.steps.sandbox import SandboxMachine

        machine = SandboxMachine(state_dir=tmp_path / "m")
        machine.build("x86_64-ready")
        argv, names = machine.cli_argv([command]), NEVER_ON_LINUX
    else:
        state = _machine(tmp_path / "m")
        argv, names = ["--backend", "sim", "--sim-state", str(state), command], NEVER
    top = str(Path(__file__).resolve().parents[2])
    # -S: no site, so no .pth of a development venv (its editable finder imports pathlib);
    # the fast path needs nothing from site-packages.
    probe = PROBE.format(top=top, argv=argv, names=names)
    out = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()
    assert out[-1] == "[] 0", out
